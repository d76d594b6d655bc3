# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._compare import (
    MASK,
    ValidationError,
    differences,
    duration_to_seconds,
    json_document,
    normalise,
    normalise_record,
    string_list,
    string_map,
    validate,
)

SPEC = {
    "name": "str",
    "mode": "lower",
    "count": "int",
    "enabled": "bool",
    "ttl": "duration",
    "policy": "json",
    "groups": "list",
    "tags": "map",
    "order": "seq",
}


# --- duration_to_seconds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, 0),
        (0, 0),
        ("0", 0),
        ("0s", 0),
        (90, 90),
        (7.0, 7),
        ("90", 90),
        (" 90 ", 90),
        ("", 0),
        ("90s", 90),
        ("15m", 900),
        ("1h30m", 5400),
        ("1h0m0s", 3600),
        ("768h", 2764800),
        ("1d", 86400),
        ("2d12h", 216000),
        ("1.5h", 5400),
        ("2000ms", 2),
    ],
)
def test_duration_to_seconds(value: t.Any, seconds: int) -> None:
    assert duration_to_seconds(value) == seconds


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (-1, "must not be negative"),
        ("-90", "must not be negative"),
        ("-1h", "must not be negative"),
        ("soon", "is not a duration"),
        ("1h 30m", "is not a duration"),
        ("10x", "is not a duration"),
        ("h", "is not a duration"),
        (True, "boolean"),
        (False, "boolean"),
        # issue 7: a TTL that is not a whole number of seconds is refused, never truncated
        (7.9, "is not a whole number of seconds"),
        (1.5, "is not a whole number of seconds"),
        ("1.5", "is not a duration"),
        ("500ms", "is not a whole number of seconds"),
        ("1400ms", "is not a whole number of seconds"),
        ("1600ms", "is not a whole number of seconds"),
    ],
)
def test_duration_to_seconds_refuses(value: t.Any, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        duration_to_seconds(value, "default_lease_ttl")
    assert exc_info.value.field == "default_lease_ttl"
    assert reason in exc_info.value.reason
    assert str(exc_info.value).startswith("default_lease_ttl: ")


# --- json_document --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "document"),
    [
        ('{"Version": "2012-10-17", "Statement": []}', {"Version": "2012-10-17", "Statement": []}),
        ({"Version": "2012-10-17"}, {"Version": "2012-10-17"}),
        ("[1, 2]", [1, 2]),
        ([1, 2], [1, 2]),
        ("  ", None),
        ("", None),
        (None, None),
    ],
)
def test_json_document(value: t.Any, document: t.Any) -> None:
    assert json_document(value) == document


@pytest.mark.parametrize("value", ["{not json", "{'Version': '2012-10-17'}", '{"a": 1,}'])
def test_json_document_refuses_invalid(value: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        json_document(value, "policy_document")
    assert exc_info.value.field == "policy_document"
    assert "is not valid JSON" in exc_info.value.reason


# --- string_list / string_map ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a,b", ["a", "b"]),
        ("b, a ,", ["a", "b"]),
        (["b", "a", "b"], ["a", "b"]),
        ([" x ", ""], ["x"]),
        ("", []),
        (None, []),
        ([], []),
    ],
)
def test_string_list(value: t.Any, expected: list[str]) -> None:
    assert string_list(value) == expected


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("b,a", ["a", "b"]),
        (["iam_user", "federation_token"], "federation_token,iam_user"),
        (["a", "a", "b"], "b,a"),
    ],
)
def test_string_list_is_order_and_form_insensitive(left: t.Any, right: t.Any) -> None:
    assert string_list(left) == string_list(right)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"team": "ops", "n": 1}, {"team": "ops", "n": "1"}),
        (["team=ops", "env = prod"], {"team": "ops", "env": "prod"}),
        ([{"key": "team", "value": "ops"}, {"key": "env", "value": "prod"}], {"team": "ops", "env": "prod"}),
        ([{"key": "empty"}], {"empty": ""}),
        ("team=ops,env=prod", {"team": "ops", "env": "prod"}),
        (["team:ops"], {"team": "ops"}),
        ("a=b=c", {"a": "b=c"}),
        (None, {}),
        ([], {}),
        ({}, {}),
    ],
)
def test_string_map(value: t.Any, expected: dict[str, str]) -> None:
    assert string_map(value) == expected


