# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import datetime
import json
import typing as t

import hvac.exceptions
import pytest
import requests

from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import NORMALISERS, ValidationError, validate
from ansible_collections.vaultops.cloud.plugins.module_utils._driver import Desired, Driver, Resource
from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import (
    BINDINGS,
    GCP_CONFIG,
    GCP_CONFIG_SPEC,
    GCP_IMPERSONATED_ACCOUNT,
    GCP_KINDS,
    GCP_NAME,
    GCP_ROLESET,
    GCP_ROLESET_NAME,
    GCP_ROLESET_SPEC,
    GCP_ROTATIONS,
    GCP_STATIC_ACCOUNT,
    GCP_STATIC_ACCOUNT_SPEC,
    GcpEngine,
    bindings_to_wire,
    credentials_json,
    normalise_bindings,
    normalise_gcp_key,
    normalise_gcp_token,
    parse_bindings_hcl,
    prepare,
    update_payload,
    validate_gcp_impersonated,
    validate_gcp_roleset,
    validate_gcp_static_account,
)

NOW = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
PROJECT = "//cloudresourcemanager.googleapis.com/projects/my-proj"
TOPIC = "projects/my-proj/topics/deploys"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
EMAIL = "ci@my-proj.iam.gserviceaccount.com"

# the engine's own rendering of bindings (util/bindings_template): tabs, trailing commas, Go map order
ENGINE_TEMPLATE = (
    f'resource "{TOPIC}" {{\n\troles = [\n\t\t"roles/pubsub.publisher",],\n}}\n\n'
    f'resource "{PROJECT}" {{\n\troles = [\n\t\t"roles/viewer",\t\t"roles/storage.objectViewer",],\n}}\n\n'
)
EXPECTED = {PROJECT: ["roles/storage.objectViewer", "roles/viewer"], TOPIC: ["roles/pubsub.publisher"]}

# what the engine's read handlers return (path_role_set.go pathRoleSetRead, path_static_account.go ...)
ROLESET_READ = {
    "request_id": "0b7c2f9e-5d41-4d7a-9a63-1f0e2c3b4a59",
    "lease_id": "",
    "renewable": False,
    "lease_duration": 0,
    "data": {
        "secret_type": "access_token",
        "bindings": {PROJECT: ["roles/viewer", "roles/storage.objectViewer"], TOPIC: ["roles/pubsub.publisher"]},
        "service_account_email": "vaultreader-1700000000@my-proj.iam.gserviceaccount.com",
        "project": "my-proj",
        "token_scopes": [SCOPE],
    },
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}
TOKEN_RESPONSE = {
    "request_id": "7f3f4a52-2c1b-4d0a-8f7e-3a9b6c5d4e21",
    "lease_id": "",
    "renewable": False,
    "lease_duration": 0,
    "data": {"token": "ya29.c.EXAMPLE-ACCESS-TOKEN", "token_ttl": 3599, "expires_at_seconds": 1735790645},
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}
KEY_DATA = base64.b64encode(b'{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----"}').decode()
KEY_RESPONSE = {
    "request_id": "c2d5e8f1-4a3b-4c6d-9e0f-1a2b3c4d5e6f",
    "lease_id": "gcp/roleset/deployer/key/Hx4lKZ0m9sQeT2bR8cVwN1yA",
    "renewable": True,
    "lease_duration": 3600,
    "data": {
        "private_key_data": KEY_DATA,
        "key_algorithm": "KEY_ALG_RSA_2048",
        "key_type": "TYPE_GOOGLE_CREDENTIALS_FILE",
    },
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}


