# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import lease

Runner = t.Callable[..., t.Any]
Json = t.Callable[[str], dict[str, t.Any]]

LEASE = "aws/creds/deploy/Yx1Qm3ZbO4kGZ7m1uHn0sD2f"
OTHER = "aws/creds/deploy/Pq7Wm2XbN1kFZ5m9uGn3sC8d"
LOOKUP = ("PUT", "sys/leases/lookup")
REVOKE = ("PUT", "sys/leases/revoke")
RENEW = ("PUT", "sys/leases/renew")


def invalid_lease() -> hvac.exceptions.InvalidRequest:
    """What Vault answers for a lease it does not have (expired or revoked)."""
    return hvac.exceptions.InvalidRequest(errors=["invalid lease"], method="PUT", url="/v1/sys/leases/lookup")


def requests(run: t.Any) -> list[tuple[str, str, t.Any]]:
    return [(call.method, call.path, call.json) for call in run.fake.calls]


# --- revoke one lease ---------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_revoke_a_live_lease(run_module: Runner, vault_json: Json, check_mode: bool) -> None:
    run = run_module(lease.main, {"lease_id": LEASE}, {LOOKUP: vault_json("sys_leases_lookup")}, check_mode=check_mode)
    assert run.result["changed"] is True
    assert run.result["revoked"] == [LEASE]
    assert run.result["lease_id"] == LEASE
    revoke = [] if check_mode else [("PUT", "sys/leases/revoke", {"lease_id": LEASE})]
    assert requests(run) == [("PUT", "sys/leases/lookup", {"lease_id": LEASE}), *revoke]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_revoke_is_idempotent(run_module: Runner, check_mode: bool) -> None:
    """A lease that is gone already (revoked, expired) is unchanged: nothing is revoked."""
    run = run_module(lease.main, {"lease_id": LEASE}, {LOOKUP: invalid_lease()}, check_mode=check_mode)
    assert run.exit_code == 0, run.result
    assert run.result["changed"] is False
    assert run.result["revoked"] == []
    assert requests(run) == [("PUT", "sys/leases/lookup", {"lease_id": LEASE})]


def test_revoke_twice_changes_once(run_module: Runner, vault_json: Json) -> None:
    first = run_module(lease.main, {"lease_id": LEASE}, {LOOKUP: vault_json("sys_leases_lookup")})
    second = run_module(lease.main, {"lease_id": LEASE}, {LOOKUP: invalid_lease()})
    assert (first.result["changed"], second.result["changed"]) == (True, False)
    assert second.fake.writes() == [second.fake.calls[0]]  # the lookup (a PUT) only


def test_other_lookup_errors_are_not_taken_for_a_missing_lease(run_module: Runner) -> None:
    denied = hvac.exceptions.Forbidden(errors=["permission denied"], method="PUT", url="/v1/sys/leases/lookup")
    run = run_module(lease.main, {"lease_id": LEASE}, {LOOKUP: denied})
    assert run.result["failed"] is True
    assert "permission denied" in run.result["msg"]
    assert run.result["path"] == "sys/leases/lookup"
    assert [c.path for c in run.fake.calls] == ["sys/leases/lookup"]


# --- revoke a prefix ------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["aws/creds/deploy", "/aws/creds/deploy/"], ids=["plain", "slashes"])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_revoke_prefix(run_module: Runner, vault_json: Json, prefix: str, check_mode: bool) -> None:
    routes = {("LIST", "sys/leases/lookup/aws/creds/deploy"): vault_json("sys_leases_list_deploy")}
    run = run_module(lease.main, {"prefix": prefix}, routes, check_mode=check_mode)
    assert run.result["changed"] is True
    assert run.result["revoked"] == [LEASE, OTHER]
    assert "lease_id" not in run.result
    revoke = [] if check_mode else [("PUT", "sys/leases/revoke-prefix/aws/creds/deploy", {})]
    assert requests(run) == [("LIST", "sys/leases/lookup/aws/creds/deploy", None), *revoke]