# --- seq ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ([], []),
        (["b", "a"], ["b", "a"]),
        (["a", "a", "b"], ["a", "a", "b"]),
        (("x", "y"), ["x", "y"]),
        ("b,a", ["b", "a"]),
        (" b , a ,b", ["b", "a", "b"]),
        ("us-west-2", ["us-west-2"]),
    ],
)
def test_seq_keeps_order_and_duplicates(value: t.Any, expected: list[str]) -> None:
    assert normalise("seq", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(["b", "a", "b"], ["a", "b"]), ("b, a ,a", ["a", "b"])],
)
def test_list_sorts_and_dedupes_where_seq_does_not(value: t.Any, expected: list[str]) -> None:
    assert normalise("list", value) == expected
    assert normalise("seq", value) != expected


# --- differences ----------------------------------------------------------------------------------

POLICY_COMPACT = '{"Statement":[{"Action":"s3:*","Effect":"Allow"}],"Version":"2012-10-17"}'
POLICY_PRETTY = """
{
  "Version": "2012-10-17",
  "Statement": [ { "Effect": "Allow", "Action": "s3:*" } ]
}
"""


@pytest.mark.parametrize(
    ("desired", "current", "expected"),
    [
        pytest.param({"name": None, "ttl": None}, {"name": "x", "ttl": 60}, {}, id="none-means-dont-care"),
        pytest.param({"ttl": "1h"}, {"ttl": 3600}, {}, id="duration-string-vs-int"),
        pytest.param({"ttl": 3600}, {"ttl": "1h0m0s"}, {}, id="duration-int-vs-go-format"),
        pytest.param({"ttl": "60m"}, {"ttl": "3600"}, {}, id="duration-minutes-vs-numeric-string"),
        pytest.param({"ttl": "2h"}, {"ttl": 3600}, {"ttl": (3600, 7200)}, id="duration-changed"),
        pytest.param({"policy": POLICY_PRETTY}, {"policy": POLICY_COMPACT}, {}, id="json-key-order-and-whitespace"),
        pytest.param(
            {"policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}},
            {"policy": POLICY_COMPACT},
            {},
            id="json-data-vs-string",
        ),
        pytest.param(
            {"policy": '{"Version": "2012-10-17", "Statement": []}'},
            {"policy": POLICY_COMPACT},
            {
                "policy": (
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]},
                    {"Version": "2012-10-17", "Statement": []},
                ),
            },
            id="json-changed",
        ),
        pytest.param({"groups": ["b", "a"]}, {"groups": "a,b"}, {}, id="list-vs-comma-string"),
        pytest.param({"groups": []}, {"groups": None}, {}, id="empty-list-vs-null"),
        pytest.param({"groups": ["a"]}, {"groups": "a,b"}, {"groups": (["a", "b"], ["a"])}, id="list-changed"),
        pytest.param({"tags": ["team=ops"]}, {"tags": {"team": "ops"}}, {}, id="map-kv-list-vs-dict"),
        pytest.param({"count": "3"}, {"count": 3}, {}, id="int-string-vs-int"),
        pytest.param({"enabled": "yes"}, {"enabled": True}, {}, id="bool-string-vs-bool"),
        pytest.param({"mode": "HIDDEN"}, {"mode": "hidden"}, {}, id="lower-case-insensitive"),
        pytest.param({"name": "x"}, {}, {"name": ("", "x")}, id="missing-current-field"),
        pytest.param(
            {"name": "x", "ttl": 60, "groups": ["a"], "tags": {"k": "v"}, "order": ["b", "a"], "count": 2},
            None,
            {
                "name": ("", "x"),
                "ttl": (0, 60),
                "groups": ([], ["a"]),
                "tags": ({}, {"k": "v"}),
                "order": ([], ["b", "a"]),
                "count": (0, 2),
            },
            id="no-current-record",
        ),
        pytest.param({"unknown": "x"}, {}, {}, id="field-outside-spec-ignored"),
        pytest.param({"name": ""}, {"name": None}, {}, id="empty-string-vs-null"),
        pytest.param({"name": ""}, {}, {}, id="empty-string-vs-missing"),
        pytest.param({"groups": []}, {}, {}, id="empty-list-vs-missing"),
        pytest.param({"groups": ""}, {"other": 1}, {}, id="empty-comma-string-vs-missing"),
        pytest.param({"order": []}, {}, {}, id="empty-seq-vs-missing"),
        pytest.param({"tags": {}}, {}, {}, id="empty-map-vs-missing"),
        pytest.param({"ttl": 0}, {}, {}, id="zero-duration-vs-missing"),
        pytest.param({"ttl": "0s"}, None, {}, id="zero-duration-no-record"),
        pytest.param({"count": 0}, {}, {}, id="zero-int-vs-missing"),
        pytest.param({"enabled": False}, {}, {}, id="false-vs-missing"),
        pytest.param({"enabled": True}, {}, {"enabled": (False, True)}, id="true-vs-missing"),
        pytest.param({"policy": ""}, {}, {}, id="blank-json-vs-missing"),
        pytest.param({"order": ["a", "b"]}, {"order": ["a", "b"]}, {}, id="seq-same-order"),
        pytest.param({"order": "a, b"}, {"order": ["a", "b"]}, {}, id="seq-comma-string-vs-list"),
        pytest.param(
            {"order": ["b", "a"]}, {"order": ["a", "b"]}, {"order": (["a", "b"], ["b", "a"])}, id="seq-order-matters"
        ),
        pytest.param(
            {"order": ["a", "a"]}, {"order": ["a"]}, {"order": (["a"], ["a", "a"])}, id="seq-duplicates-matter"
        ),
    ],
)
def test_differences(desired: dict[str, t.Any], current: dict[str, t.Any] | None, expected: dict[str, t.Any]) -> None:
    assert differences(desired, current, SPEC) == expected


