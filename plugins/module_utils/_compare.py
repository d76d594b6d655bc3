# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""The one comparison helper: what the user asked for against what Vault returns.

A field spec maps a field name to a kind; each kind knows how to normalise both
sides, so that ``"1h"``, ``3600`` and ``"1h0m0s"`` are equal, JSON documents are
compared as data and comma-joined strings equal lists. A desired value of
``None`` means "don't care".
"""

from __future__ import annotations

import json
import re
import typing as t

MASK = "********"

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ValidationError(ValueError):
    """Bad input, found before anything is written; names the field."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def duration_to_seconds(value: t.Any, field: str = "duration") -> int:
    """Seconds from an int, a numeric string or a Go/Vault duration such as ``1h30m`` or ``1h0m0s``."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValidationError(field, f"expected a duration, got a boolean {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(field, f"{value!r} is not a whole number of seconds (give 90, 90s or 1h30m)")
        seconds = int(value)
    elif isinstance(value, int):
        seconds = int(value)
    else:
        text = str(value).strip()
        if text == "":
            return 0
        if re.fullmatch(r"-?\d+", text):
            seconds = int(text)
        else:
            if text.startswith("-"):
                raise ValidationError(field, f"must not be negative, got {value!r}")
            parts = _DURATION_PART.findall(text)
            if not parts or "".join(n + u for n, u in parts) != text:
                raise ValidationError(
                    field, f"{value!r} is not a duration (use seconds or a form like 90s, 15m, 1h30m)"
                )
            total = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
            seconds = round(total)
            if abs(total - seconds) > 1e-6:
                raise ValidationError(field, f"{value!r} is not a whole number of seconds (Vault would truncate it)")
    if seconds < 0:
        raise ValidationError(field, f"must not be negative, got {value!r}")
    return seconds


def json_document(value: t.Any, field: str = "document") -> t.Any:
    """A JSON document as data, from a string or already-parsed data."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return value
    text = str(value).strip()
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationError(field, f"is not valid JSON: {exc}") from None


def string_list(value: t.Any) -> list[str]:
    """A list of strings from a list or a comma-joined string; order and blanks dropped."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return sorted({str(item).strip() for item in items if str(item).strip()})


def string_map(value: t.Any) -> dict[str, str]:
    """A dict of strings from a dict, a list of ``k=v`` / ``{'key':..,'value':..}`` items, or ``k=v,...``."""
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    items = value.split(",") if isinstance(value, str) else list(value)
    result: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict) and "key" in item:
            result[str(item["key"])] = str(item.get("value", ""))
        elif isinstance(item, str) and "=" in item:
            key, _sep, val = item.partition("=")
            result[key.strip()] = val.strip()
        elif isinstance(item, str) and ":" in item:
            key, _sep, val = item.partition(":")
            result[key.strip()] = val.strip()
    return result


def _as_int(value: t.Any) -> int:
    return 0 if value in (None, "") else int(value)


def _as_bool(value: t.Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _as_str(value: t.Any) -> str:
    return "" if value is None else str(value)


NORMALISERS: dict[str, t.Callable[[t.Any], t.Any]] = {
    "str": _as_str,
    "lower": lambda v: _as_str(v).lower(),
    "int": _as_int,
    "bool": _as_bool,
    "duration": duration_to_seconds,
    "json": json_document,
    "list": string_list,
    "seq": lambda v: [] if v is None else ([s.strip() for s in v.split(",")] if isinstance(v, str) else list(v)),
    "map": string_map,
    "raw": lambda v: v,
}


Normaliser = t.Callable[[t.Any], t.Any]


def extend_kinds(**extra: Normaliser) -> dict[str, Normaliser]:
    """An engine's comparison kinds: the shared table plus its own, declared once beside its descriptors.

    An engine may add kinds, never redefine a shared one (that would change every other engine's comparison).
    """
    clash = sorted(set(extra) & set(NORMALISERS))
    if clash:
        raise ValueError(f"comparison kinds {', '.join(clash)} are shared and cannot be redefined")
    return {**NORMALISERS, **extra}


def normalise(kind: str, value: t.Any, kinds: t.Mapping[str, Normaliser] | None = None) -> t.Any:
    return (kinds or NORMALISERS)[kind](value)


def normalise_record(
    record: t.Mapping[str, t.Any] | None,
    spec: t.Mapping[str, str],
    kinds: t.Mapping[str, Normaliser] | None = None,
) -> dict[str, t.Any]:
    """The fields of ``spec`` in a Vault record, normalised; absent fields are left out."""
    if not record:
        return {}
    return {name: normalise(kind, record[name], kinds) for name, kind in spec.items() if name in record}


def differences(
    desired: t.Mapping[str, t.Any],
    current: t.Mapping[str, t.Any] | None,
    spec: t.Mapping[str, str],
    kinds: t.Mapping[str, Normaliser] | None = None,
) -> dict[str, tuple[t.Any, t.Any]]:
    """``{field: (current, desired)}`` for every set desired field that differs, both normalised.

    A field that Vault leaves out of its answer counts as empty (Vault omits empty lists, for one).
    """
    current = current or {}
    changes: dict[str, tuple[t.Any, t.Any]] = {}
    for name, value in desired.items():
        if value is None or name not in spec:
            continue
        kind = spec[name]
        want = normalise(kind, value, kinds)
        have = normalise(kind, current.get(name), kinds)
        if have != want:
            changes[name] = (have, want)
    return changes


def validate(
    desired: t.Mapping[str, t.Any],
    spec: t.Mapping[str, str],
    kinds: t.Mapping[str, Normaliser] | None = None,
) -> dict[str, t.Any]:
    """Normalise every set field once, so that bad input fails before any write."""
    result: dict[str, t.Any] = {}
    for name, value in desired.items():
        if value is None:
            continue
        kind = spec.get(name, "raw")
        try:
            result[name] = normalise(kind, value, kinds)
        except ValidationError as exc:
            raise ValidationError(name, exc.reason) from None
        except (TypeError, ValueError) as exc:
            raise ValidationError(name, str(exc)) from None
    return result
