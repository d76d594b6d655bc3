# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import json
import typing as t

import hvac.exceptions
import pytest
import requests

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import (
    AWS_CREDENTIAL_TYPES,
    AWS_LEASE,
    AWS_ROLE,
    AWS_ROLE_FIELD_TYPES,
    AWS_ROLE_SPEC,
    AWS_ROOT,
    AWS_ROOT_SPEC,
    AWS_STATIC_ROLE,
    AwsEngine,
    aws_role_payload,
    normalise_aws_creds,
    validate_aws_role,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._driver import Desired, Driver, Resource
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import Leases, Mounts, lease_fields, mount_path

ROLE_ARN = "arn:aws:iam::123456789012:role/admin"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
POLICY_WIRE = '{"Statement":[{"Action":"s3:*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}'
NOW = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


# --- mounts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "clean"),
    [("aws", "aws"), ("/aws/", "aws"), (" team/aws ", "team/aws"), ("system", "system"), ("sysops/aws", "sysops/aws")],
)
def test_mount_path(path: str, clean: str) -> None:
    assert mount_path(path) == clean


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "must not be empty"),
        ("/", "must not be empty"),
        ("  ", "must not be empty"),
        ("sys", "sys/ is reserved"),
        ("sys/", "sys/ is reserved"),
        ("/sys/mounts", "sys/ is reserved"),
    ],
)
def test_mount_path_refuses(path: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        mount_path(path)
    assert exc_info.value.field == "path"
    assert reason in exc_info.value.reason


def test_mounts_read_flattens_config(make_client: t.Callable[..., t.Any], vault_json: t.Any) -> None:
    kit = make_client({("GET", "sys/mounts"): vault_json("sys_mounts")})
    mount = Mounts(kit.client).read("/aws/")
    assert mount is not None
    assert "config" not in mount
    assert {
        k: mount[k]
        for k in ("type", "description", "default_lease_ttl", "max_lease_ttl", "force_no_cache", "options", "accessor")
    } == {
        "type": "aws",
        "description": "Short-lived AWS credentials",
        "default_lease_ttl": 3600,
        "max_lease_ttl": 0,
        "force_no_cache": False,
        "options": {},
        "accessor": "aws_8b2e4f1c",
    }
    assert [(c.method, c.path) for c in kit.fake.calls] == [("GET", "sys/mounts")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("kv", {"type": "kv", "options": {"version": "2"}}),
        ("cubbyhole", {"type": "cubbyhole", "options": {}}),
    ],
)
def test_mounts_read_options(
    make_client: t.Callable[..., t.Any],
    vault_json: t.Any,
    path: str,
    expected: dict[str, t.Any],
) -> None:
    kit = make_client({("GET", "sys/mounts"): vault_json("sys_mounts")})
    mount = Mounts(kit.client).read(path)
    assert mount is not None
    assert {k: mount[k] for k in expected} == expected


@pytest.mark.parametrize("routes", [{}, {("GET", "sys/mounts"): {"data": {}}}], ids=["no-answer", "not-mounted"])
def test_mounts_read_missing(make_client: t.Callable[..., t.Any], routes: dict[t.Any, t.Any]) -> None:
    kit = make_client(routes)
    assert Mounts(kit.client).read("gcp") is None


