# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""policy, auth_method, approle_role, approle_secret_id, jwt_auth_config and jwt_role against a fake Vault:
the requests they send, check mode, and bad input refused before any request."""

from __future__ import annotations

import json
import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import approle_role, policy

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
