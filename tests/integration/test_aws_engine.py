"""aws_secrets_rotate_root: an action (check mode, then real runs that each rotate). The engine's root user
here is a dedicated moto user, never the lab's vault-root, whose keys the other tests use.
"""

from __future__ import annotations

import json
import typing as t
import uuid
from dataclasses import dataclass

import hvac
import pytest
from botocore.exceptions import ClientError

from .conftest import Ansible, AwsFactory, Lab

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}


@dataclass
class RootUser:
    mount: str
    user: str
    access_key: str
    secret_key: str


def access_keys(aws: AwsFactory, user: str) -> list[str]:
    return [key["AccessKeyId"] for key in aws("iam").list_access_keys(UserName=user)["AccessKeyMetadata"]]


@pytest.fixture
def rotating_engine(vault: hvac.Client, lab: Lab, aws: AwsFactory) -> t.Iterator[RootUser]:
    """An AWS engine whose root is a fresh IAM user (allowed everything), with an iam_user role."""
    iam = aws("iam")
    suffix = uuid.uuid4().hex[:6]
    user, mount = f"it-rotate-{suffix}", f"it-rotate-{suffix}"
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    vault.sys.enable_secrets_engine("aws", path=mount)
    vault.write_data(
        f"{mount}/config/root",
        data=lab.aws_root_config(key["AccessKeyId"], key["SecretAccessKey"]),
    )
    vault.write_data(
        f"{mount}/roles/it-iam", data={"credential_type": "iam_user", "policy_document": json.dumps(POLICY)}
    )
    try:
        yield RootUser(mount, user, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        vault.sys.revoke_prefix(f"{mount}/")
        vault.sys.disable_secrets_engine(mount)
        for key_id in access_keys(aws, user):
            iam.delete_access_key(UserName=user, AccessKeyId=key_id)
        iam.delete_user_policy(UserName=user, PolicyName="all")
        iam.delete_user(UserName=user)


@pytest.mark.core219
def test_rotate_root(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, rotating_engine: RootUser) -> None:
    root = rotating_engine
    # check mode: reports the rotation, names the key in use, rotates nothing
    run = ansible.task("vaultops.cloud.aws_secrets_rotate_root", {"mount_point": root.mount}, check=True)
    assert run.rc == 0, run.output
    assert (run.result["changed"], run.result["access_key"]) == (True, root.access_key)
    assert access_keys(aws, root.user) == [root.access_key]
    assert vault.read(f"{root.mount}/config/root")["data"]["access_key"] == root.access_key

    # real: a new key replaces the old one, in Vault and in AWS
    run = ansible.task("vaultops.cloud.aws_secrets_rotate_root", {"mount_point": root.mount})
    assert run.rc == 0, run.output
    new_key = run.result["access_key"]
    assert run.result["changed"] is True
    assert new_key.startswith("AKIA")
    assert new_key != root.access_key
    assert vault.read(f"{root.mount}/config/root")["data"]["access_key"] == new_key
    assert access_keys(aws, root.user) == [new_key]
    # the old key is dead, and nobody printed the new secret
    with pytest.raises(ClientError) as refused:
        aws("sts", root.access_key, root.secret_key).get_caller_identity()
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert root.secret_key not in run.stdout
    # the engine still works with the secret only it knows
    issued = vault.read(f"{root.mount}/creds/it-iam")
    assert issued["data"]["access_key"].startswith("AKIA")

    # an action, not a state: the next run rotates again
    run = ansible.task("vaultops.cloud.aws_secrets_rotate_root", {"mount_point": root.mount})
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    assert run.result["access_key"] not in (root.access_key, new_key)
    assert access_keys(aws, root.user) == [run.result["access_key"]]


def test_rotate_root_unconfigured(ansible: Ansible, vault: hvac.Client) -> None:
    mount = f"it-rotate-empty-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("aws", path=mount)
    try:
        for check in (True, False):
            run = ansible.task("vaultops.cloud.aws_secrets_rotate_root", {"mount_point": mount}, check=check)
            assert run.rc == 2, run.output
            assert "the engine has no root access key to rotate" in run.result["msg"]
            assert f"{mount}/config/root" in run.result["msg"]
        assert vault.read(f"{mount}/config/root") is None
    finally:
        vault.sys.disable_secrets_engine(mount)


@pytest.fixture
def role_mount(vault: hvac.Client) -> t.Iterator[str]:
    mount = f"it-role-info-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("aws", path=mount)
    yield mount
    vault.sys.disable_secrets_engine(mount)


@pytest.mark.core219
def test_role_info(ansible: Ansible, vault: hvac.Client, role_mount: str) -> None:
    vault.write_data(
        f"{role_mount}/roles/b-user", data={"credential_type": "iam_user", "policy_document": json.dumps(POLICY)}
    )
    vault.write_data(
        f"{role_mount}/roles/a-assumed",
        data={
            "credential_type": "assumed_role",
            "role_arns": ["arn:aws:iam::123456789012:role/z", "arn:aws:iam::123456789012:role/y"],
            "default_sts_ttl": "15m",
        },
    )
    for check in (True, False):
        run = ansible.task("vaultops.cloud.aws_secrets_role_info", {"mount_point": role_mount}, check=check)
        assert run.rc == 0, run.output
        assert run.result["changed"] is False
        assert run.result["names"] == ["a-assumed", "b-user"]
        roles = run.result["roles"]
        assert roles["b-user"]["credential_type"] == "iam_user"
        assert roles["b-user"]["policy_document"] == POLICY
        assert roles["a-assumed"]["role_arns"] == [
            "arn:aws:iam::123456789012:role/y",
            "arn:aws:iam::123456789012:role/z",
        ]
        assert roles["a-assumed"]["default_sts_ttl"] == 900

    run = ansible.task("vaultops.cloud.aws_secrets_role_info", {"mount_point": role_mount, "name": "b-user"})
    assert (run.result["names"], sorted(run.result["roles"])) == (["b-user"], ["b-user"])
    run = ansible.task("vaultops.cloud.aws_secrets_role_info", {"mount_point": role_mount, "names_only": True})
    assert run.result["names"] == ["a-assumed", "b-user"]
    assert "roles" not in run.result
    run = ansible.task("vaultops.cloud.aws_secrets_role_info", {"mount_point": role_mount, "name": "missing"})
    assert run.rc == 0, run.output
    assert (run.result["names"], run.result["roles"]) == ([], {})


def test_role_info_empty_mount(ansible: Ansible, role_mount: str) -> None:
    run = ansible.task("vaultops.cloud.aws_secrets_role_info", {"mount_point": role_mount})
    assert run.rc == 0, run.output
    assert (run.result["names"], run.result["roles"]) == ([], {})


@pytest.fixture
def static_engine(vault: hvac.Client, lab: Lab, aws: AwsFactory) -> t.Iterator[tuple[str, str, str]]:
    """An engine on the lab root with a static role managing user A; user B exists too."""
    iam = aws("iam")
    suffix = uuid.uuid4().hex[:6]
    mount, user_a, user_b = f"it-static-diff-{suffix}", f"it-sd-a-{suffix}", f"it-sd-b-{suffix}"
    for user in (user_a, user_b):
        iam.create_user(UserName=user)
    vault.sys.enable_secrets_engine("aws", path=mount)
    vault.write_data(
        f"{mount}/config/root",
        data=lab.aws_root_config(),
    )
    vault.write_data(f"{mount}/static-roles/it-static", data={"username": user_a, "rotation_period": "1h"})
    try:
        yield mount, user_a, user_b
    finally:
        vault.delete(f"{mount}/static-roles/it-static")
        vault.sys.disable_secrets_engine(mount)
        for user in (user_a, user_b):
            for key_id in access_keys(aws, user):
                iam.delete_access_key(UserName=user, AccessKeyId=key_id)
            iam.delete_user(UserName=user)


# With recreate=true the diff shows the role of user A that is deleted, not a creation from nothing.
def test_static_role_recreate_diff_shows_replaced_user(
    ansible: Ansible, vault: hvac.Client, static_engine: tuple[str, str, str]
) -> None:
    mount, user_a, user_b = static_engine
    args = {"mount_point": mount, "name": "it-static", "username": user_b, "rotation_period": "1h", "recreate": True}
    run = ansible.task("vaultops.cloud.aws_secrets_static_role", args, check=True, diff=True)
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    assert vault.read(f"{mount}/static-roles/it-static")["data"]["username"] == user_a
    assert run.result["diff"]["after"]["username"] == user_b
    assert run.result["diff"]["before"].get("username") == user_a