# --- bindings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, {}, id="none"),
        pytest.param("", {}, id="empty-string"),
        pytest.param("  \n", {}, id="blank-string"),
        pytest.param({}, {}, id="empty-dict"),
        pytest.param([], {}, id="empty-list"),
        pytest.param(
            {PROJECT: ["roles/viewer", "roles/storage.objectViewer", "roles/viewer"]},
            {PROJECT: ["roles/storage.objectViewer", "roles/viewer"]},
            id="dict-sorted-unique",
        ),
        pytest.param({PROJECT: "roles/viewer"}, {PROJECT: ["roles/viewer"]}, id="single-role-string"),
        pytest.param({PROJECT: {"roles": ["roles/viewer"]}}, {PROJECT: ["roles/viewer"]}, id="roles-key"),
        pytest.param(
            [
                {"resource": TOPIC, "roles": ["roles/pubsub.publisher"]},
                {"resource": PROJECT, "roles": ["roles/viewer"]},
                {"resource": PROJECT, "roles": ["roles/storage.objectViewer"]},
            ],
            EXPECTED,
            id="list-merged",
        ),
        pytest.param(
            {"a": ["projects/p/roles/custom", "organizations/1/roles/org", "roles/x"]},
            {"a": ["organizations/1/roles/org", "projects/p/roles/custom", "roles/x"]},
            id="custom-role-forms",
        ),
        pytest.param(ENGINE_TEMPLATE, EXPECTED, id="engine-template-hcl"),
        pytest.param(
            base64.b64encode(ENGINE_TEMPLATE.encode()).decode(),
            EXPECTED,
            id="base64-hcl",
        ),
        pytest.param(
            json.dumps(
                {
                    "resource": {
                        PROJECT: {"roles": ["roles/viewer", "roles/storage.objectViewer"]},
                        TOPIC: {"roles": ["roles/pubsub.publisher"]},
                    }
                }
            ),
            EXPECTED,
            id="hcl-json",
        ),
        pytest.param(
            {
                "resource": [
                    {PROJECT: {"roles": ["roles/viewer"]}},
                    {PROJECT: [{"roles": ["roles/storage.objectViewer"]}]},
                ]
            },
            {PROJECT: ["roles/storage.objectViewer", "roles/viewer"]},
            id="hcl-json-blocks-as-data",
        ),
        pytest.param(json.dumps({PROJECT: ["roles/viewer"]}), {PROJECT: ["roles/viewer"]}, id="json-simple"),
        pytest.param(
            '# a comment\nresource "r" { // roles\n  roles = ["roles/a" /* x */, "roles/b"]\n  roles = ["roles/c"]\n}\n'
            '"resource" "r" {\n  "roles" = ["roles/d"],\n}',
            {"r": ["roles/a", "roles/b", "roles/c", "roles/d"]},
            id="hcl-comments-repeats-quoted-keys",
        ),
        pytest.param(
            {'odd "name" \\ ü': ["roles/x"]},
            {'odd "name" \\ ü': ["roles/x"]},
            id="escapes",
        ),
    ],
)
def test_normalise_bindings(value: t.Any, expected: dict[str, list[str]]) -> None:
    assert normalise_bindings(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param({PROJECT: ["viewer"]}, "role 'viewer' of resource", id="bare-role"),
        pytest.param({PROJECT: ["roles/"]}, "must have the form", id="empty-role-name"),
        pytest.param({PROJECT: ["projects/p/x/y"]}, "must have the form", id="four-parts-not-roles"),
        pytest.param({PROJECT: ["folders/1/roles/x"]}, "must have the form", id="folder-role"),
        pytest.param({PROJECT: [3]}, "is not a string", id="number-role"),
        pytest.param({PROJECT: []}, "has no roles", id="empty-roles"),
        pytest.param({PROJECT: None}, "has no roles", id="null-roles"),
        pytest.param({"": ["roles/x"]}, "non-empty strings", id="empty-resource"),
        pytest.param({PROJECT: {"role": ["roles/x"]}}, "must map to a list of roles", id="wrong-inner-key"),
        pytest.param({PROJECT: 5}, "must be a list", id="number-roles"),
        pytest.param([{"name": PROJECT}], "list items must be", id="list-without-resource"),
        pytest.param([{"resource": PROJECT, "roles": ["roles/x"], "extra": 1}], "list items must be", id="list-extra"),
        pytest.param(5, "must be a dict", id="number"),
        pytest.param("{oops", "is not valid JSON", id="bad-json"),
        pytest.param(
            'resource "r" { roles = ["roles/a" }', "expected a quoted role, found '}'", id="hcl-unclosed-list"
        ),
        pytest.param('resource "r" { members = ["roles/a"] }', 'expected "roles"', id="hcl-wrong-key"),
        pytest.param('module "r" { roles = ["roles/a"] }', 'expected "resource"', id="hcl-wrong-block"),
        pytest.param('resource r { roles = ["roles/a"] }', "a quoted resource name", id="hcl-unquoted-name"),
        pytest.param('resource "r" { roles = ["roles/a"]', "expected '}'", id="hcl-unclosed-block"),
        pytest.param(
            'resource "r" { roles = ["roles/a"] } ;', "cannot parse the bindings HCL at line 1", id="hcl-junk"
        ),
        pytest.param('resource "r" {\n roles = ["x"]\n}', "role 'x' of resource 'r'", id="hcl-bad-role"),
        pytest.param('resource "r" "{" roles = ["roles/a"] }', "expected '{', found '{'", id="hcl-string-not-brace"),
        pytest.param(
            'resource "r" { roles = ["roles/a" "]" }', "expected a quoted role, found '}'", id="hcl-string-not-bracket"
        ),
        pytest.param('resource "r" { roles = ["roles/\\x"] }', "bad escape", id="hcl-bad-escape"),
    ],
)
def test_normalise_bindings_refuses(value: t.Any, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        normalise_bindings(value)
    assert exc_info.value.field == "bindings"
    assert reason in exc_info.value.reason


def test_normalise_bindings_names_the_field() -> None:
    with pytest.raises(ValidationError) as exc_info:
        normalise_bindings({"r": ["x"]}, "my_field")
    assert exc_info.value.field == "my_field"


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        pytest.param({}, "", id="empty"),
        pytest.param(
            {PROJECT: ["roles/viewer", "roles/storage.objectViewer"]},
            f'resource "{PROJECT}" {{\n  roles = [\n    "roles/storage.objectViewer",\n    "roles/viewer",\n  ]\n}}\n',
            id="one-resource-sorted",
        ),
        pytest.param(
            [{"resource": "b", "roles": ["roles/y"]}, {"resource": "a", "roles": ["roles/x"]}],
            'resource "a" {\n  roles = [\n    "roles/x",\n  ]\n}\n\n'
            'resource "b" {\n  roles = [\n    "roles/y",\n  ]\n}\n',
            id="resources-sorted",
        ),
        pytest.param(
            {'q"\\': ["roles/x"]},
            'resource "q\\"\\\\" {\n  roles = [\n    "roles/x",\n  ]\n}\n',
            id="escaped",
        ),
    ],
)
def test_bindings_to_wire(value: t.Any, wire: str) -> None:
    assert bindings_to_wire(value) == wire


