# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import secrets_engine
from ansible_collections.vaultops.cloud.plugins.modules.secrets_engine import wire

Runner = t.Callable[..., t.Any]


@pytest.fixture
def mounts(vault_json: t.Callable[[str], dict[str, t.Any]]) -> dict[tuple[str, str], t.Any]:
    return {("GET", "sys/mounts"): vault_json("sys_mounts")}


def requests_of(run: t.Any) -> list[tuple[str, str, t.Any]]:
    return [(c.method, c.path, c.json) for c in run.fake.calls]


@pytest.mark.parametrize(
    ("settings", "body"),
    [
        ({"default_lease_ttl": 3600, "max_lease_ttl": 0}, {"default_lease_ttl": "3600s", "max_lease_ttl": "0s"}),
        (
            {"description": "d", "options": {"version": "2"}, "plugin_version": None},
            {"description": "d", "options": {"version": "2"}},
        ),
        ({"passthrough_request_headers": ["X-A"]}, {"passthrough_request_headers": ["X-A"]}),
    ],
)
def test_wire(settings: dict[str, t.Any], body: dict[str, t.Any]) -> None:
    assert wire(settings) == body


@pytest.mark.parametrize(
    "args",
    [
        pytest.param({"path": "aws", "type": "aws"}, id="type-only"),
        pytest.param({"path": "/aws/", "type": "aws", "default_lease_ttl": "1h"}, id="duration-string"),
        pytest.param({"path": "aws", "type": "aws", "default_lease_ttl": 3600, "max_lease_ttl": "0"}, id="seconds"),
        pytest.param({"path": "aws", "type": "aws", "description": "Short-lived AWS credentials"}, id="description"),
        pytest.param({"path": "kv", "type": "kv", "options": {"version": 2}}, id="options-as-strings"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(run_module: Runner, mounts: dict[t.Any, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(secrets_engine.main, args, mounts, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.fake.writes() == []
    assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert run.result["mount"]["type"] == args["type"]


def test_tune(run_module: Runner, mounts: dict[t.Any, t.Any]) -> None:
    args = {"path": "aws", "type": "aws", "default_lease_ttl": "2h", "max_lease_ttl": "12h", "description": "AWS"}
    run = run_module(secrets_engine.main, args, mounts, diff=True)
    assert run.result["changed"] is True
    assert run.fake.writes() == [
        (
            "POST",
            "sys/mounts/aws/tune",
            {"default_lease_ttl": "7200s", "max_lease_ttl": "43200s", "description": "AWS"},
        )
    ]
    assert run.result["diff"]["before"] == {
        "description": "Short-lived AWS credentials",
        "default_lease_ttl": 3600,
        "max_lease_ttl": 0,
        "options": {},
        "plugin_version": "",
        "force_no_cache": False,
    }
    assert run.result["diff"]["after"]["default_lease_ttl"] == 7200
    assert run.result["diff"]["after"]["max_lease_ttl"] == 43200
    # the mount is read back after the write; the recorded answer still says 3600
    assert [c.path for c in run.fake.calls].count("sys/mounts") == 2
    assert run.result["mount"]["default_lease_ttl"] == 3600


def test_tune_check_mode(run_module: Runner, mounts: dict[t.Any, t.Any]) -> None:
    args = {"path": "aws", "type": "aws", "default_lease_ttl": "2h"}
    run = run_module(secrets_engine.main, args, mounts, check_mode=True)
    assert run.result["changed"] is True
    assert requests_of(run) == [("GET", "sys/mounts", None)]
    assert run.result["mount"]["default_lease_ttl"] == 7200
    assert "diff" not in run.result


def test_tune_compares_only_given_option_keys(run_module: Runner, mounts: dict[t.Any, t.Any]) -> None:
    run = run_module(secrets_engine.main, {"path": "kv", "type": "kv", "options": {"version": "1"}}, mounts)
    assert run.result["changed"] is True
    assert run.fake.writes() == [("POST", "sys/mounts/kv/tune", {"options": {"version": "1"}})]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_enable(run_module: Runner, mounts: dict[t.Any, t.Any], check_mode: bool) -> None:
    args = {
        "path": "aws-prod",
        "type": "aws",
        "description": "prod",
        "default_lease_ttl": "30m",
        "passthrough_request_headers": ["X-B", "X-A"],
        "local": True,
        "seal_wrap": False,
    }
    run = run_module(secrets_engine.main, args, mounts, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"] == {
        "before": {},
        "after": {"description": "prod", "default_lease_ttl": 1800, "passthrough_request_headers": ["X-A", "X-B"]},
    }
    assert run.result["mount"]["type"] == "aws"
    expected = (
        []
        if check_mode
        else [
            (
                "POST",
                "sys/mounts/aws-prod",
                {
                    "type": "aws",
                    "description": "prod",
                    "local": True,
                    "seal_wrap": False,
                    "config": {"default_lease_ttl": "1800s", "passthrough_request_headers": ["X-A", "X-B"]},
                },
            )
        ]
    )
    assert run.fake.writes() == expected


def test_refuses_type_change(run_module: Runner, mounts: dict[t.Any, t.Any]) -> None:
    run = run_module(secrets_engine.main, {"path": "aws", "type": "gcp"}, mounts)
    assert run.result["failed"] is True
    assert run.exit_code == 1
    assert "mounted as a 'aws' engine, not 'gcp'" in run.result["msg"]
    assert run.result["field"] == "type"
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ({"path": "aws"}, "state is present but all of the following are missing: type"),
        ({"path": "sys", "type": "aws"}, "invalid value for path: sys/ is reserved by Vault"),
        ({"path": "aws", "type": "aws", "default_lease_ttl": "soon"}, "invalid value for default_lease_ttl"),
        ({"path": "aws", "type": "aws", "listing_visibility": "shown"}, "listing_visibility must be one of"),
    ],
)
def test_invalid_input(run_module: Runner, mounts: dict[t.Any, t.Any], args: dict[str, t.Any], text: str) -> None:
    run = run_module(secrets_engine.main, args, mounts)
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("path", "changed", "writes"),
    [("aws", True, [("DELETE", "sys/mounts/aws", None)]), ("gcp", False, [])],
    ids=["present", "missing"],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent(
    *,
    run_module: Runner,
    mounts: dict[t.Any, t.Any],
    path: str,
    changed: bool,
    writes: list[t.Any],
    check_mode: bool,
) -> None:
    run = run_module(secrets_engine.main, {"path": path, "state": "absent"}, mounts, check_mode=check_mode)
    assert run.result["changed"] is changed
    assert run.fake.writes() == ([] if check_mode else writes)
    assert "mount" not in run.result


def test_permission_denied_is_reported(run_module: Runner) -> None:
    routes = {("GET", "sys/mounts"): hvac.exceptions.Forbidden(errors=["permission denied"])}
    run = run_module(secrets_engine.main, {"path": "aws", "type": "aws"}, routes)
    assert run.result["failed"] is True
    assert run.result["msg"] == "permission denied: permission denied (token from the token option) (path: sys/mounts)"
    assert (run.result["path"], run.result["status"]) == ("sys/mounts", 403)


def test_logs_in_with_the_token_option(run_module: Runner, mounts: dict[t.Any, t.Any]) -> None:
    run = run_module(secrets_engine.main, {"path": "aws", "type": "aws", "token": "s.given"}, mounts)
    assert run.fake.token == "s.given"
    assert "s.given" not in run.stdout


@pytest.mark.parametrize(
    "option",
    [
        "passthrough_request_headers",
        "allowed_response_headers",
        "audit_non_hmac_request_keys",
        "audit_non_hmac_response_keys",
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_empty_header_list_is_idempotent(
    run_module: Runner, mounts: dict[t.Any, t.Any], option: str, check_mode: bool
) -> None:
    # Vault leaves empty lists out of a mount's config: a missing field counts as empty
    assert option not in mounts[("GET", "sys/mounts")]["data"]["aws/"]["config"]
    run = run_module(
        secrets_engine.main, {"path": "aws", "type": "aws", option: []}, mounts, check_mode=check_mode, diff=True
    )
    assert run.result["changed"] is False
    assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert run.fake.writes() == []


def test_header_list_missing_from_vault_is_tuned(run_module: Runner, mounts: dict[t.Any, t.Any]) -> None:
    args = {"path": "aws", "type": "aws", "passthrough_request_headers": ["X-B", "X-A"]}
    run = run_module(secrets_engine.main, args, mounts, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"]["after"]["passthrough_request_headers"] == ["X-A", "X-B"]
    assert run.fake.writes() == [("POST", "sys/mounts/aws/tune", {"passthrough_request_headers": ["X-A", "X-B"]})]
