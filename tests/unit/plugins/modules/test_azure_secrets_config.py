# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import azure_secrets_config

Runner = t.Callable[..., t.Any]

SECRET = "Zx8Q~not.a.real.client.secret-0123456789"
MASK = "********"
CONFIG = "azure/config"
SUBSCRIPTION = "0f6e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "7a1b2c3d-0000-4000-8000-000000000001"

# GET azure/config as recorded from vault-plugin-secrets-azure v0.20.1 (pathConfigRead) on OpenBao
RECORDED = {
    "request_id": "99cc5cad-0d9d-50a0-d53d-70fbca03c69c",
    "lease_id": "",
    "renewable": False,
    "lease_duration": 0,
    "data": {
        "client_id": CLIENT,
        "environment": "AzurePublicCloud",
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        "root_password_ttl": 15768000,
        "subscription_id": SUBSCRIPTION,
        "tenant_id": TENANT,
    },
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}
# the same read on a mount that was never configured
UNCONFIGURED = {
    **RECORDED,
    "data": {
        "client_id": "",
        "environment": "",
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        "root_password_ttl": 0,
        "subscription_id": "",
        "tenant_id": "",
    },
}


@pytest.fixture
def vault() -> dict[tuple[str, str], t.Any]:
    return {("GET", CONFIG): copy.deepcopy(RECORDED)}


def config_args(**args: t.Any) -> dict[str, t.Any]:
    return {"subscription_id": SUBSCRIPTION, "tenant_id": TENANT, "client_id": CLIENT, **args}


