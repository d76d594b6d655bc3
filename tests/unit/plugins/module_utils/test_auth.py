# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The descriptors of policies, AppRole and JWT: the HCL parser, the policy comparison, the CIDR, bounds and key
source rules, the secret-id request body."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._auth import (
    APPROLE_ROLE,
    JWT_CONFIG,
    JWT_ROLE,
    POLICY,
    HclError,
    auth_mount,
    parse_hcl,
    policy_data,
    policy_payload,
    secret_id_request,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError, differences
from ansible_collections.vaultops.cloud.plugins.module_utils._driver import Desired, Driver

DEPLOY_HCL = """
# the deploy consumer
path "aws/creds/deploy" {
  capabilities = ["read"]
}

/* leases */
path "sys/leases/renew" { capabilities = ["read", "update",] }
path "sys/leases/revoke" {
  capabilities = ["update"]
  allowed_parameters = {
    "lease_id" = []
  }
}
// itself
path "auth/token/lookup-self" { capabilities = ["read"] }
"""
DEPLOY_DATA = {
    "path": {
        "aws/creds/deploy": {"capabilities": ["read"]},
        "sys/leases/renew": {"capabilities": ["read", "update"]},
        "sys/leases/revoke": {"capabilities": ["update"], "allowed_parameters": {"lease_id": []}},
        "auth/token/lookup-self": {"capabilities": ["read"]},
    }
}


@pytest.mark.parametrize(
    ("text", "data"),
    [
        pytest.param(DEPLOY_HCL, DEPLOY_DATA, id="policy"),
        pytest.param('a = 1\nb = "x\\"y"\nc = true\nd = [1.5, "z"]', {"a": 1, "b": 'x"y', "c": True, "d": [1.5, "z"]}),
        pytest.param('k "l1" "l2" { v = "w" }', {"k": {"l1": {"l2": {"v": "w"}}}}, id="two-labels"),
        pytest.param(
            'path "a" { capabilities = ["read"] }\npath "a" { min_wrapping_ttl = "1s" }',
            {"path": {"a": {"capabilities": ["read"], "min_wrapping_ttl": "1s"}}},
            id="repeated-block-merges",
        ),
        pytest.param("", {}, id="empty"),
    ],
)
def test_parse_hcl(text: str, data: dict[str, t.Any]) -> None:
    assert parse_hcl(text) == data


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param('path "a" {\n  capabilities = ["read"]\n', "the end", id="unclosed-block"),
        pytest.param('path "a" {\n  capabilities = ["read"\n}', "line 3", id="unclosed-list"),
        pytest.param('path "a" {\n  capabilities == ["read"]\n}', "line 2", id="double-equals"),
        pytest.param('path "a" { capabilities = ["read"] } }', "line 1", id="stray-brace"),
        pytest.param('path "a" {\n capabilities = [read"]\n}', "line 2", id="unquoted"),
        pytest.param("path 'a' {}", "line 1", id="single-quotes"),
    ],
)
def test_parse_hcl_refuses(text: str, where: str) -> None:
    with pytest.raises(HclError, match=where):
        parse_hcl(text)


def test_policy_compared_as_data() -> None:
    reordered = {
        "path": {
            "auth/token/lookup-self": {"capabilities": ["read"]},
            "sys/leases/revoke": {"allowed_parameters": {"lease_id": []}, "capabilities": ["update"]},
            "sys/leases/renew": {"capabilities": ["update", "read", "update"]},
            "aws/creds/deploy": {"capabilities": ["read"]},
        }
    }
    as_json = (
        '{"path": {"aws/creds/deploy": {"capabilities": ["read"]}, "sys/leases/renew": {"capabilities": '
        '["update", "read"]}, "sys/leases/revoke": {"capabilities": ["update"], "allowed_parameters": '
        '{"lease_id": []}}, "auth/token/lookup-self": {"capabilities": ["read"]}}}'
    )
    assert policy_data(DEPLOY_HCL) == policy_data(reordered) == policy_data(as_json) == DEPLOY_DATA
    # the current policy as Vault returns it (HCL text), the desired as YAML data: no difference
    assert differences({"policy": reordered}, {"policy": DEPLOY_HCL}, POLICY.fields, POLICY.kinds) == {}
    more = {"path": {**reordered["path"], "aws/creds/deploy": {"capabilities": ["read", "list"]}}}
    assert set(differences({"policy": more}, {"policy": DEPLOY_HCL}, POLICY.fields, POLICY.kinds)) == {"policy"}


def test_policy_payload_keeps_text_renders_data() -> None:
    assert policy_payload({"policy": DEPLOY_HCL}, None) == {"policy": DEPLOY_HCL}
    assert policy_payload({"policy": {"path": {"a": {"capabilities": ["read"]}}}}, None) == {
        "policy": '{\n  "path": {\n    "a": {\n      "capabilities": [\n        "read"\n      ]\n    }\n  }\n}'
    }


