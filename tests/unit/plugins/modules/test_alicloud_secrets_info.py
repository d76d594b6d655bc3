# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""alicloud_secrets_info: the configuration and the roles, read through the descriptors."""

from __future__ import annotations

import json
import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.modules import alicloud_secrets_info

Runner = t.Callable[..., t.Any]

ROLE_ARN = "acs:ram::5138828231865461:role/hastrustedactors"
OSS = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:*"], "Resource": ["acs:oss:*:*:*"]}]}
RDS = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["rds:*"], "Resource": ["acs:rds:*:*:*"]}]}
OSS_RO = {"name": "AliyunOSSReadOnlyAccess", "type": "System"}
RDS_RO = {"name": "AliyunRDSReadOnlyAccess", "type": "System"}


def answer(data: t.Any) -> dict[str, t.Any]:
    return {"request_id": "r", "lease_id": "", "renewable": False, "lease_duration": 0, "data": data, "warnings": None}


# as vault-plugin-secrets-alicloud v0.18.0 answers: the config without its secret key, roles with hashed
# inline documents and remote policies in the order written
ROUTES: dict[tuple[str, str], t.Any] = {
    ("GET", "alicloud/config"): answer({"access_key": "LTAI5tEXAMPLE"}),
    ("LIST", "alicloud/role"): answer({"keys": ["oss", "sts"]}),
    ("GET", "alicloud/role/oss"): answer(
        {
            "inline_policies": [
                {"hash": "9f1c2b3a4d5e6f708192a3b4c5d6e7f8", "policy_document": RDS},
                {"hash": "0b321e3eadf734fee8eae065411efdd3", "policy_document": OSS},
            ],
            "max_ttl": 43200,
            "remote_policies": [RDS_RO, OSS_RO],
            "role_arn": "",
            "ttl": 3600,
        }
    ),
    ("GET", "alicloud/role/sts"): answer(
        {"inline_policies": None, "max_ttl": 0, "remote_policies": None, "role_arn": ROLE_ARN, "ttl": 0}
    ),
}
OSS_ROLE = {
    "inline_policies": [OSS, RDS],
    "remote_policies": [OSS_RO, RDS_RO],
    "role_arn": "",
    "ttl": 3600,
    "max_ttl": 43200,
}
STS_ROLE = {"inline_policies": [], "remote_policies": [], "role_arn": ROLE_ARN, "ttl": 0, "max_ttl": 0}


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_everything(run_module: Runner, check_mode: bool) -> None:
    run = run_module(alicloud_secrets_info.main, {}, ROUTES, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.result["config"] == {"access_key": "LTAI5tEXAMPLE"}
    assert run.result["roles"] == {"oss": OSS_ROLE, "sts": STS_ROLE}
    assert "hash" not in json.dumps(run.result)
    assert run.fake.writes() == []
    assert [(c.method, c.path) for c in run.fake.calls] == [
        ("GET", "alicloud/config"),
        ("LIST", "alicloud/role"),
        ("GET", "alicloud/role/oss"),
        ("GET", "alicloud/role/sts"),
    ]


def test_a_mount_without_config_or_roles(run_module: Runner) -> None:
    run = run_module(alicloud_secrets_info.main, {"mount_point": "ali-empty"}, {})
    assert run.result["changed"] is False
    assert run.result["config"] is None
    assert run.result["roles"] == {}


def test_only_some_roles(run_module: Runner) -> None:
    run = run_module(alicloud_secrets_info.main, {"only": ["roles"], "names": ["sts", "missing"]}, ROUTES)
    assert "config" not in run.result
    assert run.result["roles"] == {"sts": STS_ROLE}
    assert ("LIST", "alicloud/role") not in [(c.method, c.path) for c in run.fake.calls]


def test_only_config(run_module: Runner) -> None:
    run = run_module(alicloud_secrets_info.main, {"only": ["config"]}, ROUTES)
    assert run.result["config"] == {"access_key": "LTAI5tEXAMPLE"}
    assert "roles" not in run.result
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", "alicloud/config")]


def test_a_bad_name_fails_before_any_request(run_module: Runner) -> None:
    run = run_module(alicloud_secrets_info.main, {"only": ["roles"], "names": ["../config"]}, ROUTES)
    assert run.result["failed"] is True
    assert "names[0]: must not contain '/'" in run.result["msg"]
    assert run.fake.calls == []
