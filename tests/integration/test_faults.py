"""Faults between the collection and Vault: the lab's fault-injection proxy (``lab/faults/proxy.py``) resets
connections before and after Vault answered, answers 503 before and after forwarding, and stalls answers.

- The AWS setup playbook converges through it, and a rerun through it changes nothing.
- Credentials: N lookups with ``cache=false`` through faults on ``/creds/``. Vault issues at most one credential
  per lookup call (its audit log, and the IAM users moto holds), and every credential Vault issued was either
  handed to its caller or belongs to a call that failed saying that a credential may have been issued, naming
  the role and the time: issued = handed out + reported lost, exactly. The faults there come after Vault acted
  (reset, 503, a stall past the client's timeout) or say "sealed" (the one a mint is tried again after).
- A second role meets faults before Vault is asked (reset, a plain 503): the client cannot tell them from the same
  faults after, so it reports each as a possible loss and never tries again; nothing is issued but what was handed
  out, and the reported losses are exactly those faults.

What was issued is read with independent readers only: the lab's audit log, hvac on the root token, boto3 on
moto, and the proxy's own counts.
"""

from __future__ import annotations

import datetime
import json
import re
import typing as t
import urllib.request
from pathlib import Path

import hvac
import pytest

from ._audit import AuditLog, child_token, describe
from ._helpers import env_without, http_json, start_process, stop_process, wait_ready
from .conftest import REPO, VENV_BIN, Ansible, AwsFactory, Lab, free_port, wait_until

PROXY = REPO / "lab" / "faults" / "proxy.py"
SETUP_MOUNT = "it-faults-setup"
MOUNT = "it-faults"
ROLE = "it-faults-iam"
LOOKUPS = 20
# the schedule is seeded: the same requests in the same order meet the same faults
SEED = 20261130
# every kind of fault on every path, one request in three; reads and configuration writes get through by retrying
SETUP_RULES = {
    "seed": SEED,
    "rules": [
        {
            "path": "^/v1/",
            "actions": {
                "pass": 12,
                "reset_before": 1,
                "reset_after": 1,
                "503_before": 1,
                "sealed_before": 1,
                "503_after": 1,
                "stall": 1,
            },
            "stall_seconds": 1,
            "retry_after": "1",
        }
    ],
}
# on the credential path: faults after Vault acted (the answer is lost), a slow answer, and a sealed node (Vault
# did nothing: the one fault a mint may be tried again after); everything else passes
LOST_KINDS = ("reset_after", "503_after", "stall")
# A second role meets the faults that happen before Vault is asked (a reset, a 503 that does not say "sealed"): the
# client cannot tell them from the same faults after Vault acted, so it reports them as possible losses too, and
# never tries again. They are counted apart: for ROLE the account is exact, for ROLE_BEFORE nothing is issued
# that is not handed out, and the reported losses are exactly the faults the proxy made before forwarding.
ROLE_BEFORE = "it-faults-before"
LOOKUPS_BEFORE = 10
BEFORE_KINDS = ("reset_before", "503_before")
CREDS_RULES = {
    "seed": SEED,
    "rules": [
        {
            "path": f"^/v1/{MOUNT}/creds/{ROLE}$",
            "actions": {"pass": 3, "reset_after": 1, "503_after": 1, "stall": 1, "sealed_before": 1},
            # longer than the lookup's timeout below: the caller has given up when the answer comes
            "stall_seconds": 4,
        },
        {"path": f"^/v1/{MOUNT}/creds/{ROLE_BEFORE}$", "actions": {"pass": 2, "reset_before": 1, "503_before": 1}},
    ],
}
LOOKUP_TIMEOUT = 2


def lost_pattern(role: str) -> re.Pattern[str]:
    return re.compile(
        rf"a credential may have been issued for role '{role}' at "
        r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) but its answer was lost"
    )


LOST = lost_pattern(ROLE)


class FaultProxy:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    def rules(self, spec: t.Mapping[str, t.Any]) -> None:
        """Replace the rules (and clear the counts)."""
        request = json.dumps(spec).encode()
        status, body = http_put(f"{self.url}/_faults/rules", request)
        assert status == 200, body

    def stats(self) -> dict[str, t.Any]:
        status, body = http_json(f"{self.url}/_faults/stats")
        assert status == 200, body
        return t.cast("dict[str, t.Any]", body)


def http_put(url: str, data: bytes) -> tuple[int, t.Any]:
    request = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.fixture(scope="module")
