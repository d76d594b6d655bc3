"""The AliCloud secrets engine end to end: the four-run targets, RAM and STS credentials from the creds lookup
proven against the lab's fake AliCloud (its state, and STS GetCallerIdentity signed with the issued keys), bad
input, and a scan of -vvvv output for secrets.

The fake AliCloud is read over its control API (``/_fake/state``, ``/_fake/requests``) or used as a plain HTTP
proxy for a signed call; Vault is read with hvac on the root token: never with the collection's own code.
"""

from __future__ import annotations

import datetime
import json
import typing as t
import urllib.parse
import uuid
from dataclasses import dataclass

import hvac
import pytest

from ._helpers import alicloud_signed, assert_no_leak, creds_lookup, http_json, lab_values, vault_read
from .conftest import Ansible, FakeCloud, Lab, PlaybookResult, mounted_engine, wait_until

MOUNT = "it-alicloud"
# target: the mount it uses and must remove
TARGETS = {"alicloud_secrets_config": "it-alicloud-config", "alicloud_secrets_role": "it-alicloud-role"}
OSS_POLICY = {
    "Version": "1",
    "Statement": [{"Effect": "Allow", "Action": ["oss:GetObject"], "Resource": ["acs:oss:*:*:it-bucket/*"]}],
}
REMOTE = [{"name": "AliyunOSSReadOnlyAccess", "type": "System"}]
ALICLOUD_HOSTS = ("ram.aliyuncs.com", "sts.aliyuncs.com", "sts.us-east-1.aliyuncs.com")  # what the engine calls


# --- the fake AliCloud --------------------------------------------------------------------------------


def alicloud_calls(cloud: FakeCloud, after: int) -> list[str]:
    """``METHOD host query`` of the calls to AliCloud after ``after``."""
    return cloud.calls(after, ALICLOUD_HOSTS, "query")


