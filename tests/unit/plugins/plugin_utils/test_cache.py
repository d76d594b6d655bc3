# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The creds lookup's per-run cache: a private folder, one credential per request across forked workers
(flock), reuse until the lease is nearly over, and the folders of ended runs removed."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import stat
import threading
import time
import typing as t
from pathlib import Path

import pytest

from ansible_collections.vaultops.cloud.plugins.plugin_utils import _cache
from ansible_collections.vaultops.cloud.plugins.plugin_utils._cache import RunCache, run_id

IDENTITY = {"engine": "aws", "kind": "creds", "role": "deploy", "mount_point": "aws", "url": "http://vault"}
CREDS = {"access_key": "AKIA1", "secret_key": "s1", "lease_id": "aws/creds/deploy/1", "lease_duration": 100}


class Issuer:
    """Counts how often a credential was minted; each one is different."""

    def __init__(self, lease_duration: int = 100) -> None:
        self.count = 0
        self.lease_duration = lease_duration

    def __call__(self) -> dict[str, t.Any]:
        self.count += 1
        return {**CREDS, "access_key": f"AKIA{self.count}", "lease_duration": self.lease_duration}


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def a_dead_pid() -> int:
    pid = 4_194_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


# --- the folder --------------------------------------------------------------------------------------


def test_folder_and_entries_are_private(tmp_path: Path) -> None:
    base = tmp_path / "vaultops-creds"
    cache = RunCache(base=str(base), run="123-456")
    umask = os.umask(0)  # the modes must not depend on the user's umask
    try:
        cache.get_or_issue(IDENTITY, Issuer())
    finally:
        os.umask(umask)
    folder = base / "123-456"
    assert mode(base) == 0o700
    assert mode(folder) == 0o700
    entries = sorted(folder.iterdir())
    assert [p.suffix for p in entries] == [".json", ".lock"]
    assert {mode(p) for p in entries} == {0o600}


def test_a_folder_left_open_is_closed_again(tmp_path: Path) -> None:
    folder = tmp_path / "base" / "123-456"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    RunCache(base=str(tmp_path / "base"), run="123-456").get_or_issue(IDENTITY, Issuer())
    assert mode(folder) == 0o700


def test_the_default_folder_is_under_ansible_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    cache = RunCache()
    assert cache.base == str(tmp_path / ".ansible" / "tmp" / "vaultops-creds")
    assert cache.folder == os.path.join(cache.base, run_id())


def test_the_key_holds_no_secret() -> None:
    key = RunCache.key({"who": "s.root-token-value", **IDENTITY})
    assert len(key) == 32
    assert "root-token" not in key
    assert key == RunCache.key({**IDENTITY, "who": "s.root-token-value"})  # order does not matter
    assert key != RunCache.key({**IDENTITY, "who": "s.other-token"})


# --- reuse -----------------------------------------------------------------------------------------------


def test_the_same_request_gets_the_same_credential(tmp_path: Path) -> None:
    issuer = Issuer()
    first = RunCache(base=str(tmp_path), run="1-1").get_or_issue(IDENTITY, issuer)
    # another worker of the same run: a new RunCache object over the same folder
    second = RunCache(base=str(tmp_path), run="1-1").get_or_issue(dict(IDENTITY), issuer)
    assert issuer.count == 1
    assert first == second == {**CREDS, "access_key": "AKIA1"}
    assert "_cached_until" not in second


@pytest.mark.parametrize("change", [{"role": "other"}, {"kind": "sts"}, {"url": "http://other"}])
def test_another_request_gets_another_credential(tmp_path: Path, change: dict[str, str]) -> None:
    issuer = Issuer()
    cache = RunCache(base=str(tmp_path), run="1-1")
    first = cache.get_or_issue(IDENTITY, issuer)
    second = cache.get_or_issue({**IDENTITY, **change}, issuer)
    assert issuer.count == 2
    assert first["access_key"] != second["access_key"]


def test_another_run_does_not_share(tmp_path: Path) -> None:
    issuer = Issuer()
    RunCache(base=str(tmp_path), run=f"{os.getpid()}-{_cache._start_time(os.getpid())}").get_or_issue(IDENTITY, issuer)
    RunCache(base=str(tmp_path), run="2-2").get_or_issue(IDENTITY, issuer)
    assert issuer.count == 2


def test_an_entry_expires_before_its_lease(tmp_path: Path) -> None:
    clock = Clock()
    issuer = Issuer(lease_duration=100)
    cache = RunCache(base=str(tmp_path), run="1-1", clock=clock)
    cache.get_or_issue(IDENTITY, issuer)
    clock.now += 89  # within 90% of the lease: reused
    assert cache.get_or_issue(IDENTITY, issuer)["access_key"] == "AKIA1"
    clock.now += 1  # at 90%: too close to the end to hand out
    assert cache.get_or_issue(IDENTITY, issuer)["access_key"] == "AKIA2"
    assert issuer.count == 2


