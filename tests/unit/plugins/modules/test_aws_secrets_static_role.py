# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import aws_secrets_static_role

Runner = t.Callable[..., t.Any]
Json = t.Callable[[str], dict[str, t.Any]]
PATH = "aws/static-roles/ci-bot"


@pytest.fixture
def existing(vault_json: Json) -> dict[tuple[str, str], t.Any]:
    return {("GET", PATH): vault_json("aws_static_role_ci_bot")}


def requests(run: t.Any) -> list[tuple[str, str, t.Any]]:
    return [(call.method, call.path, call.json) for call in run.fake.calls]


@pytest.mark.parametrize("period", [86400, "24h", "1d", "86400s"])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(run_module: Runner, existing: dict[t.Any, t.Any], period: t.Any, check_mode: bool) -> None:
    args = {"name": "ci-bot", "username": "ci-bot", "rotation_period": period}
    run = run_module(aws_secrets_static_role.main, args, existing, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.result["static_role"] == {"username": "ci-bot", "rotation_period": 86400}
    assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert requests(run) == [("GET", PATH, None)]
    assert len(run.fake.probes) == 1


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, check_mode: bool) -> None:
    args = {"name": "ci-bot", "username": "ci-bot", "rotation_period": "1h"}
    run = run_module(aws_secrets_static_role.main, args, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"]["before"] == {}
    assert run.result["diff"]["after"] == {"username": "ci-bot", "rotation_period": 3600}
    write = [] if check_mode else [("POST", PATH, {"username": "ci-bot", "rotation_period": "3600s"})]
    assert requests(run) == [("GET", PATH, None), *write]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update_rotation_period(run_module: Runner, existing: dict[t.Any, t.Any], check_mode: bool) -> None:
    args = {"name": "ci-bot", "username": "ci-bot", "rotation_period": "12h"}
    run = run_module(aws_secrets_static_role.main, args, existing, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    before, after = run.result["diff"]["before"], run.result["diff"]["after"]
    assert (before["rotation_period"], after["rotation_period"]) == (86400, 43200)
    write = [] if check_mode else [("POST", PATH, {"username": "ci-bot", "rotation_period": "43200s"})]
    assert requests(run) == [("GET", PATH, None), *write]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_delete(run_module: Runner, existing: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(
        aws_secrets_static_role.main, {"name": "ci-bot", "state": "absent"}, existing, check_mode=check_mode
    )
    assert run.result["changed"] is True
    assert "static_role" not in run.result
    delete = [] if check_mode else [("DELETE", PATH, None)]
    assert requests(run) == [("GET", PATH, None), *delete]


def test_delete_what_is_not_there(run_module: Runner) -> None:
    run = run_module(aws_secrets_static_role.main, {"name": "ci-bot", "state": "absent"})
    assert run.result["changed"] is False
    assert requests(run) == [("GET", PATH, None)]


# --- the user is fixed at creation ----------------------------------------------------------------------


def test_another_user_is_refused_without_recreate(run_module: Runner, existing: dict[t.Any, t.Any]) -> None:
    run = run_module(aws_secrets_static_role.main, {"name": "ci-bot", "username": "ci-bot-2"}, existing)
    assert run.result["failed"] is True
    assert run.result["field"] == "username"
    assert "static role ci-bot manages user 'ci-bot'; the engine cannot change it to 'ci-bot-2'" in run.result["msg"]
    assert "recreate=true" in run.result["msg"]
    assert run.fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_recreate_for_another_user(run_module: Runner, existing: dict[t.Any, t.Any], check_mode: bool) -> None:
    args = {"name": "ci-bot", "username": "ci-bot-2", "recreate": True}
    run = run_module(aws_secrets_static_role.main, args, existing, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"]["before"] == {"username": "ci-bot", "rotation_period": 86400}
    # the rotation period not given is carried over to the new role
    assert run.result["diff"]["after"] == {"username": "ci-bot-2", "rotation_period": 86400}
    writes = [] if check_mode else [
        ("DELETE", PATH, None),
        ("POST", PATH, {"username": "ci-bot-2", "rotation_period": "86400s"}),
    ]  # fmt: skip
    assert requests(run) == [("GET", PATH, None), *writes]


def test_a_failed_write_after_the_delete_reports_changed_and_what_is_gone(
    run_module: Runner, existing: dict[t.Any, t.Any]
) -> None:
    refused = hvac.exceptions.InvalidRequest(errors=["unable to find user ci-bot-2"])
    routes = {**existing, ("POST", PATH): refused}
    run = run_module(aws_secrets_static_role.main, {"name": "ci-bot", "username": "ci-bot-2", "recreate": True}, routes)
    assert run.exit_code == 1
    assert run.result["failed"] is True
    assert run.result["changed"] is True  # the old role is gone
    assert run.result["msg"].startswith("recreate deleted the static role ci-bot (and revoked what it had issued)")
    assert "then the engine refused to create it again: unable to find user ci-bot-2" in run.result["msg"]
    assert run.result["path"] == PATH
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", PATH), ("DELETE", PATH), ("POST", PATH)]


def test_a_failed_plain_write_reports_unchanged(run_module: Runner, existing: dict[t.Any, t.Any]) -> None:
    """Without a delete before it, a refused write changed nothing."""
    refused = hvac.exceptions.InvalidRequest(errors=["rotation_period too short"])
    routes = {**existing, ("POST", PATH): refused}
    run = run_module(
        aws_secrets_static_role.main, {"name": "ci-bot", "username": "ci-bot", "rotation_period": 3600}, routes
    )
    assert run.result["failed"] is True
    assert run.result["changed"] is False
    assert run.result["msg"] == f"rotation_period too short (path: {PATH})"


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"name": "ci-bot", "username": "ci-bot", "rotation_period": 30}, "rotation_period"),
        ({"name": "ci-bot", "username": "ci-bot", "rotation_period": "often"}, "rotation_period"),
        ({"name": "ci/bot", "username": "ci-bot"}, "name"),
        ({"name": "-ci-bot", "username": "ci-bot"}, "name"),
        ({"name": "ci-bot", "username": "ci-bot", "mount_point": "sys"}, "mount_point"),
    ],
    ids=["period-too-short", "period-not-a-duration", "slash", "leading-dash", "sys-mount"],
)
def test_bad_input_fails_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str) -> None:
    run = run_module(aws_secrets_static_role.main, args)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.fake.adapter.calls == []