def caller_identity(cloud: FakeCloud, access_key: str, secret_key: str, token: str | None = None) -> tuple[int, t.Any]:
    """STS GetCallerIdentity signed with the given keys (RPC, HMAC-SHA1), the fake as a plain HTTP proxy."""
    params = {
        "Action": "GetCallerIdentity",
        "Version": "2015-04-01",
        "Format": "JSON",
        "AccessKeyId": access_key,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if token:
        params["SecurityToken"] = token
    query = urllib.parse.urlencode(alicloud_signed(params, secret_key), quote_via=urllib.parse.quote)
    return http_json(f"http://sts.aliyuncs.com/?{query}", b"", proxy=cloud.endpoint)


def user_names(cloud: FakeCloud) -> list[str]:
    return sorted(user["UserName"] for user in cloud.state()["alicloud"]["users"])


# --- the lab's AliCloud identities ------------------------------------------------------------------


@dataclass(frozen=True)
class AliCloud:
    access_key: str
    secret_key: str
    role_arn: str


@pytest.fixture(scope="module")
def alicloud(lab: Lab) -> AliCloud:
    names = ("access_key", "secret_key", "role_arn")
    return AliCloud(**lab_values(lab.env, {name: f"VAULTOPS_LAB_ALICLOUD_{name.upper()}" for name in names}))


def cloud_vars(lab: Lab, alicloud: AliCloud) -> dict[str, str]:
    """What the AliCloud targets need besides VAULT_ADDR / VAULT_TOKEN (the secret too: the vars file is 0600)."""
    return {
        "lab_cloud_endpoint": lab.env["VAULTOPS_LAB_CLOUD_ENDPOINT"],
        "lab_alicloud_access_key": alicloud.access_key,
        "lab_alicloud_secret_key": alicloud.secret_key,
        "lab_alicloud_role_arn": alicloud.role_arn,
    }


# --- the engine ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(vault: hvac.Client, alicloud: AliCloud) -> t.Iterator[str]:
    """An AliCloud engine at it-alicloud with the lab's access key."""
    config = {"access_key": alicloud.access_key, "secret_key": alicloud.secret_key}
    yield from mounted_engine(vault, "alicloud", MOUNT, config)


def read_role(vault: hvac.Client, name: str) -> dict[str, t.Any] | None:
    return vault_read(vault, f"{MOUNT}/role/{name}")


def role(ansible: Ansible, name: str, check: bool = False, **args: t.Any) -> PlaybookResult:
    return ansible.task(
        "vaultops.cloud.alicloud_secrets_role", {"mount_point": MOUNT, "name": name, **args}, check=check
    )


def lookup(role_name: str) -> str:
    return creds_lookup(role_name, "alicloud", MOUNT)


def issue(ansible: Ansible, role_name: str) -> PlaybookResult:
    """The creds lookup, run once in set_fact (no_log); the credential lands in ``result``."""
    task = {"name": "Issue credentials", "ansible.builtin.set_fact": {"issued": lookup(role_name)}, "no_log": True}
    return ansible.play([task], capture="issued")


# --- the four-run targets -------------------------------------------------------------------------


@pytest.mark.core219
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_target(
    *, target: str, ansible: Ansible, vault: hvac.Client, lab: Lab, alicloud: AliCloud, cloud: FakeCloud
) -> None:
    users_before = user_names(cloud)
    # -vvvv: every module result, diff and invocation is printed, and scanned below
    run = ansible.target(target, extra_vars=cloud_vars(lab, alicloud), verbosity=4)
    counts = run.counts()
    assert run.rc == 0, run.output[-6000:]
    assert counts["failed"] == 0, run.output[-6000:]
    # a target that silently skipped its body would still "pass": it must have changed things
    assert counts["changed"] >= 4, run.output[-6000:]
    assert "All assertions passed" in run.stdout
    assert f"{TARGETS[target]}/" not in vault.sys.list_mounted_secrets_engines()["data"]
    # the config target's probe user was removed with its lease
    assert user_names(cloud) == users_before
    assert_no_leak(run, {"the AliCloud secret key": alicloud.secret_key, "the Vault token": lab.vault_token})


# --- credentials from the lookup, proven against the fake AliCloud -------------------------------------


@pytest.mark.core219
def test_ram_user_from_the_lookup(ansible: Ansible, vault: hvac.Client, cloud: FakeCloud, engine: str) -> None:
    created = role(ansible, "it-ram", inline_policies=[OSS_POLICY], remote_policies=REMOTE, ttl="1h")
    assert created.rc == 0, created.output
    users_before = user_names(cloud)

    run = issue(ansible, "it-ram")
    assert run.rc == 0, run.output
    creds = run.result
    assert creds["lease_id"].startswith(f"{engine}/creds/it-ram/")
    assert creds["lease_duration"] == 3600
    assert "security_token" not in creds
    assert creds["secret_key"] not in run.stdout

    # a new RAM user holds the key, with the inline policy (made a custom policy) and the remote one attached
    state = cloud.state()["alicloud"]
    [owner] = [key["UserName"] for key in state["access_keys"] if key["AccessKeyId"] == creds["access_key"]]
    assert owner not in users_before
    [user] = [u for u in state["users"] if u["UserName"] == owner]
    attached = {(p["PolicyType"], p["PolicyName"]) for p in user["Policies"]}
    assert ("System", "AliyunOSSReadOnlyAccess") in attached
    [custom] = [name for kind, name in attached if kind == "Custom"]
    [document] = [p["PolicyDocument"] for p in state["policies"] if p["PolicyName"] == custom]
    if isinstance(document, str):
        document = json.loads(document)
    assert document == OSS_POLICY
    # the secret key signs
    status, body = caller_identity(cloud, creds["access_key"], creds["secret_key"])
    assert status == 200, body
    assert body["IdentityType"] == "RAMUser"
    assert body["Arn"].endswith(f":user/{owner}")

    vault.sys.revoke_lease(creds["lease_id"])
    assert wait_until(lambda: owner not in user_names(cloud)), user_names(cloud)
    state = cloud.state()["alicloud"]
    assert creds["access_key"] not in [key["AccessKeyId"] for key in state["access_keys"]]
    assert custom not in [p["PolicyName"] for p in state["policies"]]
    status, body = caller_identity(cloud, creds["access_key"], creds["secret_key"])
    assert status == 404, body
    assert body["Code"] == "InvalidAccessKeyId.NotFound"


@pytest.mark.core219
def test_sts_credentials_through_role_arn(
    ansible: Ansible, vault: hvac.Client, alicloud: AliCloud, cloud: FakeCloud, engine: str
) -> None:
    created = role(ansible, "it-sts", role_arn=alicloud.role_arn)
    assert created.rc == 0, created.output
    users_before = user_names(cloud)

    run = issue(ansible, "it-sts")
    assert run.rc == 0, run.output
    creds = run.result
    assert creds["security_token"]
    expiration = datetime.datetime.strptime(creds["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc
    )
    assert expiration > datetime.datetime.now(datetime.timezone.utc)
    assert creds["lease_id"].startswith(f"{engine}/creds/it-sts/")
    assert creds["security_token"] not in run.stdout
    # STS made a session of the lab's role for the engine; no RAM user was created
    sessions = [s for s in cloud.state()["alicloud"]["sts_sessions"] if s["AccessKeyId"] == creds["access_key"]]
    assert len(sessions) == 1, sessions
    assert alicloud.role_arn.endswith(f":role/{sessions[0]['RoleName']}")
    assert sessions[0]["Expiration"] == creds["expiration"]
    assert user_names(cloud) == users_before
    status, body = caller_identity(cloud, creds["access_key"], creds["secret_key"], creds["security_token"])
    assert status == 200, body
    assert body["IdentityType"] == "AssumedRoleUser"
    assert f":assumed-role/{sessions[0]['RoleName']}/" in body["Arn"]
    # without the token, the keys are refused
    status, body = caller_identity(cloud, creds["access_key"], creds["secret_key"])
    assert status == 400, body


# --- bad input: clear errors, nothing written -------------------------------------------------------


@pytest.mark.core219
@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_role_arn_mixed_with_policies(
    *, check: bool, ansible: Ansible, vault: hvac.Client, alicloud: AliCloud, cloud: FakeCloud, engine: str
) -> None:
    mark = cloud.mark()
    run = role(
        ansible,
        "it-mixed",
        check=check,
        role_arn=alicloud.role_arn,
        inline_policies=[OSS_POLICY],
        remote_policies=REMOTE,
    )
    assert run.rc != 0
    assert run.result["field"] == "role_arn"
    assert "cannot be combined with inline_policies or remote_policies" in run.result["msg"]
    assert read_role(vault, "it-mixed") is None
    assert alicloud_calls(cloud, mark) == []


def test_role_arn_on_an_existing_ram_role_keeps_it(
    ansible: Ansible, vault: hvac.Client, alicloud: AliCloud, engine: str
) -> None:
    created = role(ansible, "it-keep", inline_policies=[OSS_POLICY], remote_policies=REMOTE)
    assert created.rc == 0, created.output
    before = read_role(vault, "it-keep")
    assert before is not None
    run = role(ansible, "it-keep", role_arn=alicloud.role_arn, inline_policies=[OSS_POLICY])
    assert run.rc != 0
    assert run.result["field"] == "role_arn"
    # the engine re-hashes inline policies on every write: equal hashes prove nothing was written
    assert read_role(vault, "it-keep") == before


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        pytest.param({"inline_policies": ['{"Version": "1", "Statement": [']}, "inline_policies", "item 1", id="json"),
        pytest.param(
            {"inline_policies": [[1, 2]]}, "inline_policies", "must be a policy document", id="not-a-document"
        ),
        pytest.param(
            {"remote_policies": [{"name": "AliyunOSSReadOnlyAccess", "type": "Managed"}]},
            "remote_policies",
            "type must be one of System, Custom",
            id="remote-type",
        ),
        pytest.param(
            {"remote_policies": ["AliyunOSSReadOnlyAccess"]}, "remote_policies", "name:<name>", id="remote-form"
        ),
        pytest.param(
            {"ttl": "2h", "max_ttl": "1h", "remote_policies": REMOTE}, "ttl", "must not exceed max_ttl", id="ttl"
        ),
        pytest.param({"ttl": "1h"}, "role_arn", "a role needs role_arn", id="nothing-to-issue"),
    ],
)
def test_refused_before_any_request(
    *,
    args: dict[str, t.Any],
    field: str,
    text: str,
    ansible: Ansible,
    vault: hvac.Client,
    cloud: FakeCloud,
    engine: str,
) -> None:
    mark = cloud.mark()
    run = role(ansible, "it-refused", **args)
    assert run.rc != 0
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert read_role(vault, "it-refused") is None
    assert alicloud_calls(cloud, mark) == []