@pytest.mark.parametrize(
    "value",
    [
        EXPECTED,
        {"b": ["roles/y", "roles/x"], "a": ["projects/p/roles/z"]},
        {'odd "name" \\ ü': ["roles/x"]},
        [{"resource": "r", "roles": ["roles/b", "roles/a", "roles/b"]}],
    ],
)
def test_bindings_wire_round_trips(value: t.Any) -> None:
    wire = bindings_to_wire(value)
    assert normalise_bindings(wire) == normalise_bindings(value)
    # the same data always renders the same text: the engine hashes the text it was sent
    assert bindings_to_wire(normalise_bindings(wire)) == wire


def test_bindings_equal_data_renders_equal_text() -> None:
    one = {PROJECT: ["roles/viewer", "roles/storage.objectViewer"], TOPIC: ["roles/pubsub.publisher"]}
    two = [
        {"resource": TOPIC, "roles": ["roles/pubsub.publisher", "roles/pubsub.publisher"]},
        {"resource": PROJECT, "roles": ["roles/storage.objectViewer", "roles/viewer"]},
    ]
    assert bindings_to_wire(one) == bindings_to_wire(two) == bindings_to_wire(ENGINE_TEMPLATE)


def test_parse_bindings_hcl_keeps_entries() -> None:
    assert parse_bindings_hcl('resource "a" { roles = [] }\nresource "a" { roles = ["roles/x",] }') == [
        {"resource": "a", "roles": []},
        {"resource": "a", "roles": ["roles/x"]},
    ]


# --- specs and records ----------------------------------------------------------------------------


def test_bindings_kind_extends_the_shared_table() -> None:
    # was test_compare_spec_maps_bindings_to_raw: compare_spec is gone; bindings are a declared kind now
    assert GCP_ROLESET.fields == {
        "project": "str",
        "secret_type": "str",
        "bindings": BINDINGS,
        "token_scopes": "list",
    }
    assert GCP_CONFIG.fields == GCP_CONFIG_SPEC
    assert GCP_KINDS[BINDINGS] is normalise_bindings
    assert {k: v for k, v in GCP_KINDS.items() if k != BINDINGS} == NORMALISERS
    assert all(r.kinds is GCP_KINDS for r in (GCP_CONFIG, GCP_ROLESET, GCP_STATIC_ACCOUNT, GCP_IMPERSONATED_ACCOUNT))


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (None, None),
        ({"secret_type": "access_token"}, {"secret_type": "access_token", "bindings": {}}),
        (
            {"bindings": {"r": ["roles/b", "roles/a"]}, "x": 1},
            {"bindings": {"r": ["roles/a", "roles/b"]}, "x": 1},
        ),
    ],
)
def test_prepare(record: dict[str, t.Any] | None, expected: dict[str, t.Any] | None) -> None:
    assert prepare(record, GCP_STATIC_ACCOUNT_SPEC) == expected


def validate_gcp(desired: dict[str, t.Any], resource: Resource) -> dict[str, t.Any]:
    """What the driver checks of a resource's desired fields before any request."""
    return validate(desired, resource.fields, resource.kinds)


def test_validate_gcp_normalises_every_set_field() -> None:
    desired = {
        "service_account_email": "CI@My-Proj.iam.gserviceaccount.com",
        "token_scopes": ["b", "a", "b"],
        "ttl": "15m",
    }
    assert validate_gcp(desired, GCP_IMPERSONATED_ACCOUNT) == {
        "service_account_email": EMAIL,
        "token_scopes": ["a", "b"],
        "ttl": 900,
    }
    assert validate_gcp({"bindings": {"r": "roles/a"}, "project": None}, GCP_ROLESET) == {
        "bindings": {"r": ["roles/a"]}
    }


