"""End to end: the shipped playbooks against the lab, one credential for many hosts, and no secret in any log."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest

from .conftest import REPO, Ansible, Lab

PLAYBOOKS = REPO / "playbooks"
HOSTS = 20


def lab_env(lab: Lab) -> dict[str, str]:
    """The environment `eval "$(scripts/lab env)"` gives a shell: what the playbooks read with no extra vars."""
    return dict(lab.env)


def mounts(vault: t.Any) -> dict[str, t.Any]:
    return vault.sys.list_mounted_secrets_engines()["data"]


def iam_user_names(aws: t.Callable[..., t.Any]) -> set[str]:
    return {user["UserName"] for user in aws("iam").list_users()["Users"]}


# what each setup playbook leaves behind, listed by an independent reader (hvac on the root token)
SETUP_LISTS = {
    "aws": ("roles", ["deploy", "deploy-assumed", "deploy-federated"]),
    "gcp": ("rolesets", ["keys", "viewer"]),
    "azure": ("roles", ["reader"]),
    "alicloud": ("role", ["oss-reader", "sts"]),
}

# the tasks that change on a fresh engine: mount, config, roles (on AWS the mount and the roles are one task)
CHANGED_TASKS = {"aws": 2, "gcp": 3, "azure": 3, "alicloud": 3}


@pytest.mark.core219
@pytest.mark.parametrize("cloud", sorted(SETUP_LISTS))
def test_setup_playbook_check_then_real_then_unchanged(ansible: Ansible, lab: Lab, vault: t.Any, cloud: str) -> None:
    playbook = PLAYBOOKS / f"setup-vault-{cloud}.yml"
    if f"{cloud}/" in mounts(vault):
        vault.sys.disable_secrets_engine(cloud)

    checked = ansible.playbook(playbook, check=True, diff=True, env=lab_env(lab))
    assert checked.rc == 0, checked.output
    # mount, config, the roles (the AWS role mounts and converges its roles in one task)
    assert checked.counts()["changed"] >= CHANGED_TASKS[cloud], checked.output
    assert f"secrets engine mount {cloud}/" in checked.output or cloud != "aws", checked.output
    assert f"{cloud}/" not in mounts(vault), "check mode mounted the engine"

    first = ansible.playbook(playbook, env=lab_env(lab))
    assert first.rc == 0, first.output
    assert first.counts()["changed"] >= CHANGED_TASKS[cloud], first.output
    assert mounts(vault)[f"{cloud}/"]["type"] == cloud
    listing, expected = SETUP_LISTS[cloud]
    assert sorted(vault.list(f"{cloud}/{listing}")["data"]["keys"]) == expected

    second = ansible.playbook(playbook, env=lab_env(lab))
    assert second.rc == 0, second.output
    assert second.counts()["changed"] == 0, second.output

    again = ansible.playbook(playbook, check=True, diff=True, env=lab_env(lab))
    assert again.rc == 0, again.output
    assert again.counts()["changed"] == 0, again.output


@pytest.fixture
def configured(ansible: Ansible, lab: Lab, vault: t.Any) -> None:
    """The engine as setup-vault-aws.yml leaves it."""
    result = ansible.playbook(PLAYBOOKS / "setup-vault-aws.yml", env=lab_env(lab))
    assert result.rc == 0, result.output


def inventory(path: Path, python: Path) -> Path:
    hosts = "\n".join(f"host{n:02d} ansible_connection=local ansible_python_interpreter={python}" for n in range(HOSTS))
    path.write_text(f"[fleet]\n{hosts}\n")
    return path


def fleet_play(path: Path, result_dir: Path) -> Path:
    """Twenty hosts that each reference one lazily templated lookup twice."""
    play = [
        {
            "name": "Many hosts, one lookup in vars",
            "hosts": "fleet",
            "gather_facts": False,
            "vars": {"aws_creds": "{{ lookup('vaultops.cloud.creds', 'deploy') }}"},
            "tasks": [
                {
                    "name": "Reference the lookup (templated per host)",
                    "ansible.builtin.copy": {
                        "content": "{{ aws_creds | to_json }}",
                        "dest": f"{result_dir}/{{{{ inventory_hostname }}}}.json",
                        "mode": "0600",
                    },
                    "no_log": True,
                },
                {
                    "name": "Reference it again",
                    "ansible.builtin.assert": {"that": ["aws_creds.lease_id is string"], "quiet": True},
                },
            ],
        }
    ]
    path.write_text(json.dumps(play))
    return path


def test_twenty_hosts_one_lookup_one_iam_user(
    ansible: Ansible, aws: t.Callable[..., t.Any], vault: t.Any, configured: None, tmp_path: Path
) -> None:
    before = iam_user_names(aws)
    results = tmp_path / "creds"
    results.mkdir()
    run = ansible.playbook(
        fleet_play(tmp_path / "fleet.yml", results),
        env={"ANSIBLE_INVENTORY": str(inventory(tmp_path / "fleet.ini", ansible.bin / "python")), "ANSIBLE_FORKS": "5"},
    )
    assert run.rc == 0, run.output
    assert all(run.counts(f"host{n:02d}")["failed"] == 0 for n in range(HOSTS))
    issued = [json.loads(path.read_text()) for path in sorted(results.glob("*.json"))]
    assert len(issued) == HOSTS
    assert len({creds["access_key"] for creds in issued}) == 1, "hosts got different credentials"
    new_users = iam_user_names(aws) - before
    assert len(new_users) == 1, f"expected one new IAM user, got {sorted(new_users)}"
    # the one credential works, and belongs to that one user
    caller = aws("sts", issued[0]["access_key"], issued[0]["secret_key"]).get_caller_identity()
    assert caller["Arn"].endswith(f"user/{next(iter(new_users))}")
    vault.sys.revoke_lease(issued[0]["lease_id"])
    assert iam_user_names(aws) == before


def capture_play(source: Path, fact: str, dest: Path, path: Path) -> Path:
    """``source`` followed by a play that saves the fact ``fact`` of localhost to ``dest`` (never shown)."""
    plays = [
        {"ansible.builtin.import_playbook": str(source)},
        {
            "name": "Keep what was issued, for the leak scan",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "Save it",
                    "ansible.builtin.copy": {
                        "content": f"{{{{ {fact} | to_json }}}}",
                        "dest": str(dest),
                        "mode": "0600",
                    },
                    "no_log": True,
                }
            ],
        },
    ]
    path.write_text(json.dumps(plays))
    return path


def test_no_secret_reaches_the_output_at_vvvv(
    ansible: Ansible, lab: Lab, aws: t.Callable[..., t.Any], configured: None, tmp_path: Path
) -> None:
    """Run the shipped playbooks and the lookup/module twins with -vvvv; no secret may appear in any output."""
    outputs: list[str] = []
    issued: list[dict[str, t.Any]] = []

    setup = ansible.playbook(PLAYBOOKS / "setup-vault-aws.yml", env=lab_env(lab), verbosity=4)
    assert setup.rc == 0, setup.output
    outputs.append(setup.stdout + setup.stderr)
    # update_secret=always makes the config task send the root secret on this run too
    resend = ansible.playbook(
        PLAYBOOKS / "setup-vault-aws.yml",
        extra_vars={"aws_secrets_engine_update_secret": "always"},
        env=lab_env(lab),
        verbosity=4,
        diff=True,
    )
    assert resend.rc == 0, resend.output
    assert resend.counts()["changed"] >= 1, resend.output
    outputs.append(resend.stdout + resend.stderr)

    deploy_creds = tmp_path / "deploy-creds.json"
    deploy = ansible.playbook(
        capture_play(PLAYBOOKS / "deploy-with-aws-creds.yml", "deploy_creds", deploy_creds, tmp_path / "deploy.yml"),
        env=lab_env(lab),
        verbosity=4,
    )
    assert deploy.rc == 0, deploy.output
    assert "Deploying as arn:aws:iam::" in deploy.stdout, deploy.output
    outputs.append(deploy.stdout + deploy.stderr)
    issued.append(json.loads(deploy_creds.read_text()))

    twins = ansible.play(
        [
            {
                "name": "Lookup",
                "ansible.builtin.set_fact": {"via_lookup": "{{ lookup('vaultops.cloud.creds', 'deploy-assumed') }}"},
                "no_log": True,
            },
            {"name": "Module", "vaultops.cloud.creds": {"role": "deploy"}, "register": "via_module", "no_log": True},
            {"name": "Revoke", "vaultops.cloud.lease": {"lease_id": "{{ via_module.credentials.lease_id }}"}},
            {
                "name": "Keep both",
                "ansible.builtin.set_fact": {"both": ["{{ via_lookup }}", "{{ via_module.credentials }}"]},
                "no_log": True,
            },
        ],
        capture="both",
        verbosity=4,
    )
    assert twins.rc == 0, twins.output
    outputs.append(twins.stdout + twins.stderr)
    issued.extend(twins.result)

    secrets = {"root secret key": lab.root_secret_key, "Vault token": lab.vault_token}
    for n, creds in enumerate(issued):
        assert creds["secret_key"], creds.keys()
        secrets[f"issued secret key {n}"] = creds["secret_key"]
        if creds.get("security_token"):
            secrets[f"issued session token {n}"] = creds["security_token"]
    assert len(issued) == 3
    text = "\n".join(outputs)
    assert "ESTABLISH LOCAL CONNECTION" in text, "not a -vvvv run?"
    leaked = [name for name, value in secrets.items() if value in text]
    assert leaked == [], f"found in the output: {leaked}"
