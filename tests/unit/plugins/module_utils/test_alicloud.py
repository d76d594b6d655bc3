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

from ansible_collections.vaultops.cloud.plugins.module_utils._alicloud import (
    ALICLOUD_CONFIG,
    ALICLOUD_CONFIG_SPEC,
    ALICLOUD_KINDS,
    ALICLOUD_NAME,
    ALICLOUD_ROLE,
    ALICLOUD_ROLE_SPEC,
    AliCloudEngine,
    alicloud_role_payload,
    alicloud_role_rules,
    check_alicloud_role,
    implied_alicloud_role,
    inline_documents,
    inline_wire,
    normalise_alicloud_creds,
    normalise_inline,
    normalise_remote,
    remote_wire,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import (
    ValidationError,
    differences,
    normalise_record,
    validate,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._driver import Desired, Driver, Resource

NOW = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
ROLE_ARN = "acs:ram::5138828231865461:role/hastrustedactors"
OSS = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:*"], "Resource": ["acs:oss:*:*:*"]}]}
RDS = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["rds:*"], "Resource": ["acs:rds:*:*:*"]}]}
OSS_JSON = '{"Statement":[{"Action":["oss:*"],"Effect":"Allow","Resource":["acs:oss:*:*:*"]}],"Version":"1"}'
RDS_JSON = '{"Statement":[{"Action":["rds:*"],"Effect":"Allow","Resource":["acs:rds:*:*:*"]}],"Version":"1"}'
OSS_RO = {"name": "AliyunOSSReadOnlyAccess", "type": "System"}
RDS_RO = {"name": "AliyunRDSReadOnlyAccess", "type": "System"}

# what the engine returns for inline policies: a fresh hash per document on every write
ENGINE_INLINE = [
    {"hash": "0b321e3eadf734fee8eae065411efdd3", "policy_document": RDS},
    {"hash": "5d3f0c1a9e6b4c2d8f7a1b0c9d8e7f6a", "policy_document": OSS},
]
ENGINE_INLINE_REHASHED = [
    {"hash": "a3c2f1e0d9b8a7f6e5d4c3b2a1f0e9d8", "policy_document": OSS},
    {"hash": "ffeeddccbbaa99887766554433221100", "policy_document": RDS},
]

# creds/<role> of a RAM role and of an STS role (path_creds.go)
RAM_CREDS = {
    "request_id": "0d0a3c1e-5e4b-7a7c-d5b1-3f2d1c0b9a87",
    "lease_id": "alicloud/creds/deploy/Hh3ZaTB3FwoGzEyc2K2NqLk4",
    "renewable": True,
    "lease_duration": 3600,
    "data": {"access_key": "LTAI5tRAMEXAMPLE", "secret_key": "ramSecretEXAMPLEd3f0c1a9e6b4c2d8"},
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}
STS_CREDS = {
    "request_id": "7b5aa6a7-491e-c873-0105-de170522fd13",
    "lease_id": "alicloud/creds/sts/n1CrcBjtAAUC7rTfLtSUfSxJ",
    "renewable": False,
    "lease_duration": 3599,
    "data": {
        "access_key": "STS.L4aBSCSJVMuKg5U1vFDw",
        "secret_key": "wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pKCNZ9",
        "security_token": "CAESrAIIARKAAShQquMnLIlbvEcIxO6wCoqJufs8sWwieUxu45hS9AvKNEte8KRUWiJWJ6Y",
        "expiration": "2025-01-02T04:04:04Z",
    },
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}


