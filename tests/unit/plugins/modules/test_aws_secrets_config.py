# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest
import yaml

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import aws_root_payload as root_payload
from ansible_collections.vaultops.cloud.plugins.modules import aws_secrets_config
from ansible_collections.vaultops.cloud.plugins.modules.aws_secrets_config import require_secret

Runner = t.Callable[..., t.Any]

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
MASK = "********"
ROOT = "aws/config/root"
LEASE = "aws/config/lease"
ENDPOINT = "http://127.0.0.1:18500"


# the fields of config/root that the AWS engine of Vault 1.21 offers (its schema, ?help=1)
VAULT_1_21_ROOT_FIELDS = [
    "access_key",
    "secret_key",
    "region",
    "iam_endpoint",
    "sts_endpoint",
    "sts_region",
    "sts_fallback_endpoints",
    "sts_fallback_regions",
    "max_retries",
    "username_template",
    "role_arn",
    "identity_token_audience",
    "identity_token_ttl",
    "rotation_period",
    "rotation_schedule",
    "rotation_window",
    "disable_automated_rotation",
]
# ... and the AWS plugin of Vault 1.18.5 (OpenBao 2.7's)
VAULT_1_18_ROOT_FIELDS = [
    "access_key",
    "secret_key",
    "region",
    "iam_endpoint",
    "sts_endpoint",
    "max_retries",
    "username_template",
    "role_arn",
    "identity_token_audience",
    "identity_token_ttl",
]


def help_answer(path: str, fields: t.Iterable[str]) -> dict[str, t.Any]:
    """What Vault answers to GET <path>?help=1: the OpenAPI document of the path, its write body's fields."""
    ref = {"$ref": "#/components/schemas/AwsConfigRootWriteRequest"}
    return {
        "openapi": {
            "paths": {f"/{path}": {"post": {"requestBody": {"content": {"application/json": {"schema": ref}}}}}},
            "components": {
                "schemas": {"AwsConfigRootWriteRequest": {"properties": {name: {"type": "string"} for name in fields}}}
            },
        }
    }


@pytest.fixture
def vault(vault_json: t.Callable[[str], dict[str, t.Any]]) -> dict[tuple[str, str], t.Any]:
    return {
        ("GET", ROOT): vault_json("aws_config_root"),
        ("GET", LEASE): vault_json("aws_config_lease"),
        ("GET", f"{ROOT}?help=1"): help_answer(ROOT, VAULT_1_21_ROOT_FIELDS),
    }


@pytest.fixture
def template(vault_json: t.Callable[[str], dict[str, t.Any]]) -> str:
    return vault_json("aws_config_root")["data"]["username_template"]


NOT_RETURNED = "VALUE_NOT_RETURNED_BY_VAULT"


def root_record(template: str, **changes: t.Any) -> dict[str, t.Any]:
    """aws_config_root.json as the module reports it: the AWS_ROOT_SPEC fields Vault returned, normalised."""
    record = {
        "access_key": "AKIAROOT",
        "iam_endpoint": ENDPOINT,
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        "max_retries": -1,
        "region": "us-east-1",
        "role_arn": "",
        "sts_endpoint": ENDPOINT,
        "username_template": template,
    }
    record.update(changes)
    return record


def root_args(**args: t.Any) -> dict[str, t.Any]:
    return {"access_key": "AKIAROOT", "region": "us-east-1", **args}


def assert_secret_hidden(run: t.Any) -> None:
    assert SECRET not in run.stdout


# --- helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "current", "expected"),
    [
        pytest.param(
            {"region": "eu-west-1", "access_key": None},
            {
                "access_key": "AKIAROOT",
                "region": "us-east-1",
                "max_retries": -1,
                "role_arn": "",
                "sts_region": "x",
                "identity_token_ttl": 0,
                "accessor": "not-a-root-field",
                "iam_endpoint": "",
            },
            {"access_key": "AKIAROOT", "region": "eu-west-1", "max_retries": -1},
            id="current-overlaid-pass-through-and-empty-dropped",
        ),
        pytest.param({"region": "eu-west-1"}, None, {"region": "eu-west-1"}, id="no-current"),
        pytest.param(
            {"role_arn": "arn:aws:iam::123456789012:role/wif"},
            {"role_arn": "arn:old"},
            {"role_arn": "arn:aws:iam::123456789012:role/wif"},
            id="pass-through-sent-when-set",
        ),
    ],
)
def test_root_payload(
    desired: dict[str, t.Any],
    current: dict[str, t.Any] | None,
    expected: dict[str, t.Any],
) -> None:
    assert root_payload(desired, current) == expected


