# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Per-engine API classes: path builders plus read/write/delete/list, and the field specs.

No Ansible imports: these run inside modules and controller-side plugins alike.
"""

from __future__ import annotations

import datetime
import json
import re
import typing as t

from ._client import VaultClient, VaultInvalidRequest, VaultOpsError, VaultPermissionError
from ._compare import ValidationError, duration_to_seconds, json_document, string_list

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


def mount_path(path: str) -> str:
    clean = path.strip().strip("/")
    if not clean:
        raise ValidationError("path", "must not be empty")
    if clean.startswith("sys") and (clean == "sys" or clean.startswith("sys/")):
        raise ValidationError("path", "sys/ is reserved by Vault")
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
    def __init__(self, client: VaultClient) -> None:
        self.client = client

    def read(self, path: str) -> dict[str, t.Any] | None:
        """The mount at ``path`` flattened (config fields at the top), or ``None``."""
        mounts = self.client.read("sys/mounts") or {}
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
            if key in MOUNT_CONFIG_FIELDS:
                config[key] = value
            else:
                payload[key] = value
        if config:
            payload["config"] = config
        self.client.write(f"sys/mounts/{mount_path(path)}", payload)

    def tune(self, path: str, settings: dict[str, t.Any]) -> None:
        self.client.write(f"sys/mounts/{mount_path(path)}/tune", settings)

    def disable(self, path: str) -> bool:
        return self.client.delete(f"sys/mounts/{mount_path(path)}")


# --- AWS ------------------------------------------------------------------------------------------

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
}
AWS_ROOT_SECRETS = ("secret_key",)
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
AWS_STATIC_ROLE_SPEC: dict[str, str] = {"username": "str", "rotation_period": "duration"}

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
    """Paths of the AWS secrets engine at one mount."""

    def __init__(self, client: VaultClient, mount_point: str = "aws") -> None:
        self.client = client
        self.mount = mount_path(mount_point)

    # config
    def read_root(self) -> dict[str, t.Any] | None:
        return self.client.read(f"{self.mount}/config/root")

    def write_root(self, payload: dict[str, t.Any]) -> None:
        self.client.write(f"{self.mount}/config/root", payload)

    def read_lease(self) -> dict[str, t.Any] | None:
        return self.client.read(f"{self.mount}/config/lease")

    def write_lease(self, payload: dict[str, t.Any]) -> None:
        self.client.write(f"{self.mount}/config/lease", payload)

    def rotate_root(self) -> dict[str, t.Any]:
        response = self.client.action(f"{self.mount}/config/rotate-root") or {}
        return response.get("data") or {}

    # roles
    def read_role(self, name: str) -> dict[str, t.Any] | None:
        return self.client.read(f"{self.mount}/roles/{name}")

    def write_role(self, name: str, payload: dict[str, t.Any]) -> None:
        self.client.write(f"{self.mount}/roles/{name}", payload)

    def delete_role(self, name: str) -> bool:
        return self.client.delete(f"{self.mount}/roles/{name}")

    def list_roles(self) -> list[str]:
        return self.client.list(f"{self.mount}/roles")

    # static roles
    def read_static_role(self, name: str) -> dict[str, t.Any] | None:
        return self.client.read(f"{self.mount}/static-roles/{name}")

    def write_static_role(self, name: str, payload: dict[str, t.Any]) -> None:
        self.client.write(f"{self.mount}/static-roles/{name}", payload)

    def delete_static_role(self, name: str) -> bool:
        return self.client.delete(f"{self.mount}/static-roles/{name}")

    # credentials
    def issue(
        self,
        role: str,
        *,
        kind: str = "creds",
        ttl: t.Any = None,
        role_arn: str | None = None,
        role_session_name: str | None = None,
        mfa_code: str | None = None,
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
        if mfa_code:
            params["mfa_code"] = mfa_code
        path = f"{self.mount}/{kind}/{role}"
        if kind == "static-creds":
            params = {}
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
        try:
            return (self.client.write("sys/leases/lookup", {"lease_id": lease_id}, method="PUT") or {}).get("data")
        except VaultOpsError as exc:
            if exc.status in (400, 404) and "invalid lease" in exc.message.lower():
                return None
            raise

    def renew(self, lease_id: str, increment: int | None = None) -> dict[str, t.Any]:
        payload: dict[str, t.Any] = {"lease_id": lease_id}
        if increment:
            payload["increment"] = increment
        return self.client.action("sys/leases/renew", payload, method="PUT") or {}

    def revoke(self, lease_id: str) -> None:
        self.client.action("sys/leases/revoke", {"lease_id": lease_id}, method="PUT")

    def list_prefix(self, prefix: str) -> list[str]:
        return self.client.list(f"sys/leases/lookup/{prefix.strip('/')}")

    def revoke_prefix(self, prefix: str) -> None:
        self.client.action(f"sys/leases/revoke-prefix/{prefix.strip('/')}", {}, method="PUT")