def test_mounts_enable_splits_config(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    Mounts(kit.client).enable(
        "aws",
        "aws",
        {
            "description": "AWS",
            "default_lease_ttl": "3600s",
            "max_lease_ttl": "7200s",
            "options": {"x": "1"},
            "local": True,
            "passthrough_request_headers": ["X-Req"],
        },
    )
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [
        (
            "POST",
            "sys/mounts/aws",
            {
                "type": "aws",
                "description": "AWS",
                "options": {"x": "1"},
                "local": True,
                "config": {
                    "default_lease_ttl": "3600s",
                    "max_lease_ttl": "7200s",
                    "passthrough_request_headers": ["X-Req"],
                },
            },
        )
    ]


def test_mounts_enable_without_config(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    Mounts(kit.client).enable("team/aws", "aws", {})
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [("POST", "sys/mounts/team/aws", {"type": "aws"})]


def test_mounts_tune_and_disable(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("DELETE", "sys/mounts/gone"): hvac.exceptions.InvalidPath(errors=[])})
    mounts = Mounts(kit.client)
    mounts.tune("aws", {"default_lease_ttl": "60s"})
    assert mounts.disable("aws") is True
    assert mounts.disable("gone") is False
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [
        ("POST", "sys/mounts/aws/tune", {"default_lease_ttl": "60s"}),
        ("DELETE", "sys/mounts/aws", None),
        ("DELETE", "sys/mounts/gone", None),
    ]


# --- field specs ----------------------------------------------------------------------------------


def test_aws_role_spec_credential_type_is_one_string() -> None:
    assert AWS_ROLE_SPEC["credential_type"] == "str"
    assert AWS_CREDENTIAL_TYPES == ("iam_user", "assumed_role", "federation_token", "session_token")


def test_aws_root_spec_keeps_sts_fallbacks_in_order() -> None:
    assert (AWS_ROOT_SPEC["sts_fallback_endpoints"], AWS_ROOT_SPEC["sts_fallback_regions"]) == ("seq", "seq")


def test_aws_role_field_types_follow_vault_role_validate() -> None:
    sts = ("assumed_role", "federation_token", "session_token")
    field_types = dict(AWS_ROLE_FIELD_TYPES)
    assert field_types == {
        "role_arns": ("assumed_role",),
        "session_tags": ("assumed_role",),
        "external_id": ("assumed_role",),
        "user_path": ("iam_user",),
        "permissions_boundary_arn": ("iam_user",),
        "default_sts_ttl": sts,
        "max_sts_ttl": sts,
        "policy_document": ("iam_user", "assumed_role", "federation_token"),
        "policy_arns": ("iam_user", "assumed_role", "federation_token"),
    }


# --- validate_aws_role ----------------------------------------------------------------------------

ONLY_ASSUMED = "(only with assumed_role)"
ONLY_IAM_USER = "(only with iam_user)"
ONLY_STS = "(only with assumed_role, federation_token, session_token)"
NOT_SESSION = "(only with iam_user, assumed_role, federation_token)"
MFA = "arn:aws:iam::123456789012:mfa/ops"
BOUNDARY = "arn:aws:iam::123456789012:policy/boundary"


def refused(desired: dict[str, t.Any], field: str, reason: str, name: str) -> t.Any:
    return pytest.param(desired, field, reason, id=name)


def wrong_type(field: str, value: t.Any, credential_type: str, only: str) -> t.Any:
    desired = {"credential_type": credential_type, field: value}
    if credential_type == "assumed_role":
        desired["role_arns"] = [ROLE_ARN]
    reason = f"is not valid with credential_type {credential_type} {only}"
    return refused(desired, field, reason, f"{field}-{credential_type}")


@pytest.mark.parametrize(
    ("desired", "field", "reason"),
    [
        refused({}, "credential_type", "is required when state=present", "no-type"),
        refused({"credential_type": None}, "credential_type", "is required when state=present", "none-type"),
        refused({"credential_type": ""}, "credential_type", "is required when state=present", "empty-type"),
        refused(
            {"credential_type": "ec2"},
            "credential_type",
            "unknown type 'ec2'; expected one of iam_user, assumed_role, federation_token, session_token",
            "unknown-type",
        ),
        refused(
            {"credential_type": "IAM_USER"}, "credential_type", "unknown type 'IAM_USER'", "type-is-case-sensitive"
        ),
        refused(
            {"credential_type": "iam_user,federation_token"},
            "credential_type",
            "unknown type 'iam_user,federation_token'",
            "comma-joined-types",
        ),
        refused(
            {"credential_type": ["iam_user", "federation_token"], "policy_document": POLICY},
            "credential_type",
            "unknown type ['iam_user', 'federation_token']",
            "list-of-types",
        ),
        refused({"credential_type": ["iam_user"]}, "credential_type", "unknown type ['iam_user']", "list-of-one"),
        wrong_type("role_arns", [ROLE_ARN], "iam_user", ONLY_ASSUMED),
        wrong_type("role_arns", [ROLE_ARN], "federation_token", ONLY_ASSUMED),
        wrong_type("role_arns", ROLE_ARN, "session_token", ONLY_ASSUMED),
        wrong_type("session_tags", {"team": "ops"}, "iam_user", ONLY_ASSUMED),
        wrong_type("session_tags", {"team": "ops"}, "federation_token", ONLY_ASSUMED),
        wrong_type("external_id", "ext", "federation_token", ONLY_ASSUMED),
        wrong_type("external_id", "ext", "session_token", ONLY_ASSUMED),
        wrong_type("external_id", "ext", "iam_user", ONLY_ASSUMED),
        wrong_type("user_path", "/vault/", "assumed_role", ONLY_IAM_USER),
        wrong_type("user_path", "/vault/", "federation_token", ONLY_IAM_USER),
        wrong_type("user_path", "/vault/", "session_token", ONLY_IAM_USER),
        wrong_type("permissions_boundary_arn", BOUNDARY, "assumed_role", ONLY_IAM_USER),
        wrong_type("permissions_boundary_arn", BOUNDARY, "federation_token", ONLY_IAM_USER),
        wrong_type("permissions_boundary_arn", BOUNDARY, "session_token", ONLY_IAM_USER),
        wrong_type("default_sts_ttl", "1h", "iam_user", ONLY_STS),
        wrong_type("max_sts_ttl", 3600, "iam_user", ONLY_STS),
        refused(
            {"credential_type": "iam_user", "max_sts_ttl": "1s"},
            "max_sts_ttl",
            f"is not valid with credential_type iam_user {ONLY_STS}",
            "one-second-max_sts_ttl-iam_user",
        ),
        wrong_type("policy_document", POLICY, "session_token", NOT_SESSION),
        wrong_type("policy_arns", ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "session_token", NOT_SESSION),
        refused(
            {"credential_type": "assumed_role"},
            "role_arns",
            "is required for credential_type assumed_role",
            "assumed-needs-role_arns",
        ),
        refused(
            {"credential_type": "assumed_role", "role_arns": []},
            "role_arns",
            "is required for credential_type assumed_role",
            "assumed-empty-role_arns",
        ),
        refused(
            {"credential_type": "iam_user", "policy_document": "{not json"},
            "policy_document",
            "is not valid JSON",
            "policy-malformed",
        ),
        refused(
            {"credential_type": "iam_user", "policy_document": '["s3:*"]'},
            "policy_document",
            "must be a JSON object",
            "policy-not-object",
        ),
        refused(
            {"credential_type": "iam_user", "policy_document": "42"},
            "policy_document",
            "must be a JSON object",
            "policy-number",
        ),
        refused(
            {"credential_type": "assumed_role", "role_arns": [ROLE_ARN], "default_sts_ttl": "2h", "max_sts_ttl": "1h"},
            "default_sts_ttl",
            "(7200s) must not exceed max_sts_ttl (3600s)",
            "default-over-max-assumed_role",
        ),
        refused(
            {"credential_type": "federation_token", "default_sts_ttl": 901, "max_sts_ttl": "15m"},
            "default_sts_ttl",
            "(901s) must not exceed max_sts_ttl (900s)",
            "default-over-max-federation_token",
        ),
        refused(
            {"credential_type": "iam_user", "user_path": "vault"},
            "user_path",
            "must begin and end with '/'",
            "user_path-shape",
        ),
        refused(
            {"credential_type": "iam_user", "user_path": "/vault"},
            "user_path",
            "must begin and end with '/'",
            "user_path-no-trailing-slash",
        ),
        refused(
            {"credential_type": "assumed_role", "role_arns": [ROLE_ARN], "default_sts_ttl": "soon", "max_sts_ttl": 60},
            "default_sts_ttl",
            "is not a duration",
            "bad-duration",
        ),
        refused(
            {"credential_type": "iam_user", "max_sts_ttl": "soon"},
            "max_sts_ttl",
            "is not a duration",
            "bad-duration-wrong-type",
        ),
    ],
)
def test_validate_aws_role_refuses(desired: dict[str, t.Any], field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_aws_role(desired)
    assert exc_info.value.field == field
    assert reason in exc_info.value.reason


@pytest.mark.parametrize(
    ("desired", "payload"),
    [
        pytest.param(
            {
                "credential_type": "iam_user",
                "policy_document": POLICY,
                "user_path": "/vault/",
                "iam_tags": {"team": "ops"},
                "permissions_boundary_arn": BOUNDARY,
            },
            {
                "credential_type": "iam_user",
                "user_path": "/vault/",
                "iam_tags": {"team": "ops"},
                "permissions_boundary_arn": BOUNDARY,
                "policy_document": POLICY_WIRE,
            },
            id="iam_user",
        ),
        pytest.param(
            {"credential_type": "iam_user", "user_path": "/"},
            {"credential_type": "iam_user", "user_path": "/"},
            id="iam_user-root-path",
        ),
        pytest.param(
            {
                "credential_type": "assumed_role",
                "role_arns": [ROLE_ARN],
                "default_sts_ttl": "15m",
                "max_sts_ttl": "1h",
                "session_tags": {"team": "ops"},
                "external_id": "ext-1",
            },
            {
                "credential_type": "assumed_role",
                "role_arns": [ROLE_ARN],
                "default_sts_ttl": 900,
                "max_sts_ttl": 3600,
                "session_tags": {"team": "ops"},
                "external_id": "ext-1",
            },
            id="assumed_role",
        ),
        pytest.param(
            {"credential_type": "assumed_role", "role_arns": [ROLE_ARN], "default_sts_ttl": "2h", "max_sts_ttl": 0},
            {"credential_type": "assumed_role", "role_arns": [ROLE_ARN], "default_sts_ttl": 7200, "max_sts_ttl": 0},
            id="max-zero-means-unbounded",
        ),
        pytest.param(
            {"credential_type": "assumed_role", "role_arns": [ROLE_ARN], "default_sts_ttl": "1h", "max_sts_ttl": 3600},
            {"credential_type": "assumed_role", "role_arns": [ROLE_ARN], "default_sts_ttl": 3600, "max_sts_ttl": 3600},
            id="default-equals-max",
        ),
        pytest.param(
            {
                "credential_type": "federation_token",
                "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "iam_groups": ["readers"],
                "default_sts_ttl": 3600,
            },
            {
                "credential_type": "federation_token",
                "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "iam_groups": ["readers"],
                "default_sts_ttl": 3600,
            },
            id="federation_token",
        ),
        pytest.param(
            {
                "credential_type": "session_token",
                "mfa_serial_number": MFA,
                "default_sts_ttl": "1h",
                "policy_document": "",
                "policy_arns": [],
                "user_path": None,
            },
            {
                "credential_type": "session_token",
                "mfa_serial_number": MFA,
                "default_sts_ttl": 3600,
                "policy_document": "",
                "policy_arns": [],
            },
            id="session_token-empty-policy-fields",
        ),
    ],
)
def test_validate_aws_role_accepts(desired: dict[str, t.Any], payload: dict[str, t.Any]) -> None:
    assert validate_aws_role(desired) is None
    assert aws_role_payload(desired) == payload


def accepted(credential_type: str, name: str, **fields: t.Any) -> t.Any:
    desired = {"credential_type": credential_type, **fields}
    if credential_type == "assumed_role":
        desired.setdefault("role_arns", [ROLE_ARN])
    return pytest.param(desired, id=f"{name}-{credential_type}")


@pytest.mark.parametrize(
    "desired",
    [
        *(accepted(c, "iam_groups", iam_groups=["readers"]) for c in AWS_CREDENTIAL_TYPES),
        *(accepted(c, "iam_tags", iam_tags={"team": "ops"}) for c in AWS_CREDENTIAL_TYPES),
        *(accepted(c, "mfa_serial_number", mfa_serial_number=MFA) for c in AWS_CREDENTIAL_TYPES),
        *(accepted(c, "type-alone") for c in AWS_CREDENTIAL_TYPES),
        accepted("iam_user", "zero-default_sts_ttl", default_sts_ttl=0),
        accepted("iam_user", "zero-string-default_sts_ttl", default_sts_ttl="0"),
        accepted("iam_user", "zero-max_sts_ttl", max_sts_ttl="0s"),
        accepted("iam_user", "zero-both-sts_ttl", default_sts_ttl="0s", max_sts_ttl=0),
        accepted("assumed_role", "zero-default-under-max", default_sts_ttl=0, max_sts_ttl="1h"),
        accepted("iam_user", "empty-assumed_role-fields", role_arns=[], session_tags={}, external_id=""),
        accepted("assumed_role", "empty-iam_user-fields", user_path="", permissions_boundary_arn=""),
        accepted("session_token", "empty-policy-fields", policy_document="", policy_arns=[]),
        accepted("assumed_role", "policy", policy_document=POLICY, policy_arns=["arn:aws:iam::aws:policy/X"]),
        accepted("federation_token", "policy", policy_document=POLICY, policy_arns=["arn:aws:iam::aws:policy/X"]),
    ],
)
def test_validate_aws_role_allows_what_the_engine_allows(desired: dict[str, t.Any]) -> None:
    assert validate_aws_role(desired) is None
    assert aws_role_payload(desired)["credential_type"] == desired["credential_type"]


# --- aws_role_payload -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "payload"),
    [
        pytest.param(
            {"credential_type": "iam_user", "policy_document": '{ "b": 1,\n  "a": [1, 2] }'},
            {"credential_type": "iam_user", "policy_document": '{"a":[1,2],"b":1}'},
            id="compact-json",
        ),
        *(
            pytest.param({"credential_type": c}, {"credential_type": c}, id=f"type-as-given-{c}")
            for c in AWS_CREDENTIAL_TYPES
        ),
        pytest.param(
            {"credential_type": "assumed_role", "default_sts_ttl": "1h30m", "max_sts_ttl": "2h0m0s"},
            {"credential_type": "assumed_role", "default_sts_ttl": 5400, "max_sts_ttl": 7200},
            id="durations",
        ),
        pytest.param(
            {"credential_type": "iam_user", "default_sts_ttl": "0s", "max_sts_ttl": "0"},
            {"credential_type": "iam_user", "default_sts_ttl": 0, "max_sts_ttl": 0},
            id="zero-durations",
        ),
        pytest.param(
            {
                "credential_type": "iam_user",
                "policy_arns": "b,a",
                "iam_groups": ["g", "g"],
                "user_path": None,
                "role_arns": None,
                "not_a_role_field": "x",
            },
            {"credential_type": "iam_user", "policy_arns": ["a", "b"], "iam_groups": ["g"]},
            id="only-set-fields",
        ),
        pytest.param({"policy_document": "  "}, {"policy_document": ""}, id="blank-policy-clears"),
    ],
)
def test_aws_role_payload(desired: dict[str, t.Any], payload: dict[str, t.Any]) -> None:
    assert aws_role_payload(desired) == payload


def test_aws_role_payload_policy_round_trips() -> None:
    sent = aws_role_payload({"policy_document": POLICY})["policy_document"]
    assert " " not in sent
    assert json.loads(sent) == POLICY


# --- credentials ----------------------------------------------------------------------------------


def test_normalise_iam_user_creds(vault_json: t.Any) -> None:
    assert normalise_aws_creds(vault_json("aws_creds_iam_user"), now=NOW) == {
        "access_key": "AKIAIOSFODNN7EXAMPLE",
        "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "security_token": None,
        "lease_id": "aws/creds/deploy/Yx1Qm3ZbO4kGZ7m1uHn0sD2f",
        "lease_duration": 3600,
        "renewable": True,
        "expires_at": "2025-01-02T04:04:05Z",
    }


def test_normalise_sts_creds(vault_json: t.Any) -> None:
    assert normalise_aws_creds(vault_json("aws_sts_assumed_role"), now=NOW) == {
        "access_key": "ASIAIOSFODNN7EXAMPLE",
        "secret_key": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "security_token": "FwoGZXIvYXdzEXAMPLETOKEN",
        "arn": "arn:aws:sts::123456789012:assumed-role/admin/vault-1700000000-abcdefghij",
        "lease_id": None,
        "lease_duration": 900,
        "renewable": False,
        "expires_at": "2025-01-02T03:19:05Z",
    }


@pytest.mark.parametrize(
    ("data", "token", "has_arn"),
    [
        ({"security_token": "st", "session_token": "ss"}, "st", False),
        ({"session_token": "ss"}, "ss", False),
        ({"security_token": "", "session_token": ""}, None, False),
        ({"arn": ""}, None, False),
        ({"arn": "arn:aws:sts::1:federated-user/x"}, None, True),
    ],
)
def test_normalise_aws_creds_token_and_arn(data: dict[str, t.Any], token: str | None, has_arn: bool) -> None:
    creds = normalise_aws_creds({"data": data, "lease_duration": 0}, now=NOW)
    assert creds["security_token"] == token
    assert ("arn" in creds) is has_arn


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({}, {"lease_id": None, "lease_duration": 0, "renewable": False, "expires_at": None}),
        (
            {"lease_id": "", "lease_duration": None, "renewable": None},
            {"lease_id": None, "lease_duration": 0, "renewable": False, "expires_at": None},
        ),
        (
            {"lease_id": "aws/creds/x/1", "lease_duration": 86400, "renewable": True},
            {
                "lease_id": "aws/creds/x/1",
                "lease_duration": 86400,
                "renewable": True,
                "expires_at": "2025-01-03T03:04:05Z",
            },
        ),
    ],
)
def test_lease_fields(response: dict[str, t.Any], expected: dict[str, t.Any]) -> None:
    assert lease_fields(response, NOW) == expected


