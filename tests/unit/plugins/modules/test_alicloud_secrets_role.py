# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import json
import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import alicloud_secrets_role

Runner = t.Callable[..., t.Any]

ROLE_ARN = "acs:ram::5138828231865461:role/hastrustedactors"
OSS = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:*"], "Resource": ["acs:oss:*:*:*"]}]}
RDS = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["rds:*"], "Resource": ["acs:rds:*:*:*"]}]}
OSS_JSON = '{"Statement":[{"Action":["oss:*"],"Effect":"Allow","Resource":["acs:oss:*:*:*"]}],"Version":"1"}'
RDS_JSON = '{"Statement":[{"Action":["rds:*"],"Effect":"Allow","Resource":["acs:rds:*:*:*"]}],"Version":"1"}'
OSS_RO = {"name": "AliyunOSSReadOnlyAccess", "type": "System"}
RDS_RO = {"name": "AliyunRDSReadOnlyAccess", "type": "System"}
RAM_PATH = "alicloud/role/deploy"
STS_PATH = "alicloud/role/sts"


def answer(data: dict[str, t.Any] | None, warnings: list[str] | None = None) -> dict[str, t.Any]:
    return {
        "request_id": "1b5842ca-d7e7-17b8-7f78-b4204865178f",
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": data,
        "wrap_info": None,
        "warnings": warnings,
        "auth": None,
    }


# GET alicloud/role/<name> as vault-plugin-secrets-alicloud v0.18.0 answers it (recorded from the plugin):
# inline policies carry a hash drawn anew on every write; never-set policy lists are null
RAM_READ = answer(
    {
        "inline_policies": [
            {"hash": "0b321e3eadf734fee8eae065411efdd3", "policy_document": OSS},
            {"hash": "9f1c2b3a4d5e6f708192a3b4c5d6e7f8", "policy_document": RDS},
        ],
        "max_ttl": 43200,
        "remote_policies": [OSS_RO, RDS_RO],
        "role_arn": "",
        "ttl": 3600,
    }
)
STS_READ = answer(
    {"inline_policies": None, "max_ttl": 0, "remote_policies": None, "role_arn": ROLE_ARN, "ttl": 0},
)
STS_WARNING = "role_arn is set so ttl and max_ttl will be ignored because they're not editable on STS tokens"

# the module's inline policies: the documents without the engine's hashes, sorted by their canonical JSON
# (written out by hand: '{"Statement":[{"Action":["oss:*"]...' sorts before '...["rds:*"]...')
INLINE_SORTED = [OSS, RDS]

RAM_ROLE = {
    "inline_policies": INLINE_SORTED,
    "remote_policies": [OSS_RO, RDS_RO],
    "role_arn": "",
    "ttl": 3600,
    "max_ttl": 43200,
}


@pytest.fixture
def vault() -> dict[tuple[str, str], t.Any]:
    return {("GET", RAM_PATH): copy.deepcopy(RAM_READ), ("GET", STS_PATH): copy.deepcopy(STS_READ)}


def ram(**args: t.Any) -> dict[str, t.Any]:
    return {"name": "deploy", **args}


def sts(**args: t.Any) -> dict[str, t.Any]:
    return {"name": "sts", **args}


