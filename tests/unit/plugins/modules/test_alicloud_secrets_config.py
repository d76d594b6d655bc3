# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._alicloud import require_secret
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.modules import alicloud_secrets_config

Runner = t.Callable[..., t.Any]

SECRET = "kZ3p9QwErTyUiOpAsDfGhJkLzXcVbNmEXAMPLE"
MASK = "********"
NOT_RETURNED = "VALUE_NOT_RETURNED_BY_VAULT"
CONFIG = "alicloud/config"

# GET alicloud/config as vault-plugin-secrets-alicloud v0.18.0 answers it: the secret is never returned
CONFIG_READ = {
    "request_id": "7b5aa6a7-491e-c873-0105-de170522fd13",
    "lease_id": "",
    "renewable": False,
    "lease_duration": 0,
    "data": {"access_key": "LTAI5tEXAMPLE"},
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}


@pytest.fixture
def vault() -> dict[tuple[str, str], t.Any]:
    return {("GET", CONFIG): CONFIG_READ}


def args(**extra: t.Any) -> dict[str, t.Any]:
    return {"access_key": "LTAI5tEXAMPLE", **extra}


def assert_secret_hidden(run: t.Any) -> None:
    assert SECRET not in run.stdout


@pytest.mark.parametrize(
    ("changed", "secrets", "refused"),
    [(True, {}, True), (True, {"secret_key": SECRET}, False), (False, {}, False)],
)
def test_require_secret(changed: bool, secrets: dict[str, t.Any], refused: bool) -> None:
    if refused:
        with pytest.raises(ValidationError) as exc_info:
            require_secret(changed, secrets)
        assert exc_info.value.field == "secret_key"
    else:
        assert require_secret(changed, secrets) is None


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, check_mode: bool) -> None:
    run = run_module(
        alicloud_secrets_config.main,
        args(secret_key=SECRET, mount_point="ali-prod"),
        {},
        check_mode=check_mode,
        diff=True,
    )
    assert run.result["changed"] is True
    assert run.result["secret_key_written"] is True
    assert run.result["config"] == {"access_key": "LTAI5tEXAMPLE", "secret_key": MASK}
    assert run.result["diff"] == {"before": {}, "after": {"access_key": "LTAI5tEXAMPLE", "secret_key": MASK}}
    assert ("GET", "ali-prod/config", None) in run.fake.calls
    expected = (
        [] if check_mode else [("POST", "ali-prod/config", {"access_key": "LTAI5tEXAMPLE", "secret_key": SECRET})]
    )
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


@pytest.mark.parametrize(
    "module_args",
    [pytest.param(args(secret_key=SECRET), id="with-secret"), pytest.param(args(), id="without-secret")],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(
    run_module: Runner, vault: dict[t.Any, t.Any], module_args: dict[str, t.Any], check_mode: bool
) -> None:
    run = run_module(alicloud_secrets_config.main, module_args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.result["secret_key_written"] is False
    assert run.result["update_secret"] == "on_create"
    assert run.result["config"] == {"access_key": "LTAI5tEXAMPLE"}
    assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert run.fake.writes() == []
    assert_secret_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update_secret_always(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(
        alicloud_secrets_config.main,
        args(secret_key=SECRET, update_secret="always"),
        vault,
        check_mode=check_mode,
        diff=True,
    )
    assert run.result["changed"] is True
    assert run.result["secret_key_written"] is True
    assert run.result["update_secret"] == "always"
    assert run.result["diff"]["before"] == {"access_key": "LTAI5tEXAMPLE", "secret_key": NOT_RETURNED}
    assert run.result["diff"]["after"] == {"access_key": "LTAI5tEXAMPLE", "secret_key": MASK}
    expected = [] if check_mode else [("POST", CONFIG, {"access_key": "LTAI5tEXAMPLE", "secret_key": SECRET})]
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_new_access_key_sends_the_pair(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(
        alicloud_secrets_config.main,
        {"access_key": "LTAI5tNEWKEY", "secret_key": SECRET},
        vault,
        check_mode=check_mode,
        diff=True,
    )
    assert run.result["changed"] is True
    assert run.result["diff"]["before"] == {"access_key": "LTAI5tEXAMPLE", "secret_key": NOT_RETURNED}
    assert run.result["diff"]["after"] == {"access_key": "LTAI5tNEWKEY", "secret_key": MASK}
    expected = [] if check_mode else [("POST", CONFIG, {"access_key": "LTAI5tNEWKEY", "secret_key": SECRET})]
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


@pytest.mark.parametrize(
    ("routes_key", "module_args"),
    [
        pytest.param("present", {"access_key": "LTAI5tNEWKEY"}, id="new-access-key"),
        pytest.param("missing", args(), id="create"),
        pytest.param("missing", args(update_secret="always"), id="create-always"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_write_without_secret_is_refused(
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    routes_key: str,
    module_args: dict[str, t.Any],
    check_mode: bool,
) -> None:
    routes = vault if routes_key == "present" else {}
    run = run_module(alicloud_secrets_config.main, module_args, routes, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == "secret_key"
    assert "secret_key: is required to write config" in run.result["msg"]
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("routes_key", "changed"),
    [("present", True), ("missing", False)],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent(
    run_module: Runner, vault: dict[t.Any, t.Any], routes_key: str, changed: bool, check_mode: bool
) -> None:
    routes = vault if routes_key == "present" else {}
    run = run_module(
        alicloud_secrets_config.main,
        {"state": "absent", "secret_key": SECRET},
        routes,
        check_mode=check_mode,
        diff=True,
    )
    assert run.result["changed"] is changed
    assert run.result["diff"]["after"] == {}
    assert "config" not in run.result
    writes = [("DELETE", CONFIG, None)] if changed and not check_mode else []
    assert run.fake.writes() == writes
    if changed:
        assert run.result["diff"]["before"] == {"access_key": "LTAI5tEXAMPLE"}
    assert_secret_hidden(run)


def test_access_key_required_when_present(run_module: Runner) -> None:
    run = run_module(alicloud_secrets_config.main, {"secret_key": SECRET}, {})
    assert run.result["failed"] is True
    assert "state is present but all of the following are missing: access_key" in run.result["msg"]
    assert run.fake.calls == []
    assert_secret_hidden(run)


def test_vault_error_names_the_path(run_module: Runner) -> None:
    import hvac.exceptions

    routes = {("POST", CONFIG): hvac.exceptions.InternalServerError(errors=["1 error occurred: boom"])}
    run = run_module(alicloud_secrets_config.main, args(secret_key=SECRET), routes)
    assert run.result["failed"] is True
    assert run.result["path"] == CONFIG
    assert "boom" in run.result["msg"]
    assert_secret_hidden(run)
