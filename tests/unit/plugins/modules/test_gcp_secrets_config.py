# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import gcp_secrets_config

Runner = t.Callable[..., t.Any]

CONFIG = "gcp/config"
MASK = "********"
PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDunittestonly\n"
    "-----END PRIVATE KEY-----\n"
)
KEY_FILE = {
    "type": "service_account",
    "project_id": "vaultops-lab",
    "private_key_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
    "private_key": PRIVATE_KEY,
    "client_email": "vault-admin@vaultops-lab.iam.gserviceaccount.com",
    "client_id": "104857600000000000001",
}
KEY_TEXT = json.dumps(KEY_FILE, indent=2)
KEY_WIRE = json.dumps(KEY_FILE, separators=(",", ":"), sort_keys=True)

# recorded from vault-plugin-secrets-gcp v0.20.1 (pathConfigRead) after writing credentials, ttl=1h, max_ttl=24h
CONFIG_READ = {
    "request_id": "32b8b3d7-dd3e-731c-f5a8-56332493a03b",
    "lease_id": "",
    "lease_duration": 0,
    "renewable": False,
    "data": {
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        "max_ttl": 86400,
        "service_account_email": "",
        "ttl": 3600,
    },
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}


@pytest.fixture
def vault() -> dict[tuple[str, str], t.Any]:
    return {("GET", CONFIG): CONFIG_READ}


def assert_credentials_hidden(run: t.Any) -> None:
    for secret in (PRIVATE_KEY.splitlines()[1], KEY_TEXT, KEY_WIRE, "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"):
        assert secret not in run.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param({"credentials": KEY_TEXT, "ttl": "1h", "max_ttl": "24h"}, id="string-credentials"),
        pytest.param({"credentials": KEY_FILE, "ttl": 3600, "max_ttl": "1d"}, id="dict-credentials"),
        pytest.param({"ttl": "60m", "max_ttl": 86400, "service_account_email": ""}, id="no-credentials"),
        pytest.param({"ttl": "1h0m0s", "identity_token_ttl": 0}, id="go-duration"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(run_module: Runner, vault: dict[t.Any, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(gcp_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.result["credentials_written"] is False
    assert run.result["update_secret"] == "on_create"
    assert run.result["config"]["ttl"] == 3600
    assert "credentials" not in run.result["config"]
    assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert run.fake.writes() == []
    assert_credentials_hidden(run)


@pytest.mark.parametrize("credentials", [KEY_TEXT, KEY_FILE], ids=["string", "dict"])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, credentials: t.Any, check_mode: bool) -> None:
    args = {"credentials": credentials, "ttl": "1h", "max_ttl": "24h", "mount_point": "gcp-prod"}
    run = run_module(gcp_secrets_config.main, args, {}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["credentials_written"] is True
    assert run.result["diff"]["before"] == {}
    assert run.result["config"] == {"ttl": 3600, "max_ttl": 86400, "credentials": MASK}
    assert run.result["diff"]["after"] == run.result["config"]
    assert ("GET", "gcp-prod/config", None) in run.fake.calls
    if check_mode:
        assert run.fake.writes() == []
    else:
        [write] = run.fake.writes()
        assert (write.method, write.path) == ("POST", "gcp-prod/config")
        assert write.json["ttl"] == 3600
        assert write.json["max_ttl"] == 86400
        assert json.loads(write.json["credentials"]) == KEY_FILE
    assert_credentials_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_change_is_written_without_credentials(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    """The engine merges writes; re-sending an old key after rotate-root would break the engine."""
    args = {"credentials": KEY_TEXT, "ttl": "30m"}
    run = run_module(gcp_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["credentials_written"] is False
    assert (run.result["diff"]["before"]["ttl"], run.result["diff"]["after"]["ttl"]) == (3600, 1800)
    assert "credentials" not in run.result["diff"]["after"]
    assert run.fake.writes() == ([] if check_mode else [("POST", CONFIG, {"ttl": 1800})])
    assert_credentials_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update_secret_always(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    args = {"credentials": KEY_TEXT, "update_secret": "always", "ttl": 3600}
    run = run_module(gcp_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["credentials_written"] is True
    assert run.result["update_secret"] == "always"
    assert run.result["config"]["credentials"] == MASK
    assert run.result["diff"]["after"]["credentials"] == MASK
    assert run.result["diff"]["before"]["credentials"] == "VALUE_NOT_RETURNED_BY_VAULT"
    if check_mode:
        assert run.fake.writes() == []
    else:
        [write] = run.fake.writes()
        assert write.json == {"credentials": KEY_TEXT.strip()}
    assert_credentials_hidden(run)


def test_pass_through_fields_sent_when_set(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    args = {"service_account_email": "wif@vaultops-lab.iam.gserviceaccount.com", "identity_token_audience": "aud"}
    run = run_module(gcp_secrets_config.main, args, vault)
    assert run.result["changed"] is True
    assert run.fake.writes() == [
        (
            "POST",
            CONFIG,
            {"service_account_email": "wif@vaultops-lab.iam.gserviceaccount.com", "identity_token_audience": "aud"},
        )
    ]


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        ({"credentials": "-----BEGIN PRIVATE KEY-----"}, "credentials", "is not valid JSON"),
        ({"credentials": "[1, 2]"}, "credentials", "must be a JSON object"),
        ({"ttl": "soon"}, "ttl", "is not a duration"),
        ({"max_ttl": "-1h"}, "max_ttl", "must not be negative"),
    ],
)
def test_refused_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str, text: str) -> None:
    run = run_module(gcp_secrets_config.main, args, {})
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.calls == []
    assert "BEGIN PRIVATE KEY" not in run.result["msg"]


def test_audience_needs_email(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    run = run_module(gcp_secrets_config.main, {"identity_token_audience": "aud"}, vault)
    assert run.result["failed"] is True
    assert run.result["field"] == "service_account_email"
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ({}, "one of the following is required"),
        ({"credentials": KEY_TEXT, "identity_token_audience": "aud"}, "mutually exclusive"),
        ({"credentials": KEY_FILE, "identity_token_audience": "aud"}, "mutually exclusive"),
        # refused after Ansible turned the dict into JSON text: that text must be hidden too
        ({"credentials": KEY_FILE, "update_secret": "sometimes"}, "value of update_secret must be one of"),
        ({"credentials": KEY_FILE, "timeout": "soon"}, "timeout"),
    ],
)
def test_argument_spec(run_module: Runner, args: dict[str, t.Any], text: str) -> None:
    run = run_module(gcp_secrets_config.main, args, {})
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.fake.calls == []
    assert_credentials_hidden(run)


def test_vault_refusal_is_reported(run_module: Runner) -> None:
    refusal = hvac.exceptions.InvalidRequest(errors=["invalid credentials JSON file: unexpected end of JSON input"])
    run = run_module(gcp_secrets_config.main, {"credentials": KEY_TEXT}, {("POST", CONFIG): refusal})
    assert run.result["failed"] is True
    assert run.result["path"] == CONFIG
    assert "invalid credentials JSON file" in run.result["msg"]
    assert_credentials_hidden(run)
