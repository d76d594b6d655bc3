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


# --- root rotation (Vault 1.19+) -----------------------------------------------------------------------------

# GET gcp/config as recorded from Vault 1.21.1 (gcp v0.23.0) after writing ttl=1h, max_ttl=24h: the rotation fields
# come back with their zero values
CONFIG_READ_1_21 = {
    **CONFIG_READ,
    "data": {
        **CONFIG_READ["data"],
        "disable_automated_rotation": False,
        "rotation_period": 0,
        "rotation_schedule": "",
        "rotation_window": 0,
    },
    "mount_type": "gcp",
}
HELP = f"{CONFIG}?help=1"
OFF = {"rotation_period": 0, "rotation_schedule": "", "rotation_window": "0s", "disable_automated_rotation": False}


def rotation_route(vault_json: t.Callable[[str], dict[str, t.Any]], server: str) -> dict[tuple[str, str], t.Any]:
    """The engine's schema of gcp/config, as recorded from OpenBao 2.7.2 (gcp 0.20.1) or Vault 1.21.1 (0.23.0)."""
    return {("GET", HELP): vault_json(f"gcp_config_help_{server}")}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotation_fields_unchanged(run_module: Runner, check_mode: bool) -> None:
    """The stored configuration has the fields (Vault 1.21): compared, no write and no schema request."""
    run = run_module(gcp_secrets_config.main, OFF, {("GET", CONFIG): CONFIG_READ_1_21}, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.result["config"]["rotation_window"] == 0
    assert run.result["config"]["disable_automated_rotation"] is False
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", CONFIG)]


def test_rotation_change_is_written(run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]]) -> None:
    """A gated field in the write: the engine's schema (Vault 1.21's) is read first."""
    args = {"disable_automated_rotation": True, "rotation_period": "0s", "ttl": "1h"}
    routes = {("GET", CONFIG): CONFIG_READ_1_21, **rotation_route(vault_json, "vault1211")}
    run = run_module(gcp_secrets_config.main, args, routes, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"]["before"]["disable_automated_rotation"] is False
    assert run.result["diff"]["after"]["disable_automated_rotation"] is True
    assert run.fake.writes() == [("POST", CONFIG, {"disable_automated_rotation": True})]
    assert [(c.method, c.path) for c in run.fake.calls][:2] == [("GET", CONFIG), ("GET", HELP)]


def test_rotation_window_goes_with_the_stored_schedule(
    run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]]
) -> None:
    """The engine takes a window only in the same request as its schedule (automatedrotationutil)."""
    stored = {**CONFIG_READ_1_21, "data": {**CONFIG_READ_1_21["data"], "rotation_schedule": "0 0 * * SAT"}}
    routes = {("GET", CONFIG): stored, **rotation_route(vault_json, "vault1211")}
    run = run_module(gcp_secrets_config.main, {"rotation_window": "2h"}, routes)
    assert run.fake.writes() == [("POST", CONFIG, {"rotation_window": 7200, "rotation_schedule": "0 0 * * SAT"})]


