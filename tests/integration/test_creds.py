"""Credentials end to end: the creds module and lookup issue them, moto (boto3) proves what they are,
the lease module revokes or renews them, and hvac checks the leases. Nothing here reads Vault through
the collection's own code.
"""

from __future__ import annotations

import datetime
import json
import typing as t
import uuid

import hvac
import pytest
from botocore.exceptions import ClientError

from .conftest import Ansible, AwsFactory, Lab, PlaybookResult, free_port

MOUNT = "it-creds"
ACCOUNT = "123456789012"  # moto's default account
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::it-creds-bucket"]}],
}
READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ROLE_A, ROLE_B = "it-creds-assumed-a", "it-creds-assumed-b"
CREDENTIAL_KEYS = {
    "access_key",
    "secret_key",
    "security_token",
    "lease_id",
    "lease_duration",
    "renewable",
    "expires_at",
}


@pytest.fixture(scope="module")
def engine(vault: hvac.Client, lab: Lab, aws: AwsFactory) -> t.Iterator[str]:
    """An AWS engine at it-creds on moto, with one role of each credential type; leases of 30m (max 2h)."""
    iam = aws("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/vault-root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    for name in (ROLE_A, ROLE_B):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    vault.sys.enable_secrets_engine("aws", path=MOUNT)
    vault.write_data(
        f"{MOUNT}/config/root",
        data=lab.aws_root_config(),
    )
    vault.write_data(f"{MOUNT}/config/lease", data={"lease": "30m", "lease_max": "2h"})
    roles = {
        "it-iam": {"credential_type": "iam_user", "policy_document": json.dumps(POLICY)},
        "it-iam-arns": {"credential_type": "iam_user", "policy_arns": [READONLY]},
        "it-assumed": {
            "credential_type": "assumed_role",
            "role_arns": [f"arn:aws:iam::{ACCOUNT}:role/{ROLE_A}", f"arn:aws:iam::{ACCOUNT}:role/{ROLE_B}"],
            "default_sts_ttl": 1800,
            "max_sts_ttl": 3600,
        },
        "it-federation": {
            "credential_type": "federation_token",
            "policy_document": json.dumps(POLICY),
            "default_sts_ttl": 1200,
        },
    }
    for name, body in roles.items():
        vault.write_data(f"{MOUNT}/roles/{name}", data=body)
    yield MOUNT
    vault.sys.revoke_prefix(f"{MOUNT}/")
    vault.sys.disable_secrets_engine(MOUNT)
    for name in (ROLE_A, ROLE_B):
        iam.delete_role(RoleName=name)


@pytest.fixture(autouse=True)
def revoke_after(vault: hvac.Client, engine: str) -> t.Iterator[None]:
    """Every test starts and ends without leases on the mount (and so without users the engine made)."""
    yield
    vault.sys.revoke_prefix(f"{engine}/")


def engine_users(aws: AwsFactory) -> dict[str, dict[str, t.Any]]:
    """IAM users the engines created (vault-*), by name, besides the lab's vault-root."""
    iam = aws("iam")
    users: dict[str, dict[str, t.Any]] = {}
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            if user["UserName"].startswith("vault-") and user["UserName"] != "vault-root":
                users[user["UserName"]] = user
    return users


def owner_of(aws: AwsFactory, access_key: str) -> dict[str, t.Any]:
    """The IAM user that holds ``access_key``; fails if none does."""
    iam = aws("iam")
    for name, user in engine_users(aws).items():
        keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
        if any(key["AccessKeyId"] == access_key for key in keys):
            return user
    raise AssertionError(f"no IAM user holds {access_key}")


def caller_arn(aws: AwsFactory, creds: dict[str, t.Any]) -> str:
    sts = aws("sts", creds["access_key"], creds["secret_key"], creds.get("security_token"))
    return str(sts.get_caller_identity()["Arn"])


def lease_exists(vault: hvac.Client, lease_id: str) -> bool:
    try:
        vault.sys.read_lease(lease_id)
    except hvac.exceptions.InvalidRequest:
        return False
    return True


def leases_under(vault: hvac.Client, prefix: str) -> list[str]:
    listed = vault.list(f"sys/leases/lookup/{prefix}")
    return sorted((listed or {}).get("data", {}).get("keys", []))


def creds_task(ansible: Ansible, role: str, **options: t.Any) -> PlaybookResult:
    check = options.pop("check", False)
    return ansible.task(
        "vaultops.cloud.creds", {"role": role, "mount_point": MOUNT, **options}, check=check, no_log=True
    )


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


# --- the creds module -------------------------------------------------------------------------------


@pytest.mark.core219
def test_iam_user_end_to_end(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, engine: str) -> None:
    """iam_user creds -> the user exists with the role's policy -> STS knows the key -> revoke -> all gone."""
    before = set(engine_users(aws))
    started = now()
    run = creds_task(ansible, "it-iam")
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    creds = run.result["credentials"]
    assert set(creds) == CREDENTIAL_KEYS
    assert creds["access_key"].startswith("AKIA")
    assert creds["secret_key"]
    assert creds["security_token"] is None
    assert creds["lease_id"].startswith(f"{engine}/creds/it-iam/")
    assert creds["lease_duration"] == 1800
    assert creds["renewable"] is True
    expires = parse_time(creds["expires_at"])
    assert started + datetime.timedelta(seconds=1800) <= expires <= now() + datetime.timedelta(seconds=1800)
    # the secret is not printed (no_log on the task)
    assert creds["secret_key"] not in run.stdout

    # Vault holds the lease; moto holds one new user, with the role's inline policy, that owns the key
    assert lease_exists(vault, creds["lease_id"])
    iam = aws("iam")
    user = owner_of(aws, creds["access_key"])
    assert set(engine_users(aws)) - before == {user["UserName"]}
    assert iam.list_user_policies(UserName=user["UserName"])["PolicyNames"] == ["it-iam"]
    document = iam.get_user_policy(UserName=user["UserName"], PolicyName="it-iam")["PolicyDocument"]
    assert document == POLICY
    # STS accepts the issued key and says whose it is
    assert caller_arn(aws, creds) == user["Arn"]

    # revoke with the lease module: the engine deletes the user, and AWS refuses the key
    revoked = ansible.task("vaultops.cloud.lease", {"lease_id": creds["lease_id"]})
    assert revoked.rc == 0, revoked.output
    assert revoked.result["changed"] is True
    assert revoked.result["revoked"] == [creds["lease_id"]]
    assert not lease_exists(vault, creds["lease_id"])
    assert user["UserName"] not in engine_users(aws)
    with pytest.raises(ClientError) as refused:
        caller_arn(aws, creds)
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"


@pytest.mark.core219
def test_creds_check_mode_issues_nothing(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, engine: str) -> None:
    before = set(engine_users(aws))
    run = creds_task(ansible, "it-iam", check=True)
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    assert "credentials" not in run.result
    assert set(engine_users(aws)) == before
    assert leases_under(vault, f"{engine}/creds/it-iam") == []


def test_iam_user_policy_arns(ansible: Ansible, aws: AwsFactory, engine: str) -> None:
    run = creds_task(ansible, "it-iam-arns")
    assert run.rc == 0, run.output
    creds = run.result["credentials"]
    user = owner_of(aws, creds["access_key"])
    attached = aws("iam").list_attached_user_policies(UserName=user["UserName"])["AttachedPolicies"]
    assert [policy["PolicyArn"] for policy in attached] == [READONLY]
    assert caller_arn(aws, creds) == user["Arn"]


@pytest.mark.core219
def test_assumed_role(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, engine: str) -> None:
    run = creds_task(
        ansible,
        "it-assumed",
        kind="sts",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/{ROLE_B}",
        role_session_name="it-session",
        ttl="15m",
    )
    assert run.rc == 0, run.output
    creds = run.result["credentials"]
    assert creds["access_key"].startswith("ASIA")
    assert creds["security_token"]
    assert creds["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_B}/it-session"
    assert creds["lease_duration"] == 900
    assert creds["renewable"] is False
    assert creds["lease_id"].startswith(f"{engine}/sts/it-assumed/")
    assert lease_exists(vault, creds["lease_id"])
    # STS accepts the session credentials as the assumed role
    assert caller_arn(aws, creds) == creds["arn"]


def test_assumed_role_default_ttl(ansible: Ansible, aws: AwsFactory, engine: str) -> None:
    run = creds_task(ansible, "it-assumed", kind="sts", role_arn=f"arn:aws:iam::{ACCOUNT}:role/{ROLE_A}")
    assert run.rc == 0, run.output
    creds = run.result["credentials"]
    assert creds["lease_duration"] == 1800  # the role's default_sts_ttl
    assert creds["arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_A}/")
    assert caller_arn(aws, creds) == creds["arn"]


def test_federation_token(ansible: Ansible, vault: hvac.Client, engine: str) -> None:
    # moto issues federation tokens but does not accept them on later calls, so only issuance is checked
    run = creds_task(ansible, "it-federation", kind="sts")
    assert run.rc == 0, run.output
    creds = run.result["credentials"]
    assert creds["access_key"]
    assert creds["secret_key"]
    assert creds["security_token"]
    assert creds["lease_duration"] == 1200  # the role's default_sts_ttl
    assert creds["renewable"] is False
    assert creds["lease_id"].startswith(f"{engine}/sts/it-federation/")
    assert lease_exists(vault, creds["lease_id"])


@pytest.mark.core219
def test_wait_until_valid(ansible: Ansible, aws: AwsFactory, lab: Lab, engine: str) -> None:
    run = creds_task(ansible, "it-iam", wait_until_valid=True, wait_sts_endpoint=lab.aws_endpoint, wait_successes=2)
    assert run.rc == 0, run.output
    creds = run.result["credentials"]
    # with wait_until_valid the caller ARN from STS is returned
    assert creds["arn"] == owner_of(aws, creds["access_key"])["Arn"]


def test_wait_until_valid_failure_revokes(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, engine: str) -> None:
    """A credential that fails the STS proof is revoked: no IAM user and no lease are left behind."""
    closed = f"http://127.0.0.1:{free_port()}"
    run = creds_task(ansible, "it-iam", wait_until_valid=True, wait_sts_endpoint=closed, wait_timeout=2)
    assert run.rc == 2, run.output
    msg = run.result["msg"]
    assert "did not pass 3 STS GetCallerIdentity calls in a row within 2s" in msg
    assert f"lease {engine}/creds/it-iam/" in msg
    assert "was revoked" in msg
    assert "credentials" not in run.result
    assert engine_users(aws) == {}
    assert leases_under(vault, f"{engine}/creds/it-iam") == []


def test_creds_unknown_role(ansible: Ansible, aws: AwsFactory, engine: str) -> None:
    before = set(engine_users(aws))
    run = creds_task(ansible, "no-such-role")
    assert run.rc == 2, run.output
    assert f"{engine}/creds/no-such-role" in run.result["msg"]
    assert set(engine_users(aws)) == before


# --- the lease module -------------------------------------------------------------------------------


def issue_with_hvac(vault: hvac.Client, role: str = "it-iam") -> str:
    return str(vault.read(f"{MOUNT}/creds/{role}")["lease_id"])


@pytest.mark.core219
def test_lease_revoke_four_runs(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, engine: str) -> None:
    lease_id = issue_with_hvac(vault)
    users = set(engine_users(aws))
    assert len(users) == 1

    run = ansible.task("vaultops.cloud.lease", {"lease_id": lease_id, "state": "revoked"}, check=True)
    assert run.rc == 0, run.output
    assert (run.result["changed"], run.result["revoked"], run.result["lease_id"]) == (True, [lease_id], lease_id)
    assert lease_exists(vault, lease_id)
    assert set(engine_users(aws)) == users

    run = ansible.task("vaultops.cloud.lease", {"lease_id": lease_id, "state": "revoked"})
    assert run.rc == 0, run.output
    assert (run.result["changed"], run.result["revoked"]) == (True, [lease_id])
    assert not lease_exists(vault, lease_id)
    assert engine_users(aws) == {}

    for check in (True, False):
        run = ansible.task("vaultops.cloud.lease", {"lease_id": lease_id, "state": "revoked"}, check=check)
        assert run.rc == 0, run.output
        assert (run.result["changed"], run.result["revoked"]) == (False, [])


def test_lease_revoke_prefix_four_runs(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, engine: str) -> None:
    leases = sorted([issue_with_hvac(vault), issue_with_hvac(vault)])
    prefix = f"{engine}/creds/it-iam"
    assert len(engine_users(aws)) == 2

    run = ansible.task("vaultops.cloud.lease", {"prefix": prefix}, check=True)
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    assert sorted(run.result["revoked"]) == leases
    assert len(leases_under(vault, prefix)) == 2
    assert len(engine_users(aws)) == 2

    run = ansible.task("vaultops.cloud.lease", {"prefix": prefix})
    assert run.rc == 0, run.output
    assert run.result["changed"] is True
    assert sorted(run.result["revoked"]) == leases
    assert leases_under(vault, prefix) == []
    assert engine_users(aws) == {}

    for check in (True, False):
        run = ansible.task("vaultops.cloud.lease", {"prefix": prefix}, check=check)
        assert run.rc == 0, run.output
        assert (run.result["changed"], run.result["revoked"]) == (False, [])


def test_lease_renew(ansible: Ansible, vault: hvac.Client, engine: str) -> None:
    """The AWS engine renews an IAM user lease to its configured lease; raise it, then renew."""
    lease_id = issue_with_hvac(vault)
    assert vault.sys.read_lease(lease_id)["data"]["ttl"] <= 1800
    vault.write_data(f"{MOUNT}/config/lease", data={"lease": "1h", "lease_max": "2h"})
    try:
        run = ansible.task("vaultops.cloud.lease", {"lease_id": lease_id, "state": "renewed"}, check=True)
        assert run.rc == 0, run.output
        assert run.result["changed"] is True
        assert 0 < run.result["lease_duration"] <= 1800
        assert vault.sys.read_lease(lease_id)["data"]["last_renewal"] is None

        run = ansible.task("vaultops.cloud.lease", {"lease_id": lease_id, "state": "renewed", "increment": "1h"})
        assert run.rc == 0, run.output
        assert run.result["changed"] is True
        assert run.result["lease_duration"] == 3600
        lease = vault.sys.read_lease(lease_id)["data"]
        assert lease["last_renewal"] is not None
        assert 1800 < lease["ttl"] <= 3600
    finally:
        vault.write_data(f"{MOUNT}/config/lease", data={"lease": "30m", "lease_max": "2h"})


def test_lease_renew_refusals(ansible: Ansible, vault: hvac.Client, engine: str) -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_A}"
    sts_lease = str(vault.write_data(f"{MOUNT}/sts/it-assumed", data={"role_arn": role_arn})["lease_id"])
    run = ansible.task("vaultops.cloud.lease", {"lease_id": sts_lease, "state": "renewed"})
    assert run.rc == 2, run.output
    assert f"lease {sts_lease} is not renewable" in run.result["msg"]

    missing = f"{engine}/creds/it-iam/{uuid.uuid4().hex}"
    run = ansible.task("vaultops.cloud.lease", {"lease_id": missing, "state": "renewed"})
    assert run.rc == 2, run.output
    assert f"lease {missing} does not exist or has expired" in run.result["msg"]


# --- the lookup -------------------------------------------------------------------------------------


def lookup_play(ansible: Ansible, expression: str, **kwargs: t.Any) -> PlaybookResult:
    """Evaluate ``expression`` once with set_fact and capture it."""
    return ansible.play(
        [{"name": "Evaluate", "ansible.builtin.set_fact": {"value": expression}, "no_log": True}],
        capture="value",
        **kwargs,
    )


@pytest.mark.core219
def test_lookup_one_dict_per_term(ansible: Ansible, aws: AwsFactory, engine: str) -> None:
    run = lookup_play(
        ansible, f"{{{{ query('vaultops.cloud.creds', 'it-iam', 'it-iam-arns', mount_point='{engine}') }}}}"
    )
    assert run.rc == 0, run.output
    first, second = run.result
    for term, creds in (("it-iam", first), ("it-iam-arns", second)):
        assert set(creds) == CREDENTIAL_KEYS
        assert creds["lease_id"].startswith(f"{engine}/creds/{term}/")
        assert creds["lease_duration"] == 1800
        assert creds["renewable"] is True
        assert creds["security_token"] is None
        parse_time(creds["expires_at"])
        assert caller_arn(aws, creds) == owner_of(aws, creds["access_key"])["Arn"]
    assert first["access_key"] != second["access_key"]
    assert first["secret_key"] not in run.stdout


def test_lookup_single_term_is_a_dict(ansible: Ansible, engine: str) -> None:
    run = lookup_play(ansible, f"{{{{ lookup('vaultops.cloud.creds', 'it-iam', mount_point='{engine}') }}}}")
    assert run.rc == 0, run.output
    assert isinstance(run.result, dict)
    assert run.result["lease_id"].startswith(f"{engine}/creds/it-iam/")


@pytest.mark.core219
@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_lookup_cache(cache: bool, ansible: Ansible, aws: AwsFactory, engine: str) -> None:
    """A lookup in vars runs at every reference; the per-run cache makes those runs return one credential."""
    expression = f"{{{{ lookup('vaultops.cloud.creds', 'it-iam', mount_point='{engine}', cache={cache}) }}}}"
    tasks = [
        {"name": "First reference", "ansible.builtin.set_fact": {"first": "{{ lazy_creds }}"}, "no_log": True},
        {"name": "Second reference", "ansible.builtin.set_fact": {"second": "{{ lazy_creds }}"}, "no_log": True},
        {
            "name": "Both",
            "ansible.builtin.set_fact": {"both": {"first": "{{ first }}", "second": "{{ second }}"}},
            "no_log": True,
        },
    ]
    run = ansible.play(tasks, capture="both", play_vars={"lazy_creds": expression})
    assert run.rc == 0, run.output
    first, second = run.result["first"], run.result["second"]
    users = engine_users(aws)
    if cache:
        assert first == second
        assert len(users) == 1
    else:
        assert first["access_key"] != second["access_key"]
        assert len(users) == 2


@pytest.mark.core219
def test_lookup_sts_wait_until_valid(ansible: Ansible, lab: Lab, aws: AwsFactory, engine: str) -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_A}"
    run = lookup_play(
        ansible,
        f"{{{{ lookup('vaultops.cloud.creds', 'it-assumed', mount_point='{engine}', kind='sts', ttl=900, "
        f"role_arn='{role_arn}', role_session_name='it-lookup', wait_until_valid=true, "
        f"wait_sts_endpoint='{lab.aws_endpoint}', wait_successes=2) }}}}",
    )
    assert run.rc == 0, run.output
    creds = run.result
    assert creds["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_A}/it-lookup"
    assert creds["lease_duration"] == 900
    assert creds["security_token"]
    assert caller_arn(aws, creds) == creds["arn"]


def test_lookup_federation_token(ansible: Ansible, engine: str) -> None:
    # issuance only: moto does not accept federation credentials on later calls
    run = lookup_play(
        ansible, f"{{{{ lookup('vaultops.cloud.creds', 'it-federation', mount_point='{engine}', kind='sts') }}}}"
    )
    assert run.rc == 0, run.output
    assert run.result["security_token"]
    assert run.result["lease_duration"] == 1200
    assert run.result["lease_id"].startswith(f"{engine}/sts/it-federation/")


def test_lookup_unknown_role(ansible: Ansible, aws: AwsFactory, engine: str) -> None:
    run = lookup_play(ansible, f"{{{{ lookup('vaultops.cloud.creds', 'no-such-role', mount_point='{engine}') }}}}")
    assert run.rc == 2, run.output
    assert f"{engine}/creds/no-such-role" in run.stdout + run.stderr
    assert engine_users(aws) == {}


def test_lookup_bad_ttl(ansible: Ansible, aws: AwsFactory, engine: str) -> None:
    run = lookup_play(
        ansible,
        f"{{{{ lookup('vaultops.cloud.creds', 'it-assumed', mount_point='{engine}', kind='sts', ttl='-5m') }}}}",
    )
    assert run.rc == 2, run.output
    assert "invalid value for ttl" in run.stdout + run.stderr


@pytest.fixture
def creds_approle(vault: hvac.Client, engine: str) -> t.Iterator[dict[str, str]]:
    """An AppRole whose tokens may read it-iam credentials and nothing else."""
    policy = "it-creds-reader"
    vault.sys.create_or_update_policy(policy, f'path "{engine}/creds/it-iam" {{ capabilities = ["read"] }}\n')
    vault.sys.enable_auth_method("approle", path="it-creds-approle")
    vault.auth.approle.create_or_update_approle(
        "reader", token_policies=[policy], token_ttl="10m", mount_point="it-creds-approle"
    )
    role_id = vault.auth.approle.read_role_id("reader", mount_point="it-creds-approle")["data"]["role_id"]
    secret_id = vault.auth.approle.generate_secret_id("reader", mount_point="it-creds-approle")["data"]["secret_id"]
    yield {"role_id": role_id, "secret_id": secret_id, "mount": "it-creds-approle"}
    vault.sys.disable_auth_method("it-creds-approle")
    vault.sys.delete_policy(policy)


def test_lookup_options_from_vars(
    ansible: Ansible, lab: Lab, vault: hvac.Client, aws: AwsFactory, *, engine: str, creds_approle: dict[str, str]
) -> None:
    """url and AppRole login from the vaultops_cloud_* variables; no VAULT_ADDR or VAULT_TOKEN anywhere.

    The login token is revoked when the run ends, and Vault revokes every lease a token made with it: the
    credential outlives the run only with revoke_login_token false."""
    play_vars = {
        "vaultops_cloud_url": lab.vault_addr,
        "vaultops_cloud_auth_method": "approle",
        "vaultops_cloud_auth_mount_point": creds_approle["mount"],
        "vaultops_cloud_role_id": creds_approle["role_id"],
        "vaultops_cloud_secret_id": creds_approle["secret_id"],
    }
    template = f"{{{{ lookup('vaultops.cloud.creds', 'it-iam', mount_point='{engine}') }}}}"
    kept = lookup_play(
        ansible,
        template,
        play_vars={**play_vars, "vaultops_cloud_revoke_login_token": False},
        unset_env=("VAULT_ADDR", "VAULT_TOKEN"),
    )
    assert kept.rc == 0, kept.output
    assert kept.result["lease_id"].startswith(f"{engine}/creds/it-iam/")
    assert caller_arn(aws, kept.result) == owner_of(aws, kept.result["access_key"])["Arn"]
    assert lease_exists(vault, kept.result["lease_id"])

    ended = lookup_play(ansible, template, play_vars=play_vars, unset_env=("VAULT_ADDR", "VAULT_TOKEN"))
    assert ended.rc == 0, ended.output
    assert ended.result["lease_id"].startswith(f"{engine}/creds/it-iam/")
    assert not lease_exists(vault, ended.result["lease_id"])
    with pytest.raises(AssertionError, match="no IAM user holds"):
        owner_of(aws, ended.result["access_key"])


def test_lookup_options_from_env(ansible: Ansible, engine: str, creds_approle: dict[str, str]) -> None:
    """AppRole login from VAULTOPS_CLOUD_* environment variables; the token policy allows it-iam only."""
    env = {
        "VAULTOPS_CLOUD_AUTH_METHOD": "approle",
        "VAULTOPS_CLOUD_ROLE_ID": creds_approle["role_id"],
        "VAULTOPS_CLOUD_SECRET_ID": creds_approle["secret_id"],
    }
    tasks = [
        {
            "name": "Evaluate",
            "ansible.builtin.set_fact": {
                "value": f"{{{{ lookup('vaultops.cloud.creds', 'it-iam', mount_point='{engine}', "
                f"auth_mount_point='{creds_approle['mount']}') }}}}"
            },
            "no_log": True,
        }
    ]
    run = ansible.play(tasks, capture="value", env=env, unset_env=("VAULT_TOKEN",))
    assert run.rc == 0, run.output
    assert run.result["lease_id"].startswith(f"{engine}/creds/it-iam/")
    # the same login may not read another role: proof that the AppRole token, not a root token, was used
    tasks[0]["ansible.builtin.set_fact"]["value"] = (
        f"{{{{ lookup('vaultops.cloud.creds', 'it-iam-arns', mount_point='{engine}', "
        f"auth_mount_point='{creds_approle['mount']}') }}}}"
    )
    run = ansible.play(tasks, capture="value", env=env, unset_env=("VAULT_TOKEN",))
    assert run.rc == 2, run.output
    assert "permission denied" in run.stdout + run.stderr
