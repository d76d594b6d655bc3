# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""The Google Cloud secrets engine (vault-plugin-secrets-gcp): its resource descriptors, bindings, credentials.

No Ansible imports: this runs inside modules and controller-side plugins alike.

Bindings are the one field the shared comparison table has no kind for. The engine takes them as an
HCL (or JSON, or base64) string and answers a read with ``{resource: [roles]}`` in no particular order.
The ``bindings`` kind (:data:`GCP_KINDS`, declared with :func:`~._compare.extend_kinds`) makes both sides
the same data, ``{resource: sorted unique roles}``, and the driver compares them like any other field.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import typing as t
import urllib.parse
from dataclasses import dataclass

from ._client import VaultClient
from ._compare import ValidationError, differences, duration_to_seconds, extend_kinds
from ._driver import Outcome, Resource
from ._vault import (
    ROTATION_SPEC,
    NameRule,
    join_path,
    lease_fields,
    mount_path,
    rotation_payload,
    validate_rotation,
)

# --- specs ----------------------------------------------------------------------------------------

# the kind of a bindings field: compared as data (see GCP_KINDS)
BINDINGS = "bindings"

ACCESS_TOKEN = "access_token"  # noqa: S105 - a secret type, not a secret
SERVICE_ACCOUNT_KEY = "service_account_key"
SECRET_TYPES = (ACCESS_TOKEN, SERVICE_ACCOUNT_KEY)
SOURCES = ("roleset", "static-account", "impersonated-account")

# config: what a read returns (identity_token_* are for Vault Enterprise; the rotation fields come with Vault 1.19's
# engine, v0.21); credentials are write-only
GCP_CONFIG_SPEC: dict[str, str] = {
    "ttl": "duration",
    "max_ttl": "duration",
    "service_account_email": "str",
    "identity_token_audience": "str",
    "identity_token_ttl": "duration",
    **ROTATION_SPEC,
}
GCP_CONFIG_SECRETS = ("credentials",)
# the config fields only some servers' engines have -> what they need (Resource.gated: refused before a write
# that sends one where the engine's schema lacks it; the engine would drop it without a word)
GCP_CONFIG_GATED: dict[str, str] = dict.fromkeys(
    ROTATION_SPEC,
    "Vault 1.19 or later (Google Cloud engine v0.21 and later; OpenBao 2.7's plugin, v0.20, does not have it)",
)

# roleset/<name>: project and secret_type are fixed at creation; token_scopes only for access_token
GCP_ROLESET_SPEC: dict[str, str] = {
    "project": "str",
    "secret_type": "str",
    "bindings": BINDINGS,
    "token_scopes": "list",
}
GCP_ROLESET_IMMUTABLE = ("project", "secret_type")

# static-account/<name>: the engine reports Google's own spelling of the email, in lower case
GCP_STATIC_ACCOUNT_SPEC: dict[str, str] = {
    "service_account_email": "lower",
    "secret_type": "str",
    "bindings": BINDINGS,
    "token_scopes": "list",
}
GCP_STATIC_ACCOUNT_IMMUTABLE = ("service_account_email", "secret_type")

# impersonated-account/<name>: access tokens only
GCP_IMPERSONATED_SPEC: dict[str, str] = {
    "service_account_email": "lower",
    "token_scopes": "list",
    "ttl": "duration",
}
GCP_IMPERSONATED_IMMUTABLE = ("service_account_email",)

# the argument specs of one roleset / static account / impersonated account: the single modules' options,
# and each item of the bulk modules' lists
_ITEM: dict[str, dict[str, t.Any]] = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
}
_RECREATE: dict[str, t.Any] = {"type": "bool", "default": False}
GCP_ROLESET_OPTIONS: dict[str, dict[str, t.Any]] = {
    **_ITEM,
    "project": {"type": "str"},
    "secret_type": {"type": "str", "choices": list(SECRET_TYPES), "no_log": False},
    "bindings": {"type": "raw"},
    "token_scopes": {"type": "list", "elements": "str", "no_log": False},
    "recreate": _RECREATE,
}
GCP_STATIC_ACCOUNT_OPTIONS: dict[str, dict[str, t.Any]] = {
    **_ITEM,
    "service_account_email": {"type": "str"},
    "secret_type": {"type": "str", "choices": list(SECRET_TYPES), "no_log": False},
    "bindings": {"type": "raw"},
    "token_scopes": {"type": "list", "elements": "str", "no_log": False},
    "recreate": _RECREATE,
}
GCP_IMPERSONATED_OPTIONS: dict[str, dict[str, t.Any]] = {
    **_ITEM,
    "service_account_email": {"type": "str"},
    "token_scopes": {"type": "list", "elements": "str", "no_log": False},
    "ttl": {"type": "raw"},
    "recreate": _RECREATE,
}