@pytest.mark.parametrize(
    ("args", "stored", "field", "text"),
    [
        ({"rotation_period": "24h", "rotation_schedule": "0 * * * *"}, {}, "rotation_period", "exclude each other"),
        ({"rotation_period": "24h"}, {"rotation_schedule": "0 * * * *"}, "rotation_period", "exclude each other"),
        ({"rotation_schedule": "0 * * * *"}, {"rotation_period": 3600}, "rotation_schedule", "exclude each other"),
        ({"rotation_window": "1h"}, {}, "rotation_window", "only with a rotation_schedule"),
        (
            {"rotation_window": "1h", "rotation_schedule": ""},
            {"rotation_schedule": "0 * * * *"},
            "rotation_window",
            "only with a rotation_schedule",
        ),
        ({"rotation_period": "soon"}, {}, "rotation_period", "is not a duration"),
    ],
)
def test_rotation_rules_refused_before_any_write(
    run_module: Runner, args: dict[str, t.Any], stored: dict[str, t.Any], field: str, text: str
) -> None:
    record = {**CONFIG_READ_1_21, "data": {**CONFIG_READ_1_21["data"], **stored}}
    run = run_module(gcp_secrets_config.main, args, {("GET", CONFIG): record})
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    "args",
    [
        {"rotation_period": "720h"},
        {"rotation_schedule": "0 * * * *", "rotation_window": "1h"},
        {"disable_automated_rotation": True, "ttl": "2h"},
    ],
    ids=["period", "schedule-window", "disable"],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotation_refused_where_the_engine_lacks_it(
    run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]], args: dict[str, t.Any], check_mode: bool
) -> None:
    """OpenBao's plugin (gcp 0.20.1) would drop the fields without a word (204, no warning): before the write, the
    engine's schema is read, and the write is refused naming each field it lacks; nothing is written."""
    routes = {("GET", CONFIG): CONFIG_READ, **rotation_route(vault_json, "openbao272")}
    run = run_module(gcp_secrets_config.main, args, routes, check_mode=check_mode)
    assert run.result["failed"] is True
    assert (run.result["path"], run.result["changed"]) == (CONFIG, False)
    lacking = sorted(name for name in args if name.startswith(("rotation", "disable")))
    assert f"does not support {', '.join(lacking)} at {CONFIG}" in run.result["msg"]
    assert "needs Vault 1.19 or later" in run.result["msg"]
    assert "nothing was written" in run.result["msg"]
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", CONFIG), ("GET", HELP)]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotation_off_is_unchanged_where_the_engine_lacks_it(run_module: Runner, check_mode: bool) -> None:
    """An engine without automated rotation has none: asking for it off (0, '', false) changes nothing and sends
    nothing, on every server."""
    args = {**OFF, "ttl": "1h"}
    run = run_module(gcp_secrets_config.main, args, {("GET", CONFIG): CONFIG_READ}, check_mode=check_mode)
    assert run.result["changed"] is False
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", CONFIG)]


@pytest.mark.parametrize(("server", "offered"), [("vault1211", True), ("openbao272", False)])
def test_rotation_on_create_asks_the_schema(
    run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]], server: str, offered: bool
) -> None:
    """Nothing stored yet (404): the engine's schema tells whether it has the field."""
    args = {"credentials": KEY_TEXT, "disable_automated_rotation": True}
    run = run_module(gcp_secrets_config.main, args, rotation_route(vault_json, server))
    assert [(c.method, c.path) for c in run.fake.calls][:2] == [("GET", CONFIG), ("GET", HELP)]
    if offered:
        [write] = run.fake.writes()
        assert write.json["disable_automated_rotation"] is True
        assert run.result["credentials_written"] is True
    else:
        assert run.result["failed"] is True
        assert "does not support disable_automated_rotation" in run.result["msg"]
        assert run.fake.writes() == []
    assert_credentials_hidden(run)


def test_rotation_community_edition_refusal_is_reported(
    run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]]
) -> None:
    """Vault 1.21 community edition refuses a non-zero period (recorded answer); Vault's message and the path."""
    refusal = hvac.exceptions.InvalidRequest(
        errors=[
            "error registering rotation job: error registering rotation job: rotation manager capabilities not "
            "supported in Vault community edition"
        ]
    )
    routes = {("GET", CONFIG): CONFIG_READ_1_21, ("POST", CONFIG): refusal, **rotation_route(vault_json, "vault1211")}
    run = run_module(gcp_secrets_config.main, {"rotation_period": "720h"}, routes)
    assert run.result["failed"] is True
    assert (run.result["path"], run.result["status"]) == (CONFIG, 400)
    assert "not supported in Vault community edition" in run.result["msg"]
    assert run.fake.writes() == [("POST", CONFIG, {"rotation_period": 2592000})]
