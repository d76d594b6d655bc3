"""Least privilege, live: policy, auth_method, approle_role, approle_secret_id, jwt_auth_config and jwt_role
against the lab.

One play holds a task per module and runs four times (check mode on a fresh server, real, real again, check mode
again), so that four ansible-playbook starts cover the four-run pattern of every module; a fifth run holds the bad
input. The state is read back with hvac on the root token, never with the collection's own code; the audit log
shows that the check runs and the refused tasks wrote nothing. The AppRole role then logs in with its role_id
and an issued secret-id (plain and response-wrapped), and the JWT role accepts a token signed by a key this test
holds and refuses one for another audience or another claim.
"""

from __future__ import annotations

import json
import time
import typing as t
import uuid

import hvac
import hvac.exceptions
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ._audit import AuditLog, Request, child_token, describe
from .conftest import Ansible, Lab, PlaybookResult

SUFFIX = uuid.uuid4().hex[:6]
APPROLE = f"it-approle-{SUFFIX}"
JWT_MOUNT = f"it-jwt-{SUFFIX}"
POLICY = f"it-deploy-{SUFFIX}"
POLICY_HCL = f"it-hcl-{SUFFIX}"
ISSUER = "https://ci.vaultops.test"

# the same policy as YAML data, in two orders (runs 3 and 4 use the second: no change)
POLICY_DATA = {
    "path": {
        "it-aws/creds/deploy": {"capabilities": ["read"]},
        "sys/leases/renew": {"capabilities": ["update"]},
        "sys/leases/revoke": {"capabilities": ["update"]},
        "auth/token/lookup-self": {"capabilities": ["read"]},
    }
}
POLICY_DATA_REORDERED = {
    "path": {
        "auth/token/lookup-self": {"capabilities": ["read"]},
        "sys/leases/revoke": {"capabilities": ["update"]},
        "sys/leases/renew": {"capabilities": ["update"]},
        "it-aws/creds/deploy": {"capabilities": ["read"]},
    }
}
# HCL text, and the same rules reformatted, commented and reordered (runs 3 and 4)
HCL = 'path "it-aws/creds/deploy" {\n  capabilities = ["read", "list"]\n}\n'
HCL_REFORMATTED = '# the deploy consumer\npath "it-aws/creds/deploy" { capabilities = [ "list", "read" ] }\n'

TASKS = ("policy", "policy_hcl", "approle", "approle_role", "jwt", "jwt_config", "jwt_role")


@pytest.fixture(scope="module")
def signer() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def cleanup(vault: hvac.Client) -> t.Iterator[None]:
    yield
    for path in (APPROLE, JWT_MOUNT):
        vault.sys.disable_auth_method(path)
    for name in (POLICY, POLICY_HCL):
        vault.sys.delete_acl_policy(name)


@pytest.fixture
def audit(lab: Lab) -> AuditLog:
    return AuditLog.of(lab.env)


def play(pem: str, *, reordered: bool) -> list[dict[str, t.Any]]:
    """One task per resource module, each registered as ``r_<key>``."""
    tasks: dict[str, tuple[str, dict[str, t.Any]]] = {
        "policy": (
            "vaultops.cloud.policy",
            {"name": POLICY, "policy": POLICY_DATA_REORDERED if reordered else POLICY_DATA},
        ),
        "policy_hcl": ("vaultops.cloud.policy", {"name": POLICY_HCL, "policy": HCL_REFORMATTED if reordered else HCL}),
        "approle": (
            "vaultops.cloud.auth_method",
            {"path": APPROLE, "type": "approle", "description": "it", "default_lease_ttl": "20m"},
        ),
        "approle_role": (
            "vaultops.cloud.approle_role",
            {
                "mount_point": APPROLE,
                "name": "deploy",
                "token_policies": [POLICY, POLICY_HCL] if not reordered else [POLICY_HCL, POLICY],
                "token_ttl": "20m" if not reordered else 1200,
                "token_max_ttl": "1h",
                "secret_id_ttl": "10m",
                "secret_id_num_uses": 2,
                "secret_id_bound_cidrs": ["127.0.0.0/8"],
                "token_bound_cidrs": ["127.0.0.1"],
            },
        ),
        "jwt": ("vaultops.cloud.auth_method", {"path": JWT_MOUNT, "type": "jwt", "token_type": "default-service"}),
        "jwt_config": (
            "vaultops.cloud.jwt_auth_config",
            {
                "mount_point": JWT_MOUNT,
                "jwt_validation_pubkeys": [pem if not reordered else pem.strip() + "\n\n"],
                "jwt_supported_algs": ["ES256"],
                "bound_issuer": ISSUER,
            },
        ),
        "jwt_role": (
            "vaultops.cloud.jwt_role",
            {
                "mount_point": JWT_MOUNT,
                "name": "ci",
                "role_type": "jwt",
                "user_claim": "sub",
                "bound_audiences": ["vault"],
                "bound_claims": {"repository": ["org/app", "org/tools"] if not reordered else ["org/tools", "org/app"]},
                "token_policies": [POLICY],
                "token_ttl": "5m",
            },
        ),
    }
    return [{"name": f"{key}: {module}", module: args, "register": f"r_{key}"} for key, (module, args) in tasks.items()]


