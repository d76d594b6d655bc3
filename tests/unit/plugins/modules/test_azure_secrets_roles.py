# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""azure_secrets_roles: many roles in one module process, against the fake hvac client."""

from __future__ import annotations

import copy
import json
import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import azure_secrets_roles

Runner = t.Callable[..., t.Any]

MOUNT = "azure-prod"
PROBE = ("GET", f"sys/internal/ui/mounts/{MOUNT}")
LIST = ("LIST", f"{MOUNT}/roles")
SUB = "/subscriptions/0f6e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
SCOPE = f"{SUB}/resourceGroups/Releases"
READER_GUID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
READER_ID = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER_GUID}"
GROUP_ID = "90820a30-352d-400f-89e5-2ca74ac14333"
APP_ID = "5d1f7c8e-0a3b-4c6d-9e2f-1a2b3c4d5e6f"


def answer(data: t.Any) -> dict[str, t.Any]:
    return {
        "request_id": "0c3a6f4e-7b1d-4f2a-9e8c-5d6b7a8f9e0d",
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": data,
        "wrap_info": None,
        "warnings": None,
        "auth": None,
    }


# GET <mount>/roles/<name> in the shape of pathRoleRead (vault-plugin-secrets-azure v0.20.1): Reader resolved to
# its ID (role_name set to the definition's GUID), the group to its object ID, durations in seconds
def stored_role(ttl: int = 3600) -> dict[str, t.Any]:
    return answer(
        {
            "ttl": ttl,
            "max_ttl": 14400,
            "explicit_max_ttl": 0,
            "azure_roles": [{"role_name": READER_GUID, "role_id": READER_ID, "scope": SCOPE}],
            "azure_groups": [{"group_name": "Build Agents", "object_id": GROUP_ID}],
            "application_object_id": "",
            "permanently_delete": False,
            "persist_app": False,
            "sign_in_audience": "",
            "tags": ["team:platform"],
        }
    )


def item(name: str, **fields: t.Any) -> dict[str, t.Any]:
    """The same role as stored_role() in the user's spelling: Reader by name, other case, a trailing slash."""
    role = {
        "name": name,
        "azure_roles": [{"role_name": "reader", "scope": f"{SCOPE.upper()}/"}],
        "azure_groups": [{"group_name": "build agents"}],
        "ttl": "1h",
        "max_ttl": "4h",
        "tags": {"team": "platform"},
    }
    role.update(fields)
    return role


def engine(names: list[str], reads: dict[str, dict[str, t.Any]] | None = None) -> dict[tuple[str, str], t.Any]:
    """The routes of an engine at MOUNT that lists ``names`` and answers ``reads`` (default: each as stored_role)."""
    routes: dict[tuple[str, str], t.Any] = {PROBE: answer({"type": "azure", "path": f"{MOUNT}/"})}
    routes[LIST] = answer({"keys": names})
    for name in names:
        routes[("GET", f"{MOUNT}/roles/{name}")] = copy.deepcopy((reads or {}).get(name, stored_role()))
    return routes


def run_roles(run_module: Runner, roles: t.Any, routes: t.Any, *, check_mode: bool = False, **extra: t.Any) -> t.Any:
    args = {"mount_point": MOUNT, "roles": roles, **extra}
    return run_module(azure_secrets_roles.main, args, routes, check_mode=check_mode, diff=True)


def requests(run: t.Any) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in run.fake.adapter.calls]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
@pytest.mark.parametrize("count", [1, 7])
def test_noop_costs_one_mount_check_one_list_and_one_read_per_role(
    run_module: Runner, count: int, check_mode: bool
) -> None:
    names = [f"role-{n}" for n in range(count)]
    run = run_roles(run_module, [item(name) for name in names], engine(names), check_mode=check_mode, purge=True)
    assert "failed" not in run.result, run.result
    assert run.result["changed"] is False
    assert run.result["unchanged"] == names
    assert run.result["created"] == run.result["updated"] == run.result["deleted"] == []
    assert run.result["diff"] == []
    assert requests(run) == [PROBE, LIST, *[("GET", f"{MOUNT}/roles/{name}") for name in names]]
    assert run.result["roles"]["role-0"]["azure_roles"] == [{"scope": SCOPE.lower(), "role_id": READER_GUID}]


