"""Bad input and a bad Vault: every case fails with a clear message, and nothing is written (read back with hvac)."""

from __future__ import annotations

import re
import typing as t
import uuid
from pathlib import Path

import hvac
import pytest

from .conftest import MSG_SEALED, MSG_UNREACHABLE, Ansible, DevServer, PlaybookResult, free_port

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}


def assert_failed(run: PlaybookResult, *fragments: str) -> str:
    """The one task failed (not the play's syntax), and its message holds every fragment."""
    assert run.rc == 2, run.output
    assert run.counts()["failed"] == 1, run.output
    msg = str(run.result.get("msg", ""))
    assert run.result.get("failed") is True, run.output
    for fragment in fragments:
        assert fragment in msg, f"{fragment!r} not in {msg!r}"
    return msg


def mounts(vault: hvac.Client) -> dict[str, t.Any]:
    return vault.sys.list_mounted_secrets_engines()["data"]


@pytest.fixture
def aws_mount(vault: hvac.Client) -> t.Iterator[str]:
    path = f"it-bad-aws-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("aws", path=path)
    yield path
    vault.sys.disable_secrets_engine(path)


@pytest.fixture
def kv_mount(vault: hvac.Client) -> t.Iterator[str]:
    path = f"it-bad-kv-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("kv", path=path, options={"version": "1"})
    yield path
    vault.sys.disable_secrets_engine(path)


def role_args(mount: str, **extra: t.Any) -> dict[str, t.Any]:
    return {"mount_point": mount, "name": "bad", "credential_type": "iam_user", **extra}


# --- bad values -----------------------------------------------------------------------------------


@pytest.mark.core219
@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ('{"Version": "2012-10-17", "Statement": [', "invalid value for policy_document: is not valid JSON"),
        ("Version: 2012-10-17", "invalid value for policy_document: is not valid JSON"),
        ('["not", "an", "object"]', "invalid value for policy_document: must be a JSON object"),
    ],
    ids=["truncated", "yaml-text", "json-array"],
)
def test_malformed_policy_document(
    document: str, expected: str, ansible: Ansible, vault: hvac.Client, aws_mount: str
) -> None:
    for check in (True, False):
        run = ansible.task(
            "vaultops.cloud.aws_secrets_role", role_args(aws_mount, policy_document=document), check=check
        )
        assert_failed(run, expected)
        assert vault.read(f"{aws_mount}/roles/bad") is None


def test_unknown_credential_type(ansible: Ansible, vault: hvac.Client, aws_mount: str) -> None:
    run = ansible.task("vaultops.cloud.aws_secrets_role", role_args(aws_mount, credential_type="iam_root"))
    msg = assert_failed(run, "credential_type", "iam_root")
    # the message lists what is accepted
    assert "assumed_role" in msg
    assert vault.read(f"{aws_mount}/roles/bad") is None


def test_field_refused_by_credential_type(ansible: Ansible, vault: hvac.Client, aws_mount: str) -> None:
    run = ansible.task(
        "vaultops.cloud.aws_secrets_role",
        role_args(
            aws_mount,
            credential_type="assumed_role",
            role_arns=["arn:aws:iam::123456789012:role/x"],
            user_path="/it/",
        ),
    )
    assert_failed(run, "invalid value for user_path", "assumed_role")
    assert vault.read(f"{aws_mount}/roles/bad") is None


@pytest.mark.core219
@pytest.mark.parametrize("ttl", [-5, "-5", "-5m"], ids=["int", "numeric-string", "duration"])
def test_negative_ttl_new_mount(ttl: t.Any, ansible: Ansible, vault: hvac.Client) -> None:
    path = f"it-bad-ttl-{uuid.uuid4().hex[:6]}"
    for check in (True, False):
        run = ansible.task(
            "vaultops.cloud.secrets_engine", {"path": path, "type": "aws", "default_lease_ttl": ttl}, check=check
        )
        assert_failed(run, "invalid value for default_lease_ttl", "must not be negative")
    assert f"{path}/" not in mounts(vault)