@pytest.mark.parametrize(
    ("kwargs", "method", "path", "body"),
    [
        ({}, "GET", "aws/creds/deploy", None),
        ({"kind": "sts", "ttl": "15m"}, "POST", "aws/sts/deploy", {"ttl": "900s"}),
        (
            {"kind": "sts", "role_arn": ROLE_ARN, "role_session_name": "ci"},
            "POST",
            "aws/sts/deploy",
            {"role_arn": ROLE_ARN, "role_session_name": "ci"},
        ),
        ({"kind": "static-creds"}, "GET", "aws/static-creds/deploy", None),
    ],
)
def test_aws_engine_issue(
    *,
    make_client: t.Callable[..., t.Any],
    vault_json: t.Any,
    kwargs: dict[str, t.Any],
    method: str,
    path: str,
    body: dict[str, t.Any] | None,
) -> None:
    kit = make_client({(method, path): vault_json("aws_creds_iam_user")})
    creds = AwsEngine(kit.client).issue("deploy", **kwargs)
    assert creds["access_key"] == "AKIAIOSFODNN7EXAMPLE"
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [(method, path, body)]


def test_aws_engine_issue_refuses_unknown_kind(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    with pytest.raises(ValidationError) as exc_info:
        AwsEngine(kit.client).issue("deploy", kind="roles")
    assert exc_info.value.field == "kind"
    assert kit.fake.calls == []


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(hvac.exceptions.InternalServerError(errors=["boom"]), id="500"),
        pytest.param(requests.exceptions.ReadTimeout("read timed out"), id="read-timeout"),
        pytest.param(hvac.exceptions.UnexpectedError(errors=["gateway timeout"]), id="504-unexpected"),
    ],
)
def test_aws_engine_issue_is_not_retried(
    make_client: t.Callable[..., t.Any], vault_json: t.Any, error: Exception
) -> None:
    kit = make_client({("GET", "aws/creds/deploy"): [error, vault_json("aws_creds_iam_user")]}, retries=3)
    with pytest.raises(VaultOpsError):
        AwsEngine(kit.client).issue("deploy")
    assert len(kit.fake.calls) == 1


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(hvac.exceptions.VaultDown(errors=["Vault is sealed"]), id="sealed"),
        pytest.param(hvac.exceptions.InternalServerError(errors=["local node not active"]), id="standby"),
        pytest.param(requests.exceptions.ConnectionError("[Errno 111] Connection refused"), id="refused"),
    ],
)
def test_aws_engine_issue_retried_when_vault_cannot_have_acted(
    make_client: t.Callable[..., t.Any], vault_json: t.Any, error: Exception
) -> None:
    kit = make_client({("POST", "aws/sts/deploy"): [error, vault_json("aws_sts_assumed_role")]}, retries=3)
    creds = AwsEngine(kit.client).issue("deploy", kind="sts", ttl="15m")
    assert creds["access_key"] == "ASIAIOSFODNN7EXAMPLE"
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [("POST", "aws/sts/deploy", {"ttl": "900s"})] * 2


