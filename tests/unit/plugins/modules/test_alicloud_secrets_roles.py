# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""alicloud_secrets_roles: many roles in one module process, against the fake hvac client."""

from __future__ import annotations

import copy
import json
import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import alicloud_secrets_roles

Runner = t.Callable[..., t.Any]

ROLE_ARN = "acs:ram::5138828231865461:role/hastrustedactors"
OSS = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:*"], "Resource": ["acs:oss:*:*:*"]}]}
RDS = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["rds:*"], "Resource": ["acs:rds:*:*:*"]}]}
OSS_JSON = '{"Statement":[{"Action":["oss:*"],"Effect":"Allow","Resource":["acs:oss:*:*:*"]}],"Version":"1"}'
OSS_RO = {"name": "AliyunOSSReadOnlyAccess", "type": "System"}
RDS_RO = {"name": "AliyunRDSReadOnlyAccess", "type": "System"}
MOUNT = "ali-prod"
PROBE = ("GET", f"sys/internal/ui/mounts/{MOUNT}")
LIST = ("LIST", f"{MOUNT}/role")


def answer(data: t.Any) -> dict[str, t.Any]:
    return {
        "request_id": "1b5842ca-d7e7-17b8-7f78-b4204865178f",
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": data,
        "wrap_info": None,
        "warnings": None,
        "auth": None,
    }


# GET <mount>/role/<name> as vault-plugin-secrets-alicloud v0.18.0 answers it: a fresh hash per inline
# document on every write, null for policy lists never set
def ram_read(n: int) -> dict[str, t.Any]:
    return answer(
        {
            "inline_policies": [
                {"hash": f"{n:032x}", "policy_document": RDS},
                {"hash": f"{n + 1000:032x}", "policy_document": OSS},
            ],
            "max_ttl": 43200,
            "remote_policies": [OSS_RO],
            "role_arn": "",
            "ttl": 3600,
        }
    )


STS_READ = answer({"inline_policies": None, "max_ttl": 0, "remote_policies": None, "role_arn": ROLE_ARN, "ttl": 0})


def ram_item(n: int) -> dict[str, t.Any]:
    # the same role as ram_read(n), given the other way round: documents as JSON and data, other order
    return {"name": f"ram-{n}", "inline_policies": [OSS_JSON, RDS], "remote_policies": [OSS_RO], "ttl": "1h"}


def engine(names: list[str], reads: dict[str, dict[str, t.Any]]) -> dict[tuple[str, str], t.Any]:
    """The routes of an engine at MOUNT that lists ``names`` and answers ``reads``."""
    routes: dict[tuple[str, str], t.Any] = {PROBE: answer({"type": "alicloud", "path": f"{MOUNT}/"})}
    routes[LIST] = answer({"keys": names})
    for name, read in reads.items():
        routes[("GET", f"{MOUNT}/role/{name}")] = copy.deepcopy(read)
    return routes


def run_roles(run_module: Runner, roles: t.Any, routes: t.Any, *, check_mode: bool = False, **extra: t.Any) -> t.Any:
    args = {"mount_point": MOUNT, "roles": roles, **extra}
    return run_module(alicloud_secrets_roles.main, args, routes, check_mode=check_mode, diff=True)


# --- request economy ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 5, 30])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_noop_converge_costs_one_mount_check_one_list_and_one_read_per_role(
    run_module: Runner, count: int, check_mode: bool
) -> None:
    names = [f"ram-{n}" for n in range(count)]
    reads = {f"ram-{n}": ram_read(n) for n in range(count)}
    run = run_roles(run_module, [ram_item(n) for n in range(count)], engine(names, reads), check_mode=check_mode)
    assert run.result["changed"] is False, run.result
    assert run.result["unchanged"] == sorted(names)
    assert (run.result["created"], run.result["updated"], run.result["deleted"]) == ([], [], [])
    calls = [(c.method, c.path) for c in run.fake.adapter.calls]
    assert calls == [PROBE, LIST] + [("GET", f"{MOUNT}/role/{name}") for name in names]
    assert run.result["diff"] == []
    assert "hash" not in json.dumps(run.result)