@pytest.mark.parametrize(
    ("desired", "resource", "field"),
    [
        ({"ttl": "soon"}, GCP_IMPERSONATED_ACCOUNT, "ttl"),
        ({"bindings": {"r": ["x"]}}, GCP_ROLESET, "bindings"),
        ({"max_ttl": -5}, GCP_CONFIG, "max_ttl"),
    ],
)
def test_validate_gcp_names_the_field(desired: dict[str, t.Any], resource: Resource, field: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_gcp(desired, resource)
    assert exc_info.value.field == field


@pytest.mark.parametrize("name", ["reader", "a", "a.b-c_d", "R2", "x1"])
def test_check_name_accepts(name: str) -> None:
    assert GCP_NAME.check(name) == name


@pytest.mark.parametrize("name", ["", "-a", "a-", "a/b", "a b", ".a", "a.", "é", "a\n", None])
def test_check_name_refuses(name: t.Any) -> None:
    with pytest.raises(ValidationError) as exc_info:
        GCP_NAME.check(name)
    assert exc_info.value.field == "name"
    with pytest.raises(ValidationError):
        GCP_ROLESET_NAME.check(name)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a/b", "'a/b' is not a valid name (ASCII letters, digits, '_', '-' and '.'"),
        ("../config", "is not a valid name"),
        ("x" * 129, "at most 128"),
    ],
)
def test_check_name_says_what_the_engine_takes(name: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        GCP_NAME.check(name)
    assert reason in exc_info.value.reason


def test_roleset_names_are_lower_case() -> None:
    assert GCP_ROLESET_NAME.check("reader-2") == "reader-2"
    with pytest.raises(ValidationError) as exc_info:
        GCP_ROLESET_NAME.check("It-Upper")
    assert exc_info.value.field == "name"
    assert "'It-Upper' has upper-case letters" in exc_info.value.reason
    assert GCP_NAME.check("It-Upper") == "It-Upper"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"type": "service_account", "b": 1}, '{"b":1,"type":"service_account"}'),
        (' {"type": "service_account"}\n', '{"type": "service_account"}'),
    ],
)
def test_credentials_json(value: t.Any, expected: str) -> None:
    assert credentials_json(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [("-----BEGIN PRIVATE KEY-----", "is not valid JSON"), ("[1]", "must be a JSON object"), ('"x"', "JSON object")],
)
def test_credentials_json_refuses_without_quoting(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        credentials_json(value)
    assert exc_info.value.field == "credentials"
    assert reason in exc_info.value.reason
    assert "PRIVATE" not in str(exc_info.value)


# --- payloads -------------------------------------------------------------------------------------

CURRENT_ROLESET = GCP_ROLESET.prepare(ROLESET_READ["data"])


@pytest.mark.parametrize(
    ("desired", "current", "keep", "payload"),
    [
        pytest.param(
            {"project": "p", "secret_type": "access_token", "bindings": {"r": ["roles/a"]}, "token_scopes": ["s"]},
            None,
            (),
            {
                "project": "p",
                "secret_type": "access_token",
                "bindings": 'resource "r" {\n  roles = [\n    "roles/a",\n  ]\n}\n',
                "token_scopes": ["s"],
            },
            id="create-sends-everything",
        ),
        pytest.param(
            {"service_account_email": EMAIL, "bindings": {}},
            None,
            (),
            {"service_account_email": EMAIL},
            id="create-without-empty-bindings",
        ),
        pytest.param(
            {"project": "my-proj", "bindings": EXPECTED, "token_scopes": [SCOPE]},
            CURRENT_ROLESET,
            (),
            {},
            id="update-nothing-differs",
        ),
        pytest.param(
            {"project": "my-proj", "bindings": EXPECTED, "token_scopes": ["b", "a"]},
            CURRENT_ROLESET,
            (),
            {"token_scopes": ["a", "b"]},
            id="update-scopes-only-keeps-bindings-out",
        ),
        pytest.param(
            {"bindings": {PROJECT: ["roles/viewer"]}},
            CURRENT_ROLESET,
            (),
            {"bindings": f'resource "{PROJECT}" {{\n  roles = [\n    "roles/viewer",\n  ]\n}}\n'},
            id="update-bindings",
        ),
        pytest.param(
            {"bindings": {}},
            {"secret_type": "service_account_key", "service_account_email": EMAIL, "bindings": {"r": ["roles/a"]}},
            ("secret_type", "service_account_email"),
            {"bindings": "", "secret_type": "service_account_key", "service_account_email": EMAIL},
            id="update-clears-bindings-keeps-fixed-fields",
        ),
        pytest.param(
            {"ttl": 60},
            {"ttl": 0, "max_ttl": 0, "service_account_email": ""},
            (),
            {"ttl": 60},
            id="config-merge",
        ),
    ],
)
def test_update_payload(
    desired: dict[str, t.Any],
    current: dict[str, t.Any] | None,
    keep: tuple[str, ...],
    payload: dict[str, t.Any],
) -> None:
    spec = {**GCP_ROLESET_SPEC, **GCP_STATIC_ACCOUNT_SPEC, **GCP_CONFIG_SPEC}
    assert update_payload(desired, current, spec, keep=keep) == payload


# --- immutable fields and recreation --------------------------------------------------------------


@pytest.fixture
def driver(make_client: t.Callable[..., t.Any]) -> t.Callable[[Resource], Driver]:
    """A driver on a fake client whose mount is known to be a gcp engine (no probe)."""
    kit = make_client()

    def make(resource: Resource) -> Driver:
        return Driver(kit.client, resource, "gcp", mount_checked=True)

    return make


@pytest.mark.parametrize(
    ("desired", "changed"),
    [
        ({"project": "my-proj", "secret_type": "access_token"}, []),
        ({"project": None, "secret_type": None}, []),
        ({"project": "other"}, ["project"]),
        ({"project": "other", "secret_type": "service_account_key"}, ["project", "secret_type"]),
    ],
)
def test_immutable_changes(
    driver: t.Callable[[Resource], Driver], desired: dict[str, t.Any], changed: list[str]
) -> None:
    assert driver(GCP_ROLESET).immutable_changes(desired, CURRENT_ROLESET) == changed
    assert driver(GCP_ROLESET).immutable_changes(desired, None) == []


def test_immutable_email_ignores_case(driver: t.Callable[[Resource], Driver]) -> None:
    current = {"service_account_email": EMAIL, "secret_type": "access_token"}
    desired = {"service_account_email": EMAIL.upper()}
    assert driver(GCP_STATIC_ACCOUNT).immutable_changes(desired, current) == []


def test_refuse_names_the_field_and_the_way_out(driver: t.Callable[[Resource], Driver]) -> None:
    with pytest.raises(ValidationError) as exc_info:
        driver(GCP_ROLESET).plan(Desired("reader", fields={"project": "other"}), ROLESET_READ["data"])
    assert exc_info.value.field == "project"
    assert "roleset reader has project 'my-proj'" in exc_info.value.reason
    assert "recreate=true" in exc_info.value.reason


def test_recreate_carries_unset_fields(driver: t.Callable[[Resource], Driver]) -> None:
    carried = driver(GCP_ROLESET).plan(
        Desired(
            "reader",
            fields={"project": "other", "bindings": None, "token_scopes": None, "secret_type": None},
            recreate=True,
        ),
        ROLESET_READ["data"],
    )
    assert carried.after == {
        "project": "other",
        "secret_type": "access_token",
        "bindings": EXPECTED,
        "token_scopes": [SCOPE],
    }


def test_recreate_as_key_drops_token_scopes(driver: t.Callable[[Resource], Driver]) -> None:
    carried = driver(GCP_ROLESET).plan(
        Desired("reader", fields={"secret_type": "service_account_key"}, recreate=True), ROLESET_READ["data"]
    )
    assert carried.recreated is True
    assert "token_scopes" not in carried.after
    assert carried.after["project"] == "my-proj"


def test_no_recreate_without_a_fixed_change(driver: t.Callable[[Resource], Driver]) -> None:
    assert (
        driver(GCP_ROLESET)
        .plan(Desired("reader", fields={"token_scopes": ["x"]}, recreate=True), ROLESET_READ["data"])
        .recreated
        is False
    )


# --- validators -----------------------------------------------------------------------------------

ROLESET_OK = {"project": "p", "bindings": {"r": ["roles/a"]}, "token_scopes": ["s"]}


@pytest.mark.parametrize(
    ("desired", "current", "field", "reason"),
    [
        ({**ROLESET_OK, "project": None}, None, "project", "is required to create a roleset"),
        ({**ROLESET_OK, "bindings": None}, None, "bindings", "is required to create a roleset"),
        ({**ROLESET_OK, "bindings": {}}, None, "bindings", "cannot be without bindings"),
        ({"bindings": {}}, CURRENT_ROLESET, "bindings", "cannot be without bindings"),
        ({**ROLESET_OK, "token_scopes": None}, None, "token_scopes", "is required to create an access_token roleset"),
        ({**ROLESET_OK, "token_scopes": []}, None, "token_scopes", "must not be empty"),
        ({"token_scopes": []}, CURRENT_ROLESET, "token_scopes", "must not be empty"),
        (
            {**ROLESET_OK, "secret_type": "service_account_key"},
            None,
            "token_scopes",
            "applies only to access_token rolesets",
        ),
        (
            {"token_scopes": ["s"]},
            {**CURRENT_ROLESET, "secret_type": "service_account_key"},
            "token_scopes",
            "ignores it for secret_type service_account_key",
        ),
        ({**ROLESET_OK, "secret_type": "ssh"}, None, "secret_type", "must be one of"),
    ],
)
def test_validate_gcp_roleset_refuses(
    desired: dict[str, t.Any], current: dict[str, t.Any] | None, field: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_gcp_roleset(desired, current)
    assert exc_info.value.field == field
    assert reason in exc_info.value.reason


@pytest.mark.parametrize(
    ("desired", "current", "expected"),
    [
        (ROLESET_OK, None, {**ROLESET_OK, "secret_type": "access_token"}),
        (
            {"project": "p", "bindings": {"r": ["roles/a"]}, "secret_type": "service_account_key", "token_scopes": []},
            None,
            {"project": "p", "bindings": {"r": ["roles/a"]}, "secret_type": "service_account_key", "token_scopes": []},
        ),
        ({"token_scopes": ["x"]}, CURRENT_ROLESET, {"token_scopes": ["x"]}),
        ({}, CURRENT_ROLESET, {}),
    ],
)
def test_validate_gcp_roleset_accepts(
    desired: dict[str, t.Any], current: dict[str, t.Any] | None, expected: dict[str, t.Any]
) -> None:
    assert validate_gcp_roleset(desired, current) == expected


@pytest.mark.parametrize(
    ("desired", "current", "field"),
    [
        ({"token_scopes": ["s"]}, None, "service_account_email"),
        ({"service_account_email": EMAIL}, None, "token_scopes"),
        (
            {"service_account_email": EMAIL, "secret_type": "service_account_key", "token_scopes": ["s"]},
            None,
            "token_scopes",
        ),
        ({"token_scopes": []}, {"secret_type": "access_token", "service_account_email": EMAIL}, "token_scopes"),
    ],
)
def test_validate_gcp_static_account_refuses(
    desired: dict[str, t.Any], current: dict[str, t.Any] | None, field: str
) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_gcp_static_account(desired, current)
    assert exc_info.value.field == field


def test_validate_gcp_static_account_key_without_scopes() -> None:
    desired = {"service_account_email": EMAIL, "secret_type": "service_account_key"}
    assert validate_gcp_static_account(desired, None) == desired


@pytest.mark.parametrize(
    ("desired", "current", "field"),
    [
        ({"token_scopes": ["s"]}, None, "service_account_email"),
        ({"service_account_email": EMAIL}, None, "token_scopes"),
        ({"token_scopes": []}, {"service_account_email": EMAIL, "token_scopes": ["s"]}, "token_scopes"),
    ],
)
def test_validate_gcp_impersonated_refuses(
    desired: dict[str, t.Any], current: dict[str, t.Any] | None, field: str
) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_gcp_impersonated(desired, current)
    assert exc_info.value.field == field


# --- recreate through the driver ------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_reconcile_gcp_recreate_deletes_first_and_shows_old_before(
    make_client: t.Callable[..., t.Any], check_mode: bool
) -> None:
    kit = make_client()
    outcome = Driver(kit.client, GCP_ROLESET, "gcp", check_mode=check_mode, mount_checked=True).converge(
        Desired("reader", fields={"project": "other"}, recreate=True), ROLESET_READ["data"]
    )
    recreated = outcome.recreated
    assert recreated is True
    assert outcome.changed is True
    assert outcome.before["project"] == "my-proj"
    assert outcome.after["project"] == "other"
    assert outcome.after["bindings"] == EXPECTED
    assert outcome.changed_fields == ["project"]
    calls = kit.fake.writes()
    if check_mode:
        assert calls == []
    else:
        assert [(call.method, call.path) for call in calls] == [
            ("DELETE", "gcp/roleset/reader"),
            ("POST", "gcp/roleset/reader"),
        ]
        assert calls[1].json["project"] == "other"
        assert normalise_bindings(calls[1].json["bindings"]) == EXPECTED


def test_reconcile_gcp_recreate_checks_before_deleting(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    with pytest.raises(ValidationError) as exc_info:
        Driver(kit.client, GCP_ROLESET, "gcp", mount_checked=True).converge(
            Desired(
                "reader",
                fields={"secret_type": "access_token", "project": "other", "token_scopes": []},
                recreate=True,
            ),
            {**ROLESET_READ["data"], "secret_type": "service_account_key"},
        )
    assert exc_info.value.field == "token_scopes"
    assert kit.fake.calls == []


def test_recreate_that_fails_after_the_delete_says_so(make_client: t.Callable[..., t.Any]) -> None:
    refused = hvac.exceptions.InvalidRequest(errors=["project it-no-such-project does not exist"])
    kit = make_client({("POST", "gcp/roleset/reader"): refused})
    with pytest.raises(VaultOpsError) as exc_info:
        Driver(kit.client, GCP_ROLESET, "gcp", mount_checked=True).converge(
            Desired("reader", fields={"project": "it-no-such-project"}, recreate=True), ROLESET_READ["data"]
        )
    assert exc_info.value.changed is True
    assert "recreate deleted the roleset reader" in exc_info.value.message
    assert "it-no-such-project does not exist" in exc_info.value.message
    assert [(c.method, c.path) for c in kit.fake.writes()] == [
        ("DELETE", "gcp/roleset/reader"),
        ("POST", "gcp/roleset/reader"),
    ]


# --- engine ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "method", "path"),
    [
        (lambda d, e: d(GCP_CONFIG).read(), "GET", "gcp-prod/config"),
        (lambda d, e: d(GCP_CONFIG).converge(Desired(fields={"ttl": 60}), {"ttl": 0}), "POST", "gcp-prod/config"),
        (lambda d, e: e.rotate_root(), "POST", "gcp-prod/config/rotate-root"),
        (lambda d, e: d(GCP_ROLESET).read("r"), "GET", "gcp-prod/roleset/r"),
        (
            lambda d, e: d(GCP_ROLESET).converge(Desired("r", fields={"token_scopes": ["s"]}), CURRENT_ROLESET),
            "POST",
            "gcp-prod/roleset/r",
        ),
        (lambda d, e: d(GCP_ROLESET).converge(Desired("r", "absent"), {}), "DELETE", "gcp-prod/roleset/r"),
        (lambda d, e: d(GCP_ROLESET).list(), "LIST", "gcp-prod/rolesets"),
        (lambda d, e: e.rotate_roleset("r"), "POST", "gcp-prod/roleset/r/rotate"),
        (lambda d, e: e.rotate_roleset_key("r"), "POST", "gcp-prod/roleset/r/rotate-key"),
        (lambda d, e: d(GCP_STATIC_ACCOUNT).read("s"), "GET", "gcp-prod/static-account/s"),
        (
            lambda d, e: d(GCP_STATIC_ACCOUNT).converge(
                Desired("s", fields={"service_account_email": EMAIL, "token_scopes": ["s"]}), None
            ),
            "POST",
            "gcp-prod/static-account/s",
        ),
        (
            lambda d, e: d(GCP_STATIC_ACCOUNT).converge(Desired("s", "absent"), {}),
            "DELETE",
            "gcp-prod/static-account/s",
        ),
        (lambda d, e: d(GCP_STATIC_ACCOUNT).list(), "LIST", "gcp-prod/static-accounts"),
        (lambda d, e: e.rotate_static_account_key("s"), "POST", "gcp-prod/static-account/s/rotate-key"),
        (lambda d, e: d(GCP_IMPERSONATED_ACCOUNT).read("i"), "GET", "gcp-prod/impersonated-account/i"),
        (
            lambda d, e: d(GCP_IMPERSONATED_ACCOUNT).converge(
                Desired("i", fields={"service_account_email": EMAIL, "token_scopes": ["s"]}), None
            ),
            "POST",
            "gcp-prod/impersonated-account/i",
        ),
        (
            lambda d, e: d(GCP_IMPERSONATED_ACCOUNT).converge(Desired("i", "absent"), {}),
            "DELETE",
            "gcp-prod/impersonated-account/i",
        ),
        (lambda d, e: d(GCP_IMPERSONATED_ACCOUNT).list(), "LIST", "gcp-prod/impersonated-accounts"),
    ],
)
def test_gcp_engine_paths(
    make_client: t.Callable[..., t.Any],
    operation: t.Callable[[t.Callable[[Resource], Driver], GcpEngine], t.Any],
    method: str,
    path: str,
) -> None:
    kit = make_client()
    operation(
        lambda resource: Driver(kit.client, resource, "/gcp-prod/", mount_checked=True),
        GcpEngine(kit.client, "/gcp-prod/"),
    )
    assert [(c.method, c.path) for c in kit.fake.calls] == [(method, path)]


def test_gcp_engine_default_mount_and_name_check(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    engine = GcpEngine(kit.client)
    assert engine.mount == "gcp"
    with pytest.raises(ValidationError):
        Driver(kit.client, GCP_ROLESET, engine.mount, mount_checked=True).read("../config")
    with pytest.raises(ValidationError):
        engine.rotate_roleset("../config")
    assert kit.fake.calls == []


def test_rotations_are_a_plain_mapping() -> None:
    assert {action: (r.resource, r.rotate, r.needs_access_token) for action, r in GCP_ROTATIONS.items()} == {
        "roleset_account": (GCP_ROLESET, GcpEngine.rotate_roleset, False),
        "roleset_key": (GCP_ROLESET, GcpEngine.rotate_roleset_key, True),
        "static_account_key": (GCP_STATIC_ACCOUNT, GcpEngine.rotate_static_account_key, True),
    }


def test_gcp_engine_rotate_root_returns_data(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("POST", "gcp/config/rotate-root"): {"data": {"private_key_id": "k2"}}})
    assert GcpEngine(kit.client).rotate_root() == {"private_key_id": "k2"}


def test_gcp_engine_rotations_are_not_retried(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("POST", "gcp/roleset/r/rotate"): hvac.exceptions.InternalServerError(errors=["boom"])})
    with pytest.raises(VaultOpsError):
        GcpEngine(kit.client).rotate_roleset("r")
    assert len(kit.fake.calls) == 1


