# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import aws_secrets_role

Runner = t.Callable[..., t.Any]

ROLE_PATH = "aws/roles/deploy"
ROLE_ARN = "arn:aws:iam::123456789012:role/admin"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
NOT_A_CHOICE = "value of credential_type must be one of: iam_user, assumed_role, federation_token, session_token, got: "
POLICY_WIRE = '{"Statement":[{"Action":"s3:*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}'


@pytest.fixture
def role(vault_json: t.Callable[[str], dict[str, t.Any]]) -> dict[tuple[str, str], t.Any]:
    return {("GET", ROLE_PATH): vault_json("aws_role_deploy")}


def base(**args: t.Any) -> dict[str, t.Any]:
    return {"name": "deploy", **args}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(base(credential_type="iam_user"), id="type-only"),
        pytest.param(base(credential_type="iam_user", policy_document=POLICY), id="policy-as-data"),
        pytest.param(
            base(credential_type="iam_user", policy_document=json.dumps(POLICY, indent=4, sort_keys=True)),
            id="policy-pretty-string",
        ),
        pytest.param(
            base(credential_type="iam_user", policy_arns=[], iam_groups=[], user_path="", iam_tags={}),
            id="empty-values-match-vault-defaults",
        ),
        pytest.param(
            base(credential_type="iam_user", default_sts_ttl=0, max_sts_ttl="0s", mfa_serial_number=""),
            id="zero-sts-ttls-accepted-for-iam_user",
        ),
        pytest.param(
            base(
                credential_type="iam_user", role_arns=[], session_tags={}, external_id="", permissions_boundary_arn=""
            ),
            id="empty-fields-of-other-types",
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(run_module: Runner, role: dict[t.Any, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(aws_secrets_role.main, args, role, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.fake.writes() == []
    assert run.result["role"]["credential_type"] == "iam_user"
    assert run.result["role"]["policy_document"] == POLICY
    assert run.result["diff"]["before"] == run.result["diff"]["after"]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update(run_module: Runner, role: dict[t.Any, t.Any], check_mode: bool) -> None:
    args = base(credential_type="iam_user", policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"], user_path="/vault/")
    run = run_module(aws_secrets_role.main, args, role, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    before, after = run.result["diff"]["before"], run.result["diff"]["after"]
    assert (before["policy_arns"], after["policy_arns"]) == ([], ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    assert (before["user_path"], after["user_path"]) == ("", "/vault/")
    assert after["policy_document"] == POLICY
    assert run.result["role"] == after
    expected = (
        []
        if check_mode
        else [
            (
                "POST",
                ROLE_PATH,
                {
                    "credential_type": "iam_user",
                    "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                    "user_path": "/vault/",
                },
            )
        ]
    )
    assert run.fake.writes() == expected


def test_update_sends_policy_compact(run_module: Runner, role: dict[t.Any, t.Any]) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    run = run_module(aws_secrets_role.main, base(credential_type="iam_user", policy_document=policy), role)
    assert run.result["changed"] is True
    assert run.fake.writes() == [
        (
            "POST",
            ROLE_PATH,
            {
                "credential_type": "iam_user",
                "policy_document": POLICY_WIRE.replace("Allow", "Deny"),
            },
        )
    ]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, check_mode: bool) -> None:
    args = base(
        credential_type="assumed_role",
        role_arns=[ROLE_ARN],
        default_sts_ttl="15m",
        max_sts_ttl="1h",
        mount_point="aws-prod",
    )
    run = run_module(aws_secrets_role.main, args, {}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"]["before"] == {}
    assert run.result["role"] == {
        "credential_type": "assumed_role",
        "role_arns": [ROLE_ARN],
        "default_sts_ttl": 900,
        "max_sts_ttl": 3600,
    }
    assert ("GET", "aws-prod/roles/deploy", None) in run.fake.calls
    expected = (
        []
        if check_mode
        else [
            (
                "POST",
                "aws-prod/roles/deploy",
                {
                    "credential_type": "assumed_role",
                    "role_arns": [ROLE_ARN],
                    "default_sts_ttl": 900,
                    "max_sts_ttl": 3600,
                },
            )
        ]
    )
    assert run.fake.writes() == expected


def test_credential_type_change_is_sent_as_one_string(run_module: Runner, role: dict[t.Any, t.Any]) -> None:
    run = run_module(aws_secrets_role.main, base(credential_type="federation_token"), role, diff=True)
    assert run.result["changed"] is True
    before, after = run.result["diff"]["before"], run.result["diff"]["after"]
    assert (before["credential_type"], after["credential_type"]) == ("iam_user", "federation_token")
    assert run.result["role"]["credential_type"] == "federation_token"
    assert run.fake.writes() == [("POST", ROLE_PATH, {"credential_type": "federation_token"})]


@pytest.mark.parametrize(
    ("args", "body"),
    [
        pytest.param(
            base(credential_type="assumed_role", role_arns=[ROLE_ARN], iam_groups=["readers"], iam_tags={"t": "1"}),
            {
                "credential_type": "assumed_role",
                "role_arns": [ROLE_ARN],
                "iam_groups": ["readers"],
                "iam_tags": {"t": "1"},
            },
            id="iam_groups-and-iam_tags-assumed_role",
        ),
        pytest.param(
            base(credential_type="iam_user", mfa_serial_number="arn:aws:iam::123456789012:mfa/ops", max_sts_ttl=0),
            {"credential_type": "iam_user", "mfa_serial_number": "arn:aws:iam::123456789012:mfa/ops", "max_sts_ttl": 0},
            id="mfa-and-zero-ttl-iam_user",
        ),
        pytest.param(
            base(credential_type="session_token", iam_groups=["readers"], default_sts_ttl="1h", max_sts_ttl="0"),
            {"credential_type": "session_token", "iam_groups": ["readers"], "default_sts_ttl": 3600, "max_sts_ttl": 0},
            id="iam_groups-session_token-unbounded-max",
        ),
    ],
)
def test_create_accepts_what_vault_accepts(run_module: Runner, args: dict[str, t.Any], body: dict[str, t.Any]) -> None:
    run = run_module(aws_secrets_role.main, args, {})
    assert run.result["changed"] is True
    assert run.fake.writes() == [("POST", ROLE_PATH, body)]


def test_create_with_policy(run_module: Runner) -> None:
    run = run_module(aws_secrets_role.main, base(credential_type="iam_user", policy_document=POLICY), {})
    assert run.fake.writes() == [("POST", ROLE_PATH, {"credential_type": "iam_user", "policy_document": POLICY_WIRE})]


@pytest.mark.parametrize(
    ("routes_key", "changed", "writes"),
    [("present", True, [("DELETE", ROLE_PATH, None)]), ("missing", False, [])],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent(
    *,
    run_module: Runner,
    role: dict[t.Any, t.Any],
    routes_key: str,
    changed: bool,
    writes: list[t.Any],
    check_mode: bool,
) -> None:
    routes = role if routes_key == "present" else {}
    run = run_module(aws_secrets_role.main, base(state="absent"), routes, check_mode=check_mode, diff=True)
    assert run.result["changed"] is changed
    assert run.fake.writes() == ([] if check_mode else writes)
    assert run.result["diff"]["after"] == {}
    assert "role" not in run.result
    if changed:
        assert run.result["diff"]["before"]["credential_type"] == "iam_user"


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        pytest.param(
            base(credential_type="assumed_role", role_arns=[ROLE_ARN], user_path="/vault/"),
            "user_path",
            "invalid value for user_path: is not valid with credential_type assumed_role",
            id="user_path-assumed",
        ),
        pytest.param(
            base(
                credential_type="assumed_role", role_arns=[ROLE_ARN], permissions_boundary_arn="arn:aws:iam::1:policy/b"
            ),
            "permissions_boundary_arn",
            "invalid value for permissions_boundary_arn: is not valid with credential_type assumed_role "
            "(only with iam_user)",
            id="boundary-assumed",
        ),
        pytest.param(
            base(credential_type="session_token", policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
            "policy_arns",
            "invalid value for policy_arns: is not valid with credential_type session_token",
            id="policy_arns-session_token",
        ),
        pytest.param(
            base(credential_type="iam_user", max_sts_ttl="1h"),
            "max_sts_ttl",
            "invalid value for max_sts_ttl: is not valid with credential_type iam_user",
            id="max_sts_ttl-iam_user",
        ),
        pytest.param(
            base(credential_type="federation_token", role_arns=[ROLE_ARN]),
            "role_arns",
            "invalid value for role_arns: is not valid with credential_type federation_token",
            id="role_arns-federation",
        ),
        pytest.param(
            base(credential_type="assumed_role"),
            "role_arns",
            "invalid value for role_arns: is required for credential_type assumed_role",
            id="no-role_arns",
        ),
        pytest.param(
            base(credential_type="iam_user", policy_document="{oops"),
            "policy_document",
            "invalid value for policy_document: is not valid JSON",
            id="bad-json",
        ),
        pytest.param(
            base(credential_type="federation_token", default_sts_ttl="2h", max_sts_ttl="1h"),
            "default_sts_ttl",
            "must not exceed max_sts_ttl",
            id="ttl-order",
        ),
        pytest.param(
            base(credential_type="session_token", default_sts_ttl="tomorrow"),
            "default_sts_ttl",
            "is not a duration",
            id="bad-duration",
        ),
    ],
)
def test_refused_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str, text: str) -> None:
    run = run_module(aws_secrets_role.main, args, {})
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.calls == []


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (base(), "state is present but all of the following are missing: credential_type"),
        (base(credential_type="ec2"), f"{NOT_A_CHOICE}ec2"),
        (base(credential_type=["iam_user"]), f"{NOT_A_CHOICE}['iam_user']"),
        (base(credential_type=["iam_user", "federation_token"]), f"{NOT_A_CHOICE}['iam_user', 'federation_token']"),
        (base(credential_type="iam_user,federation_token"), f"{NOT_A_CHOICE}iam_user,federation_token"),
    ],
)
def test_argument_spec(run_module: Runner, args: dict[str, t.Any], text: str) -> None:
    run = run_module(aws_secrets_role.main, args, {})
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.fake.calls == []


def test_absent_skips_role_validation(run_module: Runner, role: dict[t.Any, t.Any]) -> None:
    run = run_module(aws_secrets_role.main, base(state="absent", user_path="not-a-path"), role)
    assert run.result["changed"] is True
    assert run.fake.writes() == [("DELETE", ROLE_PATH, None)]