# --- idempotence against the engine's answers -----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(ram(inline_policies=[OSS, RDS], remote_policies=[OSS_RO, RDS_RO]), id="as-data"),
        pytest.param(ram(inline_policies=[RDS, OSS], remote_policies=[RDS_RO, OSS_RO]), id="other-order"),
        pytest.param(
            ram(
                inline_policies=[json.dumps(RDS, indent=2), OSS_JSON],
                remote_policies=[
                    "name:AliyunOSSReadOnlyAccess,type:System",
                    "type:System,name:AliyunRDSReadOnlyAccess",
                ],
            ),
            id="json-and-strings",
        ),
        pytest.param(ram(inline_policies=json.dumps([OSS, RDS])), id="whole-list-json"),
        pytest.param(
            ram(inline_policies=[OSS, RDS], remote_policies=[OSS_RO, RDS_RO], role_arn="", ttl="1h", max_ttl="12h"),
            id="every-field",
        ),
        pytest.param(ram(ttl=3600, max_ttl="43200s"), id="durations-only"),
        pytest.param(ram(), id="name-only"),
        pytest.param({"name": "Deploy", "inline_policies": [OSS, RDS]}, id="upper-case-name"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged_ram(run_module: Runner, vault: dict[t.Any, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    routes = dict(vault)
    if args["name"] == "Deploy":  # the engine lower-cases names; the fake routes by the path asked for
        routes[("GET", "alicloud/role/Deploy")] = routes[("GET", RAM_PATH)]
    run = run_module(alicloud_secrets_role.main, args, routes, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False, run.result
    assert run.fake.writes() == []
    assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert run.result["role"]["inline_policies"] == INLINE_SORTED
    assert run.result["role"]["remote_policies"] == [OSS_RO, RDS_RO]
    assert "hash" not in json.dumps(run.result)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(sts(role_arn=ROLE_ARN), id="arn"),
        pytest.param(sts(role_arn=ROLE_ARN, inline_policies=[], remote_policies=[]), id="arn-empty-policies"),
        pytest.param(sts(role_arn=ROLE_ARN, ttl=0, max_ttl="0s"), id="zero-ttls"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged_sts(run_module: Runner, vault: dict[t.Any, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(alicloud_secrets_role.main, args, vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.fake.writes() == []
    assert run.result["role"] == {
        "inline_policies": [],
        "remote_policies": [],
        "role_arn": ROLE_ARN,
        "ttl": 0,
        "max_ttl": 0,
    }


# --- changes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create_ram(run_module: Runner, check_mode: bool) -> None:
    args = ram(
        mount_point="ali-prod",
        inline_policies=[OSS, RDS_JSON],
        remote_policies=[OSS_RO, "name:AliyunRDSReadOnlyAccess,type:System"],
        ttl="1h",
        max_ttl="12h",
    )
    run = run_module(alicloud_secrets_role.main, args, {}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["diff"]["before"] == {}
    assert run.result["role"] == RAM_ROLE
    assert run.result["diff"]["after"] == run.result["role"]
    assert ("GET", "ali-prod/role/deploy", None) in run.fake.calls
    expected = (
        []
        if check_mode
        else [
            (
                "POST",
                "ali-prod/role/deploy",
                {
                    "role_arn": "",
                    "inline_policies": f"[{OSS_JSON},{RDS_JSON}]",
                    "remote_policies": [
                        "name:AliyunOSSReadOnlyAccess,type:System",
                        "name:AliyunRDSReadOnlyAccess,type:System",
                    ],
                    "ttl": 3600,
                    "max_ttl": 43200,
                },
            )
        ]
    )
    assert run.fake.writes() == expected


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create_sts(run_module: Runner, check_mode: bool) -> None:
    run = run_module(alicloud_secrets_role.main, sts(role_arn=ROLE_ARN), {}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["role"] == {"role_arn": ROLE_ARN, "inline_policies": [], "remote_policies": []}
    expected = (
        []
        if check_mode
        else [("POST", STS_PATH, {"role_arn": ROLE_ARN, "inline_policies": "[]", "remote_policies": []})]
    )
    assert run.fake.writes() == expected


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_update_inline_only(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(alicloud_secrets_role.main, ram(inline_policies=[OSS]), vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    before, after = run.result["diff"]["before"], run.result["diff"]["after"]
    assert before["inline_policies"] == INLINE_SORTED
    assert after["inline_policies"] == [OSS]
    assert after["remote_policies"] == [OSS_RO, RDS_RO]  # not set: kept, and not sent
    expected = [] if check_mode else [("POST", RAM_PATH, {"role_arn": "", "inline_policies": f"[{OSS_JSON}]"})]
    assert run.fake.writes() == expected


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_ram_to_sts_clears_the_policies(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(alicloud_secrets_role.main, ram(role_arn=ROLE_ARN), vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    after = run.result["diff"]["after"]
    assert (after["role_arn"], after["inline_policies"], after["remote_policies"]) == (ROLE_ARN, [], [])
    expected = (
        []
        if check_mode
        else [("POST", RAM_PATH, {"role_arn": ROLE_ARN, "inline_policies": "[]", "remote_policies": []})]
    )
    assert run.fake.writes() == expected


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_sts_to_ram_clears_the_arn(run_module: Runner, vault: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(alicloud_secrets_role.main, sts(remote_policies=[OSS_RO]), vault, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    before, after = run.result["diff"]["before"], run.result["diff"]["after"]
    assert (before["role_arn"], after["role_arn"]) == (ROLE_ARN, "")
    assert after["remote_policies"] == [OSS_RO]
    expected = (
        []
        if check_mode
        else [("POST", STS_PATH, {"role_arn": "", "remote_policies": ["name:AliyunOSSReadOnlyAccess,type:System"]})]
    )
    assert run.fake.writes() == expected


def test_vault_warnings_are_passed_on(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    routes = {**vault, ("POST", STS_PATH): answer(None, [STS_WARNING])}
    run = run_module(alicloud_secrets_role.main, sts(role_arn=ROLE_ARN, ttl="1h"), routes)
    assert run.result["changed"] is True
    # ansible-core 2.21 reports warnings as structured events, 2.19 as strings
    assert len(run.result["warnings"]) == 1
    assert f"Vault: {STS_WARNING}" in json.dumps(run.result["warnings"])


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        pytest.param(
            sts(role_arn=ROLE_ARN, inline_policies=[OSS]),
            "role_arn",
            "invalid value for role_arn: cannot be combined with inline_policies",
            id="arn-and-inline",
        ),
        pytest.param(
            sts(role_arn=ROLE_ARN, remote_policies=[OSS_RO]),
            "role_arn",
            "invalid value for role_arn: cannot be combined with remote_policies",
            id="arn-and-remote",
        ),
        pytest.param(
            sts(role_arn=ROLE_ARN, inline_policies=OSS_JSON, remote_policies=["name:X,type:Custom"]),
            "role_arn",
            "cannot be combined with inline_policies or remote_policies",
            id="arn-and-both",
        ),
        pytest.param(
            ram(inline_policies=["{oops"]),
            "inline_policies",
            "invalid value for inline_policies: item 1 is not valid JSON",
            id="bad-json",
        ),
        pytest.param(
            ram(remote_policies=[{"name": "AliyunOSSReadOnlyAccess"}]),
            "remote_policies",
            "invalid value for remote_policies: item 1 needs a type",
            id="remote-no-type",
        ),
        pytest.param(
            ram(remote_policies=["AliyunOSSReadOnlyAccess"]),
            "remote_policies",
            "is not of the form 'name:<name>,type:<type>'",
            id="remote-bare-name",
        ),
        pytest.param(ram(ttl="2h", max_ttl="1h"), "ttl", "must not exceed max_ttl", id="ttl-order"),
        pytest.param(ram(ttl="tomorrow"), "ttl", "is not a duration", id="bad-duration"),
        pytest.param({"name": "a/b", "role_arn": ROLE_ARN}, "name", "is not a role name", id="bad-name"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_refused_before_any_request(
    run_module: Runner, args: dict[str, t.Any], field: str, text: str, check_mode: bool
) -> None:
    run = run_module(alicloud_secrets_role.main, args, {}, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.calls == []


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        pytest.param(ram(ttl="1h"), "role_arn", "a role needs role_arn, or at least one policy", id="create-empty"),
        pytest.param(
            ram(inline_policies=[], remote_policies=[]), "role_arn", "a role needs role_arn", id="update-emptied"
        ),
        pytest.param(sts(role_arn=""), "role_arn", "a role needs role_arn", id="arn-cleared"),
        pytest.param(ram(ttl="13h"), "ttl", "(46800s) must not exceed max_ttl (43200s)", id="ttl-over-stored-max"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_refused_after_reading(
    *,
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    args: dict[str, t.Any],
    field: str,
    text: str,
    check_mode: bool,
) -> None:
    routes = {} if args.get("ttl") == "1h" else vault
    run = run_module(alicloud_secrets_role.main, args, routes, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.writes() == []


# --- absent ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("routes_key", "changed", "writes"),
    [("present", True, [("DELETE", RAM_PATH, None)]), ("missing", False, [])],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent(
    *,
    run_module: Runner,
    vault: dict[t.Any, t.Any],
    routes_key: str,
    changed: bool,
    writes: list[t.Any],
    check_mode: bool,
) -> None:
    routes = vault if routes_key == "present" else {}
    run = run_module(alicloud_secrets_role.main, ram(state="absent"), routes, check_mode=check_mode, diff=True)
    assert run.result["changed"] is changed
    assert run.fake.writes() == ([] if check_mode else writes)
    assert run.result["diff"]["after"] == {}
    assert "role" not in run.result
    if changed:
        assert run.result["diff"]["before"]["remote_policies"] == [OSS_RO, RDS_RO]


def test_absent_skips_role_validation(run_module: Runner, vault: dict[t.Any, t.Any]) -> None:
    args = ram(state="absent", role_arn=ROLE_ARN, inline_policies=["{oops"])
    run = run_module(alicloud_secrets_role.main, args, vault)
    assert run.result["changed"] is True
    assert run.fake.writes() == [("DELETE", RAM_PATH, None)]