def assert_secret_hidden(run: t.Any) -> None:
    assert SECRET not in run.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(config_args(), id="ids"),
        pytest.param(config_args(client_secret=SECRET), id="with-secret-on_create"),
        pytest.param(config_args(environment="azurepubliccloud", root_password_ttl="4380h"), id="case-and-duration"),
        pytest.param(config_args(root_password_ttl=15768000), id="ttl-seconds"),
        pytest.param({}, id="nothing-set"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(run_module: Runner, vault: dict[t.Any, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(azure_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.result["client_secret_written"] is False
    assert run.result["update_secret"] == "on_create"
    assert run.result["config"]["tenant_id"] == TENANT
    assert run.result["config"]["root_password_ttl"] == 15768000
    assert "client_secret" not in run.result["config"]
    assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert run.fake.writes() == []
    assert_secret_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, check_mode: bool) -> None:
    args = config_args(client_secret=SECRET, environment="AzureUSGovernmentCloud", root_password_ttl="90d")
    run = run_module(azure_secrets_config.main, args, {("GET", CONFIG): UNCONFIGURED}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["client_secret_written"] is True
    assert run.result["diff"] == {
        "before": {},
        "after": {
            "subscription_id": SUBSCRIPTION,
            "tenant_id": TENANT,
            "client_id": CLIENT,
            "environment": "azureusgovernmentcloud",
            "root_password_ttl": 7776000,
            "client_secret": MASK,
        },
    }
    assert run.result["config"] == run.result["diff"]["after"]
    expected = (
        []
        if check_mode
        else [
            (
                "POST",
                CONFIG,
                {
                    "subscription_id": SUBSCRIPTION,
                    "tenant_id": TENANT,
                    "client_id": CLIENT,
                    "environment": "AzureUSGovernmentCloud",
                    "root_password_ttl": 7776000,
                    "client_secret": SECRET,
                },
            )
        ]
    )
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


def test_create_without_secret_is_allowed(run_module: Runner) -> None:
    # the engine may sign in with a managed identity or the server's AZURE_* environment instead
    run = run_module(azure_secrets_config.main, {"subscription_id": SUBSCRIPTION}, {("GET", CONFIG): UNCONFIGURED})
    assert run.result["changed"] is True
    assert run.result["client_secret_written"] is False
    assert run.fake.writes() == [("POST", CONFIG, {"subscription_id": SUBSCRIPTION})]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_change_sends_only_the_difference_and_not_the_secret(
    run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool
) -> None:
    # the engine merges writes: a secret that may have been rotated since must not be overwritten
    args = config_args(tenant_id="contoso.onmicrosoft.com", environment="AZUREPUBLICCLOUD", client_secret=SECRET)
    run = run_module(azure_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["client_secret_written"] is False
    diff = run.result["diff"]
    assert (diff["before"]["tenant_id"], diff["after"]["tenant_id"]) == (TENANT, "contoso.onmicrosoft.com")
    assert "client_secret" not in diff["after"]
    assert run.result["config"] == diff["after"]
    expected = [] if check_mode else [("POST", CONFIG, {"tenant_id": "contoso.onmicrosoft.com"})]
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update_secret_always(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    args = config_args(client_secret=SECRET, update_secret="always")
    run = run_module(azure_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["client_secret_written"] is True
    assert run.result["update_secret"] == "always"
    assert run.result["config"]["client_secret"] == MASK
    assert run.result["diff"]["after"]["client_secret"] == MASK
    assert run.result["diff"]["before"]["client_secret"] != SECRET
    expected = [] if check_mode else [("POST", CONFIG, {"client_secret": SECRET})]
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


def test_update_secret_always_with_a_change(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    args = config_args(client_secret=SECRET, update_secret="always", root_password_ttl="30d")
    run = run_module(azure_secrets_config.main, args, vault)
    assert run.fake.writes() == [("POST", CONFIG, {"root_password_ttl": 2592000, "client_secret": SECRET})]
    assert_secret_hidden(run)


def test_always_without_a_secret_changes_nothing(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    run = run_module(azure_secrets_config.main, config_args(update_secret="always"), vault)
    assert run.result["changed"] is False
    assert run.result["client_secret_written"] is False
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        (config_args(environment="AzureGermanCloud"), "environment", "unknown Azure environment"),
        (config_args(environment=""), "environment", "unknown Azure environment"),
        (config_args(root_password_ttl="-1h"), "root_password_ttl", "must not be negative"),
        (config_args(root_password_ttl="half a year"), "root_password_ttl", "is not a duration"),
    ],
)
def test_refused_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str, text: str) -> None:
    run = run_module(azure_secrets_config.main, {**args, "client_secret": SECRET}, {})
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.result["msg"].startswith(f"invalid value for {field}: ")
    assert text in run.result["msg"]
    assert run.fake.calls == []
    assert_secret_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(azure_secrets_config.main, {"state": "absent"}, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"]["before"]["client_id"] == CLIENT
    assert run.result["diff"]["after"] == {}
    assert "config" not in run.result
    assert run.fake.writes() == ([] if check_mode else [("DELETE", CONFIG, None)])


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent_when_unconfigured(run_module: Runner, check_mode: bool) -> None:
    run = run_module(
        azure_secrets_config.main, {"state": "absent"}, {("GET", CONFIG): UNCONFIGURED}, check_mode=check_mode
    )
    assert run.result["changed"] is False
    assert run.fake.writes() == []


def test_absent_skips_validation(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    run = run_module(azure_secrets_config.main, {"state": "absent", "environment": "nowhere"}, vault)
    assert run.result["changed"] is True
    assert run.fake.writes() == [("DELETE", CONFIG, None)]


def test_custom_mount_point(run_module: Runner) -> None:
    routes = {("GET", "team/azure/config"): copy.deepcopy(RECORDED)}
    run = run_module(azure_secrets_config.main, config_args(mount_point="/team/azure/"), routes)
    assert run.result["changed"] is False
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", "team/azure/config")]


def test_vault_refusal_is_reported_without_the_secret(run_module: Runner) -> None:
    refusal = hvac.exceptions.InvalidRequest(
        errors=["only one of 'client_secret' or 'identity_token_audience' can be set"]
    )
    routes = {("GET", CONFIG): UNCONFIGURED, ("POST", CONFIG): refusal}
    run = run_module(azure_secrets_config.main, config_args(client_secret=SECRET), routes)
    assert run.result["failed"] is True
    assert (run.result["path"], run.result["status"]) == (CONFIG, 400)
    assert "identity_token_audience" in run.result["msg"]
    assert_secret_hidden(run)


def test_second_run_after_create_is_unchanged(run_module: Runner) -> None:
    """What the engine answers after the create above: its default TTL added, the secret not returned."""
    args = config_args(client_secret=SECRET, environment="azurepubliccloud")
    first = run_module(azure_secrets_config.main, args, {("GET", CONFIG): UNCONFIGURED})
    [write] = first.fake.writes()
    stored = {**UNCONFIGURED["data"], **{k: v for k, v in write.json.items() if k != "client_secret"}}
    stored["root_password_ttl"] = 15768000
    second = run_module(azure_secrets_config.main, args, {("GET", CONFIG): {**RECORDED, "data": stored}})
    assert second.result["changed"] is False
    assert second.fake.writes() == []


# --- workload identity and root rotation ---------------------------------------------------------------------

# GET azure/config as recorded from Vault 1.21.1 (azure v0.23.0): the rotation fields with their zero values
RECORDED_1_21 = {
    **RECORDED,
    "data": {
        **RECORDED["data"],
        "disable_automated_rotation": False,
        "rotation_period": 0,
        "rotation_schedule": "",
        "rotation_window": 0,
    },
    "mount_type": "azure",
}
HELP = f"{CONFIG}?help=1"


def test_identity_token_ttl_is_compared_and_written(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    """Both servers' engines (0.20.1 and 0.23.0) store identity_token_ttl: no schema request."""
    run = run_module(azure_secrets_config.main, {"identity_token_ttl": "2h"}, vault, diff=True)
    assert run.result["changed"] is True
    assert (run.result["diff"]["before"]["identity_token_ttl"], run.result["config"]["identity_token_ttl"]) == (
        0,
        7200,
    )
    assert run.fake.writes() == [("POST", CONFIG, {"identity_token_ttl": 7200})]
    assert ("GET", HELP) not in [(c.method, c.path) for c in run.fake.calls]
    again = run_module(
        azure_secrets_config.main,
        {"identity_token_ttl": 7200, "identity_token_audience": ""},
        {("GET", CONFIG): {**RECORDED, "data": {**RECORDED["data"], "identity_token_ttl": 7200}}},
    )
    assert again.result["changed"] is False
    assert again.fake.writes() == []


def test_audience_and_secret_exclude_each_other(run_module: Runner) -> None:
    run = run_module(azure_secrets_config.main, config_args(client_secret=SECRET, identity_token_audience="aud"), {})
    assert run.result["failed"] is True
    assert "mutually exclusive" in run.result["msg"]
    assert run.fake.calls == []
    assert_secret_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rotation_fields_unchanged_and_changed(
    run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]], check_mode: bool
) -> None:
    off = {"rotation_period": "0s", "rotation_schedule": "", "rotation_window": 0, "disable_automated_rotation": False}
    routes = {("GET", CONFIG): copy.deepcopy(RECORDED_1_21), ("GET", HELP): vault_json("azure_config_help_vault1211")}
    run = run_module(azure_secrets_config.main, off, routes, check_mode=check_mode)
    assert run.result["changed"] is False
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", CONFIG)]
    run = run_module(
        azure_secrets_config.main, {**off, "disable_automated_rotation": True}, routes, check_mode=check_mode
    )
    assert run.result["changed"] is True
    assert run.fake.writes() == ([] if check_mode else [("POST", CONFIG, {"disable_automated_rotation": True})])


@pytest.mark.parametrize(
    "args",
    [{"rotation_period": "720h"}, {"rotation_schedule": "0 * * * *"}, {"disable_automated_rotation": True}],
    ids=["period", "schedule", "disable"],
)
def test_rotation_refused_where_the_engine_lacks_it(
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    vault_json: t.Callable[[str], dict[str, t.Any]],
    args: dict[str, t.Any],
) -> None:
    """OpenBao's plugin (azure 0.20.1) would drop the field without a word: refused, naming it; nothing written."""
    vault[("GET", HELP)] = vault_json("azure_config_help_openbao272")
    run = run_module(azure_secrets_config.main, args, vault)
    assert run.result["failed"] is True
    [field] = args
    assert f"does not support {field} at {CONFIG}" in run.result["msg"]
    assert "needs Vault 1.19 or later" in run.result["msg"]
    assert run.fake.writes() == []


def test_rotation_off_is_unchanged_where_the_engine_lacks_it(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    off = {"rotation_period": 0, "rotation_schedule": "", "rotation_window": "0s", "disable_automated_rotation": False}
    run = run_module(azure_secrets_config.main, off, vault)
    assert run.result["changed"] is False
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", CONFIG)]


@pytest.mark.parametrize(("server", "offered"), [("vault1211", True), ("openbao272", False)])
def test_rotation_on_an_unconfigured_mount_asks_the_schema(
    run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]], server: str, offered: bool
) -> None:
    routes = {("GET", CONFIG): UNCONFIGURED, ("GET", HELP): vault_json(f"azure_config_help_{server}")}
    run = run_module(azure_secrets_config.main, config_args(client_secret=SECRET, rotation_period=0), routes)
    assert [(c.method, c.path) for c in run.fake.calls][:2] == [("GET", CONFIG), ("GET", HELP)]
    if offered:
        [write] = run.fake.writes()
        assert write.json["rotation_period"] == 0
    else:
        assert run.result["failed"] is True
        assert "does not support rotation_period" in run.result["msg"]
        assert run.fake.writes() == []
    assert_secret_hidden(run)


def test_rotation_window_needs_a_schedule(run_module: Runner) -> None:
    run = run_module(azure_secrets_config.main, {"rotation_window": "1h"}, {("GET", CONFIG): RECORDED_1_21})
    assert (run.result["failed"], run.result["field"]) == (True, "rotation_window")
    assert run.fake.writes() == []


def test_absent_with_rotation_fields_asks_nothing_more(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    run = run_module(azure_secrets_config.main, {"state": "absent", "rotation_period": "1h"}, vault)
    assert run.result["changed"] is True
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", CONFIG), ("DELETE", CONFIG)]