def proxy(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[FaultProxy]:
    """The fault proxy in front of the lab's Vault, on a spare port, without rules; stopped by PID."""
    folder = tmp_path_factory.mktemp("faults")
    port = free_port()
    upstream = lab.vault_addr.removeprefix("http://")
    log = folder / "proxy.log"
    proc = start_process(
        [
            str(VENV_BIN / "python"),
            str(PROXY),
            f"--listen=127.0.0.1:{port}",
            f"--upstream={upstream}",
            f"--stats={folder / 'stats.json'}",
        ],
        log,
        env_without("VAULT_", "BAO_"),
    )
    try:
        faults = FaultProxy(port)
        wait_ready("fault proxy", lambda: http_json(f"{faults.url}/_faults/stats")[0] == 200, proc, log)
        yield faults
    finally:
        stop_process(proc)


def setup_playbook() -> Path:
    """The shipped AWS setup playbook (its file name is being moved to snake case)."""
    for name in ("setup_vault_aws.yml", "setup-vault-aws.yml"):
        if (REPO / "playbooks" / name).is_file():
            return REPO / "playbooks" / name
    raise AssertionError("no playbooks/setup_vault_aws.yml")


def test_the_setup_playbook_converges_through_faults(
    ansible: Ansible, lab: Lab, proxy: FaultProxy, vault: hvac.Client
) -> None:
    proxy.rules(SETUP_RULES)
    env = {
        "VAULT_ADDR": proxy.url,
        "VAULTOPS_LAB_ROOT_ACCESS_KEY": lab.root_access_key,
        "VAULTOPS_LAB_ROOT_SECRET_KEY": lab.root_secret_key,
        "VAULTOPS_LAB_AWS_REGION": lab.aws_region,
        "VAULTOPS_LAB_AWS_ENDPOINT": lab.aws_endpoint,
    }
    extra = {"aws_secrets_engine_mount_point": SETUP_MOUNT}
    try:
        first = ansible.playbook(setup_playbook(), extra, env=env)
        faults_first = proxy.stats()["actions"]
        assert first.rc == 0, first.output
        assert first.counts()["changed"] > 0, first.output
        assert first.counts()["failed"] == 0, first.output
        again = ansible.playbook(setup_playbook(), extra, env=env)
        stats = proxy.stats()
        assert again.rc == 0, again.output
        assert again.counts()["changed"] == 0, again.output
        # the faults happened: at least one of each kind across both runs
        faulted = {kind: n for kind, n in stats["actions"].items() if kind != "pass"}
        print(f"setup through faults: first run {faults_first}, both runs {stats['requests']} requests {faulted}")
        assert set(faulted) == set(SETUP_RULES["rules"][0]["actions"]) - {"pass"}, stats["actions"]
        # what the playbook asked for is in Vault (read back directly, not through the proxy)
        roles = vault.list(f"{SETUP_MOUNT}/roles")["data"]["keys"]
        assert sorted(roles) == ["deploy", "deploy-assumed", "deploy-federated"]
        lease = vault.read(f"{SETUP_MOUNT}/config/lease")["data"]
        assert (lease["lease"], lease["lease_max"]) == ("30m0s", "1h0m0s"), lease
    finally:
        if f"{SETUP_MOUNT}/" in vault.sys.list_mounted_secrets_engines()["data"]:
            vault.sys.disable_secrets_engine(SETUP_MOUNT)


@pytest.fixture(scope="module")
def engine(vault: hvac.Client, lab: Lab) -> t.Iterator[str]:
    """An AWS engine on moto with one IAM-user role."""
    vault.sys.enable_secrets_engine("aws", path=MOUNT)
    vault.write_data(
        f"{MOUNT}/config/root",
        data=lab.aws_root_config(),
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["*"]}],
    }
    for role in (ROLE, ROLE_BEFORE):
        vault.write_data(
            f"{MOUNT}/roles/{role}", data={"credential_type": "iam_user", "policy_document": json.dumps(policy)}
        )
    yield MOUNT
    vault.sys.revoke_prefix(f"{MOUNT}/")
    vault.sys.disable_secrets_engine(MOUNT)


def iam_users(aws: AwsFactory, role: str = ROLE) -> set[str]:
    """IAM users the engine at MOUNT made for ``role`` (the AWS engine names them vault-<token name>-<role>-...)."""
    users: set[str] = set()
    for page in aws("iam").get_paginator("list_users").paginate():
        users.update(u["UserName"] for u in page["Users"] if role in u["UserName"])
    return users


def lookup_task(role: str, count: int, register: str) -> dict[str, t.Any]:
    """One task, ``count`` items: a failed item is recorded and the others go on."""
    lookup = (
        f"lookup('vaultops.cloud.creds', '{role}', engine='aws', mount_point='{MOUNT}', cache=false, "
        f"timeout={LOOKUP_TIMEOUT})"
    )
    return {
        "name": f"Ask for a credential of {role}, many times",
        "ansible.builtin.set_fact": {"issued": "{{ " + lookup + " }}"},
        "loop": list(range(count)),
        "register": register,
        "ignore_errors": True,
        "no_log": True,
    }


