"""Consumers of the four bundled roles, live: who may ask for which credential.

The shipped setup playbooks create the `deploy` consumer of each engine (an AppRole role bound to a policy);
the state is read back with hvac on the root token, and the consumer then logs in with hvac (its role_id and a
secret-id issued on the root token) and asks for its credential, gets a clear 403 for another role, the
engine's configuration and the role listing. The AWS deploy playbook runs as that consumer (audit log: one
AppRole login, the credential asked for with the consumer's token). A JWT consumer (added to the AWS setup with
extra vars) logs in with a token signed by a key this test holds, and is refused with another `sub` or
audience; a rerun of setup changes nothing. Eight ansible-playbook starts in all.
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

from ._audit import AuditLog
from .conftest import REPO, Ansible, Lab

PLAYBOOKS = REPO / "playbooks"
SUFFIX = uuid.uuid4().hex[:6]
JWT_MOUNT = f"it-cjwt-{SUFFIX}"
ISSUER = "https://ci.vaultops.test"
SUBJECT = "repo:org/app:ref:refs/heads/main"
LEASES = {
    "sys/leases/renew": {"capabilities": ["update"]},
    "sys/leases/revoke": {"capabilities": ["update"]},
    "sys/leases/lookup": {"capabilities": ["update"]},
    "auth/token/lookup-self": {"capabilities": ["read"]},
}
RU = {"capabilities": ["read", "update"]}

# per cloud: the deploy consumer's policy as Vault must hold it, the path it issues from, and the paths it is
# refused (another role, the engine's configuration, the role listing)
CLOUDS: dict[str, dict[str, t.Any]] = {
    "aws": {
        "policy": {"aws/creds/deploy": RU, "aws/sts/deploy": RU},
        "issue": "aws/creds/deploy",
        "refused": {
            "another role": ("read", "aws/creds/deploy-federated"),
            "another role's STS": ("read", "aws/sts/deploy-assumed"),
            "the root config": ("read", "aws/config/root"),
            "the role listing": ("list", "aws/roles"),
            "a role's definition": ("read", "aws/roles/deploy"),
        },
    },
    "gcp": {
        "policy": {
            f"gcp/{source}/{name}/{kind}": RU
            for name in ("viewer", "keys")
            for source, kinds in (
                ("roleset", ("token", "key")),
                ("static-account", ("token", "key")),
                ("impersonated-account", ("token",)),
            )
            for kind in kinds
        },
        "issue": "gcp/roleset/viewer/token",
        "refused": {
            "another account": ("read", "gcp/static-account/static/token"),
            "the config": ("read", "gcp/config"),
            "the roleset listing": ("list", "gcp/rolesets"),
        },
    },
    "azure": {
        "policy": {"azure/creds/reader": RU},
        "issue": "azure/creds/reader",
        "refused": {
            "another role": ("read", "azure/creds/writer"),
            "the config": ("read", "azure/config"),
            "the role listing": ("list", "azure/roles"),
        },
    },
    "alicloud": {
        "policy": {"alicloud/creds/oss-reader": RU, "alicloud/creds/sts": RU},
        "issue": "alicloud/creds/oss-reader",
        "refused": {
            "another role": ("read", "alicloud/creds/admin"),
            "the config": ("read", "alicloud/config"),
            "the role listing": ("list", "alicloud/role"),
        },
    },
}


@pytest.fixture(scope="module")
def signer() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def jwt_mount(vault: hvac.Client, signer: ec.EllipticCurvePrivateKey) -> t.Iterator[str]:
    """A JWT auth mount configured by the test (the role only ensures the mount; its keys are the operator's)."""
    pem = signer.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    vault.sys.enable_auth_method("jwt", path=JWT_MOUNT)
    vault.write(
        f"auth/{JWT_MOUNT}/config",
        jwt_validation_pubkeys=[pem.decode()],
        jwt_supported_algs=["ES256"],
        bound_issuer=ISSUER,
    )
    yield JWT_MOUNT
    vault.sys.disable_auth_method(JWT_MOUNT)
    vault.sys.delete_acl_policy("aws-ci")


def lab_env(lab: Lab) -> dict[str, str]:
    return dict(lab.env)


def consumer_client(vault: hvac.Client, role: str) -> tuple[hvac.Client, dict[str, t.Any]]:
    """Log in as the AppRole role ``role`` with hvac: role_id and a fresh secret-id read on the root token."""
    role_id = vault.read(f"auth/approle/role/{role}/role-id")["data"]["role_id"]
    secret_id = vault.write(f"auth/approle/role/{role}/secret-id")["data"]["secret_id"]
    client = hvac.Client(url=vault.url)
    login = client.auth.approle.login(role_id=role_id, secret_id=secret_id)
    return client, login["auth"]


def assert_refused(client: hvac.Client, refused: t.Mapping[str, tuple[str, str]]) -> None:
    for why, (operation, path) in refused.items():
        with pytest.raises(hvac.exceptions.Forbidden) as error:
            if operation == "list":
                client.list(path)
            else:
                client.read(path)
        assert "permission denied" in str(error.value), (why, path, str(error.value))


def policy_paths(vault: hvac.Client, name: str) -> dict[str, t.Any]:
    return json.loads(vault.sys.read_acl_policy(name)["data"]["policy"])["path"]


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_setup_creates_the_deploy_consumer(ansible: Ansible, lab: Lab, vault: hvac.Client, cloud: str) -> None:
    spec = CLOUDS[cloud]
    setup = ansible.playbook(PLAYBOOKS / f"setup-vault-{cloud}.yml", env=lab_env(lab))
    assert setup.rc == 0, setup.output

    assert vault.sys.list_auth_methods()["data"]["approle/"]["type"] == "approle"
    assert policy_paths(vault, f"{cloud}-deploy") == {**spec["policy"], **LEASES}
    role = vault.read(f"auth/approle/role/{cloud}-deploy")["data"]
    assert (role["token_policies"], role["token_ttl"], role["token_max_ttl"], role["secret_id_ttl"]) == (
        [f"{cloud}-deploy"],
        1200,
        3600,
        600,
    )

    client, auth = consumer_client(vault, f"{cloud}-deploy")
    assert sorted(auth["token_policies"]) == sorted(["default", f"{cloud}-deploy"])
    issued = client.read(spec["issue"])
    assert issued["data"], issued
    if issued.get("lease_id"):
        client.sys.renew_lease(issued["lease_id"])
        client.sys.revoke_lease(issued["lease_id"])
    assert_refused(client, spec["refused"])
    with pytest.raises(hvac.exceptions.Forbidden):
        client.sys.list_acl_policies()
    client.logout()


def test_aws_deploy_playbook_runs_as_its_consumer(ansible: Ansible, lab: Lab, vault: hvac.Client) -> None:
    setup = ansible.playbook(PLAYBOOKS / "setup-vault-aws.yml", env=lab_env(lab))
    assert setup.rc == 0, setup.output
    audit = AuditLog.of(lab.env)
    mark = audit.mark()
    deploy = ansible.playbook(PLAYBOOKS / "deploy-with-aws-creds.yml", env=lab_env(lab))
    assert deploy.rc == 0, deploy.output
    assert "Logging in as the consumer aws-deploy" in deploy.stdout, deploy.output
    entries = [e for e in audit.entries(mark) if e.get("type") == "request"]
    logins = [e for e in entries if e["request"]["path"] == "auth/approle/login"]
    assert len(logins) == 1, [e["request"]["path"] for e in entries]
    issued = [e for e in entries if e["request"]["path"] == "aws/creds/deploy"]
    assert len(issued) == 1
    assert sorted(issued[0]["auth"]["policies"]) == ["aws-deploy", "default"]
    revoked = [e for e in entries if e["request"]["path"] == "sys/leases/revoke"]
    assert revoked, "the lease was not revoked"
    assert all(sorted(e["auth"]["policies"]) == ["aws-deploy", "default"] for e in revoked)
    # the operator's token only read the AppRole role and issued its secret-id
    root = {e["request"]["path"] for e in entries if "root" in ((e.get("auth") or {}).get("policies") or [])}
    assert not {path for path in root if path.startswith(("aws/", "sys/leases"))}, root
    assert "auth/approle/role/aws-deploy/secret-id" in root, root


def test_aws_deploy_playbook_with_community_hashi_vault_settings_only(
    ansible: Ansible, lab: Lab, vault: hvac.Client
) -> None:
    """community.hashi_vault's environment alone (ANSIBLE_HASHI_VAULT_ADDR / _TOKEN, no VAULT_* or BAO_*) runs the
    deploy playbook: its modules and its lookup find Vault and the operator's token there."""
    setup = ansible.playbook(PLAYBOOKS / "setup-vault-aws.yml", env=lab_env(lab))
    assert setup.rc == 0, setup.output
    env = {
        **{k: v for k, v in lab_env(lab).items() if not k.startswith(("VAULT_", "BAO_"))},
        "ANSIBLE_HASHI_VAULT_ADDR": lab.vault_addr,
        "ANSIBLE_HASHI_VAULT_TOKEN": lab.vault_token,
    }
    audit = AuditLog.of(lab.env)
    mark = audit.mark()
    deploy = ansible.playbook(
        PLAYBOOKS / "deploy-with-aws-creds.yml",
        env=env,
        unset_env=("VAULT_ADDR", "VAULT_TOKEN", "BAO_ADDR", "BAO_TOKEN"),
    )
    assert deploy.rc == 0, deploy.output
    paths = [e["request"]["path"] for e in audit.entries(mark) if e.get("type") == "request"]
    assert paths.count("auth/approle/role/aws-deploy/secret-id") == 1, paths
    assert paths.count("auth/approle/login") == 1, paths
    assert paths.count("aws/creds/deploy") == 1, paths


def signed(key: ec.EllipticCurvePrivateKey, **claims: t.Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "sub": SUBJECT, "aud": "vault", "iat": now, "nbf": now, "exp": now + 120, **claims}
    return jwt.encode(body, key, algorithm="ES256")


def test_jwt_consumer(
    ansible: Ansible, lab: Lab, vault: hvac.Client, jwt_mount: str, signer: ec.EllipticCurvePrivateKey
) -> None:
    consumers = [
        {
            "name": "deploy",
            "auth": "approle",
            "credential_roles": ["deploy"],
            "token_ttl": "20m",
            "token_max_ttl": "1h",
            "secret_id_ttl": "10m",
        },
        {
            "name": "ci",
            "auth": "jwt",
            "mount_point": jwt_mount,
            "credential_roles": ["deploy-federated"],
            "bound_audiences": ["vault"],
            "bound_subject": SUBJECT,
            "user_claim": "sub",
            "token_ttl": "5m",
        },
    ]
    extra = {"aws_secrets_engine_consumers": consumers}
    first = ansible.playbook(PLAYBOOKS / "setup-vault-aws.yml", extra, env=lab_env(lab))
    assert first.rc == 0, first.output
    assert first.counts()["changed"] >= 2, first.output  # at least the ci policy and its JWT role
    again = ansible.playbook(PLAYBOOKS / "setup-vault-aws.yml", extra, env=lab_env(lab))
    assert again.rc == 0, again.output
    assert again.counts()["changed"] == 0, again.output

    assert policy_paths(vault, "aws-ci") == {
        "aws/creds/deploy-federated": RU,
        "aws/sts/deploy-federated": RU,
        **LEASES,
    }
    role = vault.read(f"auth/{jwt_mount}/role/aws-ci")["data"]
    assert (role["bound_audiences"], role["bound_subject"], role["user_claim"]) == (["vault"], SUBJECT, "sub")
    assert (role["token_policies"], role["token_ttl"], role["role_type"]) == (["aws-ci"], 300, "jwt")

    client = hvac.Client(url=vault.url)
    path = f"/v1/auth/{jwt_mount}/login"
    good = client.adapter.post(path, json={"role": "aws-ci", "jwt": signed(signer)})
    assert sorted(good["auth"]["token_policies"]) == ["aws-ci", "default"]
    client.token = good["auth"]["client_token"]
    issued = client.read("aws/creds/deploy-federated")
    assert issued["data"]["access_key"], issued
    assert_refused(
        client,
        {
            "the deploy role": ("read", "aws/creds/deploy"),
            "the root config": ("read", "aws/config/root"),
            "the role listing": ("list", "aws/roles"),
        },
    )
    for why, token in {
        "another sub": signed(signer, sub="repo:org/evil:ref:refs/heads/main"),
        "another audience": signed(signer, aud="other"),
        "another key": signed(ec.generate_private_key(ec.SECP256R1())),
    }.items():
        with pytest.raises((hvac.exceptions.InvalidRequest, hvac.exceptions.Forbidden)) as error:
            hvac.Client(url=vault.url).adapter.post(path, json={"role": "aws-ci", "jwt": token})
        assert error.value, why


def test_a_wildcard_credential_role_is_refused_before_any_request(ansible: Ansible, lab: Lab) -> None:
    """A `*` or `/` in a credential role would widen the policy: refused, naming the entry, with no policy request."""
    audit = AuditLog.of(lab.env)
    mark = audit.mark()
    consumers = [{"name": "wide", "auth": "approle", "credential_roles": ["deploy", "deploy*"]}]
    refused = ansible.playbook(
        PLAYBOOKS / "setup-vault-aws.yml", {"aws_secrets_engine_consumers": consumers}, env=lab_env(lab)
    )
    assert refused.rc != 0, refused.output
    assert "aws_secrets_engine_consumers[0] (wide)" in refused.stdout, refused.output
    assert "would widen the" in refused.stdout, refused.output
    touched = [r.path for r in audit.since(mark) if "aws-wide" in r.path or r.path.startswith("sys/policies")]
    assert touched == [], touched
