# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""gcp_secrets_rolesets, gcp_secrets_static_accounts, gcp_secrets_impersonated_accounts: many resources in one
module process, against the fake hvac client."""

from __future__ import annotations

import copy
import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import normalise_bindings
from ansible_collections.vaultops.cloud.plugins.modules import (
    gcp_secrets_impersonated_accounts,
    gcp_secrets_rolesets,
    gcp_secrets_static_accounts,
)

Runner = t.Callable[..., t.Any]

MOUNT = "gcp-prod"
PROBE = ("GET", f"sys/internal/ui/mounts/{MOUNT}")
PROJECT_RES = "//cloudresourcemanager.googleapis.com/projects/my-proj"
TOPIC = "projects/my-proj/topics/deploys"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
BIGQUERY = "https://www.googleapis.com/auth/bigquery"


def answer(data: t.Any) -> dict[str, t.Any]:
    return {
        "request_id": "0b7c2f9e-5d41-4d7a-9a63-1f0e2c3b4a59",
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": data,
        "wrap_info": None,
        "warnings": None,
        "auth": None,
    }


# reads as vault-plugin-secrets-gcp v0.20.1 answers them (pathRoleSetRead, pathStaticAccountRead,
# pathImpersonatedAccountRead): roles in Go map order, no bindings key on a static account without any
def roleset_read(n: int) -> dict[str, t.Any]:
    return answer(
        {
            "secret_type": "access_token",
            "bindings": {
                PROJECT_RES: ["roles/viewer", "roles/storage.objectViewer"],
                TOPIC: ["roles/pubsub.publisher"],
            },
            "service_account_email": f"vaultrs-{n}-1700000000@my-proj.iam.gserviceaccount.com",
            "project": "my-proj",
            "token_scopes": [SCOPE],
        }
    )


def static_read(n: int) -> dict[str, t.Any]:
    return answer(
        {
            "service_account_project": "my-proj",
            "service_account_email": f"sa-{n}@my-proj.iam.gserviceaccount.com",
            "secret_type": "access_token",
            "token_scopes": [SCOPE],
        }
    )


def impersonated_read(n: int) -> dict[str, t.Any]:
    return answer(
        {
            "service_account_email": f"sa-{n}@my-proj.iam.gserviceaccount.com",
            "token_scopes": [SCOPE],
            "ttl": 900,
        }
    )


# the same resources as the reads, written the other way round: other order, repeats, durations as text
def roleset_item(n: int) -> dict[str, t.Any]:
    return {
        "name": f"rs-{n}",
        "project": "my-proj",
        "bindings": {
            TOPIC: "roles/pubsub.publisher",
            PROJECT_RES: ["roles/storage.objectViewer", "roles/viewer", "roles/viewer"],
        },
        "token_scopes": [SCOPE, SCOPE],
    }


def static_item(n: int) -> dict[str, t.Any]:
    return {
        "name": f"sa-{n}",
        "service_account_email": f"SA-{n}@my-proj.iam.gserviceaccount.com",
        "secret_type": "access_token",
        "token_scopes": [SCOPE],
        "bindings": {},
    }


def impersonated_item(n: int) -> dict[str, t.Any]:
    return {
        "name": f"imp-{n}",
        "service_account_email": f"sa-{n}@my-proj.iam.gserviceaccount.com",
        "token_scopes": [SCOPE],
        "ttl": "15m",
    }


class Kind(t.NamedTuple):
    key: str
    main: t.Callable[[], None]
    path: str  # <mount>/<path>/<name>
    listed_at: str  # LIST <mount>/<listed_at>
    prefix: str  # names are <prefix>-<n>
    read: t.Callable[[int], dict[str, t.Any]]
    item: t.Callable[[int], dict[str, t.Any]]
    # one field changed on an existing item, and what the write must then hold
    change: dict[str, t.Any]
    change_write: dict[str, t.Any]
    # the normalised record of item 0 as the module returns it
    expected: dict[str, t.Any]


ROLESETS = Kind(
    key="rolesets",
    main=gcp_secrets_rolesets.main,
    path="roleset",
    listed_at="rolesets",
    prefix="rs",
    read=roleset_read,
    item=roleset_item,
    change={"token_scopes": [SCOPE, BIGQUERY]},
    change_write={"token_scopes": sorted([SCOPE, BIGQUERY])},
    expected={
        "project": "my-proj",
        "secret_type": "access_token",
        "bindings": {PROJECT_RES: ["roles/storage.objectViewer", "roles/viewer"], TOPIC: ["roles/pubsub.publisher"]},
        "token_scopes": [SCOPE],
    },
)
STATIC_ACCOUNTS = Kind(
    key="static_accounts",
    main=gcp_secrets_static_accounts.main,
    path="static-account",
    listed_at="static-accounts",
    prefix="sa",
    read=static_read,
    item=static_item,
    change={"bindings": {TOPIC: ["roles/pubsub.publisher"]}},
    # the fixed fields go along at their current value: without secret_type the engine takes access_token
    change_write={
        "bindings": f'resource "{TOPIC}" {{\n  roles = [\n    "roles/pubsub.publisher",\n  ]\n}}\n',
        "secret_type": "access_token",
        "service_account_email": "sa-0@my-proj.iam.gserviceaccount.com",
    },
    expected={
        "service_account_email": "sa-0@my-proj.iam.gserviceaccount.com",
        "secret_type": "access_token",
        "bindings": {},
        "token_scopes": [SCOPE],
    },
)
IMPERSONATED = Kind(
    key="impersonated_accounts",
    main=gcp_secrets_impersonated_accounts.main,
    path="impersonated-account",
    listed_at="impersonated-accounts",
    prefix="imp",
    read=impersonated_read,
    item=impersonated_item,
    change={"ttl": "1h"},
    change_write={"ttl": 3600},
    expected={
        "service_account_email": "sa-0@my-proj.iam.gserviceaccount.com",
        "token_scopes": [SCOPE],
        "ttl": 900,
    },
)
KINDS = [
    pytest.param(ROLESETS, id="rolesets"),
    pytest.param(STATIC_ACCOUNTS, id="static_accounts"),
    pytest.param(IMPERSONATED, id="impersonated_accounts"),
]


def name(kind: Kind, n: int) -> str:
    return f"{kind.prefix}-{n}"


def path(kind: Kind, n: int | str) -> str:
    return f"{MOUNT}/{kind.path}/{name(kind, n) if isinstance(n, int) else n}"


def engine(kind: Kind, listed: t.Iterable[int | str], extra: t.Mapping[str, t.Any] | None = None) -> dict[t.Any, t.Any]:
    """The routes of a gcp engine at MOUNT that lists ``listed`` (numbers: resources like ``kind.read(n)``)."""
    routes: dict[t.Any, t.Any] = {PROBE: answer({"type": "gcp", "path": f"{MOUNT}/"})}
    names = []
    for n in listed:
        names.append(name(kind, n) if isinstance(n, int) else n)
        routes[("GET", path(kind, n))] = kind.read(n if isinstance(n, int) else 99)
    routes[("LIST", f"{MOUNT}/{kind.listed_at}")] = answer({"keys": names})
    routes.update(extra or {})
    return routes


def run_bulk(run_module: Runner, kind: Kind, items: t.Any, routes: t.Any, **extra: t.Any) -> t.Any:
    check_mode = extra.pop("check_mode", False)
    args = {"mount_point": MOUNT, kind.key: items, **extra}
    return run_module(kind.main, args, routes, check_mode=check_mode, diff=True)


def requests(run: t.Any) -> list[tuple[str, str]]:
    """Every request the module sent, the mount probe included."""
    return [(call.method, call.path) for call in run.fake.adapter.calls]


# --- no-op converge: 1 mount check + 1 LIST + N reads -----------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", [1, 7])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_noop_converge_costs_n_plus_two_requests(run_module: Runner, kind: Kind, count: int, check_mode: bool) -> None:
    items = [kind.item(n) for n in range(count)]
    run = run_bulk(run_module, kind, items, engine(kind, range(count)), check_mode=check_mode, purge=True)
    assert run.result["changed"] is False
    assert run.result["unchanged"] == sorted(name(kind, n) for n in range(count))
    assert run.result["created"] == run.result["updated"] == run.result["deleted"] == []
    assert run.result["diff"] == []
    assert run.result[kind.key][name(kind, 0)] == kind.expected
    assert requests(run) == [PROBE, ("LIST", f"{MOUNT}/{kind.listed_at}")] + [
        ("GET", path(kind, n)) for n in range(count)
    ]


# --- create, update, check mode -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create_and_update(run_module: Runner, kind: Kind, check_mode: bool) -> None:
    items = [{**kind.item(0), **kind.change}, kind.item(1)]
    run = run_bulk(run_module, kind, items, engine(kind, [0]), check_mode=check_mode)
    assert run.result["changed"] is True
    assert run.result["updated"] == [name(kind, 0)]
    assert run.result["created"] == [name(kind, 1)]
    assert run.result["unchanged"] == run.result["deleted"] == []
    # nothing is read that the list does not name
    assert ("GET", path(kind, 1)) not in requests(run)
    headers = [(d["before_header"], d["after_header"]) for d in run.result["diff"]]
    what = {"rolesets": "roleset", "static_accounts": "static account", "impersonated_accounts": "impersonated account"}
    assert headers == [(f"{what[kind.key]} {name(kind, n)}",) * 2 for n in (0, 1)]
    assert run.result["diff"][1]["before"] == {}
    if check_mode:
        assert run.fake.writes() == []
        return
    update, create = run.fake.writes()
    assert (update.method, update.path, update.json) == ("POST", path(kind, 0), kind.change_write)
    assert (create.method, create.path) == ("POST", path(kind, 1))
    # a creating converge of N costs at most 2N + 3 requests
    assert len(requests(run)) <= 2 * len(items) + 3


def test_roleset_created_with_everything_and_bindings_as_hcl(run_module: Runner) -> None:
    run = run_bulk(run_module, ROLESETS, [roleset_item(0)], engine(ROLESETS, []))
    [create] = run.fake.writes()
    assert {k: v for k, v in create.json.items() if k != "bindings"} == {
        "project": "my-proj",
        "secret_type": "access_token",
        "token_scopes": [SCOPE],
    }
    assert normalise_bindings(create.json["bindings"]) == ROLESETS.expected["bindings"]
    assert run.result["rolesets"]["rs-0"] == ROLESETS.expected


def test_recreate_in_a_list(run_module: Runner) -> None:
    items = [{**roleset_item(0), "project": "other-proj", "recreate": True}, roleset_item(1)]
    run = run_bulk(run_module, ROLESETS, items, engine(ROLESETS, [0, 1]))
    assert run.result["updated"] == ["rs-0"]
    assert run.result["unchanged"] == ["rs-1"]
    assert run.result["rolesets"]["rs-0"]["project"] == "other-proj"
    delete, create = run.fake.writes()
    assert (delete.method, delete.path) == ("DELETE", path(ROLESETS, 0))
    assert (create.method, create.path, create.json["project"]) == ("POST", path(ROLESETS, 0), "other-proj")


# --- purge and state=absent -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_purge_deletes_only_unlisted(run_module: Runner, kind: Kind, check_mode: bool) -> None:
    routes = engine(kind, [0, 1, "old-a", "old-b"])
    run = run_bulk(run_module, kind, [kind.item(0), kind.item(1)], routes, check_mode=check_mode, purge=True)
    assert run.result["changed"] is True
    assert run.result["deleted"] == ["old-a", "old-b"]
    assert run.result["unchanged"] == [name(kind, 0), name(kind, 1)]
    assert sorted(run.result[kind.key]) == [name(kind, 0), name(kind, 1)]
    assert [d["after"] for d in run.result["diff"]] == [{}, {}]
    assert run.fake.writes() == (
        [] if check_mode else [("DELETE", path(kind, "old-a"), None), ("DELETE", path(kind, "old-b"), None)]
    )


@pytest.mark.parametrize("kind", KINDS)
def test_without_purge_nothing_unlisted_is_touched(run_module: Runner, kind: Kind) -> None:
    run = run_bulk(run_module, kind, [kind.item(0)], engine(kind, [0, "old-a"]))
    assert run.result["changed"] is False
    assert run.result["deleted"] == []
    assert run.fake.writes() == []
    assert ("GET", path(kind, "old-a")) not in requests(run)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent_item(run_module: Runner, kind: Kind, check_mode: bool) -> None:
    # the fields of an item to delete are not looked at
    items = [{"name": name(kind, 0), "state": "absent", "token_scopes": []}, {"name": name(kind, 5), "state": "absent"}]
    run = run_bulk(run_module, kind, items, engine(kind, [0]), check_mode=check_mode)
    assert run.result["deleted"] == [name(kind, 0)]
    assert run.result["unchanged"] == [name(kind, 5)]
    assert run.result[kind.key] == {}
    assert run.fake.writes() == ([] if check_mode else [("DELETE", path(kind, 0), None)])


def test_empty_list_with_purge_deletes_everything(run_module: Runner) -> None:
    run = run_bulk(run_module, ROLESETS, [], engine(ROLESETS, [0, 1]), purge=True)
    assert run.result["deleted"] == ["rs-0", "rs-1"]
    assert [(w.method, w.path) for w in run.fake.writes()] == [
        ("DELETE", path(ROLESETS, 0)),
        ("DELETE", path(ROLESETS, 1)),
    ]


# --- bad input: fails before any request ----------------------------------------------------------

BAD_BEFORE_ANY_REQUEST = [
    # Ansible's own element check: no field of ours to name
    pytest.param(ROLESETS, ["reader"], None, "unable to convert to dict", id="rolesets-not-a-dict"),
    pytest.param(ROLESETS, [{"project": "p"}], "rolesets[0]", "name", id="rolesets-no-name"),
    pytest.param(ROLESETS, [{"name": "r", "color": "red"}], "rolesets[0]", "color", id="rolesets-unknown-option"),
    pytest.param(
        ROLESETS, [{"name": "r", "secret_type": "ssh"}], "rolesets[0]", "secret_type", id="rolesets-bad-choice"
    ),
    pytest.param(
        ROLESETS,
        [roleset_item(0), {"name": "r", "bindings": {PROJECT_RES: ["viewer"]}}],
        "rolesets[1].bindings",
        "role 'viewer'",
        id="rolesets-bad-role",
    ),
    pytest.param(
        ROLESETS,
        [{"name": "r", "bindings": 'resource "x" {'}],
        "rolesets[0].bindings",
        "bindings HCL",
        id="rolesets-bad-hcl",
    ),
    pytest.param(ROLESETS, [{"name": "a/b"}], "rolesets[0].name", "is not a valid name", id="rolesets-bad-name"),
    pytest.param(ROLESETS, [{"name": "Reader"}], "rolesets[0].name", "upper-case", id="rolesets-upper-case"),
    pytest.param(ROLESETS, [roleset_item(0), roleset_item(0)], "rolesets[1].name", "listed twice", id="rolesets-twice"),
    pytest.param(
        STATIC_ACCOUNTS,
        [static_item(0), {"name": "s", "bindings": ["roles/viewer"]}],
        "static_accounts[1].bindings",
        "list items must be",
        id="static-bad-bindings",
    ),
    pytest.param(
        STATIC_ACCOUNTS,
        [{"name": "s", "token_scopes": "x", "recreate": "maybe"}],
        "static_accounts[0]",
        "recreate",
        id="static-bad-bool",
    ),
    pytest.param(
        STATIC_ACCOUNTS, [{"name": "s s"}], "static_accounts[0].name", "is not a valid name", id="static-bad-name"
    ),
    pytest.param(
        IMPERSONATED,
        [impersonated_item(0), {"name": "i", "ttl": "soon"}],
        "impersonated_accounts[1].ttl",
        "is not a duration",
        id="impersonated-bad-ttl",
    ),
    pytest.param(
        IMPERSONATED,
        [{"name": "i", "secret_type": "access_token"}],
        "impersonated_accounts[0]",
        "secret_type",
        id="impersonated-unknown-option",
    ),
]


@pytest.mark.parametrize(("kind", "items", "field", "text"), BAD_BEFORE_ANY_REQUEST)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_bad_input_fails_before_any_request(
    *, run_module: Runner, kind: Kind, items: t.Any, field: str | None, text: str, check_mode: bool
) -> None:
    run = run_bulk(run_module, kind, items, engine(kind, [0]), check_mode=check_mode, purge=True)
    assert run.result["failed"] is True
    assert run.result.get("field") == field
    assert text in run.result["msg"]
    assert requests(run) == []


# Rules that depend on what Vault holds fail, naming the item, after the reads and before any write.
BAD_AGAINST_VAULT = [
    pytest.param(
        ROLESETS,
        [{**roleset_item(0), "token_scopes": [BIGQUERY]}, {"name": "rs-1", "token_scopes": [SCOPE]}],
        "rolesets[1].project",
        "is required to create a roleset",
        id="rolesets-create-without-project",
    ),
    pytest.param(
        ROLESETS,
        [{"name": "old", "token_scopes": [BIGQUERY]}, {"name": "rs-0", "project": "other"}],
        "rolesets[1].project",
        "roleset rs-0 has project 'my-proj'",
        id="rolesets-fixed-field",
    ),
    pytest.param(
        STATIC_ACCOUNTS,
        [{**static_item(0), "bindings": {TOPIC: ["roles/viewer"]}}, {"name": "sa-1", "token_scopes": [SCOPE]}],
        "static_accounts[1].service_account_email",
        "is required to create a static account",
        id="static-create-without-email",
    ),
    pytest.param(
        STATIC_ACCOUNTS,
        [{"name": "sa-0", "secret_type": "service_account_key"}],
        "static_accounts[0].secret_type",
        "recreate=true",
        id="static-fixed-field",
    ),
    pytest.param(
        IMPERSONATED,
        [
            {**impersonated_item(0), "ttl": 60},
            {"name": "imp-1", "service_account_email": "x@p.iam.gserviceaccount.com"},
        ],
        "impersonated_accounts[1].token_scopes",
        "is required to create",
        id="impersonated-create-without-scopes",
    ),
]


@pytest.mark.parametrize(("kind", "items", "field", "text"), BAD_AGAINST_VAULT)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_bad_input_against_vault_writes_nothing(
    *, run_module: Runner, kind: Kind, items: t.Any, field: str, text: str, check_mode: bool
) -> None:
    routes = engine(kind, [0, "old"])
    run = run_bulk(run_module, kind, items, routes, check_mode=check_mode, purge=True)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.writes() == []


def test_vault_refusal_names_the_path(run_module: Runner) -> None:
    import hvac.exceptions

    refusal = hvac.exceptions.InvalidRequest(errors=["unable to get project: project not found"])
    routes = engine(ROLESETS, [], {("POST", path(ROLESETS, 0)): refusal})
    run = run_bulk(run_module, ROLESETS, [roleset_item(0)], routes)
    assert run.result["failed"] is True
    assert run.result["path"] == path(ROLESETS, 0)
    assert "project not found" in run.result["msg"]


def test_vault_warnings_name_the_item(run_module: Runner) -> None:
    warning = "unable to delete old service account: it will be cleaned up later"
    routes = engine(ROLESETS, [0], {("POST", path(ROLESETS, 0)): answer(None) | {"warnings": [warning]}})
    item = {**roleset_item(0), "bindings": {TOPIC: ["roles/pubsub.publisher"]}}
    run = run_bulk(run_module, ROLESETS, [item], routes)
    assert run.result["updated"] == ["rs-0"]
    assert any(warning in str(w) and "roleset rs-0" in str(w) for w in run.result["warnings"])


def test_mount_of_another_type_is_refused_before_the_list(run_module: Runner) -> None:
    routes = copy.deepcopy(engine(ROLESETS, [0]))
    routes[PROBE] = answer({"type": "kv", "path": f"{MOUNT}/"})
    run = run_bulk(run_module, ROLESETS, [roleset_item(0)], routes)
    assert run.result["failed"] is True
    assert run.result["field"] == "mount_point"
    assert requests(run) == [PROBE]
