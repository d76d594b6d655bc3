# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fields only some engines have (_vault.require_fields, schema_fields) and the engines' root-rotation rules."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import (
    require_fields,
    rotation_payload,
    schema_fields,
    validate_rotation,
)

Json = t.Callable[[str], dict[str, t.Any]]
NEEDS = {"rotation_period": "it needs Vault 1.19 or later"}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "gcp_config_help_openbao272",
            {"credentials", "identity_token_audience", "identity_token_ttl", "max_ttl", "service_account_email", "ttl"},
        ),
        (
            "gcp_config_help_vault1211",
            {
                "credentials",
                "identity_token_audience",
                "identity_token_ttl",
                "max_ttl",
                "service_account_email",
                "ttl",
                "rotation_period",
                "rotation_schedule",
                "rotation_window",
                "disable_automated_rotation",
            },
        ),
    ],
)
def test_schema_fields(make_client: t.Callable[..., t.Any], vault_json: Json, fixture: str, expected: set[str]) -> None:
    kit = make_client({("GET", "gcp/config?help=1"): vault_json(fixture)})
    assert schema_fields(kit.client, "gcp/config") == expected


def test_require_fields_trusts_the_record_without_a_request(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({})
    require_fields(kit.client, "gcp/config", ["rotation_period"], {"rotation_period": 0}, NEEDS)
    assert kit.fake.calls == []


def test_require_fields_refuses_what_the_schema_lacks(make_client: t.Callable[..., t.Any], vault_json: Json) -> None:
    kit = make_client({("GET", "gcp/config?help=1"): vault_json("gcp_config_help_openbao272")})
    with pytest.raises(ValidationError) as info:
        require_fields(kit.client, "gcp/config", ["rotation_period"], {"ttl": 0}, NEEDS)
    assert info.value.field == "rotation_period"
    assert "the engine at gcp/config does not have this field" in str(info.value)
    assert "Vault 1.19" in str(info.value)


@pytest.mark.parametrize("answer", [{}, {"openapi": {"paths": {"/config": {}}}}])
def test_require_fields_refuses_nothing_on_an_empty_schema(
    make_client: t.Callable[..., t.Any], answer: dict[str, t.Any]
) -> None:
    kit = make_client({("GET", "gcp/config?help=1"): answer})
    require_fields(kit.client, "gcp/config", ["rotation_period"], None, NEEDS)
    assert [(c.method, c.path) for c in kit.fake.calls] == [("GET", "gcp/config?help=1")]


@pytest.mark.parametrize(
    ("desired", "current"),
    [
        ({"rotation_period": "24h", "rotation_schedule": ""}, {"rotation_schedule": "0 * * * *"}),
        ({"rotation_schedule": "0 * * * *", "rotation_window": "1h"}, {}),
        ({"rotation_window": "1h"}, {"rotation_schedule": "0 * * * *"}),
        ({"rotation_period": 0, "rotation_schedule": "", "rotation_window": 0}, None),
        ({"disable_automated_rotation": True}, {"rotation_period": 3600}),
    ],
)
def test_rotation_accepted(desired: dict[str, t.Any], current: dict[str, t.Any] | None) -> None:
    validate_rotation(desired, current)


@pytest.mark.parametrize(
    ("desired", "current", "field"),
    [
        ({"rotation_period": "1h", "rotation_schedule": "0 * * * *"}, None, "rotation_period"),
        ({"rotation_schedule": "0 * * * *"}, {"rotation_period": 60}, "rotation_schedule"),
        ({"rotation_window": 60}, {"rotation_period": 60}, "rotation_window"),
        ({"rotation_window": "1m", "rotation_schedule": ""}, {"rotation_schedule": "0 * * * *"}, "rotation_window"),
    ],
)
def test_rotation_refused(desired: dict[str, t.Any], current: dict[str, t.Any] | None, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_rotation(desired, current)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("payload", "desired", "current", "expected"),
    [
        ({"rotation_window": 60}, {}, {"rotation_schedule": "0 * * * *"}, "0 * * * *"),
        ({"rotation_window": 60}, {"rotation_schedule": "5 * * * *"}, {"rotation_schedule": "0 * * * *"}, "5 * * * *"),
        ({"rotation_window": 60, "rotation_schedule": "1 * * * *"}, {}, {}, "1 * * * *"),
        ({"rotation_window": 0}, {}, None, None),
        ({"ttl": 60}, {}, {"rotation_schedule": "0 * * * *"}, None),
    ],
)
def test_rotation_payload(
    payload: dict[str, t.Any], desired: dict[str, t.Any], current: dict[str, t.Any] | None, expected: str | None
) -> None:
    assert rotation_payload(dict(payload), desired, current).get("rotation_schedule") == expected
