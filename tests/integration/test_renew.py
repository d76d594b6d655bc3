"""Leases kept alive through a long play: the creds lookup's ``renew: true`` with the callback vaultops.cloud.run_end
(tests/ansible.cfg) renewing AWS iam_user leases of 10 s at task boundaries while pause tasks outlast them.

One ansible-playbook start (about 35 s), three credentials:
- ``kept``: renew and revoke_at_end, on a mount whose max TTL (5 m) the play never reaches: its IAM user outlives
  its first TTL, Vault's audit log shows the renewals, and it is revoked when the run ends;
- ``capped``: renew on a mount whose max TTL is 25 s: one warning names its role and the time it ends;
- ``plain``: no renew, on the first mount: Vault deletes its IAM user after its TTL, while the play still runs.

Independent readers: moto's IAM users through boto3 (polled while the play runs), hvac on the root token, the lab's
audit log, the play's output.
"""

from __future__ import annotations

import json
import subprocess
import time
import typing as t
import uuid
from pathlib import Path

import hvac
import hvac.exceptions
import pytest

from ._audit import AuditLog
from .conftest import Ansible, AwsFactory, Lab, stop_process, wait_until

MOUNT = "it-renew"
CAPPED_MOUNT = "it-renew-capped"
ROLE = "it-renew-kept"
PLAIN = "it-renew-plain"
CAPPED = "it-renew-capped"
TTL = 10
CAPPED_MAX_TTL = 25
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::it-renew-bucket"]}],
}
INTEGRATION = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def engine(vault: hvac.Client, lab: Lab) -> t.Iterator[str]:
    """Two AWS engines on moto with iam_user roles: leases of 10 s, max 5 m on one and 25 s on the other."""
    mounts = {MOUNT: ("5m", (ROLE, PLAIN)), CAPPED_MOUNT: (f"{CAPPED_MAX_TTL}s", (CAPPED,))}
    for mount, (lease_max, roles) in mounts.items():
        vault.sys.enable_secrets_engine("aws", path=mount)
        vault.write_data(
            f"{mount}/config/root",
            data=lab.aws_root_config(),
        )
        vault.write_data(f"{mount}/config/lease", data={"lease": f"{TTL}s", "lease_max": lease_max})
        for name in roles:
            vault.write_data(
                f"{mount}/roles/{name}", data={"credential_type": "iam_user", "policy_document": json.dumps(POLICY)}
            )
    yield MOUNT
    for mount in mounts:
        vault.sys.revoke_prefix(f"{mount}/")
        vault.sys.disable_secrets_engine(mount)


def key_holder(aws: AwsFactory, access_key: str) -> str | None:
    """The IAM user that holds ``access_key`` (moto), or None when no user does."""
    iam = aws("iam")
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            keys = iam.list_access_keys(UserName=user["UserName"])["AccessKeyMetadata"]
            if any(key["AccessKeyId"] == access_key for key in keys):
                return str(user["UserName"])
    return None


def lease_exists(vault: hvac.Client, lease_id: str) -> bool:
    try:
        vault.sys.read_lease(lease_id)
    except hvac.exceptions.InvalidRequest:
        return False
    return True


def lookup(role: str, mount: str, **options: t.Any) -> str:
    extra = "".join(f", {name}={json.dumps(value)}" for name, value in options.items())
    return "{{ lookup('vaultops.cloud.creds', '" + role + "', mount_point='" + mount + "'" + extra + ") }}"