def test_a_credential_without_lease_duration_is_kept_for_the_run(tmp_path: Path) -> None:
    clock = Clock()
    issuer = Issuer(lease_duration=0)
    cache = RunCache(base=str(tmp_path), run="1-1", clock=clock)
    cache.get_or_issue(IDENTITY, issuer)
    clock.now += 10**6
    assert cache.get_or_issue(IDENTITY, issuer)["access_key"] == "AKIA1"
    assert issuer.count == 1


def test_a_damaged_entry_is_issued_again(tmp_path: Path) -> None:
    issuer = Issuer()
    cache = RunCache(base=str(tmp_path), run="1-1")
    cache.get_or_issue(IDENTITY, issuer)
    (tmp_path / "1-1" / f"{RunCache.key(IDENTITY)}.json").write_text("{not json")
    assert cache.get_or_issue(IDENTITY, issuer)["access_key"] == "AKIA2"
    stored = json.loads((tmp_path / "1-1" / f"{RunCache.key(IDENTITY)}.json").read_text())
    assert stored["access_key"] == "AKIA2"


def test_a_failed_issue_stores_nothing(tmp_path: Path) -> None:
    cache = RunCache(base=str(tmp_path), run="1-1")

    def fail() -> dict[str, t.Any]:
        raise RuntimeError("Vault refused")

    with pytest.raises(RuntimeError, match="Vault refused"):
        cache.get_or_issue(IDENTITY, fail)
    issuer = Issuer()
    assert cache.get_or_issue(IDENTITY, issuer)["access_key"] == "AKIA1"
    assert issuer.count == 1


# --- flock -------------------------------------------------------------------------------------------------


def test_a_worker_waits_for_the_one_that_holds_the_lock(tmp_path: Path) -> None:
    cache = RunCache(base=str(tmp_path), run="1-1")
    cache.get_or_issue({"warm": "up"}, Issuer())  # the folder exists
    lock = os.open(str(tmp_path / "1-1" / f"{RunCache.key(IDENTITY)}.lock"), os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    issuer = Issuer()
    results: list[dict[str, t.Any]] = []
    worker = threading.Thread(target=lambda: results.append(cache.get_or_issue(IDENTITY, issuer)))
    worker.start()
    try:
        time.sleep(0.3)
        assert worker.is_alive(), "get_or_issue did not wait for the lock"
        assert issuer.count == 0
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    worker.join(10)
    assert results == [{**CREDS, "access_key": "AKIA1"}]


def _worker(base: str, counter: str, barrier: t.Any, out: t.Any) -> None:
    def issue() -> dict[str, t.Any]:
        with open(counter, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(0.2)  # long enough for every other worker to be waiting on the lock
        return {**CREDS, "access_key": f"AKIA-{os.getpid()}"}

    barrier.wait()
    out.put(RunCache(base=base).get_or_issue(IDENTITY, issue)["access_key"])


def test_forked_workers_of_one_run_issue_one_credential(tmp_path: Path) -> None:
    """As ansible-playbook's workers do: forked children of one process, all templating the same lookup."""
    context = multiprocessing.get_context("fork")
    counter = tmp_path / "issued"
    barrier = context.Barrier(4)
    out = context.Queue()
    workers = [context.Process(target=_worker, args=(str(tmp_path), str(counter), barrier, out)) for _n in range(4)]
    for worker in workers:
        worker.start()
    keys = [out.get(timeout=30) for _each in workers]
    for worker in workers:
        worker.join(10)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert len(counter.read_text().splitlines()) == 1
    assert len(set(keys)) == 1
    # their run is this process: the parent of every worker
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [run_id()]


# --- runs that have ended ------------------------------------------------------------------------------------


def test_folders_of_ended_runs_are_removed(tmp_path: Path) -> None:
    me = os.getpid()
    dead = tmp_path / f"{a_dead_pid()}-12345"
    reused = tmp_path / f"{me}-1"  # this PID, another start time: an ended run whose PID was reused
    alive = tmp_path / f"{me}-{_cache._start_time(me)}"
    garbage = tmp_path / "not-a-run"
    for folder in (dead, reused, alive, garbage):
        folder.mkdir()
        (folder / "entry.json").write_text("{}")
    RunCache(base=str(tmp_path), run="999-999").get_or_issue(IDENTITY, Issuer())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, "999-999"])


def test_run_id_is_this_process_when_not_forked() -> None:
    pid = os.getpid()
    assert run_id() == f"{pid}-{_cache._start_time(pid)}"
    assert _cache._start_time(pid) != "0"
    assert _cache._start_time(a_dead_pid()) == "0"
