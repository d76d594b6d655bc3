"""Keys do not outlive the run: what the creds lookup's cache leaves on disk after a normal end, a failed task,
Ctrl-C (SIGINT), SIGTERM and kill -9, with the callback vaultops.cloud.run_end enabled (tests/ansible.cfg); a lease
revoked with vaultops.cloud.lease is never returned again; revoke_at_end; check mode issues nothing.

Independent readers: moto's IAM users through boto3, hvac on the root token, the lab's audit log, and the
files under the cache folder (VAULTOPS_CREDS_CACHE_DIR, one per test) read as bytes. Six ansible-playbook
starts in all.
"""

from __future__ import annotations

import json
import os
import signal
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

MOUNT = "it-cache"
ROLE = "it-cache"  # iam_user: every credential is an IAM user that moto shows
OTHER = "it-cache-other"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::it-cache-bucket"]}],
}
INTEGRATION = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def engine(vault: hvac.Client, lab: Lab) -> t.Iterator[str]:
    """An AWS engine on moto with two iam_user roles; leases of 30m."""
    vault.sys.enable_secrets_engine("aws", path=MOUNT)
    vault.write_data(
        f"{MOUNT}/config/root",
        data=lab.aws_root_config(),
    )
    vault.write_data(f"{MOUNT}/config/lease", data={"lease": "30m", "lease_max": "2h"})
    for name in (ROLE, OTHER):
        vault.write_data(
            f"{MOUNT}/roles/{name}", data={"credential_type": "iam_user", "policy_document": json.dumps(POLICY)}
        )
    yield MOUNT
    vault.sys.revoke_prefix(f"{MOUNT}/")
    vault.sys.disable_secrets_engine(MOUNT)


@pytest.fixture(autouse=True)
def revoke_after(vault: hvac.Client, engine: str) -> t.Iterator[None]:
    yield
    vault.sys.revoke_prefix(f"{engine}/")


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "vaultops-creds"


def key_holder(aws: AwsFactory, access_key: str) -> str | None:
    """The IAM user that holds ``access_key`` (moto), or None when no user does."""
    iam = aws("iam")
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            keys = iam.list_access_keys(UserName=user["UserName"])["AccessKeyMetadata"]
            if any(key["AccessKeyId"] == access_key for key in keys):
                return str(user["UserName"])
    return None


def engine_users(aws: AwsFactory) -> set[str]:
    iam = aws("iam")
    names = {user["UserName"] for page in iam.get_paginator("list_users").paginate() for user in page["Users"]}
    return {name for name in names if name.startswith("vault-") and name != "vault-root"}


def lease_exists(vault: hvac.Client, lease_id: str) -> bool:
    try:
        vault.sys.read_lease(lease_id)
    except hvac.exceptions.InvalidRequest:
        return False
    return True


def files_holding(cache_dir: Path, *secrets: str) -> list[str]:
    """Files under the cache folder whose bytes contain one of ``secrets``."""
    found = []
    for path in cache_dir.rglob("*") if cache_dir.exists() else []:
        if path.is_file():
            data = path.read_bytes()
            found.extend(f"{path}: {secret[:4]}..." for secret in secrets if secret.encode() in data)
    return found


def lookup(role: str, **options: t.Any) -> str:
    extra = "".join(f", {name}={json.dumps(value)}" for name, value in options.items())
    return "{{ lookup('vaultops.cloud.creds', '" + role + "', mount_point='" + MOUNT + "'" + extra + ") }}"


def set_fact(name: str, expression: str) -> dict[str, t.Any]:
    return {"name": f"Set {name}", "ansible.builtin.set_fact": {name: expression}}


def grep_task(cache_dir: Path, variable: str) -> dict[str, t.Any]:
    """During the run: which cache files hold ``variable``'s secret key (proves the cache did hold it)."""
    return {
        "name": f"Find {variable} in the cache",
        "ansible.builtin.command": {"argv": ["grep", "-rlF", "{{ " + variable + ".secret_key }}", str(cache_dir)]},
        "register": f"grep_{variable}",
        "changed_when": False,
        "failed_when": False,
        "check_mode": False,
    }


def save_task(path: Path, expression: str) -> dict[str, t.Any]:
    return {
        "name": f"Save to {path.name}",
        "ansible.builtin.copy": {"content": "{{ " + expression + " | to_json }}", "dest": str(path), "mode": "0600"},
    }


# --- normal end and failed task (right after the run) --------------------------------------------------------