# --- inline policies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param([OSS, RDS], id="data"),
        pytest.param([RDS, OSS], id="data-other-order"),
        pytest.param([OSS_JSON, json.dumps(RDS, indent=2)], id="json-strings"),
        pytest.param([OSS, RDS_JSON], id="data-and-json"),
        pytest.param(json.dumps([RDS, OSS]), id="whole-list-as-json"),
        pytest.param(ENGINE_INLINE, id="engine-form"),
        pytest.param(ENGINE_INLINE_REHASHED, id="engine-form-rehashed"),
        pytest.param([{"policy_document": OSS}, RDS], id="engine-entry-without-hash"),
        pytest.param((OSS, RDS), id="tuple"),
    ],
)
def test_normalise_inline_equal_forms(value: t.Any) -> None:
    assert normalise_inline(value) == [OSS, RDS]  # by hand: '..."oss:*"...' sorts before '..."rds:*"...'
    assert normalise_inline(value) == sorted([OSS, RDS], key=lambda d: json.dumps(d, sort_keys=True))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, [], id="none"),
        pytest.param([], [], id="empty-list"),
        pytest.param("", [], id="empty-string"),
        pytest.param("  ", [], id="blank-string"),
        pytest.param("[]", [], id="empty-json-list"),
        pytest.param(OSS, [OSS], id="single-document"),
        pytest.param(OSS_JSON, [OSS], id="single-document-json"),
        pytest.param(OSS_JSON.encode(), [OSS], id="bytes"),
    ],
)
def test_normalise_inline_edge_forms(value: t.Any, expected: list[t.Any]) -> None:
    assert normalise_inline(value) == expected


@pytest.mark.parametrize(
    ("user", "engine"),
    [
        pytest.param([OSS], [{"hash": "x", "policy_document": RDS}], id="other-document"),
        pytest.param([OSS, RDS], ENGINE_INLINE[:1], id="one-missing"),
        pytest.param([OSS, OSS], [{"hash": "x", "policy_document": OSS}], id="duplicate-counts"),
        pytest.param(
            [{**OSS, "Version": 1}], [{"hash": "x", "policy_document": OSS}], id="version-number-is-not-string"
        ),
        pytest.param([OSS], None, id="engine-null"),
    ],
)
def test_normalise_inline_different(user: t.Any, engine: t.Any) -> None:
    assert normalise_inline(user) != normalise_inline(engine)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param("{oops", "is not valid JSON", id="bad-json"),
        pytest.param(["{oops"], "item 1 is not valid JSON", id="bad-json-item"),
        pytest.param([OSS, "[1, 2]"], "item 2 must be a policy document (a JSON object), got list", id="list-item"),
        pytest.param([OSS, 3], "item 2 must be a policy document (a JSON object), got int", id="number-item"),
        pytest.param([{}], "item 1 is an empty policy document", id="empty-document"),
        pytest.param(42, "must be a list of policy documents, got int", id="number"),
    ],
)
def test_inline_documents_refuses(value: t.Any, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        inline_documents(value)
    assert exc_info.value.field == "inline_policies"
    assert reason in exc_info.value.reason


def test_inline_wire_is_one_compact_json_string_in_user_order() -> None:
    wire = inline_wire([OSS, json.dumps(RDS, indent=4)])
    assert wire == f"[{OSS_JSON},{RDS_JSON}]"
    assert json.loads(wire) == [OSS, RDS]
    assert inline_wire([]) == "[]"


# --- remote policies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param([OSS_RO, RDS_RO], id="dicts"),
        pytest.param([RDS_RO, OSS_RO], id="dicts-other-order"),
        pytest.param(
            ["name:AliyunOSSReadOnlyAccess,type:System", "name:AliyunRDSReadOnlyAccess,type:System"], id="strings"
        ),
        pytest.param(
            ["type:System,name:AliyunRDSReadOnlyAccess", " name: AliyunOSSReadOnlyAccess , type: System "],
            id="strings-keys-swapped-and-spaced",
        ),
        pytest.param([OSS_RO, "name:AliyunRDSReadOnlyAccess,type:System"], id="mixed"),
        pytest.param([{"type": "System", "name": "AliyunRDSReadOnlyAccess"}, OSS_RO], id="engine-form"),
    ],
)
def test_normalise_remote_equal_forms(value: t.Any) -> None:
    assert normalise_remote(value) == [OSS_RO, RDS_RO]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, [], id="none-is-engine-null"),
        pytest.param([], [], id="empty"),
        pytest.param("", [], id="empty-string"),
        pytest.param("name:AliyunOSSReadOnlyAccess,type:System", [OSS_RO], id="single-string"),
        pytest.param(OSS_RO, [OSS_RO], id="single-dict"),
    ],
)
def test_normalise_remote_edge_forms(value: t.Any, expected: list[t.Any]) -> None:
    assert normalise_remote(value) == expected