def start_playbook(ansible: Ansible, tasks: list[dict[str, t.Any]], log: Path) -> subprocess.Popen:
    name = uuid.uuid4().hex[:8]
    play = [{"name": "Long play", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    playbook = ansible.workdir / f"play-{name}.yml"
    playbook.write_text(json.dumps(play))
    variables = ansible.workdir / f"vars-{name}.json"
    variables.write_text(json.dumps({"ansible_python_interpreter": str(ansible.bin / "python")}))
    with log.open("wb") as handle:
        return subprocess.Popen(
            [str(ansible.bin / "ansible-playbook"), str(playbook), "-e", f"@{variables}"],
            cwd=INTEGRATION,
            env=ansible.env({"VAULTOPS_CREDS_CACHE_DIR": str(ansible.workdir / "vaultops-creds")}),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def test_renew_keeps_the_lease_through_a_long_play(
    ansible: Ansible, vault: hvac.Client, aws: AwsFactory, lab: Lab, engine: str
) -> None:
    audit = AuditLog.of(lab.env)
    mark = audit.mark()
    saved = ansible.workdir / "creds.json"
    log = ansible.workdir / "play.log"
    tasks: list[dict[str, t.Any]] = [
        {
            "name": "Issue the credentials",
            "ansible.builtin.set_fact": {
                "kept": lookup(ROLE, MOUNT, renew=True, revoke_at_end=True),
                "capped": lookup(CAPPED, CAPPED_MOUNT, renew=True),
                "plain": lookup(PLAIN, MOUNT),
            },
            "no_log": True,
        },
        {
            "name": "Save them",
            "ansible.builtin.copy": {
                "content": "{{ {'kept': kept, 'capped': capped, 'plain': plain} | to_json }}",
                "dest": str(saved),
                "mode": "0600",
            },
            "no_log": True,
        },
        # 11 tasks of 3 s: about 33 s, over three times the TTL; renewals happen between them
        *({"name": f"Work {n}", "ansible.builtin.pause": {"seconds": 3}} for n in range(11)),
    ]
    started = time.monotonic()
    proc = start_playbook(ansible, tasks, log)
    try:
        if not wait_until(lambda: (saved.exists() and saved.stat().st_size > 0) or proc.poll() is not None, 300, 0.2):
            pytest.fail("the play did not save its credentials")
        issued_at = time.monotonic()
        creds = json.loads(saved.read_text())
        kept, capped, plain = creds["kept"], creds["capped"], creds["plain"]
        assert kept["lease_duration"] == TTL
        assert kept["renewable"] is True
        assert key_holder(aws, kept["access_key"]) is not None
        # well after the first TTL: the renewed user is there, the plain one is gone (Vault revoked its lease)
        seen: list[tuple[float, bool, bool]] = []
        for at in (TTL + 5, TTL + 12, TTL + 19):
            time.sleep(max(0.0, issued_at + at - time.monotonic()))
            if proc.poll() is not None:
                break
            seen.append(
                (
                    round(time.monotonic() - issued_at, 1),
                    key_holder(aws, kept["access_key"]) is not None,
                    key_holder(aws, plain["access_key"]) is not None,
                )
            )
        rc = proc.wait(90)
    finally:
        stop_process(proc)
    elapsed = time.monotonic() - started
    output = log.read_text(errors="replace")
    assert rc == 0, output
    assert len(seen) == 3, (seen, output)
    assert all(kept_there for _at, kept_there, _plain in seen), seen
    assert not any(plain_there for _at, _kept, plain_there in seen), seen

    requests = audit.since(mark)
    renewals = [r for r in requests if r.path == "sys/leases/renew"]
    assert len(renewals) >= 4, [str(r) for r in renewals]  # kept about every 6 s over 33 s, capped 2 or 3 times
    assert all(not r.error for r in renewals), [str(r) for r in renewals]

    # the capped lease: one warning naming its role and its end
    flat = " ".join(output.split())
    assert flat.count(f"role {CAPPED} can no longer be renewed") == 1, output
    assert "max TTL is reached" in flat
    assert f"role {ROLE} can no longer" not in flat
    # revoke_at_end: the kept lease is revoked when the run ends (its user is gone at once)
    assert not lease_exists(vault, kept["lease_id"])
    assert key_holder(aws, kept["access_key"]) is None
    assert any(r.path == "sys/leases/revoke" for r in requests), [str(r) for r in requests]
    assert not lease_exists(vault, capped["lease_id"])  # past its max TTL
    print(f"renew: {len(renewals)} renewals, seen {seen}, play {elapsed:.1f}s")
