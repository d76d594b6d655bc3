# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""The AWS secrets engine: its resource descriptors, validation, wire format and credentials.

No Ansible imports: this runs inside modules and controller-side plugins alike.
"""

from __future__ import annotations

import datetime
import json
import re
import typing as t

from ._client import VaultClient
from ._compare import ValidationError, duration_to_seconds, json_document, string_list
from ._driver import Resource
from ._vault import ROTATION_SPEC, NameRule, join_path, lease_fields, mount_path, validate_rotation

# --- AWS ------------------------------------------------------------------------------------------

# the engine's own rule for role names (framework.GenericNameWithAtRegex)
AWS_NAME = NameRule(
    max_length=128,
    pattern=re.compile(r"\w(?:[\w.@-]*\w)?", re.ASCII),
    hint="letters, digits, '_', '-', '.' and '@', beginning and ending with a letter or digit",
)

AWS_CREDENTIAL_TYPES = ("iam_user", "assumed_role", "federation_token", "session_token")

AWS_ROOT_SPEC: dict[str, str] = {
    "access_key": "str",
    "region": "str",
    "iam_endpoint": "str",
    "sts_endpoint": "str",
    "sts_region": "str",
    "sts_fallback_endpoints": "seq",
    "sts_fallback_regions": "seq",
    "max_retries": "int",
    "username_template": "str",
    "role_arn": "str",
    "identity_token_audience": "str",
    "identity_token_ttl": "duration",
    **ROTATION_SPEC,
}
AWS_ROOT_SECRETS = ("secret_key",)
# what the fields of the engines of Vault 1.19 and later need (OpenBao 2.7 runs the AWS plugin of Vault 1.18)
VAULT_1_19 = "Vault 1.19 or later (the AWS engine of OpenBao 2.7's plugins, of Vault 1.18, does not have it)"
AWS_ROOT_GATED: dict[str, str] = dict.fromkeys(
    ("sts_region", "sts_fallback_endpoints", "sts_fallback_regions", *ROTATION_SPEC), VAULT_1_19
)
AWS_LEASE_SPEC: dict[str, str] = {"lease": "duration", "lease_max": "duration"}

AWS_ROLE_SPEC: dict[str, str] = {
    "credential_type": "str",
    "policy_arns": "list",
    "policy_document": "json",
    "role_arns": "list",
    "iam_groups": "list",
    "iam_tags": "map",
    "default_sts_ttl": "duration",
    "max_sts_ttl": "duration",
    "user_path": "str",
    "permissions_boundary_arn": "str",
    "mfa_serial_number": "str",
    "session_tags": "map",
    "external_id": "str",
}
AWS_STATIC_ROLE_SPEC: dict[str, str] = {
    "username": "str",
    "rotation_period": "duration",
    "assume_role_arn": "str",
    "assume_role_session_name": "str",
    "external_id": "str",
}
# cross-account static roles: a Vault Enterprise feature (community Vault and OpenBao have no such fields)
AWS_STATIC_ROLE_GATED: dict[str, str] = dict.fromkeys(
    ("assume_role_arn", "assume_role_session_name", "external_id"),
    "Vault Enterprise 1.19 or later (cross-account static roles)",
)

# the argument specs of one role and one static role: the single modules' options, and each item of the
# bulk modules' lists
_ITEM: dict[str, dict[str, t.Any]] = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
}
AWS_ROLE_OPTIONS: dict[str, dict[str, t.Any]] = {
    **_ITEM,
    "credential_type": {"type": "str", "choices": list(AWS_CREDENTIAL_TYPES)},
    "policy_document": {"type": "raw"},
    "policy_arns": {"type": "list", "elements": "str"},
    "role_arns": {"type": "list", "elements": "str"},
    "iam_groups": {"type": "list", "elements": "str"},
    "iam_tags": {"type": "dict"},
    "default_sts_ttl": {"type": "raw"},
    "max_sts_ttl": {"type": "raw"},
    "user_path": {"type": "str"},
    "permissions_boundary_arn": {"type": "str"},
    "mfa_serial_number": {"type": "str"},
    "session_tags": {"type": "dict"},
    "external_id": {"type": "str"},
}
AWS_STATIC_ROLE_OPTIONS: dict[str, dict[str, t.Any]] = {
    **_ITEM,
    "username": {"type": "str"},
    "rotation_period": {"type": "raw"},
    "assume_role_arn": {"type": "str"},
    "assume_role_session_name": {"type": "str"},
    "external_id": {"type": "str"},
    "recreate": {"type": "bool", "default": False},
}

_STS_TYPES = ("assumed_role", "federation_token", "session_token")
# field -> the credential types that accept a non-empty value (the engine's own rules, role.validate())
AWS_ROLE_FIELD_TYPES: dict[str, tuple[str, ...]] = {
    "role_arns": ("assumed_role",),
    "session_tags": ("assumed_role",),
    "external_id": ("assumed_role",),
    "user_path": ("iam_user",),
    "permissions_boundary_arn": ("iam_user",),
    "default_sts_ttl": _STS_TYPES,
    "max_sts_ttl": _STS_TYPES,
    "policy_document": ("iam_user", "assumed_role", "federation_token"),
    "policy_arns": ("iam_user", "assumed_role", "federation_token"),
}
_USER_PATH = re.compile(r"^/([\x21-\x7F]{0,510}/)?$")


def _is_set(name: str, value: t.Any) -> bool:
    if value in (None, "", [], {}):
        return False
    if AWS_ROLE_SPEC.get(name) == "duration":
        return duration_to_seconds(value, name) != 0
    return True


def validate_aws_role(desired: dict[str, t.Any]) -> None:
    """Refuse what the engine would refuse, naming the fields, before anything is written."""
    credential_type = desired.get("credential_type")
    if not credential_type:
        raise ValidationError("credential_type", "is required when state=present")
    if credential_type not in AWS_CREDENTIAL_TYPES:
        raise ValidationError(
            "credential_type",
            f"unknown type {credential_type!r}; expected one of {', '.join(AWS_CREDENTIAL_TYPES)}",
        )
    for name, allowed in AWS_ROLE_FIELD_TYPES.items():
        if _is_set(name, desired.get(name)) and credential_type not in allowed:
            raise ValidationError(
                name, f"is not valid with credential_type {credential_type} (only with {', '.join(allowed)})"
            )
    if desired.get("policy_document") not in (None, ""):
        document = json_document(desired["policy_document"], "policy_document")
        if not isinstance(document, dict):
            raise ValidationError("policy_document", "must be a JSON object (an IAM policy document)")
    if desired.get("user_path") and not _USER_PATH.match(desired["user_path"]):
        raise ValidationError("user_path", "must begin and end with '/', as IAM paths do")
    if credential_type == "assumed_role" and not string_list(desired.get("role_arns")):
        raise ValidationError("role_arns", "is required for credential_type assumed_role")
    default_ttl, max_ttl = desired.get("default_sts_ttl"), desired.get("max_sts_ttl")
    if default_ttl is not None and max_ttl is not None:
        low, high = duration_to_seconds(default_ttl, "default_sts_ttl"), duration_to_seconds(max_ttl, "max_sts_ttl")
        if high and low > high:
            raise ValidationError("default_sts_ttl", f"({low}s) must not exceed max_sts_ttl ({high}s)")


def aws_role_payload(desired: dict[str, t.Any]) -> dict[str, t.Any]:
    """What to send for a role: only the fields the user set, in the engine's wire format."""
    payload: dict[str, t.Any] = {}
    for name, value in desired.items():
        if value is None or name not in AWS_ROLE_SPEC:
            continue
        kind = AWS_ROLE_SPEC[name]
        if kind == "json":
            document = json_document(value, name)
            payload[name] = "" if document is None else _compact_json(document)
        elif kind == "list":
            payload[name] = string_list(value)
        elif kind == "duration":
            payload[name] = duration_to_seconds(value, name)
        else:
            payload[name] = value
    return payload


