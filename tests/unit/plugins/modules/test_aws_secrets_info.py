# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""aws_secrets_info and aws_secrets_role_info: read only, the same in check mode, secrets never returned."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import aws_secrets_info, aws_secrets_role_info

Runner = t.Callable[..., t.Any]
Json = t.Callable[[str], dict[str, t.Any]]
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
# aws_role_deploy.json as the modules compare it: empty lists and maps for Vault's nulls, the policy as data
DEPLOY = {
    "credential_type": "iam_user",
    "policy_arns": [],
    "policy_document": POLICY,
    "role_arns": [],
    "iam_groups": [],
    "iam_tags": {},
    "default_sts_ttl": 0,
    "max_sts_ttl": 0,
    "user_path": "",
    "permissions_boundary_arn": "",
    "mfa_serial_number": "",
    "session_tags": {},
    "external_id": "",
}
CI_BOT = {"username": "ci-bot", "rotation_period": 86400}


@pytest.fixture
def engine(vault_json: Json) -> dict[tuple[str, str], t.Any]:
    role = vault_json("aws_role_deploy")
    return {
        ("GET", "aws/config/root"): vault_json("aws_config_root"),
        ("GET", "aws/config/lease"): vault_json("aws_config_lease"),
        ("LIST", "aws/roles"): vault_json("aws_roles_list"),
        ("GET", "aws/roles/ci"): role,
        ("GET", "aws/roles/deploy"): role,
        ("GET", "aws/roles/readonly"): role,
        ("LIST", "aws/static-roles"): vault_json("aws_static_roles_list"),
        ("GET", "aws/static-roles/ci-bot"): vault_json("aws_static_role_ci_bot"),
        ("GET", "aws/static-roles/legacy-bot"): vault_json("aws_static_role_ci_bot"),
    }


def requests(run: t.Any) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in run.fake.calls]


# --- aws_secrets_info ---------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_everything(run_module: Runner, engine: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(aws_secrets_info.main, {}, engine, check_mode=check_mode)
    result = run.result
    assert result["changed"] is False
    assert result["config"]["access_key"] == "AKIAROOT"
    assert result["config"]["region"] == "us-east-1"
    assert "secret_key" not in result["config"]
    assert result["lease"] == {"lease": 3600, "lease_max": 7200}
    assert result["roles"] == {"ci": DEPLOY, "deploy": DEPLOY, "readonly": DEPLOY}
    assert result["static_roles"] == {"ci-bot": CI_BOT, "legacy-bot": CI_BOT}
    assert run.fake.writes() == []
    assert {probe.path for probe in run.fake.probes} == {"sys/internal/ui/mounts/aws"}  # the right engine?
    assert requests(run) == [
        ("GET", "aws/config/root"),
        ("GET", "aws/config/lease"),
        ("LIST", "aws/roles"),
        ("GET", "aws/roles/ci"),
        ("GET", "aws/roles/deploy"),
        ("GET", "aws/roles/readonly"),
        ("LIST", "aws/static-roles"),
        ("GET", "aws/static-roles/ci-bot"),
        ("GET", "aws/static-roles/legacy-bot"),
    ]


def test_only_some_parts_and_names(run_module: Runner, engine: dict[t.Any, t.Any]) -> None:
    run = run_module(aws_secrets_info.main, {"only": ["roles"], "names": ["deploy", "gone"]}, engine)
    assert [part for part in ("config", "lease", "roles", "static_roles") if part in run.result] == ["roles"]
    assert run.result["roles"] == {"deploy": DEPLOY}  # a name Vault does not have is left out
    assert requests(run) == [("GET", "aws/roles/deploy"), ("GET", "aws/roles/gone")]  # no LIST


def test_an_unconfigured_engine(run_module: Runner) -> None:
    run = run_module(aws_secrets_info.main, {"mount_point": "empty"})
    assert run.result["config"] is None
    assert run.result["lease"] is None
    assert run.result["roles"] == {}
    assert run.result["static_roles"] == {}


@pytest.mark.parametrize(
    ("args", "field"),
    [({"names": ["a/b"]}, "names[0]"), ({"mount_point": "sys"}, "mount_point")],
    ids=["path-in-name", "sys"],
)
def test_bad_input_fails_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str) -> None:
    run = run_module(aws_secrets_info.main, {"only": ["roles"], **args})
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert run.fake.adapter.calls == []


# --- aws_secrets_role_info ------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_role_info_lists_and_reads(run_module: Runner, engine: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(aws_secrets_role_info.main, {}, engine, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.result["names"] == ["ci", "deploy", "readonly"]
    assert run.result["roles"] == {"ci": DEPLOY, "deploy": DEPLOY, "readonly": DEPLOY}
    assert requests(run) == [("LIST", "aws/roles"), *(("GET", f"aws/roles/{n}") for n in ("ci", "deploy", "readonly"))]
    assert run.fake.writes() == []


def test_role_info_names_only_lists(run_module: Runner, engine: dict[t.Any, t.Any]) -> None:
    run = run_module(aws_secrets_role_info.main, {"names_only": True}, engine)
    assert run.result["names"] == ["ci", "deploy", "readonly"]
    assert "roles" not in run.result
    assert requests(run) == [("LIST", "aws/roles")]


@pytest.mark.parametrize(("name", "names"), [("deploy", ["deploy"]), ("gone", [])])
def test_role_info_one_role(run_module: Runner, engine: dict[t.Any, t.Any], name: str, names: list[str]) -> None:
    run = run_module(aws_secrets_role_info.main, {"name": name}, engine)
    assert run.result["names"] == names
    assert run.result["roles"] == dict.fromkeys(names, DEPLOY)
    assert requests(run)[0] == ("GET", f"aws/roles/{name}")
    assert ("LIST", "aws/roles") not in requests(run)
    assert requests(run) == [("GET", f"aws/roles/{name}")]  # one read says both whether it exists and what it is


def test_role_info_of_an_empty_mount(run_module: Runner) -> None:
    run = run_module(aws_secrets_role_info.main, {})
    assert (run.result["names"], run.result["roles"]) == ([], {})
