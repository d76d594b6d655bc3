# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""The AliCloud secrets engine (hashicorp/vault-plugin-secrets-alicloud): field specs, wire formats,
the engine's own rules, and its paths.

What the engine does that the comparison has to know about (v0.18.0, ``path_roles.go``):

* ``inline_policies`` is written as one JSON string holding a list of policy documents, and read back as
  ``[{"hash": <uuid>, "policy_document": {...}}]``; every write replaces the list and draws new hashes,
  so documents are compared as data, order-insensitively, hashes ignored.
* ``remote_policies`` is written as ``["name:<name>,type:<type>", ...]`` and read back as
  ``[{"name": ..., "type": ...}]``; compared as (name, type) pairs, order-insensitively.
* a role write merges: fields left out keep their stored value. A role is either an STS role
  (``role_arn`` set, no policies) or a RAM role (no ``role_arn``, at least one policy).
* ``config`` is replaced whole by every write, and the write needs both ``access_key`` and ``secret_key``;
  a read returns ``access_key`` only, and a mount without a configuration answers 404.
* role names are stored and listed in lower case.

The descriptors :data:`ALICLOUD_CONFIG` and :data:`ALICLOUD_ROLE` declare both paths for the driver
(``_driver.py``), which reads, compares, plans and writes them; :class:`AliCloudEngine` keeps what is
not a resource: issuing credentials.

No Ansible imports: these run inside modules and controller-side plugins alike.
"""

from __future__ import annotations

import datetime
import json
import re
import typing as t

from ._client import VaultClient
from ._compare import ValidationError, duration_to_seconds, extend_kinds, json_document
from ._driver import Desired, Driver, Outcome, Resource
from ._vault import NameRule, join_path, lease_fields, mount_path

ALICLOUD_CONFIG_SPEC: dict[str, str] = {"access_key": "str"}
ALICLOUD_CONFIG_SECRETS = ("secret_key",)

ALICLOUD_ROLE_SPEC: dict[str, str] = {
    "role_arn": "str",
    "inline_policies": "alicloud_inline",
    "remote_policies": "alicloud_remote",
    "ttl": "duration",
    "max_ttl": "duration",
}

# the policy types of AliCloud RAM (AttachPolicyToUser's PolicyType)
ALICLOUD_POLICY_TYPES = ("System", "Custom")

# the role names the engine's path pattern takes (framework.GenericNameRegex: Go's \w is ASCII); the
# engine stores and lists them in lower case
ALICLOUD_NAME = NameRule(
    pattern=re.compile(r"\w(?:[\w.@-]*\w)?", re.ASCII),
    hint="letters, digits, _ . @ -, starting and ending with a letter or digit",
    what="role name",
    lower=True,
)
_ENGINE_FORM_KEYS = frozenset({"hash", "policy_document"})

# the argument spec of one role: the options of alicloud_secrets_role, and of each item of
# alicloud_secrets_roles' list
ALICLOUD_ROLE_OPTIONS: dict[str, dict[str, t.Any]] = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "role_arn": {"type": "str"},
    "inline_policies": {"type": "raw"},
    "remote_policies": {"type": "list", "elements": "raw"},
    "ttl": {"type": "raw"},
    "max_ttl": {"type": "raw"},
}


# --- inline policies ------------------------------------------------------------------------------


def _canonical(document: t.Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def inline_documents(value: t.Any, field: str = "inline_policies") -> list[dict[str, t.Any]]:
    """The policy documents of ``inline_policies``, in the given order, without the engine's hashes.

    Takes a list whose items are documents as data, documents as JSON strings, or the engine's
    ``{"hash": ..., "policy_document": {...}}`` entries; a JSON string of such a list; a single document.
    """
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        text = value.decode() if isinstance(value, bytes) else value
        if not text.strip():
            return []
        value = json_document(text, field)
    if isinstance(value, t.Mapping):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValidationError(field, f"must be a list of policy documents, got {type(value).__name__}")
    documents: list[dict[str, t.Any]] = []
    for index, item in enumerate(value, 1):
        if isinstance(item, t.Mapping) and "policy_document" in item and set(item) <= _ENGINE_FORM_KEYS:
            item = item["policy_document"]  # noqa: PLW2901 - the engine's form unwrapped
        if isinstance(item, (str, bytes)):
            try:
                item = json_document(item.decode() if isinstance(item, bytes) else item, field)  # noqa: PLW2901
            except ValidationError as exc:
                raise ValidationError(field, f"item {index} {exc.reason}") from None
        if not isinstance(item, t.Mapping):
            raise ValidationError(
                field, f"item {index} must be a policy document (a JSON object), got {type(item).__name__}"
            )
        if not item:
            raise ValidationError(field, f"item {index} is an empty policy document")
        documents.append(dict(item))
    return documents


def normalise_inline(value: t.Any) -> list[dict[str, t.Any]]:
    """Inline policies for comparison: the documents as data, sorted, hashes and generated names dropped."""
    return sorted(inline_documents(value), key=_canonical)


def inline_wire(value: t.Any) -> str:
    """What the engine's ``inline_policies`` field takes: one compact JSON string of the list of documents."""
    return json.dumps(inline_documents(value), sort_keys=True, separators=(",", ":"))


