# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The end-of-run callback: which task results revoke cached credentials, and one end per run that revokes
what was asked and removes the run's folder."""

from __future__ import annotations

import os
import types
import typing as t
from pathlib import Path

import pytest

from ansible_collections.vaultops.cloud.plugins.callback import run_end
from ansible_collections.vaultops.cloud.plugins.callback.run_end import CallbackModule, revoked_leases
from ansible_collections.vaultops.cloud.plugins.plugin_utils._cache import RunCache

IDENTITY = {"engine": "aws", "role": "deploy"}
CREDS = {"access_key": "AKIA1", "secret_key": "s1", "lease_id": "aws/creds/deploy/1", "lease_duration": 100}


@pytest.mark.parametrize(
    ("action", "result", "expected"),
    [
        ("vaultops.cloud.lease", {"changed": True, "revoked": ["a/b/1"]}, (["a/b/1"], False)),
        ("vaultops.cloud.lease", {"changed": False, "revoked": []}, ([], False)),
        (
            "vaultops.cloud.lease",
            {"results": [{"revoked": ["a/1"]}, {"revoked": ["a/2", "a/3"]}]},
            (["a/1", "a/2", "a/3"], False),
        ),
        ("vaultops.cloud.lease", {"censored": "the output has been hidden", "changed": True}, ([], True)),
        ("vaultops.cloud.lease", {"results": [{"censored": "hidden"}, {"revoked": ["a/2"]}]}, (["a/2"], True)),
        ("vaultops.cloud.lease", {"lease_id": "a/1", "lease_duration": 60}, ([], False)),  # renewed
        ("ansible.builtin.debug", {"revoked": ["a/b/1"]}, ([], False)),
        ("ansible.builtin.debug", {"censored": "hidden"}, ([], False)),
        (None, {"revoked": ["a/b/1"]}, ([], False)),
    ],
)
def test_revoked_leases(action: str | None, result: dict[str, t.Any], expected: tuple[list[str], bool]) -> None:
    assert revoked_leases(action, result) == expected


class Display:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, message: str) -> None:
        self.warnings.append(message)


@pytest.fixture
def callback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[tuple[CallbackModule, RunCache, list]]:
    registered: list[t.Callable[[], None]] = []
    monkeypatch.setattr(run_end.atexit, "register", registered.append)
    monkeypatch.setattr(run_end.signal, "signal", lambda _signum, _handler: None)  # never this process's handler
    cache = RunCache(base=str(tmp_path), run="4242-1")
    plugin = CallbackModule()
    monkeypatch.setattr(plugin, "cache", lambda: RunCache(base=str(tmp_path), run="4242-1"))
    monkeypatch.setattr(plugin, "_display", Display())
    revoked: list[tuple[str, str]] = []
    plugin.revoke = lambda connection, lease: revoked.append((connection.get("url"), lease))
    assert registered == [plugin._at_exit]
    yield plugin, cache, revoked


def task_result(action: str, result: dict[str, t.Any]) -> t.Any:
    return types.SimpleNamespace(task=types.SimpleNamespace(resolved_action=action, action="lease"), result=result)


def test_a_lease_task_drops_the_revoked_credential(callback: tuple[CallbackModule, RunCache, list]) -> None:
    plugin, cache, _revoked = callback
    cache.get_or_issue(IDENTITY, lambda: dict(CREDS))
    plugin.v2_runner_on_ok(task_result("vaultops.cloud.lease", {"changed": True, "revoked": [CREDS["lease_id"]]}))
    assert cache.get_or_issue(IDENTITY, lambda: {**CREDS, "access_key": "AKIA2"})["access_key"] == "AKIA2"


def test_a_hidden_lease_result_drops_every_credential(callback: tuple[CallbackModule, RunCache, list]) -> None:
    plugin, cache, _revoked = callback
    cache.get_or_issue(IDENTITY, lambda: dict(CREDS))
    plugin.v2_runner_on_failed(task_result("vaultops.cloud.lease", {"censored": "hidden"}))
    assert cache.get_or_issue(IDENTITY, lambda: {**CREDS, "access_key": "AKIA2"})["access_key"] == "AKIA2"