@pytest.mark.parametrize(
    ("changed", "secrets", "payload", "refused"),
    [
        (True, {}, {"access_key": "AKIA"}, True),
        (True, {"secret_key": SECRET}, {"access_key": "AKIA"}, False),
        (False, {}, {"access_key": "AKIA"}, False),
        (True, {}, {"region": "eu-west-1"}, False),
    ],
)
def test_require_secret(changed: bool, secrets: dict[str, t.Any], payload: dict[str, t.Any], refused: bool) -> None:
    if refused:
        with pytest.raises(aws_secrets_config.ValidationError) as exc_info:
            require_secret(changed, secrets, payload)
        assert exc_info.value.field == "secret_key"
    else:
        assert require_secret(changed, secrets, payload) is None


# --- config/root ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(root_args(secret_key=SECRET), id="with-secret"),
        pytest.param(root_args(), id="without-secret"),
        pytest.param(root_args(secret_key=SECRET, max_retries=-1, iam_endpoint=ENDPOINT), id="more-fields"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(
    *, run_module: Runner, vault: dict[t.Any, t.Any], template: str, args: dict[str, t.Any], check_mode: bool
) -> None:
    run = run_module(aws_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.result["secret_key_written"] is False
    assert run.result["update_secret"] == "on_create"
    assert run.result["config"] == root_record(template)
    assert run.result["diff"] == {"before": {"root": root_record(template)}, "after": {"root": root_record(template)}}
    assert "lease" not in run.result
    assert run.fake.writes() == []
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", ROOT)]
    assert_secret_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update_secret_always(
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    template: str,
    check_mode: bool,
) -> None:
    args = root_args(secret_key=SECRET, update_secret="always")
    run = run_module(aws_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["secret_key_written"] is True
    assert run.result["update_secret"] == "always"
    assert run.result["config"] == root_record(template, secret_key=MASK)
    assert run.result["diff"] == {
        "before": {"root": root_record(template, secret_key=NOT_RETURNED)},
        "after": {"root": root_record(template, secret_key=MASK)},
    }
    expected = (
        []
        if check_mode
        else [
            (
                "POST",
                ROOT,
                {
                    "access_key": "AKIAROOT",
                    "region": "us-east-1",
                    "iam_endpoint": ENDPOINT,
                    "sts_endpoint": ENDPOINT,
                    "max_retries": -1,
                    "username_template": template,
                    "secret_key": SECRET,
                },
            )
        ]
    )
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_change_writes_the_whole_configuration_with_the_secret(
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    template: str,
    check_mode: bool,
) -> None:
    args = root_args(secret_key=SECRET, region="eu-west-1")
    run = run_module(aws_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["secret_key_written"] is True
    assert run.result["diff"] == {
        "before": {"root": root_record(template, secret_key=NOT_RETURNED)},
        "after": {"root": root_record(template, region="eu-west-1", secret_key=MASK)},
    }
    assert run.result["config"] == root_record(template, region="eu-west-1", secret_key=MASK)
    expected = (
        []
        if check_mode
        else [
            (
                "POST",
                ROOT,
                {
                    "access_key": "AKIAROOT",
                    "region": "eu-west-1",
                    "iam_endpoint": ENDPOINT,
                    "sts_endpoint": ENDPOINT,
                    "max_retries": -1,
                    "username_template": template,
                    "secret_key": SECRET,
                },
            )
        ]
    )
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(root_args(region="eu-west-1"), id="region-change"),
        pytest.param(root_args(update_secret="always", max_retries=3), id="max_retries-change"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_change_without_secret_fails(
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    args: dict[str, t.Any],
    check_mode: bool,
) -> None:
    run = run_module(aws_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["failed"] is True
    assert run.result["field"] == "secret_key"
    assert run.result["msg"].startswith("invalid value for secret_key: is required to write config/root")
    assert run.fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, check_mode: bool) -> None:
    args = root_args(secret_key=SECRET, iam_endpoint=ENDPOINT)
    run = run_module(aws_secrets_config.main, args, {}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["secret_key_written"] is True
    after = {"access_key": "AKIAROOT", "region": "us-east-1", "iam_endpoint": ENDPOINT, "secret_key": MASK}
    assert run.result["diff"] == {"before": {"root": {}}, "after": {"root": after}}
    assert run.result["config"] == after
    expected = (
        []
        if check_mode
        else [
            (
                "POST",
                ROOT,
                {"access_key": "AKIAROOT", "region": "us-east-1", "iam_endpoint": ENDPOINT, "secret_key": SECRET},
            )
        ]
    )
    assert run.fake.writes() == expected
    assert_secret_hidden(run)


def test_create_without_secret_fails(run_module: Runner) -> None:
    run = run_module(aws_secrets_config.main, root_args(), {})
    assert run.result["failed"] is True
    assert run.result["field"] == "secret_key"
    assert run.fake.writes() == []


def test_engine_defaults_count_as_unconfigured(run_module: Runner) -> None:
    defaults = {
        "data": {
            "access_key": "",
            "region": "",
            "iam_endpoint": "",
            "sts_endpoint": "",
            "max_retries": -1,
            "username_template": "",
            "role_arn": "",
        }
    }
    run = run_module(aws_secrets_config.main, root_args(secret_key=SECRET), {("GET", ROOT): defaults}, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"] == {
        "before": {"root": {}},
        "after": {"root": {"access_key": "AKIAROOT", "region": "us-east-1", "secret_key": MASK}},
    }
    assert run.fake.writes() == [
        ("POST", ROOT, {"access_key": "AKIAROOT", "region": "us-east-1", "secret_key": SECRET})
    ]


def test_custom_mount_point(run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]]) -> None:
    routes = {("GET", "aws-prod/config/root"): vault_json("aws_config_root")}
    run = run_module(aws_secrets_config.main, root_args(mount_point="aws-prod"), routes)
    assert run.result["changed"] is False
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", "aws-prod/config/root")]


def test_permission_denied(run_module: Runner) -> None:
    routes = {("GET", ROOT): hvac.exceptions.Forbidden(errors=["1 error occurred:\n\t* permission denied\n\n"])}
    run = run_module(aws_secrets_config.main, root_args(secret_key=SECRET), routes)
    assert run.result["failed"] is True
    assert "permission denied" in run.result["msg"]
    assert (run.result["path"], run.result["status"]) == (ROOT, 403)
    assert_secret_hidden(run)


# --- config/lease ---------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_lease_unchanged(run_module: Runner, vault: dict[t.Any, t.Any], template: str, check_mode: bool) -> None:
    args = root_args(lease="1h", lease_max=7200)
    run = run_module(aws_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.result["lease"] == {"lease": 3600, "lease_max": 7200}
    lease = {"lease": 3600, "lease_max": 7200}
    assert run.result["diff"] == {
        "before": {"root": root_record(template), "lease": lease},
        "after": {"root": root_record(template), "lease": lease},
    }
    assert run.fake.writes() == []
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", ROOT), ("GET", LEASE)]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_lease_changed(run_module: Runner, vault: dict[t.Any, t.Any], template: str, check_mode: bool) -> None:
    args = root_args(lease="30m", lease_max="2h0m0s")
    run = run_module(aws_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["secret_key_written"] is False
    assert run.result["lease"] == {"lease": 1800, "lease_max": 7200}
    assert run.result["config"] == root_record(template)
    assert run.result["diff"] == {
        "before": {"root": root_record(template), "lease": {"lease": 3600, "lease_max": 7200}},
        "after": {"root": root_record(template), "lease": {"lease": 1800, "lease_max": 7200}},
    }
    expected = [] if check_mode else [("POST", LEASE, {"lease": "1800s", "lease_max": "7200s"})]
    assert run.fake.writes() == expected


def test_lease_created(run_module: Runner, vault_json: t.Callable[[str], dict[str, t.Any]]) -> None:
    routes = {("GET", ROOT): vault_json("aws_config_root")}
    run = run_module(aws_secrets_config.main, root_args(lease=900, lease_max="1h"), routes)
    assert run.result["changed"] is True
    assert run.fake.writes() == [("POST", LEASE, {"lease": "900s", "lease_max": "3600s"})]


def test_lease_needs_lease_max(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    run = run_module(aws_secrets_config.main, root_args(lease="1h"), vault)
    assert run.result["failed"] is True
    assert "parameters are required together: lease, lease_max" in run.result["msg"]
    assert run.fake.calls == []


def test_lease_bad_duration(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    run = run_module(aws_secrets_config.main, root_args(lease="1 hour", lease_max="2h"), vault)
    assert run.result["failed"] is True
    assert run.result["field"] == "lease"
    assert run.fake.writes() == []


# --- lease only: config/root left alone -----------------------------------------------------------


@pytest.mark.parametrize(
    "routes",
    [
        pytest.param({}, id="no-config-root"),
        pytest.param({("GET", ROOT): {"data": {"access_key": "", "region": "", "iam_endpoint": ""}}}, id="defaults"),
        pytest.param({("GET", ROOT): hvac.exceptions.Forbidden(errors=["permission denied"])}, id="root-forbidden"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_lease_only_leaves_config_root_alone(
    *,
    run_module: Runner,
    vault_json: t.Callable[[str], dict[str, t.Any]],
    routes: dict[t.Any, t.Any],
    check_mode: bool,
) -> None:
    routes = {**routes, ("GET", LEASE): vault_json("aws_config_lease")}
    run = run_module(
        aws_secrets_config.main, {"lease": "1h", "lease_max": "2h"}, routes, check_mode=check_mode, diff=True
    )
    assert run.result["changed"] is False
    assert run.result["lease"] == {"lease": 3600, "lease_max": 7200}
    assert run.result["diff"] == {
        "before": {"lease": {"lease": 3600, "lease_max": 7200}},
        "after": {"lease": {"lease": 3600, "lease_max": 7200}},
    }
    for key in ("config", "secret_key_written", "update_secret"):
        assert key not in run.result
    assert [(c.method, c.path, c.json) for c in run.fake.calls] == [("GET", LEASE, None)]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_lease_only_change_writes_only_the_lease(
    run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool
) -> None:
    run = run_module(
        aws_secrets_config.main, {"lease": 900, "lease_max": "1h"}, vault, check_mode=check_mode, diff=True
    )
    assert run.result["changed"] is True
    assert run.result["lease"] == {"lease": 900, "lease_max": 3600}
    assert run.result["diff"] == {
        "before": {"lease": {"lease": 3600, "lease_max": 7200}},
        "after": {"lease": {"lease": 900, "lease_max": 3600}},
    }
    assert "config" not in run.result
    writes = [] if check_mode else [("POST", LEASE, {"lease": "900s", "lease_max": "3600s"})]
    assert run.fake.writes() == writes
    assert ("GET", ROOT, None) not in run.fake.calls


def test_nothing_given_reads_and_writes_nothing(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    run = run_module(aws_secrets_config.main, {}, vault, diff=True)
    assert run.result["changed"] is False
    assert run.result["diff"] == {"before": {}, "after": {}}
    for key in ("config", "lease", "secret_key_written", "update_secret"):
        assert key not in run.result
    assert run.fake.calls == []


# --- no state option: Vault cannot delete config/root ---------------------------------------------


@pytest.mark.parametrize("state", ["absent", "present"])
def test_state_is_not_an_option(run_module: Runner, vault: dict[t.Any, t.Any], state: str) -> None:
    unsupported = hvac.exceptions.UnexpectedError(errors=["1 error occurred:\n\t* unsupported operation\n\n"])
    run = run_module(aws_secrets_config.main, {"state": state}, {**vault, ("DELETE", ROOT): unsupported})
    assert run.result["failed"] is True
    assert run.result["msg"].startswith("Unsupported parameters for (basic.py) module: state.")
    assert run.fake.calls == []


def test_no_request_ever_deletes_config_root(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    args = root_args(secret_key=SECRET, region="eu-west-1", lease="30m", lease_max="1h")
    run = run_module(aws_secrets_config.main, args, vault)
    assert run.result["changed"] is True
    assert [(c.method, c.path) for c in run.fake.calls] == [
        ("GET", ROOT),
        ("POST", ROOT),
        ("GET", LEASE),
        ("POST", LEASE),
    ]
    assert "DELETE" not in {c.method for c in run.fake.calls}


def test_state_is_not_documented() -> None:
    options = yaml.safe_load(aws_secrets_config.DOCUMENTATION)["options"]
    assert "state" not in options
    assert {"lease", "lease_max", "secret_key", "update_secret"} <= set(options)


# --- STS fallbacks: ordered, paired by index -------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoints", "regions"),
    [
        pytest.param(["http://127.0.0.1:18502", "http://127.0.0.1:18501"], ["us-west-2", "eu-west-1"], id="reordered"),
        pytest.param(["http://127.0.0.1:18501", "http://127.0.0.1:18502"], ["us-west-2", "us-west-2"], id="deduped"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_sts_fallbacks_sent_in_the_given_order(
    *,
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    template: str,
    endpoints: list[str],
    regions: list[str],
    check_mode: bool,
) -> None:
    args = root_args(secret_key=SECRET, sts_fallback_endpoints=endpoints, sts_fallback_regions=regions)
    run = run_module(aws_secrets_config.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    after = root_record(template, sts_fallback_endpoints=endpoints, sts_fallback_regions=regions, secret_key=MASK)
    assert run.result["config"] == after
    assert run.result["diff"]["after"] == {"root": after}
    if check_mode:
        assert run.fake.writes() == []
    else:
        [write] = run.fake.writes()
        assert (write.json["sts_fallback_endpoints"], write.json["sts_fallback_regions"]) == (endpoints, regions)


@pytest.mark.parametrize(
    ("stored", "given", "changed"),
    [
        pytest.param(["us-west-2", "eu-west-1"], ["us-west-2", "eu-west-1"], False, id="same-order"),
        pytest.param(["us-west-2", "eu-west-1"], ["eu-west-1", "us-west-2"], True, id="other-order"),
        pytest.param(["us-west-2", "us-west-2"], ["us-west-2"], True, id="duplicate-dropped"),
        pytest.param(None, [], False, id="empty-vs-missing"),
    ],
)
def test_sts_fallback_regions_compared_in_order(
    *,
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    stored: list[str] | None,
    given: list[str],
    changed: bool,
) -> None:
    if stored is not None:
        vault[("GET", ROOT)]["data"]["sts_fallback_regions"] = stored
    args = root_args(secret_key=SECRET, sts_fallback_regions=given)
    run = run_module(aws_secrets_config.main, args, vault)
    assert run.result["changed"] is changed
    assert len(run.fake.writes()) == (1 if changed else 0)


# --- the fields of Vault 1.19 and later: rotation, STS region and fallbacks -------------------------


@pytest.mark.parametrize(
    ("desired", "current", "expected"),
    [
        pytest.param(
            {"region": "eu-west-1"},
            {
                "region": "us-east-1",
                "rotation_period": 0,
                "rotation_schedule": "",
                "rotation_window": 0,
                "disable_automated_rotation": False,
            },
            {"region": "eu-west-1"},
            id="rotation-fields-of-vault-not-carried",
        ),
        pytest.param(
            {"rotation_period": "1h", "rotation_window": "90m", "identity_token_ttl": "2h", "lease": None},
            None,
            {"rotation_period": 3600, "rotation_window": 5400, "identity_token_ttl": 7200},
            id="durations-in-seconds",
        ),
        pytest.param(
            {"disable_automated_rotation": True, "rotation_schedule": "0 0 * * SAT"},
            {"disable_automated_rotation": False},
            {"disable_automated_rotation": True, "rotation_schedule": "0 0 * * SAT"},
            id="sent-when-set",
        ),
    ],
)
def test_root_payload_rotation(
    desired: dict[str, t.Any], current: dict[str, t.Any] | None, expected: dict[str, t.Any]
) -> None:
    assert root_payload(desired, current) == expected


def test_rotation_fields_written_in_seconds_then_unchanged(
    run_module: Runner, vault: dict[t.Any, t.Any], template: str
) -> None:
    args = root_args(
        secret_key=SECRET,
        rotation_period="24h",
        rotation_schedule="",
        rotation_window=0,
        disable_automated_rotation=True,
    )
    run = run_module(aws_secrets_config.main, args, vault)
    assert run.result["changed"] is True
    [write] = run.fake.writes()
    assert {k: write.json[k] for k in ("rotation_period", "rotation_schedule", "rotation_window")} == {
        "rotation_period": 86400,
        "rotation_schedule": "",
        "rotation_window": 0,
    }
    assert write.json["disable_automated_rotation"] is True
    # one schema read before the write (a gated field is sent), then the write
    assert [(c.method, c.path) for c in run.fake.calls if c.path.startswith(ROOT)] == [
        ("GET", ROOT),
        ("GET", f"{ROOT}?help=1"),
        ("POST", ROOT),
    ]
    # what Vault 1.21 then returns (durations as float seconds): a second run writes nothing, reads no schema
    vault[("GET", ROOT)]["data"].update(
        rotation_period=86400.0, rotation_schedule="", rotation_window=0.0, disable_automated_rotation=True
    )
    again = run_module(aws_secrets_config.main, args, vault)
    assert again.result["changed"] is False
    assert again.fake.writes() == []
    assert ("GET", f"{ROOT}?help=1") not in [(c.method, c.path) for c in again.fake.calls]
    assert again.result["config"] == root_record(
        template,
        rotation_period=86400,
        rotation_schedule="",
        rotation_window=0,
        disable_automated_rotation=True,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rotation_period", "1h"),
        ("rotation_schedule", "0 0 * * SAT"),
        ("disable_automated_rotation", True),
        ("sts_region", "eu-west-1"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_a_field_of_vault_1_19_is_refused_by_an_older_engine_before_the_write(
    run_module: Runner, vault: dict[t.Any, t.Any], field: str, value: t.Any, check_mode: bool
) -> None:
    vault[("GET", f"{ROOT}?help=1")] = help_answer(ROOT, VAULT_1_18_ROOT_FIELDS)
    args = root_args(secret_key=SECRET, **{field: value})
    run = run_module(aws_secrets_config.main, args, vault, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["changed"] is False
    assert run.fake.writes() == []
    assert run.result["msg"] == (
        f"this server's engine does not support {field} at {ROOT} (the server's schema of the path lacks them: "
        f"{field} needs Vault 1.19 or later (the AWS engine of OpenBao 2.7's plugins, of Vault 1.18, does not have "
        f"it)); nothing was written (path: {ROOT})"
    )


@pytest.mark.parametrize(
    ("args", "field", "reason"),
    [
        ({"rotation_period": "1h", "rotation_schedule": "0 * * * *"}, "rotation_period", "exclude each other"),
        ({"rotation_window": "1h"}, "rotation_window", "applies only with a rotation_schedule"),
        ({"rotation_window": "1h", "rotation_period": 60}, "rotation_window", "applies only with a rotation_schedule"),
        ({"rotation_period": "1.5s"}, "rotation_period", "whole number of seconds"),
    ],
)
def test_rotation_rules_refused_before_any_request(
    run_module: Runner, vault: dict[t.Any, t.Any], args: dict[str, t.Any], field: str, reason: str
) -> None:
    run = run_module(aws_secrets_config.main, root_args(secret_key=SECRET, **args), vault)
    assert run.result["failed"] is True
    assert field in run.result["msg"]
    assert reason in run.result["msg"]
    assert run.fake.calls == []
