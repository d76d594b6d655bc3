# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Leases kept alive (renew: true): the renewal decision at task boundaries (fraction of the TTL, max TTL, a
refused renewal, one warning per lease) with a fake clock, and the revoke at the end of renewed leases."""

from __future__ import annotations

import typing as t
from pathlib import Path

from ansible_collections.vaultops.cloud.plugins.plugin_utils._cache import RunCache, renew_due

LEASE = "aws/creds/deploy/abc"
CONNECTION = {"url": "http://vault", "token": "t"}


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Vault:
    """A fake lease renewal: grants the increment until the max TTL (counted from ``issued``) caps it."""

    def __init__(self, clock: Clock, max_ttl: float, refuse: bool = False) -> None:
        self.clock = clock
        self.end = clock.now + max_ttl
        self.refuse = refuse
        self.calls: list[tuple[str, int]] = []

    def __call__(self, connection: t.Mapping[str, t.Any], lease_id: str, increment: int) -> int:
        assert connection == CONNECTION
        self.calls.append((lease_id, increment))
        if self.refuse:
            raise RuntimeError("lease not found")
        return int(min(increment, self.end - self.clock.now))


def registered(tmp_path: Path, clock: Clock, ttl: int = 10, fraction: float = 0.5, **extra: t.Any) -> RunCache:
    cache = RunCache(base=str(tmp_path), run="1-1", clock=clock)
    cache.register(LEASE, connection=CONNECTION, renew={"role": "deploy", "ttl": ttl, "fraction": fraction}, **extra)
    return cache


def test_renew_due_only_below_the_fraction_and_before_the_end() -> None:
    state = {"expires": 1010.0, "ttl": 10, "fraction": 0.5}
    assert not renew_due(state, 1000.0)  # 10 s left of 10
    assert not renew_due(state, 1005.0)  # exactly half left: not yet
    assert renew_due(state, 1005.5)
    assert renew_due(state, 1009.9)
    assert not renew_due(state, 1010.0)  # ended: Vault has revoked it
    assert not renew_due({**state, "done": True}, 1008.0)
    assert renew_due({**state, "fraction": 0.8}, 1002.5)
    assert not renew_due({**state, "fraction": 0.2}, 1007.0)


def test_a_lease_is_renewed_only_when_due(tmp_path: Path) -> None:
    clock = Clock()
    vault = Vault(clock, max_ttl=1000)
    cache = registered(tmp_path, clock)
    clock.now = 1004.0
    assert cache.renew_leases(vault) == []
    assert vault.calls == []
    clock.now = 1006.0
    assert cache.renew_leases(vault) == []
    assert vault.calls == [(LEASE, 10)]  # asks for the first TTL again
    # renewed to 1016: at 1010 (6 s left) nothing, at 1012 (4 s left) again
    clock.now = 1010.0
    cache.renew_leases(vault)
    assert len(vault.calls) == 1
    clock.now = 1012.0
    cache.renew_leases(vault)
    assert len(vault.calls) == 2
    assert cache.leases()[0]["renew"]["renewals"] == 2
    assert cache.leases()[0]["renew"]["expires"] == 1022.0


def test_the_fraction_is_the_callers(tmp_path: Path) -> None:
    clock = Clock()
    vault = Vault(clock, max_ttl=1000)
    cache = registered(tmp_path, clock, fraction=0.9)
    clock.now = 1002.0  # 8 s left < 9
    cache.renew_leases(vault)
    assert vault.calls == [(LEASE, 10)]


def test_max_ttl_reached_warns_once_with_the_role_and_the_end(tmp_path: Path) -> None:
    clock = Clock()
    vault = Vault(clock, max_ttl=25)  # the lease can live until 1025
    cache = registered(tmp_path, clock)
    warnings: list[str] = []
    for now in range(1000, 1040):
        clock.now = float(now)
        warnings += cache.renew_leases(vault)
    # renewed at 1006 (to 1016), 1012 (to 1022), 1018 (capped: 7 s, to 1025), then never again
    assert [increment for _lease, increment in vault.calls] == [10, 10, 10]
    assert len(warnings) == 1
    assert "role deploy" in warnings[0]
    assert "max TTL" in warnings[0]
    assert "1970-01-01T00:17:05Z" in warnings[0]  # 1025 seconds after the epoch


def test_a_refused_renewal_warns_once_and_stops(tmp_path: Path) -> None:
    clock = Clock()
    vault = Vault(clock, max_ttl=1000, refuse=True)
    cache = registered(tmp_path, clock)
    warnings: list[str] = []
    for now in (1006.0, 1007.0, 1008.0):
        clock.now = now
        warnings += cache.renew_leases(vault)
    assert len(vault.calls) == 1
    assert len(warnings) == 1
    assert "role deploy" in warnings[0]
    assert "refused" in warnings[0]
    assert "lease not found" in warnings[0]
    assert "1970-01-01T00:16:50Z" in warnings[0]  # the first end, 1010


def test_leases_without_renew_are_left_alone(tmp_path: Path) -> None:
    clock = Clock()
    vault = Vault(clock, max_ttl=1000)
    cache = RunCache(base=str(tmp_path), run="1-1", clock=clock)
    cache.register(LEASE, revoke_at_end=True, connection=CONNECTION)
    clock.now = 1009.0
    assert cache.renew_leases(vault) == []
    assert vault.calls == []


def test_a_renewed_lease_keeps_its_cached_credential_served(tmp_path: Path) -> None:
    clock = Clock()
    vault = Vault(clock, max_ttl=1000)
    cache = registered(tmp_path, clock)
    issued = {"access_key": "AKIA1", "lease_id": LEASE, "lease_duration": 10}
    first = cache.get_or_issue({"role": "deploy"}, lambda: dict(issued))
    clock.now = 1006.0
    cache.renew_leases(vault)  # renewed to 1016: served until 1006 + 9
    clock.now = 1014.0
    again = cache.get_or_issue({"role": "deploy"}, lambda: {**issued, "access_key": "AKIA2"})
    assert again["access_key"] == first["access_key"] == "AKIA1"


def test_renewed_leases_are_revoked_at_the_end_with_revoke_at_end(tmp_path: Path) -> None:
    clock = Clock()
    vault = Vault(clock, max_ttl=1000)
    cache = registered(tmp_path, clock, revoke_at_end=True)
    cache.register("aws/creds/deploy/kept", connection=CONNECTION, renew={"role": "deploy", "ttl": 10})
    clock.now = 1006.0
    cache.renew_leases(vault)
    assert len(vault.calls) == 2
    revoked: list[str] = []
    assert cache.finish(lambda connection, lease_id: revoked.append(lease_id)) == []
    assert revoked == [LEASE]
