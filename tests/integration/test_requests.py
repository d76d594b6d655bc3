"""Request economy, counted in the lab's audit log: converging N AWS roles costs one mount check, one list,
one read per listed role that is asked for and one write per change (issue 6: a no-op converge at most N + 3
requests, a creating one at most 2N + 3), and check mode writes nothing.

Each run gets a token of its own, and only the requests made with that token's accessor count, so the test's
own hvac traffic (setup and the independent read-back) never does.
"""

from __future__ import annotations

import typing as t
import uuid

import hvac
import pytest

from ._audit import AuditLog, Request, child_token, describe
from .conftest import Ansible, Lab, PlaybookResult

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"


@pytest.fixture
def audit(lab: Lab) -> AuditLog:
    return AuditLog.of(lab.env)


@pytest.fixture
def mount(vault: hvac.Client) -> t.Iterator[str]:
    """A fresh AWS mount with no roles."""
    path = f"it-req-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("aws", path=path)
    try:
        yield path
    finally:
        vault.sys.disable_secrets_engine(path)


def roles(count: int, start: int = 0, policy: str = READ_ONLY) -> list[dict[str, t.Any]]:
    return [
        {"name": f"role-{i:04d}", "credential_type": "iam_user", "policy_arns": [policy]}
        for i in range(start, start + count)
    ]


class Counted(t.NamedTuple):
    run: PlaybookResult
    requests: list[Request]


def counted(
    ansible: Ansible, vault: hvac.Client, audit: AuditLog, tasks: list[dict[str, t.Any]], **kw: t.Any
) -> Counted:
    """Run ``tasks`` with a token of their own; the requests that token made, in order."""
    token, accessor = child_token(vault.auth.token)
    mark = audit.mark()
    run = ansible.play(tasks, env={"VAULT_TOKEN": token}, **kw)
    return Counted(run, audit.since(mark, accessor=accessor))


def bulk(
    ansible: Ansible, vault: hvac.Client, audit: AuditLog, mount: str, items: list[dict[str, t.Any]], **kw: t.Any
) -> Counted:
    task = {
        "name": "Converge the roles",
        "vaultops.cloud.aws_secrets_roles": {"mount_point": mount, "roles": items, "purge": kw.pop("purge", False)},
        "register": "task_result",
    }
    return counted(ansible, vault, audit, [task], capture="task_result", **kw)


def mount_check(mount: str) -> list[tuple[str, str]]:
    return [("read", f"sys/internal/ui/mounts/{mount}")]


def role_list(mount: str) -> list[tuple[str, str]]:
    return [("list", f"{mount}/roles")]


def each(operation: str, mount: str, names: t.Iterable[str]) -> list[tuple[str, str]]:
    return [(operation, f"{mount}/roles/{name}") for name in names]


def seen(requests: list[Request]) -> list[tuple[str, str]]:
    return [(r.operation, r.path) for r in requests]


def names(items: list[dict[str, t.Any]]) -> list[str]:
    return [item["name"] for item in items]


@pytest.mark.parametrize("count", [10, 25])
def test_bulk_roles_request_economy(
    ansible: Ansible, vault: hvac.Client, audit: AuditLog, mount: str, count: int
) -> None:
    wanted = roles(count)

    # creating converge on a fresh mount: mount check, list (empty), one write per role: N + 2 <= 2N + 3
    create = bulk(ansible, vault, audit, mount, wanted)
    assert create.run.rc == 0, create.run.output
    assert create.run.result["created"] == names(wanted)
    expected = mount_check(mount) + role_list(mount) + each("update", mount, names(wanted))
    assert seen(create.requests) == expected, describe(create.requests)
    assert len(create.requests) == count + 2 <= 2 * count + 3
    assert not [r for r in create.requests if r.error], describe(create.requests)
    assert sorted(vault.list(f"{mount}/roles")["data"]["keys"]) == names(wanted)

    # no-op converge: mount check, list, one read per role: N + 2 <= N + 3
    again = bulk(ansible, vault, audit, mount, wanted)
    assert again.run.rc == 0, again.run.output
    assert (again.run.result["changed"], again.run.result["unchanged"]) == (False, names(wanted))
    expected = mount_check(mount) + role_list(mount) + each("read", mount, names(wanted))
    assert seen(again.requests) == expected, describe(again.requests)
    assert len(again.requests) == count + 2 <= count + 3

    # check mode on a changed list (half the roles changed, the last one dropped and purged, two new ones):
    # reads only (the mount check, the list, the N - 1 listed roles asked for and the one purge reads)
    changed = roles(count // 2, policy=POWER_USER) + roles(count - 1 - count // 2, start=count // 2)
    changed += roles(2, start=count)
    check = bulk(ansible, vault, audit, mount, changed, purge=True, check=True)
    assert check.run.rc == 0, check.run.output
    result = check.run.result
    assert result["changed"] is True
    assert (result["created"], result["deleted"]) == (names(roles(2, start=count)), [f"role-{count - 1:04d}"])
    assert result["updated"] == names(roles(count // 2))
    assert [r for r in check.requests if not r.reads] == [], describe(check.requests)
    expected = (
        mount_check(mount)
        + role_list(mount)
        + each("read", mount, names(roles(count - 1)))
        + each("read", mount, [f"role-{count - 1:04d}"])
    )
    assert seen(check.requests) == expected, describe(check.requests)
    # and Vault still holds what the creating converge wrote
    assert sorted(vault.list(f"{mount}/roles")["data"]["keys"]) == names(wanted)
    assert vault.read(f"{mount}/roles/role-0000")["data"]["policy_arns"] == [READ_ONLY]


def test_bundled_role_uses_one_bulk_task(ansible: Ansible, vault: hvac.Client, audit: AuditLog, mount: str) -> None:
    """aws_secrets_engine converges its roles with aws_secrets_roles: the requests under the mount's roles are
    one list plus one write per role (creating), one list plus one read per role (no-op), in one task; the
    whole no-op run reads only, at most N + 3 requests."""
    wanted = roles(10)
    tasks = [
        {
            "name": "Run the bundled role",
            "ansible.builtin.include_role": {"name": "vaultops.cloud.aws_secrets_engine"},
            "vars": {"aws_secrets_engine_mount_point": mount, "aws_secrets_engine_roles": wanted},
        }
    ]

    def under_roles(requests: list[Request]) -> list[tuple[str, str]]:
        return [(r.operation, r.path) for r in requests if r.path.startswith(f"{mount}/roles")]

    create = counted(ansible, vault, audit, tasks)
    assert create.run.rc == 0, create.run.output
    assert under_roles(create.requests) == role_list(mount) + each("update", mount, names(wanted)), describe(
        create.requests
    )
    assert sorted(vault.list(f"{mount}/roles")["data"]["keys"]) == names(wanted)

    again = counted(ansible, vault, audit, tasks)
    assert again.run.rc == 0, again.run.output
    assert again.run.counts()["changed"] == 0, again.run.output
    assert under_roles(again.requests) == role_list(mount) + each("read", mount, names(wanted)), describe(
        again.requests
    )
    # the whole role, its mount and configuration tasks included, within the bound: N + 3
    assert len(again.requests) <= len(wanted) + 3, describe(again.requests)
    assert all(r.reads for r in again.requests), describe(again.requests)
