"""Every auth_method against the real server, each used by one secrets_engine task on a throwaway path.

The auth methods are set up with the hvac root client; the module runs without VAULT_TOKEN in its
environment (except for the token-from-env case), so the only way it can write is by logging in.
Its token has a policy that allows mounts under it-auth-* only, and the mount is read back with hvac.
"""

from __future__ import annotations

import datetime
import typing as t
import uuid
from pathlib import Path

import hvac
import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .conftest import Ansible, PlaybookResult

AUTH_POLICY = "it-auth"
AUTH_POLICY_HCL = """
path "sys/mounts" { capabilities = ["read"] }
path "sys/mounts/it-auth-*" { capabilities = ["create", "read", "update", "delete"] }
"""
JWT_AUDIENCE = "vaultops-integration"


@pytest.fixture(scope="module")
def auth_policy(vault: hvac.Client) -> t.Iterator[str]:
    vault.sys.create_or_update_policy(AUTH_POLICY, AUTH_POLICY_HCL)
    yield AUTH_POLICY
    vault.sys.delete_policy(AUTH_POLICY)


@pytest.fixture
def auth_path(vault: hvac.Client) -> t.Iterator[str]:
    """A throwaway mount path the module creates; removed afterwards."""
    path = f"it-auth-{uuid.uuid4().hex[:8]}"
    yield path
    if f"{path}/" in vault.sys.list_mounted_secrets_engines()["data"]:
        vault.sys.disable_secrets_engine(path)


@pytest.fixture
def auth_method(vault: hvac.Client) -> t.Iterator[t.Callable[[str, str], None]]:
    """``enable(type, path)`` an auth method, disabled again at teardown."""
    enabled: list[str] = []

    def enable(method: str, path: str) -> None:
        vault.sys.enable_auth_method(method, path=path)
        enabled.append(path)

    yield enable
    for path in enabled:
        vault.sys.disable_auth_method(path)


def mount_with(ansible: Ansible, path: str, *, env: dict[str, str] | None = None, **auth: t.Any) -> PlaybookResult:
    return ansible.task(
        "vaultops.cloud.secrets_engine",
        {"path": path, "type": "kv", "description": "created by an auth test", **auth},
        env=env,
        unset_env=() if env and "VAULT_TOKEN" in env else ("VAULT_TOKEN",),
    )


def assert_mounted(run: PlaybookResult, vault: hvac.Client, path: str) -> None:
    assert run.rc == 0, run.output
    assert run.result["changed"] is True, run.output
    entry = vault.sys.list_mounted_secrets_engines()["data"].get(f"{path}/")
    assert entry is not None, f"{path}/ was not mounted"
    assert entry["type"] == "kv"
    assert entry["description"] == "created by an auth test"


def assert_login_failed(run: PlaybookResult, vault: hvac.Client, path: str, *fragments: str) -> None:
    assert run.rc == 2, run.output
    assert run.result.get("failed") is True, run.output
    for fragment in fragments:
        assert fragment in run.result["msg"], run.result["msg"]
    assert f"{path}/" not in vault.sys.list_mounted_secrets_engines()["data"]


def child_token(vault: hvac.Client, policy: str) -> str:
    return vault.auth.token.create(policies=[policy], ttl="10m", no_default_policy=True)["auth"]["client_token"]


# --- token ------------------------------------------------------------------------------------------


@pytest.mark.core219
def test_token_from_env(ansible: Ansible, vault: hvac.Client, auth_policy: str, auth_path: str) -> None:
    run = mount_with(ansible, auth_path, env={"VAULT_TOKEN": child_token(vault, auth_policy)})
    assert_mounted(run, vault, auth_path)


