# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A lease ID or prefix is held to the one name rule, segment by segment, before any request (issue 7)."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import Leases, lease_path
from ansible_collections.vaultops.cloud.plugins.modules import lease


@pytest.mark.parametrize(
    ("value", "expected"),
    [("aws/creds/deploy/AbC123", "aws/creds/deploy/AbC123"), ("/aws/creds/deploy/", "aws/creds/deploy")],
)
def test_lease_path_accepts_lease_ids(value: str, expected: str) -> None:
    assert lease_path(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("aws/creds/../../sys/mounts", "'..' is not a name"),
        ("aws/creds/keep?x=1", "must not contain '?'"),
        ("aws/creds/keep#x", "must not contain '#'"),
        ("aws/creds/%2e%2e", "must not contain '%'"),
        ("aws/creds/a b", "must not contain ' '"),
        ("", "must not be empty"),
        (["aws"], "must be a string"),
    ],
)
def test_lease_path_refuses_paths(value: t.Any, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        lease_path(value, "prefix")
    assert caught.value.field == "prefix"
    assert reason in caught.value.reason


def test_prefix_segments_are_encoded(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("LIST", "sys/leases/lookup/aws/creds/deploy"): {"data": {"keys": ["a"]}}})
    assert Leases(kit.client).list_prefix("aws/creds/deploy/") == ["a"]
    with pytest.raises(ValidationError):
        Leases(kit.client).revoke_prefix("aws/creds/keep?x=1")
    assert [(c.method, c.path) for c in kit.fake.calls] == [("LIST", "sys/leases/lookup/aws/creds/deploy")]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"lease_id": "aws/creds/../../../sys/mounts"}, "lease_id"),
        ({"prefix": "aws/creds/keep?x=1"}, "prefix"),
        ({"lease_id": "aws/creds/deploy/abc", "state": "renewed", "increment": 1.5}, "increment"),
    ],
)
def test_lease_module_refuses_before_any_request(run_module: t.Callable[..., t.Any], args: dict, field: str) -> None:
    run = run_module(lease.main, args)
    assert run.result["failed"] is True
    assert run.result["msg"].startswith(f"invalid value for {field}: ")
    assert run.fake.adapter.calls == []