@pytest.mark.parametrize(
    ("operation", "method", "path"),
    [
        (lambda d: d(AWS_ROOT).read(), "GET", "aws-prod/config/root"),
        (lambda d: d(AWS_ROOT).client.write(d(AWS_ROOT).path(), {}), "POST", "aws-prod/config/root"),
        (lambda d: d(AWS_LEASE).read(), "GET", "aws-prod/config/lease"),
        (lambda d: d(AWS_LEASE).converge(Desired(fields={"lease": 60}), {}), "POST", "aws-prod/config/lease"),
        (lambda d: AwsEngine(d(AWS_ROOT).client, "/aws-prod/").rotate_root(), "POST", "aws-prod/config/rotate-root"),
        (lambda d: d(AWS_ROLE).read("deploy"), "GET", "aws-prod/roles/deploy"),
        (
            lambda d: d(AWS_ROLE).converge(Desired("deploy", fields={"credential_type": "iam_user"}), None),
            "POST",
            "aws-prod/roles/deploy",
        ),
        (lambda d: d(AWS_ROLE).converge(Desired("deploy", "absent"), {}), "DELETE", "aws-prod/roles/deploy"),
        (lambda d: d(AWS_ROLE).list(), "LIST", "aws-prod/roles"),
        (lambda d: d(AWS_STATIC_ROLE).read("svc"), "GET", "aws-prod/static-roles/svc"),
        (
            lambda d: d(AWS_STATIC_ROLE).converge(Desired("svc", fields={"username": "u"}), None),
            "POST",
            "aws-prod/static-roles/svc",
        ),
        (lambda d: d(AWS_STATIC_ROLE).converge(Desired("svc", "absent"), {}), "DELETE", "aws-prod/static-roles/svc"),
    ],
)
def test_aws_engine_paths(
    make_client: t.Callable[..., t.Any],
    operation: t.Callable[[t.Callable[[Resource], Driver]], t.Any],
    method: str,
    path: str,
) -> None:
    kit = make_client()
    operation(lambda resource: Driver(kit.client, resource, "/aws-prod/", mount_checked=True))
    assert [(c.method, c.path) for c in kit.fake.calls] == [(method, path)]


