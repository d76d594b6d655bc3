# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""policy, auth_method, approle_role, approle_secret_id, jwt_auth_config and jwt_role against a fake Vault:
the requests they send, check mode, and bad input refused before any request."""

from __future__ import annotations

import json
import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._auth import issue_secret_id
from ansible_collections.vaultops.cloud.plugins.modules import (
    approle_role,
    approle_secret_id,
    auth_method,
    jwt_auth_config,
    jwt_role,
    policy,
)

Runner = t.Callable[..., t.Any]

HCL = 'path "aws/creds/deploy" {\n  capabilities = ["read", "list"]\n}\n'
DATA = {"path": {"aws/creds/deploy": {"capabilities": ["list", "read"]}}}


def answer(data: dict[str, t.Any]) -> dict[str, t.Any]:
    return {"data": data}


def requests_of(run: t.Any) -> list[tuple[str, str, t.Any]]:
    return [(c.method, c.path, c.json) for c in run.fake.calls]


# --- policy ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", [HCL, DATA, json.dumps(DATA)], ids=["hcl", "data", "json"])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_policy_unchanged(run_module: Runner, given: t.Any, check_mode: bool) -> None:
    routes = {("GET", "sys/policies/acl/deploy"): answer({"name": "deploy", "policy": HCL})}
    run = run_module(policy.main, {"name": "deploy", "policy": given}, routes, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert requests_of(run) == [("GET", "sys/policies/acl/deploy", None)]
    assert run.result["policy"] == {"path": {"aws/creds/deploy": {"capabilities": ["list", "read"]}}}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_policy_created(run_module: Runner, check_mode: bool) -> None:
    run = run_module(policy.main, {"name": "deploy", "policy": HCL}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"] == {"before": {}, "after": {"policy": DATA}}
    writes = [] if check_mode else [("POST", "sys/policies/acl/deploy", {"policy": HCL})]
    assert [(c.method, c.path, c.json) for c in run.fake.writes()] == writes
    assert run.fake.probes == []  # a path of Vault itself: no mount to check


def test_policy_from_data_is_sent_as_json(run_module: Runner) -> None:
    routes = {("GET", "sys/policies/acl/deploy"): answer({"name": "deploy", "policy": 'path "x" {}'})}
    run = run_module(policy.main, {"name": "deploy", "policy": DATA}, routes)
    assert run.result["changed"] is True
    (write,) = run.fake.writes()
    assert json.loads(write.json["policy"]) == DATA


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_policy_deleted(run_module: Runner, check_mode: bool) -> None:
    routes = {("GET", "sys/policies/acl/old"): answer({"name": "old", "policy": HCL})}
    run = run_module(policy.main, {"name": "old", "state": "absent"}, routes, check_mode=check_mode)
    assert run.result["changed"] is True
    assert [(c.method, c.path) for c in run.fake.writes()] == (
        [] if check_mode else [("DELETE", "sys/policies/acl/old")]
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"name": "deploy", "policy": 'path "a" { capabilities = ["read"'}, "policy"),
        ({"name": "team/deploy", "policy": HCL}, "name"),
        ({"name": "root", "policy": HCL}, "name"),
    ],
)
def test_policy_bad_input_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str) -> None:
    run = run_module(policy.main, args)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.fake.calls == []


# --- approle_role ----------------------------------------------------------------------------------

ROLE = {
    "bind_secret_id": True,
    "local_secret_ids": False,
    "secret_id_bound_cidrs": ["10.0.0.0/8"],
    "secret_id_num_uses": 1,
    "secret_id_ttl": 600,
    "token_bound_cidrs": [],
    "token_max_ttl": 3600,
    "token_policies": ["deploy", "audit"],
    "token_ttl": 1200,
    "token_type": "default",
}
ROLE_ID = {("GET", "auth/approle/role/deploy/role-id"): answer({"role_id": "the-role-id"})}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_approle_role_unchanged(run_module: Runner, check_mode: bool) -> None:
    routes = {("GET", "auth/approle/role/deploy"): answer(ROLE), **ROLE_ID}
    args = {"name": "deploy", "token_policies": ["audit", "deploy"], "token_ttl": "20m", "secret_id_ttl": "10m"}
    run = run_module(approle_role.main, args, routes, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.fake.writes() == []
    assert run.result["role_id"] == "the-role-id"


def test_approle_role_created(run_module: Runner) -> None:
    routes = dict(ROLE_ID)  # the role itself: 404
    args = {
        "name": "deploy",
        "token_policies": ["deploy"],
        "secret_id_bound_cidrs": ["10.0.0.0/8"],
        "mount_point": "approle",
    }
    run = run_module(approle_role.main, args, routes)
    assert run.result["changed"] is True
    assert [(c.method, c.path, c.json) for c in run.fake.writes()] == [
        ("POST", "auth/approle/role/deploy", {"token_policies": ["deploy"], "secret_id_bound_cidrs": ["10.0.0.0/8"]})
    ]
    assert run.result["role_id"] == "the-role-id"


def test_approle_role_check_mode_on_a_new_role_has_no_role_id(run_module: Runner) -> None:
    run = run_module(approle_role.main, {"name": "deploy", "token_policies": ["deploy"]}, check_mode=True)
    assert run.result["changed"] is True
    assert run.result["role_id"] is None
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"name": "deploy", "secret_id_bound_cidrs": ["10.0.0.0/40"]}, "secret_id_bound_cidrs"),
        ({"name": "de/ploy"}, "name"),
        ({"name": "deploy", "mount_point": "../sys"}, "mount_point"),
        ({"name": "deploy", "bind_secret_id": False}, "bind_secret_id"),
    ],
)
def test_approle_role_bad_input_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str) -> None:
    run = run_module(approle_role.main, args)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.fake.adapter.calls == []


# --- auth_method -----------------------------------------------------------------------------------

SYS_AUTH = answer(
    {
        "approle/": {
            "type": "approle",
            "description": "Machine logins",
            "config": {"default_lease_ttl": 1200, "max_lease_ttl": 3600, "token_type": "default-service"},
            "options": {},
            "local": False,
        },
        "token/": {"type": "token", "description": "token based credentials", "config": {}, "options": None},
    }
)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_auth_method_unchanged(run_module: Runner, check_mode: bool) -> None:
    args = {"path": "approle", "type": "approle", "description": "Machine logins", "default_lease_ttl": "20m"}
    args["token_type"] = "default-service"
    run = run_module(auth_method.main, args, {("GET", "sys/auth"): SYS_AUTH}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert requests_of(run) == [("GET", "sys/auth", None)]
    assert run.result["mount"]["type"] == "approle"


def test_auth_method_enabled_with_config(run_module: Runner) -> None:
    args = {"path": "ci", "type": "jwt", "default_lease_ttl": "20m", "token_type": "batch", "description": "CI"}
    run = run_module(auth_method.main, args, {("GET", "sys/auth"): SYS_AUTH})
    assert run.result["changed"] is True
    assert [(c.method, c.path, c.json) for c in run.fake.writes()] == [
        (
            "POST",
            "sys/auth/ci",
            {"type": "jwt", "description": "CI", "config": {"default_lease_ttl": "1200s", "token_type": "batch"}},
        )
    ]


def test_auth_method_tuned(run_module: Runner) -> None:
    args = {"path": "approle", "type": "approle", "max_lease_ttl": "2h"}
    run = run_module(auth_method.main, args, {("GET", "sys/auth"): SYS_AUTH}, diff=True)
    assert run.result["changed"] is True
    assert [(c.method, c.path, c.json) for c in run.fake.writes()] == [
        ("POST", "sys/auth/approle/tune", {"max_lease_ttl": "7200s"})
    ]
    assert run.result["diff"]["before"]["max_lease_ttl"] == 3600
    assert run.result["diff"]["after"]["max_lease_ttl"] == 7200


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_auth_method_disabled(run_module: Runner, check_mode: bool) -> None:
    run = run_module(
        auth_method.main, {"path": "approle", "state": "absent"}, {("GET", "sys/auth"): SYS_AUTH}, check_mode=check_mode
    )
    assert run.result["changed"] is True
    assert [(c.method, c.path) for c in run.fake.writes()] == ([] if check_mode else [("DELETE", "sys/auth/approle")])


def test_auth_method_refuses_type_change(run_module: Runner) -> None:
    run = run_module(auth_method.main, {"path": "approle", "type": "jwt"}, {("GET", "sys/auth"): SYS_AUTH})
    assert run.result["failed"] is True
    assert run.result["field"] == "type"
    assert "mounted as a 'approle' method, not 'jwt'" in run.result["msg"]
    assert run.fake.writes() == []


# --- approle_secret_id -----------------------------------------------------------------------------

SECRET_ID_PATH = "auth/approle/role/deploy/secret-id"
ISSUED = answer(
    {"secret_id": "s-1", "secret_id_accessor": "acc-1", "secret_id_ttl": 600, "secret_id_num_uses": 1},
)


def test_secret_id_issued(run_module: Runner) -> None:
    args = {"role_name": "deploy", "metadata": {"run": 7}, "cidr_list": ["10.0.0.0/8"], "ttl": "10m", "num_uses": 1}
    run = run_module(approle_secret_id.main, args, {("POST", SECRET_ID_PATH): ISSUED})
    assert run.result["changed"] is True
    assert run.result["secret_id"] == "s-1"
    assert run.result["secret_id_accessor"] == "acc-1"
    assert requests_of(run) == [
        (
            "POST",
            SECRET_ID_PATH,
            {"metadata": '{"run": "7"}', "cidr_list": ["10.0.0.0/8"], "ttl": 600, "num_uses": 1},
        )
    ]


def test_secret_id_check_mode_sends_nothing(run_module: Runner) -> None:
    run = run_module(
        approle_secret_id.main, {"role_name": "deploy"}, {("POST", SECRET_ID_PATH): ISSUED}, check_mode=True
    )
    assert run.result["changed"] is True
    assert "secret_id" not in run.result
    assert run.fake.adapter.calls == []


def test_secret_id_never_retried(run_module: Runner) -> None:
    failure = hvac.exceptions.InternalServerError("boom")
    run = run_module(approle_secret_id.main, {"role_name": "deploy"}, {("POST", SECRET_ID_PATH): [failure, ISSUED]})
    assert run.result["failed"] is True
    assert [c.path for c in run.fake.calls] == [SECRET_ID_PATH]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"role_name": "deploy", "cidr_list": ["10.0.0.0/8", "10.0.0.300/32"]}, "cidr_list"),
        ({"role_name": "deploy", "token_bound_cidrs": ["intranet"]}, "token_bound_cidrs"),
        ({"role_name": "deploy", "wrap_ttl": "a while"}, "wrap_ttl"),
        ({"role_name": "dep/loy"}, "role_name"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_secret_id_bad_input_before_any_request(
    run_module: Runner, args: dict[str, t.Any], field: str, check_mode: bool
) -> None:
    run = run_module(approle_secret_id.main, args, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.fake.adapter.calls == []


class _Session:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


def test_secret_id_wrapped(make_client: t.Callable[..., t.Any]) -> None:
    wrapped = {
        "wrap_info": {
            "token": "wrapping-token",
            "accessor": "wacc",
            "ttl": 120,
            "creation_time": "2026-11-30T12:00:00Z",
            "creation_path": SECRET_ID_PATH,
            "wrapped_accessor": "",
        }
    }
    kit = make_client({("POST", SECRET_ID_PATH): wrapped})
    session = _Session()
    seen: list[dict[str, str]] = []
    adapter = kit.client.hvac.adapter
    original = adapter.request

    def request(method: str, url: str, **kwargs: t.Any) -> t.Any:
        seen.append(dict(session.headers))
        return original(method, url, **kwargs)

    adapter.session = session
    adapter.request = request
    issued = issue_secret_id(kit.client, "auth/approle", "deploy", {}, wrap_ttl=120)
    assert issued == {
        "wrap_info": {
            "token": "wrapping-token",
            "accessor": "wacc",
            "ttl": 120,
            "creation_time": "2026-11-30T12:00:00Z",
            "creation_path": SECRET_ID_PATH,
        }
    }
    assert seen[-1] == {"X-Vault-Wrap-TTL": "120s"}
    assert session.headers == {}  # only for that request


# --- jwt_auth_config and jwt_role ------------------------------------------------------------------

PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"
JWT_CONFIG_RECORD = {
    "bound_issuer": "https://ci.example",
    "default_role": "",
    "jwks_ca_pem": "",
    "jwks_url": "",
    "jwt_supported_algs": [],
    "jwt_validation_pubkeys": [PEM],
    "oidc_client_id": "",
    "oidc_discovery_ca_pem": "",
    "oidc_discovery_url": "",
    "oidc_response_mode": "",
    "oidc_response_types": [],
}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_jwt_config_unchanged(run_module: Runner, check_mode: bool) -> None:
    routes = {("GET", "auth/ci/config"): answer(JWT_CONFIG_RECORD)}
    args = {"mount_point": "ci", "jwt_validation_pubkeys": [PEM + "\n"], "bound_issuer": "https://ci.example"}
    run = run_module(jwt_auth_config.main, args, routes, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.fake.writes() == []


def test_jwt_config_switch_to_discovery_clears_the_keys(run_module: Runner) -> None:
    routes = {("GET", "auth/ci/config"): answer(JWT_CONFIG_RECORD)}
    args = {"mount_point": "ci", "oidc_discovery_url": "https://token.actions.githubusercontent.com"}
    run = run_module(jwt_auth_config.main, args, routes, diff=True)
    assert run.result["changed"] is True
    assert [(c.method, c.path, c.json) for c in run.fake.writes()] == [
        (
            "POST",
            "auth/ci/config",
            {
                "oidc_discovery_url": "https://token.actions.githubusercontent.com",
                "jwks_url": "",
                "jwt_validation_pubkeys": [],
            },
        )
    ]


def test_jwt_config_two_key_sources_refused(run_module: Runner) -> None:
    args = {"jwks_url": "https://x/keys", "jwt_validation_pubkeys": [PEM]}
    run = run_module(jwt_auth_config.main, args)
    assert run.result["failed"] is True
    assert "mutually exclusive" in run.result["msg"]
    assert run.fake.adapter.calls == []


JWT_ROLE_RECORD = {
    "allowed_redirect_uris": None,
    "bound_audiences": ["vault"],
    "bound_claims": {"repo": ["org/app", "org/b"]},
    "bound_claims_type": "string",
    "bound_subject": "",
    "claim_mappings": None,
    "role_type": "jwt",
    "token_policies": ["deploy"],
    "token_ttl": 600,
    "user_claim": "sub",
}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_jwt_role_unchanged(run_module: Runner, check_mode: bool) -> None:
    routes = {("GET", "auth/jwt/role/ci"): answer(JWT_ROLE_RECORD)}
    args = {
        "name": "ci",
        "role_type": "jwt",
        "bound_audiences": ["vault"],
        "bound_claims": {"repo": ["org/b", "org/app"]},
        "user_claim": "sub",
        "token_policies": ["deploy"],
        "token_ttl": "10m",
    }
    run = run_module(jwt_role.main, args, routes, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.fake.writes() == []


def test_jwt_role_created(run_module: Runner) -> None:
    args = {"name": "ci", "bound_subject": "repo:org/app:ref:refs/heads/main", "user_claim": "sub"}
    run = run_module(jwt_role.main, args, diff=True)
    assert run.result["changed"] is True
    assert [(c.method, c.path, c.json) for c in run.fake.writes()] == [
        ("POST", "auth/jwt/role/ci", {"bound_subject": "repo:org/app:ref:refs/heads/main", "user_claim": "sub"})
    ]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"name": "ci", "user_claim": "sub", "token_policies": ["deploy"]}, "bound_audiences"),
        ({"name": "ci", "user_claim": "sub", "bound_audiences": [], "bound_claims": {}}, "bound_audiences"),
        ({"name": "c/i", "user_claim": "sub", "bound_audiences": ["vault"]}, "name"),
        (
            {"name": "ci", "user_claim": "sub", "bound_audiences": ["v"], "token_bound_cidrs": ["lan"]},
            "token_bound_cidrs",
        ),
    ],
)
def test_jwt_role_bad_input_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str) -> None:
    run = run_module(jwt_role.main, args)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.fake.adapter.calls == []