def test_negative_ttl_existing_mount(ansible: Ansible, vault: hvac.Client, aws_mount: str) -> None:
    vault.sys.tune_mount_configuration(aws_mount, default_lease_ttl="1h")
    run = ansible.task(
        "vaultops.cloud.secrets_engine",
        {"path": aws_mount, "type": "aws", "default_lease_ttl": -5, "description": "must not be written"},
    )
    assert_failed(run, "invalid value for default_lease_ttl", "must not be negative")
    entry = mounts(vault)[f"{aws_mount}/"]
    assert entry["config"]["default_lease_ttl"] == 3600
    assert entry["description"] == ""


def test_negative_sts_ttl(ansible: Ansible, vault: hvac.Client, aws_mount: str) -> None:
    run = ansible.task(
        "vaultops.cloud.aws_secrets_role",
        role_args(aws_mount, credential_type="federation_token", policy_document=POLICY, default_sts_ttl="-1h"),
    )
    assert_failed(run, "invalid value for default_sts_ttl", "must not be negative")
    assert vault.read(f"{aws_mount}/roles/bad") is None


def test_not_a_duration(ansible: Ansible, vault: hvac.Client) -> None:
    path = f"it-bad-ttl-{uuid.uuid4().hex[:6]}"
    run = ansible.task("vaultops.cloud.secrets_engine", {"path": path, "type": "aws", "max_lease_ttl": "one hour"})
    assert_failed(run, "invalid value for max_lease_ttl", "is not a duration")
    assert f"{path}/" not in mounts(vault)


# --- a path mounted as another engine --------------------------------------------------------------


@pytest.mark.core219
def test_secrets_engine_refuses_other_type(ansible: Ansible, vault: hvac.Client, kv_mount: str) -> None:
    for check in (True, False):
        run = ansible.task("vaultops.cloud.secrets_engine", {"path": kv_mount, "type": "aws"}, check=check)
        assert_failed(run, f"{kv_mount}/ is mounted as a 'kv' engine, not 'aws'", "refusing to remount")
    assert mounts(vault)[f"{kv_mount}/"]["type"] == "kv"


def kv_keys(vault: hvac.Client, path: str) -> list[str]:
    listed = vault.list(path)
    return list((listed or {}).get("data", {}).get("keys", []))


# The engine modules check the type of mount_point first: on a kv mount, aws_secrets_config would
# otherwise store config/root as a kv secret WITH secret_key in clear text.
def test_aws_role_on_kv_mount(ansible: Ansible, vault: hvac.Client, kv_mount: str) -> None:
    run = ansible.task("vaultops.cloud.aws_secrets_role", role_args(kv_mount, policy_document=POLICY))
    assert_failed(run, kv_mount)
    assert re.search(r"not an? .?aws.? (secrets )?engine|mounted as a 'kv' engine", run.result["msg"]), run.output
    assert kv_keys(vault, kv_mount) == []


def test_aws_config_on_kv_mount(ansible: Ansible, vault: hvac.Client, kv_mount: str, lab: t.Any) -> None:
    run = ansible.task(
        "vaultops.cloud.aws_secrets_config",
        {"mount_point": kv_mount, "access_key": lab.root_access_key, "secret_key": lab.root_secret_key},
    )
    assert_failed(run, kv_mount)
    assert kv_keys(vault, kv_mount) == []


# --- permissions -----------------------------------------------------------------------------------


@pytest.fixture
def read_mounts_token(vault: hvac.Client) -> t.Iterator[str]:
    """A token whose only right is to read sys/mounts."""
    name = f"it-read-mounts-{uuid.uuid4().hex[:6]}"
    vault.sys.create_or_update_policy(name, 'path "sys/mounts" { capabilities = ["read"] }\n')
    token = vault.auth.token.create(policies=[name], ttl="10m", no_default_policy=True)["auth"]["client_token"]
    yield token
    vault.auth.token.revoke(token)
    vault.sys.delete_policy(name)


