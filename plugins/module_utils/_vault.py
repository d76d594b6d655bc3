# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Vault itself: names and paths, mounts, leases. Every engine file builds its paths here.

No Ansible imports: this runs inside modules and controller-side plugins alike.
"""

from __future__ import annotations

import datetime
import re
import typing as t
import urllib.parse
from dataclasses import dataclass

from ._client import VaultClient, VaultInvalidRequest, VaultOpsError, VaultPermissionError
from ._compare import ValidationError, duration_to_seconds

# --- mounts ---------------------------------------------------------------------------------------

MOUNT_SPEC: dict[str, str] = {
    "description": "str",
    "default_lease_ttl": "duration",
    "max_lease_ttl": "duration",
    "options": "map",
    "plugin_version": "str",
    "listing_visibility": "str",
    "audit_non_hmac_request_keys": "list",
    "audit_non_hmac_response_keys": "list",
    "passthrough_request_headers": "list",
    "allowed_response_headers": "list",
    "force_no_cache": "bool",
}
# fields that live under "config" when Vault reports a mount
MOUNT_CONFIG_FIELDS = (
    "default_lease_ttl",
    "max_lease_ttl",
    "listing_visibility",
    "audit_non_hmac_request_keys",
    "audit_non_hmac_response_keys",
    "passthrough_request_headers",
    "allowed_response_headers",
    "force_no_cache",
)
# fields that can only be set when the mount is created
MOUNT_CREATE_ONLY = ("local", "seal_wrap", "external_entropy_access")


# --- names and paths ------------------------------------------------------------------------------

# characters that would make a name a path, a query or a fragment, or hide it in a log
_NOT_IN_A_NAME = re.compile(r"[/?#%\\\s\x00-\x1f\x7f]")


@dataclass(frozen=True)
class NameRule:
    """The one rule for every value that becomes a path segment: an identifier, never a path.

    Refused, naming the field: a non-string, an empty name, ``.`` or ``..``, ``/``, ``?``, ``#``, ``%``,
    a backslash, whitespace or a control character, a name longer than ``max_length``; and, where an
    engine is stricter, a name that does not match its ``pattern`` (checked first, so that the refusal
    says what the engine expects: ``'a/b' is not a {what}: {hint}``). An engine that stores names in
    lower case sets ``lower``: :meth:`key` is then the name Vault stores and lists.
    """

    max_length: int = 128
    pattern: re.Pattern[str] | None = None
    hint: str = ""
    what: str = "valid name"
    lower: bool = False

    def check(self, value: t.Any, field: str = "name") -> str:
        if not isinstance(value, str):
            raise ValidationError(field, f"must be a string, got {type(value).__name__}")
        if value in ("", ".", ".."):
            raise ValidationError(field, f"{value!r} is not a name")
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise ValidationError(field, f"{value!r} is not a {self.what}: {self.hint}")
        bad = _NOT_IN_A_NAME.search(value)
        if bad:
            raise ValidationError(
                field, f"must not contain {bad.group()!r}: a name is an identifier, never a path, query or URL part"
            )
        if len(value) > self.max_length:
            raise ValidationError(field, f"is {len(value)} characters long; at most {self.max_length}")
        return value

    def key(self, name: str) -> str:
        """A checked name as Vault stores and lists it."""
        return name.lower() if self.lower else name


NAME = NameRule()


def join_path(*parts: str) -> str:
    """A request path from checked parts, each segment percent-encoded (a second line of defence)."""
    segments = [segment for part in parts for segment in part.split("/") if segment != ""]
    return "/".join(urllib.parse.quote(segment, safe="") for segment in segments)


def mount_path(path: t.Any, field: str = "path") -> str:
    """A mount path: segments separated by ``/`` (leading and trailing ones dropped), each a name."""
    if not isinstance(path, str):
        raise ValidationError(field, f"must be a string, got {type(path).__name__}")
    clean = path.strip().strip("/")
    if not clean:
        raise ValidationError(field, "must not be empty")
    for segment in clean.split("/"):
        NAME.check(segment, field)
    if clean == "sys" or clean.startswith("sys/"):
        raise ValidationError(field, "sys/ is reserved by Vault")
    return clean


# auth method types that are not also secrets engines: a secrets engine mounted under one of these names is almost
# always community.hashi_vault's mount_point (the AUTH mount) given where this collection means the engine's mount
AUTH_METHOD_TYPES = frozenset(
    {"approle", "userpass", "jwt", "oidc", "ldap", "cert", "token", "kubernetes", "github", "okta", "radius"}
)


def auth_mount_warning(mount_point: t.Any, engine: str) -> str | None:
    """A warning when an engine's ``mount_point`` names an auth method (``approle``, ``auth/jwt``, ...), else None."""
    if not isinstance(mount_point, str):
        return None
    clean = mount_point.strip().strip("/")
    first = clean.split("/", 1)[0].lower()
    if first != "auth" and first not in AUTH_METHOD_TYPES:
        return None
    return (
        f"mount_point {mount_point!r} names an auth method, but here mount_point is the mount of the {engine} "
        f"secrets engine (requests go to {clean}/...); community.hashi_vault's mount_point is the auth mount, "
        "which is auth_mount_point in this collection"
    )