def _compact_json(document: t.Any) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


class AwsEngine:
    """The AWS secrets engine's actions at one mount (its resources are converged by the driver)."""

    def __init__(self, client: VaultClient, mount_point: str = "aws") -> None:
        self.client = client
        self.mount = mount_path(mount_point, "mount_point")

    def rotate_root(self) -> dict[str, t.Any]:
        response = self.client.action(join_path(self.mount, "config/rotate-root")) or {}
        return response.get("data") or {}

    def issue(
        self,
        role: str,
        *,
        kind: str = "creds",
        ttl: t.Any = None,
        role_arn: str | None = None,
        role_session_name: str | None = None,
    ) -> dict[str, t.Any]:
        if kind not in ("creds", "sts", "static-creds"):
            raise ValidationError("kind", f"must be creds, sts or static-creds, not {kind!r}")
        params: dict[str, t.Any] = {}
        if ttl not in (None, ""):
            params["ttl"] = f"{duration_to_seconds(ttl, 'ttl')}s"
        if role_arn:
            params["role_arn"] = role_arn
        if role_session_name:
            params["role_session_name"] = role_session_name
        if kind == "static-creds" and params:
            # a static role's key is the one Vault rotates: it has no TTL or role of its own to ask for
            raise ValidationError(sorted(params)[0], "does not apply to static-creds (a static role's current key)")
        path = join_path(self.mount, kind, AWS_NAME.check(role, "role"))
        response = self.client.issue(path, params, method="POST" if params else "GET")
        return normalise_aws_creds(response)


