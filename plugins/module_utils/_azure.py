# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""The Azure secrets engine (vault-plugin-secrets-azure 0.20): its resource descriptors (``AZURE_CONFIG``,
``AZURE_ROLE``, converged by the driver), validation, wire format, the engine's rewrites, and credentials.

No Ansible imports: this runs inside modules and controller-side plugins alike.

What the engine does with what it is given, and what this file undoes for comparison:

* ``azure_roles`` is sent as a JSON string; the engine looks each item up in Azure and stores
  it with ``role_id`` resolved and ``role_name`` as Azure spells it. Items are compared on the
  scope (lower-cased, without a trailing ``/``) and on the ID when the user gave one, else on
  the name without regard to case. A role ID is compared on its last segment, the role
  definition's GUID, since Azure may answer with another prefix than the one asked for.
* ``azure_groups`` likewise, with ``object_id`` resolved and ``group_name`` set to the group's
  display name.
* ``tags`` are de-duplicated and sorted; ``ttl``, ``max_ttl``, ``explicit_max_ttl`` come back in seconds.
* ``config`` and ``roles/<name>`` writes are merged into what is stored: a field left out keeps its
  value, except ``permanently_delete`` on a role, which falls back to ``false``.
"""

from __future__ import annotations

import datetime
import json
import re
import typing as t

from ._client import VaultClient, VaultOpsError
from ._compare import ValidationError, differences, duration_to_seconds, extend_kinds, string_list
from ._driver import Resource
from ._vault import (
    ROTATION_SPEC,
    NameRule,
    join_path,
    lease_fields,
    mount_path,
    rotation_payload,
    validate_rotation,
)

# the engine's rule for role names (framework.GenericNameRegex, a field of TypeLowerCaseString: the engine stores
# and lists the name in lower case)
AZURE_NAME = NameRule(
    pattern=re.compile(r"\w(?:[\w.-]*\w)?", re.ASCII),
    hint="letters, digits, '_', '-' and '.', beginning and ending with a letter or digit",
    what="valid Azure role name",
    lower=True,
)

# --- config ---------------------------------------------------------------------------------------

AZURE_ENVIRONMENTS = ("AzurePublicCloud", "AzureChinaCloud", "AzureUSGovernmentCloud")
AZURE_DEFAULT_ROOT_PASSWORD_TTL = 4380 * 3600  # what the engine sets when a config is created without one

AZURE_CONFIG_SPEC: dict[str, str] = {
    "subscription_id": "str",
    "tenant_id": "str",
    "client_id": "str",
    "environment": "lower",  # the engine matches it without regard to case
    "root_password_ttl": "duration",
    # workload identity federation (a token audience needs Vault Enterprise)
    "identity_token_audience": "str",
    "identity_token_ttl": "duration",
    # the root rotation of Vault 1.19's engine (v0.21) and later
    **ROTATION_SPEC,
}
AZURE_CONFIG_SECRETS = ("client_secret",)
# the config fields only some servers' engines have -> what they need (Resource.gated: refused before a write
# that sends one where the engine's schema lacks it; the engine would drop it without a word)
AZURE_CONFIG_GATED: dict[str, str] = dict.fromkeys(
    ROTATION_SPEC,
    "Vault 1.19 or later (Azure engine v0.21 and later; OpenBao 2.7's plugin, v0.20, does not have it)",
)


def validate_azure_config(desired: t.Mapping[str, t.Any]) -> None:
    """Refuse what the engine would refuse, naming the field, before anything is written."""
    environment = desired.get("environment")
    if environment is not None:
        known = {name.upper(): name for name in AZURE_ENVIRONMENTS}
        if str(environment).upper() not in known:
            raise ValidationError(
                "environment", f"unknown Azure environment {environment!r}; expected one of {', '.join(known.values())}"
            )
    if desired.get("root_password_ttl") is not None:
        duration_to_seconds(desired["root_password_ttl"], "root_password_ttl")


def azure_config_payload(
    desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None = None
) -> dict[str, t.Any]:
    """The fields to write, as the engine takes them: those the user set that differ from ``current``.

    The engine merges a write into the stored configuration, so nothing else needs to go.
    """
    changed = differences(desired, current, AZURE_CONFIG_SPEC) if current is not None else None
    payload: dict[str, t.Any] = {}
    for name, value in desired.items():
        if value is None or name not in AZURE_CONFIG_SPEC or (changed is not None and name not in changed):
            continue
        payload[name] = duration_to_seconds(value, name) if AZURE_CONFIG_SPEC[name] == "duration" else value
    # a rotation window goes with its schedule
    return rotation_payload(payload, desired, current)


def azure_config_is_set(record: t.Mapping[str, t.Any] | None) -> bool:
    """Whether a config read describes a stored configuration.

    The engine answers a read of an unconfigured mount with empty strings and a zero
    ``root_password_ttl``; any stored configuration has an ID, an environment or a TTL
    (creating one sets the TTL to 4380h unless told otherwise).
    """
    if not record:
        return False
    if any(record.get(name) for name in ("subscription_id", "tenant_id", "client_id", "environment")):
        return True
    return bool(record.get("root_password_ttl"))


# --- roles ----------------------------------------------------------------------------------------

AZURE_SIGN_IN_AUDIENCES = (
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
)

# azure_roles, azure_groups and tags have kinds of their own (AZURE_KINDS, declared with the descriptors below)
AZURE_ROLE_SPEC: dict[str, str] = {
    "azure_roles": "azure_roles",
    "azure_groups": "azure_groups",
    "application_object_id": "lower",
    "persist_app": "bool",
    "ttl": "duration",
    "max_ttl": "duration",
    "explicit_max_ttl": "duration",
    "permanently_delete": "bool",
    "sign_in_audience": "str",
    "tags": "azure_tags",
}

_ROLE_ITEM_KEYS = ("role_name", "role_id", "scope")
_GROUP_ITEM_KEYS = ("group_name", "object_id")


def _items(value: t.Any, field: str) -> list[dict[str, t.Any]]:
    """A list of dicts from a list or the JSON string the engine takes."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValidationError(field, f"is not valid JSON: {exc}") from None
    if not isinstance(value, (list, tuple)):
        raise ValidationError(field, f"must be a list of dicts, got {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValidationError(field, f"item {index + 1} must be a dict, got {type(item).__name__}")
    return [dict(item) for item in value]


def _text(value: t.Any) -> str:
    return "" if value is None else str(value).strip()


def _scope(value: t.Any) -> str:
    text = _text(value).lower()
    return text.rstrip("/") or text


def _guid(value: t.Any) -> str:
    """The last segment of an Azure resource ID (a role definition's GUID), lower-cased."""
    segments = [part for part in _text(value).lower().split("/") if part]
    return segments[-1] if segments else ""


def _check_keys(item: dict[str, t.Any], allowed: tuple[str, ...], field: str, index: int) -> None:
    unknown = sorted(key for key in item if key not in allowed)
    if unknown:
        raise ValidationError(
            field, f"item {index + 1} has unknown key(s) {', '.join(unknown)}; expected {', '.join(allowed)}"
        )


def validate_azure_roles(value: t.Any) -> None:
    """Each item needs a scope and a role_name or a role_id; no item twice."""
    seen: set[tuple[str, ...]] = set()
    for index, item in enumerate(_items(value, "azure_roles")):
        _check_keys(item, _ROLE_ITEM_KEYS, "azure_roles", index)
        if not _text(item.get("scope")):
            raise ValidationError("azure_roles", f"item {index + 1} needs a scope, such as /subscriptions/<id>")
        if not _text(item.get("role_name")) and not _text(item.get("role_id")):
            raise ValidationError("azure_roles", f"item {index + 1} needs a role_name or a role_id")
        key = tuple(sorted(_role_user_form(item).items()))
        if key in seen:
            raise ValidationError("azure_roles", f"item {index + 1} repeats an earlier item; the engine refuses that")
        seen.add(key)


def validate_azure_groups(value: t.Any) -> None:
    """Each item needs a group_name or an object_id; no item twice."""
    seen: set[tuple[str, ...]] = set()
    for index, item in enumerate(_items(value, "azure_groups")):
        _check_keys(item, _GROUP_ITEM_KEYS, "azure_groups", index)
        if not _text(item.get("group_name")) and not _text(item.get("object_id")):
            raise ValidationError("azure_groups", f"item {index + 1} needs a group_name or an object_id")
        key = tuple(sorted(_group_user_form(item).items()))
        if key in seen:
            raise ValidationError("azure_groups", f"item {index + 1} repeats an earlier item; the engine refuses that")
        seen.add(key)


# The engine replaces a role_name with the role definition's name, which in Azure is its GUID, so a
# name given by the user can only be compared once it is known as an ID. Built-in roles have the same
# GUID in every tenant; for custom roles, give role_id to keep runs idempotent.
BUILTIN_ROLE_IDS = {
    "owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "user access administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
}


def _role_user_form(item: t.Mapping[str, t.Any]) -> dict[str, str]:
    # the engine looks a role up by ID when it has one, and by name only otherwise
    if _text(item.get("role_id")):
        return {"scope": _scope(item.get("scope")), "role_id": _guid(item.get("role_id"))}
    name = _text(item.get("role_name")).lower()
    if name in BUILTIN_ROLE_IDS:
        return {"scope": _scope(item.get("scope")), "role_id": BUILTIN_ROLE_IDS[name]}
    return {"scope": _scope(item.get("scope")), "role_name": name}


def _group_user_form(item: t.Mapping[str, t.Any]) -> dict[str, str]:
    if _text(item.get("object_id")):
        return {"object_id": _text(item.get("object_id")).lower()}
    return {"group_name": _text(item.get("group_name")).lower()}


def _sorted(items: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(items, key=lambda item: sorted(item.items()))


def normalise_azure_roles(
    value: t.Any,
    *,
    from_vault: bool,
    reference: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """Azure role assignments in a form where the user's and the engine's compare equal.

    Every item becomes ``{scope, role_id}`` or ``{scope, role_name}``, lower-cased and sorted.
    A user's item keeps the key the engine will look it up by (``role_id`` when given).
    An item the engine returned has both keys resolved; it is reduced to ``role_id`` when
    ``reference`` (the user's normalised list) names that ID at that scope, and to
    ``role_name`` otherwise.
    """
    items = _items(value, "azure_roles")
    if not from_vault:
        return _sorted([_role_user_form(item) for item in items])
    by_id = {(entry["scope"], entry["role_id"]) for entry in reference or [] if "role_id" in entry}
    result = []
    for item in items:
        scope, role_id = _scope(item.get("scope")), _guid(item.get("role_id"))
        name = _text(item.get("role_name")).lower()
        if (scope, role_id) in by_id or not name:
            result.append({"scope": scope, "role_id": role_id})
        else:
            result.append({"scope": scope, "role_name": name})
    return _sorted(result)


def normalise_azure_groups(
    value: t.Any,
    *,
    from_vault: bool,
    reference: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """Azure groups in a form where the user's and the engine's compare equal (see :func:`normalise_azure_roles`)."""
    items = _items(value, "azure_groups")
    if not from_vault:
        return _sorted([_group_user_form(item) for item in items])
    by_id = {entry["object_id"] for entry in reference or [] if "object_id" in entry}
    result = []
    for item in items:
        object_id, name = _text(item.get("object_id")).lower(), _text(item.get("group_name")).lower()
        if object_id in by_id or not name:
            result.append({"object_id": object_id})
        else:
            result.append({"group_name": name})
    return _sorted(result)


def _to_wire(value: t.Any, keys: tuple[str, ...], field: str) -> str:
    items = [{key: _text(item[key]) for key in keys if _text(item.get(key))} for item in _items(value, field)]
    return json.dumps(items, separators=(",", ":"))


def azure_roles_to_wire(value: t.Any) -> str:
    """The JSON string the engine takes for ``azure_roles``, in the user's spelling; ``[]`` clears them."""
    return _to_wire(value, _ROLE_ITEM_KEYS, "azure_roles")


def azure_groups_to_wire(value: t.Any) -> str:
    """The JSON string the engine takes for ``azure_groups``; ``[]`` clears them."""
    return _to_wire(value, _GROUP_ITEM_KEYS, "azure_groups")


def azure_tags(value: t.Any) -> list[str]:
    """Tags as the engine stores them (de-duplicated, sorted) from a dict, a list of ``k:v`` or ``a,b``."""
    if value is None:
        return []
    if isinstance(value, dict):
        items = [f"{key}:{val}" for key, val in value.items()]
    elif isinstance(value, str):
        items = value.split(",")
    else:
        items = [str(item) for item in value]
    return string_list(items)


def validate_azure_tags(value: t.Any) -> None:
    for tag in azure_tags(value):
        if len(tag) > 256:
            raise ValidationError("tags", f"{tag[:20]!r}... is longer than 256 characters")
        if " " in tag:
            raise ValidationError("tags", f"{tag!r} contains a space; the engine allows none in tags")


def _seconds(desired: t.Mapping[str, t.Any], name: str) -> int | None:
    value = desired.get(name)
    return None if value is None else duration_to_seconds(value, name)


def _check_ttl_order(ttl: int, max_ttl: int, explicit_max_ttl: int) -> None:
    # the engine's own rules (pathRoleUpdate); 0 means "the system default"
    if max_ttl and ttl > max_ttl:
        raise ValidationError("ttl", f"({ttl}s) must not exceed max_ttl ({max_ttl}s)")
    if explicit_max_ttl and ttl > explicit_max_ttl:
        raise ValidationError("ttl", f"({ttl}s) must not exceed explicit_max_ttl ({explicit_max_ttl}s)")
    if explicit_max_ttl and max_ttl > explicit_max_ttl:
        raise ValidationError("max_ttl", f"({max_ttl}s) must not exceed explicit_max_ttl ({explicit_max_ttl}s)")


def validate_azure_role(desired: t.Mapping[str, t.Any]) -> None:
    """Refuse, naming the field, what the engine would refuse or silently ignore; needs no request."""
    validate_azure_roles(desired.get("azure_roles"))
    validate_azure_groups(desired.get("azure_groups"))
    validate_azure_tags(desired.get("tags"))
    audience = desired.get("sign_in_audience")
    if audience is not None and audience not in AZURE_SIGN_IN_AUDIENCES:
        raise ValidationError(
            "sign_in_audience", f"must be one of {', '.join(AZURE_SIGN_IN_AUDIENCES)}, not {audience!r}"
        )
    seconds = {name: _seconds(desired, name) for name in ("ttl", "max_ttl", "explicit_max_ttl")}
    _check_ttl_order(*(seconds[name] or 0 for name in ("ttl", "max_ttl", "explicit_max_ttl")))
    app = _text(desired.get("application_object_id"))
    if app:
        # a role with an application issues passwords of that application: the engine looks up but never
        # assigns azure_roles and azure_groups, and it replaces the ID by its own with persist_app
        for name in ("azure_roles", "azure_groups"):
            if _items(desired.get(name), name):
                raise ValidationError(
                    name,
                    "is not used with application_object_id: the engine then adds passwords to that existing "
                    "application and assigns no roles or groups",
                )
        if desired.get("persist_app"):
            raise ValidationError(
                "application_object_id",
                "cannot be set with persist_app: the engine creates the persisted application and uses its ID",
            )
        if desired.get("permanently_delete"):
            raise ValidationError("permanently_delete", "must be false when application_object_id is set")


def validate_azure_role_write(desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None) -> None:
    """The engine's rules on the role as it will be after a write: the user's fields over the stored ones."""
    current = current or {}

    def merged(name: str) -> t.Any:
        return desired[name] if desired.get(name) is not None else current.get(name)

    seconds = [duration_to_seconds(merged(name) or 0, name) for name in ("ttl", "max_ttl", "explicit_max_ttl")]
    _check_ttl_order(*seconds)
    app = _text(merged("application_object_id"))
    if app and merged("permanently_delete"):
        # a write leaving permanently_delete out would reset it to false behind the user's back,
        # so azure_role_payload always sends it, and the engine then refuses the write
        raise ValidationError(
            "permanently_delete",
            f"must be false: the role has application_object_id {app} (its own, or the one persist_app created), "
            "and the engine refuses any write to such a role while permanently_delete is true",
        )
    has_roles = any(_items(merged(name), name) for name in ("azure_roles", "azure_groups"))
    if not app and not has_roles:
        raise ValidationError(
            "azure_roles",
            "the role needs azure_roles, azure_groups or application_object_id (the engine refuses a role without)",
        )


def relate_azure_role(desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The stored role in the terms of the desired one: each item the engine resolved reduced to the key the user
    named it by (see :func:`normalise_azure_roles`); with no desired items, to the names the engine stored."""
    result = dict(current)
    result["azure_roles"] = normalise_azure_roles(
        current.get("azure_roles"),
        from_vault=True,
        reference=normalise_azure_roles(desired.get("azure_roles"), from_vault=False),
    )
    result["azure_groups"] = normalise_azure_groups(
        current.get("azure_groups"),
        from_vault=True,
        reference=normalise_azure_groups(desired.get("azure_groups"), from_vault=False),
    )
    return result


def azure_role_payload(desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """What to send for a role: the fields the user set, in the engine's wire format.

    ``permanently_delete`` is always sent: the engine resets it to false when a write leaves it out.
    """
    payload: dict[str, t.Any] = {}
    for name, value in desired.items():
        if value is None or name not in AZURE_ROLE_SPEC:
            continue
        if name == "azure_roles":
            payload[name] = azure_roles_to_wire(value)
        elif name == "azure_groups":
            payload[name] = azure_groups_to_wire(value)
        elif name == "tags":
            payload[name] = azure_tags(value)
        elif AZURE_ROLE_SPEC[name] == "duration":
            payload[name] = duration_to_seconds(value, name)
        else:
            payload[name] = value
    if "permanently_delete" not in payload and current is not None:
        payload["permanently_delete"] = bool(current.get("permanently_delete"))
    return payload


# --- resources ------------------------------------------------------------------------------------

AZURE_KINDS = extend_kinds(
    azure_roles=lambda value: normalise_azure_roles(value, from_vault=False),
    azure_groups=lambda value: normalise_azure_groups(value, from_vault=False),
    azure_tags=azure_tags,
)


def _config_unset(record: t.Mapping[str, t.Any]) -> bool:
    return not azure_config_is_set(record)


def _check_config(desired: dict[str, t.Any], current: t.Mapping[str, t.Any] | None) -> None:
    """The engine's root-rotation rules on the configuration as a write would leave it."""
    validate_rotation(desired, current)


def _check_role(desired: dict[str, t.Any], current: t.Mapping[str, t.Any] | None) -> None:
    """The engine's rules on the role as a write would leave it; an unchanged role is not written, so not checked
    (a role the engine would refuse to update still converges when nothing changes)."""
    if current is not None and not differences(desired, current, AZURE_ROLE_SPEC, AZURE_KINDS):
        return
    validate_azure_role_write(desired, current)


def not_configured(exc: VaultOpsError, mount: str) -> VaultOpsError:
    """The engine answers role requests on an unconfigured mount with a bare 500 'config is nil'."""
    if "config is nil" in exc.message:
        return VaultOpsError(
            f"the Azure engine at {mount}/ has no configuration; "
            "write one with vaultops.cloud.azure_secrets_config first",
            path=exc.path,
            status=exc.status,
        )
    return exc


# The engine merges a config write into what it stores, so only the fields that differ are sent, and the client
# secret only on create or with update_secret=always (it may have been rotated since).
AZURE_CONFIG = Resource(
    engine="azure",
    what="configuration",
    path="config",
    fields=AZURE_CONFIG_SPEC,
    named=False,
    secrets=AZURE_CONFIG_SECRETS,
    rules=validate_azure_config,
    check=_check_config,
    payload=azure_config_payload,
    unset=_config_unset,
    merges=True,
    explain=not_configured,
    gated=AZURE_CONFIG_GATED,
)
AZURE_ROLE = Resource(
    engine="azure",
    what="role",
    path="roles",
    fields=AZURE_ROLE_SPEC,
    name_rule=AZURE_NAME,
    kinds=AZURE_KINDS,
    rules=validate_azure_role,
    check=_check_role,
    payload=azure_role_payload,
    relate=relate_azure_role,
    explain=not_configured,
)

# the argument specs of the configuration and of one role: the single modules' options, and each item of the
# bulk module's list
AZURE_CONFIG_OPTIONS: dict[str, dict[str, t.Any]] = {
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "subscription_id": {"type": "str"},
    "tenant_id": {"type": "str"},
    "client_id": {"type": "str"},
    "client_secret": {"type": "str", "no_log": True},
    "update_secret": {"type": "str", "default": "on_create", "choices": ["always", "on_create"], "no_log": False},
    "environment": {"type": "str"},
    "root_password_ttl": {"type": "raw", "no_log": False},
    "identity_token_audience": {"type": "str", "no_log": False},
    "identity_token_ttl": {"type": "raw", "no_log": False},
    "rotation_period": {"type": "raw"},
    "rotation_schedule": {"type": "str"},
    "rotation_window": {"type": "raw"},
    "disable_automated_rotation": {"type": "bool"},
}
AZURE_ROLE_OPTIONS: dict[str, dict[str, t.Any]] = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "azure_roles": {
        "type": "list",
        "elements": "dict",
        "options": {"role_name": {"type": "str"}, "role_id": {"type": "str"}, "scope": {"type": "str"}},
    },
    "azure_groups": {
        "type": "list",
        "elements": "dict",
        "options": {"group_name": {"type": "str"}, "object_id": {"type": "str"}},
    },
    "application_object_id": {"type": "str"},
    "persist_app": {"type": "bool"},
    "ttl": {"type": "raw"},
    "max_ttl": {"type": "raw"},
    "explicit_max_ttl": {"type": "raw"},
    "permanently_delete": {"type": "bool"},
    "sign_in_audience": {"type": "str", "choices": list(AZURE_SIGN_IN_AUDIENCES)},
    "tags": {"type": "raw"},
}


# --- the engine's actions -------------------------------------------------------------------------


class AzureEngine:
    """The Azure secrets engine's actions at one mount (its configuration and roles are converged by the driver)."""

    def __init__(self, client: VaultClient, mount_point: str = "azure") -> None:
        self.client = client
        self.mount = mount_path(mount_point, "mount_point")

    def rotate_root(self) -> None:
        """Add a new password to the engine's application; the engine swaps it in about a minute later."""
        self.client.action(join_path(self.mount, "rotate-root"))

    def issue(self, role: str) -> dict[str, t.Any]:
        """A new service principal secret for ``role``, with its lease.

        Calls the HTTP API through :meth:`VaultClient.issue` (never retried once Vault may have acted):
        hvac's own Azure call returns only the data and drops the lease.
        """
        path = join_path(self.mount, "creds", AZURE_NAME.check(role, "role"))
        return normalise_azure_creds(self.client.issue(path))


def normalise_azure_creds(response: dict[str, t.Any], now: datetime.datetime | None = None) -> dict[str, t.Any]:
    """One flat dict: the service principal's client ID and secret, and the lease fields."""
    data = response.get("data") or {}
    result: dict[str, t.Any] = {"client_id": data.get("client_id"), "client_secret": data.get("client_secret")}
    result.update(lease_fields(response, now))
    return result