def test_no_credential_is_minted_twice_and_every_loss_is_reported(
    *, ansible: Ansible, lab: Lab, proxy: FaultProxy, vault: hvac.Client, aws: AwsFactory, engine: str
) -> None:
    token, accessor = child_token(vault.auth.token)
    audit = AuditLog.of(lab.env)
    users_before = iam_users(aws)
    users_before_b = iam_users(aws, ROLE_BEFORE)
    proxy.rules(CREDS_RULES)
    mark = audit.mark()
    started = utc_now()
    run = ansible.play(
        [lookup_task(ROLE, LOOKUPS, "calls"), lookup_task(ROLE_BEFORE, LOOKUPS_BEFORE, "calls_before")],
        capture="{'calls': calls, 'before': calls_before}",
        env={"VAULT_ADDR": proxy.url, "VAULT_TOKEN": token},
        timeout=600,
    )
    ended = utc_now()
    assert run.result, run.output
    calls = run.result["calls"]["results"]
    assert len(calls) == LOOKUPS, run.output
    stats = proxy.stats()
    requests = [r for r in audit.since(mark, accessor=accessor) if r.path == f"{engine}/creds/{ROLE}"]
    # what Vault did: one credential for each creds request it answered without an error
    issued_audit = [r for r in requests if not r.error]
    users = iam_users(aws) - users_before
    handed = [c["ansible_facts"]["issued"]["access_key"] for c in calls if not c.get("failed")]
    failed = [str(c.get("msg", "")) for c in calls if c.get("failed")]
    lost = [message for message in failed if LOST.search(message)]
    at_proxy = [entry for entry in stats["log"] if entry["path"] == f"/v1/{engine}/creds/{ROLE}"]
    faults = {kind: sum(1 for e in at_proxy if e["action"] == kind) for kind in (*LOST_KINDS, "sealed_before")}
    print(
        f"creds through faults: {LOOKUPS} lookups, {len(at_proxy)} creds requests at the proxy, faults {faults}, "
        f"{len(issued_audit)} credentials issued (audit), {len(users)} IAM users, {len(handed)} handed out, "
        f"{len(lost)} reported lost, {len(failed) - len(lost)} other failures"
    )
    # the faults happened, of every kind
    assert all(faults.values()), (stats["actions"], run.output)
    # every failure is a reported loss, naming the role and the time
    assert failed == lost, failed
    # at most one credential per lookup call, by the audit log and by moto
    assert len(issued_audit) <= LOOKUPS, describe(requests)
    assert len(users) == len(issued_audit), (sorted(users), describe(requests))
    # only a sealed answer (Vault did nothing) is tried again: one request per lookup plus one per sealed answer
    assert len(at_proxy) == LOOKUPS + faults["sealed_before"], at_proxy
    assert len(requests) == LOOKUPS, describe(requests)
    # the exact account: issued = handed out + reported lost
    assert len(issued_audit) == len(handed) + len(lost)
    assert len(lost) == sum(faults[kind] for kind in LOST_KINDS)
    assert len(set(handed)) == len(handed)
    # each handed-out key belongs to one of the users Vault made
    iam = aws("iam")
    owned = {k["AccessKeyId"] for user in users for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]}
    assert set(handed) <= owned
    # orphans: users Vault made whose key nobody was handed; exactly one per reported loss
    orphans = {
        user
        for user in users
        if not {k["AccessKeyId"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]} & set(handed)
    }
    print(f"creds through faults: {len(orphans)} orphaned IAM users (one per reported loss)")
    assert len(orphans) == len(lost)
    # faults before forwarding: reported as possible losses (the client cannot tell), never tried again, and
    # nothing issued that was not handed out
    before = run.result["before"]["results"]
    assert len(before) == LOOKUPS_BEFORE, run.output
    at_proxy_b = [entry for entry in stats["log"] if entry["path"] == f"/v1/{engine}/creds/{ROLE_BEFORE}"]
    faults_b = {kind: sum(1 for e in at_proxy_b if e["action"] == kind) for kind in BEFORE_KINDS}
    handed_b = [c["ansible_facts"]["issued"]["access_key"] for c in before if not c.get("failed")]
    failed_b = [str(c.get("msg", "")) for c in before if c.get("failed")]
    requests_b = [r for r in audit.since(mark, accessor=accessor) if r.path == f"{engine}/creds/{ROLE_BEFORE}"]
    users_b = iam_users(aws, ROLE_BEFORE) - users_before_b
    print(
        f"creds, faults before forwarding: {LOOKUPS_BEFORE} lookups, {len(at_proxy_b)} requests at the proxy, "
        f"faults {faults_b}, {len(requests_b)} issued (audit), {len(users_b)} IAM users, {len(handed_b)} handed "
        f"out, {len(failed_b)} reported lost"
    )
    assert all(faults_b.values()), stats["actions"]
    assert len(at_proxy_b) == LOOKUPS_BEFORE, at_proxy_b
    assert all(lost_pattern(ROLE_BEFORE).search(message) for message in failed_b), failed_b
    assert len(failed_b) == sum(faults_b.values())
    assert len(requests_b) == len(users_b) == len(handed_b) == LOOKUPS_BEFORE - len(failed_b)
    # the reported time is when the call was made: within the run
    for message in lost:
        match = LOST.search(message)
        assert match is not None
        assert started <= match.group(1) <= ended, (started, match.group(1), ended)
    # orphans: the lost ones are live users nobody holds; revoking the mount's leases removes them all
    vault.sys.revoke_prefix(f"{engine}/")
    assert wait_until(lambda: not (iam_users(aws) - users_before)), sorted(iam_users(aws) - users_before)
    assert wait_until(lambda: not (iam_users(aws, ROLE_BEFORE) - users_before_b))


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