def lease_path(value: t.Any, field: str = "lease_id") -> str:
    """A lease ID or prefix (``aws/creds/deploy/AbC...``): segments separated by ``/``, each a name. A lease ID
    is part of a request path (``sys/leases/lookup/<prefix>``, ``revoke-prefix``) or a path in Vault's lease
    store, so it is held to the one rule like any other name."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    clean = value.strip().strip("/")
    if not clean:
        raise ValidationError(field, "must not be empty")
    for segment in clean.split("/"):
        NAME.check(segment, field)
    return clean


# engine types that are certainly not a given cloud engine (an external plugin may be registered under
# any name, so an unknown type is let through)
KNOWN_ENGINE_TYPES = frozenset(
    {
        "aws",
        "gcp",
        "azure",
        "alicloud",
        "kv",
        "generic",
        "pki",
        "transit",
        "ssh",
        "totp",
        "database",
        "cubbyhole",
        "identity",
        "system",
        "rabbitmq",
        "kubernetes",
        "consul",
        "nomad",
        "ldap",
        "openldap",
        "gcpkms",
        "keymgmt",
        "kmip",
        "transform",
        "terraform",
        "mongodbatlas",
        "ad",
    }
)


def check_mount_type(client: VaultClient, mount: str, engine: str) -> None:
    """Refuse to act on a mount that is another kind of engine (a kv mount would store secrets in clear)."""
    try:
        info = client.read(f"sys/internal/ui/mounts/{mount_path(mount)}")
    except (VaultPermissionError, VaultInvalidRequest):
        # nothing mounted there yet (OpenBao answers 403 "preflight capability check", Vault 400), or a
        # token that may not ask: the engine's own paths will answer for themselves
        return
    found = (info or {}).get("type")
    if found and found != engine and found in KNOWN_ENGINE_TYPES:
        raise ValidationError(
            "mount_point",
            f"{mount_path(mount)}/ is a {found!r} secrets engine, not a {engine!r} secrets engine; nothing was written",
        )


class Mounts:
    """The secrets engine mounts (``sys/mounts``); :class:`AuthMounts` is the same API for auth methods."""

    base = "sys/mounts"
    what = "secrets engine"
    spec: t.Mapping[str, str] = MOUNT_SPEC
    config_fields: tuple[str, ...] = MOUNT_CONFIG_FIELDS

    def __init__(self, client: VaultClient) -> None:
        self.client = client

    def read(self, path: str) -> dict[str, t.Any] | None:
        """The mount at ``path`` flattened (config fields at the top), or ``None``."""
        mounts = self.client.read(self.base) or {}
        entry = mounts.get(f"{mount_path(path)}/")
        if entry is None:
            return None
        flat = {k: v for k, v in entry.items() if k != "config"}
        for key, value in (entry.get("config") or {}).items():
            flat[key] = value
        flat["options"] = entry.get("options") or {}
        return flat

    def enable(self, path: str, engine_type: str, settings: dict[str, t.Any]) -> None:
        payload: dict[str, t.Any] = {"type": engine_type}
        config: dict[str, t.Any] = {}
        for key, value in settings.items():
            if key in self.config_fields:
                config[key] = value
            else:
                payload[key] = value
        if config:
            payload["config"] = config
        self.client.write(f"{self.base}/{mount_path(path)}", payload)

    def tune(self, path: str, settings: dict[str, t.Any]) -> None:
        self.client.write(f"{self.base}/{mount_path(path)}/tune", settings)

    def disable(self, path: str) -> bool:
        return self.client.delete(f"{self.base}/{mount_path(path)}")


# an auth mount has what a secrets engine mount has, and the type of the tokens it issues
AUTH_MOUNT_SPEC: dict[str, str] = {**MOUNT_SPEC, "token_type": "str"}


class AuthMounts(Mounts):
    """The auth method mounts (``sys/auth``): the same API as secrets engine mounts."""

    base = "sys/auth"
    what = "auth method"
    spec = AUTH_MOUNT_SPEC
    config_fields = (*MOUNT_CONFIG_FIELDS, "token_type")


def lease_fields(response: dict[str, t.Any], now: datetime.datetime | None = None) -> dict[str, t.Any]:
    duration = int(response.get("lease_duration") or 0)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    expires = (now + datetime.timedelta(seconds=duration)).strftime("%Y-%m-%dT%H:%M:%SZ") if duration else None
    return {
        "lease_id": response.get("lease_id") or None,
        "lease_duration": duration,
        "renewable": bool(response.get("renewable")),
        "expires_at": expires,
    }


# --- leases ---------------------------------------------------------------------------------------


class Leases:
    def __init__(self, client: VaultClient) -> None:
        self.client = client

    def lookup(self, lease_id: str) -> dict[str, t.Any] | None:
        lease_id = lease_path(lease_id)
        try:
            return (self.client.write("sys/leases/lookup", {"lease_id": lease_id}, method="PUT") or {}).get("data")
        except VaultOpsError as exc:
            if exc.status in (400, 404) and "invalid lease" in exc.message.lower():
                return None
            raise

    def renew(self, lease_id: str, increment: int | None = None) -> dict[str, t.Any]:
        payload: dict[str, t.Any] = {"lease_id": lease_path(lease_id)}
        if increment:
            payload["increment"] = increment
        return self.client.action("sys/leases/renew", payload, method="PUT") or {}

    def revoke(self, lease_id: str) -> None:
        self.client.action("sys/leases/revoke", {"lease_id": lease_path(lease_id)}, method="PUT")

    def list_prefix(self, prefix: str) -> list[str]:
        return self.client.list(join_path("sys/leases/lookup", lease_path(prefix, "prefix")))

    def revoke_prefix(self, prefix: str) -> None:
        self.client.action(join_path("sys/leases/revoke-prefix", lease_path(prefix, "prefix")), {}, method="PUT")


# --- root-credential rotation (the engines of Vault 1.19 and later) ------------------------------

# the engines' automated root-credential rotation (Vault 1.19 and later: sdk automatedrotationutil); a non-zero
# rotation_period or rotation_schedule needs Vault Enterprise (community Vault refuses it, naming the edition)
ROTATION_SPEC: dict[str, str] = {
    "rotation_period": "duration",
    "rotation_schedule": "str",
    "rotation_window": "duration",
    "disable_automated_rotation": "bool",
}


def validate_rotation(desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None) -> None:
    """The engines' rotation rules on the fields as a write would leave them (the user's over the stored ones),
    refused naming the field before the write: a period and a schedule exclude each other, a window belongs to
    a schedule."""
    current = current or {}

    def merged(name: str) -> t.Any:
        return desired[name] if desired.get(name) is not None else current.get(name)

    period = duration_to_seconds(merged("rotation_period") or 0, "rotation_period")
    window = duration_to_seconds(merged("rotation_window") or 0, "rotation_window")
    schedule = str(merged("rotation_schedule") or "")
    if period and schedule:
        field = "rotation_period" if desired.get("rotation_period") is not None else "rotation_schedule"
        raise ValidationError(
            field,
            "rotation_period and rotation_schedule exclude each other: set the other one to 0 or '' "
            f"(stored or asked: rotation_period {period}s, rotation_schedule {schedule!r})",
        )
    if window and not schedule:
        raise ValidationError("rotation_window", "applies only with a rotation_schedule (the engine refuses it alone)")


def rotation_payload(
    payload: dict[str, t.Any], desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None
) -> dict[str, t.Any]:
    """``payload`` with ``rotation_schedule`` beside a ``rotation_window`` it sends: the engine takes a window only
    in the same request as its schedule, even when the schedule is already stored."""
    if "rotation_window" in payload and "rotation_schedule" not in payload:
        schedule = desired.get("rotation_schedule")
        payload["rotation_schedule"] = schedule if schedule is not None else (current or {}).get("rotation_schedule")
        if payload["rotation_schedule"] is None:
            del payload["rotation_schedule"]
    return payload