@pytest.mark.core219
def test_permission_denied_enable(ansible: Ansible, vault: hvac.Client, read_mounts_token: str) -> None:
    path = f"it-bad-403-{uuid.uuid4().hex[:6]}"
    run = ansible.task(
        "vaultops.cloud.secrets_engine", {"path": path, "type": "aws"}, env={"VAULT_TOKEN": read_mounts_token}
    )
    assert_failed(run, "permission denied", f"sys/mounts/{path}")
    assert run.result["status"] == 403
    assert f"{path}/" not in mounts(vault)


def test_permission_denied_check_mode_reads(ansible: Ansible, vault: hvac.Client, read_mounts_token: str) -> None:
    """Check mode may read sys/mounts, so it predicts the change without being refused."""
    path = f"it-bad-403-{uuid.uuid4().hex[:6]}"
    run = ansible.task(
        "vaultops.cloud.secrets_engine",
        {"path": path, "type": "aws"},
        env={"VAULT_TOKEN": read_mounts_token},
        check=True,
    )
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    assert f"{path}/" not in mounts(vault)


def test_permission_denied_role(ansible: Ansible, vault: hvac.Client, aws_mount: str, read_mounts_token: str) -> None:
    run = ansible.task(
        "vaultops.cloud.aws_secrets_role",
        role_args(aws_mount, policy_document=POLICY),
        env={"VAULT_TOKEN": read_mounts_token},
    )
    assert_failed(run, "permission denied", f"{aws_mount}/roles/bad")
    assert vault.read(f"{aws_mount}/roles/bad") is None


# --- Vault down or sealed --------------------------------------------------------------------------


@pytest.mark.core219
def test_vault_unreachable(ansible: Ansible) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    run = ansible.task(
        "vaultops.cloud.secrets_engine", {"path": "it-unreachable", "type": "aws", "url": url, "retries": 0}
    )
    assert_failed(run, f"{MSG_UNREACHABLE} {url}")


def test_vault_unreachable_lookup(ansible: Ansible) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    run = ansible.play(
        [
            {
                "name": "Look up",
                "ansible.builtin.debug": {"msg": f"{{{{ lookup('vaultops.cloud.creds', 'r', url='{url}') }}}}"},
            }
        ]
    )
    assert run.rc == 2, run.output
    assert f"{MSG_UNREACHABLE} {url}" in run.stdout + run.stderr


def unseal_key(log: Path) -> str:
    match = re.search(r"Unseal Key: (\S+)", log.read_text())
    assert match, "the dev server printed no unseal key"
    return match.group(1)


@pytest.mark.core219
def test_vault_sealed(ansible: Ansible, throwaway_server: DevServer, tmp_path: Path) -> None:
    client = hvac.Client(url=throwaway_server.addr, token=throwaway_server.token, timeout=10)
    client.sys.seal()
    assert client.sys.is_sealed()
    path = "it-sealed"
    run = ansible.task(
        "vaultops.cloud.secrets_engine",
        {"path": path, "type": "kv", "retries": 0},
        env={"VAULT_ADDR": throwaway_server.addr, "VAULT_TOKEN": throwaway_server.token},
    )
    assert_failed(run, MSG_SEALED)
    assert run.result["status"] == 503
    # unseal and read back: nothing was mounted
    client.sys.submit_unseal_key(unseal_key(tmp_path / "throwaway-server.log"))
    assert not client.sys.is_sealed()
    assert f"{path}/" not in client.sys.list_mounted_secrets_engines()["data"]


@pytest.mark.parametrize("path", ["sys", "sys/it-reserved", "/"])
def test_reserved_or_empty_path(path: str, ansible: Ansible, vault: hvac.Client) -> None:
    before = sorted(mounts(vault))
    run = ansible.task("vaultops.cloud.secrets_engine", {"path": path, "type": "kv"})
    assert_failed(run, "invalid value for path")
    assert sorted(mounts(vault)) == before