# --- names ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GcpNameRule(NameRule):
    """The engine's name pattern (``framework.GenericNameRegex``; Go's ``\\w`` is ASCII), checked first: it
    refuses every character the shared rule refuses, and says what the engine takes. ``no_upper`` for rolesets,
    whose name Google turns into a service account ID."""

    no_upper: bool = False

    def check(self, value: t.Any, field: str = "name") -> str:
        if isinstance(value, str) and self.pattern is not None and not self.pattern.fullmatch(value):
            raise ValidationError(field, f"{value!r} is not a valid name ({self.hint})")
        name = super().check(value, field)
        if self.no_upper and name != name.lower():
            raise ValidationError(
                field,
                f"{name!r} has upper-case letters: the engine builds the service account ID from it, and Google "
                "accepts only lower-case letters, digits and '-' there",
            )
        return name


GCP_NAME = GcpNameRule(
    pattern=re.compile(r"\w(?:[\w.-]*\w)?", re.ASCII),
    hint="ASCII letters, digits, '_', '-' and '.'; a letter, digit or '_' at either end",
)
GCP_ROLESET_NAME = GcpNameRule(pattern=GCP_NAME.pattern, hint=GCP_NAME.hint, no_upper=True)


# --- bindings -------------------------------------------------------------------------------------

_ROLE_FORMS = '"roles/X", "projects/P/roles/X" or "organizations/O/roles/X"'


def _check_role(role: t.Any, resource: str, field: str) -> str:
    if not isinstance(role, str):
        raise ValidationError(field, f"role {role!r} of resource {resource!r} is not a string")
    parts = role.split("/")
    valid = (len(parts) == 2 and parts[0] == "roles") or (
        len(parts) == 4 and parts[0] in ("projects", "organizations") and parts[2] == "roles"
    )
    if not valid or not all(parts):
        raise ValidationError(field, f"role {role!r} of resource {resource!r} must have the form {_ROLE_FORMS}")
    return role


def _roles_of(value: t.Any, resource: str, field: str) -> list[t.Any]:
    if isinstance(value, dict):
        if set(value) != {"roles"}:
            raise ValidationError(field, f"resource {resource!r} must map to a list of roles or to {{roles: [...]}}")
        value = value["roles"]
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set)):
        return list(value)
    if value is None:
        return []
    raise ValidationError(field, f"roles of resource {resource!r} must be a list, got {type(value).__name__}")


def normalise_bindings(value: t.Any, field: str = "bindings") -> dict[str, list[str]]:
    """Bindings as data: ``{resource: sorted unique roles}``.

    Accepts what a user writes and what the engine returns: a dict ``{resource: [roles]}`` (also
    ``{resource: {roles: [...]}}``), a list of ``{resource: ..., roles: [...]}``, or a string in the
    engine's own input format (HCL, JSON, or either base64-encoded). ``None`` and ``""`` are ``{}``.
    Roles of a resource named twice are merged, as the engine merges them.
    """
    if value is None:
        return {}
    if isinstance(value, str):
        if not value.strip():
            return {}
        value = _parse_bindings_text(value, field)
    merged: dict[str, set[str]] = {}
    if isinstance(value, dict) and _is_hcl_json(value):
        value = _from_hcl_json(value["resource"], field)
    if isinstance(value, dict):
        items: list[tuple[t.Any, t.Any]] = list(value.items())
    elif isinstance(value, (list, tuple)):
        items = []
        for entry in value:
            if not isinstance(entry, dict) or "resource" not in entry or not set(entry) <= {"resource", "roles"}:
                raise ValidationError(field, f"list items must be {{resource: ..., roles: [...]}}, got {entry!r}")
            items.append((entry["resource"], entry.get("roles")))
    else:
        raise ValidationError(field, f"must be a dict of resource to roles, got {type(value).__name__}")
    for resource, roles in items:
        if not isinstance(resource, str) or not resource.strip():
            raise ValidationError(field, f"resource names must be non-empty strings, got {resource!r}")
        checked = {_check_role(role, resource, field) for role in _roles_of(roles, resource, field)}
        if not checked:
            raise ValidationError(field, f"resource {resource!r} has no roles (the engine refuses an empty list)")
        merged.setdefault(resource, set()).update(checked)
    return {resource: sorted(roles) for resource, roles in sorted(merged.items())}