@pytest.mark.parametrize(
    ("user", "engine"),
    [
        pytest.param([OSS_RO], [{"name": "AliyunOSSReadOnlyAccess", "type": "Custom"}], id="type-differs"),
        pytest.param([OSS_RO, RDS_RO], [OSS_RO], id="one-missing"),
        pytest.param([OSS_RO], None, id="engine-null"),
    ],
)
def test_normalise_remote_different(user: t.Any, engine: t.Any) -> None:
    assert normalise_remote(user) != normalise_remote(engine)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param([{"name": "X"}], "item 1 needs a type", id="no-type"),
        pytest.param(["type:System"], "item 1 needs a name", id="no-name-string"),
        pytest.param([{"name": "X", "type": "System", "id": 1}], "unknown keys id", id="unknown-key"),
        pytest.param(["name=X,type=System"], "is not of the form 'name:<name>,type:<type>'", id="equals"),
        pytest.param(["policy:X,type:System"], "is not of the form", id="unknown-string-key"),
        pytest.param(["name:a:b,type:System"], "is not of the form", id="colon-in-string"),
        pytest.param([{"name": "a,b", "type": "System"}], "must not contain ',' or ':'", id="comma-in-dict"),
        pytest.param(
            [OSS_RO, {"name": "X", "type": "system"}], "item 2: type must be one of System, Custom", id="type"
        ),
        pytest.param([3], "must be a dict with name and type, got int", id="number-item"),
        pytest.param(3, "must be a list of policies", id="number"),
    ],
)
def test_normalise_remote_refuses(value: t.Any, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        normalise_remote(value)
    assert exc_info.value.field == "remote_policies"
    assert reason in exc_info.value.reason


def test_remote_wire_in_user_order() -> None:
    assert remote_wire([RDS_RO, "type:Custom,name:team-oss"]) == [
        "name:AliyunRDSReadOnlyAccess,type:System",
        "name:team-oss,type:Custom",
    ]


# --- the spec kinds in the shared comparison helper -----------------------------------------------


def test_role_spec_kinds_compare_engine_answers() -> None:
    current = {
        "inline_policies": ENGINE_INLINE,
        "remote_policies": [RDS_RO, OSS_RO],
        "role_arn": "",
        "ttl": 3600,
        "max_ttl": 0,
    }
    desired = {
        "inline_policies": [OSS_JSON, RDS],
        "remote_policies": ["name:AliyunOSSReadOnlyAccess,type:System", RDS_RO],
        "role_arn": "",
        "ttl": "1h",
        "max_ttl": None,
    }
    assert differences(desired, current, ALICLOUD_ROLE_SPEC, ALICLOUD_KINDS) == {}
    assert normalise_record(current, ALICLOUD_ROLE_SPEC, ALICLOUD_KINDS) == {
        "inline_policies": [OSS, RDS],
        "remote_policies": [OSS_RO, RDS_RO],
        "role_arn": "",
        "ttl": 3600,
        "max_ttl": 0,
    }
    changed = differences({**desired, "inline_policies": [OSS]}, current, ALICLOUD_ROLE_SPEC, ALICLOUD_KINDS)
    assert changed == {"inline_policies": ([OSS, RDS], [OSS])}


def test_role_spec_null_lists_equal_empty() -> None:
    current = {"inline_policies": None, "remote_policies": None, "role_arn": ROLE_ARN, "ttl": 0, "max_ttl": 0}
    desired = {"inline_policies": [], "remote_policies": [], "role_arn": ROLE_ARN}
    assert differences(desired, current, ALICLOUD_ROLE_SPEC, ALICLOUD_KINDS) == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [("inline_policies", ["{oops"]), ("remote_policies", [{"name": "x"}]), ("ttl", "soon")],
)
def test_validate_names_the_field(field: str, value: t.Any) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate({field: value}, ALICLOUD_ROLE_SPEC, ALICLOUD_KINDS)
    assert exc_info.value.field == field