@pytest.mark.core219
def test_normal_end(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, cache_dir: Path) -> None:
    """A revoked credential is never returned again; revoke_at_end revokes only its own; nothing left on disk."""
    tasks = [
        set_fact("first", lookup(ROLE)),
        set_fact("again", lookup(ROLE)),
        grep_task(cache_dir, "first"),
        {"name": "Revoke the first", "vaultops.cloud.lease": {"lease_id": "{{ first.lease_id }}"}},
        set_fact("after_revoke", lookup(ROLE)),
        set_fact("at_end", lookup(OTHER, revoke_at_end=True)),
        set_fact(
            "out",
            "{{ {'first': first, 'again': again, 'after_revoke': after_revoke, 'at_end': at_end, "
            "'grep': grep_first.stdout_lines} }}",
        ),
    ]
    run = ansible.play(tasks, capture="out", env={"VAULTOPS_CREDS_CACHE_DIR": str(cache_dir)})
    assert run.rc == 0, run.output
    out = run.result
    first, again, after, at_end = out["first"], out["again"], out["after_revoke"], out["at_end"]
    assert again["access_key"] == first["access_key"]  # the cache served the second evaluation
    assert len(out["grep"]) == 1, out["grep"]  # during the run the cache held the key, in one file
    # revoked: the engine deleted its user, and the lookup issued a new credential instead of the revoked one
    assert not lease_exists(vault, first["lease_id"])
    assert key_holder(aws, first["access_key"]) is None
    assert after["access_key"] != first["access_key"]
    assert after["lease_id"] != first["lease_id"]
    # revoke_at_end revoked its credential at the end, and only that one
    assert key_holder(aws, at_end["access_key"]) is None
    assert not lease_exists(vault, at_end["lease_id"])
    assert key_holder(aws, after["access_key"]) is not None
    assert lease_exists(vault, after["lease_id"])
    # right after the run, nothing under the cache folder
    secrets = [first["secret_key"], after["secret_key"], at_end["secret_key"]]
    assert files_holding(cache_dir, *secrets) == []
    assert list(cache_dir.iterdir()) == []


def test_failed_task(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, cache_dir: Path) -> None:
    tasks = [
        set_fact("at_end", lookup(ROLE, revoke_at_end=True)),
        set_fact("cached", lookup(OTHER)),
        grep_task(cache_dir, "cached"),
        set_fact("out", "{{ {'at_end': at_end, 'cached': cached, 'grep': grep_cached.stdout_lines} }}"),
        {"name": "A task fails", "ansible.builtin.fail": {"msg": "the play breaks here"}},
    ]
    run = ansible.play(tasks, capture="out", env={"VAULTOPS_CREDS_CACHE_DIR": str(cache_dir)})
    assert run.rc == 2, run.output
    assert "the play breaks here" in run.stdout
    at_end, cached = run.result["at_end"], run.result["cached"]
    assert len(run.result["grep"]) == 1
    assert key_holder(aws, at_end["access_key"]) is None
    assert not lease_exists(vault, at_end["lease_id"])
    assert key_holder(aws, cached["access_key"]) is not None  # not asked to be revoked
    assert files_holding(cache_dir, at_end["secret_key"], cached["secret_key"]) == []
    assert list(cache_dir.iterdir()) == []


# --- Ctrl-C, kill -9, and the next start (in check mode) --------------------------------------------------------