# --- remote policies ------------------------------------------------------------------------------


def _remote_pair(item: t.Any, index: int, field: str) -> dict[str, str]:
    where = f"item {index}"
    if isinstance(item, t.Mapping):
        unknown = sorted(set(item) - {"name", "type"})
        if unknown:
            raise ValidationError(field, f"{where} has unknown keys {', '.join(map(str, unknown))} (use name and type)")
        pair = {"name": item.get("name"), "type": item.get("type")}
    elif isinstance(item, str):
        # the engine's own string form, "name:<name>,type:<type>"
        pair = {}
        for part in item.split(","):
            key, sep, val = part.partition(":")
            key = key.strip()
            if not sep or key not in ("name", "type") or ":" in val:
                raise ValidationError(field, f"{where} {item!r} is not of the form 'name:<name>,type:<type>'")
            pair[key] = val
    else:
        raise ValidationError(field, f"{where} must be a dict with name and type, got {type(item).__name__}")
    result: dict[str, str] = {}
    for key in ("name", "type"):
        text = "" if pair.get(key) is None else str(pair[key]).strip()
        if not text:
            raise ValidationError(field, f"{where} needs a {key}")
        if "," in text or ":" in text:
            raise ValidationError(field, f"{where}: {key} {text!r} must not contain ',' or ':'")
        result[key] = text
    if result["type"] not in ALICLOUD_POLICY_TYPES:
        raise ValidationError(
            field, f"{where}: type must be one of {', '.join(ALICLOUD_POLICY_TYPES)}, not {result['type']!r}"
        )
    return result


def remote_pairs(value: t.Any, field: str = "remote_policies") -> list[dict[str, str]]:
    """The ``{name, type}`` pairs of ``remote_policies`` in the given order; items are dicts or
    ``"name:<name>,type:<type>"`` strings, as the engine returns and takes them."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value] if value.strip() else []
    elif isinstance(value, t.Mapping):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValidationError(field, f"must be a list of policies, got {type(value).__name__}")
    return [_remote_pair(item, index, field) for index, item in enumerate(value, 1)]


def normalise_remote(value: t.Any) -> list[dict[str, str]]:
    """Remote policies for comparison: ``{name, type}`` pairs, sorted."""
    return sorted(remote_pairs(value), key=lambda pair: (pair["name"], pair["type"]))


def remote_wire(value: t.Any) -> list[str]:
    """What the engine's ``remote_policies`` field takes: ``["name:<name>,type:<type>", ...]``."""
    return [f"name:{pair['name']},type:{pair['type']}" for pair in remote_pairs(value)]


# the comparison kinds of the two policy fields: the shared table, extended
ALICLOUD_KINDS = extend_kinds(alicloud_inline=normalise_inline, alicloud_remote=normalise_remote)


# --- roles ----------------------------------------------------------------------------------------


def _has(value: t.Any) -> bool:
    return value not in (None, "", [], (), {})


def alicloud_role_rules(desired: t.Mapping[str, t.Any]) -> None:
    """Refuse what the engine would refuse, naming the fields, before any request.

    A role with ``role_arn`` issues STS credentials and has no policies; a role with policies creates RAM
    users and has no ``role_arn``.
    """
    if _has(desired.get("role_arn")):
        inline = normalise_inline(desired.get("inline_policies"))
        remote = normalise_remote(desired.get("remote_policies"))
        mixed = [name for name, value in (("inline_policies", inline), ("remote_policies", remote)) if value]
        if mixed:
            raise ValidationError(
                "role_arn",
                f"cannot be combined with {' or '.join(mixed)}: a role either assumes role_arn through STS "
                "or creates RAM users with policies",
            )
    seen: set[tuple[str, str]] = set()
    for pair in remote_pairs(desired.get("remote_policies")):
        key = (pair["name"], pair["type"])
        if key in seen:
            raise ValidationError("remote_policies", f"lists {pair['name']} ({pair['type']}) twice")
        seen.add(key)
    _check_ttls(desired.get("ttl"), desired.get("max_ttl"))


