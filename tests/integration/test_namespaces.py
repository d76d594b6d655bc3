"""Namespaces on OpenBao (issue 7): the modules and the lookup work inside a namespace, and everything they write
lands there, not in the root namespace (read back with hvac in and out of the namespace). A wrong namespace is a
clear error: see the hostile corpus (tests/integration/test_hostile.py, cases namespace-*).

On HashiCorp Vault's community edition, which has no namespaces, a namespace is refused (issue 10).

Two ansible-playbook starts: the converge with a credential issued and revoked, then the same converge again
(changed=0).
"""

from __future__ import annotations

import typing as t
import uuid

import hvac
import hvac.exceptions
import pytest

from .conftest import Ansible, Lab

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def namespace(vault: hvac.Client, lab: Lab) -> t.Iterator[tuple[str, hvac.Client]]:
    """A namespace of this test's own and an hvac client inside it; removed (mounts first) at teardown."""
    name = f"it-ns-{uuid.uuid4().hex[:6]}"
    try:
        vault.sys.create_namespace(name)
    except (hvac.exceptions.InvalidPath, hvac.exceptions.UnsupportedOperation) as exc:
        pytest.skip(f"this server has no namespaces: {exc}")
    inside = hvac.Client(url=lab.vault_addr, token=lab.vault_token, namespace=name, timeout=30)
    try:
        yield name, inside
    finally:
        for path in inside.sys.list_mounted_secrets_engines()["data"]:
            if path.startswith("it-"):
                inside.sys.disable_secrets_engine(path)
        vault.sys.delete_namespace(name)


def converge(mount: str, lab: Lab, with_creds: bool) -> list[dict[str, t.Any]]:
    tasks: list[dict[str, t.Any]] = [
        {"name": "Mount", "vaultops.cloud.secrets_engine": {"path": mount, "type": "aws"}, "register": "mounted"},
        {
            "name": "Config",
            "vaultops.cloud.aws_secrets_config": {
                "mount_point": mount,
                **lab.aws_root_config(),
            },
            "register": "configured",
        },
        {
            "name": "Role",
            "vaultops.cloud.aws_secrets_roles": {
                "mount_point": mount,
                "roles": [{"name": "deploy", "credential_type": "iam_user", "policy_arns": [READ_ONLY]}],
            },
            "register": "converged",
        },
        {"name": "Info", "vaultops.cloud.aws_secrets_info": {"mount_point": mount}, "register": "info"},
    ]
    if with_creds:
        tasks += [
            {
                "name": "Issue",
                "ansible.builtin.set_fact": {
                    "issued": "{{ lookup('vaultops.cloud.creds', 'deploy', mount_point='" + mount + "', cache=false) }}"
                },
                "no_log": True,
            },
            {"name": "Revoke", "vaultops.cloud.lease": {"lease_id": "{{ issued.lease_id }}"}, "register": "revoked"},
        ]
    tasks.append(
        {
            "name": "Report",
            "ansible.builtin.set_fact": {
                "report": {
                    "changed": "{{ [mounted, configured, converged] | selectattr('changed') | length }}",
                    "info_roles": "{{ info.roles | default({}) | list }}",
                    "issued_key": "{{ (issued | default({})).access_key | default('') | length > 0 }}",
                    "revoked": "{{ (revoked | default({})).revoked | default([]) | length }}",
                }
            },
        }
    )
    return tasks


def test_modules_and_lookup_inside_a_namespace(
    ansible: Ansible, vault: hvac.Client, namespace: tuple[str, hvac.Client]
) -> None:
    name, inside = namespace
    lab = ansible.lab
    mount = f"it-ns-aws-{uuid.uuid4().hex[:4]}"
    env = {"VAULT_NAMESPACE": name}
    first = ansible.play(converge(mount, lab, with_creds=True), capture="report", env=env)
    assert first.rc == 0, first.output
    report = first.result
    assert int(report["changed"]) == 3, report  # mount, config, role
    assert report["info_roles"] == ["deploy"], report
    assert str(report["issued_key"]) == "True", report  # the lookup issued a credential inside the namespace
    assert int(report["revoked"]) == 1, report
    # everything landed inside the namespace, nothing in the root namespace
    assert inside.read(f"{mount}/roles/deploy")["data"]["credential_type"] == "iam_user"
    assert f"{mount}/" in inside.sys.list_mounted_secrets_engines()["data"]
    assert f"{mount}/" not in vault.sys.list_mounted_secrets_engines()["data"]
    again = ansible.play(converge(mount, lab, with_creds=False), capture="report", env=env)
    assert again.rc == 0, again.output
    assert int(again.result["changed"]) == 0, again.output
    assert again.counts()["changed"] == 1, again.output  # the capture's own file


def test_a_namespace_on_a_server_without_namespaces_is_refused(ansible: Ansible, vault: hvac.Client) -> None:
    """HashiCorp Vault's community edition ignores X-Vault-Namespace and would act in the root namespace: the
    module refuses before sending a token, and nothing lands in the root namespace. (A server with namespaces
    runs test_modules_and_lookup_inside_a_namespace instead.)"""
    probe = f"it-ns-{uuid.uuid4().hex[:6]}"
    try:
        vault.sys.create_namespace(probe)
    except (hvac.exceptions.InvalidPath, hvac.exceptions.UnsupportedOperation):
        pass
    else:
        vault.sys.delete_namespace(probe)
        pytest.skip("this server has namespaces (see test_modules_and_lookup_inside_a_namespace)")
    mount = f"it-ns-aws-{uuid.uuid4().hex[:4]}"
    task = {"name": "Mount", "vaultops.cloud.secrets_engine": {"path": mount, "type": "aws"}, "register": "mounted"}
    run = ansible.play([task], env={"VAULT_NAMESPACE": "team-a"})
    assert run.rc == 2, run.output
    assert "namespace 'team-a' cannot be used with" in run.output, run.output
    assert "(community edition), which has no namespaces and would act in the root namespace" in run.output
    assert f"{mount}/" not in vault.sys.list_mounted_secrets_engines()["data"]
