# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: run_end
type: aggregate
short_description: Remove the creds lookup's cache and revoke leases when the run ends
version_added: 0.1.0
description:
  - The end-of-run step of the lookup P(vaultops.cloud.creds#lookup). Enable it in C(ansible.cfg)
    (C(callbacks_enabled = vaultops.cloud.run_end)); it prints nothing.
  - When the run ends (all plays done, a host failed, or Ctrl-C), it revokes the leases that the lookup issued with
    O(vaultops.cloud.creds#lookup:revoke_at_end=true) and removes the run's cache folder, so that no issued secret
    key stays on disk.
  - When the run ends with SIGTERM (a CI timeout, a service stop), it does the same before ansible-playbook stops.
  - When the run starts, it removes the cache folders of earlier runs whose process is gone (killed with SIGKILL,
    which no code of the run can catch).
  - At every task boundary (a task starts, a host's task ends) it renews the leases that the lookup issued with
    O(vaultops.cloud.creds#lookup:renew=true) once less than O(vaultops.cloud.creds#lookup:renew_fraction) of
    their TTL is left, and warns once for a lease that can no longer be renewed (max TTL reached, renewal refused),
    naming the role and the time the lease ends.
  - When a task of M(vaultops.cloud.lease) revokes leases, it drops those credentials from the cache, so that the
    lookup never returns a revoked credential again in the same run (if the task has C(no_log), whose result hides
    the lease IDs, it drops every cached credential of the run).
  - Without it, the cache folder of a run stays until a later run's lookup or callback removes it, a revoked
    credential can still be returned from the cache in the same run, and O(vaultops.cloud.creds#lookup:revoke_at_end)
    revokes nothing.
requirements:
  - Enable it in C(ansible.cfg), C([defaults]) section, C(callbacks_enabled = vaultops.cloud.run_end).
notes:
  - A run killed with SIGKILL does not reach its end; its leases asked to be revoked at the end are not revoked
    (they end with their TTL) and its cache folder is removed by the next run's start.
seealso:
  - plugin: vaultops.cloud.creds
    plugin_type: lookup
  - module: vaultops.cloud.lease
author:
  - vaultops.cloud maintainers (@vaultops)
"""

import atexit
import os
import signal
import typing as t

from ansible.plugins.callback import CallbackBase

from ansible_collections.vaultops.cloud.plugins.plugin_utils._cache import RunCache

LEASE_MODULES = ("vaultops.cloud.lease",)


def revoked_leases(action: str | None, result: t.Mapping[str, t.Any]) -> tuple[list[str], bool]:
    """The leases a task's result says were revoked, and whether the result was hidden (``no_log``).

    Only results of the lease module with ``state=revoked`` count; a loop's items are read one by one.
    """
    if action not in LEASE_MODULES:
        return [], False
    items = result.get("results") if isinstance(result.get("results"), list) else [result]
    found: list[str] = []
    hidden = False
    for item in items:
        if not isinstance(item, t.Mapping):
            continue
        revoked = item.get("revoked")
        if isinstance(revoked, list):
            found.extend(str(lease) for lease in revoked)
        elif item.get("censored") or item.get("_ansible_no_log"):
            hidden = True
    return found, hidden


def revoke_lease(connection: t.Mapping[str, t.Any], lease_id: str) -> None:
    """Log in to Vault as the lookup did and revoke one lease."""
    from ansible_collections.vaultops.cloud.plugins.module_utils._client import (  # noqa: PLC0415
        ConnectionOptions,
        VaultClient,
    )
    from ansible_collections.vaultops.cloud.plugins.module_utils._vault import Leases  # noqa: PLC0415

    client = VaultClient(ConnectionOptions(**connection)).login()
    Leases(client).revoke(lease_id)


def renew_lease(connection: t.Mapping[str, t.Any], lease_id: str, increment: int) -> int:
    """Log in to Vault as the lookup did and renew one lease by ``increment`` seconds; the lease duration granted.

    A renewal is read-like (renewing twice only extends the lease): retried by the client's rules for reads.
    """
    from ansible_collections.vaultops.cloud.plugins.module_utils._client import (  # noqa: PLC0415
        ConnectionOptions,
        VaultClient,
    )
    from ansible_collections.vaultops.cloud.plugins.module_utils._vault import lease_path  # noqa: PLC0415

    client = VaultClient(ConnectionOptions(**connection)).login()
    answer = client.write("sys/leases/renew", {"lease_id": lease_path(lease_id), "increment": increment}, method="PUT")
    return int((answer or {}).get("lease_duration") or 0)


def revoke_token(connection: t.Mapping[str, t.Any], token: str) -> None:
    """Revoke one of the run's login tokens (log in once per run) with the token itself."""
    from ansible_collections.vaultops.cloud.plugins.module_utils._client import (  # noqa: PLC0415
        ConnectionOptions,
        VaultClient,
    )

    VaultClient(ConnectionOptions(**connection)).revoke_self(token)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "vaultops.cloud.run_end"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._pid = os.getpid()
        self._finished = False
        self.revoke: t.Callable[[t.Mapping[str, t.Any], str], None] = revoke_lease
        self.revoke_token: t.Callable[[t.Mapping[str, t.Any], str], None] = revoke_token
        self.renew: t.Callable[[t.Mapping[str, t.Any], str, int], int] = renew_lease
        # Ctrl-C ends ansible-playbook with KeyboardInterrupt before the stats: the interpreter's exit still runs this
        atexit.register(self._at_exit)

    def cache(self) -> RunCache:
        return RunCache()

    def v2_playbook_on_start(self, playbook: t.Any) -> None:
        self.cache().sweep()
        # the run's folder, named in the environment: later module and lookup calls reuse a login's token
        self.cache().open_for_modules()
        self._chain_sigterm()

    def _chain_sigterm(self) -> None:
        """End the run on SIGTERM, then let the handler in place (ansible-core's, which stops the workers) act.

        Installed at the playbook's start: ansible-core sets its own handler before the callbacks are loaded.
        """
        try:
            previous = signal.getsignal(signal.SIGTERM)
        except ValueError:
            return
        if previous is signal.SIG_IGN or getattr(previous, "run_end", None) is self:
            return

        def on_sigterm(signum: int, frame: t.Any) -> None:
            if os.getpid() == self._pid:  # a forked worker that kept this handler leaves the end to the run
                self.finish()
            if callable(previous):
                previous(signum, frame)
                return
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        on_sigterm.run_end = self  # type: ignore[attr-defined]  # installed once per callback
        try:
            signal.signal(signal.SIGTERM, on_sigterm)
        except ValueError:  # not the main thread: the next run's start removes the folder instead
            return

    def _lease_result(self, result: t.Any) -> None:
        task = getattr(result, "task", None) or getattr(result, "_task", None)
        action = getattr(task, "resolved_action", None) or getattr(task, "action", None)
        payload = getattr(result, "result", None)
        if payload is None:
            payload = getattr(result, "_result", {})
        found, hidden = revoked_leases(action, payload or {})
        if found or hidden:
            self.cache().forget(found, everything=hidden)

    def renew_leases(self) -> None:
        """At a task boundary: renew the leases registered with ``renew`` that are due; warn once for each lease
        that can no longer be renewed."""
        if self._finished or os.getpid() != self._pid:
            return
        for problem in self.cache().renew_leases(self.renew):
            self._display.warning(f"vaultops.cloud.creds: {problem}")

    def v2_playbook_on_task_start(self, task: t.Any, is_conditional: bool) -> None:
        self.renew_leases()

    def v2_playbook_on_handler_task_start(self, task: t.Any) -> None:
        self.renew_leases()

    def v2_runner_on_ok(self, result: t.Any) -> None:
        self._lease_result(result)
        self.renew_leases()

    def v2_runner_on_failed(self, result: t.Any, ignore_errors: bool = False) -> None:
        self._lease_result(result)
        self.renew_leases()

    def v2_playbook_on_stats(self, stats: t.Any) -> None:
        self.finish()

    def _at_exit(self) -> None:
        if os.getpid() == self._pid:  # never in a forked worker
            self.finish()

    def finish(self) -> None:
        """Once per run: revoke what was asked to be revoked at the end, remove the run's folder."""
        if self._finished:
            return
        self._finished = True
        for problem in self.cache().finish(self.revoke, self.revoke_token):
            self._display.warning(problem)
