# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError, VaultUnsupportedFields
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import MASK, ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._driver import (
    Desired,
    Driver,
    Outcome,
    Resource,
    reconcile,
)

SPEC = {"name": "str", "ttl": "duration", "policy": "json"}
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CURRENT = {"name": "x", "ttl": 3600, "accessor": "not-in-spec"}
NOT_RETURNED = "VALUE_NOT_RETURNED_BY_VAULT"


class Recorder:
    """The write/delete/payload callbacks, remembering every call."""

    def __init__(self) -> None:
        self.writes: list[dict[str, t.Any]] = []
        self.deletes = 0
        self.payload_calls: list[tuple[dict[str, t.Any], dict[str, t.Any] | None]] = []

    def write(self, body: dict[str, t.Any]) -> None:
        self.writes.append(body)

    def delete(self) -> bool:
        self.deletes += 1
        return True

    def payload(self, want: dict[str, t.Any], have: dict[str, t.Any] | None) -> dict[str, t.Any]:
        self.payload_calls.append((want, have))
        return {"merged": sorted(k for k, v in want.items() if v is not None), "had": sorted(have or {})}


def run(rec: Recorder, **kwargs: t.Any) -> Outcome:
    kwargs.setdefault("spec", SPEC)
    kwargs.setdefault("check_mode", False)
    return reconcile(write=rec.write, delete=rec.delete, **kwargs)


class Case(t.NamedTuple):
    state: str
    current: dict[str, t.Any] | None
    desired: dict[str, t.Any]
    changed: bool
    before: dict[str, t.Any]
    after: dict[str, t.Any]
    fields: list[str]
    body: dict[str, t.Any] | None = None  # what write() receives outside check mode
    deletes: int = 0  # delete() calls outside check mode