# --- credentials ----------------------------------------------------------------------------------


def test_normalise_gcp_token() -> None:
    assert normalise_gcp_token(TOKEN_RESPONSE, now=NOW) == {
        "token": "ya29.c.EXAMPLE-ACCESS-TOKEN",
        "token_ttl": 3599,
        "expires_at_seconds": 1735790645,
        "lease_id": None,
        "lease_duration": 0,
        "renewable": False,
        "expires_at": "2025-01-02T04:04:05Z",
    }


def test_normalise_gcp_token_without_expiry() -> None:
    creds = normalise_gcp_token({"data": {"token": "t"}}, now=NOW)
    assert creds["expires_at"] is None
    assert creds["token_ttl"] is None


def test_normalise_gcp_key() -> None:
    assert normalise_gcp_key(KEY_RESPONSE, now=NOW) == {
        "private_key_data": KEY_DATA,
        "key_algorithm": "KEY_ALG_RSA_2048",
        "key_type": "TYPE_GOOGLE_CREDENTIALS_FILE",
        "lease_id": "gcp/roleset/deployer/key/Hx4lKZ0m9sQeT2bR8cVwN1yA",
        "lease_duration": 3600,
        "renewable": True,
        "expires_at": "2025-01-02T04:04:05Z",
    }


@pytest.mark.parametrize(
    ("kwargs", "method", "path", "body", "response"),
    [
        ({}, "GET", "gcp/roleset/reader/token", None, TOKEN_RESPONSE),
        ({"source": "static-account"}, "GET", "gcp/static-account/reader/token", None, TOKEN_RESPONSE),
        ({"source": "impersonated-account"}, "GET", "gcp/impersonated-account/reader/token", None, TOKEN_RESPONSE),
        ({"secret_type": "service_account_key"}, "GET", "gcp/roleset/reader/key", None, KEY_RESPONSE),
        (
            {
                "source": "static-account",
                "secret_type": "service_account_key",
                "key_algorithm": "KEY_ALG_RSA_1024",
                "key_type": "TYPE_PKCS12_FILE",
                "ttl": "30m",
            },
            "GET",
            "gcp/static-account/reader/key?key_algorithm=KEY_ALG_RSA_1024&key_type=TYPE_PKCS12_FILE&ttl=1800",
            None,
            KEY_RESPONSE,
        ),
    ],
)
def test_gcp_engine_issue(
    *,
    make_client: t.Callable[..., t.Any],
    kwargs: dict[str, t.Any],
    method: str,
    path: str,
    body: dict[str, t.Any] | None,
    response: dict[str, t.Any],
) -> None:
    kit = make_client({(method, path): response})
    creds = GcpEngine(kit.client).issue("reader", **kwargs)
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [(method, path, body)]
    if response is TOKEN_RESPONSE:
        assert creds["token"] == "ya29.c.EXAMPLE-ACCESS-TOKEN"
        assert creds["expires_at_seconds"] == 1735790645
    else:
        assert creds["private_key_data"] == KEY_DATA
        assert creds["lease_id"] == KEY_RESPONSE["lease_id"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source": "roles"}, "source"),
        ({"secret_type": "password"}, "secret_type"),
        ({"ttl": "1h"}, "ttl"),
        ({"key_algorithm": "KEY_ALG_RSA_2048"}, "key_algorithm"),
        ({"key_type": "TYPE_PKCS12_FILE"}, "key_type"),
        ({"source": "impersonated-account", "secret_type": "service_account_key"}, "secret_type"),
        ({"secret_type": "service_account_key", "ttl": "later"}, "ttl"),
    ],
)
def test_gcp_engine_issue_refuses(make_client: t.Callable[..., t.Any], kwargs: dict[str, t.Any], field: str) -> None:
    kit = make_client()
    with pytest.raises(ValidationError) as exc_info:
        GcpEngine(kit.client).issue("reader", **kwargs)
    assert exc_info.value.field == field
    assert kit.fake.calls == []


