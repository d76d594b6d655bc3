# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""aws_secrets_roles: many roles in one module process, the request bounds of issue 6, against the fake hvac."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import aws_secrets_roles

Runner = t.Callable[..., t.Any]
Json = t.Callable[[str], dict[str, t.Any]]
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
POLICY_WIRE = '{"Statement":[{"Action":"s3:*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}'
READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
PROBE = ("GET", "sys/internal/ui/mounts/aws")
LIST = ("LIST", "aws/roles")


def names(count: int) -> list[str]:
    return [f"role-{n:03d}" for n in range(count)]


def item(name: str, **fields: t.Any) -> dict[str, t.Any]:
    """A role as aws_role_deploy.json holds it (the policy given as data)."""
    return {"name": name, "credential_type": "iam_user", "policy_document": POLICY, **fields}


@pytest.fixture
def engine(vault_json: Json) -> t.Callable[[list[str]], dict[tuple[str, str], t.Any]]:
    """The routes of an engine at ``aws`` that lists ``names``, each role as aws_role_deploy.json."""

    def routes(listed: list[str]) -> dict[tuple[str, str], t.Any]:
        answer = vault_json("aws_roles_list")
        answer["data"]["keys"] = listed
        table: dict[tuple[str, str], t.Any] = {PROBE: {"data": {"type": "aws", "path": "aws/"}}, LIST: answer}
        for name in listed:
            table[("GET", f"aws/roles/{name}")] = vault_json("aws_role_deploy")
        return table

    return routes


def converge(run_module: Runner, roles: t.Any, routes: t.Any, *, check_mode: bool = False, **extra: t.Any) -> t.Any:
    return run_module(aws_secrets_roles.main, {"roles": roles, **extra}, routes, check_mode=check_mode, diff=True)


def requests(run: t.Any) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in run.fake.adapter.calls]


