"""The four-run targets: tests/integration/targets/<module>/tasks/main.yml, through run_target.yml.

Each target asserts, in Ansible, ``changed`` and ``diff`` of every run and the state read back with
``ansible.builtin.uri``; here we check that the play passed, that it really ran its assertions, and,
with hvac and boto3, that it cleaned up after itself.
"""

from __future__ import annotations

import typing as t
import uuid

import hvac
import pytest

from .conftest import Ansible, AwsFactory, Lab

# target: (the mount it uses and must remove, a fixture giving extra vars or None)
TARGETS: dict[str, tuple[str, str | None]] = {
    "secrets_engine": ("it-secrets-engine", None),
    "aws_secrets_config": ("it-aws-secrets-config", None),
    "aws_secrets_role": ("it-aws-secrets-role", None),
    "aws_secrets_static_role": ("it-aws-secrets-static-role", "static_users"),
}


def delete_iam_user(iam: t.Any, name: str) -> None:
    try:
        for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        for policy in iam.list_user_policies(UserName=name)["PolicyNames"]:
            iam.delete_user_policy(UserName=name, PolicyName=policy)
        iam.delete_user(UserName=name)
    except iam.exceptions.NoSuchEntityException:
        pass


@pytest.fixture
def static_users(aws: AwsFactory) -> t.Iterator[dict[str, str]]:
    """Two existing IAM users in moto for the static role to take over; deleted afterwards."""
    iam = aws("iam")
    suffix = uuid.uuid4().hex[:6]
    users = {"static_user_a": f"it-static-a-{suffix}", "static_user_b": f"it-static-b-{suffix}"}
    for name in users.values():
        iam.create_user(UserName=name)
    yield users
    for name in users.values():
        delete_iam_user(iam, name)


@pytest.mark.core219
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_target(target: str, ansible: Ansible, vault: hvac.Client, lab: Lab, request: pytest.FixtureRequest) -> None:
    mount, setup = TARGETS[target]
    extra: dict[str, t.Any] = request.getfixturevalue(setup) if setup else {}
    run = ansible.target(target, extra_vars=extra, verbosity=1)
    counts = run.counts()
    assert run.rc == 0, run.output
    assert counts["failed"] == 0, run.output
    assert counts["unreachable"] == 0, run.output
    # a target that silently skipped its body would still "pass": it must have changed things
    assert counts["changed"] >= 2, run.output
    assert "All assertions passed" in run.stdout
    assert f"{mount}/" not in vault.sys.list_mounted_secrets_engines()["data"]
    # no module result, diff or invocation printed at -v carries the engine's root secret key
    assert lab.root_secret_key not in run.stdout
    assert lab.root_secret_key not in run.stderr
    if setup == "static_users":
        # deleting (and recreating) the static role made the engine delete the keys it had made, in AWS
        iam = request.getfixturevalue("aws")("iam")
        for name in extra.values():
            assert iam.list_access_keys(UserName=name)["AccessKeyMetadata"] == [], name
