"""Check mode proven by the audit log (issue 7): every shipped setup playbook and every module's check run leaves
zero non-read requests in the lab server's audit log, on fresh mounts (nothing mounted yet: the mount is predicted,
every record predicted absent) and on existing mounts with changed values.

Five ansible-playbook starts in all: the four setup playbooks in one run (imported by a wrapper, each on a mount of
this test's own) in check mode on fresh mounts, every module in check mode on those fresh mounts, the setup for
real, then both check runs again with changed values on the existing mounts.
"""

from __future__ import annotations

import json
import typing as t
import uuid
from pathlib import Path

import hvac
import pytest

from ._audit import AuditLog, Request, child_token, describe
from .conftest import REPO, Ansible, Lab, PlaybookResult

CLOUDS = ("aws", "gcp", "azure", "alicloud")
PLAYBOOKS = REPO / "playbooks"
POLICY = 'path "secret/chk/*" { capabilities = ["read"] }'


def module_tasks(mounts: t.Mapping[str, str], lab: Lab, prefix: str) -> list[tuple[str, dict[str, t.Any]]]:
    """(id, task) for every module, with values that differ from what the setup playbooks write."""
    aws, gcp, azure, ali = (mounts[c] for c in CLOUDS)
    email = lab.env.get("VAULTOPS_LAB_GCP_STATIC_ACCOUNT", "static@vaultops-lab.iam.gserviceaccount.com")
    project = lab.env.get("VAULTOPS_LAB_GCP_PROJECT", "vaultops-lab")
    bindings = {f"//cloudresourcemanager.googleapis.com/projects/{project}": ["roles/browser"]}
    scope = f"/subscriptions/{lab.env.get('VAULTOPS_LAB_AZURE_SUBSCRIPTION_ID', 'x')}"
    azure_roles = [{"role_name": "Contributor", "scope": scope}]
    policies = ["name:AliyunOSSFullAccess,type:System"]
    arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
    tasks: dict[str, tuple[str, dict[str, t.Any]]] = {
        "secrets_engine": ("secrets_engine", {"path": aws, "type": "aws", "description": "changed by check"}),
        "aws_secrets_config": (
            "aws_secrets_config",
            {
                "mount_point": aws,
                "region": "eu-west-1",
                "lease": "20m",
                "access_key": lab.root_access_key,
                "secret_key": lab.root_secret_key,
                "lease_max": "2h",
            },
        ),
        "aws_secrets_role": (
            "aws_secrets_role",
            {"mount_point": aws, "name": "deploy", "credential_type": "iam_user", "policy_arns": arns},
        ),
        "aws_secrets_roles": (
            "aws_secrets_roles",
            {
                "mount_point": aws,
                "roles": [
                    {"name": "chk-new", "credential_type": "iam_user", "policy_arns": arns},
                    {"name": "deploy-federated", "credential_type": "federation_token", "policy_arns": arns},
                ],
            },
        ),
        "aws_secrets_static_role": (
            "aws_secrets_static_role",
            {"mount_point": aws, "name": "chk-static", "username": "chk-static", "rotation_period": "2h"},
        ),
        "aws_secrets_static_roles": (
            "aws_secrets_static_roles",
            {
                "mount_point": aws,
                "static_roles": [{"name": "chk-static-2", "username": "chk-static-2", "rotation_period": "3h"}],
            },
        ),
        "aws_secrets_rotate_root": ("aws_secrets_rotate_root", {"mount_point": aws}),
        "aws_secrets_info": ("aws_secrets_info", {"mount_point": aws}),
        "aws_secrets_role_info": ("aws_secrets_role_info", {"mount_point": aws, "name": "deploy"}),
        "creds": ("creds", {"mount_point": aws, "engine": "aws", "role": "deploy"}),
        "lease": ("lease", {"prefix": f"{aws}/creds/deploy", "state": "revoked"}),
        "gcp_secrets_config": ("gcp_secrets_config", {"mount_point": gcp, "ttl": "25m", "max_ttl": "3h"}),
        "gcp_secrets_roleset": (
            "gcp_secrets_roleset",
            {
                "mount_point": gcp,
                "name": "viewer",
                "project": project,
                "secret_type": "access_token",
                "bindings": bindings,
                "token_scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            },
        ),
        "gcp_secrets_rolesets": (
            "gcp_secrets_rolesets",
            {
                "mount_point": gcp,
                "rolesets": [
                    {"name": "chk-keys", "project": project, "secret_type": "service_account_key", "bindings": bindings}
                ],
            },
        ),
        "gcp_secrets_static_account": (
            "gcp_secrets_static_account",
            {
                "mount_point": gcp,
                "name": "chk-static",
                "service_account_email": email,
                "secret_type": "service_account_key",
            },
        ),
        "gcp_secrets_static_accounts": (
            "gcp_secrets_static_accounts",
            {
                "mount_point": gcp,
                "static_accounts": [
                    {"name": "chk-static-2", "service_account_email": email, "secret_type": "service_account_key"}
                ],
            },
        ),
        "gcp_secrets_impersonated_account": (
            "gcp_secrets_impersonated_account",
            {
                "mount_point": gcp,
                "name": "chk-imp",
                "service_account_email": email,
                "token_scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            },
        ),
        "gcp_secrets_impersonated_accounts": (
            "gcp_secrets_impersonated_accounts",
            {
                "mount_point": gcp,
                "impersonated_accounts": [
                    {
                        "name": "chk-imp-2",
                        "service_account_email": email,
                        "token_scopes": ["https://www.googleapis.com/auth/cloud-platform"],
                    }
                ],
            },
        ),
        "gcp_secrets_rotate_root": ("gcp_secrets_rotate_root", {"mount_point": gcp}),
        "gcp_secrets_info": ("gcp_secrets_info", {"mount_point": gcp}),
        "azure_secrets_config": ("azure_secrets_config", {"mount_point": azure, "root_password_ttl": "100h"}),
        "azure_secrets_role": (
            "azure_secrets_role",
            {"mount_point": azure, "name": "reader", "azure_roles": azure_roles, "ttl": "20m"},
        ),
        "azure_secrets_roles": (
            "azure_secrets_roles",
            {"mount_point": azure, "roles": [{"name": "chk-new", "azure_roles": azure_roles}]},
        ),
        "azure_secrets_rotate_root": ("azure_secrets_rotate_root", {"mount_point": azure}),
        "azure_secrets_info": ("azure_secrets_info", {"mount_point": azure}),
        "alicloud_secrets_config": (
            "alicloud_secrets_config",
            {
                "mount_point": ali,
                "access_key": "LTAICHANGED",
                "secret_key": "changed-secret",
                "update_secret": "always",
            },
        ),
        "alicloud_secrets_role": (
            "alicloud_secrets_role",
            {"mount_point": ali, "name": "oss-reader", "remote_policies": policies, "ttl": "25m"},
        ),
        "alicloud_secrets_roles": (
            "alicloud_secrets_roles",
            {"mount_point": ali, "roles": [{"name": "chk-new", "remote_policies": policies}]},
        ),
        "alicloud_secrets_info": ("alicloud_secrets_info", {"mount_point": ali}),
        "policy": ("policy", {"name": f"{prefix}-policy", "policy": POLICY}),
        "auth_method": ("auth_method", {"path": f"{prefix}-approle", "type": "approle"}),
    }
    return [(key, {f"vaultops.cloud.{name}": args}) for key, (name, args) in tasks.items()]


def every_module_playbook(tasks: t.Sequence[tuple[str, dict[str, t.Any]]], result_file: Path) -> list[t.Any]:
    """Each module once in check mode (a rescue keeps a failure), a lookup, and every result saved to a file."""
    body: list[dict[str, t.Any]] = []
    for index, (key, task) in enumerate(tasks):
        body.append(
            {
                "name": f"Check {key}",
                "block": [{**task, "register": f"case_{index}", "check_mode": True}],
                "rescue": [
                    {
                        "name": f"Keep {key}",
                        "ansible.builtin.set_fact": {f"case_{index}": "{{ ansible_failed_result }}"},
                    }
                ],
            }
        )
    saved = ", ".join(
        f"'{key}': case_{index} | default({{'missing': true}})" for index, (key, _task) in enumerate(tasks)
    )
    body.append(
        {
            "name": "Save the results",
            "ansible.builtin.copy": {
                "content": "{{ {" + saved + "} | to_json }}",
                "dest": str(result_file),
                "mode": "0600",
            },
            "check_mode": False,
        }
    )
    return [{"name": "Every module in check mode", "hosts": "localhost", "gather_facts": False, "tasks": body}]


def setup_wrapper(folder: Path) -> Path:
    path = folder / "setup-all.yml"
    path.write_text(json.dumps([{"import_playbook": str(PLAYBOOKS / f"setup_vault_{cloud}.yml")} for cloud in CLOUDS]))
    return path


class Counted(t.NamedTuple):
    run: PlaybookResult
    writes: list[Request]


def counted(ansible: Ansible, vault: hvac.Client, playbook: Path, extra: dict[str, t.Any], check: bool) -> Counted:
    """Run with a token of its own; every request the server logged meanwhile that is not a read."""
    token, _accessor = child_token(vault.auth.token)
    audit = AuditLog.of(ansible.lab.env)
    mark = audit.mark()
    run = ansible.playbook(playbook, extra, check=check, env={**ansible.lab.env, "VAULT_TOKEN": token})
    return Counted(run, [r for r in audit.since(mark) if not r.reads])


@pytest.fixture
def mounts(vault: hvac.Client) -> t.Iterator[dict[str, str]]:
    prefix = f"it-chk-{uuid.uuid4().hex[:6]}"
    paths = {cloud: f"{prefix}-{cloud}" for cloud in CLOUDS}
    try:
        yield paths
    finally:
        present = vault.sys.list_mounted_secrets_engines()["data"]
        for path in paths.values():
            if f"{path}/" in present:
                vault.sys.disable_secrets_engine(path)


def test_check_mode_writes_nothing(
    ansible: Ansible, vault: hvac.Client, mounts: dict[str, str], tmp_path: Path
) -> None:
    lab = ansible.lab
    prefix = mounts["aws"].removesuffix("-aws")
    setup = setup_wrapper(tmp_path)
    mount_vars = {f"{cloud}_secrets_engine_mount_point": path for cloud, path in mounts.items()}
    every = tmp_path / "every-module.yml"
    result_file = tmp_path / "every-module.json"
    every.write_text(json.dumps(every_module_playbook(module_tasks(mounts, lab, prefix), result_file)))
    figures: dict[str, int] = {}

    def every_module(stage: str) -> dict[str, t.Any]:
        checked = counted(ansible, vault, every, {}, check=True)
        assert checked.run.rc == 0, checked.run.output
        assert checked.writes == [], f"{stage}: " + describe(checked.writes)
        figures[f"modules-{stage}"] = len(checked.writes)
        return json.loads(result_file.read_text())

    # fresh mounts: the setup playbooks predict everything, the modules predict every record absent
    fresh = counted(ansible, vault, setup, mount_vars, check=True)
    assert fresh.run.rc == 0, fresh.run.output
    assert fresh.run.counts()["changed"] >= 3 * len(CLOUDS), fresh.run.output
    assert fresh.writes == [], describe(fresh.writes)
    figures["setup-fresh"] = len(fresh.writes)
    mounted = vault.sys.list_mounted_secrets_engines()["data"]
    assert not [path for path in mounts.values() if f"{path}/" in mounted], "check mode mounted an engine"
    results = every_module("fresh")
    failed = {key: result.get("msg") for key, result in results.items() if result.get("failed")}
    # an action on an engine that is not there (rotate a root key) is an error; the resources are predicted
    assert set(failed) <= {f"{cloud}_secrets_rotate_root" for cloud in CLOUDS}, failed
    for key, msg in failed.items():
        # a clear error that names the mount ("no root access key to rotate (path: <mount>/config/root)")
        assert mounts[key.split("_")[0]] in str(msg), (key, msg)
    for key in (
        "aws_secrets_role",
        "aws_secrets_roles",
        "gcp_secrets_roleset",
        "azure_secrets_role",
        "alicloud_secrets_role",
        "aws_secrets_config",
        "gcp_secrets_config",
        "secrets_engine",
    ):
        assert results[key].get("changed") is True, (key, results[key])
    # the creds module in check mode issues nothing (it says so; the audit log shows no request to creds/)
    assert "no credential issued" in results["creds"].get("msg", ""), results["creds"]
    assert not results["creds"].get("access_key"), results["creds"]

    # existing mounts, changed values
    applied = ansible.playbook(setup, mount_vars, env=dict(lab.env))
    assert applied.rc == 0, applied.output
    changed_vars = {**mount_vars, **{f"{cloud}_secrets_engine_description": "changed by check" for cloud in CLOUDS}}
    changed_vars["aws_secrets_engine_lease"] = "45m"
    again = counted(ansible, vault, setup, changed_vars, check=True)
    assert again.run.rc == 0, again.run.output
    assert again.run.counts()["changed"] >= len(CLOUDS), again.run.output
    assert again.writes == [], describe(again.writes)
    figures["setup-existing"] = len(again.writes)
    for cloud, path in mounts.items():
        assert vault.sys.read_mount_configuration(path)["data"].get("description") != "changed by check", cloud
    results = every_module("existing")
    failed = {key: result.get("msg") for key, result in results.items() if result.get("failed")}
    assert failed == {}, json.dumps(failed, indent=1)
    for key in (
        "aws_secrets_role",
        "aws_secrets_roles",
        "gcp_secrets_roleset",
        "azure_secrets_role",
        "alicloud_secrets_role",
        "aws_secrets_config",
        "gcp_secrets_config",
        "secrets_engine",
        "aws_secrets_rotate_root",
    ):
        assert results[key].get("changed") is True, (key, results[key])
    assert sorted(vault.list(f"{mounts['aws']}/roles")["data"]["keys"]) == [
        "deploy",
        "deploy-assumed",
        "deploy-federated",
    ]
    print(f"check-mode non-read requests: {figures}")
