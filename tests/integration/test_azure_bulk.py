"""azure_secrets_roles and azure_secrets_info against the lab's Azure engine and its fake Azure.

The bulk module runs four times, check mode, real, check mode again, real again, on a list that creates a role
(named in mixed case: the engine stores names in lower case), updates a stored one (given in another spelling
than the engine stores it), deletes one by ``state: absent`` and purges one the list does not name. Vault is read
back with hvac on the root token, never with the collection's own code; the requests of each run are counted in
the lab's audit log (a token of its own per run, so the test's own hvac traffic never counts), and the fake
Azure's request log shows that a converge that changes nothing never calls Azure.
"""

from __future__ import annotations

import json
import typing as t
import uuid

import hvac
import pytest

from ._audit import AuditLog, Request, child_token, describe
from ._helpers import lab_values
from .conftest import Ansible, FakeCloud, Lab, PlaybookResult, engine_version

READER_GUID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # built-in role definitions: the same in every tenant
CONTRIBUTOR_GUID = "b24988ac-6180-42a0-ab88-20f7382dd24c"
AZURE_HOSTS = ("login.microsoftonline.com", "graph.microsoft.com", "management.azure.com")


@pytest.fixture
def audit(lab: Lab) -> AuditLog:
    return AuditLog.of(lab.env)


@pytest.fixture(scope="module")
def azure(lab: Lab) -> dict[str, str]:
    names = ("tenant_id", "subscription_id", "client_id", "client_secret")
    return lab_values(lab.env, {name: f"VAULTOPS_LAB_AZURE_{name.upper()}" for name in names})


def scope(azure: t.Mapping[str, str]) -> str:
    return f"/subscriptions/{azure['subscription_id']}"


@pytest.fixture
def mount(vault: hvac.Client, azure: dict[str, str]) -> t.Iterator[str]:
    """A fresh Azure engine with the lab's application and three roles planted with hvac (the engine looks each up
    in the fake Azure): ``reader`` (updated by the list), ``retired`` (listed with state absent) and ``stale``
    (not listed: purged)."""
    path = f"it-azure-bulk-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("azure", path=path)
    try:
        vault.write_data(f"{path}/config", data=dict(azure))
        reader = json.dumps([{"role_name": "Reader", "scope": scope(azure)}])
        groups = json.dumps([{"group_name": "vaultops-readers"}])
        vault.write_data(
            f"{path}/roles/reader", data={"azure_roles": reader, "azure_groups": groups, "ttl": 3600, "max_ttl": 14400}
        )
        for name in ("retired", "stale"):
            vault.write_data(f"{path}/roles/{name}", data={"azure_roles": reader})
        yield path
    finally:
        vault.sys.revoke_prefix(f"{path}/")
        vault.sys.disable_secrets_engine(path)


def listed(vault: hvac.Client, mount: str) -> list[str]:
    try:
        return sorted(vault.list(f"{mount}/roles")["data"]["keys"])
    except hvac.exceptions.InvalidPath:
        return []


def stored(vault: hvac.Client, mount: str) -> dict[str, dict[str, t.Any]]:
    """Every role as the engine returns it."""
    return {name: vault.read(f"{mount}/roles/{name}")["data"] for name in listed(vault, mount)}


class Counted(t.NamedTuple):
    run: PlaybookResult
    requests: list[Request]
    azure_calls: list[str]


def converge(
    ansible: Ansible,
    vault: hvac.Client,
    audit: AuditLog,
    cloud: FakeCloud,
    task: dict[str, t.Any],
    *,
    check: bool = False,
) -> Counted:
    """One task, with --diff, with a token of its own; its registered result, the requests that token made and the
    calls to Azure meanwhile."""
    token, accessor = child_token(vault.auth.token)
    mark, cloud_mark = audit.mark(), cloud.mark()
    run = ansible.play(
        [{**task, "register": "task_result"}], capture="task_result", check=check, diff=True, env={"VAULT_TOKEN": token}
    )
    return Counted(run, audit.since(mark, accessor=accessor), cloud.calls(cloud_mark, AZURE_HOSTS))


def roles_task(mount: str, items: list[dict[str, t.Any]], purge: bool = True) -> dict[str, t.Any]:
    return {
        "name": "Converge the Azure roles",
        "vaultops.cloud.azure_secrets_roles": {"mount_point": mount, "roles": items, "purge": purge},
    }


def seen(requests: list[Request]) -> list[tuple[str, str]]:
    return [(r.operation, r.path) for r in requests]