def test_config_spec_has_no_secret() -> None:
    assert ALICLOUD_CONFIG_SPEC == {"access_key": "str"}


# --- role rules -----------------------------------------------------------------------------------


UNSET: dict[str, t.Any] = dict.fromkeys(ALICLOUD_ROLE_SPEC)
RAM_ROLE = {"inline_policies": ENGINE_INLINE, "remote_policies": None, "role_arn": "", "ttl": 0, "max_ttl": 7200}
STS_ROLE = {"inline_policies": None, "remote_policies": None, "role_arn": ROLE_ARN, "ttl": 0, "max_ttl": 0}


@pytest.mark.parametrize(
    ("desired", "field", "reason"),
    [
        pytest.param(
            {"role_arn": ROLE_ARN, "inline_policies": [OSS]},
            "role_arn",
            "cannot be combined with inline_policies",
            id="arn-and-inline",
        ),
        pytest.param(
            {"role_arn": ROLE_ARN, "remote_policies": [OSS_RO]},
            "role_arn",
            "cannot be combined with remote_policies",
            id="arn-and-remote",
        ),
        pytest.param(
            {"role_arn": ROLE_ARN, "inline_policies": OSS_JSON, "remote_policies": [OSS_RO]},
            "role_arn",
            "cannot be combined with inline_policies or remote_policies",
            id="arn-and-both",
        ),
        pytest.param(
            {"remote_policies": [OSS_RO, "name:AliyunOSSReadOnlyAccess,type:System"]},
            "remote_policies",
            "lists AliyunOSSReadOnlyAccess (System) twice",
            id="duplicate-remote",
        ),
        pytest.param({"ttl": "2h", "max_ttl": "1h"}, "ttl", "(7200s) must not exceed max_ttl (3600s)", id="ttl"),
        pytest.param({"ttl": "1h", "max_ttl": "often"}, "max_ttl", "is not a duration", id="bad-duration"),
    ],
)
def test_alicloud_role_rules_refuse(desired: dict[str, t.Any], field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        alicloud_role_rules({**UNSET, **desired})
    assert exc_info.value.field == field
    assert reason in exc_info.value.reason


@pytest.mark.parametrize(
    ("desired", "implied"),
    [
        pytest.param({"role_arn": ROLE_ARN}, {"inline_policies": [], "remote_policies": []}, id="arn-clears-policies"),
        pytest.param(
            {"role_arn": ROLE_ARN, "inline_policies": [], "remote_policies": []},
            {},
            id="arn-with-empty-policies-allowed",
        ),
        pytest.param({"inline_policies": [OSS]}, {"role_arn": ""}, id="inline-clears-arn"),
        pytest.param({"remote_policies": [OSS_RO]}, {"role_arn": ""}, id="remote-clears-arn"),
        pytest.param({"role_arn": "", "inline_policies": [OSS]}, {}, id="explicit-empty-arn-with-policies"),
        pytest.param({"ttl": "1h"}, {}, id="ttl-only-implies-nothing"),
        pytest.param({"inline_policies": []}, {}, id="empty-inline-implies-nothing"),
        pytest.param({"ttl": "2h", "max_ttl": 0}, {}, id="max-ttl-zero-is-no-maximum"),
    ],
)
def test_implied_alicloud_role(desired: dict[str, t.Any], implied: dict[str, t.Any]) -> None:
    assert implied_alicloud_role({**UNSET, **desired}) == {**UNSET, **desired, **implied}
    assert alicloud_role_rules({**UNSET, **desired}) is None


def test_the_role_check_returns_the_implied_fields() -> None:
    """The descriptor's check hook: the desired role with what its kind implies (sent, so a kind switch works)."""
    check = t.cast("t.Callable[..., t.Any]", ALICLOUD_ROLE.check)
    assert check({**UNSET, "role_arn": ROLE_ARN}, RAM_ROLE) == {
        **UNSET,
        "role_arn": ROLE_ARN,
        "inline_policies": [],
        "remote_policies": [],
    }
    assert check({**UNSET, "remote_policies": [OSS_RO]}, STS_ROLE) == {
        **UNSET,
        "remote_policies": [OSS_RO],
        "role_arn": "",
    }
    assert check({**UNSET, "ttl": 60}, STS_ROLE) == {**UNSET, "ttl": 60}


@pytest.mark.parametrize(
    ("desired", "current", "field", "reason"),
    [
        pytest.param({"ttl": "1h"}, None, "role_arn", "a role needs role_arn, or at least one policy", id="nothing"),
        pytest.param({"inline_policies": []}, RAM_ROLE, "role_arn", "a role needs role_arn", id="emptied"),
        pytest.param({"role_arn": ""}, STS_ROLE, "role_arn", "a role needs role_arn", id="arn-cleared"),
        pytest.param({"ttl": "3h"}, RAM_ROLE, "ttl", "(10800s) must not exceed max_ttl (7200s)", id="ttl-vs-stored"),
        pytest.param({"max_ttl": 60}, {**RAM_ROLE, "ttl": 120}, "ttl", "(120s) must not exceed", id="max-vs-stored"),
    ],
)
def test_check_alicloud_role_refuses(
    desired: dict[str, t.Any], current: dict[str, t.Any] | None, field: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as exc_info:
        t.cast("t.Callable[..., t.Any]", ALICLOUD_ROLE.check)({**UNSET, **desired}, current)
    assert exc_info.value.field == field
    assert reason in exc_info.value.reason


@pytest.mark.parametrize(
    ("desired", "current"),
    [
        pytest.param({"ttl": "1h"}, RAM_ROLE, id="ttl-only-update"),
        pytest.param({"role_arn": ROLE_ARN}, RAM_ROLE, id="ram-to-sts"),
        pytest.param({"remote_policies": [OSS_RO]}, STS_ROLE, id="sts-to-ram"),
        pytest.param({"inline_policies": []}, {**RAM_ROLE, "remote_policies": [OSS_RO]}, id="remote-remains"),
        pytest.param({"inline_policies": [OSS]}, None, id="create-ram"),
        pytest.param({"role_arn": ROLE_ARN, "ttl": 60}, None, id="create-sts"),
        pytest.param({"ttl": "3h", "max_ttl": 0}, RAM_ROLE, id="max-ttl-removed"),
    ],
)
def test_check_alicloud_role_accepts(desired: dict[str, t.Any], current: dict[str, t.Any] | None) -> None:
    assert check_alicloud_role(implied_alicloud_role({**UNSET, **desired}), current) is None


@pytest.mark.parametrize(
    ("desired", "payload"),
    [
        pytest.param(
            {"inline_policies": [OSS, RDS_JSON], "remote_policies": [RDS_RO], "ttl": "1h", "max_ttl": "12h"},
            {
                "inline_policies": f"[{OSS_JSON},{RDS_JSON}]",
                "remote_policies": ["name:AliyunRDSReadOnlyAccess,type:System"],
                "role_arn": "",
                "ttl": 3600,
                "max_ttl": 43200,
            },
            id="ram",
        ),
        pytest.param(
            {"role_arn": ROLE_ARN},
            {"role_arn": ROLE_ARN, "inline_policies": "[]", "remote_policies": []},
            id="sts-clears-policies",
        ),
        pytest.param({"ttl": 0}, {"ttl": 0}, id="only-what-is-set"),
    ],
)
def test_alicloud_role_payload(desired: dict[str, t.Any], payload: dict[str, t.Any]) -> None:
    assert alicloud_role_payload(implied_alicloud_role({**UNSET, **desired})) == payload


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("deploy", True),
        ("Deploy", True),
        ("team.deploy@prod-1", True),
        ("a", True),
        ("", False),
        ("a/b", False),
        ("-deploy", False),
        ("deploy-", False),
        ("de ploy", False),
        (None, False),
    ],
)
def test_role_name(name: t.Any, ok: bool) -> None:
    if ok:
        assert ALICLOUD_NAME.check(name) == name
    else:
        with pytest.raises(ValidationError) as exc_info:
            ALICLOUD_NAME.check(name)
        assert exc_info.value.field == "name"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a/b", "'a/b' is not a role name: letters, digits, _ . @ -, starting and ending with a letter or digit"),
        ("dé", "'dé' is not a role name"),
        ("x" * 129, "is 129 characters long; at most 128"),
    ],
)
def test_role_name_refusals_say_what_the_engine_takes(name: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        ALICLOUD_NAME.check(name, "roles[2].name")
    assert exc_info.value.field == "roles[2].name"
    assert reason in exc_info.value.reason


def test_role_names_are_keyed_in_lower_case() -> None:
    # the engine stores and lists role names in lower case: the bulk module compares them so
    assert ALICLOUD_NAME.key("STS") == "sts"
    assert ALICLOUD_NAME.key("team.Deploy@prod-1") == "team.deploy@prod-1"


# --- credentials ----------------------------------------------------------------------------------


def test_normalise_ram_creds() -> None:
    assert normalise_alicloud_creds(RAM_CREDS, now=NOW) == {
        "access_key": "LTAI5tRAMEXAMPLE",
        "secret_key": "ramSecretEXAMPLEd3f0c1a9e6b4c2d8",
        "lease_id": "alicloud/creds/deploy/Hh3ZaTB3FwoGzEyc2K2NqLk4",
        "lease_duration": 3600,
        "renewable": True,
        "expires_at": "2025-01-02T04:04:05Z",
    }


def test_normalise_sts_creds() -> None:
    assert normalise_alicloud_creds(STS_CREDS, now=NOW) == {
        "access_key": "STS.L4aBSCSJVMuKg5U1vFDw",
        "secret_key": "wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pKCNZ9",
        "security_token": STS_CREDS["data"]["security_token"],
        "expiration": "2025-01-02T04:04:04Z",
        "lease_id": "alicloud/creds/sts/n1CrcBjtAAUC7rTfLtSUfSxJ",
        "lease_duration": 3599,
        "renewable": False,
        "expires_at": "2025-01-02T04:04:04Z",
    }


@pytest.mark.parametrize(("response", "role"), [(RAM_CREDS, "deploy"), (STS_CREDS, "sts")])
def test_alicloud_engine_issue(make_client: t.Callable[..., t.Any], response: dict[str, t.Any], role: str) -> None:
    kit = make_client({("GET", f"ali-prod/creds/{role}"): response})
    creds = AliCloudEngine(kit.client, "/ali-prod/").issue(role)
    assert creds["access_key"] == response["data"]["access_key"]
    assert creds["lease_id"] == response["lease_id"]
    assert ("security_token" in creds) is (role == "sts")
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [("GET", f"ali-prod/creds/{role}", None)]


def test_alicloud_engine_issue_refuses_bad_role(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    with pytest.raises(ValidationError) as exc_info:
        AliCloudEngine(kit.client).issue("../sys/seal")
    assert exc_info.value.field == "role"
    assert kit.fake.calls == []


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(hvac.exceptions.InternalServerError(errors=["CreateUser failed"]), id="500"),
        pytest.param(requests.exceptions.ReadTimeout("read timed out"), id="read-timeout"),
    ],
)
def test_alicloud_engine_issue_is_not_retried(make_client: t.Callable[..., t.Any], error: Exception) -> None:
    kit = make_client({("GET", "alicloud/creds/deploy"): [error, RAM_CREDS]}, retries=3)
    with pytest.raises(VaultOpsError):
        AliCloudEngine(kit.client).issue("deploy")
    assert len(kit.fake.calls) == 1


