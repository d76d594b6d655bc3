# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import gcp_secrets_rotate_root

Runner = t.Callable[..., t.Any]

CONFIG = {
    "data": {
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        "max_ttl": 86400,
        "service_account_email": "",
        "ttl": 3600,
    }
}
OLD_EMAIL = "vaultreader-1700000000@my-proj.iam.gserviceaccount.com"
NEW_EMAIL = "vaultreader-1700000999@my-proj.iam.gserviceaccount.com"


def roleset(secret_type: str, email: str = OLD_EMAIL) -> dict[str, t.Any]:
    return {
        "data": {
            "secret_type": secret_type,
            "bindings": {"projects/my-proj/topics/t": ["roles/pubsub.publisher"]},
            "service_account_email": email,
            "project": "my-proj",
        }
    }


def static_account(secret_type: str) -> dict[str, t.Any]:
    return {
        "data": {
            "service_account_project": "my-proj",
            "service_account_email": "ci@my-proj.iam.gserviceaccount.com",
            "secret_type": secret_type,
        }
    }


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotate_root(run_module: Runner, check_mode: bool) -> None:
    routes = {
        ("GET", "gcp/config"): CONFIG,
        ("POST", "gcp/config/rotate-root"): {"data": {"private_key_id": "9a8b7c6d5e4f"}},
    }
    run = run_module(gcp_secrets_rotate_root.main, {}, routes, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["action"] == "root"
    assert "diff" not in run.result
    if check_mode:
        assert run.fake.writes() == []
        assert "private_key_id" not in run.result
    else:
        assert run.fake.writes() == [("POST", "gcp/config/rotate-root", {})]
        assert run.result["private_key_id"] == "9a8b7c6d5e4f"


@pytest.mark.parametrize(
    ("config", "text"),
    [
        (None, "the engine has no configuration"),
        ({"data": {**CONFIG["data"], "identity_token_audience": "aud"}}, "workload identity federation"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotate_root_refused(run_module: Runner, config: t.Any, text: str, check_mode: bool) -> None:
    routes = {("GET", "gcp/config"): config} if config else {}
    run = run_module(gcp_secrets_rotate_root.main, {}, routes, check_mode=check_mode)
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.result["path"] == "gcp/config"
    assert run.fake.writes() == []


def test_rotate_root_is_not_retried(run_module: Runner) -> None:
    routes = {
        ("GET", "gcp/config"): CONFIG,
        ("POST", "gcp/config/rotate-root"): [
            hvac.exceptions.InternalServerError(errors=["failed to delete old service account key"]),
            {"data": {"private_key_id": "second"}},
        ],
    }
    run = run_module(gcp_secrets_rotate_root.main, {"retries": 3}, routes)
    assert run.result["failed"] is True
    assert "failed to delete old service account key" in run.result["msg"]
    assert len(run.fake.writes()) == 1


@pytest.mark.parametrize(
    ("action", "read_path", "read", "rotate_path"),
    [
        ("roleset_account", "gcp/roleset/reader", roleset("service_account_key"), "gcp/roleset/reader/rotate"),
        ("roleset_key", "gcp/roleset/reader", roleset("access_token"), "gcp/roleset/reader/rotate-key"),
        (
            "static_account_key",
            "gcp/static-account/reader",
            static_account("access_token"),
            "gcp/static-account/reader/rotate-key",
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotate_targets(
    *,
    run_module: Runner,
    action: str,
    read_path: str,
    read: dict[str, t.Any],
    rotate_path: str,
    check_mode: bool,
) -> None:
    routes = {("GET", read_path): read, ("POST", rotate_path): {"warnings": ["old key will be cleaned up later"]}}
    run = run_module(gcp_secrets_rotate_root.main, {"action": action, "name": "reader"}, routes, check_mode=check_mode)
    assert run.result["changed"] is True
    assert run.result["action"] == action
    assert run.result["service_account_email"] == read["data"]["service_account_email"]
    assert run.fake.writes() == ([] if check_mode else [("POST", rotate_path, {})])
    if not check_mode:
        assert any("old key will be cleaned up later" in str(w) for w in run.result["warnings"])


def test_roleset_account_reports_the_new_account(run_module: Runner) -> None:
    routes = {
        ("GET", "gcp/roleset/reader"): [roleset("access_token"), roleset("access_token", NEW_EMAIL)],
        ("POST", "gcp/roleset/reader/rotate"): None,
    }
    run = run_module(gcp_secrets_rotate_root.main, {"action": "roleset_account", "name": "reader"}, routes)
    assert run.result["service_account_email"] == NEW_EMAIL


@pytest.mark.parametrize(
    ("action", "routes", "text"),
    [
        ("roleset_account", {}, "roleset reader does not exist"),
        ("roleset_key", {("GET", "gcp/roleset/reader"): roleset("service_account_key")}, "only access_token rolesets"),
        ("static_account_key", {}, "static account reader does not exist"),
        (
            "static_account_key",
            {("GET", "gcp/static-account/reader"): static_account("service_account_key")},
            "only access_token static accounts",
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotate_targets_refused(
    *, run_module: Runner, action: str, routes: dict[t.Any, t.Any], text: str, check_mode: bool
) -> None:
    run = run_module(gcp_secrets_rotate_root.main, {"action": action, "name": "reader"}, routes, check_mode=check_mode)
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ({"action": "roleset_key"}, "action is roleset_key but all of the following are missing: name"),
        ({"action": "root", "name": "reader"}, "invalid value for name"),
        ({"action": "roleset_key", "name": "../config"}, "is not a valid name"),
    ],
)
def test_arguments_refused_before_any_request(run_module: Runner, args: dict[str, t.Any], text: str) -> None:
    run = run_module(gcp_secrets_rotate_root.main, args, {})
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.fake.calls == []
