"""alicloud_secrets_roles and alicloud_secrets_info against the lab's AliCloud engine.

The bulk module runs four times, check mode, real, check mode again, real again, on a list that creates a role,
switches a stored role's kind (given in mixed case: the engine stores names in lower case), deletes one by
``state: absent`` and purges one the list does not name. Vault is read back with hvac on the root token, never
with the collection's own code; the requests of each run are counted in the lab's audit log (a token of its own
per run, so the test's own hvac traffic never counts).
"""

from __future__ import annotations

import typing as t
import uuid

import hvac
import pytest

from ._audit import AuditLog, Request, child_token, describe
from .conftest import Ansible, Lab, PlaybookResult

OSS_POLICY = {
    "Version": "1",
    "Statement": [{"Effect": "Allow", "Action": ["oss:GetObject"], "Resource": ["acs:oss:*:*:it-bucket/*"]}],
}
OSS_RO = {"name": "AliyunOSSReadOnlyAccess", "type": "System"}
ECS_RO = {"name": "AliyunECSReadOnlyAccess", "type": "System"}


@pytest.fixture
def audit(lab: Lab) -> AuditLog:
    return AuditLog.of(lab.env)


@pytest.fixture
def role_arn(lab: Lab) -> str:
    value = lab.env.get("VAULTOPS_LAB_ALICLOUD_ROLE_ARN")
    assert value, "scripts/lab env printed no VAULTOPS_LAB_ALICLOUD_ROLE_ARN"
    return value


@pytest.fixture
def mount(vault: hvac.Client, lab: Lab) -> t.Iterator[str]:
    """A fresh AliCloud engine with the lab's access key and three roles planted with hvac: ``sts`` (a RAM role
    that the list turns into an STS role), ``retired`` (listed with state absent) and ``stale`` (not listed:
    purged)."""
    path = f"it-ali-bulk-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("alicloud", path=path)
    try:
        vault.write_data(
            f"{path}/config",
            data={
                "access_key": lab.env["VAULTOPS_LAB_ALICLOUD_ACCESS_KEY"],
                "secret_key": lab.env["VAULTOPS_LAB_ALICLOUD_SECRET_KEY"],
            },
        )
        for name in ("sts", "retired", "stale"):
            vault.write_data(
                f"{path}/role/{name}", data={"remote_policies": ["name:AliyunECSReadOnlyAccess,type:System"]}
            )
        yield path
    finally:
        vault.sys.disable_secrets_engine(path)


def listed(vault: hvac.Client, mount: str) -> list[str]:
    try:
        return sorted(vault.list(f"{mount}/role")["data"]["keys"])
    except hvac.exceptions.InvalidPath:
        return []


def stored(vault: hvac.Client, mount: str) -> dict[str, dict[str, t.Any]]:
    """Every role as the engine returns it."""
    return {name: vault.read(f"{mount}/role/{name}")["data"] for name in listed(vault, mount)}


class Counted(t.NamedTuple):
    run: PlaybookResult
    requests: list[Request]


def converge(
    ansible: Ansible, vault: hvac.Client, audit: AuditLog, task: dict[str, t.Any], *, check: bool = False
) -> Counted:
    """One task, with --diff, with a token of its own; its registered result and the requests that token made."""
    token, accessor = child_token(vault.auth.token)
    mark = audit.mark()
    run = ansible.play(
        [{**task, "register": "task_result"}], capture="task_result", check=check, diff=True, env={"VAULT_TOKEN": token}
    )
    return Counted(run, audit.since(mark, accessor=accessor))


def roles_task(mount: str, items: list[dict[str, t.Any]], purge: bool = True) -> dict[str, t.Any]:
    return {
        "name": "Converge the AliCloud roles",
        "vaultops.cloud.alicloud_secrets_roles": {"mount_point": mount, "roles": items, "purge": purge},
    }


def seen(requests: list[Request]) -> list[tuple[str, str]]:
    return [(r.operation, r.path) for r in requests]


