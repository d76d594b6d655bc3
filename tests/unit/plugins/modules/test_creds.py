# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import creds

Runner = t.Callable[..., t.Any]
Json = t.Callable[[str], dict[str, t.Any]]
LEASE = "aws/creds/deploy/Yx1Qm3ZbO4kGZ7m1uHn0sD2f"


def test_issues_one_credential(run_module: Runner, vault_json: Json) -> None:
    run = run_module(creds.main, {"role": "deploy"}, {("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    assert run.result["changed"] is True
    credential = run.result["credentials"]
    assert credential["access_key"] == "AKIAIOSFODNN7EXAMPLE"
    assert credential["secret_key"] == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert credential["security_token"] is None
    assert (credential["lease_id"], credential["lease_duration"], credential["renewable"]) == (LEASE, 3600, True)
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", "aws/creds/deploy")]


def test_the_name_alias_and_sts_options(run_module: Runner, vault_json: Json) -> None:
    args = {"name": "deploy", "mount_point": "team", "kind": "sts", "ttl": 900, "role_session_name": "ci"}
    run = run_module(creds.main, args, {("POST", "team/sts/deploy"): vault_json("aws_sts_assumed_role")})
    assert run.result["credentials"]["security_token"] == "FwoGZXIvYXdzEXAMPLETOKEN"
    assert [(c.method, c.path, c.json) for c in run.fake.calls] == [
        ("POST", "team/sts/deploy", {"ttl": "900s", "role_session_name": "ci"})
    ]


def test_check_mode_issues_nothing(run_module: Runner, vault_json: Json) -> None:
    routes = {("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")}
    run = run_module(creds.main, {"role": "deploy"}, routes, check_mode=True)
    assert run.result["changed"] is True
    assert "credentials" not in run.result
    assert run.result["msg"] == "check mode: no credential issued"
    assert run.fake.adapter.calls == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"kind": "static-creds", "ttl": "15m"}, "ttl"),
        ({"kind": "static-creds", "role_arn": "arn:aws:iam::123456789012:role/a"}, "role_arn"),
        ({"kind": "static-creds", "role_session_name": "ci"}, "role_session_name"),
        ({"engine": "azure", "kind": "sts"}, "kind"),
        (
            {
                "engine": "gcp",
                "wait_until_valid": True,
                "key_type": "TYPE_PKCS12_FILE",
                "secret_type": "service_account_key",
            },
            "wait_until_valid",
        ),
        ({"ttl": "a while", "kind": "sts"}, "ttl"),
        ({"role": "a/b"}, "role"),
    ],
    ids=["static-ttl", "static-role-arn", "static-session", "azure-kind", "gcp-proof", "bad-ttl", "path-in-role"],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_bad_requests_fail_naming_the_field_before_any_request(
    run_module: Runner, args: dict[str, t.Any], field: str, check_mode: bool
) -> None:
    run = run_module(creds.main, {"role": "deploy", **args}, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.result["msg"].startswith(f"invalid value for {field}: ")
    assert run.fake.adapter.calls == []


def test_static_creds_with_ttl_says_why(run_module: Runner) -> None:
    run = run_module(creds.main, {"role": "ci-bot", "kind": "static-creds", "ttl": 900})
    assert (
        run.result["msg"] == "invalid value for ttl: does not apply to kind=static-creds (a static role's current key)"
    )


def test_vault_errors_keep_the_message_and_path_and_are_not_retried(run_module: Runner) -> None:
    error = hvac.exceptions.InvalidRequest(errors=["unknown role: deploy"])
    run = run_module(creds.main, {"role": "deploy"}, {("GET", "aws/creds/deploy"): error})
    assert run.result["failed"] is True
    assert run.result["msg"] == "unknown role: deploy (path: aws/creds/deploy)"
    assert run.result["path"] == "aws/creds/deploy"
    assert [c.path for c in run.fake.calls] == ["aws/creds/deploy"]


@pytest.mark.parametrize(
    ("args", "path"),
    [
        ({"engine": "gcp", "secret_type": "service_account_key", "ttl": "1h"}, "gcp/roleset/deploy/key?ttl=3600"),
        ({"engine": "azure"}, "azure/creds/deploy"),
        ({"engine": "alicloud", "mount_point": "ali"}, "ali/creds/deploy"),
    ],
    ids=["gcp-key", "azure", "alicloud"],
)
def test_other_engines(run_module: Runner, args: dict[str, t.Any], path: str) -> None:
    answer = {"lease_id": f"{path}/abc", "lease_duration": 600, "renewable": True, "data": {"client_id": "c"}}
    run = run_module(creds.main, {"role": "deploy", **args}, {("GET", path): answer})
    assert run.result["changed"] is True
    assert run.result["credentials"]["lease_id"] == f"{path}/abc"
    assert [c.path for c in run.fake.calls] == [path]