# --- request economy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3, 25])
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_no_op_converge_is_one_mount_check_one_list_and_one_read_per_role(
    run_module: Runner, engine: t.Callable[..., t.Any], count: int, check_mode: bool
) -> None:
    listed = names(count)
    run = converge(run_module, [item(n) for n in listed], engine(listed), check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.result["unchanged"] == listed
    assert (run.result["created"], run.result["updated"], run.result["deleted"]) == ([], [], [])
    assert run.result["diff"] == []
    assert requests(run) == [PROBE, LIST, *(("GET", f"aws/roles/{n}") for n in listed)]
    assert len(run.fake.adapter.calls) == count + 2


@pytest.mark.parametrize("count", [1, 3, 25])
def test_creating_converge_writes_each_role_and_reads_none(run_module: Runner, count: int) -> None:
    wanted = names(count)
    run = converge(run_module, [item(n, policy_arns=[READONLY]) for n in wanted], {})
    assert run.result["changed"] is True
    assert run.result["created"] == wanted
    assert requests(run) == [PROBE, LIST, *(("POST", f"aws/roles/{n}") for n in wanted)]
    assert run.fake.writes()[0].json == {
        "credential_type": "iam_user",
        "policy_document": POLICY_WIRE,
        "policy_arns": [READONLY],
    }


def test_only_listed_roles_are_read(run_module: Runner, engine: t.Callable[..., t.Any]) -> None:
    """Vault has ci, deploy and readonly; the task names deploy and a new one: ci and readonly are not read."""
    run = converge(run_module, [item("deploy"), item("fresh")], engine(["ci", "deploy", "readonly"]))
    assert (run.result["unchanged"], run.result["created"]) == (["deploy"], ["fresh"])
    assert requests(run) == [PROBE, LIST, ("GET", "aws/roles/deploy"), ("POST", "aws/roles/fresh")]


# --- changes, check mode, diff -----------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_mixed_converge(run_module: Runner, engine: t.Callable[..., t.Any], check_mode: bool) -> None:
    roles = [
        item("ci"),
        item("deploy", policy_arns=[READONLY]),
        {"name": "readonly", "state": "absent"},
        item("fresh", user_path="/vault/"),
    ]
    run = converge(run_module, roles, engine(["ci", "deploy", "readonly"]), check_mode=check_mode)
    result = run.result
    assert result["changed"] is True
    assert (result["unchanged"], result["updated"], result["deleted"], result["created"]) == (
        ["ci"],
        ["deploy"],
        ["readonly"],
        ["fresh"],
    )
    assert sorted(result["roles"]) == ["ci", "deploy", "fresh"]
    assert result["roles"]["deploy"]["policy_arns"] == [READONLY]
    # one diff per changed role, headed by its name
    assert [(d["before_header"], d["after_header"]) for d in result["diff"]] == [
        ("role deploy", "role deploy"),
        ("role readonly", "role readonly"),
        ("role fresh", "role fresh"),
    ]
    deploy, readonly, fresh = result["diff"]
    assert (deploy["before"]["policy_arns"], deploy["after"]["policy_arns"]) == ([], [READONLY])
    assert readonly["after"] == {}
    assert fresh["before"] == {}
    assert fresh["after"]["user_path"] == "/vault/"
    writes = [(c.method, c.path) for c in run.fake.writes()]
    expected = [("POST", "aws/roles/deploy"), ("DELETE", "aws/roles/readonly"), ("POST", "aws/roles/fresh")]
    assert writes == ([] if check_mode else expected)
    reads = [c.path for c in run.fake.calls if c.method == "GET"]
    assert reads == ["aws/roles/ci", "aws/roles/deploy", "aws/roles/readonly"]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_purge_deletes_only_the_unlisted(run_module: Runner, engine: t.Callable[..., t.Any], check_mode: bool) -> None:
    run = converge(
        run_module, [item("deploy")], engine(["ci", "deploy", "readonly"]), check_mode=check_mode, purge=True
    )
    assert run.result["changed"] is True
    assert run.result["deleted"] == ["ci", "readonly"]
    assert run.result["unchanged"] == ["deploy"]
    assert sorted(run.result["roles"]) == ["deploy"]
    assert [d["before_header"] for d in run.result["diff"]] == ["role ci", "role readonly"]
    deletes = [] if check_mode else [("DELETE", "aws/roles/ci"), ("DELETE", "aws/roles/readonly")]
    assert [(c.method, c.path) for c in run.fake.writes()] == deletes


def test_without_purge_unlisted_roles_stay(run_module: Runner, engine: t.Callable[..., t.Any]) -> None:
    run = converge(run_module, [item("deploy")], engine(["ci", "deploy", "readonly"]))
    assert run.result["changed"] is False
    assert run.result["deleted"] == []
    assert run.fake.writes() == []


def test_purge_of_an_empty_list_deletes_everything(run_module: Runner, engine: t.Callable[..., t.Any]) -> None:
    run = converge(run_module, [], engine(["ci", "deploy"]), purge=True)
    assert run.result["deleted"] == ["ci", "deploy"]
    assert [(c.method, c.path) for c in run.fake.writes()] == [
        ("DELETE", "aws/roles/ci"),
        ("DELETE", "aws/roles/deploy"),
    ]


def test_second_run_changes_nothing(run_module: Runner, engine: t.Callable[..., t.Any], vault_json: Json) -> None:
    """After the create of the first run, Vault answers the role back: the second run is a no-op."""
    first = converge(run_module, [item("deploy")], {})
    assert first.result["created"] == ["deploy"]
    second = converge(run_module, [item("deploy")], engine(["deploy"]))
    assert second.result["changed"] is False
    assert second.fake.writes() == []


# --- bad input: the whole list fails, naming the item, before any request ------------------------------------


@pytest.mark.parametrize(
    ("roles", "field"),
    [
        ([item("ok"), item("ok-2", credential_type="root_user")], "roles[1]"),
        ([item("ok"), {"credential_type": "iam_user"}], "roles[1]"),
        ([item("ok"), item("ok-2"), item("a/b")], "roles[2].name"),
        ([item("bad name")], "roles[0].name"),
        ([item("ok", user_path="vault")], "roles[0].user_path"),
        (
            [item("ok", default_sts_ttl="soon", credential_type="assumed_role", role_arns=["arn:x"])],
            "roles[0].default_sts_ttl",
        ),
        ([item("ok"), item("ok")], "roles[1].name"),
        ([item("ok", unknown_field=1)], "roles[0]"),
    ],
    ids=["bad-choice", "no-name", "path-in-name", "space", "user-path", "bad-ttl", "twice", "unknown"],
)
def test_a_bad_item_fails_before_any_request(run_module: Runner, roles: list[t.Any], field: str) -> None:
    run = converge(run_module, roles, {})
    assert run.result["failed"] is True, run.result
    assert run.result["field"] == field or run.result["field"].startswith(f"{field}.")
    assert run.result["msg"].startswith(f"invalid value for {field}")
    assert run.fake.adapter.calls == []


def test_an_item_that_is_not_a_dict_fails_before_any_request(run_module: Runner) -> None:
    run = converge(run_module, [item("ok"), "deploy"], {})
    assert run.result["failed"] is True
    assert "Elements value for option 'roles' is of type str" in run.result["msg"]
    assert run.fake.adapter.calls == []


def test_good_items_before_a_bad_one_are_not_written(run_module: Runner, engine: t.Callable[..., t.Any]) -> None:
    roles = [
        item("ci", policy_arns=[READONLY]),
        {"name": "deploy", "credential_type": "assumed_role", "user_path": "/x/"},
    ]
    run = converge(run_module, roles, engine(["ci", "deploy"]))
    assert run.result["failed"] is True
    assert run.result["field"] == "roles[1].user_path"
    assert run.result["msg"] == (
        "invalid value for roles[1].user_path: is not valid with credential_type assumed_role (only with iam_user)"
    )
    assert run.fake.adapter.calls == []


def test_another_engine_at_the_mount_is_refused(run_module: Runner) -> None:
    run = converge(run_module, [item("deploy")], {PROBE: {"data": {"type": "kv", "path": "aws/"}}})
    assert run.result["failed"] is True
    assert run.result["field"] == "mount_point"
    assert requests(run) == [PROBE]


# --- the mount in the same process (option mount: what the bundled role uses) -------------------------------

MOUNTS = ("GET", "sys/mounts")
SETTINGS = {"description": "Short-lived AWS credentials", "default_lease_ttl": "1h"}


def mounted(vault_json: Json, listed: list[str]) -> dict[tuple[str, str], t.Any]:
    """sys/mounts has aws/ (default_lease_ttl 3600, that description); the engine lists ``listed``."""
    answer = vault_json("aws_roles_list")
    answer["data"]["keys"] = listed
    table: dict[tuple[str, str], t.Any] = {MOUNTS: vault_json("sys_mounts"), LIST: answer}
    for name in listed:
        table[("GET", f"aws/roles/{name}")] = vault_json("aws_role_deploy")
    return table


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_no_op_with_the_mount_reads_the_mounts_instead_of_the_mount_check(
    run_module: Runner, vault_json: Json, check_mode: bool
) -> None:
    listed = names(3)
    run = converge(
        run_module, [item(n) for n in listed], mounted(vault_json, listed), check_mode=check_mode, mount=SETTINGS
    )
    assert run.result["changed"] is False
    assert run.result["diff"] == []
    assert requests(run) == [MOUNTS, LIST, *(("GET", f"aws/roles/{n}") for n in listed)]
    assert run.result["mount"]["type"] == "aws"
    assert run.result["mount"]["default_lease_ttl"] == 3600
    assert run.result["mount"]["description"] == "Short-lived AWS credentials"


def test_a_new_mount_is_enabled_before_the_roles_and_nothing_there_is_read(run_module: Runner) -> None:
    wanted = names(2)
    run = converge(run_module, [item(n) for n in wanted], {MOUNTS: {"data": {}}}, mount=SETTINGS)
    assert run.result["changed"] is True
    assert run.result["created"] == wanted
    assert requests(run) == [MOUNTS, ("POST", "sys/mounts/aws"), *(("POST", f"aws/roles/{n}") for n in wanted)]
    assert run.fake.writes()[0].json == {
        "type": "aws",
        "description": "Short-lived AWS credentials",
        "config": {"default_lease_ttl": "3600s"},
    }
    assert run.result["diff"][0]["before_header"] == "secrets engine mount aws/"
    assert (run.result["diff"][0]["before"], run.result["diff"][0]["after"]["type"]) == ({}, "aws")
    assert [d["after_header"] for d in run.result["diff"][1:]] == [f"role {n}" for n in wanted]


def test_check_mode_with_a_new_mount_reads_the_mounts_only(run_module: Runner) -> None:
    run = converge(run_module, [item("deploy")], {MOUNTS: {"data": {}}}, check_mode=True, mount=SETTINGS)
    assert run.result["changed"] is True
    assert run.result["created"] == ["deploy"]
    assert requests(run) == [MOUNTS]
    assert not any("not mounted yet" in w for w in run.result.get("warnings", []))


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_a_changed_mount_setting_is_tuned_before_the_role_writes(
    run_module: Runner, vault_json: Json, check_mode: bool
) -> None:
    run = converge(
        run_module,
        [item("fresh")],
        mounted(vault_json, []),
        check_mode=check_mode,
        mount={"default_lease_ttl": 7200},
    )
    assert run.result["changed"] is True
    diff = run.result["diff"][0]
    assert (diff["before"]["default_lease_ttl"], diff["after"]["default_lease_ttl"]) == (3600, 7200)
    writes = [(c.method, c.path) for c in run.fake.writes()]
    if check_mode:
        assert writes == []
    else:
        assert writes == [("POST", "sys/mounts/aws/tune"), ("POST", "aws/roles/fresh")]
        assert run.fake.writes()[0].json == {"default_lease_ttl": "7200s"}


def test_another_engine_at_the_mount_is_refused_naming_mount_type(run_module: Runner, vault_json: Json) -> None:
    table = {MOUNTS: vault_json("sys_mounts")}
    run = converge(run_module, [item("deploy")], table, mount_point="kv", mount={})
    assert run.result["failed"] is True
    assert run.result["field"] == "mount.type"
    assert "'kv'" in run.result["msg"]
    assert requests(run) == [MOUNTS]


def test_a_bad_mount_setting_fails_naming_it_before_any_write(run_module: Runner, vault_json: Json) -> None:
    run = converge(run_module, [item("deploy")], {MOUNTS: {"data": {}}}, mount={"max_lease_ttl": "1.5"})
    assert run.result["failed"] is True
    assert run.result["field"] == "mount.max_lease_ttl"
    assert run.fake.writes() == []


def test_a_bad_item_fails_before_the_mount_is_read(run_module: Runner) -> None:
    run = converge(run_module, [item("deploy", credential_type="nope")], {}, mount=SETTINGS)
    assert run.result["failed"] is True
    assert run.fake.adapter.calls == []