UNSET = {"name": None, "ttl": None, "policy": None}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            Case(
                state="present",
                current=None,
                desired={"name": "x", "ttl": "1h", "policy": None},
                changed=True,
                before={},
                after={"name": "x", "ttl": 3600},
                fields=["name", "ttl"],
                body={"name": "x", "ttl": "1h"},
            ),
            id="create",
        ),
        pytest.param(
            Case(
                state="present",
                current=CURRENT,
                desired={"name": "x", "ttl": "1h0m0s", "policy": None},
                changed=False,
                before={"name": "x", "ttl": 3600},
                after={"name": "x", "ttl": 3600},
                fields=[],
            ),
            id="unchanged",
        ),
        pytest.param(
            Case(
                state="present",
                current=CURRENT,
                desired={"name": "x", "ttl": "2h", "policy": None},
                changed=True,
                before={"name": "x", "ttl": 3600},
                after={"name": "x", "ttl": 7200},
                fields=["ttl"],
                body={"name": "x", "ttl": "2h"},
            ),
            id="changed",
        ),
        pytest.param(
            Case(
                state="absent",
                current=CURRENT,
                desired=UNSET,
                changed=True,
                before={"name": "x", "ttl": 3600},
                after={},
                fields=["name", "ttl"],
                deletes=1,
            ),
            id="absent-present",
        ),
        pytest.param(
            Case(state="absent", current=None, desired=UNSET, changed=False, before={}, after={}, fields=[]),
            id="absent-missing",
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_reconcile(case: Case, check_mode: bool) -> None:
    rec = Recorder()
    outcome = run(rec, state=case.state, current=case.current, desired=case.desired, check_mode=check_mode)
    assert outcome.changed is case.changed
    assert outcome.before == case.before
    assert outcome.after == case.after
    assert outcome.changed_fields == case.fields
    assert outcome.diff() == {"before": case.before, "after": case.after}
    if check_mode:
        assert rec.writes == []
        assert rec.deletes == 0
    else:
        assert rec.writes == ([] if case.body is None else [case.body])
        assert rec.deletes == case.deletes


class SecretCase(t.NamedTuple):
    current: dict[str, t.Any] | None
    desired: dict[str, t.Any]
    update_secret: str
    changed: bool
    body: dict[str, t.Any] | None  # what write() receives outside check mode
    fields: list[str]
    before: dict[str, t.Any]
    after: dict[str, t.Any]


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            SecretCase(
                current=None,
                desired={"name": "x"},
                update_secret="on_create",
                changed=True,
                body={"name": "x", "secret_key": SECRET},
                fields=["name", "secret_key"],
                before={},
                after={"name": "x", "secret_key": MASK},
            ),
            id="create-writes-secret",
        ),
        pytest.param(
            SecretCase(
                current=CURRENT,
                desired={"name": "x"},
                update_secret="on_create",
                changed=False,
                body=None,
                fields=[],
                before={"name": "x", "ttl": 3600},
                after={"name": "x", "ttl": 3600},
            ),
            id="unchanged-on_create-keeps-secret",
        ),
        pytest.param(
            SecretCase(
                current=CURRENT,
                desired={"name": "x"},
                update_secret="always",
                changed=True,
                body={"name": "x", "secret_key": SECRET},
                fields=["secret_key"],
                before={"name": "x", "ttl": 3600, "secret_key": NOT_RETURNED},
                after={"name": "x", "ttl": 3600, "secret_key": MASK},
            ),
            id="unchanged-always-rewrites-secret",
        ),
        pytest.param(
            SecretCase(
                current=CURRENT,
                desired={"name": "y"},
                update_secret="on_create",
                changed=True,
                body={"name": "y", "secret_key": SECRET},
                fields=["name", "secret_key"],
                before={"name": "x", "ttl": 3600, "secret_key": NOT_RETURNED},
                after={"name": "y", "ttl": 3600, "secret_key": MASK},
            ),
            id="other-change-writes-secret-along",
        ),
        pytest.param(
            SecretCase(
                current=None,
                desired={"name": "x"},
                update_secret="always",
                changed=True,
                body={"name": "x", "secret_key": SECRET},
                fields=["name", "secret_key"],
                before={},
                after={"name": "x", "secret_key": MASK},
            ),
            id="create-always",
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_reconcile_secrets(case: SecretCase, check_mode: bool) -> None:
    rec = Recorder()
    outcome = run(
        rec,
        state="present",
        current=case.current,
        desired=case.desired,
        secrets={"secret_key": SECRET},
        update_secret=case.update_secret,
        check_mode=check_mode,
    )
    assert outcome.changed is case.changed
    assert outcome.changed_fields == case.fields
    assert outcome.secret_written is case.changed
    assert outcome.before == case.before
    assert outcome.after == case.after
    assert outcome.diff() == {"before": case.before, "after": case.after}
    assert SECRET not in repr(outcome.diff())
    if check_mode or case.body is None:
        assert rec.writes == []
    else:
        assert rec.writes == [case.body]


def test_reconcile_update_masks_the_secret_and_never_shows_it() -> None:
    rec = Recorder()
    outcome = run(
        rec,
        state="present",
        current=CURRENT,
        desired={"name": "y"},
        secrets={"secret_key": SECRET},
    )
    assert outcome.after == {"name": "y", "ttl": 3600, "secret_key": MASK}
    assert outcome.before == {"name": "x", "ttl": 3600, "secret_key": NOT_RETURNED}
    assert SECRET not in repr(outcome)


def test_reconcile_create_does_not_invent_a_previous_secret() -> None:
    rec = Recorder()
    outcome = run(rec, state="present", current=None, desired={"name": "x"}, secrets={"secret_key": SECRET})
    assert outcome.before == {}
    assert outcome.after == {"name": "x", "secret_key": MASK}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_reconcile_secret_rewrite_alone_shows_in_the_diff(check_mode: bool) -> None:
    rec = Recorder()
    outcome = run(
        rec,
        state="present",
        current=CURRENT,
        desired={"name": "x", "ttl": "1h"},
        secrets={"secret_key": SECRET},
        update_secret="always",
        check_mode=check_mode,
    )
    assert outcome.changed is True
    assert outcome.changed_fields == ["secret_key"]
    assert outcome.diff() == {
        "before": {"name": "x", "ttl": 3600, "secret_key": NOT_RETURNED},
        "after": {"name": "x", "ttl": 3600, "secret_key": MASK},
    }
    assert SECRET not in repr(outcome)
    assert rec.writes == ([] if check_mode else [{"name": "x", "ttl": "1h", "secret_key": SECRET}])


def test_reconcile_ignores_unset_secrets() -> None:
    rec = Recorder()
    outcome = run(
        rec,
        state="present",
        current=CURRENT,
        desired={"name": "x"},
        secrets={"secret_key": None},
        update_secret="always",
    )
    assert (outcome.changed, outcome.secret_written, rec.writes) == (False, False, [])


def test_reconcile_uses_payload_callback_and_adds_secrets() -> None:
    rec = Recorder()
    desired = {"name": "y", "ttl": None}
    outcome = run(
        rec,
        state="present",
        current=CURRENT,
        desired=desired,
        payload=rec.payload,
        secrets={"secret_key": SECRET},
    )
    assert outcome.changed is True
    assert rec.payload_calls == [(desired, CURRENT)]
    assert rec.writes == [{"merged": ["name"], "had": ["accessor", "name", "ttl"], "secret_key": SECRET}]


def test_reconcile_check_mode_never_builds_the_payload() -> None:
    rec = Recorder()
    outcome = run(rec, state="present", current=None, desired={"name": "x"}, payload=rec.payload, check_mode=True)
    assert outcome.changed is True
    assert (rec.payload_calls, rec.writes, rec.deletes) == ([], [], 0)


def test_reconcile_absent_ignores_desired_differences() -> None:
    rec = Recorder()
    outcome = run(rec, state="absent", current=CURRENT, desired={"name": "other"})
    assert (outcome.changed, outcome.after, rec.deletes, rec.writes) == (True, {}, 1, [])


# --- the driver -----------------------------------------------------------------------------------


THING = Resource(
    engine="kv",
    what="thing",
    path="things",
    fields={"owner": "str", "ttl": "duration"},
    secrets=("password",),
    immutable=("owner",),
)
MOUNT_TYPE = ("GET", "sys/internal/ui/mounts/m")


def thing_driver(make_client: t.Callable[..., t.Any], routes: dict[tuple[str, str], t.Any], **kw: t.Any) -> t.Any:
    kit = make_client({MOUNT_TYPE: {"data": {"type": "kv"}}, **routes})
    return kit, Driver(kit.client, THING, "m", **kw)


def requests(kit: t.Any) -> list[tuple[str, str]]:
    return [(c.method, c.path) for c in kit.fake.adapter.calls]


def test_converge_all_no_op_costs_one_check_one_list_and_a_read_each(make_client: t.Callable[..., t.Any]) -> None:
    names = [f"t{i}" for i in range(5)]
    routes: dict[tuple[str, str], t.Any] = {("LIST", "m/things"): {"data": {"keys": names}}}
    for name in names:
        routes[("GET", f"m/things/{name}")] = {"data": {"owner": "a", "ttl": 60}}
    kit, driver = thing_driver(make_client, routes)
    done = driver.converge_all([Desired(n, fields={"owner": "a", "ttl": "1m"}) for n in names])
    assert not done.changed
    assert done.summary() == {"created": [], "updated": [], "deleted": [], "unchanged": names}
    assert requests(kit) == [MOUNT_TYPE, ("LIST", "m/things")] + [("GET", f"m/things/{n}") for n in names]


def test_converge_all_creating_reads_nothing_it_did_not_list(make_client: t.Callable[..., t.Any]) -> None:
    kit, driver = thing_driver(make_client, {("LIST", "m/things"): {"data": {"keys": []}}})
    done = driver.converge_all([Desired(n, fields={"owner": "a"}) for n in ("x", "y")])
    assert done.summary()["created"] == ["x", "y"]
    assert requests(kit) == [MOUNT_TYPE, ("LIST", "m/things"), ("POST", "m/things/x"), ("POST", "m/things/y")]
    assert [c.json for c in kit.fake.adapter.calls if c.method == "POST"] == [{"owner": "a"}, {"owner": "a"}]


def test_converge_all_in_check_mode_writes_nothing(make_client: t.Callable[..., t.Any]) -> None:
    routes = {
        ("LIST", "m/things"): {"data": {"keys": ["old", "x"]}},
        ("GET", "m/things/x"): {"data": {"owner": "a"}},
        ("GET", "m/things/old"): {"data": {"owner": "z"}},
    }
    kit, driver = thing_driver(make_client, routes, check_mode=True)
    done = driver.converge_all([Desired("x", fields={"owner": "a", "ttl": 5}), Desired("y")], purge=True)
    assert done.summary() == {"created": ["y"], "updated": ["x"], "deleted": ["old"], "unchanged": []}
    assert kit.fake.writes() == []
    assert [d["before_header"] for d in done.diffs("thing")] == ["thing x", "thing y", "thing old"]


def test_purge_deletes_only_what_the_list_does_not_name(make_client: t.Callable[..., t.Any]) -> None:
    routes = {
        ("LIST", "m/things"): {"data": {"keys": ["keep", "gone"]}},
        ("GET", "m/things/keep"): {"data": {"owner": "a"}},
        ("GET", "m/things/gone"): {"data": {"owner": "b"}},
    }
    kit, driver = thing_driver(make_client, routes)
    done = driver.converge_all([Desired("keep", fields={"owner": "a"})], purge=True)
    assert done.summary()["deleted"] == ["gone"]
    assert [(c.method, c.path) for c in kit.fake.writes()] == [("DELETE", "m/things/gone")]


# what OpenBao's AWS engine (the Vault 1.18 generation) answers to LIST <mount>/static-roles
UNSUPPORTED = hvac.exceptions.InvalidPath(errors=["1 error occurred:\n\t* unsupported path\n\n"])


def test_an_engine_that_cannot_list_reads_each_item_asked_for(make_client: t.Callable[..., t.Any]) -> None:
    routes = {
        ("LIST", "m/things"): UNSUPPORTED,
        ("GET", "m/things/same"): {"data": {"owner": "a"}},
    }
    kit, driver = thing_driver(make_client, routes)
    done = driver.converge_all([Desired("same", fields={"owner": "a"}), Desired("new", fields={"owner": "b"})])
    summary = done.summary()
    assert summary["created"] == ["new"]
    assert "same" not in summary["updated"]
    reads = [(c.method, c.path) for c in kit.fake.adapter.calls if c.method in ("GET", "LIST")]
    assert reads[-3:] == [("LIST", "m/things"), ("GET", "m/things/same"), ("GET", "m/things/new")]
    assert [(c.method, c.path) for c in kit.fake.writes()] == [("POST", "m/things/new")]
    # info of such an engine: nothing listed, nothing read
    assert driver.list() == []


def test_purge_on_an_engine_that_cannot_list_is_refused_before_any_write(
    make_client: t.Callable[..., t.Any],
) -> None:
    kit, driver = thing_driver(make_client, {("LIST", "m/things"): UNSUPPORTED})
    with pytest.raises(ValidationError) as caught:
        driver.converge_all([Desired("new", fields={"owner": "b"})], purge=True)
    assert caught.value.field == "purge"
    assert "unsupported path" in caught.value.reason
    assert "LIST m/things" in caught.value.reason
    assert kit.fake.writes() == []


@pytest.mark.parametrize(
    ("wants", "field", "reason"),
    [
        ([Desired("a"), Desired("a")], "things[1].name", "'a' is listed twice"),
        ([Desired("ok"), Desired("../x")], "things[1].name", "must not contain '/'"),
        ([Desired("a", fields={"ttl": "soon"})], "things[0].ttl", "is not a duration"),
        ([Desired("a", fields={"colour": "red"})], "things[0].colour", "is not a field of the thing"),
        ([Desired("a", state="gone")], "things[0].state", "must be present or absent"),
    ],
)
def test_converge_all_refuses_bad_items_before_any_request(
    make_client: t.Callable[..., t.Any], wants: list[Desired], field: str, reason: str
) -> None:
    kit, driver = thing_driver(make_client, {})
    with pytest.raises(ValidationError) as caught:
        driver.converge_all(wants, field="things")
    assert caught.value.field == field
    assert reason in caught.value.reason
    assert kit.fake.adapter.calls == []


def test_immutable_change_is_refused_naming_the_field(make_client: t.Callable[..., t.Any]) -> None:
    kit, driver = thing_driver(make_client, {("GET", "m/things/x"): {"data": {"owner": "a"}}})
    with pytest.raises(ValidationError) as caught:
        driver.converge(Desired("x", fields={"owner": "b"}))
    assert caught.value.field == "owner"
    assert "set recreate=true" in caught.value.reason
    assert kit.fake.writes() == []


def test_recreate_shows_the_replaced_resource_and_carries_unset_fields(make_client: t.Callable[..., t.Any]) -> None:
    kit, driver = thing_driver(make_client, {("GET", "m/things/x"): {"data": {"owner": "a", "ttl": 60}}})
    outcome = driver.converge(Desired("x", fields={"owner": "b"}, recreate=True))
    assert (outcome.changed, outcome.recreated, outcome.action) == (True, True, "updated")
    assert outcome.before == {"owner": "a", "ttl": 60}
    assert outcome.after == {"owner": "b", "ttl": 60}
    assert [(c.method, c.path, c.json) for c in kit.fake.writes()] == [
        ("DELETE", "m/things/x", None),
        ("POST", "m/things/x", {"owner": "b", "ttl": 60}),
    ]


def test_recreate_that_fails_after_the_delete_says_so_and_reports_changed(make_client: t.Callable[..., t.Any]) -> None:
    refused = hvac.exceptions.InvalidRequest(errors=["owner b does not exist"])
    routes = {("GET", "m/things/x"): {"data": {"owner": "a"}}, ("POST", "m/things/x"): refused}
    _kit, driver = thing_driver(make_client, routes)
    with pytest.raises(VaultOpsError) as caught:
        driver.converge(Desired("x", fields={"owner": "b"}, recreate=True))
    assert caught.value.changed is True
    assert "recreate deleted the thing x" in caught.value.message
    assert "owner b does not exist" in caught.value.message
    assert caught.value.path == "m/things/x"


def test_recreate_in_check_mode_deletes_nothing(make_client: t.Callable[..., t.Any]) -> None:
    kit, driver = thing_driver(make_client, {("GET", "m/things/x"): {"data": {"owner": "a"}}}, check_mode=True)
    outcome = driver.converge(Desired("x", fields={"owner": "b"}, recreate=True))
    assert outcome.changed and outcome.recreated
    assert kit.fake.writes() == []


def test_plan_never_writes_even_outside_check_mode(make_client: t.Callable[..., t.Any]) -> None:
    kit, driver = thing_driver(make_client, {})
    outcome = driver.plan(Desired("x", fields={"owner": "a"}), None)
    assert outcome.action == "created"
    assert kit.fake.writes() == []


def test_write_warnings_reach_the_outcome(make_client: t.Callable[..., t.Any]) -> None:
    _kit, driver = thing_driver(make_client, {("POST", "m/things/x"): {"warnings": ["ttl capped"]}})
    outcome = driver.converge(Desired("x", fields={"owner": "a"}), None)
    assert outcome.warnings == ["ttl capped"]


def test_secret_is_masked_and_governed_by_update_secret(make_client: t.Callable[..., t.Any]) -> None:
    kit, driver = thing_driver(make_client, {("GET", "m/things/x"): {"data": {"owner": "a"}}})
    quiet = driver.converge(Desired("x", fields={"owner": "a"}, secrets={"password": "s3cret"}))
    assert not quiet.changed
    loud = driver.converge(Desired("x", fields={"owner": "a"}, secrets={"password": "s3cret"}, update_secret="always"))
    assert loud.changed and loud.after["password"] == MASK
    assert "s3cret" not in repr(loud.diff())
    assert [c.json for c in kit.fake.writes()] == [{"owner": "a", "password": "s3cret"}]


def test_a_mount_of_another_type_is_refused_before_anything_else(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({MOUNT_TYPE: {"data": {"type": "aws"}}})
    driver = Driver(kit.client, THING, "m")
    with pytest.raises(ValidationError, match="is a 'aws' secrets engine"):
        driver.converge_all([Desired("x", fields={"owner": "a"})])
    assert requests(kit) == [MOUNT_TYPE]


# --- fields only some servers' engines have -------------------------------------------------------

GATED = Resource(
    engine="kv",
    what="thing",
    path="things",
    fields={"owner": "str", "ttl": "duration", "period": "duration"},
    gated={"period": "Vault 1.19 or later"},
)


def gated_schema(*fields: str) -> dict[str, t.Any]:
    ref = {"$ref": "#/components/schemas/W"}
    return {
        "openapi": {
            "paths": {"/things/{name}": {"post": {"requestBody": {"content": {"application/json": {"schema": ref}}}}}},
            "components": {"schemas": {"W": {"properties": {name: {} for name in fields}}}},
        }
    }


def test_a_gated_field_the_server_lacks_is_refused_before_the_write(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({MOUNT_TYPE: {"data": {"type": "kv"}}, ("GET", "m/things/x?help=1"): gated_schema("owner")})
    with pytest.raises(VaultUnsupportedFields) as caught:
        Driver(kit.client, GATED, "m").converge(Desired("x", fields={"owner": "a", "period": "1h"}))
    assert caught.value.fields == ["period"]
    assert caught.value.path == "m/things/x"
    assert caught.value.message == (
        "this server's engine does not support period at m/things/x (the server's schema of the path lacks them: "
        "period needs Vault 1.19 or later); nothing was written"
    )
    assert caught.value.changed is False
    assert requests(kit) == [MOUNT_TYPE, ("GET", "m/things/x"), ("GET", "m/things/x?help=1")]


def test_a_gated_field_the_server_has_is_written(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({MOUNT_TYPE: {"data": {"type": "kv"}}, ("GET", "m/things/x?help=1"): gated_schema("period")})
    outcome = Driver(kit.client, GATED, "m").converge(Desired("x", fields={"period": "1h"}))
    assert outcome.changed
    assert [(c.method, c.path, c.json) for c in kit.fake.calls if c.method == "POST"] == [
        ("POST", "m/things/x", {"period": "1h"})
    ]


def test_no_schema_read_without_a_gated_field(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({MOUNT_TYPE: {"data": {"type": "kv"}}})
    Driver(kit.client, GATED, "m").converge(Desired("x", fields={"owner": "a"}))
    assert requests(kit) == [MOUNT_TYPE, ("GET", "m/things/x"), ("POST", "m/things/x")]


def test_an_unrecognized_field_vault_reports_fails_the_converge(make_client: t.Callable[..., t.Any]) -> None:
    ignored = {"warnings": ["Endpoint ignored these unrecognized parameters: [ttl]"]}
    _kit, driver = thing_driver(make_client, {("POST", "m/things/x"): ignored})
    with pytest.raises(VaultUnsupportedFields) as caught:
        driver.converge(Desired("x", fields={"owner": "a", "ttl": 60}))
    assert caught.value.fields == ["ttl"]
    assert caught.value.changed is True
    assert "this server's engine does not support ttl at m/things/x" in caught.value.message


def test_check_mode_refuses_a_gated_field_the_server_lacks_and_writes_nothing(
    make_client: t.Callable[..., t.Any],
) -> None:
    kit = make_client({MOUNT_TYPE: {"data": {"type": "kv"}}, ("GET", "m/things/x?help=1"): gated_schema("owner")})
    with pytest.raises(VaultUnsupportedFields) as caught:
        Driver(kit.client, GATED, "m", check_mode=True).converge(Desired("x", fields={"period": "1h"}))
    assert caught.value.fields == ["period"]
    assert caught.value.changed is False
    assert requests(kit) == [MOUNT_TYPE, ("GET", "m/things/x"), ("GET", "m/things/x?help=1")]


def test_check_mode_predicts_a_gated_field_the_server_has(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({MOUNT_TYPE: {"data": {"type": "kv"}}, ("GET", "m/things/x?help=1"): gated_schema("period")})
    outcome = Driver(kit.client, GATED, "m", check_mode=True).converge(Desired("x", fields={"period": "1h"}))
    assert outcome.changed
    assert kit.fake.writes() == []


def test_plan_reads_no_schema(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({MOUNT_TYPE: {"data": {"type": "kv"}}})
    assert Driver(kit.client, GATED, "m").plan(Desired("x", fields={"period": "1h"})).changed
    assert requests(kit) == [MOUNT_TYPE, ("GET", "m/things/x")]
