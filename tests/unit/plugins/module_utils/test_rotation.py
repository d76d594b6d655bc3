# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The engines' root-rotation rules (_vault.validate_rotation, rotation_payload): sdk automatedrotationutil."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import rotation_payload, validate_rotation


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