def start_playbook(ansible: Ansible, tasks: list[dict[str, t.Any]], env: t.Mapping[str, str]) -> subprocess.Popen:
    """ansible-playbook in a process group of its own (as a terminal runs it), to be signalled."""
    name = uuid.uuid4().hex[:8]
    play = [{"name": "Interrupted play", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    playbook = ansible.workdir / f"play-{name}.yml"
    playbook.write_text(json.dumps(play))
    variables = ansible.workdir / f"vars-{name}.json"
    variables.write_text(json.dumps({"ansible_python_interpreter": str(ansible.bin / "python")}))
    log = ansible.workdir / f"play-{name}.log"
    with log.open("wb") as handle:
        return subprocess.Popen(
            [str(ansible.bin / "ansible-playbook"), str(playbook), "-e", f"@{variables}"],
            cwd=INTEGRATION,
            env=ansible.env(env),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def run_until_saved(
    ansible: Ansible, tasks: list[dict[str, t.Any]], saved: Path, env: t.Mapping[str, str]
) -> subprocess.Popen:
    proc = start_playbook(ansible, [*tasks, {"name": "Wait", "ansible.builtin.command": "sleep 120"}], env)
    if not wait_until(lambda: (saved.exists() and saved.stat().st_size > 0) or proc.poll() is not None, 300, 0.2):
        stop_process(proc)
        pytest.fail("the play did not reach its wait")
    assert proc.poll() is None, f"the play ended early: rc={proc.returncode}"
    time.sleep(1)  # let the worker start the sleep
    return proc


def assert_signal_ends_the_run(
    ansible: Ansible, vault: hvac.Client, aws: AwsFactory, cache_dir: Path, *, signum: int, group: bool
) -> None:
    """A run stopped by ``signum`` (sent to its process group as a terminal does, or to ansible-playbook alone
    as ``kill`` does) revokes what it must and leaves nothing under the cache folder."""
    saved = ansible.workdir / f"signal-{signum}.json"
    tasks = [
        set_fact("at_end", lookup(ROLE, revoke_at_end=True)),
        set_fact("cached", lookup(OTHER)),
        save_task(saved, "{'at_end': at_end, 'cached': cached}"),
    ]
    proc = run_until_saved(ansible, tasks, saved, {"VAULTOPS_CREDS_CACHE_DIR": str(cache_dir)})
    assert files_holding(cache_dir, json.loads(saved.read_text())["cached"]["secret_key"])  # held while running
    if group:
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)
    try:
        rc = proc.wait(60)
    finally:
        stop_process(proc)
    stopped = json.loads(saved.read_text())
    assert rc != 0
    assert key_holder(aws, stopped["at_end"]["access_key"]) is None
    assert not lease_exists(vault, stopped["at_end"]["lease_id"])
    assert key_holder(aws, stopped["cached"]["access_key"]) is not None
    assert files_holding(cache_dir, stopped["at_end"]["secret_key"], stopped["cached"]["secret_key"]) == []
    assert list(cache_dir.iterdir()) == []


def test_sigterm(ansible: Ansible, vault: hvac.Client, aws: AwsFactory, cache_dir: Path) -> None:
    """``kill <pid>`` (a CI timeout, a service stop): the callback ends the run before ansible-core stops."""
    assert_signal_ends_the_run(ansible, vault, aws, cache_dir, signum=signal.SIGTERM, group=False)


def test_interrupt_kill_and_the_next_start(
    ansible: Ansible, lab: Lab, vault: hvac.Client, aws: AwsFactory, cache_dir: Path
) -> None:
    env = {"VAULTOPS_CREDS_CACHE_DIR": str(cache_dir)}

    # Ctrl-C: the whole process group gets SIGINT; the run's exit removes its folder and revokes what it must
    assert_signal_ends_the_run(ansible, vault, aws, cache_dir, signum=signal.SIGINT, group=True)

    # kill -9: nothing of the run can act; its folder (with the key) stays until the next start
    saved = ansible.workdir / "killed.json"
    proc = run_until_saved(ansible, [set_fact("cached", lookup(ROLE)), save_task(saved, "cached")], saved, env)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    killed = json.loads(saved.read_text())
    assert files_holding(cache_dir, killed["secret_key"]), "the killed run's cache should still hold its key"

    # the next start, in check mode: the killed run's folder goes at once; the lookup issues nothing, except
    # where issue_in_check_mode asks for it (one credential: the count can be seen)
    audit = AuditLog.of(lab.env)
    users_before = engine_users(aws)
    mark = audit.mark()
    tasks = [
        grep_task(cache_dir, "killed_creds"),
        set_fact("checked", lookup(ROLE)),
        set_fact("forced", lookup(OTHER, issue_in_check_mode=True)),
        set_fact("out", "{{ {'checked': checked, 'forced': forced, 'grep': grep_killed_creds.stdout_lines} }}"),
    ]
    run = ansible.play(tasks, capture="out", check=True, env=env, extra_vars={"killed_creds": killed})
    assert run.rc == 0, run.output
    assert run.result["grep"] == []  # at the first task of the next run, the key is gone already
    assert files_holding(cache_dir, killed["secret_key"]) == []
    checked, forced = run.result["checked"], run.result["forced"]
    assert checked == {
        "access_key": None,
        "secret_key": None,
        "security_token": None,
        "lease_id": None,
        "lease_duration": 0,
        "renewable": False,
        "expires_at": None,
        "check_mode": True,
    }
    creds_requests = [r for r in audit.since(mark) if r.path.startswith(f"{MOUNT}/creds/")]
    assert [r.path for r in creds_requests] == [f"{MOUNT}/creds/{OTHER}"]
    new_users = engine_users(aws) - users_before
    assert new_users == {key_holder(aws, forced["access_key"])}
    assert list(cache_dir.iterdir()) == []