def _hcl_string(text: str) -> str:
    # HCL 1 strings take the same escapes as JSON for everything a resource or role may hold
    return json.dumps(text, ensure_ascii=False)


def bindings_to_wire(value: t.Any, field: str = "bindings") -> str:
    """The engine's input format for bindings: HCL, resources and roles sorted, so equal data gives equal text.

    The engine remembers a hash of the text it was sent; the same bindings always render the same way.
    An empty value renders as ``""`` (a static account without bindings).
    """
    bindings = normalise_bindings(value, field)
    blocks = []
    for resource, roles in bindings.items():
        role_lines = "".join(f"    {_hcl_string(role)},\n" for role in roles)
        blocks.append(f"resource {_hcl_string(resource)} {{\n  roles = [\n{role_lines}  ]\n}}\n")
    return "\n".join(blocks)


def _is_hcl_json(value: dict[str, t.Any]) -> bool:
    """``{"resource": {name: {"roles": [...]}}}`` (or a list of such), the JSON form of the engine's HCL."""
    if set(value) != {"resource"}:
        return False
    inner = value["resource"]
    if isinstance(inner, list):
        return all(isinstance(item, dict) for item in inner)
    return isinstance(inner, dict) and all(isinstance(v, (dict, list)) for v in inner.values()) and bool(inner)


def _from_hcl_json(inner: t.Any, field: str) -> list[dict[str, t.Any]]:
    entries: list[dict[str, t.Any]] = []
    for block in inner if isinstance(inner, list) else [inner]:
        for resource, body in block.items():
            for part in body if isinstance(body, list) else [body]:
                if not isinstance(part, dict) or set(part) != {"roles"}:
                    raise ValidationError(field, f"resource {resource!r} must hold only a roles list")
                entries.append({"resource": resource, "roles": part["roles"]})
    return entries


def _parse_bindings_text(text: str, field: str) -> t.Any:
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped)
        except ValueError as exc:
            raise ValidationError(field, f"is not valid JSON: {exc}") from None
    if re.fullmatch(r"[A-Za-z0-9+/=\s]+", stripped) and not re.match(r"^\s*resource\b", stripped):
        try:
            decoded = base64.b64decode("".join(stripped.split()), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            pass
        else:
            return _parse_bindings_text(decoded, field)
    return parse_bindings_hcl(stripped, field)


_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.-]*)
  | (?P<punct>[{}\[\]=,])
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str, field: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            line = text.count("\n", 0, position) + 1
            raise ValidationError(field, f"cannot parse the bindings HCL at line {line}: {text[position:][:20]!r}")
        kind = match.lastgroup or ""
        if kind == "string":
            try:
                tokens.append((kind, json.loads(match.group())))
            except ValueError:
                raise ValidationError(field, f"bindings HCL: bad escape in the string {match.group()!r}") from None
        elif kind != "space":
            tokens.append((kind, match.group()))
        position = match.end()
    return tokens