# --- changes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create_update_and_keep(run_module: Runner, check_mode: bool) -> None:
    routes = engine(["ram-0", "sts"], {"ram-0": ram_read(0), "sts": STS_READ})
    roles = [
        {"name": "sts", "role_arn": ROLE_ARN},  # unchanged
        {"name": "ram-0", "inline_policies": [OSS]},  # one document less
        {"name": "new", "remote_policies": ["name:AliyunRDSReadOnlyAccess,type:System"], "max_ttl": "2h"},
    ]
    run = run_roles(run_module, roles, routes, check_mode=check_mode)
    assert run.result["changed"] is True
    assert run.result["created"] == ["new"]
    assert run.result["updated"] == ["ram-0"]
    assert run.result["unchanged"] == ["sts"]
    assert run.result["deleted"] == []
    assert run.result["roles"] == {
        "sts": {"inline_policies": [], "remote_policies": [], "role_arn": ROLE_ARN, "ttl": 0, "max_ttl": 0},
        "ram-0": {
            "inline_policies": [OSS],
            "remote_policies": [OSS_RO],
            "role_arn": "",
            "ttl": 3600,
            "max_ttl": 43200,
        },
        "new": {"remote_policies": [RDS_RO], "role_arn": "", "max_ttl": 7200},
    }
    diffs = {d["before_header"]: d for d in run.result["diff"]}
    assert sorted(diffs) == ["role new", "role ram-0"]
    assert diffs["role new"]["before"] == {}
    assert diffs["role ram-0"]["before"]["inline_policies"] == [OSS, RDS]
    assert diffs["role ram-0"]["after"]["inline_policies"] == [OSS]
    expected = [
        ("POST", f"{MOUNT}/role/ram-0", {"role_arn": "", "inline_policies": f"[{OSS_JSON}]"}),
        (
            "POST",
            f"{MOUNT}/role/new",
            {"role_arn": "", "remote_policies": ["name:AliyunRDSReadOnlyAccess,type:System"], "max_ttl": 7200},
        ),
    ]
    assert run.fake.writes() == ([] if check_mode else expected)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_purge_deletes_only_what_the_list_does_not_name(run_module: Runner, check_mode: bool) -> None:
    routes = engine(
        ["keep", "old-a", "old-b", "sts"],
        {"keep": ram_read(1), "old-a": ram_read(2), "old-b": STS_READ, "sts": STS_READ},
    )
    roles = [{"name": "keep"}, {"name": "STS", "role_arn": ROLE_ARN}]
    run = run_roles(run_module, roles, routes, check_mode=check_mode, purge=True)
    assert run.result["changed"] is True
    assert run.result["deleted"] == ["old-a", "old-b"]
    # the engine lists names in lower case: STS is the listed sts, neither created nor purged
    assert run.result["unchanged"] == ["keep", "sts"]
    assert run.result["created"] == []
    assert sorted(run.result["roles"]) == ["keep", "sts"]
    deleted = {d["before_header"]: d for d in run.result["diff"]}
    assert deleted["role old-a"]["after"] == {}
    assert deleted["role old-a"]["before"]["remote_policies"] == [OSS_RO]
    expected = [("DELETE", f"{MOUNT}/role/old-a", None), ("DELETE", f"{MOUNT}/role/old-b", None)]
    assert run.fake.writes() == ([] if check_mode else expected)


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_without_purge_unlisted_roles_stay(run_module: Runner, check_mode: bool) -> None:
    routes = engine(["keep", "other"], {"keep": ram_read(1), "other": STS_READ})
    run = run_roles(run_module, [{"name": "keep"}], routes, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.result["deleted"] == []
    assert run.fake.writes() == []
    assert ("GET", f"{MOUNT}/role/other", None) not in run.fake.calls


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_state_absent_in_the_list(run_module: Runner, check_mode: bool) -> None:
    routes = engine(["gone"], {"gone": STS_READ})
    roles = [{"name": "gone", "state": "absent"}, {"name": "never", "state": "absent"}]
    run = run_roles(run_module, roles, routes, check_mode=check_mode)
    assert run.result["changed"] is True
    assert run.result["deleted"] == ["gone"]
    assert run.result["unchanged"] == ["never"]
    assert run.result["roles"] == {}
    assert run.fake.writes() == ([] if check_mode else [("DELETE", f"{MOUNT}/role/gone", None)])
    assert ("GET", f"{MOUNT}/role/never", None) not in run.fake.calls  # not listed: not read


def test_an_empty_list_with_purge_deletes_every_role(run_module: Runner) -> None:
    routes = engine(["a", "b"], {"a": STS_READ, "b": ram_read(3)})
    run = run_roles(run_module, [], routes, purge=True)
    assert run.result["deleted"] == ["a", "b"]
    assert run.fake.writes() == [("DELETE", f"{MOUNT}/role/a", None), ("DELETE", f"{MOUNT}/role/b", None)]


# --- bad input: the task fails naming the item, before any request ---------------------------------


@pytest.mark.parametrize(
    ("roles", "field", "text"),
    [
        pytest.param(
            [{"name": "ok", "role_arn": ROLE_ARN}, {"name": "mixed", "role_arn": ROLE_ARN, "inline_policies": [OSS]}],
            "roles[1].role_arn",
            "cannot be combined with inline_policies",
            id="arn-and-policies",
        ),
        pytest.param(
            [{"name": "bad-json", "inline_policies": ["{oops"]}],
            "roles[0].inline_policies",
            "item 1 is not valid JSON",
            id="bad-json",
        ),
        pytest.param(
            [{"name": "r", "remote_policies": [OSS_RO, "name:AliyunOSSReadOnlyAccess,type:System"]}],
            "roles[0].remote_policies",
            "lists AliyunOSSReadOnlyAccess (System) twice",
            id="duplicate-remote",
        ),
        pytest.param(
            [{"name": "r", "remote_policies": [{"name": "X", "type": "system"}]}],
            "roles[0].remote_policies",
            "type must be one of System, Custom",
            id="remote-type",
        ),
        pytest.param(
            [{"name": "r", "role_arn": ROLE_ARN}, {"name": "a/b", "role_arn": ROLE_ARN}],
            "roles[1].name",
            "'a/b' is not a role name",
            id="bad-name",
        ),
        pytest.param(
            [{"name": "sts", "role_arn": ROLE_ARN}, {"name": "STS", "role_arn": ROLE_ARN}],
            "roles[1].name",
            "'STS' is listed twice",
            id="same-name-other-case",
        ),
        pytest.param(
            [{"name": "r", "ttl": "2h", "max_ttl": "1h"}], "roles[0].ttl", "must not exceed max_ttl", id="ttl-order"
        ),
        pytest.param([{"name": "r", "ttl": "soon"}], "roles[0].ttl", "is not a duration", id="bad-duration"),
        pytest.param([{"name": "r", "colour": "red"}], "roles[0]", "colour", id="unknown-option"),
        pytest.param([{"role_arn": ROLE_ARN}], "roles[0]", "name", id="no-name"),
        pytest.param([{"name": "r", "state": "gone"}], "roles[0]", "state", id="bad-state"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_bad_input_fails_before_any_request(
    run_module: Runner, roles: list[t.Any], field: str, text: str, check_mode: bool
) -> None:
    run = run_roles(run_module, roles, engine([], {}), check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.adapter.calls == []


def test_an_item_that_is_not_a_dict_fails_before_any_request(run_module: Runner) -> None:
    run = run_roles(run_module, [{"name": "ok", "role_arn": ROLE_ARN}, "sts"], engine([], {}))
    assert run.result["failed"] is True
    assert "Elements value for option 'roles' is of type str and we were unable to convert to dict" in run.result["msg"]
    assert run.fake.adapter.calls == []


@pytest.mark.parametrize(
    ("roles", "field", "text"),
    [
        pytest.param(
            [{"name": "fine", "role_arn": ROLE_ARN}, {"name": "ram-0", "inline_policies": [], "remote_policies": []}],
            "roles[1].role_arn",
            "a role needs role_arn, or at least one policy",
            id="emptied",
        ),
        pytest.param(
            [{"name": "fine", "role_arn": ROLE_ARN}, {"name": "ram-0", "ttl": "13h"}],
            "roles[1].ttl",
            "(46800s) must not exceed max_ttl (43200s)",
            id="ttl-over-stored-max",
        ),
        pytest.param(
            [{"name": "fine", "role_arn": ROLE_ARN}, {"name": "brand-new", "ttl": "1h"}],
            "roles[1].role_arn",
            "a role needs role_arn",
            id="create-without-kind",
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_rules_on_the_stored_role_fail_before_any_write(
    run_module: Runner, roles: list[t.Any], field: str, text: str, check_mode: bool
) -> None:
    run = run_roles(run_module, roles, engine(["ram-0"], {"ram-0": ram_read(0)}), check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.writes() == []  # not even the first, good item


def test_vault_warnings_name_the_role(run_module: Runner) -> None:
    warning = "role_arn is set so ttl and max_ttl will be ignored because they're not editable on STS tokens"
    routes = engine([], {})
    routes[("POST", f"{MOUNT}/role/sts")] = answer(None) | {"warnings": [warning]}
    run = run_roles(run_module, [{"name": "sts", "role_arn": ROLE_ARN, "ttl": "1h"}], routes)
    assert run.result["changed"] is True
    # ansible-core 2.21 reports warnings as structured events, 2.19 as strings (and 2.19 keeps the warnings of
    # earlier in-process runs: count this one only)
    assert json.dumps(run.result["warnings"]).count(f"Vault (role sts): {warning}") == 1


def test_a_kv_mount_is_refused_before_the_list(run_module: Runner) -> None:
    routes = {PROBE: answer({"type": "kv", "path": f"{MOUNT}/"})}
    run = run_roles(run_module, [{"name": "sts", "role_arn": ROLE_ARN}], routes, purge=True)
    assert run.result["failed"] is True
    assert "is a 'kv' secrets engine, not a 'alicloud' secrets engine" in run.result["msg"]
    assert [(c.method, c.path) for c in run.fake.adapter.calls] == [PROBE]