CAPTURE = "{" + ", ".join(f"'{key}': r_{key} | default({{}})" for key in TASKS) + "}"


def changed(run: PlaybookResult) -> dict[str, bool]:
    assert run.rc == 0, run.output
    return {key: run.result[key]["changed"] for key in TASKS}


def writes(requests: list[Request]) -> list[str]:
    return [str(r) for r in requests if not r.reads]


def test_four_runs(
    ansible: Ansible, vault: hvac.Client, audit: AuditLog, signer: ec.EllipticCurvePrivateKey, cleanup: None
) -> None:
    pem = public_pem(signer)
    token, accessor = child_token(vault.auth.token)
    env = {"VAULT_TOKEN": token}

    def run(*, reordered: bool, check: bool) -> tuple[PlaybookResult, list[Request]]:
        mark = audit.mark()
        result = ansible.play(play(pem, reordered=reordered), capture=CAPTURE, check=check, diff=True, env=env)
        return result, audit.since(mark, accessor=accessor)

    # 1. check mode on a fresh server: everything would change, nothing is written
    first, requests = run(reordered=False, check=True)
    assert changed(first) == dict.fromkeys(TASKS, True)
    assert writes(requests) == [], describe(requests)
    assert POLICY not in vault.sys.list_acl_policies()["data"]["keys"]
    assert f"{APPROLE}/" not in vault.sys.list_auth_methods()["data"]
    assert first.result["approle_role"]["role_id"] is None

    # 2. real: everything created
    second, requests = run(reordered=False, check=False)
    assert changed(second) == dict.fromkeys(TASKS, True)
    policy = vault.sys.read_acl_policy(POLICY)["data"]["policy"]
    assert json.loads(policy) == POLICY_DATA  # data is sent as Vault's JSON policy form
    assert vault.sys.read_acl_policy(POLICY_HCL)["data"]["policy"] == HCL  # text is sent as given
    auths = vault.sys.list_auth_methods()["data"]
    assert auths[f"{APPROLE}/"]["type"] == "approle"
    assert auths[f"{APPROLE}/"]["description"] == "it"
    assert auths[f"{APPROLE}/"]["config"]["default_lease_ttl"] == 1200
    assert auths[f"{JWT_MOUNT}/"]["type"] == "jwt"
    assert auths[f"{JWT_MOUNT}/"]["config"]["token_type"] == "default-service"
    role = vault.read(f"auth/{APPROLE}/role/deploy")["data"]
    assert sorted(role["token_policies"]) == sorted([POLICY, POLICY_HCL])
    assert (role["token_ttl"], role["token_max_ttl"], role["secret_id_ttl"], role["secret_id_num_uses"]) == (
        1200,
        3600,
        600,
        2,
    )
    assert role["secret_id_bound_cidrs"] == ["127.0.0.0/8"]
    role_id = vault.read(f"auth/{APPROLE}/role/deploy/role-id")["data"]["role_id"]
    assert second.result["approle_role"]["role_id"] == role_id
    config = vault.read(f"auth/{JWT_MOUNT}/config")["data"]
    assert [key.strip() for key in config["jwt_validation_pubkeys"]] == [pem.strip()]
    assert (config["bound_issuer"], config["jwt_supported_algs"]) == (ISSUER, ["ES256"])
    jwt_role = vault.read(f"auth/{JWT_MOUNT}/role/ci")["data"]
    assert jwt_role["bound_audiences"] == ["vault"]
    assert jwt_role["bound_claims"] == {"repository": ["org/app", "org/tools"]}
    assert (jwt_role["user_claim"], jwt_role["token_policies"], jwt_role["token_ttl"]) == ("sub", [POLICY], 300)
    assert second.result["policy"]["diff"]["before"] == {}
    assert second.result["policy"]["diff"]["after"] == {"policy": POLICY_DATA}

    # 3. real again, with the YAML reordered, the HCL reformatted and lists in another order: nothing changes
    third, requests = run(reordered=True, check=False)
    assert changed(third) == dict.fromkeys(TASKS, False), third.output
    assert writes(requests) == [], describe(requests)
    assert third.result["approle_role"]["role_id"] == role_id

    # 4. check mode again: nothing would change
    fourth, requests = run(reordered=True, check=True)
    assert changed(fourth) == dict.fromkeys(TASKS, False)
    assert writes(requests) == [], describe(requests)

    login_with_approle(ansible, vault, audit, env=env, accessor=accessor, role_id=role_id)
    login_with_jwt(vault, signer, pem)


