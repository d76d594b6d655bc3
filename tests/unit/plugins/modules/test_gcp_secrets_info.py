# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""gcp_secrets_info: the configuration without credentials, rolesets and accounts, as the modules compare them."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import gcp_secrets_info

Runner = t.Callable[..., t.Any]

PROBE = ("GET", "sys/internal/ui/mounts/gcp")
PROJECT_RES = "//cloudresourcemanager.googleapis.com/projects/my-proj"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
EMAIL = "ci-runner@my-proj.iam.gserviceaccount.com"


def answer(data: t.Any) -> dict[str, t.Any]:
    return {"request_id": "1", "lease_id": "", "renewable": False, "lease_duration": 0, "data": data, "warnings": None}


# as vault-plugin-secrets-gcp v0.20.1 answers (the credentials are never part of a config read)
CONFIG = answer(
    {"identity_token_audience": "", "identity_token_ttl": 0, "max_ttl": 86400, "service_account_email": "", "ttl": 3600}
)
ROUTES: dict[tuple[str, str], t.Any] = {
    PROBE: answer({"type": "gcp", "path": "gcp/"}),
    ("GET", "gcp/config"): CONFIG,
    ("LIST", "gcp/rolesets"): answer({"keys": ["reader"]}),
    ("GET", "gcp/roleset/reader"): answer(
        {
            "secret_type": "access_token",
            "bindings": {PROJECT_RES: ["roles/viewer", "roles/browser"]},
            "service_account_email": "vaultreader-1700000000@my-proj.iam.gserviceaccount.com",
            "project": "my-proj",
            "token_scopes": [SCOPE],
        }
    ),
    ("LIST", "gcp/static-accounts"): answer({"keys": ["ci", "keys"]}),
    ("GET", "gcp/static-account/ci"): answer(
        {
            "service_account_project": "my-proj",
            "service_account_email": EMAIL,
            "secret_type": "access_token",
            "token_scopes": [SCOPE],
        }
    ),
    ("GET", "gcp/static-account/keys"): answer(
        {
            "service_account_project": "my-proj",
            "service_account_email": EMAIL,
            "secret_type": "service_account_key",
            "bindings": {PROJECT_RES: ["roles/viewer"]},
        }
    ),
    ("LIST", "gcp/impersonated-accounts"): answer({"keys": ["deploy"]}),
    ("GET", "gcp/impersonated-account/deploy"): answer(
        {"service_account_email": EMAIL, "token_scopes": [SCOPE], "ttl": 900}
    ),
}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_everything(run_module: Runner, check_mode: bool) -> None:
    run = run_module(gcp_secrets_info.main, {}, ROUTES, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.result["config"] == {
        "ttl": 3600,
        "max_ttl": 86400,
        "service_account_email": "",
        "identity_token_audience": "",
        "identity_token_ttl": 0,
    }
    assert run.result["rolesets"] == {
        "reader": {
            "project": "my-proj",
            "secret_type": "access_token",
            "bindings": {PROJECT_RES: ["roles/browser", "roles/viewer"]},
            "token_scopes": [SCOPE],
        }
    }
    assert run.result["static_accounts"] == {
        "ci": {"service_account_email": EMAIL, "secret_type": "access_token", "bindings": {}, "token_scopes": [SCOPE]},
        "keys": {
            "service_account_email": EMAIL,
            "secret_type": "service_account_key",
            "bindings": {PROJECT_RES: ["roles/viewer"]},
        },
    }
    assert run.result["impersonated_accounts"] == {
        "deploy": {"service_account_email": EMAIL, "token_scopes": [SCOPE], "ttl": 900}
    }
    assert "credentials" not in run.result["config"]
    assert run.fake.writes() == []


def test_only_and_names(run_module: Runner) -> None:
    run = run_module(gcp_secrets_info.main, {"only": ["static_accounts"], "names": ["keys", "gone"]}, ROUTES)
    assert not {"config", "rolesets", "impersonated_accounts"} & set(run.result)
    assert list(run.result["static_accounts"]) == ["keys"]
    # names given: no list, one read each
    assert [(c.method, c.path) for c in run.fake.calls] == [
        ("GET", "gcp/static-account/keys"),
        ("GET", "gcp/static-account/gone"),
    ]


def test_no_configuration_reads_as_null(run_module: Runner) -> None:
    routes = {k: v for k, v in ROUTES.items() if k != ("GET", "gcp/config")}
    run = run_module(gcp_secrets_info.main, {"only": ["config"]}, routes)
    assert run.result["config"] is None


def test_requests(run_module: Runner) -> None:
    run = run_module(gcp_secrets_info.main, {"only": ["rolesets", "impersonated_accounts"]}, ROUTES)
    assert [(c.method, c.path) for c in run.fake.adapter.calls] == [
        PROBE,
        ("LIST", "gcp/rolesets"),
        ("GET", "gcp/roleset/reader"),
        ("LIST", "gcp/impersonated-accounts"),
        ("GET", "gcp/impersonated-account/deploy"),
    ]


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ({"only": ["roles"]}, "value of only must be one or more of"),
        ({"only": ["static_accounts"], "names": ["../config"]}, "names[0]: must not contain '/'"),
        ({"mount_point": "sys"}, "sys/ is reserved"),
    ],
)
def test_refused_before_any_request(run_module: Runner, args: dict[str, t.Any], text: str) -> None:
    run = run_module(gcp_secrets_info.main, args, ROUTES)
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.fake.adapter.calls == []


def test_a_name_another_collection_refuses_is_left_out_of_it(run_module: Runner) -> None:
    """Upper case is refused by the roleset rule only: the name is read where it can exist, not an error."""
    run = run_module(gcp_secrets_info.main, {"only": ["rolesets", "static_accounts"], "names": ["Deploy"]}, ROUTES)
    assert run.result.get("failed") is not True, run.result
    assert run.result["rolesets"] == {}
    assert ("GET", "gcp/roleset/Deploy") not in [(c.method, c.path) for c in run.fake.adapter.calls]
    assert ("GET", "gcp/static-account/Deploy") in [(c.method, c.path) for c in run.fake.adapter.calls]