def test_gcp_engine_issue_refuses_bad_name(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    with pytest.raises(ValidationError) as exc_info:
        GcpEngine(kit.client).issue("a/b")
    assert exc_info.value.field == "name"
    assert kit.fake.calls == []


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(hvac.exceptions.InternalServerError(errors=["boom"]), id="500"),
        pytest.param(requests.exceptions.ReadTimeout("read timed out"), id="read-timeout"),
    ],
)
@pytest.mark.parametrize(
    ("kwargs", "method", "path"),
    [
        ({}, "GET", "gcp/roleset/reader/token"),
        ({"secret_type": "service_account_key", "ttl": 60}, "GET", "gcp/roleset/reader/key?ttl=60"),
    ],
)
def test_gcp_engine_issue_is_not_retried(
    *,
    make_client: t.Callable[..., t.Any],
    error: Exception,
    kwargs: dict[str, t.Any],
    method: str,
    path: str,
) -> None:
    kit = make_client({(method, path): [error, KEY_RESPONSE]}, retries=3)
    with pytest.raises(VaultOpsError):
        GcpEngine(kit.client).issue("reader", **kwargs)
    assert len(kit.fake.calls) == 1


def test_gcp_engine_issue_retried_when_vault_cannot_have_acted(make_client: t.Callable[..., t.Any]) -> None:
    refused = requests.exceptions.ConnectionError("[Errno 111] Connection refused")
    kit = make_client({("GET", "gcp/roleset/reader/token"): [refused, TOKEN_RESPONSE]}, retries=3)
    assert GcpEngine(kit.client).issue("reader")["token"] == "ya29.c.EXAMPLE-ACCESS-TOKEN"
    assert len(kit.fake.calls) == 2