def test_revoke_prefix_without_leases_is_unchanged(run_module: Runner) -> None:
    run = run_module(lease.main, {"prefix": "aws/creds/nobody"})  # LIST answers 404: no lease there
    assert run.result["changed"] is False
    assert run.result["revoked"] == []
    assert requests(run) == [("LIST", "sys/leases/lookup/aws/creds/nobody", None)]


# --- renew -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("increment", "sent"),
    [
        (None, {"lease_id": LEASE}),
        ("1h", {"lease_id": LEASE, "increment": 3600}),
        (900, {"lease_id": LEASE, "increment": 900}),
    ],
    ids=["engine-default", "duration", "seconds"],
)
def test_renew(run_module: Runner, vault_json: Json, increment: t.Any, sent: dict[str, t.Any]) -> None:
    routes = {LOOKUP: vault_json("sys_leases_lookup"), RENEW: vault_json("sys_leases_renew")}
    args = {"lease_id": LEASE, "state": "renewed", "increment": increment}
    run = run_module(lease.main, args, routes)
    assert run.result["changed"] is True
    assert run.result["lease_id"] == LEASE
    assert run.result["lease_duration"] == 3600  # what the renewal granted
    assert requests(run) == [("PUT", "sys/leases/lookup", {"lease_id": LEASE}), ("PUT", "sys/leases/renew", sent)]


def test_renew_in_check_mode_reports_the_time_left_and_renews_nothing(run_module: Runner, vault_json: Json) -> None:
    routes = {LOOKUP: vault_json("sys_leases_lookup")}
    run = run_module(lease.main, {"lease_id": LEASE, "state": "renewed"}, routes, check_mode=True)
    assert run.result["changed"] is True
    assert run.result["lease_duration"] == 1800  # the lookup's ttl
    assert [c.path for c in run.fake.calls] == ["sys/leases/lookup"]


def test_renew_a_missing_lease_fails(run_module: Runner) -> None:
    run = run_module(lease.main, {"lease_id": LEASE, "state": "renewed"}, {LOOKUP: invalid_lease()})
    assert run.result["failed"] is True
    assert run.result["msg"] == f"lease {LEASE} does not exist or has expired (path: sys/leases/lookup)"
    assert [c.path for c in run.fake.calls] == ["sys/leases/lookup"]


def test_renew_a_lease_that_is_not_renewable_fails(run_module: Runner, vault_json: Json) -> None:
    routes = {LOOKUP: vault_json("sys_leases_lookup_not_renewable")}
    run = run_module(lease.main, {"lease_id": LEASE, "state": "renewed"}, routes)
    assert run.result["failed"] is True
    assert run.result["msg"] == f"lease {LEASE} is not renewable (path: sys/leases/lookup)"
    assert [c.path for c in run.fake.calls] == ["sys/leases/lookup"]


def test_bad_increment_fails_before_renewing(run_module: Runner, vault_json: Json) -> None:
    routes = {LOOKUP: vault_json("sys_leases_lookup")}
    run = run_module(lease.main, {"lease_id": LEASE, "state": "renewed", "increment": "soon"}, routes)
    assert run.result["failed"] is True
    assert run.result["field"] == "increment"
    assert all(c.path != "sys/leases/renew" for c in run.fake.calls)


# --- arguments ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ({}, "one of the following is required: lease_id, prefix"),
        ({"lease_id": LEASE, "prefix": "aws/creds"}, "parameters are mutually exclusive: lease_id|prefix"),
        (
            {"prefix": "aws/creds", "state": "renewed"},
            "state is renewed but all of the following are missing: lease_id",
        ),
    ],
    ids=["neither", "both", "renew-a-prefix"],
)
def test_bad_arguments_fail_before_any_request(run_module: Runner, args: dict[str, t.Any], text: str) -> None:
    run = run_module(lease.main, args)
    assert run.result["failed"] is True
    assert text in run.result["msg"]
    assert run.fake.calls == []