def login_with_approle(
    ansible: Ansible, vault: hvac.Client, audit: AuditLog, *, env: dict[str, str], accessor: str, role_id: str
) -> None:
    """Secret-ids from approle_secret_id (check mode issues none; plain and wrapped) log in as the role."""
    listed = f"auth/{APPROLE}/role/deploy/secret-id"

    def accessors() -> list[str]:
        # hvac answers a list with nothing there as None
        return list(((vault.list(listed) or {}).get("data") or {}).get("keys") or [])

    tasks = [
        {
            "name": "a secret-id",
            "vaultops.cloud.approle_secret_id": {
                "mount_point": APPROLE,
                "role_name": "deploy",
                "metadata": {"pipeline": "it"},
                "cidr_list": ["127.0.0.1/32"],
                "ttl": "5m",
                "num_uses": 1,
            },
            "register": "r_plain",
            "no_log": True,
        },
        {
            "name": "a wrapped secret-id",
            "vaultops.cloud.approle_secret_id": {"mount_point": APPROLE, "role_name": "deploy", "wrap_ttl": "2m"},
            "register": "r_wrapped",
            "no_log": True,
        },
    ]
    capture = "{'plain': r_plain | default({}), 'wrapped': r_wrapped | default({})}"
    mark = audit.mark()
    check = ansible.play(tasks, capture=capture, check=True, env=env)
    assert check.rc == 0, check.output
    assert check.result["plain"]["changed"] is True and "secret_id" not in check.result["plain"]
    assert writes(audit.since(mark, accessor=accessor)) == []
    assert accessors() == []

    issued = ansible.play(tasks, capture=capture, env=env)
    assert issued.rc == 0, issued.output
    plain, wrapped = issued.result["plain"], issued.result["wrapped"]
    secret_id = plain["secret_id"]
    assert secret_id not in issued.stdout and secret_id not in issued.stderr
    assert "secret_id" not in wrapped and wrapped["wrap_info"]["ttl"] == 120
    assert len(accessors()) == 2  # the plain one and the wrapped one
    looked_up = vault.write(f"auth/{APPROLE}/role/deploy/secret-id/lookup", secret_id=secret_id)["data"]
    assert looked_up["metadata"] == {"pipeline": "it"}
    assert looked_up["cidr_list"] == ["127.0.0.1/32"]
    assert (looked_up["secret_id_num_uses"], looked_up["secret_id_ttl"]) == (1, 300)

    login = hvac.Client(url=vault.url).auth.approle.login(role_id=role_id, secret_id=secret_id, mount_point=APPROLE)
    assert sorted(login["auth"]["token_policies"]) == sorted(["default", POLICY, POLICY_HCL])
    with pytest.raises(hvac.exceptions.InvalidRequest):  # num_uses 1: spent
        hvac.Client(url=vault.url).auth.approle.login(role_id=role_id, secret_id=secret_id, mount_point=APPROLE)

    unwrapped = hvac.Client(url=vault.url, token=wrapped["wrap_info"]["token"]).sys.unwrap()["data"]
    login = hvac.Client(url=vault.url).auth.approle.login(
        role_id=role_id, secret_id=unwrapped["secret_id"], mount_point=APPROLE
    )
    assert POLICY in login["auth"]["token_policies"]


