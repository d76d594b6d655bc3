# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import normalise_bindings
from ansible_collections.vaultops.cloud.plugins.modules import gcp_secrets_static_account

Runner = t.Callable[..., t.Any]

PATH = "gcp/static-account/ci"
EMAIL = "ci-runner@my-proj.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
BUCKET = "//storage.googleapis.com/projects/_/buckets/my-backups"


def envelope(data: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        "request_id": "5e0f3c1a-8b2d-4e6f-9a7c-0d1e2f3a4b5c",
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": data,
        "wrap_info": None,
        "warnings": None,
        "auth": None,
    }


# the shape of pathStaticAccountRead (path_static_account.go): no bindings key when there are none,
# token_scopes only for access_token
TOKEN_ACCOUNT = envelope(
    {
        "service_account_project": "my-proj",
        "service_account_email": EMAIL,
        "secret_type": "access_token",
        "token_scopes": [SCOPE],
    }
)
KEY_ACCOUNT = envelope(
    {
        "service_account_project": "my-proj",
        "service_account_email": EMAIL,
        "secret_type": "service_account_key",
        "bindings": {BUCKET: ["roles/storage.objectAdmin"]},
    }
)


def base(**args: t.Any) -> dict[str, t.Any]:
    return {"name": "ci", **args}


@pytest.mark.parametrize(
    ("read", "args"),
    [
        pytest.param(TOKEN_ACCOUNT, base(), id="name-only"),
        pytest.param(
            TOKEN_ACCOUNT,
            base(service_account_email=EMAIL.upper(), secret_type="access_token", token_scopes=[SCOPE], bindings={}),
            id="token-everything-email-case-no-bindings",
        ),
        pytest.param(
            KEY_ACCOUNT,
            base(
                service_account_email=EMAIL,
                secret_type="service_account_key",
                bindings={BUCKET: "roles/storage.objectAdmin"},
            ),
            id="key-with-bindings",
        ),
        pytest.param(KEY_ACCOUNT, base(token_scopes=[]), id="key-empty-scopes"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(run_module: Runner, read: dict[str, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(gcp_secrets_static_account.main, args, {("GET", PATH): read}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.fake.writes() == []
    assert run.result["static_account"]["service_account_email"] == EMAIL
    assert run.result["diff"]["before"] == run.result["diff"]["after"]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update_sends_the_fixed_fields_along(run_module: Runner, check_mode: bool) -> None:
    """Without secret_type the engine would read the update as a change to its default, access_token."""
    args = base(bindings={})
    run = run_module(
        gcp_secrets_static_account.main, args, {("GET", PATH): KEY_ACCOUNT}, check_mode=check_mode, diff=True
    )
    assert run.result["changed"] is True
    assert run.result["diff"]["before"]["bindings"] == {BUCKET: ["roles/storage.objectAdmin"]}
    assert run.result["diff"]["after"]["bindings"] == {}
    expected = [
        ("POST", PATH, {"bindings": "", "secret_type": "service_account_key", "service_account_email": EMAIL}),
    ]
    assert run.fake.writes() == ([] if check_mode else expected)


def test_update_scopes(run_module: Runner) -> None:
    args = base(token_scopes=["https://www.googleapis.com/auth/devstorage.read_only"])
    run = run_module(gcp_secrets_static_account.main, args, {("GET", PATH): TOKEN_ACCOUNT})
    assert run.result["changed"] is True
    assert run.fake.writes() == [
        (
            "POST",
            PATH,
            {
                "token_scopes": ["https://www.googleapis.com/auth/devstorage.read_only"],
                "secret_type": "access_token",
                "service_account_email": EMAIL,
            },
        )
    ]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, check_mode: bool) -> None:
    args = base(service_account_email=EMAIL, token_scopes=[SCOPE], bindings={BUCKET: ["roles/storage.objectViewer"]})
    run = run_module(gcp_secrets_static_account.main, args, {}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["static_account"] == {
        "service_account_email": EMAIL,
        "secret_type": "access_token",
        "bindings": {BUCKET: ["roles/storage.objectViewer"]},
        "token_scopes": [SCOPE],
    }
    if check_mode:
        assert run.fake.writes() == []
    else:
        [write] = run.fake.writes()
        assert write.json["service_account_email"] == EMAIL
        assert write.json["secret_type"] == "access_token"
        assert normalise_bindings(write.json["bindings"]) == {BUCKET: ["roles/storage.objectViewer"]}


def test_create_without_bindings_sends_none(run_module: Runner) -> None:
    args = base(service_account_email=EMAIL, secret_type="service_account_key", bindings={})
    run = run_module(gcp_secrets_static_account.main, args, {})
    assert run.fake.writes() == [("POST", PATH, {"service_account_email": EMAIL, "secret_type": "service_account_key"})]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (base(service_account_email="other@my-proj.iam.gserviceaccount.com"), "service_account_email"),
        (base(secret_type="service_account_key"), "secret_type"),
    ],
)
def test_immutable_field_refused(run_module: Runner, args: dict[str, t.Any], field: str) -> None:
    run = run_module(gcp_secrets_static_account.main, args, {("GET", PATH): TOKEN_ACCOUNT})
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert "set recreate=true" in run.result["msg"]
    assert run.fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_recreate(run_module: Runner, check_mode: bool) -> None:
    other = "other@my-proj.iam.gserviceaccount.com"
    args = base(service_account_email=other, recreate=True)
    run = run_module(
        gcp_secrets_static_account.main, args, {("GET", PATH): TOKEN_ACCOUNT}, check_mode=check_mode, diff=True
    )
    assert run.result["changed"] is True
    assert run.result["recreated"] is True
    assert run.result["diff"]["before"]["service_account_email"] == EMAIL
    assert run.result["diff"]["after"]["service_account_email"] == other
    expected = [
        ("DELETE", PATH, None),
        ("POST", PATH, {"service_account_email": other, "secret_type": "access_token", "token_scopes": [SCOPE]}),
    ]
    assert run.fake.writes() == ([] if check_mode else expected)


@pytest.mark.parametrize(
    ("args", "routes", "field"),
    [
        (base(token_scopes=[SCOPE]), {}, "service_account_email"),
        (base(service_account_email=EMAIL), {}, "token_scopes"),
        (base(token_scopes=[SCOPE]), {("GET", PATH): KEY_ACCOUNT}, "token_scopes"),
        (base(bindings={BUCKET: ["storage.admin"]}), {}, "bindings"),
    ],
)
def test_refused_without_writing(
    run_module: Runner, args: dict[str, t.Any], routes: dict[t.Any, t.Any], field: str
) -> None:
    run = run_module(gcp_secrets_static_account.main, args, routes)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("read", "changed", "writes"),
    [(TOKEN_ACCOUNT, True, [("DELETE", PATH, None)]), (None, False, [])],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent(
    *, run_module: Runner, read: dict[str, t.Any] | None, changed: bool, writes: list[t.Any], check_mode: bool
) -> None:
    routes = {("GET", PATH): read} if read else {}
    run = run_module(gcp_secrets_static_account.main, base(state="absent"), routes, check_mode=check_mode)
    assert run.result["changed"] is changed
    assert run.fake.writes() == ([] if check_mode else writes)
    assert "static_account" not in run.result
