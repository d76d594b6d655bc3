# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""azure_secrets_info: the configuration (without the client secret) and the roles, read through the descriptors."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import azure_secrets_info

Runner = t.Callable[..., t.Any]

SUBSCRIPTION = "0f6e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "7a1b2c3d-0000-4000-8000-000000000001"
SUB = f"/subscriptions/{SUBSCRIPTION}"
READER_GUID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
READER_ID = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER_GUID}"
GROUP_ID = "90820a30-352d-400f-89e5-2ca74ac14333"
APP_ID = "5D1F7C8E-0A3B-4C6D-9E2F-1A2B3C4D5E6F"

# GET azure/config as vault-plugin-secrets-azure v0.20.1 answers it (it never returns the client secret)
CONFIG = {
    "data": {
        "client_id": CLIENT,
        "environment": "AzurePublicCloud",
        "identity_token_audience": "",
        "identity_token_ttl": 0,
        "root_password_ttl": 15768000,
        "subscription_id": SUBSCRIPTION,
        "tenant_id": TENANT,
    }
}
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
DEPLOY = {
    "data": {
        "ttl": 3600,
        "max_ttl": 14400,
        "explicit_max_ttl": 0,
        "azure_roles": [{"role_name": READER_GUID, "role_id": READER_ID, "scope": f"{SUB}/resourceGroups/Releases/"}],
        "azure_groups": [{"group_name": "Build Agents", "object_id": GROUP_ID}],
        "application_object_id": "",
        "permanently_delete": False,
        "persist_app": False,
        "sign_in_audience": "",
        "tags": ["team:platform", "env:prod"],
    }
}
CI = {
    "data": {
        "ttl": 1800,
        "max_ttl": 0,
        "explicit_max_ttl": 0,
        "azure_roles": None,
        "azure_groups": None,
        "application_object_id": APP_ID,
        "permanently_delete": False,
        "persist_app": False,
        "sign_in_audience": "",
        "tags": None,
    }
}
ROUTES: dict[tuple[str, str], t.Any] = {
    ("GET", "azure/config"): CONFIG,
    ("LIST", "azure/roles"): {"data": {"keys": ["deploy", "ci"]}},
    ("GET", "azure/roles/deploy"): DEPLOY,
    ("GET", "azure/roles/ci"): CI,
}
DEPLOY_INFO = {
    "azure_roles": [{"scope": f"{SUB}/resourcegroups/releases", "role_name": READER_GUID}],
    "azure_groups": [{"group_name": "build agents"}],
    "application_object_id": "",
    "persist_app": False,
    "ttl": 3600,
    "max_ttl": 14400,
    "explicit_max_ttl": 0,
    "permanently_delete": False,
    "sign_in_audience": "",
    "tags": ["env:prod", "team:platform"],
}
CI_INFO = {
    "azure_roles": [],
    "azure_groups": [],
    "application_object_id": APP_ID.lower(),
    "persist_app": False,
    "ttl": 1800,
    "max_ttl": 0,
    "explicit_max_ttl": 0,
    "permanently_delete": False,
    "sign_in_audience": "",
    "tags": [],
}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_everything(run_module: Runner, check_mode: bool) -> None:
    run = run_module(azure_secrets_info.main, {}, ROUTES, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.result["config"] == {
        "subscription_id": SUBSCRIPTION,
        "tenant_id": TENANT,
        "client_id": CLIENT,
        "environment": "azurepubliccloud",
        "root_password_ttl": 15768000,
        # the workload identity fields of the configuration (the recorded read has them; rotation fields it lacks)
        "identity_token_audience": "",
        "identity_token_ttl": 0,
    }
    assert run.result["roles"] == {"ci": CI_INFO, "deploy": DEPLOY_INFO}
    assert run.fake.writes() == []
    assert "client_secret" not in run.stdout


def test_only_named_roles(run_module: Runner) -> None:
    run = run_module(azure_secrets_info.main, {"only": ["roles"], "names": ["deploy", "gone"]}, ROUTES)
    assert "config" not in run.result
    assert run.result["roles"] == {"deploy": DEPLOY_INFO}
    assert [(c.method, c.path) for c in run.fake.calls] == [
        ("GET", "azure/roles/deploy"),
        ("GET", "azure/roles/gone"),
    ]


def test_unconfigured_mount(run_module: Runner) -> None:
    run = run_module(
        azure_secrets_info.main,
        {"mount_point": "azure-new"},
        {("GET", "azure-new/config"): UNCONFIGURED},
    )
    assert run.result["config"] is None
    assert run.result["roles"] == {}


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ({"only": ["lease"]}, "value of only must be one or more of"),
        ({"names": ["a/b"]}, "names[0]: must not contain '/'"),
    ],
)
def test_bad_input(run_module: Runner, args: dict[str, t.Any], text: str) -> None:
    run = run_module(azure_secrets_info.main, {"only": ["roles"], **args}, ROUTES)
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.fake.writes() == []
