# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""aws_secrets_static_roles: many static roles in one module process, against the fake hvac client."""

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import aws_secrets_static_roles

Runner = t.Callable[..., t.Any]
Json = t.Callable[[str], dict[str, t.Any]]
PROBE = ("GET", "sys/internal/ui/mounts/aws")
LIST = ("LIST", "aws/static-roles")


def bots(count: int) -> list[str]:
    return [f"bot-{n:03d}" for n in range(count)]


@pytest.fixture
def engine(vault_json: Json) -> t.Callable[[list[str]], dict[tuple[str, str], t.Any]]:
    """An engine at ``aws`` listing ``names``: each a static role for the IAM user of its own name, rotated daily."""

    def routes(listed: list[str]) -> dict[tuple[str, str], t.Any]:
        answer = vault_json("aws_static_roles_list")
        answer["data"]["keys"] = listed
        table: dict[tuple[str, str], t.Any] = {PROBE: {"data": {"type": "aws", "path": "aws/"}}, LIST: answer}
        for name in listed:
            record = vault_json("aws_static_role_ci_bot")
            record["data"].update(name=name, username=name)
            table[("GET", f"aws/static-roles/{name}")] = record
        return table

    return routes


def converge(run_module: Runner, roles: t.Any, routes: t.Any, *, check_mode: bool = False, **extra: t.Any) -> t.Any:
    args = {"static_roles": roles, **extra}
    return run_module(aws_secrets_static_roles.main, args, routes, check_mode=check_mode, diff=True)


def requests(run: t.Any) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in run.fake.adapter.calls]


@pytest.mark.parametrize("count", [1, 2, 20])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_no_op_converge(run_module: Runner, engine: t.Callable[..., t.Any], count: int, check_mode: bool) -> None:
    listed = bots(count)
    roles = [{"name": n, "username": n, "rotation_period": "24h"} for n in listed]
    run = converge(run_module, roles, engine(listed), check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.result["unchanged"] == listed
    assert run.result["diff"] == []
    assert run.result["static_roles"][listed[0]] == {"username": listed[0], "rotation_period": 86400}
    assert requests(run) == [PROBE, LIST, *(("GET", f"aws/static-roles/{n}") for n in listed)]


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_creating_converge(run_module: Runner, count: int, check_mode: bool) -> None:
    wanted = bots(count)
    run = converge(
        run_module, [{"name": n, "username": n, "rotation_period": 3600} for n in wanted], {}, check_mode=check_mode
    )
    assert run.result["changed"] is True
    assert run.result["created"] == wanted
    assert len(run.result["diff"]) == count
    assert run.result["diff"][0] == {
        "before": {},
        "after": {"username": wanted[0], "rotation_period": 3600},
        "before_header": f"static role {wanted[0]}",
        "after_header": f"static role {wanted[0]}",
    }
    writes = [] if check_mode else [("POST", f"aws/static-roles/{n}") for n in wanted]
    assert requests(run) == [PROBE, LIST, *writes]
    if not check_mode:
        assert run.fake.writes()[0].json == {"username": wanted[0], "rotation_period": "3600s"}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_purge_deletes_only_the_unlisted(run_module: Runner, engine: t.Callable[..., t.Any], check_mode: bool) -> None:
    roles = [{"name": "ci-bot", "username": "ci-bot"}]
    run = converge(run_module, roles, engine(["ci-bot", "legacy-bot", "old-bot"]), check_mode=check_mode, purge=True)
    assert run.result["deleted"] == ["legacy-bot", "old-bot"]
    assert run.result["unchanged"] == ["ci-bot"]
    assert list(run.result["static_roles"]) == ["ci-bot"]
    assert [d["before_header"] for d in run.result["diff"]] == ["static role legacy-bot", "static role old-bot"]
    deletes = [] if check_mode else [("DELETE", "aws/static-roles/legacy-bot"), ("DELETE", "aws/static-roles/old-bot")]
    assert [(c.method, c.path) for c in run.fake.writes()] == deletes


# --- the user is fixed at creation --------------------------------------------------------------------------


def test_another_user_without_recreate_fails_naming_the_item_before_any_write(
    run_module: Runner, engine: t.Callable[..., t.Any]
) -> None:
    """The rule needs the current role (read first), and still fails the whole list before the first write."""
    roles = [{"name": "new-bot", "username": "new-bot"}, {"name": "ci-bot", "username": "someone-else"}]
    run = converge(run_module, roles, engine(["ci-bot"]))
    assert run.result["failed"] is True
    assert run.result["field"] == "static_roles[1].username"
    assert "static role ci-bot manages user 'ci-bot'" in run.result["msg"]
    assert run.fake.writes() == []


def test_recreate_in_a_list_and_a_failed_write_after_the_delete(
    run_module: Runner, engine: t.Callable[..., t.Any]
) -> None:
    routes = engine(["ci-bot"])
    routes[("POST", "aws/static-roles/ci-bot")] = hvac.exceptions.InvalidRequest(errors=["unable to find user x"])
    run = converge(run_module, [{"name": "ci-bot", "username": "x", "recreate": True}], routes)
    assert run.result["failed"] is True
    assert run.result["changed"] is True
    assert "recreate deleted the static role ci-bot" in run.result["msg"]
    assert [(c.method, c.path) for c in run.fake.writes()] == [
        ("DELETE", "aws/static-roles/ci-bot"),
        ("POST", "aws/static-roles/ci-bot"),
    ]


# --- bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "field"),
    [
        (
            [{"name": "ok", "username": "ok"}, {"name": "short", "username": "s", "rotation_period": 10}],
            "static_roles[1].rotation_period",
        ),
        ([{"name": "ok/no", "username": "ok"}], "static_roles[0].name"),
        ([{"name": "ok", "username": "ok"}, {"name": "ok", "username": "ok"}], "static_roles[1].name"),
        ([{"name": "ok", "username": "ok", "rotation_perod": 60}], "static_roles[0]"),
    ],
    ids=["too-often", "path-in-name", "twice", "misspelt-option"],
)
def test_a_bad_item_fails_before_any_request(run_module: Runner, roles: list[t.Any], field: str) -> None:
    run = converge(run_module, roles, {})
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.result["msg"].startswith(f"invalid value for {field}: ")
    assert run.fake.adapter.calls == []


def test_an_item_without_username_fails_like_the_single_module(run_module: t.Any) -> None:
    run = run_module(aws_secrets_static_roles.main, {"static_roles": [{"name": "ci-bot", "rotation_period": "1h"}]})
    assert run.result["failed"] is True
    assert run.result["field"] == "static_roles[0].username"
    assert "is required when state=present" in run.result["msg"]
    assert run.fake.adapter.calls == []