def test_aws_engine_rotate_root_returns_data(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("POST", "aws/config/rotate-root"): {"data": {"access_key": "AKIANEW"}}})
    assert AwsEngine(kit.client).rotate_root() == {"access_key": "AKIANEW"}


# --- leases ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ({"data": {"id": "aws/creds/x/1", "ttl": 100}}, {"id": "aws/creds/x/1", "ttl": 100}),
        (hvac.exceptions.InvalidRequest(errors=["invalid lease"]), None),
    ],
)
def test_leases_lookup(make_client: t.Callable[..., t.Any], outcome: t.Any, expected: t.Any) -> None:
    kit = make_client({("PUT", "sys/leases/lookup"): outcome})
    assert Leases(kit.client).lookup("aws/creds/x/1") == expected
    assert [(c.method, c.json) for c in kit.fake.calls] == [("PUT", {"lease_id": "aws/creds/x/1"})]


def test_leases_lookup_other_errors_raise(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("PUT", "sys/leases/lookup"): hvac.exceptions.Forbidden(errors=["permission denied"])})
    with pytest.raises(VaultOpsError) as exc_info:
        Leases(kit.client).lookup("aws/creds/x/1")
    assert exc_info.value.status == 403


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(hvac.exceptions.InternalServerError(errors=["boom"]), id="500"),
        pytest.param(requests.exceptions.ReadTimeout("read timed out"), id="read-timeout"),
        pytest.param(hvac.exceptions.RateLimitExceeded(errors=["rate limited"]), id="429"),
    ],
)
def test_leases_renew_and_revoke_are_single_requests(make_client: t.Callable[..., t.Any], error: Exception) -> None:
    kit = make_client({("PUT", "sys/leases/renew"): [error, {}], ("PUT", "sys/leases/revoke"): [error, {}]}, retries=3)
    leases = Leases(kit.client)
    with pytest.raises(VaultOpsError):
        leases.renew("aws/creds/x/1", 600)
    with pytest.raises(VaultOpsError):
        leases.revoke("aws/creds/x/1")
    assert [(c.path, c.json) for c in kit.fake.calls] == [
        ("sys/leases/renew", {"lease_id": "aws/creds/x/1", "increment": 600}),
        ("sys/leases/revoke", {"lease_id": "aws/creds/x/1"}),
    ]
    assert kit.sleeps == []


