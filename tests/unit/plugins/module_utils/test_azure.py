# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import json
import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._azure import (
    AZURE_CONFIG,
    AZURE_CONFIG_SPEC,
    AZURE_KINDS,
    AZURE_NAME,
    AZURE_ROLE,
    AZURE_ROLE_SPEC,
    AzureEngine,
    azure_config_is_set,
    azure_config_payload,
    azure_groups_to_wire,
    azure_role_payload,
    azure_roles_to_wire,
    azure_tags,
    normalise_azure_creds,
    normalise_azure_groups,
    normalise_azure_roles,
    relate_azure_role,
    validate_azure_config,
    validate_azure_role,
    validate_azure_role_write,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError, differences, validate
from ansible_collections.vaultops.cloud.plugins.module_utils._driver import Desired, Driver

SUB = "/subscriptions/0f6e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
READER_GUID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
READER_ID = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER_GUID}"
CONTRIBUTOR_GUID = "b24988ac-6180-42a0-ab88-20f7382dd24c"
CONTRIBUTOR_ID = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR_GUID}"
# a custom role: its GUID is the tenant's own, so a name cannot be mapped to it without asking Azure
CUSTOM_GUID = "5c7e2a4f-9d1b-4e3a-8f6c-2b0d9e8a7c61"
CUSTOM_ID = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM_GUID}"
GROUP_ID = "90820a30-352d-400f-89e5-2ca74ac14333"
NOW = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)

# what the engine stores after resolving {role_name: reader, scope: <SUB>/resourceGroups/Releases/}: it sets
# role_name to the role definition's name, which in Azure is its GUID (path_roles.go, pathRoleUpdate), and
# keeps the scope as given
ENGINE_READER = {"role_name": READER_GUID, "role_id": READER_ID, "scope": f"{SUB}/resourceGroups/Releases/"}
ENGINE_CONTRIBUTOR = {"role_name": CONTRIBUTOR_GUID, "role_id": CONTRIBUTOR_ID, "scope": SUB}
ENGINE_CUSTOM = {"role_name": CUSTOM_GUID, "role_id": CUSTOM_ID, "scope": SUB}
ENGINE_GROUP = {"group_name": "Build Agents", "object_id": GROUP_ID}


def roles_equal(user: t.Any, engine: t.Any) -> bool:
    want = normalise_azure_roles(user, from_vault=False)
    return want == normalise_azure_roles(engine, from_vault=True, reference=want)


def groups_equal(user: t.Any, engine: t.Any) -> bool:
    want = normalise_azure_groups(user, from_vault=False)
    return want == normalise_azure_groups(engine, from_vault=True, reference=want)


# --- azure_roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user",
    [
        pytest.param([{"role_name": "Reader", "scope": f"{SUB}/resourceGroups/Releases/"}], id="same-spelling"),
        pytest.param([{"role_name": "reader", "scope": f"{SUB}/resourcegroups/releases"}], id="case-and-slash"),
        pytest.param([{"role_name": "READER", "scope": f"{SUB.upper()}/RESOURCEGROUPS/RELEASES//"}], id="upper"),
        pytest.param([{"role_id": READER_ID, "scope": f"{SUB}/resourceGroups/Releases"}], id="by-id"),
        pytest.param([{"role_id": READER_ID.upper(), "scope": f"{SUB}/resourceGroups/Releases"}], id="id-upper"),
        pytest.param(
            [
                {
                    "role_id": f"/providers/Microsoft.Authorization/roleDefinitions/{READER_GUID}",
                    "scope": f"{SUB}/resourceGroups/Releases",
                }
            ],
            id="id-with-another-prefix",
        ),
        pytest.param(
            [{"role_id": READER_ID, "role_name": "Owner", "scope": f"{SUB}/resourceGroups/Releases"}],
            id="id-wins-over-name",
        ),
        pytest.param([{"role_id": READER_GUID.upper(), "scope": f"{SUB}/resourceGroups/Releases"}], id="bare-guid"),
        pytest.param(
            json.dumps([{"role_name": "Reader", "scope": f"{SUB}/resourceGroups/Releases"}]), id="json-string"
        ),
    ],
)
def test_roles_user_form_equals_engine_form(user: t.Any) -> None:
    assert roles_equal(user, [ENGINE_READER])