def signed(key: ec.EllipticCurvePrivateKey, **claims: t.Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "sub": "it-runner", "aud": "vault", "iat": now, "nbf": now, "exp": now + 120, **claims}
    return jwt.encode(body, key, algorithm="ES256")


def login_with_jwt(vault: hvac.Client, key: ec.EllipticCurvePrivateKey, pem: str) -> None:
    """The JWT role accepts a token signed by the test's key with the right audience and claim, and no other."""
    client = hvac.Client(url=vault.url)
    path = f"/v1/auth/{JWT_MOUNT}/login"
    good = client.adapter.post(path, json={"role": "ci", "jwt": signed(key, repository="org/app")})
    assert good["auth"]["token_policies"] == ["default", POLICY]
    assert good["auth"]["lease_duration"] == 300
    refused = {
        "another audience": signed(key, repository="org/app", aud="other"),
        "another claim": signed(key, repository="org/evil"),
        "no claim": signed(key),
        "another issuer": signed(key, repository="org/app", iss="https://evil.test"),
        "another key": signed(ec.generate_private_key(ec.SECP256R1()), repository="org/app"),
    }
    for why, token in refused.items():
        with pytest.raises(hvac.exceptions.VaultError) as error:
            client.adapter.post(path, json={"role": "ci", "jwt": token})
        assert isinstance(error.value, (hvac.exceptions.InvalidRequest, hvac.exceptions.Forbidden)), why


BAD = {
    "hcl": ("vaultops.cloud.policy", {"name": f"it-bad-{SUFFIX}", "policy": 'path "a" {\n capabilities = ["read"\n}'}),
    "policy_name": ("vaultops.cloud.policy", {"name": "team/deploy", "policy": HCL}),
    "jwt_unbound": (
        "vaultops.cloud.jwt_role",
        {"mount_point": JWT_MOUNT, "name": "any", "user_claim": "sub", "token_policies": [POLICY]},
    ),
    "secret_id_cidr": (
        "vaultops.cloud.approle_secret_id",
        {"mount_point": APPROLE, "role_name": "deploy", "cidr_list": ["10.0.0.0/8", "office-lan"]},
    ),
    "role_cidr": (
        "vaultops.cloud.approle_role",
        {"mount_point": APPROLE, "name": "bad", "token_bound_cidrs": ["10.0.0.256/32"]},
    ),
}
BAD_FIELDS = {
    "hcl": ("policy", "is not valid HCL: line 3"),
    "policy_name": ("name", "must not contain '/'"),
    "jwt_unbound": ("bound_audiences", "accepts every token the issuer signs"),
    "secret_id_cidr": ("cidr_list", "'office-lan' is not a CIDR block"),
    "role_cidr": ("token_bound_cidrs", "'10.0.0.256/32' is not a CIDR block"),
}


def test_bad_input_refused_before_any_request(ansible: Ansible, vault: hvac.Client, audit: AuditLog) -> None:
    token, accessor = child_token(vault.auth.token)
    tasks = [
        {"name": key, module: args, "register": f"r_{key}", "ignore_errors": True}
        for key, (module, args) in BAD.items()
    ]
    capture = "{" + ", ".join(f"'{key}': r_{key} | default({{}})" for key in BAD) + "}"
    mark = audit.mark()
    run = ansible.play(tasks, capture=capture, env={"VAULT_TOKEN": token})
    requests = audit.since(mark, accessor=accessor)
    assert run.recap["localhost"]["ignored"] == len(BAD), run.output
    for key, (field, reason) in BAD_FIELDS.items():
        result = run.result[key]
        assert result["failed"] is True, key
        assert result["field"] == field, (key, result["msg"])
        assert reason in result["msg"], (key, result["msg"])
    touched = [r for r in requests if r.path.startswith(("sys/policies", "auth/it-", "sys/auth"))]
    assert touched == [], describe(requests)