def test_bulk_four_runs(ansible: Ansible, vault: hvac.Client, audit: AuditLog, mount: str, role_arn: str) -> None:
    items = [
        {
            "name": "oss-reader",
            "inline_policies": [OSS_POLICY],
            "remote_policies": [OSS_RO],
            "ttl": "1h",
            "max_ttl": "2h",
        },
        {"name": "STS", "role_arn": role_arn},
        {"name": "retired", "state": "absent"},
    ]
    task = roles_task(mount, items)
    planted = stored(vault, mount)
    assert sorted(planted) == ["retired", "stale", "sts"]
    probe = [("read", f"sys/internal/ui/mounts/{mount}"), ("list", f"{mount}/role")]

    # 1. check mode: the whole change predicted, nothing written
    first = converge(ansible, vault, audit, task, check=True)
    result = first.run.result
    assert first.run.rc == 0, first.run.output
    assert result["changed"] is True
    assert (result["created"], result["updated"], result["deleted"], result["unchanged"]) == (
        ["oss-reader"],
        ["sts"],
        ["retired", "stale"],
        [],
    )
    assert sorted(d["before_header"] for d in result["diff"]) == [
        "role oss-reader",
        "role retired",
        "role stale",
        "role sts",
    ]
    assert stored(vault, mount) == planted
    assert all(r.reads for r in first.requests), describe(first.requests)
    # the mount check, the list, the two listed roles asked for, the two purge reads
    assert seen(first.requests) == [
        *probe,
        ("read", f"{mount}/role/sts"),
        ("read", f"{mount}/role/retired"),
        ("read", f"{mount}/role/stale"),
    ]

    # 2. real: the same change, written
    second = converge(ansible, vault, audit, task)
    result = second.run.result
    assert second.run.rc == 0, second.run.output
    assert result["changed"] is True
    assert (result["created"], result["updated"], result["deleted"]) == (["oss-reader"], ["sts"], ["retired", "stale"])
    assert result["roles"]["sts"] == {
        "role_arn": role_arn,
        "inline_policies": [],
        "remote_policies": [],
        "ttl": 0,
        "max_ttl": 0,
    }
    assert result["roles"]["oss-reader"] == {
        "inline_policies": [OSS_POLICY],
        "remote_policies": [OSS_RO],
        "role_arn": "",
        "ttl": 3600,
        "max_ttl": 7200,
    }
    written = stored(vault, mount)
    assert sorted(written) == ["oss-reader", "sts"]
    oss = written["oss-reader"]
    assert [p["policy_document"] for p in oss["inline_policies"]] == [OSS_POLICY]
    assert oss["remote_policies"] == [OSS_RO]
    assert (oss["role_arn"], oss["ttl"], oss["max_ttl"]) == ("", 3600, 7200)
    sts = written["sts"]
    assert sts["role_arn"] == role_arn
    assert not sts["inline_policies"] and not sts["remote_policies"]  # the RAM policies went with the switch
    writes = [(r.operation, r.path) for r in second.requests if not r.reads]
    assert sorted(writes) == sorted(
        [
            ("create", f"{mount}/role/oss-reader"),  # a new role: the engine logs a create
            ("update", f"{mount}/role/sts"),
            ("delete", f"{mount}/role/retired"),
            ("delete", f"{mount}/role/stale"),
        ]
    )
    assert not [r for r in second.requests if r.error], describe(second.requests)

    # 3. check mode again: nothing to do, and only the no-op converge's reads: N + 2 (N = the two listed roles)
    third = converge(ansible, vault, audit, task, check=True)
    result = third.run.result
    assert third.run.rc == 0, third.run.output
    assert result["changed"] is False
    assert (result["created"], result["updated"], result["deleted"]) == ([], [], [])
    assert result["unchanged"] == ["oss-reader", "retired", "sts"]
    assert result["diff"] == []
    assert seen(third.requests) == [*probe, ("read", f"{mount}/role/oss-reader"), ("read", f"{mount}/role/sts")]

    # 4. real again: unchanged; the engine hashes inline policies anew on every write, so equal hashes prove
    # that nothing was written
    fourth = converge(ansible, vault, audit, task)
    result = fourth.run.result
    assert fourth.run.rc == 0, fourth.run.output
    assert result["changed"] is False
    assert result["unchanged"] == ["oss-reader", "retired", "sts"]
    assert all(r.reads for r in fourth.requests), describe(fourth.requests)
    assert len(fourth.requests) == 2 + 2
    assert stored(vault, mount) == written


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_bulk_bad_item_fails_before_any_request(
    *, ansible: Ansible, vault: hvac.Client, audit: AuditLog, mount: str, role_arn: str, check: bool
) -> None:
    before = stored(vault, mount)
    items = [
        {"name": "fine", "role_arn": role_arn},
        {"name": "mixed", "role_arn": role_arn, "remote_policies": [OSS_RO]},
    ]
    done = converge(ansible, vault, audit, roles_task(mount, items), check=check)
    assert done.run.rc != 0
    assert done.run.result["field"] == "roles[1].role_arn"
    assert "cannot be combined with remote_policies" in done.run.result["msg"]
    assert done.requests == [], describe(done.requests)
    assert stored(vault, mount) == before


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_bulk_rule_on_a_stored_role_fails_before_any_write(
    *, ansible: Ansible, vault: hvac.Client, audit: AuditLog, mount: str, role_arn: str, check: bool
) -> None:
    before = stored(vault, mount)
    # sts is a RAM role with one remote policy: emptying it would leave a role of neither kind
    items = [{"name": "new-one", "role_arn": role_arn}, {"name": "sts", "remote_policies": []}]
    done = converge(ansible, vault, audit, roles_task(mount, items, purge=False), check=check)
    assert done.run.rc != 0
    assert done.run.result["field"] == "roles[1].role_arn"
    assert "a role needs role_arn, or at least one policy" in done.run.result["msg"]
    assert all(r.reads for r in done.requests), describe(done.requests)
    assert stored(vault, mount) == before


def test_info(ansible: Ansible, vault: hvac.Client, audit: AuditLog, mount: str, lab: Lab) -> None:
    done = converge(
        ansible,
        vault,
        audit,
        {"name": "Read the engine", "vaultops.cloud.alicloud_secrets_info": {"mount_point": mount}},
    )
    result = done.run.result
    assert done.run.rc == 0, done.run.output
    assert result["changed"] is False
    assert result["config"] == {"access_key": lab.env["VAULTOPS_LAB_ALICLOUD_ACCESS_KEY"]}
    assert lab.env["VAULTOPS_LAB_ALICLOUD_SECRET_KEY"] not in done.run.stdout
    expected = {"inline_policies": [], "remote_policies": [ECS_RO], "role_arn": "", "ttl": 0, "max_ttl": 0}
    assert result["roles"] == {"retired": expected, "stale": expected, "sts": expected}
    assert all(r.reads for r in done.requests), describe(done.requests)
