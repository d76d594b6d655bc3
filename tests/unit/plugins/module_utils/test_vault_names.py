# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one name rule and the path builder: a name is an identifier, never a path."""

from __future__ import annotations

import re
import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import NAME, NameRule, join_path, mount_path


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "'' is not a name"),
        (".", "'.' is not a name"),
        ("..", "'..' is not a name"),
        ("../../sys/mounts/aws", "must not contain '/'"),
        ("keep?x=1", "must not contain '?'"),
        ("keep#x", "must not contain '#'"),
        ("a%2Fb", "must not contain '%'"),
        ("a b", "must not contain ' '"),
        ("a\tb", "must not contain '\\t'"),
        ("a\nb", "must not contain '\\n'"),
        ("a\x00b", "must not contain '\\x00'"),
        ("a\x7fb", "must not contain '\\x7f'"),
        ("a\\b", "must not contain '\\\\'"),
        ("x" * 129, "is 129 characters long; at most 128"),
        (None, "must be a string, got NoneType"),
        (7, "must be a string, got int"),
        (["a"], "must be a string, got list"),
    ],
)
def test_name_rule_refuses(value: t.Any, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        NAME.check(value, "name")
    assert caught.value.field == "name"
    assert reason in caught.value.reason


@pytest.mark.parametrize("value", ["deploy", "a", "x" * 128, "ci-bot.v2@team", "Ünïcode"])
def test_name_rule_accepts(value: str) -> None:
    assert NAME.check(value, "name") == value


def test_engine_rule_adds_its_pattern_and_names_the_field() -> None:
    rule = NameRule(max_length=10, pattern=re.compile(r"[a-z]+"), hint="lower-case letters only")
    assert rule.check("abc", "role") == "abc"
    with pytest.raises(ValidationError) as caught:
        rule.check("Abc", "role")
    assert (caught.value.field, caught.value.reason) == ("role", "'Abc' is not a valid name: lower-case letters only")
    with pytest.raises(ValidationError, match="at most 10"):
        rule.check("a" * 11, "role")


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        (("aws", "roles", "deploy"), "aws/roles/deploy"),
        (("team/aws", "config/root"), "team/aws/config/root"),
        (("aws", "roles", "ü"), "aws/roles/%C3%BC"),
        (("aws", "roles", "a@b"), "aws/roles/a%40b"),
    ],
)
def test_join_path_encodes_each_segment(parts: tuple[str, ...], path: str) -> None:
    assert join_path(*parts) == path


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a/../sys", "'..' is not a name"),
        ("a//b", "'' is not a name"),
        ("aws?x", "must not contain '?'"),
        ("sys", "sys/ is reserved"),
        ("sys/mounts", "sys/ is reserved"),
        ("", "must not be empty"),
        (3, "must be a string"),
    ],
)
def test_mount_path_checks_every_segment(value: t.Any, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        mount_path(value, "mount_point")
    assert caught.value.field == "mount_point"
    assert reason in caught.value.reason


def test_mount_path_keeps_nested_mounts() -> None:
    assert mount_path("/team/aws/", "mount_point") == "team/aws"