def parse_bindings_hcl(text: str, field: str = "bindings") -> list[dict[str, t.Any]]:
    """The engine's HCL bindings format (``resource "name" { roles = ["roles/x"] }``) as a list of entries."""
    tokens = _tokens(text, field)
    entries: list[dict[str, t.Any]] = []
    index = 0

    def at(punct: str) -> bool:
        return index < len(tokens) and tokens[index] == ("punct", punct)

    def expect(kinds: tuple[str, ...], what: str) -> str:
        """The next token, which must be of one of ``kinds`` (token kinds, or punctuation marks)."""
        nonlocal index
        if index < len(tokens):
            kind, value = tokens[index]
            if kind in kinds or (kind == "punct" and value in kinds):
                index += 1
                return value
        found = tokens[index][1] if index < len(tokens) else "the end"
        raise ValidationError(field, f"bindings HCL: expected {what}, found {found!r}")

    while index < len(tokens):
        if expect(("ident", "string"), '"resource"') != "resource":
            raise ValidationError(field, f'bindings HCL: expected "resource", found {tokens[index - 1][1]!r}')
        resource = expect(("string",), "a quoted resource name")
        expect(("{",), "'{'")
        roles: list[str] = []
        while index < len(tokens) and not at("}"):
            if expect(("ident", "string"), '"roles"') != "roles":
                raise ValidationError(field, f'bindings HCL: expected "roles", found {tokens[index - 1][1]!r}')
            expect(("=",), "'='")
            expect(("[",), "'['")
            while index < len(tokens) and not at("]"):
                roles.append(expect(("string",), "a quoted role"))
                if at(","):
                    index += 1
            expect(("]",), "']'")
            if at(","):
                index += 1
        expect(("}",), "'}'")
        entries.append({"resource": resource, "roles": roles})
    return entries


# --- engine rules ---------------------------------------------------------------------------------

# the comparison kinds of this engine: the shared table plus bindings as data
GCP_KINDS = extend_kinds(bindings=normalise_bindings)


def prepare(record: t.Mapping[str, t.Any] | None, spec: t.Mapping[str, str]) -> dict[str, t.Any] | None:
    """A Vault record with its bindings fields normalised; ``None`` stays ``None``.

    The engine leaves ``bindings`` out of a static account that has none: that reads as ``{}``.
    """
    if record is None:
        return None
    result = dict(record)
    for name, kind in spec.items():
        if kind == BINDINGS:
            result[name] = normalise_bindings(record.get(name), name)
    return result


def credentials_json(value: t.Any, field: str = "credentials") -> str:
    """The engine's ``credentials``: a JSON object as text, from a string or a dict (sent compact)."""
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    text = str(value).strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        # never quote the value: it holds a private key
        raise ValidationError(field, "is not valid JSON (expected a service account key file)") from None
    if not isinstance(parsed, dict):
        raise ValidationError(field, "must be a JSON object (a service account key file)")
    return text


def wire_payload(desired: t.Mapping[str, t.Any], spec: t.Mapping[str, str]) -> dict[str, t.Any]:
    """The set fields of ``desired`` in the engine's input format: bindings as HCL, durations in seconds."""
    payload: dict[str, t.Any] = {}
    for name, value in desired.items():
        if value is None or name not in spec:
            continue
        kind = spec[name]
        if kind == BINDINGS:
            payload[name] = bindings_to_wire(value, name)
        elif kind == "duration":
            payload[name] = duration_to_seconds(value, name)
        elif kind == "list":
            payload[name] = sorted({str(v) for v in value}) if isinstance(value, (list, tuple, set)) else value
        else:
            payload[name] = value
    return payload


def update_payload(
    desired: t.Mapping[str, t.Any],
    current: t.Mapping[str, t.Any] | None,
    spec: t.Mapping[str, str],
    *,
    keep: t.Iterable[str] = (),
) -> dict[str, t.Any]:
    """What to send: every set field on create; on update only the fields that differ.

    ``keep`` fields go along with an update at their current value, for the engine's sake (a static
    account update without ``secret_type`` is taken as a change to the default ``access_token``).
    Bindings are sent only when they differ: the engine acts on every bindings write (a roleset gets a
    new service account, a static account has its IAM policies rewritten).
    """
    if current is None:
        payload = wire_payload(desired, spec)
        return {k: v for k, v in payload.items() if not (spec.get(k) == BINDINGS and v == "")}
    changes = differences(desired, current, spec, GCP_KINDS)
    payload = wire_payload({name: desired[name] for name in changes}, spec)
    for name in keep:
        if current.get(name) not in (None, ""):
            payload.setdefault(name, current[name])
    return payload