def test_leases_renew_and_revoke_retried_while_sealed(make_client: t.Callable[..., t.Any]) -> None:
    sealed = hvac.exceptions.VaultDown(errors=["Vault is sealed"])
    renewed = {"lease_id": "aws/creds/x/1", "lease_duration": 600, "renewable": True}
    kit = make_client(
        {("PUT", "sys/leases/renew"): [sealed, renewed], ("PUT", "sys/leases/revoke"): [sealed, sealed, None]},
        retries=3,
    )
    leases = Leases(kit.client)
    assert leases.renew("aws/creds/x/1", 600) == renewed
    assert leases.revoke("aws/creds/x/1") is None
    assert [(c.path, c.json) for c in kit.fake.calls] == [
        ("sys/leases/renew", {"lease_id": "aws/creds/x/1", "increment": 600}),
        ("sys/leases/renew", {"lease_id": "aws/creds/x/1", "increment": 600}),
        ("sys/leases/revoke", {"lease_id": "aws/creds/x/1"}),
        ("sys/leases/revoke", {"lease_id": "aws/creds/x/1"}),
        ("sys/leases/revoke", {"lease_id": "aws/creds/x/1"}),
    ]
    assert kit.sleeps == [0.5, 0.5, 1.0]


@pytest.mark.parametrize("kwargs", [{"ttl": "15m"}, {"role_arn": ROLE_ARN}, {"role_session_name": "ci"}])
def test_static_creds_refuse_what_does_not_apply(make_client: t.Callable[..., t.Any], kwargs: dict[str, t.Any]) -> None:
    kit = make_client()
    with pytest.raises(ValidationError, match="does not apply to static-creds"):
        AwsEngine(kit.client).issue("svc", kind="static-creds", **kwargs)
    assert kit.fake.calls == []
