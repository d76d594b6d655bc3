# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""The run's folder: the creds lookup's credential cache and the registry of the leases the run issued.

Ansible templates a lookup in a forked worker for every host and every lazy
re-evaluation of a variable; without a cache each one would mint a new IAM user.
Workers share nothing in memory, so the cache is a folder private to the
``ansible-playbook`` process (mode 0700, files 0600), keyed by that process's
PID and start time, locked with ``flock`` so that concurrent workers issue one
credential between them.

Who removes what (see also the callback ``vaultops.cloud.run_end``):

- the callback, in the ``ansible-playbook`` process, calls :meth:`RunCache.finish`
  when the run ends (normal end, failed hosts, Ctrl-C, SIGTERM): it revokes the leases
  registered with ``revoke_at_end`` and removes the run's folder;
- every start (the callback's ``v2_playbook_on_start``, and every lookup call)
  calls :meth:`RunCache.sweep`, which removes the folders of runs whose process
  is gone (a run killed with SIGKILL leaves its folder to the next run);
- an entry is never served after its lease's end (less a margin), nor after
  :meth:`RunCache.forget` dropped its lease (revoked through the collection).

The registry (one file per lease, ``lease-*.json``) is the one place where the
run's issued leases are known; :meth:`RunCache.finish` is the one place that acts
on them at the end. :meth:`RunCache.renew_leases` renews, at task boundaries, the leases registered with ``renew``.
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

from ansible_collections.vaultops.cloud.plugins.module_utils._login import ENV_RUN_DIR, LoginCache

ENV_BASE = "VAULTOPS_CREDS_CACHE_DIR"
ENTRY_SUFFIX = ".json"
LEASE_PREFIX = "lease-"
REVOKED_PREFIX = "revoked-"


def default_base() -> str:
    """``$VAULTOPS_CREDS_CACHE_DIR``, or ``~/.ansible/tmp/vaultops-creds``."""
    return os.environ.get(ENV_BASE) or os.path.join(os.path.expanduser("~"), ".ansible", "tmp", "vaultops-creds")


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
    except (ValueError, OverflowError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return _start_time(pid) == started


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# revoke(connection, lease_id): revokes one lease; raises on failure
Revoker = t.Callable[[t.Mapping[str, t.Any], str], None]
# renew(connection, lease_id, increment): renews one lease, returns the lease duration granted; raises on failure
Renewer = t.Callable[[t.Mapping[str, t.Any], str, int], int]

DEFAULT_RENEW_FRACTION = 0.5


def renew_due(state: t.Mapping[str, t.Any], now: float) -> bool:
    """Whether a lease registered with ``renew`` needs renewing now: less than ``fraction`` of its TTL is left.

    A lease already past its end is not renewed (Vault has revoked it); one marked done never again.
    """
    if state.get("done"):
        return False
    left = float(state["expires"]) - now
    return 0 < left < float(state["fraction"]) * float(state["ttl"])


def no_longer_renewed(state: t.Mapping[str, t.Any], why: str) -> str:
    """The one warning for a lease that can no longer be renewed: the role and the time it ends."""
    ends = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(state["expires"])))
    role = state.get("role") or "?"
    return f"renew: the credential of role {role} can no longer be renewed ({why}); it ends at {ends}"


