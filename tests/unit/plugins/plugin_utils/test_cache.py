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
    monkeypatch.delenv("VAULTOPS_CREDS_CACHE_DIR", raising=False)
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


def test_the_environment_names_another_base(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAULTOPS_CREDS_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert RunCache().base == str(tmp_path / "elsewhere")


def test_sweep_alone_removes_ended_runs_and_keeps_live_ones(tmp_path: Path) -> None:
    me = os.getpid()
    dead = tmp_path / f"{a_dead_pid()}-12345"
    alive = tmp_path / f"{me}-{_cache._start_time(me)}"
    for folder in (dead, alive):
        folder.mkdir()
        (folder / "x.json").write_text(json.dumps(CREDS))
    removed = RunCache(base=str(tmp_path), run="999-999").sweep()
    assert removed == [dead.name]
    assert [p.name for p in tmp_path.iterdir()] == [alive.name]
    assert RunCache(base=str(tmp_path / "missing"), run="1-1").sweep() == []


# --- revoked leases and the registry --------------------------------------------------------------------


def test_a_forgotten_lease_is_never_served_again(tmp_path: Path) -> None:
    cache = RunCache(base=str(tmp_path), run="123-456")
    issuer = Issuer()
    first = cache.get_or_issue(IDENTITY, issuer)
    assert cache.forget([first["lease_id"]]) == 1
    # another worker that stored the same lease again (a race) would still not serve it
    cache._store(str(tmp_path / "123-456" / f"{RunCache.key(IDENTITY)}.json"), first)
    second = cache.get_or_issue(IDENTITY, issuer)
    assert issuer.count == 2
    assert second["access_key"] == "AKIA2"


def test_forget_keeps_other_credentials(tmp_path: Path) -> None:
    cache = RunCache(base=str(tmp_path), run="123-456")
    other = {**IDENTITY, "role": "other"}
    cache.get_or_issue(IDENTITY, lambda: {**CREDS, "lease_id": "aws/creds/deploy/1"})
    cache.get_or_issue(other, lambda: {**CREDS, "lease_id": "aws/creds/other/2"})
    assert cache.forget(["aws/creds/deploy/1", "aws/creds/unknown/3"]) == 1
    assert cache.get_or_issue(other, Issuer())["lease_id"] == "aws/creds/other/2"


def test_forget_everything_drops_every_credential_but_keeps_the_registry(tmp_path: Path) -> None:
    cache = RunCache(base=str(tmp_path), run="123-456")
    cache.get_or_issue(IDENTITY, Issuer())
    cache.register("aws/creds/deploy/1", revoke_at_end=True, connection={"url": "http://vault"})
    assert cache.forget(everything=True) == 1
    assert [entry["lease_id"] for entry in cache.leases()] == ["aws/creds/deploy/1"]
    assert not any("AKIA" in p.read_text() for p in (tmp_path / "123-456").iterdir() if p.is_file())


def test_forget_without_a_folder_does_nothing(tmp_path: Path) -> None:
    assert RunCache(base=str(tmp_path), run="1-1").forget(["a/b/c"], everything=True) == 0
    assert not (tmp_path / "1-1").exists()


def test_register_keeps_revoke_at_end_once_asked(tmp_path: Path) -> None:
    clock = Clock()
    cache = RunCache(base=str(tmp_path), run="123-456", clock=clock)
    cache.register("aws/creds/a/1")
    clock.now += 1
    cache.register("aws/creds/b/2", revoke_at_end=True, connection={"url": "http://vault", "token": "t"})
    cache.register("aws/creds/b/2")  # a later plain registration does not undo it
    cache.register("aws/creds/a/1", revoke_at_end=True, connection={"url": "http://vault", "token": "t"})
    cache.register("")  # no lease (a GCP token): nothing to register
    assert [(e["lease_id"], e["revoke_at_end"], e.get("connection")) for e in cache.leases()] == [
        ("aws/creds/a/1", True, {"url": "http://vault", "token": "t"}),
        ("aws/creds/b/2", True, {"url": "http://vault", "token": "t"}),
    ]
    assert (
        mode(tmp_path / "123-456" / next(p.name for p in (tmp_path / "123-456").iterdir() if "lease-" in p.name))
        == 0o600
    )


def test_a_revoked_lease_is_not_revoked_again_at_the_end(tmp_path: Path) -> None:
    cache = RunCache(base=str(tmp_path), run="123-456")
    cache.register("aws/creds/a/1", revoke_at_end=True, connection={"url": "u"})
    cache.register("aws/creds/b/2", revoke_at_end=True, connection={"url": "u"})
    cache.forget(["aws/creds/a/1"])
    assert [e["lease_id"] for e in cache.leases()] == ["aws/creds/b/2"]


def test_finish_revokes_what_was_asked_and_removes_the_folder(tmp_path: Path) -> None:
    clock = Clock()
    cache = RunCache(base=str(tmp_path), run="123-456", clock=clock)
    cache.get_or_issue(IDENTITY, Issuer())
    cache.register("aws/creds/keep/1")
    clock.now += 1
    cache.register("aws/creds/a/2", revoke_at_end=True, connection={"url": "http://one"})
    clock.now += 1
    cache.register("aws/creds/b/3", revoke_at_end=True, connection={"url": "http://two"})
    revoked: list[tuple[str, str]] = []

    def revoke(connection: t.Mapping[str, t.Any], lease_id: str) -> None:
        revoked.append((connection["url"], lease_id))
        if lease_id.endswith("/2"):
            raise RuntimeError("permission denied")

    problems = cache.finish(revoke)
    assert revoked == [("http://one", "aws/creds/a/2"), ("http://two", "aws/creds/b/3")]
    assert problems == ["revoke_at_end: revoking lease aws/creds/a/2 failed: permission denied"]
    assert not (tmp_path / "123-456").exists()
    assert cache.finish(revoke) == []  # a second end finds nothing
    assert len(revoked) == 2


def test_finish_without_a_folder_is_harmless(tmp_path: Path) -> None:
    assert RunCache(base=str(tmp_path), run="1-1").finish(lambda _c, _l: None) == []