def _scopes_rule(what: str, desired: dict[str, t.Any], secret_type: str, creating: bool) -> None:
    scopes = desired.get("token_scopes")
    if secret_type == ACCESS_TOKEN:
        if scopes is not None and not scopes:
            raise ValidationError("token_scopes", f"must not be empty for an access_token {what}")
        if creating and not scopes:
            raise ValidationError("token_scopes", f"is required to create an access_token {what}")
    elif scopes:
        raise ValidationError(
            "token_scopes",
            f"applies only to access_token {what}s; the engine ignores it for secret_type {secret_type}",
        )


def _secret_type(desired: dict[str, t.Any], current: t.Mapping[str, t.Any] | None) -> str:
    secret_type = desired.get("secret_type") or (current or {}).get("secret_type") or ACCESS_TOKEN
    if secret_type not in SECRET_TYPES:
        raise ValidationError("secret_type", f"must be one of {', '.join(SECRET_TYPES)}, not {secret_type!r}")
    if current is None:
        desired["secret_type"] = secret_type  # the engine's default, made visible
    return secret_type


def validate_gcp_roleset(desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """Refuse what the engine would refuse, naming the field; the desired roleset with creation defaults."""
    result = dict(desired)
    creating = current is None
    secret_type = _secret_type(result, current)
    if creating and not result.get("project"):
        raise ValidationError("project", "is required to create a roleset")
    if result.get("bindings") is not None and not result["bindings"]:
        raise ValidationError("bindings", "must name at least one resource: a roleset cannot be without bindings")
    if creating and not result.get("bindings"):
        raise ValidationError("bindings", "is required to create a roleset")
    _scopes_rule("roleset", result, secret_type, creating)
    return result


def validate_gcp_static_account(
    desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None
) -> dict[str, t.Any]:
    result = dict(desired)
    creating = current is None
    secret_type = _secret_type(result, current)
    if creating and not result.get("service_account_email"):
        raise ValidationError("service_account_email", "is required to create a static account")
    _scopes_rule("static account", result, secret_type, creating)
    return result


def validate_gcp_impersonated(
    desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None
) -> dict[str, t.Any]:
    result = dict(desired)
    creating = current is None
    if creating and not result.get("service_account_email"):
        raise ValidationError("service_account_email", "is required to create an impersonated account")
    _scopes_rule("impersonated account", result, ACCESS_TOKEN, creating)
    return result


def check_config(desired: dict[str, t.Any], current: t.Mapping[str, t.Any] | None) -> None:
    """The engine's rules for workload identity federation and root rotation, which need the current
    configuration."""
    if desired.get("identity_token_audience") and not (
        desired.get("service_account_email") or (current or {}).get("service_account_email")
    ):
        raise ValidationError("service_account_email", "is required with identity_token_audience")
    validate_rotation(desired, current)


def config_payload(desired: dict[str, t.Any], current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """The config fields that differ, in the engine's format; a rotation window goes with its schedule."""
    return rotation_payload(update_payload(desired, current, GCP_CONFIG_SPEC), desired, current)


def _payload(
    spec: t.Mapping[str, str], keep: tuple[str, ...] = ()
) -> t.Callable[[dict[str, t.Any], t.Mapping[str, t.Any] | None], dict[str, t.Any]]:
    def payload(desired: dict[str, t.Any], current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
        return update_payload(desired, current, spec, keep=keep)

    return payload


def _prepared(spec: t.Mapping[str, str]) -> t.Callable[[t.Mapping[str, t.Any]], dict[str, t.Any]]:
    def hook(record: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
        return prepare(record, spec) or {}

    return hook


def _scopes_of_tokens(desired: dict[str, t.Any]) -> tuple[str, ...]:
    # scopes belong to access tokens: a resource recreated to issue keys does not take the old one's
    return ("token_scopes",) if desired.get("secret_type") == SERVICE_ACCOUNT_KEY else ()


def new_service_account(outcome: Outcome) -> bool:
    """Whether the engine creates (or would create) a new service account for a roleset: on creation,
    recreation or a change of bindings. Tokens and keys issued before then stop working."""
    return outcome.changed and (
        outcome.action == "created" or outcome.recreated or "bindings" in outcome.changed_fields
    )


# The engine merges a config write into what it has: the key is sent when the configuration is created, or
# when asked to every time, never as a side effect of another change (it may have been rotated since).
GCP_CONFIG = Resource(
    engine="gcp",
    what="configuration",
    path="config",
    fields=GCP_CONFIG_SPEC,
    named=False,
    secrets=GCP_CONFIG_SECRETS,
    kinds=GCP_KINDS,
    check=check_config,
    payload=config_payload,
    merges=True,
    deletable=False,
    gated=GCP_CONFIG_GATED,
)
# A bindings write makes the engine create a new service account: bindings are sent only when they differ.
GCP_ROLESET = Resource(
    engine="gcp",
    what="roleset",
    path="roleset",
    list_path="rolesets",
    fields=GCP_ROLESET_SPEC,
    name_rule=GCP_ROLESET_NAME,
    immutable=GCP_ROLESET_IMMUTABLE,
    kinds=GCP_KINDS,
    check=validate_gcp_roleset,
    payload=_payload(GCP_ROLESET_SPEC),
    prepare=_prepared(GCP_ROLESET_SPEC),
    not_carried=_scopes_of_tokens,
)
# An update without secret_type reads as a change to access_token: it goes along at its current value.
GCP_STATIC_ACCOUNT = Resource(
    engine="gcp",
    what="static account",
    path="static-account",
    list_path="static-accounts",
    fields=GCP_STATIC_ACCOUNT_SPEC,
    name_rule=GCP_NAME,
    immutable=GCP_STATIC_ACCOUNT_IMMUTABLE,
    kinds=GCP_KINDS,
    check=validate_gcp_static_account,
    payload=_payload(GCP_STATIC_ACCOUNT_SPEC, keep=("secret_type", "service_account_email")),
    prepare=_prepared(GCP_STATIC_ACCOUNT_SPEC),
    not_carried=_scopes_of_tokens,
)
GCP_IMPERSONATED_ACCOUNT = Resource(
    engine="gcp",
    what="impersonated account",
    path="impersonated-account",
    list_path="impersonated-accounts",
    fields=GCP_IMPERSONATED_SPEC,
    name_rule=GCP_NAME,
    immutable=GCP_IMPERSONATED_IMMUTABLE,
    kinds=GCP_KINDS,
    check=validate_gcp_impersonated,
    payload=_payload(GCP_IMPERSONATED_SPEC),
)


# --- engine ---------------------------------------------------------------------------------------


class GcpEngine:
    """The Google Cloud secrets engine's actions at one mount (its resources are converged by the driver)."""

    def __init__(self, client: VaultClient, mount_point: str = "gcp") -> None:
        self.client = client
        self.mount = mount_path(mount_point, "mount_point")

    def rotate_root(self) -> dict[str, t.Any]:
        """A new key for the engine's own service account; the old one is deleted. ``{private_key_id}``."""
        response = self.client.action(join_path(self.mount, "config/rotate-root")) or {}
        return response.get("data") or {}

    def rotate_roleset(self, name: str) -> dict[str, t.Any]:
        """A new service account for the roleset; secrets issued under the old one stop working."""
        return self.client.action(join_path(self.mount, "roleset", GCP_NAME.check(name), "rotate")) or {}

    def rotate_roleset_key(self, name: str) -> dict[str, t.Any]:
        """A new key behind the access tokens of an ``access_token`` roleset."""
        return self.client.action(join_path(self.mount, "roleset", GCP_NAME.check(name), "rotate-key")) or {}

    def rotate_static_account_key(self, name: str) -> dict[str, t.Any]:
        """A new key behind the access tokens of an ``access_token`` static account."""
        return self.client.action(join_path(self.mount, "static-account", GCP_NAME.check(name), "rotate-key")) or {}

    def issue(
        self,
        name: str,
        *,
        source: str = "roleset",
        secret_type: str = ACCESS_TOKEN,
        key_algorithm: str | None = None,
        key_type: str | None = None,
        ttl: t.Any = None,
    ) -> dict[str, t.Any]:
        """One new credential. Never retried where Vault may have acted (see :meth:`VaultClient.issue`).

        ``access_token`` reads ``<source>/<name>/token`` (no lease: Google cannot revoke a token);
        ``service_account_key`` reads ``<source>/<name>/key``, the options as query parameters: a new key
        in Google, with a lease whose revocation deletes it.
        """
        if source not in SOURCES:
            raise ValidationError("source", f"must be one of {', '.join(SOURCES)}, not {source!r}")
        if secret_type not in SECRET_TYPES:
            raise ValidationError("secret_type", f"must be one of {', '.join(SECRET_TYPES)}, not {secret_type!r}")
        GCP_NAME.check(name)
        params: dict[str, t.Any] = {}
        if secret_type == ACCESS_TOKEN:
            for field, value in (("key_algorithm", key_algorithm), ("key_type", key_type), ("ttl", ttl)):
                if value not in (None, ""):
                    raise ValidationError(field, "applies only to secret_type service_account_key")
            response = self.client.issue(join_path(self.mount, source, name, "token"))
            return normalise_gcp_token(response)
        if source == "impersonated-account":
            raise ValidationError("secret_type", "impersonated accounts issue access tokens only")
        if key_algorithm:
            params["key_algorithm"] = key_algorithm
        if key_type:
            params["key_type"] = key_type
        if ttl not in (None, ""):
            params["ttl"] = duration_to_seconds(ttl, "ttl")
        path = join_path(self.mount, source, name, "key")
        if params:
            # a read with query parameters: a write would be taken as a create (and refused as an unsupported
            # operation) when the roleset or account does not exist, instead of saying so
            path = f"{path}?{urllib.parse.urlencode(params)}"
        return normalise_gcp_key(self.client.issue(path))


class Rotation(t.NamedTuple):
    """What ``gcp_secrets_rotate_root`` rotates for one action: the resource read first, the engine's rotation."""

    resource: Resource
    rotate: t.Callable[[GcpEngine, str], dict[str, t.Any]]
    needs_access_token: bool


# action -> rotation (action=root rotates the engine's own key: GcpEngine.rotate_root)
GCP_ROTATIONS: dict[str, Rotation] = {
    "roleset_account": Rotation(GCP_ROLESET, GcpEngine.rotate_roleset, needs_access_token=False),
    "roleset_key": Rotation(GCP_ROLESET, GcpEngine.rotate_roleset_key, needs_access_token=True),
    "static_account_key": Rotation(GCP_STATIC_ACCOUNT, GcpEngine.rotate_static_account_key, needs_access_token=True),
}


def _iso(seconds: t.Any) -> str | None:
    try:
        stamp = int(seconds)
    except (TypeError, ValueError):
        return None
    if stamp <= 0:
        return None
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_gcp_token(response: dict[str, t.Any], now: datetime.datetime | None = None) -> dict[str, t.Any]:
    """``{token, token_ttl, expires_at_seconds}`` as the engine returns them, and the lease fields.

    Tokens carry no lease (Google cannot revoke them); ``expires_at`` then comes from ``expires_at_seconds``.
    """
    data = response.get("data") or {}
    result: dict[str, t.Any] = {
        "token": data.get("token"),
        "token_ttl": data.get("token_ttl"),
        "expires_at_seconds": data.get("expires_at_seconds"),
    }
    result.update(lease_fields(response, now))
    if result["expires_at"] is None:
        result["expires_at"] = _iso(data.get("expires_at_seconds"))
    return result


def normalise_gcp_key(response: dict[str, t.Any], now: datetime.datetime | None = None) -> dict[str, t.Any]:
    """``{private_key_data, key_algorithm, key_type}`` (the key file, base64) and the lease that deletes it."""
    data = response.get("data") or {}
    result: dict[str, t.Any] = {
        "private_key_data": data.get("private_key_data"),
        "key_algorithm": data.get("key_algorithm"),
        "key_type": data.get("key_type"),
    }
    result.update(lease_fields(response, now))
    return result