def test_names_match_without_regard_to_case(run_module: Runner) -> None:
    # the engine stores and lists role names in lower case
    run = run_roles(run_module, [item("Deploy")], engine(["deploy"]), purge=True)
    assert run.result["changed"] is False
    assert run.result["unchanged"] == ["deploy"]
    assert run.fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create_update_delete_and_purge(run_module: Runner, check_mode: bool) -> None:
    routes = engine(["keep", "change", "drop", "stray"])
    roles = [
        item("keep"),
        item("change", ttl="2h"),
        {"name": "drop", "state": "absent"},
        {"name": "new", "application_object_id": APP_ID, "ttl": "30m"},
    ]
    run = run_roles(run_module, roles, routes, check_mode=check_mode, purge=True)
    assert run.result["changed"] is True
    assert run.result["created"] == ["new"]
    assert run.result["updated"] == ["change"]
    assert run.result["deleted"] == ["drop", "stray"]
    assert run.result["unchanged"] == ["keep"]
    assert sorted(run.result["roles"]) == ["change", "keep", "new"]
    assert run.result["roles"]["change"]["ttl"] == 7200
    assert run.result["roles"]["new"] == {"application_object_id": APP_ID, "ttl": 1800}
    diffs = {d["before_header"]: d for d in run.result["diff"]}
    assert sorted(diffs) == ["role change", "role drop", "role new", "role stray"]
    assert (diffs["role change"]["before"]["ttl"], diffs["role change"]["after"]["ttl"]) == (3600, 7200)
    assert diffs["role stray"]["after"] == {}
    expected = [
        (
            "POST",
            f"{MOUNT}/roles/change",
            {
                "azure_roles": json.dumps(
                    [{"role_name": "reader", "scope": f"{SCOPE.upper()}/"}], separators=(",", ":")
                ),
                "azure_groups": '[{"group_name":"build agents"}]',
                "ttl": 7200,
                "max_ttl": 14400,
                "tags": ["team:platform"],
                "permanently_delete": False,
            },
        ),
        ("DELETE", f"{MOUNT}/roles/drop", None),
        ("POST", f"{MOUNT}/roles/new", {"application_object_id": APP_ID, "ttl": 1800}),
        ("DELETE", f"{MOUNT}/roles/stray", None),
    ]
    assert run.fake.writes() == ([] if check_mode else expected)
    # the role that is not asked for is read once, by purge, to show it in the diff
    assert requests(run).count(("GET", f"{MOUNT}/roles/stray")) == 1
    assert ("GET", f"{MOUNT}/roles/new") not in requests(run)


def test_without_purge_unlisted_roles_stay(run_module: Runner) -> None:
    run = run_roles(run_module, [item("keep")], engine(["keep", "stray", "other"]))
    assert run.result["changed"] is False
    assert run.result["deleted"] == []
    assert run.fake.writes() == []
    assert requests(run) == [PROBE, LIST, ("GET", f"{MOUNT}/roles/keep")]


def test_purge_deletes_only_unlisted(run_module: Runner) -> None:
    run = run_roles(run_module, [item("a"), item("B")], engine(["a", "b", "c", "d"]), purge=True)
    assert run.result["deleted"] == ["c", "d"]
    assert run.result["unchanged"] == ["a", "b"]
    assert run.fake.writes() == [("DELETE", f"{MOUNT}/roles/c", None), ("DELETE", f"{MOUNT}/roles/d", None)]


def test_empty_list_with_purge_deletes_every_role(run_module: Runner) -> None:
    run = run_roles(run_module, [], engine(["a", "b"]), purge=True)
    assert run.result["deleted"] == ["a", "b"]
    assert run.fake.writes() == [("DELETE", f"{MOUNT}/roles/a", None), ("DELETE", f"{MOUNT}/roles/b", None)]