def test_config_on_a_mount_of_another_type_is_refused(ansible: Ansible, vault: hvac.Client, alicloud: AliCloud) -> None:
    """The secret key must never land in, say, a kv mount, where anyone who may read it would see it."""
    vault.sys.enable_secrets_engine("kv", path="it-alicloud-kv")
    try:
        run = ansible.task(
            "vaultops.cloud.alicloud_secrets_config",
            {"mount_point": "it-alicloud-kv", "access_key": alicloud.access_key, "secret_key": alicloud.secret_key},
        )
        assert run.rc != 0
        assert run.result["field"] == "mount_point"
        assert "'kv' secrets engine" in run.result["msg"]
        assert (vault.read("it-alicloud-kv/config") or {}).get("data") is None
    finally:
        vault.sys.disable_secrets_engine("it-alicloud-kv")


# --- nothing secret in -vvvv output ----------------------------------------------------------------


def test_no_secret_in_verbose_output(ansible: Ansible, lab: Lab, alicloud: AliCloud, engine: str) -> None:
    tasks: list[dict[str, t.Any]] = [
        {
            "name": "Configure the engine, writing the secret",
            "vaultops.cloud.alicloud_secrets_config": {
                "mount_point": MOUNT,
                "access_key": alicloud.access_key,
                "secret_key": alicloud.secret_key,
                "update_secret": "always",
            },
            "diff": True,
        },
        {
            "name": "A RAM role",
            "vaultops.cloud.alicloud_secrets_role": {
                "mount_point": MOUNT,
                "name": "it-leak",
                "inline_policies": [OSS_POLICY],
                "remote_policies": REMOTE,
            },
            "diff": True,
        },
        {
            "name": "An STS role",
            "vaultops.cloud.alicloud_secrets_role": {
                "mount_point": MOUNT,
                "name": "it-leak-sts",
                "role_arn": alicloud.role_arn,
            },
            "diff": True,
        },
        {
            "name": "Issue with the lookup",
            "ansible.builtin.set_fact": {"issued": {"ram": lookup("it-leak"), "sts": lookup("it-leak-sts")}},
            "no_log": True,
        },
        {
            "name": "Issue with the module",
            "vaultops.cloud.creds": {"engine": "alicloud", "mount_point": MOUNT, "role": "it-leak-sts"},
            "register": "by_module",
            "no_log": True,
        },
        {
            "name": "Keep them all",
            "ansible.builtin.set_fact": {"issued": "{{ issued | combine({'module': by_module.credentials}) }}"},
            "no_log": True,
        },
    ]
    run = ansible.play(tasks, capture="issued", verbosity=4)
    assert run.rc == 0, run.output[-6000:]
    issued = run.result
    assert_no_leak(
        run,
        {
            "the AliCloud secret key": alicloud.secret_key,
            "the Vault token": lab.vault_token,
            "the issued RAM secret key": issued["ram"]["secret_key"],
            "the issued STS secret key": issued["sts"]["secret_key"],
            "the issued STS token": issued["sts"]["security_token"],
            "the module's STS secret key": issued["module"]["secret_key"],
            "the module's STS token": issued["module"]["security_token"],
        },
    )