def test_other_tasks_leave_the_cache_alone(callback: tuple[CallbackModule, RunCache, list]) -> None:
    plugin, cache, _revoked = callback
    cache.get_or_issue(IDENTITY, lambda: dict(CREDS))
    plugin.v2_runner_on_ok(task_result("ansible.builtin.debug", {"censored": "hidden", "revoked": [CREDS["lease_id"]]}))
    assert cache.get_or_issue(IDENTITY, lambda: {**CREDS, "access_key": "AKIA2"})["access_key"] == "AKIA1"


def test_the_end_revokes_and_removes_once(callback: tuple[CallbackModule, RunCache, list], tmp_path: Path) -> None:
    plugin, cache, revoked = callback
    cache.get_or_issue(IDENTITY, lambda: dict(CREDS))
    cache.register(CREDS["lease_id"], revoke_at_end=True, connection={"url": "http://vault"})
    cache.register("aws/creds/other/2")
    plugin.v2_playbook_on_stats(None)
    plugin._at_exit()  # the interpreter's exit after the stats: nothing more
    assert revoked == [("http://vault", CREDS["lease_id"])]
    assert list(tmp_path.iterdir()) == []


def test_the_exit_alone_ends_the_run(callback: tuple[CallbackModule, RunCache, list], tmp_path: Path) -> None:
    """Ctrl-C: ansible-playbook exits without the stats; the exit handler does the same end."""
    plugin, cache, revoked = callback
    cache.register(CREDS["lease_id"], revoke_at_end=True, connection={"url": "http://vault"})
    plugin._at_exit()
    assert revoked == [("http://vault", CREDS["lease_id"])]
    assert list(tmp_path.iterdir()) == []