@pytest.mark.parametrize(
    ("roles", "field", "text"),
    [
        pytest.param([item("a"), {"ttl": 60}], "roles[1]", "missing required arguments: name", id="no-name"),
        pytest.param([item("a", role="x")], "roles[0]", "role. Supported parameters include", id="unknown-option"),
        pytest.param(
            [item("a", azure_roles=[{"role": "Reader", "scope": SUB}])],
            "roles[0]",
            "azure_roles.role",
            id="unknown-item-key",
        ),
        pytest.param([item("a", sign_in_audience="Everyone")], "roles[0]", "sign_in_audience", id="choices"),
        pytest.param(
            [item("a"), item("b", azure_roles=[{"role_name": "Reader"}])],
            "roles[1].azure_roles",
            "item 1 needs a scope",
            id="no-scope",
        ),
        pytest.param(
            [item("a", application_object_id=APP_ID)],
            "roles[0].azure_roles",
            "is not used with application_object_id",
            id="app-and-roles",
        ),
        pytest.param([item("a", ttl="5h")], "roles[0].ttl", "must not exceed max_ttl", id="ttl-order"),
        pytest.param([item("a", tags=["has space"])], "roles[0].tags", "contains a space", id="tag-space"),
        pytest.param([item("a/b")], "roles[0].name", "is not a valid Azure role name", id="slash-in-name"),
        pytest.param([item("-a")], "roles[0].name", "is not a valid Azure role name", id="bad-first-char"),
        pytest.param([item("Deploy"), item("deploy")], "roles[1].name", "listed twice", id="twice-in-other-case"),
    ],
)
def test_bad_input_fails_before_any_request(run_module: Runner, roles: t.Any, field: str, text: str) -> None:
    run = run_roles(run_module, roles, engine(["a", "b"]), purge=True)
    assert run.result["failed"] is True
    assert run.result["msg"].startswith(f"invalid value for {field}")
    assert text in run.result["msg"]
    assert run.fake.adapter.calls == []


def test_an_item_that_is_not_a_dict_fails_before_any_request(run_module: Runner) -> None:
    run = run_roles(run_module, [item("a"), "b"], engine(["a", "b"]), purge=True)
    assert run.result["failed"] is True
    assert "unable to convert to dict" in run.result["msg"]
    assert run.fake.adapter.calls == []


def test_a_role_refused_against_its_stored_state_fails_before_any_write(run_module: Runner) -> None:
    # roles[1] raises ttl above the stored max_ttl: found after the reads, before the first write
    routes = engine(["a", "b"])
    run = run_roles(run_module, [item("a", ttl="2h"), {"name": "b", "ttl": "5h"}], routes, purge=True)
    assert run.result["failed"] is True
    assert run.result["field"] == "roles[1].ttl"
    assert "must not exceed max_ttl (14400s)" in run.result["msg"]
    assert run.fake.writes() == []


def test_a_vault_refusal_names_the_path(run_module: Runner) -> None:
    routes = engine([])
    routes[("POST", f"{MOUNT}/roles/a")] = hvac.exceptions.InvalidRequest(errors=["no role found for role_name"])
    run = run_roles(run_module, [item("a", azure_roles=[{"role_name": "Raeder", "scope": SUB}])], routes)
    assert run.result["failed"] is True
    assert (run.result["path"], run.result["status"]) == (f"{MOUNT}/roles/a", 400)
    assert "no role found for role_name" in run.result["msg"]


def test_unconfigured_engine_says_so(run_module: Runner) -> None:
    routes = engine([])
    routes[("POST", f"{MOUNT}/roles/a")] = hvac.exceptions.InternalServerError(errors=["config is nil"])
    run = run_roles(run_module, [item("a")], routes)
    assert run.result["failed"] is True
    assert "has no configuration" in run.result["msg"]


def test_a_kv_mount_is_refused(run_module: Runner) -> None:
    routes = {PROBE: answer({"type": "kv", "path": f"{MOUNT}/"})}
    run = run_roles(run_module, [item("a")], routes, purge=True)
    assert run.result["failed"] is True
    assert "is a 'kv' secrets engine" in run.result["msg"]
    assert requests(run) == [PROBE]