def _driver(resource: t.Any, mount: str = "approle") -> Driver:
    # validate() needs no client: bad input fails before any request
    return Driver(t.cast("t.Any", None), resource, mount)


@pytest.mark.parametrize(
    ("name", "fields", "field", "reason"),
    [
        pytest.param("deploy", {"policy": 'path "a" {'}, "policy", "is not valid HCL: the end", id="hcl-unparsed"),
        pytest.param("deploy", {"policy": '{"path": '}, "policy", "is not valid JSON", id="json-unparsed"),
        pytest.param("a/b", {"policy": DEPLOY_DATA}, "name", "must not contain '/'", id="slash"),
        pytest.param("../root", {"policy": DEPLOY_DATA}, "name", "must not contain '/'", id="dot-dot"),
        pytest.param("a?b", {"policy": DEPLOY_DATA}, "name", "must not contain '?'", id="query"),
        pytest.param("a b", {"policy": DEPLOY_DATA}, "name", "must not contain ' '", id="space"),
        pytest.param("root", {"policy": DEPLOY_DATA}, "name", "root is Vault's built-in policy", id="root"),
        pytest.param("deploy", {"policy": None}, "policy", "is required", id="missing"),
        pytest.param("deploy", {"policy": {"paths": {}}}, "policy", "has 'paths'", id="unknown-top-key"),
        pytest.param(
            "deploy", {"policy": 'path "a" {}'}, "policy.path[a].capabilities", "must be a list", id="no-caps"
        ),
        pytest.param(
            "deploy",
            {"policy": {"path": {"a": {"capabilities": ["raed"]}}}},
            "policy.path[a].capabilities",
            "'raed' is not a capability",
            id="bad-capability",
        ),
        pytest.param(
            "deploy",
            {"policy": 'path "a" { capabilities = ["read"]\n allowed_params = {} }'},
            "policy.path[a]",
            "'allowed_params' is not a policy rule key",
            id="bad-rule-key",
        ),
        pytest.param("deploy", {"policy": ["a"]}, "policy", "or a mapping, got list", id="a-list"),
        pytest.param("deploy", {"policy": '["a"]'}, "policy", "is not valid HCL", id="a-list-as-text"),
    ],
)
def test_policy_refused(name: str, fields: dict[str, t.Any], field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        _driver(POLICY, "sys").validate(Desired(name=name, fields=fields))
    assert error.value.field == field
    assert reason in error.value.reason


def test_policy_is_a_path_of_vault_itself() -> None:
    driver = _driver(POLICY, "ignored")
    assert driver.path("Deploy") == "sys/policies/acl/Deploy"
    assert POLICY.name_rule.key("Deploy") == "deploy"


@pytest.mark.parametrize(
    ("mount", "path"),
    [("approle", "auth/approle"), ("/ci/approle/", "auth/ci/approle"), ("auth/jwt", "auth/jwt")],
)
def test_auth_mount(mount: str, path: str) -> None:
    assert auth_mount(mount) == path


@pytest.mark.parametrize("mount", ["", "a/../b", "sys", "a b"])
def test_auth_mount_refused(mount: str) -> None:
    with pytest.raises(ValidationError) as error:
        auth_mount(mount)
    assert error.value.field == "mount_point"


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        pytest.param(
            {"secret_id_bound_cidrs": ["10.0.0.0/33"]}, "secret_id_bound_cidrs", "'10.0.0.0/33' is not a CIDR"
        ),
        pytest.param({"token_bound_cidrs": ["10.0.0.0/8", "office"]}, "token_bound_cidrs", "'office' is not a CIDR"),
        pytest.param({"token_ttl": "2h", "token_max_ttl": "1h"}, "token_ttl", "must not exceed token_max_ttl"),
        pytest.param({"bind_secret_id": False}, "bind_secret_id", "would log in anyone"),
        pytest.param({"secret_id_ttl": "soon"}, "secret_id_ttl", "is not a duration"),
    ],
)
def test_approle_role_refused(fields: dict[str, t.Any], field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        _driver(APPROLE_ROLE, "auth/approle").validate(Desired(name="deploy", fields=fields))
    assert error.value.field == field
    assert reason in error.value.reason


def test_approle_role_accepted_and_compared() -> None:
    fields = {"bind_secret_id": False, "secret_id_bound_cidrs": ["10.1.2.3", "192.168.0.0/16"], "token_ttl": "20m"}
    assert _driver(APPROLE_ROLE, "auth/approle").validate(Desired(name="Deploy", fields=fields)) == {
        "bind_secret_id": False,
        "secret_id_bound_cidrs": ["10.1.2.3", "192.168.0.0/16"],
        "token_ttl": 1200,
    }
    current = {"bind_secret_id": False, "secret_id_bound_cidrs": ["192.168.0.0/16", "10.1.2.3"], "token_ttl": 1200}
    assert differences(fields, current, APPROLE_ROLE.fields, APPROLE_ROLE.kinds) == {}
    assert APPROLE_ROLE.name_rule.key("Deploy") == "deploy"


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        pytest.param({"cidr_list": ["10.0.0.0/8", "not-a-cidr"]}, "cidr_list", "'not-a-cidr' is not a CIDR"),
        pytest.param({"token_bound_cidrs": ["300.1.1.1"]}, "token_bound_cidrs", "'300.1.1.1' is not a CIDR"),
        pytest.param({"ttl": "later"}, "ttl", "is not a duration"),
        pytest.param({"num_uses": -1}, "num_uses", "must not be negative"),
    ],
)
def test_secret_id_request_refused(params: dict[str, t.Any], field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        secret_id_request(params)
    assert error.value.field == field
    assert reason in error.value.reason


def test_secret_id_request_body() -> None:
    assert secret_id_request(
        {"metadata": {"team": "ops", "n": 1}, "cidr_list": ["10.0.0.0/8"], "ttl": "10m", "num_uses": 1}
    ) == {"metadata": '{"n": "1", "team": "ops"}', "cidr_list": ["10.0.0.0/8"], "ttl": 600, "num_uses": 1}
    assert secret_id_request({"metadata": None, "cidr_list": [], "ttl": None, "num_uses": None}) == {}


PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        pytest.param({}, "oidc_discovery_url", "set exactly one of", id="none"),
        pytest.param(
            {"jwks_url": "https://x/jwks", "jwt_validation_pubkeys": [PEM]},
            "jwt_validation_pubkeys",
            "given: jwks_url, jwt_validation_pubkeys",
            id="two",
        ),
        pytest.param({"jwks_url": "ftp://x/jwks"}, "jwks_url", "is not an http(s) URL", id="not-http"),
        pytest.param({"jwt_validation_pubkeys": ["AAAA"]}, "jwt_validation_pubkeys", "must be PEM", id="not-pem"),
    ],
)
def test_jwt_config_refused(fields: dict[str, t.Any], field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        _driver(JWT_CONFIG, "auth/jwt").validate(Desired(fields=fields))
    assert error.value.field == field
    assert reason in error.value.reason


def test_jwt_config_payload_clears_the_other_key_sources() -> None:
    assert JWT_CONFIG.payload is not None
    assert JWT_CONFIG.payload({"jwt_validation_pubkeys": [PEM], "bound_issuer": "it", "jwks_url": None}, None) == {
        "oidc_discovery_url": "",
        "jwks_url": "",
        "jwt_validation_pubkeys": [PEM],
        "bound_issuer": "it",
    }


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        pytest.param({"user_claim": "sub"}, "bound_audiences", "accepts every token", id="no-bounds"),
        pytest.param(
            {"user_claim": "sub", "bound_audiences": [], "bound_claims": {}}, "bound_audiences", "accepts every token"
        ),
        pytest.param({"bound_audiences": ["ci"]}, "user_claim", "is required", id="no-user-claim"),
        pytest.param({"user_claim": "sub", "bound_subject": "x", "role_type": "oidc"}, "allowed_redirect_uris", "oidc"),
        pytest.param(
            {"user_claim": "sub", "bound_audiences": ["ci"], "token_bound_cidrs": ["x"]},
            "token_bound_cidrs",
            "'x' is not a CIDR",
        ),
        pytest.param({"user_claim": "sub", "bound_claims": "[1"}, "bound_claims", "is not a mapping or JSON"),
    ],
)
def test_jwt_role_refused(fields: dict[str, t.Any], field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        _driver(JWT_ROLE, "auth/jwt").validate(Desired(name="ci", fields=fields))
    assert error.value.field == field
    assert reason in error.value.reason


@pytest.mark.parametrize(
    "bounds",
    [{"bound_audiences": ["ci"]}, {"bound_claims": {"repository": "org/app"}}, {"bound_subject": "repo:org/app"}],
)
def test_jwt_role_accepted_with_one_bound(bounds: dict[str, t.Any]) -> None:
    _driver(JWT_ROLE, "auth/jwt").validate(Desired(name="ci", fields={"user_claim": "sub", **bounds}))


def test_jwt_role_claims_compared_as_data() -> None:
    desired = {"bound_claims": {"ref": ["main", "dev"], "repository": "org/app"}, "bound_audiences": ["b", "a"]}
    current = {"bound_claims": {"repository": "org/app", "ref": ["dev", "main"]}, "bound_audiences": ["a", "b"]}
    assert differences(desired, current, JWT_ROLE.fields, JWT_ROLE.kinds) == {}
    assert set(differences({"bound_claims": {"ref": "main"}}, current, JWT_ROLE.fields, JWT_ROLE.kinds)) == {
        "bound_claims"
    }