def items(azure: t.Mapping[str, str]) -> list[dict[str, t.Any]]:
    return [
        {
            # as stored, in another spelling, with ttl raised from 1h to 2h
            "name": "reader",
            "azure_roles": [{"role_name": "READER", "scope": f"{scope(azure).upper()}/"}],
            "azure_groups": [{"group_name": "VaultOps-Readers"}],
            "ttl": "2h",
            "max_ttl": "4h",
        },
        {
            "name": "Writer",
            "azure_roles": [{"role_name": "Contributor", "scope": scope(azure)}],
            "azure_groups": [{"group_name": "vaultops-writers"}],
            "ttl": "30m",
            "tags": {"team": "platform"},
        },
        {"name": "retired", "state": "absent"},
    ]


def test_bulk_four_runs(
    *, ansible: Ansible, vault: hvac.Client, audit: AuditLog, cloud: FakeCloud, mount: str, azure: dict[str, str]
) -> None:
    task = roles_task(mount, items(azure))
    planted = stored(vault, mount)
    assert sorted(planted) == ["reader", "retired", "stale"]
    probe = [("read", f"sys/internal/ui/mounts/{mount}"), ("list", f"{mount}/roles")]
    sub = scope(azure)

    # 1. check mode: the whole change predicted, nothing written, Azure not called
    first = converge(ansible, vault, audit, cloud, task, check=True)
    result = first.run.result
    assert first.run.rc == 0, first.run.output
    assert result["changed"] is True
    assert (result["created"], result["updated"], result["deleted"], result["unchanged"]) == (
        ["writer"],
        ["reader"],
        ["retired", "stale"],
        [],
    )
    diffs = {d["before_header"]: d for d in result["diff"]}
    assert sorted(diffs) == ["role reader", "role retired", "role stale", "role writer"]
    assert (diffs["role reader"]["before"]["ttl"], diffs["role reader"]["after"]["ttl"]) == (3600, 7200)
    assert diffs["role reader"]["before"]["azure_roles"] == diffs["role reader"]["after"]["azure_roles"]
    assert diffs["role writer"]["after"]["azure_roles"] == [{"scope": sub.lower(), "role_id": CONTRIBUTOR_GUID}]
    assert stored(vault, mount) == planted
    assert all(r.reads for r in first.requests), describe(first.requests)
    # the mount check, the list, the two listed roles asked for, the purge's read
    assert seen(first.requests) == [
        *probe,
        ("read", f"{mount}/roles/reader"),
        ("read", f"{mount}/roles/retired"),
        ("read", f"{mount}/roles/stale"),
    ]
    assert first.azure_calls == []

    # 2. real: the same change, written (the engine looks the roles and groups up in Azure)
    second = converge(ansible, vault, audit, cloud, task)
    result = second.run.result
    assert second.run.rc == 0, second.run.output
    assert result["changed"] is True
    assert (result["created"], result["updated"], result["deleted"]) == (["writer"], ["reader"], ["retired", "stale"])
    assert result["roles"]["writer"] == {
        "azure_roles": [{"scope": sub.lower(), "role_id": CONTRIBUTOR_GUID}],
        "azure_groups": [{"group_name": "vaultops-writers"}],
        "ttl": 1800,
        "tags": ["team:platform"],
    }
    written = stored(vault, mount)
    assert sorted(written) == ["reader", "writer"]
    writer = written["writer"]
    assert [(r["role_id"].rsplit("/", 1)[-1], r["scope"]) for r in writer["azure_roles"]] == [(CONTRIBUTOR_GUID, sub)]
    assert [g["group_name"] for g in writer["azure_groups"]] == ["vaultops-writers"]
    assert (writer["ttl"], writer["tags"]) == (1800, ["team:platform"])
    reader = written["reader"]
    assert (reader["ttl"], reader["max_ttl"]) == (7200, 14400)
    assert [r["role_id"].rsplit("/", 1)[-1] for r in reader["azure_roles"]] == [READER_GUID]
    writes = sorted((r.operation, r.path) for r in second.requests if not r.reads)
    assert writes == [
        ("create", f"{mount}/roles/writer"),
        ("delete", f"{mount}/roles/retired"),
        ("delete", f"{mount}/roles/stale"),
        ("update", f"{mount}/roles/reader"),
    ], describe(second.requests)
    assert not [r for r in second.requests if r.error], describe(second.requests)
    assert second.azure_calls, "the engine looked nothing up in Azure"

    # 3. check mode again: nothing to do, and only the no-op converge's reads: N + 2 (N = the two listed roles)
    third = converge(ansible, vault, audit, cloud, task, check=True)
    result = third.run.result
    assert third.run.rc == 0, third.run.output
    assert result["changed"] is False
    assert (result["created"], result["updated"], result["deleted"]) == ([], [], [])
    assert result["unchanged"] == ["reader", "retired", "writer"]
    assert result["diff"] == []
    assert seen(third.requests) == [*probe, ("read", f"{mount}/roles/reader"), ("read", f"{mount}/roles/writer")]
    assert third.azure_calls == []

    # 4. real again: unchanged, only reads, Azure not called, Vault as after the second run
    fourth = converge(ansible, vault, audit, cloud, task)
    result = fourth.run.result
    assert fourth.run.rc == 0, fourth.run.output
    assert result["changed"] is False
    assert result["unchanged"] == ["reader", "retired", "writer"]
    assert all(r.reads for r in fourth.requests), describe(fourth.requests)
    assert len(fourth.requests) == 2 + 2
    assert fourth.azure_calls == []
    assert stored(vault, mount) == written


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_bulk_bad_item_fails_before_any_request(
    *,
    ansible: Ansible,
    vault: hvac.Client,
    audit: AuditLog,
    cloud: FakeCloud,
    mount: str,
    azure: dict[str, str],
    check: bool,
) -> None:
    before = stored(vault, mount)
    roles = [
        {"name": "fine", "azure_roles": [{"role_name": "Reader", "scope": scope(azure)}]},
        {"name": "no-scope", "azure_roles": [{"role_name": "Reader"}]},
    ]
    done = converge(ansible, vault, audit, cloud, roles_task(mount, roles), check=check)
    assert done.run.rc != 0
    assert done.run.result["field"] == "roles[1].azure_roles"
    assert "item 1 needs a scope" in done.run.result["msg"]
    assert done.requests == [], describe(done.requests)
    assert stored(vault, mount) == before


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_bulk_rule_on_a_stored_role_fails_before_any_write(
    *,
    ansible: Ansible,
    vault: hvac.Client,
    audit: AuditLog,
    cloud: FakeCloud,
    mount: str,
    azure: dict[str, str],
    check: bool,
) -> None:
    before = stored(vault, mount)
    # reader has max_ttl 4h: a ttl of 5h is refused once the stored role is read, before the first write
    roles = [
        {"name": "new-one", "azure_roles": [{"role_name": "Reader", "scope": scope(azure)}]},
        {"name": "reader", "ttl": "5h"},
    ]
    done = converge(ansible, vault, audit, cloud, roles_task(mount, roles, purge=False), check=check)
    assert done.run.rc != 0
    assert done.run.result["field"] == "roles[1].ttl"
    assert "must not exceed max_ttl (14400s)" in done.run.result["msg"]
    assert all(r.reads for r in done.requests), describe(done.requests)
    assert stored(vault, mount) == before


