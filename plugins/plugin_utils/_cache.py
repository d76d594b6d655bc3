# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""A per-run credential cache for the creds lookup.

Ansible templates a lookup in a forked worker for every host and every lazy
re-evaluation of a variable; without a cache each one would mint a new IAM user.
Workers share nothing in memory, so the cache is a folder private to the
``ansible-playbook`` process (mode 0700, files 0600), keyed by that process's
PID and start time, locked with ``flock`` so that concurrent workers issue one
credential between them. Entries expire with their lease; folders of runs that
have ended are removed by the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import time
import typing as t


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


def run_id() -> str:
    """The ansible-playbook process: the parent of a worker, or this process when not forked."""
    parent = multiprocessing.parent_process()
    pid = parent.pid if parent is not None and parent.pid else os.getpid()
    return f"{pid}-{_start_time(pid)}"


def _alive(run: str) -> bool:
    pid_text, _sep, started = run.partition("-")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return _start_time(pid) == started


class RunCache:
    def __init__(
        self, base: str | None = None, run: str | None = None, clock: t.Callable[[], float] = time.time
    ) -> None:
        self.base = base or os.path.join(os.path.expanduser("~"), ".ansible", "tmp", "vaultops-creds")
        self.run = run or run_id()
        self.clock = clock
        self.folder = os.path.join(self.base, self.run)

    @staticmethod
    def key(identity: t.Mapping[str, t.Any]) -> str:
        return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:32]

    def _prepare(self) -> None:
        os.makedirs(self.base, mode=0o700, exist_ok=True)
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        os.chmod(self.folder, 0o700)
        for name in os.listdir(self.base):
            if name != self.run and not _alive(name):
                shutil.rmtree(os.path.join(self.base, name), ignore_errors=True)

    def get_or_issue(
        self, identity: t.Mapping[str, t.Any], issue: t.Callable[[], dict[str, t.Any]]
    ) -> dict[str, t.Any]:
        """The cached credential for ``identity``, or a new one from ``issue`` (called once across workers)."""
        self._prepare()
        key = self.key(identity)
        path = os.path.join(self.folder, f"{key}.json")
        lock_path = os.path.join(self.folder, f"{key}.lock")
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            cached = self._load(path)
            if cached is not None:
                return cached
            creds = issue()
            self._store(path, creds)
            return creds
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _load(self, path: str) -> dict[str, t.Any] | None:
        try:
            with open(path, encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        expires = entry.get("_cached_until")
        if expires is not None and expires <= self.clock():
            return None
        entry.pop("_cached_until", None)
        return entry

    def _store(self, path: str, creds: dict[str, t.Any]) -> None:
        duration = int(creds.get("lease_duration") or 0)
        entry = dict(creds)
        # keep a margin so that a cached credential is not handed out just before it expires
        entry["_cached_until"] = self.clock() + duration * 0.9 if duration else None
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
        os.replace(tmp, path)
