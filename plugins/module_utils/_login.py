# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Log in once per run: the token of a login (approle, userpass, jwt, cert) shared by every later module and lookup
call of the same ``ansible-playbook`` run, for its TTL.

The run's folder is the one of the creds lookup's cache (``plugin_utils/_cache.py``): the callback
``vaultops.cloud.run_end`` creates it (mode 0700) when the playbook starts and names it in the environment
variable :data:`ENV_RUN_DIR`, which the workers and the modules they start on the controller inherit. Without
that variable (no callback, or a module running on a remote host) every call logs in as before.

A token is kept in ``login-<digest>.json`` (mode 0600; the digest covers the address, namespace, method, mount
and every login credential, so another identity never gets it), locked with ``flock`` so that concurrent
workers log in once between them, served until 90% of its TTL has passed, and revoked (``auth/token/revoke-self``)
and removed when the run ends (``RunCache.finish``), unless ``revoke_login_token`` is false.

No Ansible imports: this runs inside modules and controller-side plugins alike.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import stat
import time
import typing as t

ENV_RUN_DIR = "VAULTOPS_CLOUD_RUN_DIR"
LOGIN_PREFIX = "login-"
# what identifies a login: who logs in where (a digest of it names the file; nothing of it is stored)
IDENTITY_FIELDS = (
    "url",
    "namespace",
    "auth_method",
    "auth_mount_point",
    "role_id",
    "secret_id",
    "username",
    "password",
    "role",
    "jwt",
    "client_cert",
)
# what the end of the run needs to revoke the token: how to reach Vault, never a login credential
CONNECTION_FIELDS = ("url", "namespace", "ca_cert", "validate_certs", "client_cert", "client_key", "timeout", "proxies")


def run_dir(environ: t.Mapping[str, str] | None = None) -> str | None:
    """The run's folder named by :data:`ENV_RUN_DIR`, if it is a folder of this user that only it may enter."""
    environ = os.environ if environ is None else environ
    folder = environ.get(ENV_RUN_DIR)
    if not folder:
        return None
    try:
        info = os.stat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def login_key(options: t.Any) -> str:
    identity = {name: getattr(options, name, None) for name in IDENTITY_FIELDS}
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:32]


class LoginCache:
    """The login tokens of one run, in its folder."""

    def __init__(self, folder: str, clock: t.Callable[[], float] = time.time) -> None:
        self.folder = folder
        self.clock = clock

    def path(self, key: str) -> str:
        return os.path.join(self.folder, f"{LOGIN_PREFIX}{key}.json")

    @contextlib.contextmanager
    def _locked(self, key: str) -> t.Iterator[None]:
        fd = os.open(os.path.join(self.folder, f"{LOGIN_PREFIX}{key}.lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _load(self, key: str) -> dict[str, t.Any] | None:
        try:
            with open(self.path(key), encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or not entry.get("token"):
            return None
        until = entry.get("until")
        if until is not None and until <= self.clock():
            return None
        return entry

    def get_or_login(
        self,
        key: str,
        login: t.Callable[[], dict[str, t.Any]],
        *,
        connection: t.Mapping[str, t.Any],
        revoke: bool,
    ) -> tuple[str, bool]:
        """The run's token for ``key``, or a new one from ``login`` (Vault's ``auth`` answer), called once across
        workers; and whether it came from the cache. A token with limited uses is never shared."""
        with self._locked(key):
            cached = self._load(key)
            if cached is not None:
                return str(cached["token"]), True
            auth = login()
            token = str(auth.get("client_token") or "")
            if token and not auth.get("num_uses"):
                duration = int(auth.get("lease_duration") or 0)
                entry = {
                    "token": token,
                    "accessor": auth.get("accessor"),
                    # a margin, so that a token is not handed out just before it expires; 0 means no TTL
                    "until": self.clock() + duration * 0.9 if duration else None,
                    "revoke": revoke,
                    "connection": {name: connection.get(name) for name in CONNECTION_FIELDS},
                }
                self._write(self.path(key), entry)
            return token, False

    @staticmethod
    def _write(path: str, data: t.Any) -> None:
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)

    def entries(self) -> list[dict[str, t.Any]]:
        """Every login token of the run (expired ones too: they are revoked at the end all the same)."""
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return []
        found = []
        for name in names:
            if name.startswith(LOGIN_PREFIX) and name.endswith(".json"):
                try:
                    with open(os.path.join(self.folder, name), encoding="utf-8") as handle:
                        entry = json.load(handle)
                except (OSError, ValueError):
                    continue
                if isinstance(entry, dict) and entry.get("token"):
                    found.append(entry)
        return found