def test_alicloud_engine_issue_retried_while_sealed(make_client: t.Callable[..., t.Any]) -> None:
    sealed = hvac.exceptions.VaultDown(errors=["Vault is sealed"])
    kit = make_client({("GET", "alicloud/creds/deploy"): [sealed, RAM_CREDS]}, retries=3)
    assert AliCloudEngine(kit.client).issue("deploy")["access_key"] == "LTAI5tRAMEXAMPLE"
    assert len(kit.fake.calls) == 2


def test_alicloud_engine_issue_missing_role(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()  # the engine answers 404 for a role that does not exist
    with pytest.raises(VaultOpsError) as exc_info:
        AliCloudEngine(kit.client).issue("nope")
    assert exc_info.value.status == 404
    assert len(kit.fake.calls) == 1


# --- paths: the descriptors through the driver ----------------------------------------------------


def driver(kit: t.Any, resource: Resource, mount: str = "/ali-prod/") -> Driver:
    return Driver(kit.client, resource, mount, mount_checked=True)


STORED_ROLE = {"role_arn": ROLE_ARN}


@pytest.mark.parametrize(
    ("operation", "method", "path"),
    [
        (lambda k: driver(k, ALICLOUD_CONFIG).read(), "GET", "ali-prod/config"),
        (
            lambda k: driver(k, ALICLOUD_CONFIG).converge(
                Desired(fields={"access_key": "a"}, secrets={"secret_key": "b"}), None
            ),
            "POST",
            "ali-prod/config",
        ),
        (
            lambda k: driver(k, ALICLOUD_CONFIG).converge(Desired(state="absent"), {"access_key": "a"}),
            "DELETE",
            "ali-prod/config",
        ),
        (lambda k: driver(k, ALICLOUD_ROLE).read("deploy"), "GET", "ali-prod/role/deploy"),
        (
            lambda k: driver(k, ALICLOUD_ROLE).converge(Desired("deploy", fields={"role_arn": ROLE_ARN}), None),
            "POST",
            "ali-prod/role/deploy",
        ),
        (
            lambda k: driver(k, ALICLOUD_ROLE).converge(Desired("deploy", state="absent"), STORED_ROLE),
            "DELETE",
            "ali-prod/role/deploy",
        ),
        (lambda k: driver(k, ALICLOUD_ROLE).list(), "LIST", "ali-prod/role"),
    ],
)
def test_alicloud_paths(
    make_client: t.Callable[..., t.Any],
    operation: t.Callable[[t.Any], t.Any],
    method: str,
    path: str,
) -> None:
    kit = make_client()
    operation(kit)
    assert [(c.method, c.path) for c in kit.fake.calls] == [(method, path)]


def test_alicloud_default_mount_and_answers(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client(
        {
            ("GET", "alicloud/config"): {"data": {"access_key": "LTAIx"}},
            ("LIST", "alicloud/role"): {"data": {"keys": ["deploy", "sts"]}},
        }
    )
    assert driver(kit, ALICLOUD_CONFIG, "alicloud").read() == {"access_key": "LTAIx"}
    roles = driver(kit, ALICLOUD_ROLE, "alicloud")
    assert roles.list() == ["deploy", "sts"]
    assert roles.read("nope") is None
    assert roles.converge(Desired("gone", state="absent"), STORED_ROLE).changed is True
    assert AliCloudEngine(kit.client).mount == "alicloud"


def test_alicloud_role_write_returns_warnings(make_client: t.Callable[..., t.Any]) -> None:
    warning = "role_arn is set so ttl and max_ttl will be ignored because they're not editable on STS tokens"
    kit = make_client({("POST", "alicloud/role/sts"): {"data": None, "warnings": [warning]}})
    roles = driver(kit, ALICLOUD_ROLE, "alicloud")
    assert roles.converge(Desired("sts", fields={"role_arn": ROLE_ARN, "ttl": 60}), None).warnings == [warning]
    assert roles.converge(Desired("other", fields={"role_arn": ROLE_ARN}), None).warnings == []  # 204


def test_alicloud_refuses_bad_role_names(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    with pytest.raises(ValidationError):
        Driver(kit.client, ALICLOUD_ROLE, "alicloud").converge(Desired("a/b", fields={"role_arn": ROLE_ARN}))
    assert kit.fake.calls == []
    assert kit.fake.adapter.calls == []  # not even the mount check
