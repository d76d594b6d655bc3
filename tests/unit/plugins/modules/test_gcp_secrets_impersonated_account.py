# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import gcp_secrets_impersonated_account

Runner = t.Callable[..., t.Any]

PATH = "gcp/impersonated-account/deploy"
EMAIL = "deploy@my-proj.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"

# the shape of pathImpersonatedAccountRead (path_impersonated_account.go); ttl in seconds, 0 when unset
ACCOUNT = {
    "request_id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    "lease_id": "",
    "renewable": False,
    "lease_duration": 0,
    "data": {
        "service_account_project": "my-proj",
        "service_account_email": EMAIL,
        "token_scopes": [SCOPE],
        "ttl": 900,
    },
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}


@pytest.fixture
def account() -> dict[tuple[str, str], t.Any]:
    return {("GET", PATH): ACCOUNT}


def base(**args: t.Any) -> dict[str, t.Any]:
    return {"name": "deploy", **args}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(base(), id="name-only"),
        pytest.param(base(service_account_email=EMAIL, token_scopes=[SCOPE], ttl="15m"), id="everything"),
        pytest.param(base(service_account_email="Deploy@My-Proj.iam.gserviceaccount.com", ttl=900), id="email-case"),
        pytest.param(base(ttl="0h15m0s"), id="go-duration"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(run_module: Runner, account: dict[t.Any, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(gcp_secrets_impersonated_account.main, args, account, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.fake.writes() == []
    assert run.result["impersonated_account"] == {
        "service_account_email": EMAIL,
        "token_scopes": [SCOPE],
        "ttl": 900,
    }


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update(run_module: Runner, account: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(gcp_secrets_impersonated_account.main, base(ttl="1h"), account, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert (run.result["diff"]["before"]["ttl"], run.result["diff"]["after"]["ttl"]) == (900, 3600)
    assert run.fake.writes() == ([] if check_mode else [("POST", PATH, {"ttl": 3600})])


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, check_mode: bool) -> None:
    args = base(service_account_email=EMAIL, token_scopes=[SCOPE], ttl="15m")
    run = run_module(gcp_secrets_impersonated_account.main, args, {}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"]["before"] == {}
    expected = [("POST", PATH, {"service_account_email": EMAIL, "token_scopes": [SCOPE], "ttl": 900})]
    assert run.fake.writes() == ([] if check_mode else expected)


def test_email_change_refused(run_module: Runner, account: dict[t.Any, t.Any]) -> None:
    run = run_module(
        gcp_secrets_impersonated_account.main, base(service_account_email="x@my-proj.iam.gserviceaccount.com"), account
    )
    assert run.result["failed"] is True
    assert run.result["field"] == "service_account_email"
    assert f"impersonated account deploy has service_account_email {EMAIL!r}" in run.result["msg"]
    assert run.fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_recreate(run_module: Runner, account: dict[t.Any, t.Any], check_mode: bool) -> None:
    other = "other@my-proj.iam.gserviceaccount.com"
    args = base(service_account_email=other, recreate=True)
    run = run_module(gcp_secrets_impersonated_account.main, args, account, check_mode=check_mode, diff=True)
    assert run.result["recreated"] is True
    assert run.result["diff"]["before"]["service_account_email"] == EMAIL
    expected = [
        ("DELETE", PATH, None),
        ("POST", PATH, {"service_account_email": other, "token_scopes": [SCOPE], "ttl": 900}),
    ]
    assert run.fake.writes() == ([] if check_mode else expected)


@pytest.mark.parametrize(
    ("args", "routes", "field"),
    [
        (base(token_scopes=[SCOPE]), {}, "service_account_email"),
        (base(service_account_email=EMAIL), {}, "token_scopes"),
        (base(token_scopes=[]), {("GET", PATH): ACCOUNT}, "token_scopes"),
        (base(ttl="a while"), {}, "ttl"),
    ],
)
def test_refused_without_writing(
    run_module: Runner, args: dict[str, t.Any], routes: dict[t.Any, t.Any], field: str
) -> None:
    run = run_module(gcp_secrets_impersonated_account.main, args, routes)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.fake.writes() == []


@pytest.mark.parametrize(("present", "changed"), [(True, True), (False, False)])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent(run_module: Runner, present: bool, changed: bool, check_mode: bool) -> None:
    routes = {("GET", PATH): ACCOUNT} if present else {}
    run = run_module(gcp_secrets_impersonated_account.main, base(state="absent"), routes, check_mode=check_mode)
    assert run.result["changed"] is changed
    expected = [("DELETE", PATH, None)] if changed and not check_mode else []
    assert run.fake.writes() == expected