def implied_alicloud_role(desired: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The desired role with what its kind implies: since a role write merges, the fields of the other kind
    are sent empty, so that switching a role's kind works in one write."""
    result = dict(desired)
    if _has(desired.get("role_arn")):
        for name in ("inline_policies", "remote_policies"):
            if result.get(name) is None:
                result[name] = []
    elif (
        normalise_inline(desired.get("inline_policies")) or normalise_remote(desired.get("remote_policies"))
    ) and result.get("role_arn") is None:
        result["role_arn"] = ""
    return result


def check_alicloud_role(desired: t.Mapping[str, t.Any], current: t.Mapping[str, t.Any] | None) -> None:
    """The engine's rules on the role as it will be after the write (a write merges into ``current``)."""
    merged = {name: (current or {}).get(name) for name in ALICLOUD_ROLE_SPEC}
    merged.update({name: value for name, value in desired.items() if value is not None})
    if not _has(merged.get("role_arn")) and not (
        normalise_inline(merged.get("inline_policies")) or normalise_remote(merged.get("remote_policies"))
    ):
        raise ValidationError(
            "role_arn",
            "a role needs role_arn, or at least one policy in inline_policies or remote_policies",
        )
    _check_ttls(merged.get("ttl"), merged.get("max_ttl"))


def _check_role(desired: dict[str, t.Any], current: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """The driver's check: the desired role with its implied fields, refused if the merged role would be."""
    full = implied_alicloud_role(desired)
    check_alicloud_role(full, current)
    return full


def _check_ttls(ttl: t.Any, max_ttl: t.Any) -> None:
    if ttl is None or max_ttl is None:
        return
    low, high = duration_to_seconds(ttl, "ttl"), duration_to_seconds(max_ttl, "max_ttl")
    if high and low > high:
        raise ValidationError("ttl", f"({low}s) must not exceed max_ttl ({high}s)")


def alicloud_role_payload(
    desired: t.Mapping[str, t.Any], _current: t.Mapping[str, t.Any] | None = None
) -> dict[str, t.Any]:
    """What to send for a role: only the fields set, in the engine's wire format."""
    payload: dict[str, t.Any] = {}
    for name, value in desired.items():
        if value is None or name not in ALICLOUD_ROLE_SPEC:
            continue
        if name == "inline_policies":
            payload[name] = inline_wire(value)
        elif name == "remote_policies":
            payload[name] = remote_wire(value)
        elif ALICLOUD_ROLE_SPEC[name] == "duration":
            payload[name] = duration_to_seconds(value, name)
        else:
            payload[name] = str(value)
    return payload


# --- configuration --------------------------------------------------------------------------------


def require_secret(changed: bool, secrets: t.Mapping[str, t.Any]) -> None:
    """The engine refuses a config write without secret_key: say so before writing, and in check mode."""
    if changed and not secrets:
        raise ValidationError(
            "secret_key",
            "is required to write config, because the engine replaces the configuration whole "
            "and needs both keys of the pair",
        )


def converge_alicloud_config(driver: Driver, want: Desired) -> Outcome:
    """The configuration brought to ``want``: one read, and a write only with the secret key (the engine
    replaces the configuration whole), refused before any write, in check mode too, naming ``secret_key``."""
    current = driver.read()
    if want.state == "present":
        require_secret(driver.plan(want, current).changed, want.secrets)
    return driver.converge(want, current)


# --- the descriptors ------------------------------------------------------------------------------

# no ``unset``: a mount without a configuration answers 404 (path_config.go), a role that was never
# written does too
ALICLOUD_CONFIG = Resource(
    engine="alicloud",
    what="configuration",
    path="config",
    fields=ALICLOUD_CONFIG_SPEC,
    named=False,
    secrets=ALICLOUD_CONFIG_SECRETS,
)
ALICLOUD_ROLE = Resource(
    engine="alicloud",
    what="role",
    path="role",
    fields=ALICLOUD_ROLE_SPEC,
    name_rule=ALICLOUD_NAME,
    kinds=ALICLOUD_KINDS,
    rules=alicloud_role_rules,
    check=_check_role,
    payload=alicloud_role_payload,
)


# --- credentials ----------------------------------------------------------------------------------


def normalise_alicloud_creds(response: dict[str, t.Any], now: datetime.datetime | None = None) -> dict[str, t.Any]:
    """One flat dict: the keys, the STS token and its expiration when the engine returns them, the lease fields."""
    data = response.get("data") or {}
    result: dict[str, t.Any] = {"access_key": data.get("access_key"), "secret_key": data.get("secret_key")}
    if data.get("security_token"):
        result["security_token"] = data["security_token"]
    if data.get("expiration"):
        result["expiration"] = data["expiration"]
    result.update(lease_fields(response, now))
    return result


# --- the engine -----------------------------------------------------------------------------------


class AliCloudEngine:
    """The AliCloud secrets engine's action at one mount (its config and roles are converged by the driver)."""

    def __init__(self, client: VaultClient, mount_point: str = "alicloud") -> None:
        self.client = client
        self.mount = mount_path(mount_point, "mount_point")

    def issue(self, role: str) -> dict[str, t.Any]:
        """New credentials from ``creds/<role>``: RAM user keys, or STS keys with ``security_token`` and
        ``expiration`` when the role has a ``role_arn``. Never retried (see :meth:`VaultClient.issue`)."""
        response = self.client.issue(join_path(self.mount, "creds", ALICLOUD_NAME.check(role, "role")))
        return normalise_alicloud_creds(response)