def test_a_forked_worker_does_not_end_the_run(
    callback: tuple[CallbackModule, RunCache, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plugin, cache, revoked = callback
    cache.register(CREDS["lease_id"], revoke_at_end=True, connection={"url": "http://vault"})
    monkeypatch.setattr(plugin, "_pid", os.getpid() + 1)  # the handler, inherited by a fork, runs in another PID
    plugin._at_exit()
    assert revoked == []
    assert (tmp_path / "4242-1").exists()


def test_a_failed_revoke_is_a_warning(callback: tuple[CallbackModule, RunCache, list], tmp_path: Path) -> None:
    plugin, cache, _revoked = callback
    cache.register(CREDS["lease_id"], revoke_at_end=True, connection={"url": "http://vault"})

    def refuse(_connection: t.Mapping[str, t.Any], _lease: str) -> None:
        raise RuntimeError("permission denied")

    plugin.revoke = refuse
    plugin.v2_playbook_on_stats(None)
    assert plugin._display.warnings == [f"revoke_at_end: revoking lease {CREDS['lease_id']} failed: permission denied"]
    assert list(tmp_path.iterdir()) == []


def test_the_start_removes_folders_of_ended_runs(
    callback: tuple[CallbackModule, RunCache, list], tmp_path: Path
) -> None:
    plugin, _cache, _revoked = callback
    dead = tmp_path / "4194999999-1"
    dead.mkdir()
    (dead / "x.json").write_text("{}")
    plugin.v2_playbook_on_start(None)
    assert not dead.exists()


def test_sigterm_ends_the_run_then_calls_the_handler_in_place(
    callback: tuple[CallbackModule, RunCache, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ansible-core's SIGTERM handler stops the workers and the process: the run ends before it."""
    plugin, cache, revoked = callback
    called: list[int] = []
    monkeypatch.setattr(run_end.signal, "getsignal", lambda _signum: lambda signum, _frame: called.append(signum))
    installed: dict[int, t.Any] = {}
    monkeypatch.setattr(run_end.signal, "signal", installed.__setitem__)
    cache.register(CREDS["lease_id"], revoke_at_end=True, connection={"url": "http://vault"})
    plugin.v2_playbook_on_start(None)
    handler = installed[run_end.signal.SIGTERM]
    handler(run_end.signal.SIGTERM, None)
    assert revoked == [("http://vault", CREDS["lease_id"])]
    assert list(tmp_path.iterdir()) == []
    assert called == [run_end.signal.SIGTERM]


def test_sigterm_with_the_default_handler_still_stops(
    callback: tuple[CallbackModule, RunCache, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plugin, cache, _revoked = callback
    monkeypatch.setattr(run_end.signal, "getsignal", lambda _signum: run_end.signal.SIG_DFL)
    installed: list[tuple[int, t.Any]] = []
    monkeypatch.setattr(run_end.signal, "signal", lambda signum, handler: installed.append((signum, handler)))
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(run_end.os, "kill", lambda pid, signum: killed.append((pid, signum)))
    cache.get_or_issue(IDENTITY, lambda: dict(CREDS))
    plugin.v2_playbook_on_start(None)
    installed[0][1](run_end.signal.SIGTERM, None)
    assert list(tmp_path.iterdir()) == []
    assert installed[1] == (run_end.signal.SIGTERM, run_end.signal.SIG_DFL)
    assert killed == [(os.getpid(), run_end.signal.SIGTERM)]


def test_sigterm_in_a_forked_worker_does_not_end_the_run(
    callback: tuple[CallbackModule, RunCache, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plugin, cache, revoked = callback
    called: list[int] = []
    monkeypatch.setattr(run_end.signal, "getsignal", lambda _signum: lambda signum, _frame: called.append(signum))
    installed: dict[int, t.Any] = {}
    monkeypatch.setattr(run_end.signal, "signal", installed.__setitem__)
    cache.register(CREDS["lease_id"], revoke_at_end=True, connection={"url": "http://vault"})
    plugin.v2_playbook_on_start(None)
    monkeypatch.setattr(plugin, "_pid", os.getpid() + 1)
    installed[run_end.signal.SIGTERM](run_end.signal.SIGTERM, None)
    assert revoked == []
    assert (tmp_path / "4242-1").exists()
    assert called == [run_end.signal.SIGTERM]


def test_the_sigterm_handler_is_installed_once(
    callback: tuple[CallbackModule, RunCache, list], monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin, _cache, _revoked = callback
    current: list[t.Any] = [lambda _signum, _frame: None]
    monkeypatch.setattr(run_end.signal, "getsignal", lambda _signum: current[-1])
    monkeypatch.setattr(run_end.signal, "signal", lambda _signum, handler: current.append(handler))
    plugin.v2_playbook_on_start(None)
    plugin.v2_playbook_on_start(None)
    assert len(current) == 2


def test_task_boundaries_renew_due_leases_and_warn_once(
    callback: tuple[CallbackModule, RunCache, list], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin, _cache, _revoked = callback
    now = [1000.0]
    monkeypatch.setattr(plugin, "cache", lambda: RunCache(base=str(tmp_path), run="4242-1", clock=lambda: now[0]))
    plugin.cache().register(
        "aws/creds/deploy/1", connection={"url": "http://vault"}, renew={"role": "deploy", "ttl": 10}
    )
    renewals: list[tuple[str, str, int]] = []

    def renew(connection: t.Mapping[str, t.Any], lease_id: str, increment: int) -> int:
        renewals.append((connection["url"], lease_id, increment))
        return 3  # capped by the max TTL

    plugin.renew = renew
    plugin.v2_playbook_on_task_start(None, False)  # 10 s left: not due
    assert renewals == []
    now[0] = 1007.0
    plugin.v2_runner_on_ok(task_result("ansible.builtin.pause", {}))
    plugin.v2_playbook_on_task_start(None, False)
    now[0] = 1009.0
    plugin.v2_playbook_on_task_start(None, False)
    assert renewals == [("http://vault", "aws/creds/deploy/1", 10)]
    assert len(plugin._display.warnings) == 1
    assert "role deploy" in plugin._display.warnings[0]
    assert "it ends at 1970-01-01T00:16:50Z" in plugin._display.warnings[0]  # 1007 + 3
