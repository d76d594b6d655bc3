# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import aws_secrets_rotate_root

Runner = t.Callable[..., t.Any]
Json = t.Callable[[str], dict[str, t.Any]]


def test_rotates_and_returns_the_new_key_id(run_module: Runner, vault_json: Json) -> None:
    routes = {
        ("GET", "aws/config/root"): vault_json("aws_config_root"),
        ("POST", "aws/config/rotate-root"): vault_json("aws_rotate_root"),
    }
    run = run_module(aws_secrets_rotate_root.main, {}, routes)
    assert run.result["changed"] is True
    assert run.result["access_key"] == "AKIAROTATEDEXAMPLE01"
    assert [(c.method, c.path, c.json) for c in run.fake.calls] == [
        ("GET", "aws/config/root", None),
        ("POST", "aws/config/rotate-root", {}),
    ]


def test_an_action_always_changes(run_module: Runner, vault_json: Json) -> None:
    routes = {
        ("GET", "team/config/root"): vault_json("aws_config_root"),
        ("POST", "team/config/rotate-root"): vault_json("aws_rotate_root"),
    }
    runs = [run_module(aws_secrets_rotate_root.main, {"mount_point": "team"}, routes) for _run in range(2)]
    assert [run.result["changed"] for run in runs] == [True, True]
    assert [len(run.fake.writes()) for run in runs] == [1, 1]


def test_check_mode_reads_and_rotates_nothing(run_module: Runner, vault_json: Json) -> None:
    run = run_module(
        aws_secrets_rotate_root.main, {}, {("GET", "aws/config/root"): vault_json("aws_config_root")}, check_mode=True
    )
    assert run.result["changed"] is True
    assert run.result["access_key"] == "AKIAROOT"  # the key that would be replaced
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", "aws/config/root")]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_an_engine_without_root_key_fails(run_module: Runner, vault_json: Json, check_mode: bool) -> None:
    unset = vault_json("aws_config_root")
    unset["data"].update(access_key="", region="", iam_endpoint="")  # what the engine answers before config/root
    run = run_module(aws_secrets_rotate_root.main, {}, {("GET", "aws/config/root"): unset}, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["msg"] == "the engine has no root access key to rotate (path: aws/config/root)"
    assert run.fake.writes() == []


def test_a_refused_rotation_keeps_vaults_message_and_is_not_retried(run_module: Runner, vault_json: Json) -> None:
    refused = hvac.exceptions.InvalidRequest(errors=["error calling CreateAccessKey: LimitExceeded"])
    routes = {("GET", "aws/config/root"): vault_json("aws_config_root"), ("POST", "aws/config/rotate-root"): refused}
    run = run_module(aws_secrets_rotate_root.main, {}, routes)
    assert run.result["failed"] is True
    assert "LimitExceeded" in run.result["msg"]
    assert run.result["path"] == "aws/config/rotate-root"
    assert [c.path for c in run.fake.writes()] == ["aws/config/rotate-root"]


def test_another_engine_at_the_mount_is_refused(run_module: Runner) -> None:
    routes = {("GET", "sys/internal/ui/mounts/aws"): {"data": {"type": "kv", "path": "aws/"}}}
    run = run_module(aws_secrets_rotate_root.main, {}, routes)
    assert run.result["failed"] is True
    assert run.result["field"] == "mount_point"
    assert run.fake.calls == []