@pytest.mark.core219
def test_token_path(ansible: Ansible, vault: hvac.Client, auth_policy: str, auth_path: str, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(child_token(vault, auth_policy) + "\n")
    run = mount_with(ansible, auth_path, auth_method="token", token_path=str(token_file))
    assert_mounted(run, vault, auth_path)


def test_token_default_file(
    ansible: Ansible, vault: hvac.Client, auth_policy: str, auth_path: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".vault-token").write_text(child_token(vault, auth_policy))
    run = mount_with(ansible, auth_path, env={"HOME": str(home)})
    assert_mounted(run, vault, auth_path)


def test_no_token(ansible: Ansible, vault: hvac.Client, auth_path: str, tmp_path: Path) -> None:
    run = mount_with(ansible, auth_path, env={"HOME": str(tmp_path)})
    assert_login_failed(run, vault, auth_path, "no Vault token")


def test_token_without_rights(ansible: Ansible, vault: hvac.Client, auth_policy: str) -> None:
    """The policy is really enforced: a path outside it-auth-* is refused to the same token."""
    path = f"it-noauth-{uuid.uuid4().hex[:8]}"
    run = mount_with(ansible, path, env={"VAULT_TOKEN": child_token(vault, auth_policy)})
    assert_login_failed(run, vault, path, "permission denied")


# --- approle ----------------------------------------------------------------------------------------


@pytest.fixture
def approle(vault: hvac.Client, auth_policy: str, auth_method: t.Callable[[str, str], None]) -> dict[str, str]:
    auth_method("approle", "approle")
    vault.auth.approle.create_or_update_approle("it-role", token_policies=[auth_policy], token_ttl="10m")
    role_id = vault.auth.approle.read_role_id("it-role")["data"]["role_id"]
    secret_id = vault.auth.approle.generate_secret_id("it-role")["data"]["secret_id"]
    return {"role_id": role_id, "secret_id": secret_id}


@pytest.mark.core219
def test_approle(ansible: Ansible, vault: hvac.Client, approle: dict[str, str], auth_path: str) -> None:
    run = mount_with(ansible, auth_path, auth_method="approle", **approle)
    assert_mounted(run, vault, auth_path)
    assert approle["secret_id"] not in run.stdout


def test_approle_wrong_secret_id(ansible: Ansible, vault: hvac.Client, approle: dict[str, str], auth_path: str) -> None:
    run = mount_with(ansible, auth_path, auth_method="approle", role_id=approle["role_id"], secret_id=str(uuid.uuid4()))
    assert_login_failed(run, vault, auth_path, "auth/approle/login")


# --- userpass ---------------------------------------------------------------------------------------


@pytest.fixture
def userpass(vault: hvac.Client, auth_policy: str, auth_method: t.Callable[[str, str], None]) -> dict[str, str]:
    """A user on a non-default mount, to exercise auth_mount_point too."""
    auth_method("userpass", "it-userpass")
    password = uuid.uuid4().hex
    vault.auth.userpass.create_or_update_user(
        "it-user", password=password, token_policies=[auth_policy], mount_point="it-userpass"
    )
    return {"username": "it-user", "password": password, "auth_mount_point": "it-userpass"}


@pytest.mark.core219
def test_userpass(ansible: Ansible, vault: hvac.Client, userpass: dict[str, str], auth_path: str) -> None:
    run = mount_with(ansible, auth_path, auth_method="userpass", **userpass)
    assert_mounted(run, vault, auth_path)
    assert userpass["password"] not in run.stdout


def test_userpass_wrong_password(
    ansible: Ansible, vault: hvac.Client, userpass: dict[str, str], auth_path: str
) -> None:
    run = mount_with(ansible, auth_path, auth_method="userpass", **dict(userpass, password="wrong"))
    assert_login_failed(run, vault, auth_path, "invalid username or password", "auth/it-userpass/login/it-user")


# --- jwt --------------------------------------------------------------------------------------------


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def signed_jwt(key: rsa.RSAPrivateKey, audience: str = JWT_AUDIENCE, subject: str = "it-ci-job") -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    claims = {
        "sub": subject,
        "aud": audience,
        "iss": "https://ci.vaultops.invalid",
        "iat": now,
        "nbf": now - datetime.timedelta(seconds=30),
        "exp": now + datetime.timedelta(minutes=5),
    }
    return pyjwt.encode(claims, key, algorithm="RS256")


@pytest.fixture
def jwt_key(vault: hvac.Client, auth_policy: str, auth_method: t.Callable[[str, str], None]) -> rsa.RSAPrivateKey:
    key = rsa_key()
    auth_method("jwt", "jwt")
    vault.write_data("auth/jwt/config", data={"jwt_validation_pubkeys": [public_pem(key)]})
    vault.write_data(
        "auth/jwt/role/it-jwt",
        data={
            "role_type": "jwt",
            "bound_audiences": [JWT_AUDIENCE],
            "user_claim": "sub",
            "token_policies": [auth_policy],
            "token_ttl": "10m",
        },
    )
    return key


@pytest.mark.core219
def test_jwt(ansible: Ansible, vault: hvac.Client, jwt_key: rsa.RSAPrivateKey, auth_path: str) -> None:
    token = signed_jwt(jwt_key)
    run = mount_with(ansible, auth_path, auth_method="jwt", role="it-jwt", jwt=token)
    assert_mounted(run, vault, auth_path)
    assert token not in run.stdout


JWT_REFUSALS: dict[str, tuple[t.Callable[[rsa.RSAPrivateKey], str], str]] = {
    # signed by a key Vault does not know
    "foreign-key": (lambda key: signed_jwt(rsa_key()), "auth/jwt/login"),
    # signed by the right key, for another audience than the role's bound_audiences
    "wrong-audience": (lambda key: signed_jwt(key, audience="someone-else"), "audience"),
}


@pytest.mark.parametrize("case", sorted(JWT_REFUSALS))
def test_jwt_refused(
    case: str, ansible: Ansible, vault: hvac.Client, jwt_key: rsa.RSAPrivateKey, auth_path: str
) -> None:
    mint, fragment = JWT_REFUSALS[case]
    run = mount_with(ansible, auth_path, auth_method="jwt", role="it-jwt", jwt=mint(jwt_key))
    assert_login_failed(run, vault, auth_path, fragment)


# --- connection options from module_defaults and, for the lookup, from vars and env -------------------


@pytest.mark.core219
def test_module_defaults_group(
    ansible: Ansible, vault: hvac.Client, auth_policy: str, auth_path: str, lab: t.Any
) -> None:
    """url and token from ``module_defaults: group/vaultops.cloud.vault``, nothing in the environment."""
    task = {
        "name": "Mount with the group's defaults",
        "module_defaults": {
            "group/vaultops.cloud.vault": {"url": lab.vault_addr, "token": child_token(vault, auth_policy)}
        },
        "vaultops.cloud.secrets_engine": {"path": auth_path, "type": "kv", "description": "created by an auth test"},
        "register": "task_result",
    }
    run = ansible.play([task], capture="task_result", unset_env=("VAULT_ADDR", "VAULT_TOKEN"))
    assert_mounted(run, vault, auth_path)