def test_present_needs_a_username(run_module: Runner) -> None:
    run = run_module(aws_secrets_static_role.main, {"name": "ci-bot"})
    assert run.result["failed"] is True
    assert "state is present but all of the following are missing: username" in run.result["msg"]
    assert run.fake.adapter.calls == []


# --- cross-account static roles (Vault Enterprise 1.19+) ---------------------------------------------

CROSS = {
    "assume_role_arn": "arn:aws:iam::210987654321:role/vault",
    "assume_role_session_name": "vault",
    "external_id": "x1",
}


def static_role_schema(*fields: str) -> dict[str, t.Any]:
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/AwsStaticRolesWriteRequest"}}}}
    return {
        "openapi": {
            "paths": {"/static-roles/{name}": {"post": {"requestBody": body}}},
            "components": {"schemas": {"AwsStaticRolesWriteRequest": {"properties": {name: {} for name in fields}}}},
        }
    }


def test_cross_account_fields_refused_where_the_engine_has_none(run_module: Runner) -> None:
    routes = {("GET", f"{PATH}?help=1"): static_role_schema("username", "rotation_period")}
    args = {"name": "ci-bot", "username": "ci-bot", "rotation_period": "1h", **CROSS}
    run = run_module(aws_secrets_static_role.main, args, routes)
    assert run.result["failed"] is True
    assert run.result["changed"] is False
    assert run.result["msg"].startswith(
        f"this server's engine does not support assume_role_arn, assume_role_session_name, external_id at {PATH} "
        "(the server's schema of the path lacks them: assume_role_arn needs Vault Enterprise 1.19 or later"
    )
    assert run.fake.writes() == []


def test_cross_account_fields_written_and_compared_where_the_engine_has_them(
    run_module: Runner, existing: dict[t.Any, t.Any]
) -> None:
    existing[("GET", f"{PATH}?help=1")] = static_role_schema("username", "rotation_period", *CROSS)
    args = {"name": "ci-bot", "username": "ci-bot", "rotation_period": 86400, **CROSS}
    run = run_module(aws_secrets_static_role.main, args, existing)
    assert run.result["changed"] is True
    [write] = run.fake.writes()
    assert write.json == {"username": "ci-bot", "rotation_period": "86400s", **CROSS}
    existing[("GET", PATH)]["data"].update(CROSS)
    again = run_module(aws_secrets_static_role.main, args, existing)
    assert again.result["changed"] is False
    assert again.fake.writes() == []