def test_normalise_record_keeps_only_spec_fields_present() -> None:
    record = {"name": "x", "ttl": "1h0m0s", "accessor": "abc", "groups": None, "order": "b,a"}
    assert normalise_record(record, SPEC) == {"name": "x", "ttl": 3600, "groups": [], "order": ["b", "a"]}


@pytest.mark.parametrize("record", [None, {}])
def test_normalise_record_empty(record: dict[str, t.Any] | None) -> None:
    assert normalise_record(record, SPEC) == {}


# --- validate -------------------------------------------------------------------------------------


def test_validate_normalises_set_fields_only() -> None:
    desired = {
        "name": "x",
        "ttl": "1h",
        "groups": "b,a",
        "order": ["b", "a", "b"],
        "policy": None,
        "free": {"kept": True},
    }
    assert validate(desired, SPEC) == {
        "name": "x",
        "ttl": 3600,
        "groups": ["a", "b"],
        "order": ["b", "a", "b"],
        "free": {"kept": True},
    }


@pytest.mark.parametrize(
    ("desired", "field", "reason"),
    [
        ({"ttl": "soon"}, "ttl", "is not a duration"),
        ({"ttl": -5}, "ttl", "must not be negative"),
        ({"policy": "{"}, "policy", "is not valid JSON"),
        ({"count": "three"}, "count", "invalid literal"),
    ],
)
def test_validate_names_the_field(desired: dict[str, t.Any], field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc_info:
        validate(desired, SPEC)
    assert exc_info.value.field == field
    assert reason in exc_info.value.reason
    assert str(exc_info.value).startswith(f"{field}: ")


# --- the mask -------------------------------------------------------------------------------------


def test_the_mask_that_diffs_show_for_secrets() -> None:
    assert MASK == "********"