def test_info(
    *, ansible: Ansible, vault: hvac.Client, audit: AuditLog, cloud: FakeCloud, mount: str, azure: dict[str, str]
) -> None:
    done = converge(
        ansible,
        vault,
        audit,
        cloud,
        {"name": "Read the engine", "vaultops.cloud.azure_secrets_info": {"mount_point": mount}},
    )
    result = done.run.result
    assert done.run.rc == 0, done.run.output
    assert result["changed"] is False
    # the workload identity fields on every server; the rotation fields from azure v0.21 (Vault 1.19)
    rotation = {
        "rotation_period": 0,
        "rotation_schedule": "",
        "rotation_window": 0,
        "disable_automated_rotation": False,
    }
    assert result["config"] == {
        "subscription_id": azure["subscription_id"],
        "tenant_id": azure["tenant_id"],
        "client_id": azure["client_id"],
        "environment": "",
        "root_password_ttl": 15768000,
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        **(rotation if engine_version(vault, "azure") >= (0, 21, 0) else {}),
    }
    assert azure["client_secret"] not in done.run.stdout
    # the engine stores a built-in role's GUID as role_name up to v0.21.1 (OpenBao's lab plugin v0.20.1): reported
    # as that role_name; from v0.21.2 on (Vault 1.21's built-in v0.23.0) it stores the name "Reader", a built-in
    # role the module knows by its ID: reported as role_id
    if engine_version(vault, "azure") >= (0, 21, 2):
        reader_item = [{"scope": scope(azure).lower(), "role_id": READER_GUID}]
    else:
        reader_item = [{"scope": scope(azure).lower(), "role_name": READER_GUID}]
    assert sorted(result["roles"]) == ["reader", "retired", "stale"]
    assert result["roles"]["reader"]["azure_roles"] == reader_item
    assert result["roles"]["reader"]["azure_groups"] == [{"group_name": "vaultops-readers"}]
    assert (result["roles"]["reader"]["ttl"], result["roles"]["reader"]["max_ttl"]) == (3600, 14400)
    assert result["roles"]["stale"]["azure_roles"] == reader_item
    assert result["roles"]["stale"]["azure_groups"] == []
    assert all(r.reads for r in done.requests), describe(done.requests)
    assert done.azure_calls == []