@pytest.mark.parametrize(
    ("user", "engine"),
    [
        pytest.param([{"role_name": "Contributor", "scope": SUB}], [dict(ENGINE_READER, scope=SUB)], id="other-name"),
        pytest.param([{"role_name": "Owner", "scope": SUB}], [ENGINE_CONTRIBUTOR], id="other-builtin-name"),
        pytest.param([{"role_name": "Reader", "scope": SUB}], [ENGINE_READER], id="other-scope"),
        pytest.param(
            [{"role_id": f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac", "scope": SUB}],
            [dict(ENGINE_READER, scope=SUB)],
            id="other-id",
        ),
        pytest.param([], [ENGINE_READER], id="remove-all"),
        pytest.param([{"role_name": "Reader", "scope": SUB}], [], id="add"),
        pytest.param(
            [{"role_name": "Reader", "scope": SUB}],
            [dict(ENGINE_READER, scope=SUB), dict(ENGINE_READER, scope=f"{SUB}/resourceGroups/x")],
            id="one-too-many",
        ),
    ],
)
def test_roles_differ(user: t.Any, engine: t.Any) -> None:
    assert not roles_equal(user, engine)


@pytest.mark.parametrize("engine", [None, [], ""], ids=["null", "empty", "empty-string"])
def test_roles_empty_forms_equal(engine: t.Any) -> None:
    assert roles_equal([], engine)


def test_roles_order_does_not_matter() -> None:
    user = [{"role_name": "contributor", "scope": SUB}, {"role_name": "reader", "scope": ENGINE_READER["scope"]}]
    assert roles_equal(user, [ENGINE_READER, ENGINE_CONTRIBUTOR])
    assert roles_equal(list(reversed(user)), [ENGINE_CONTRIBUTOR, ENGINE_READER])


def test_roles_mixed_reference() -> None:
    user = [{"role_id": CONTRIBUTOR_ID.upper(), "scope": SUB}, {"role_name": "reader", "scope": ENGINE_READER["scope"]}]
    assert roles_equal(user, [ENGINE_READER, ENGINE_CONTRIBUTOR])


@pytest.mark.parametrize(
    ("name", "guid"),
    [
        ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
        ("Contributor", CONTRIBUTOR_GUID),
        ("Reader", READER_GUID),
        ("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"),
        ("  user ACCESS administrator ", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"),
    ],
)
def test_builtin_role_names_normalise_to_their_fixed_guid(name: str, guid: str) -> None:
    assert normalise_azure_roles([{"role_name": name, "scope": f"{SUB}/"}], from_vault=False) == [
        {"scope": SUB, "role_id": guid}
    ]


def test_custom_role_by_name_differs_from_the_guid_the_engine_stored() -> None:
    """The honest limitation: a custom role given by name cannot be matched to the GUID the engine stores."""
    assert not roles_equal([{"role_name": "Deployer", "scope": SUB}], [ENGINE_CUSTOM])
    # given by role_id (full ID or bare GUID), the same custom role compares equal
    assert roles_equal([{"role_id": CUSTOM_ID, "scope": SUB}], [ENGINE_CUSTOM])
    assert roles_equal([{"role_id": CUSTOM_GUID, "scope": f"{SUB}/"}], [ENGINE_CUSTOM])


def test_roles_normalised_form() -> None:
    # without a reference the engine's item is reduced to its role_name, which the engine set to the GUID
    assert normalise_azure_roles([ENGINE_READER], from_vault=True) == [
        {"scope": f"{SUB}/resourcegroups/releases", "role_name": READER_GUID}
    ]
    want = normalise_azure_roles([{"role_name": "Reader", "scope": ENGINE_READER["scope"]}], from_vault=False)
    assert want == [{"scope": f"{SUB}/resourcegroups/releases", "role_id": READER_GUID}]
    assert normalise_azure_roles([ENGINE_READER], from_vault=True, reference=want) == want
    assert normalise_azure_roles([{"role_id": READER_ID, "scope": "/"}], from_vault=False) == [
        {"scope": "/", "role_id": READER_GUID}
    ]


def test_roles_to_wire_keeps_spelling_and_drops_empty() -> None:
    items = [{"role_name": "Reader", "role_id": None, "scope": f"{SUB}/resourceGroups/Releases"}]
    assert json.loads(azure_roles_to_wire(items)) == [
        {"role_name": "Reader", "scope": f"{SUB}/resourceGroups/Releases"}
    ]
    assert azure_roles_to_wire([]) == "[]"
    assert " " not in azure_roles_to_wire([ENGINE_READER])


# --- azure_groups ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user",
    [
        pytest.param([{"group_name": "Build Agents"}], id="same"),
        pytest.param([{"group_name": "build agents"}], id="case"),
        pytest.param([{"object_id": GROUP_ID.upper()}], id="by-id"),
        pytest.param([{"object_id": GROUP_ID, "group_name": "renamed"}], id="id-wins"),
    ],
)
def test_groups_user_form_equals_engine_form(user: t.Any) -> None:
    assert groups_equal(user, [ENGINE_GROUP])


@pytest.mark.parametrize(
    ("user", "engine"),
    [
        ([{"group_name": "Other"}], [ENGINE_GROUP]),
        ([{"object_id": "00000000-0000-0000-0000-000000000000"}], [ENGINE_GROUP]),
        ([], [ENGINE_GROUP]),
    ],
)
def test_groups_differ(user: t.Any, engine: t.Any) -> None:
    assert not groups_equal(user, engine)


def test_groups_to_wire() -> None:
    assert json.loads(azure_groups_to_wire([{"group_name": "Build Agents", "object_id": None}])) == [
        {"group_name": "Build Agents"}
    ]


# --- tags -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"team": "platform", "env": "prod"}, ["env:prod", "team:platform"]),
        (["team:platform", "env:prod", "team:platform"], ["env:prod", "team:platform"]),
        ("team:platform,env:prod", ["env:prod", "team:platform"]),
        (None, []),
        ([], []),
    ],
)
def test_tags(value: t.Any, expected: list[str]) -> None:
    assert azure_tags(value) == expected


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "field", "text"),
    [
        ({"azure_roles": [{"role_name": "Reader"}]}, "azure_roles", "item 1 needs a scope"),
        ({"azure_roles": [{"scope": SUB}]}, "azure_roles", "item 1 needs a role_name or a role_id"),
        ({"azure_roles": [{"role_name": "", "role_id": None, "scope": SUB}]}, "azure_roles", "needs a role_name"),
        ({"azure_roles": [{"roleName": "Reader", "scope": SUB}]}, "azure_roles", "unknown key(s) roleName"),
        ({"azure_roles": ["Reader"]}, "azure_roles", "item 1 must be a dict"),
        ({"azure_roles": "{oops"}, "azure_roles", "is not valid JSON"),
        (
            {"azure_roles": [{"role_name": "Reader", "scope": SUB}, {"role_name": "reader", "scope": f"{SUB}/"}]},
            "azure_roles",
            "item 2 repeats",
        ),
        ({"azure_groups": [{}]}, "azure_groups", "needs a group_name or an object_id"),
        ({"azure_groups": [{"object_id": GROUP_ID}, {"object_id": GROUP_ID}]}, "azure_groups", "repeats"),
        ({"tags": ["has space"]}, "tags", "contains a space"),
        ({"tags": ["x" * 257]}, "tags", "longer than 256"),
        ({"sign_in_audience": "Everyone"}, "sign_in_audience", "must be one of"),
        ({"ttl": "2h", "max_ttl": "1h"}, "ttl", "must not exceed max_ttl"),
        ({"ttl": 7200, "explicit_max_ttl": 3600}, "ttl", "must not exceed explicit_max_ttl"),
        ({"max_ttl": "2h", "explicit_max_ttl": "1h"}, "max_ttl", "must not exceed explicit_max_ttl"),
        ({"ttl": -5}, "ttl", "must not be negative"),
        ({"max_ttl": "-1h"}, "max_ttl", "must not be negative"),
        ({"explicit_max_ttl": "soon"}, "explicit_max_ttl", "is not a duration"),
        (
            {"application_object_id": GROUP_ID, "azure_roles": [{"role_name": "Reader", "scope": SUB}]},
            "azure_roles",
            "is not used with application_object_id",
        ),
        (
            {"application_object_id": GROUP_ID, "azure_groups": [{"group_name": "x"}]},
            "azure_groups",
            "is not used with application_object_id",
        ),
        (
            {"application_object_id": GROUP_ID, "persist_app": True},
            "application_object_id",
            "cannot be set with persist_app",
        ),
        (
            {"application_object_id": GROUP_ID, "permanently_delete": True},
            "permanently_delete",
            "must be false",
        ),
    ],
)
def test_validate_role_refuses(desired: dict[str, t.Any], field: str, text: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_azure_role(desired)
    assert exc_info.value.field == field
    assert text in exc_info.value.reason


@pytest.mark.parametrize(
    "desired",
    [
        {"azure_roles": [{"role_name": "Reader", "scope": SUB}], "ttl": "1h", "max_ttl": "1h"},
        {"ttl": "2h", "max_ttl": 0},
        {"application_object_id": GROUP_ID, "azure_roles": [], "permanently_delete": False},
        {"application_object_id": "", "azure_roles": [{"role_name": "Reader", "scope": SUB}]},
        {"persist_app": True, "azure_groups": [{"group_name": "x"}], "permanently_delete": True},
        {"tags": {"team": "platform"}, "sign_in_audience": "AzureADMyOrg"},
    ],
)
def test_validate_role_accepts(desired: dict[str, t.Any]) -> None:
    validate_azure_role(desired)


@pytest.mark.parametrize(
    ("desired", "current", "field", "text"),
    [
        pytest.param({"ttl": "2h"}, {"ttl": 60, "max_ttl": 3600}, "ttl", "must not exceed max_ttl", id="ttl-vs-stored"),
        pytest.param({"max_ttl": 60}, {"ttl": 3600, "max_ttl": 7200}, "ttl", "must not exceed max_ttl", id="max"),
        pytest.param({"ttl": 60}, None, "azure_roles", "needs azure_roles, azure_groups", id="nothing-on-create"),
        pytest.param(
            {"azure_roles": [], "azure_groups": []},
            {"azure_roles": [ENGINE_READER], "azure_groups": None, "application_object_id": ""},
            "azure_roles",
            "needs azure_roles",
            id="emptied",
        ),
        pytest.param(
            {"ttl": 60},
            {"azure_roles": [ENGINE_READER], "application_object_id": GROUP_ID, "permanently_delete": True},
            "permanently_delete",
            "refuses any write",
            id="persisted-app-permanently-deleted",
        ),
    ],
)
def test_validate_role_write_refuses(
    desired: dict[str, t.Any], current: dict[str, t.Any] | None, field: str, text: str
) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_azure_role_write(desired, current)
    assert exc_info.value.field == field
    assert text in exc_info.value.reason


@pytest.mark.parametrize(
    ("desired", "current"),
    [
        ({"ttl": 60}, {"azure_roles": [ENGINE_READER], "ttl": 0, "max_ttl": 0}),
        ({"application_object_id": GROUP_ID}, None),
        ({"azure_groups": [{"group_name": "x"}], "persist_app": True, "permanently_delete": True}, None),
        ({"ttl": 60, "permanently_delete": False}, {"application_object_id": GROUP_ID, "permanently_delete": True}),
    ],
)
def test_validate_role_write_accepts(desired: dict[str, t.Any], current: dict[str, t.Any] | None) -> None:
    validate_azure_role_write(desired, current)


@pytest.mark.parametrize(
    ("desired", "field"),
    [
        ({"environment": "AzureGermanCloud"}, "environment"),
        ({"environment": ""}, "environment"),
        ({"root_password_ttl": "-1h"}, "root_password_ttl"),
        ({"root_password_ttl": "six months"}, "root_password_ttl"),
    ],
)
def test_validate_config_refuses(desired: dict[str, t.Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate_azure_config(desired)
    assert exc_info.value.field == field


@pytest.mark.parametrize("environment", ["AzurePublicCloud", "azurechinacloud", "AZUREUSGOVERNMENTCLOUD", None])
def test_validate_config_accepts(environment: str | None) -> None:
    validate_azure_config({"environment": environment, "root_password_ttl": "4380h"})


# --- config ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "is_set"),
    [
        (None, False),
        ({}, False),
        (
            {"client_id": "", "environment": "", "root_password_ttl": 0, "subscription_id": "", "tenant_id": ""},
            False,
        ),
        ({"client_id": "", "environment": "", "root_password_ttl": 15768000, "tenant_id": ""}, True),
        ({"client_id": "x", "root_password_ttl": 0}, True),
    ],
)
def test_config_is_set(record: dict[str, t.Any] | None, is_set: bool) -> None:
    assert azure_config_is_set(record) is is_set


def test_config_payload_sends_only_what_differs() -> None:
    current = {"tenant_id": "t1", "client_id": "c1", "environment": "AzurePublicCloud", "root_password_ttl": 3600}
    desired = {"tenant_id": "t2", "client_id": "c1", "environment": "azurepubliccloud", "root_password_ttl": "1h"}
    assert azure_config_payload(desired, current) == {"tenant_id": "t2"}
    assert azure_config_payload({**desired, "subscription_id": None}, None) == {
        "tenant_id": "t2",
        "client_id": "c1",
        "environment": "azurepubliccloud",
        "root_password_ttl": 3600,
    }


def test_config_spec_compares_environment_without_case() -> None:
    assert (
        differences({"environment": "AZUREPUBLICCLOUD"}, {"environment": "AzurePublicCloud"}, AZURE_CONFIG_SPEC) == {}
    )


# --- roles ----------------------------------------------------------------------------------------

ENGINE_ROLE = {
    "ttl": 3600,
    "max_ttl": 14400,
    "explicit_max_ttl": 0,
    "azure_roles": [ENGINE_READER],
    "azure_groups": [ENGINE_GROUP],
    "application_object_id": "",
    "permanently_delete": True,
    "persist_app": False,
    "sign_in_audience": "AzureADMyOrg",
    "tags": ["env:prod", "team:platform"],
}


def test_related_role_matches_the_engine_rewrites() -> None:
    desired = {
        "azure_roles": [{"role_name": "reader", "scope": f"{SUB}/resourcegroups/releases"}],
        "azure_groups": [{"object_id": GROUP_ID.upper()}],
        "ttl": "1h",
        "max_ttl": "4h0m0s",
        "tags": {"team": "platform", "env": "prod"},
        "application_object_id": None,
        "permanently_delete": None,
        "sign_in_audience": "AzureADMyOrg",
    }
    have = relate_azure_role(desired, ENGINE_ROLE)
    assert differences(desired, have, AZURE_ROLE_SPEC, AZURE_KINDS) == {}
    assert have is not None
    assert have["azure_groups"] == [{"object_id": GROUP_ID}]


def test_unset_fields_stay_unset(make_client: t.Callable[..., t.Any]) -> None:
    # a field left unset (None) is "don't care": nothing to normalise, nothing to compare
    unset = dict.fromkeys(AZURE_ROLE_SPEC)
    assert validate(unset, AZURE_ROLE_SPEC, AZURE_KINDS) == {}
    driver = Driver(make_client().client, AZURE_ROLE, "azure", mount_checked=True)
    assert driver.plan(Desired("deploy", fields=unset), ENGINE_ROLE).changed is False
    assert driver.comparable(None) == {}
    have = driver.comparable({"azure_roles": None, "azure_groups": None, "tags": None})
    assert have == {"azure_roles": [], "azure_groups": [], "tags": []}


def test_role_payload_on_update_keeps_permanently_delete() -> None:
    desired = dict.fromkeys(AZURE_ROLE_SPEC)
    desired.update(
        azure_roles=[{"role_name": "Reader", "role_id": None, "scope": SUB}],
        ttl="1h",
        tags={"team": "platform"},
        persist_app=False,
    )
    assert azure_role_payload(desired, ENGINE_ROLE) == {
        "azure_roles": json.dumps([{"role_name": "Reader", "scope": SUB}], separators=(",", ":")),
        "ttl": 3600,
        "tags": ["team:platform"],
        "persist_app": False,
        "permanently_delete": True,
    }


def test_role_payload_on_create() -> None:
    desired = dict.fromkeys(AZURE_ROLE_SPEC)
    desired.update(azure_groups=[{"group_name": "x", "object_id": None}], azure_roles=[], max_ttl=60)
    assert azure_role_payload(desired, None) == {
        "azure_groups": '[{"group_name":"x"}]',
        "azure_roles": "[]",
        "max_ttl": 60,
    }


# --- the engine class -----------------------------------------------------------------------------

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
CONFIG_NIL = hvac.exceptions.InternalServerError(errors=["1 error occurred:\n\t* config is nil\n\n"])


def test_engine_paths(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("LIST", "azure-prod/roles"): {"data": {"keys": ["deploy", "ci"]}}})
    config = Driver(kit.client, AZURE_CONFIG, "/azure-prod/", mount_checked=True)
    role = Driver(kit.client, AZURE_ROLE, "/azure-prod/", mount_checked=True)
    config.converge(Desired(fields={"tenant_id": "t"}), None)
    config.converge(Desired(state="absent"), {"tenant_id": "t"})
    AzureEngine(kit.client, "/azure-prod/").rotate_root()
    kit.client.write(role.path("deploy"), {"ttl": 60})
    assert role.converge(Desired("deploy", "absent"), ENGINE_ROLE).changed is True
    assert role.list() == ["ci", "deploy"]
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [
        ("POST", "azure-prod/config", {"tenant_id": "t"}),
        ("DELETE", "azure-prod/config", None),
        ("POST", "azure-prod/rotate-root", {}),
        ("POST", "azure-prod/roles/deploy", {"ttl": 60}),
        ("DELETE", "azure-prod/roles/deploy", None),
        ("LIST", "azure-prod/roles", None),
    ]


def test_engine_read_config_unconfigured_is_none(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", "azure/config"): UNCONFIGURED})
    assert Driver(kit.client, AZURE_CONFIG, "azure", mount_checked=True).read() is None


def test_engine_read_role_missing(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({})
    assert Driver(kit.client, AZURE_ROLE, "azure", mount_checked=True).read("deploy") is None


def test_engine_read_role_without_config(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", "azure/roles/deploy"): CONFIG_NIL})
    with pytest.raises(VaultOpsError) as exc_info:
        Driver(kit.client, AZURE_ROLE, "azure", mount_checked=True).read("deploy")
    assert "has no configuration" in exc_info.value.message
    assert "azure_secrets_config" in exc_info.value.message
    assert exc_info.value.path == "azure/roles/deploy"


def test_engine_write_role_without_config(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("POST", "azure/roles/deploy"): CONFIG_NIL})
    driver = Driver(kit.client, AZURE_ROLE, "azure", mount_checked=True)
    with pytest.raises(VaultOpsError) as exc_info:
        driver.converge(Desired("deploy", fields={"ttl": 60}), ENGINE_ROLE)
    assert exc_info.value.message.startswith("the Azure engine at azure/ has no configuration")
    assert exc_info.value.changed is False


def test_engine_other_errors_pass_through(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("POST", "azure/roles/deploy"): hvac.exceptions.InvalidRequest(errors=["ttl cannot be"])})
    with pytest.raises(VaultOpsError) as exc_info:
        Driver(kit.client, AZURE_ROLE, "azure", mount_checked=True).converge(
            Desired("deploy", fields={"ttl": 1}), ENGINE_ROLE
        )
    assert exc_info.value.status == 400
    assert exc_info.value.message == "ttl cannot be"


@pytest.mark.parametrize("name", ["", "a/b"])
def test_engine_refuses_bad_role_names(make_client: t.Callable[..., t.Any], name: str) -> None:
    kit = make_client({})
    with pytest.raises(ValidationError):
        Driver(kit.client, AZURE_ROLE, "azure", mount_checked=True).read(name)
    with pytest.raises(ValidationError) as exc_info:
        AzureEngine(kit.client).issue(name)
    assert exc_info.value.field == "role"
    assert kit.fake.calls == []


@pytest.mark.parametrize("name", ["deploy", "Deploy", "ci.bot-2", "a", "under_score"])
def test_azure_name_accepts(name: str) -> None:
    assert AZURE_NAME.check(name) == name
    # the engine stores and lists a role name in lower case
    assert AZURE_NAME.key(name) == name.lower()


@pytest.mark.parametrize("name", ["-deploy", "deploy.", "a b", "a@b", "rôle", "x" * 129, "roles/x", "..", 7])
def test_azure_name_refuses(name: t.Any) -> None:
    with pytest.raises(ValidationError) as exc_info:
        AZURE_NAME.check(name, "roles[0].name")
    assert exc_info.value.field == "roles[0].name"


def test_role_info_form_without_a_desired_role(make_client: t.Callable[..., t.Any]) -> None:
    """What azure_secrets_info returns, and what a delete's diff shows: the names the engine stored."""
    driver = Driver(make_client().client, AZURE_ROLE, "azure", mount_checked=True)
    assert driver.comparable(ENGINE_ROLE) == {
        "azure_roles": [{"scope": f"{SUB}/resourcegroups/releases", "role_name": READER_GUID}],
        "azure_groups": [{"group_name": "build agents"}],
        "application_object_id": "",
        "persist_app": False,
        "ttl": 3600,
        "max_ttl": 14400,
        "explicit_max_ttl": 0,
        "permanently_delete": True,
        "sign_in_audience": "AzureADMyOrg",
        "tags": ["env:prod", "team:platform"],
    }


CREDS = {
    "request_id": "5d1f7c8e-0a3b-4c6d-9e2f-1a2b3c4d5e6f",
    "lease_id": "azure/creds/deploy/Q2x1c3Rlcg",
    "renewable": True,
    "lease_duration": 3600,
    "data": {"client_id": "7a1b2c3d-0000-4000-8000-000000000001", "client_secret": "s3cr3t~value"},
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}


def test_engine_issue_keeps_the_lease(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", "azure/creds/deploy"): CREDS})
    creds = AzureEngine(kit.client).issue("deploy")
    assert set(creds) == {"client_id", "client_secret", "lease_id", "lease_duration", "renewable", "expires_at"}
    assert creds["lease_id"] == "azure/creds/deploy/Q2x1c3Rlcg"
    assert creds["client_secret"] == "s3cr3t~value"
    assert [(c.method, c.path) for c in kit.fake.calls] == [("GET", "azure/creds/deploy")]


def test_engine_issue_is_not_retried(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", "azure/creds/deploy"): hvac.exceptions.InternalServerError(errors=["Azure said no"])})
    with pytest.raises(VaultOpsError):
        AzureEngine(kit.client).issue("deploy")
    assert len(kit.fake.calls) == 1


def test_normalise_azure_creds() -> None:
    assert normalise_azure_creds(CREDS, NOW) == {
        "client_id": "7a1b2c3d-0000-4000-8000-000000000001",
        "client_secret": "s3cr3t~value",
        "lease_id": "azure/creds/deploy/Q2x1c3Rlcg",
        "lease_duration": 3600,
        "renewable": True,
        "expires_at": "2025-01-02T04:04:05Z",
    }