def normalise_aws_creds(response: dict[str, t.Any], now: datetime.datetime | None = None) -> dict[str, t.Any]:
    """One flat dict: keys, token, arn when present, and the lease fields."""
    data = response.get("data") or {}
    token = data.get("security_token") or data.get("session_token")
    result: dict[str, t.Any] = {
        "access_key": data.get("access_key"),
        "secret_key": data.get("secret_key"),
        "security_token": token or None,
    }
    if data.get("arn"):
        result["arn"] = data["arn"]
    result.update(lease_fields(response, now))
    return result


# --- resources ------------------------------------------------------------------------------------

# config/root fields Vault reports with a default although nobody set them; sent back only when set
AWS_ROOT_PASS_THROUGH_ONLY = (
    "sts_region",
    "sts_fallback_endpoints",
    "sts_fallback_regions",
    "role_arn",
    "identity_token_audience",
    "identity_token_ttl",
    # the rotation fields of Vault 1.19 and later (read back as 0, "" and false when unset)
    *ROTATION_SPEC,
)


def aws_root_payload(desired: dict[str, t.Any], current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """The whole root configuration: what Vault has, overlaid with what the user set (a write replaces it);
    durations the user set in seconds."""
    merged: dict[str, t.Any] = {}
    for name, value in (current or {}).items():
        if name in AWS_ROOT_SPEC and name not in AWS_ROOT_PASS_THROUGH_ONLY and value not in (None, ""):
            merged[name] = value
    for name, value in desired.items():
        if value is not None:
            merged[name] = duration_to_seconds(value, name) if AWS_ROOT_SPEC.get(name) == "duration" else value
    return merged


def _check_root(desired: dict[str, t.Any]) -> None:
    """The engine's rules on the rotation fields, before any request (the root write replaces the whole
    configuration, so the fields asked for are the fields sent)."""
    validate_rotation(desired, None)


def _root_unset(record: t.Mapping[str, t.Any]) -> bool:
    # the engine answers with defaults when nothing is configured
    return not any(record.get(k) for k in ("access_key", "region", "iam_endpoint"))


def _role_payload(desired: dict[str, t.Any], _current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    return aws_role_payload(desired)


def _check_static_role(desired: dict[str, t.Any]) -> None:
    if not desired.get("username"):
        raise ValidationError("username", "is required when state=present (the IAM user whose key Vault rotates)")
    period = desired.get("rotation_period")
    if period is not None and duration_to_seconds(period, "rotation_period") < 60:
        raise ValidationError(
            "rotation_period", f"must be at least 60 seconds, got {duration_to_seconds(period, 'rotation_period')}"
        )


def _static_role_payload(desired: dict[str, t.Any], _current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    payload = {k: v for k, v in desired.items() if v is not None}
    if "rotation_period" in payload:
        payload["rotation_period"] = f"{duration_to_seconds(payload['rotation_period'], 'rotation_period')}s"
    return payload


def _refuse_username(name: str, _field: str, current: t.Any, desired: t.Any) -> str:
    return (
        f"static role {name} manages user {current!r}; the engine cannot change it to {desired!r} "
        "(set recreate=true to delete and recreate the role)"
    )


def _lease_payload(desired: dict[str, t.Any], _current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    return {k: f"{duration_to_seconds(v, k)}s" for k, v in desired.items() if v is not None}


AWS_ROOT = Resource(
    engine="aws",
    what="root configuration",
    path="config/root",
    fields=AWS_ROOT_SPEC,
    named=False,
    secrets=AWS_ROOT_SECRETS,
    rules=_check_root,
    payload=aws_root_payload,
    unset=_root_unset,
    deletable=False,
    gated=AWS_ROOT_GATED,
)
AWS_LEASE = Resource(
    engine="aws",
    what="lease configuration",
    path="config/lease",
    fields=AWS_LEASE_SPEC,
    named=False,
    payload=_lease_payload,
    deletable=False,
)
AWS_ROLE = Resource(
    engine="aws",
    what="role",
    path="roles",
    fields=AWS_ROLE_SPEC,
    name_rule=AWS_NAME,
    rules=validate_aws_role,
    payload=_role_payload,
)
AWS_STATIC_ROLE = Resource(
    engine="aws",
    what="static role",
    path="static-roles",
    fields=AWS_STATIC_ROLE_SPEC,
    name_rule=AWS_NAME,
    immutable=("username",),
    rules=_check_static_role,
    payload=_static_role_payload,
    refuse=_refuse_username,
    gated=AWS_STATIC_ROLE_GATED,
)