class RunCache:
    def __init__(
        self, base: str | None = None, run: str | None = None, clock: t.Callable[[], float] = time.time
    ) -> None:
        self.base = base or default_base()
        self.run = run or run_id()
        self.clock = clock
        self.folder = os.path.join(self.base, self.run)

    @staticmethod
    def key(identity: t.Mapping[str, t.Any]) -> str:
        return _digest(json.dumps(identity, sort_keys=True, default=str))

    def sweep(self) -> list[str]:
        """Remove the folders of runs that have ended (their process is gone); the names removed."""
        try:
            names = os.listdir(self.base)
        except OSError:
            return []
        removed = []
        for name in names:
            if name != self.run and not _alive(name):
                shutil.rmtree(os.path.join(self.base, name), ignore_errors=True)
                removed.append(name)
        return removed

    def _prepare(self) -> None:
        os.makedirs(self.base, mode=0o700, exist_ok=True)
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.sweep()

    def get_or_issue(
        self, identity: t.Mapping[str, t.Any], issue: t.Callable[[], dict[str, t.Any]]
    ) -> dict[str, t.Any]:
        """The cached credential for ``identity``, or a new one from ``issue`` (called once across workers)."""
        self._prepare()
        key = self.key(identity)
        path = os.path.join(self.folder, f"{key}{ENTRY_SUFFIX}")
        with self._locked(f"{key}.lock"):
            cached = self._load(path)
            if cached is not None:
                return cached
            creds = issue()
            self._store(path, creds)
            return creds

    @contextlib.contextmanager
    def _locked(self, name: str) -> t.Iterator[None]:
        fd = os.open(os.path.join(self.folder, name), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _revoked(self, lease_id: str) -> bool:
        return os.path.exists(os.path.join(self.folder, f"{REVOKED_PREFIX}{_digest(lease_id)}"))

    def _load(self, path: str) -> dict[str, t.Any] | None:
        try:
            with open(path, encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        expires = entry.get("_cached_until")
        if expires is not None and expires <= self.clock():
            return None
        if entry.get("lease_id") and self._revoked(entry["lease_id"]):
            return None
        entry.pop("_cached_until", None)
        return entry

    def _write(self, path: str, data: t.Any) -> None:
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)

    def _store(self, path: str, creds: dict[str, t.Any]) -> None:
        duration = int(creds.get("lease_duration") or 0)
        entry = dict(creds)
        # keep a margin so that a cached credential is not handed out just before it expires
        entry["_cached_until"] = self.clock() + duration * 0.9 if duration else None
        self._write(path, entry)

    # --- the registry of the run's leases -------------------------------------------------------

    def register(
        self,
        lease_id: str,
        *,
        revoke_at_end: bool = False,
        connection: t.Mapping[str, t.Any] | None = None,
        renew: t.Mapping[str, t.Any] | None = None,
    ) -> None:
        """Record a lease the run issued; with ``revoke_at_end`` (or ``renew``), ``connection`` is how to reach
        Vault then.

        ``renew`` asks the callback to keep the lease alive at task boundaries: ``{"role": ..., "ttl": seconds,
        "fraction": 0.5}`` (see :func:`renew_due`). A lease registered twice keeps ``revoke_at_end`` and ``renew``
        once any registration asked for them.
        """
        if not lease_id:
            return
        self._prepare()
        path = os.path.join(self.folder, f"{LEASE_PREFIX}{_digest(lease_id)}{ENTRY_SUFFIX}")
        with self._locked("registry.lock"):
            entry = self._read(path) or {"lease_id": lease_id, "revoke_at_end": False, "registered": self.clock()}
            if (revoke_at_end or renew) and not entry.get("connection"):
                entry["connection"] = dict(connection or {})
            if revoke_at_end and not entry.get("revoke_at_end"):
                entry["revoke_at_end"] = True
            if renew and not entry.get("renew"):
                ttl = max(int(renew.get("ttl") or 0), 1)
                entry["renew"] = {
                    "role": str(renew.get("role") or ""),
                    "ttl": ttl,
                    "fraction": float(renew.get("fraction") or DEFAULT_RENEW_FRACTION),
                    "expires": float(renew.get("expires") or self.clock() + ttl),
                    "renewals": 0,
                    "done": False,
                }
            self._write(path, entry)

    def _extend_cached(self, lease_id: str, until: float) -> None:
        """A renewed lease's cached credential is served for as long as the renewed lease (less the margin)."""
        for name in os.listdir(self.folder):
            if not name.endswith(ENTRY_SUFFIX) or name.startswith(LEASE_PREFIX):
                continue
            path = os.path.join(self.folder, name)
            cached = self._read(path)
            if cached is not None and cached.get("lease_id") == lease_id and "_cached_until" in cached:
                cached["_cached_until"] = until
                self._write(path, cached)

    def renew_leases(self, renew: Renewer) -> list[str]:
        """Renew every lease registered with ``renew`` whose remaining TTL is below its fraction (a task boundary).

        ``renew(connection, lease_id, increment)`` returns the new lease duration (seconds). A lease whose renewal
        came back shorter than asked (its max TTL reached) or was refused is marked done and reported once: the
        messages returned are the warnings to show.
        """
        if not os.path.isdir(self.folder):
            return []
        problems: list[str] = []
        with self._locked("registry.lock"):
            for entry in self.leases():
                state = entry.get("renew")
                if not isinstance(state, dict) or state.get("done"):
                    continue
                now = self.clock()
                if not renew_due(state, now):
                    continue
                try:
                    granted = int(renew(entry.get("connection") or {}, entry["lease_id"], int(state["ttl"])))
                except Exception as exc:  # a refused renewal ends the lease's renewals; the run goes on
                    state["done"] = True
                    problems.append(no_longer_renewed(state, f"its renewal was refused: {exc}"))
                else:
                    state["renewals"] = int(state.get("renewals") or 0) + 1
                    state["expires"] = now + granted
                    self._extend_cached(entry["lease_id"], now + granted * 0.9)
                    if granted < int(state["ttl"]):
                        state["done"] = True
                        problems.append(no_longer_renewed(state, "its max TTL is reached"))
                path = os.path.join(self.folder, f"{LEASE_PREFIX}{_digest(entry['lease_id'])}{ENTRY_SUFFIX}")
                self._write(path, entry)
        return problems

    @staticmethod
    def _read(path: str) -> dict[str, t.Any] | None:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def leases(self) -> list[dict[str, t.Any]]:
        """The registered leases of this run, oldest first."""
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return []
        entries = [self._read(os.path.join(self.folder, name)) for name in names if name.startswith(LEASE_PREFIX)]
        found = [entry for entry in entries if entry and entry.get("lease_id")]
        return sorted(found, key=lambda entry: entry.get("registered") or 0)

    def forget(self, lease_ids: t.Iterable[str] = (), *, everything: bool = False) -> int:
        """Drop cached credentials whose lease was revoked (every cached credential with ``everything``).

        A dropped lease is marked so that no worker serves it again in this run. The number of entries dropped.
        """
        if not os.path.isdir(self.folder):
            return 0
        gone = {lease_id for lease_id in lease_ids if lease_id}
        for lease_id in gone:
            with open(os.path.join(self.folder, f"{REVOKED_PREFIX}{_digest(lease_id)}"), "w", encoding="utf-8"):
                pass
        dropped = 0
        for name in os.listdir(self.folder):
            if not name.endswith(ENTRY_SUFFIX) or name.startswith(LEASE_PREFIX):
                continue
            path = os.path.join(self.folder, name)
            entry = self._read(path)
            if entry is None:
                continue
            if everything or entry.get("lease_id") in gone:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                dropped += 1
        for lease_id in gone:  # a revoked lease needs no revoke at the end
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self.folder, f"{LEASE_PREFIX}{_digest(lease_id)}{ENTRY_SUFFIX}"))
        return dropped

    def finish(self, revoke: Revoker, revoke_token: Revoker | None = None) -> list[str]:
        """The end of the run: revoke the leases registered with ``revoke_at_end``, then the run's login tokens
        (``login-*.json``, see module_utils/_login.py) unless they said ``revoke_login_token: false``, then remove
        the folder. The folder goes even when a revoke fails; each failure is returned as a message (a warning).
        """
        problems: list[str] = []
        for entry in self.leases():
            if not entry.get("revoke_at_end"):
                continue
            try:
                revoke(entry.get("connection") or {}, entry["lease_id"])
            except Exception as exc:  # every failure is reported, none stops the others
                problems.append(f"revoke_at_end: revoking lease {entry['lease_id']} failed: {exc}")
        if revoke_token is not None:  # after the leases: revoking them may have used these tokens
            for login in LoginCache(self.folder).entries():
                if not login.get("revoke", True):
                    continue
                try:
                    revoke_token(login.get("connection") or {}, login["token"])
                except Exception as exc:  # every failure is reported, none stops the others
                    problems.append(f"revoking the run's login token {login.get('accessor')} failed: {exc}")
        self.remove()
        return problems

    def open_for_modules(self) -> str:
        """Create this run's folder (0700) and name it in the environment, for the workers and the modules they
        start on the controller (log in once per run, module_utils/_login.py); the folder's path."""
        self._prepare()
        os.environ[ENV_RUN_DIR] = self.folder
        return self.folder

    def remove(self) -> None:
        """Remove this run's folder (credentials, registry, locks)."""
        shutil.rmtree(self.folder, ignore_errors=True)
