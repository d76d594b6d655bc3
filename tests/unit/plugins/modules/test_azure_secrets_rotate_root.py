# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import azure_secrets_rotate_root

Runner = t.Callable[..., t.Any]

CLIENT = "7a1b2c3d-0000-4000-8000-000000000001"
CONFIGURED = {
    "data": {
        "client_id": CLIENT,
        "environment": "",
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        "root_password_ttl": 15768000,
        "subscription_id": "0f6e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    }
}
UNCONFIGURED = {
    "data": {
        "client_id": "",
        "environment": "",
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        "root_password_ttl": 0,
        "subscription_id": "",
        "tenant_id": "",
    }
}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotates_every_run(run_module: Runner, check_mode: bool) -> None:
    routes = {("GET", "azure/config"): CONFIGURED}
    for attempt in (1, 2):
        run = run_module(azure_secrets_rotate_root.main, {}, routes, check_mode=check_mode, diff=True)
        assert run.result["changed"] is True, f"run {attempt}"
        assert run.result["client_id"] == CLIENT
        assert "diff" not in run.result
        assert run.fake.writes() == ([] if check_mode else [("POST", "azure/rotate-root", {})])
        assert run.fake.calls[0] == ("GET", "azure/config", None)


def test_custom_mount_point(run_module: Runner) -> None:
    routes = {("GET", "azure-prod/config"): CONFIGURED}
    run = run_module(azure_secrets_rotate_root.main, {"mount_point": "azure-prod"}, routes)
    assert run.fake.writes() == [("POST", "azure-prod/rotate-root", {})]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(UNCONFIGURED, id="unconfigured"),
        pytest.param({"data": {**CONFIGURED["data"], "client_id": ""}}, id="no-client-id"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_needs_a_client_id(run_module: Runner, answer: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(azure_secrets_rotate_root.main, {}, {("GET", "azure/config"): answer}, check_mode=check_mode)
    assert run.result["failed"] is True
    assert "no client_id" in run.result["msg"]
    assert run.result["path"] == "azure/config"
    assert run.fake.writes() == []


def test_azure_failure_is_not_retried(run_module: Runner) -> None:
    failure = hvac.exceptions.InternalServerError(errors=["failed to add new password: Forbidden"])
    routes = {("GET", "azure/config"): CONFIGURED, ("POST", "azure/rotate-root"): failure}
    run = run_module(azure_secrets_rotate_root.main, {}, routes)
    assert run.result["failed"] is True
    assert "failed to add new password" in run.result["msg"]
    assert (run.result["path"], run.result["status"]) == ("azure/rotate-root", 500)
    assert len(run.fake.writes()) == 1
