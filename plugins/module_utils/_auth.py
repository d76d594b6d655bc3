# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Who may ask for what: ACL policies, the AppRole and JWT auth methods.

Descriptors for the driver: :data:`POLICY` (``sys/policies/acl/<name>``), :data:`APPROLE_ROLE`
(``auth/<mount>/role/<name>``), :data:`JWT_CONFIG` (``auth/<mount>/config``) and :data:`JWT_ROLE`
(``auth/<mount>/role/<name>``); and the one action, :func:`issue_secret_id`.

A policy is compared as data: HCL text is parsed here (a small parser for the HCL that Vault policies use:
blocks with string labels, ``key = value``, strings, numbers, booleans, lists, objects, ``#``, ``//`` and
``/* */`` comments), JSON text and YAML data are taken as they are, and every list of a rule is a set
(``["read", "list"]`` equals ``["list", "read"]``). What is sent is the text as given (HCL stays HCL) or the data
rendered as Vault's JSON policy form.

No Ansible imports: this runs inside modules and controller-side plugins alike.
"""

from __future__ import annotations

import ipaddress
import json
import re
import typing as t

from ._client import VaultClient, VaultOpsError
from ._compare import ValidationError, duration_to_seconds, extend_kinds, string_list, string_map
from ._driver import Record, Resource
from ._vault import NameRule, join_path, mount_path

# --- HCL -------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.\-]*)
  | (?P<punct>[{}\[\]=,:])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/"}


class HclError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, t.Any, int]]:
    tokens: list[tuple[str, t.Any, int]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            line = text.count("\n", 0, pos) + 1
            raise HclError(f"line {line}: unexpected {text[pos : pos + 10]!r}")
        kind = t.cast("str", match.lastgroup)
        value = match.group()
        line = text.count("\n", 0, pos) + 1
        pos = match.end()
        if kind == "space":
            continue
        if kind == "string":
            value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), value[1:-1])
        elif kind == "number":
            value = float(value) if "." in value else int(value)
        elif kind == "ident" and value in ("true", "false"):
            kind, value = "bool", value == "true"
        tokens.append((kind, value, line))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, t.Any, int]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", None, -1)

    def take(self, kind: str, value: t.Any = None) -> t.Any:
        got = self.peek()
        if got[0] != kind or (value is not None and got[1] != value):
            where = f"line {got[2]}" if got[2] > 0 else "the end"
            raise HclError(f"{where}: expected {value or kind}, found {got[1] if got[0] != 'end' else 'the end'}")
        self.pos += 1
        return got[1]

    def body(self, closing: str | None) -> dict[str, t.Any]:
        result: dict[str, t.Any] = {}
        while True:
            kind, value, _line = self.peek()
            if closing and kind == "punct" and value == closing:
                return result
            if kind == "end":
                if closing:
                    self.take("punct", closing)
                return result
            if kind == "punct" and value == ",":
                self.pos += 1
                continue
            if kind not in ("ident", "string"):
                self.take("ident")
            self.pos += 1
            key = str(value)
            labels: list[str] = []
            while self.peek()[0] == "string":
                labels.append(self.take("string"))
            kind, value, _line = self.peek()
            if kind == "punct" and value in ("=", ":") and not labels:
                self.pos += 1
                result[key] = self.value()
                continue
            self.take("punct", "{")
            block = self.body("}")
            self.take("punct", "}")
            target = result
            for name in [key, *labels[:-1]]:
                target = target.setdefault(name, {})
                if not isinstance(target, dict):
                    raise HclError(f"{key} is both a value and a block")
            last = labels[-1] if labels else None
            if last is None:
                existing = result.get(key)
                result[key] = {**existing, **block} if isinstance(existing, dict) else block
            else:
                existing = target.get(last)
                target[last] = {**existing, **block} if isinstance(existing, dict) else block

    def value(self) -> t.Any:
        kind, value, _line = self.peek()
        if kind in ("string", "number", "bool"):
            self.pos += 1
            return value
        if kind == "punct" and value == "[":
            self.pos += 1
            items: list[t.Any] = []
            while not (self.peek()[0] == "punct" and self.peek()[1] == "]"):
                items.append(self.value())
                if self.peek()[0] == "punct" and self.peek()[1] == ",":
                    self.pos += 1
                elif not (self.peek()[0] == "punct" and self.peek()[1] == "]"):
                    self.take("punct", "]")
            self.pos += 1
            return items
        if kind == "punct" and value == "{":
            self.pos += 1
            block = self.body("}")
            self.take("punct", "}")
            return block
        self.take("value")
        return None  # pragma: no cover - take() raised


def parse_hcl(text: str) -> dict[str, t.Any]:
    """The data of HCL text (a Vault policy's subset of HCL 1), or :class:`HclError` naming the line."""
    parser = _Parser(text)
    return parser.body(None)


# --- policies --------------------------------------------------------------------------------------

CAPABILITIES = frozenset(
    {"create", "read", "update", "patch", "delete", "list", "sudo", "deny", "subscribe", "recover", "scan"}
)
_RULE_KEYS = frozenset(
    {
        "capabilities",
        "allowed_parameters",
        "denied_parameters",
        "required_parameters",
        "min_wrapping_ttl",
        "max_wrapping_ttl",
        "mfa_methods",
        "control_group",
        "subscribe_event_types",
        "pagination_limit",
        "list_scan_response_keys_filter_path",
    }
)

# the one name rule, and Vault's own: "root" is built in and cannot be written; names are stored in lower case
POLICY_NAME = NameRule(
    max_length=128,
    pattern=re.compile(r"(?!root\Z).+", re.DOTALL),
    hint="root is Vault's built-in policy and cannot be written",
    what="policy name that may be written",
    lower=True,
)


def _sets(value: t.Any) -> t.Any:
    """Every list of scalars as a sorted set (a policy's lists are sets), recursively."""
    if isinstance(value, dict):
        return {str(k): _sets(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sets(v) for v in value]
        if all(not isinstance(v, (dict, list)) for v in items):
            return sorted(set(items), key=lambda v: (type(v).__name__, v))
        return items
    return value


def policy_data(value: t.Any) -> t.Any:
    """A policy (HCL text, JSON text or data) as comparable data; strict: bad input is a :class:`ValueError`."""
    if value is None:
        return None
    if isinstance(value, dict):
        data = value
    elif not isinstance(value, str):
        raise ValidationError("policy", f"must be HCL or JSON text or a mapping, got {type(value).__name__}")
    else:
        text = value
        if text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise ValidationError("policy", f"is not valid JSON: {exc}") from None
        else:
            try:
                data = parse_hcl(text)
            except HclError as exc:
                raise ValidationError("policy", f"is not valid HCL: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError("policy", "must be a mapping with a 'path' key (Vault's JSON policy form)")
    return _sets(data)


def _policy_kind(value: t.Any) -> t.Any:
    """The comparison kind of a policy: its data; text that does not parse is compared as text (never an error:
    what Vault returns may use HCL this parser does not know; the desired policy is checked strictly by rules)."""
    try:
        return policy_data(value)
    except ValidationError:
        return str(value).strip()


def validate_policy(desired: dict[str, t.Any]) -> None:
    """A policy that parses and has the shape of a Vault ACL policy, or an error naming ``policy``."""
    value = desired.get("policy")
    if value is None:
        raise ValidationError("policy", "is required when state=present")
    data = policy_data(value)
    unknown = sorted(set(data) - {"path", "name"})
    if unknown:
        raise ValidationError("policy", f"has {unknown[0]!r}: a policy has only 'path' rules")
    paths = data.get("path")
    if not isinstance(paths, dict) or not paths:
        raise ValidationError("policy", 'has no path rules (path "..." { capabilities = [...] })')
    for path, rule in paths.items():
        if not isinstance(rule, dict):
            raise ValidationError(f"policy.path[{path}]", "must be a mapping of rule keys")
        for key in rule:
            if key not in _RULE_KEYS:
                raise ValidationError(f"policy.path[{path}]", f"{key!r} is not a policy rule key")
        capabilities = rule.get("capabilities")
        if not isinstance(capabilities, list):
            raise ValidationError(f"policy.path[{path}].capabilities", "must be a list")
        bad = sorted(str(c) for c in capabilities if c not in CAPABILITIES)
        if bad:
            raise ValidationError(
                f"policy.path[{path}].capabilities",
                f"{bad[0]!r} is not a capability (one of {', '.join(sorted(CAPABILITIES))})",
            )


def policy_payload(desired: dict[str, t.Any], _current: Record | None) -> dict[str, t.Any]:
    """The text as given (HCL stays HCL), or data rendered as Vault's JSON policy form."""
    value = desired["policy"]
    if isinstance(value, dict):
        return {"policy": json.dumps(value, indent=2, sort_keys=True)}
    return {"policy": str(value)}


def _policy_record(record: Record) -> dict[str, t.Any]:
    # sys/policies/acl answers "policy"; the older sys/policy answers "rules"
    return {"policy": record.get("policy", record.get("rules"))}


POLICY_KINDS = extend_kinds(acl_policy=_policy_kind)
POLICY_SPEC: dict[str, str] = {"policy": "acl_policy"}

POLICY = Resource(
    engine="system",
    what="policy",
    path="sys/policies/acl",
    fields=POLICY_SPEC,
    name_rule=POLICY_NAME,
    kinds=POLICY_KINDS,
    rules=validate_policy,
    payload=policy_payload,
    prepare=_policy_record,
    system=True,
)

POLICY_OPTIONS: dict[str, dict[str, t.Any]] = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "policy": {"type": "raw"},
}


# --- CIDRs and the token fields every auth role has --------------------------------------------------


def cidr_list(value: t.Any, field: str = "cidrs") -> list[str]:
    """A list of CIDR blocks (or single addresses), each checked; sorted, for comparison."""
    items = string_list(value)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValidationError(field, f"{item!r} is not a CIDR block or an IP address") from None
    return items


def _claims(value: t.Any) -> t.Any:
    """Bound claims as data: a claim's list of values is a set."""
    if value in (None, "", {}):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValidationError("bound_claims", f"is not a mapping or JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValidationError("bound_claims", "must be a mapping of claim to value or list of values")
    return {str(k): sorted(str(i) for i in v) if isinstance(v, list) else str(v) for k, v in value.items()}


def _pems(value: t.Any) -> list[str]:
    if value in (None, ""):
        return []
    items = [value] if isinstance(value, str) else list(value)
    keys = sorted(str(item).strip() for item in items if str(item).strip())
    for key in keys:
        if not key.startswith("-----BEGIN"):
            raise ValidationError("jwt_validation_pubkeys", "each key must be PEM (-----BEGIN PUBLIC KEY-----...)")
    return keys


AUTH_KINDS = extend_kinds(cidrs=cidr_list, claims=_claims, pems=_pems)

TOKEN_SPEC: dict[str, str] = {
    "token_ttl": "duration",
    "token_max_ttl": "duration",
    "token_policies": "list",
    "token_bound_cidrs": "cidrs",
    "token_explicit_max_ttl": "duration",
    "token_no_default_policy": "bool",
    "token_num_uses": "int",
    "token_period": "duration",
    "token_type": "str",
}
TOKEN_TYPES = ("default", "service", "batch", "default-service", "default-batch")
TOKEN_OPTIONS: dict[str, dict[str, t.Any]] = {
    "token_ttl": {"type": "raw", "no_log": False},
    "token_max_ttl": {"type": "raw", "no_log": False},
    "token_policies": {"type": "list", "elements": "str", "no_log": False},
    "token_bound_cidrs": {"type": "list", "elements": "str", "no_log": False},
    "token_explicit_max_ttl": {"type": "raw", "no_log": False},
    "token_no_default_policy": {"type": "bool", "no_log": False},
    "token_num_uses": {"type": "int", "no_log": False},
    "token_period": {"type": "raw", "no_log": False},
    "token_type": {"type": "str", "choices": list(TOKEN_TYPES), "no_log": False},
}


def _token_rules(desired: dict[str, t.Any]) -> None:
    ttl, most = desired.get("token_ttl"), desired.get("token_max_ttl")
    if ttl is not None and most is not None:
        low, high = duration_to_seconds(ttl, "token_ttl"), duration_to_seconds(most, "token_max_ttl")
        if high and low > high:
            raise ValidationError("token_ttl", f"({low}s) must not exceed token_max_ttl ({high}s)")


def auth_mount(mount_point: t.Any) -> str:
    """The path of an auth mount's API (``auth/<mount_point>``); the mount point as the auth method's own path."""
    if isinstance(mount_point, str) and mount_point.strip("/").startswith("auth/"):
        mount_point = mount_point.strip("/")[len("auth/") :]
    return join_path("auth", mount_path(mount_point, "mount_point"))


# the names of AppRole and JWT roles (framework.GenericNameRegex); AppRole stores them in lower case
ROLE_NAME = NameRule(
    max_length=128,
    pattern=re.compile(r"\w(?:[\w.-]*\w)?", re.ASCII),
    hint="letters, digits, '_', '-' and '.', beginning and ending with a letter or digit",
)
APPROLE_NAME = NameRule(max_length=128, pattern=ROLE_NAME.pattern, hint=ROLE_NAME.hint, lower=True)

_ROLE_ITEM: dict[str, dict[str, t.Any]] = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
}

# --- AppRole -----------------------------------------------------------------------------------------

APPROLE_ROLE_SPEC: dict[str, str] = {
    "bind_secret_id": "bool",
    "secret_id_bound_cidrs": "cidrs",
    "secret_id_num_uses": "int",
    "secret_id_ttl": "duration",
    "local_secret_ids": "bool",
    **TOKEN_SPEC,
}
APPROLE_ROLE_OPTIONS: dict[str, dict[str, t.Any]] = {
    **_ROLE_ITEM,
    "bind_secret_id": {"type": "bool", "no_log": False},
    "secret_id_bound_cidrs": {"type": "list", "elements": "str", "no_log": False},
    "secret_id_num_uses": {"type": "int", "no_log": False},
    "secret_id_ttl": {"type": "raw", "no_log": False},
    "local_secret_ids": {"type": "bool", "no_log": False},
    **TOKEN_OPTIONS,
}


def _approle_rules(desired: dict[str, t.Any]) -> None:
    _token_rules(desired)
    bound = desired.get("bind_secret_id")
    if bound is False and not (desired.get("secret_id_bound_cidrs") or desired.get("token_bound_cidrs")):
        raise ValidationError(
            "bind_secret_id",
            "false needs secret_id_bound_cidrs or token_bound_cidrs: a role with neither would log in anyone who "
            "knows its role_id",
        )


APPROLE_ROLE = Resource(
    engine="approle",
    what="AppRole role",
    path="role",
    fields=APPROLE_ROLE_SPEC,
    name_rule=APPROLE_NAME,
    kinds=AUTH_KINDS,
    immutable=("local_secret_ids",),
    rules=_approle_rules,
)


def approle_role_id(client: VaultClient, mount: str, name: str) -> str | None:
    """The role_id of an AppRole role at ``auth/<mount>`` (``mount`` as :func:`auth_mount` gives it)."""
    record = client.read(join_path(mount, "role", APPROLE_NAME.check(name), "role-id"))
    return None if record is None else record.get("role_id")


SECRET_ID_OPTIONS: dict[str, dict[str, t.Any]] = {
    "role_name": {"type": "str", "required": True},
    "metadata": {"type": "dict"},
    "cidr_list": {"type": "list", "elements": "str"},
    "token_bound_cidrs": {"type": "list", "elements": "str", "no_log": False},
    "ttl": {"type": "raw"},
    "num_uses": {"type": "int"},
    "wrap_ttl": {"type": "raw"},
}


def secret_id_request(params: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The body of a secret-id request, every option checked (CIDRs, TTLs) before any request."""
    body: dict[str, t.Any] = {}
    if params.get("metadata"):
        body["metadata"] = json.dumps(string_map(params["metadata"]), sort_keys=True)
    for name in ("cidr_list", "token_bound_cidrs"):
        if params.get(name):
            body[name] = cidr_list(params[name], name)
    if params.get("ttl") not in (None, ""):
        body["ttl"] = duration_to_seconds(params["ttl"], "ttl")
    if params.get("num_uses") is not None:
        if params["num_uses"] < 0:
            raise ValidationError("num_uses", "must not be negative")
        body["num_uses"] = params["num_uses"]
    return body


def issue_secret_id(
    client: VaultClient, mount: str, role_name: str, body: dict[str, t.Any], wrap_ttl: int | None = None
) -> dict[str, t.Any]:
    """A new secret-id of an AppRole role: ``secret_id``, ``secret_id_accessor``, ``secret_id_ttl``,
    ``secret_id_num_uses``; or, with ``wrap_ttl``, only ``wrap_info`` (a single-use token that unwraps to it).

    Never retried unless it provably did not reach Vault (two secret-ids would be issued)."""
    path = join_path(mount, "role", APPROLE_NAME.check(role_name, "role_name"), "secret-id")
    if not wrap_ttl:
        return dict(client.issue(path, body, method="POST").get("data") or {})
    # response wrapping is asked with a header (the client sends JSON bodies only): the session of the client's
    # hvac adapter carries it for this one request
    headers = client.hvac.adapter.session.headers
    headers["X-Vault-Wrap-TTL"] = f"{wrap_ttl}s"
    try:
        answer = client.issue(path, body, method="POST")
    finally:
        headers.pop("X-Vault-Wrap-TTL", None)
    if not answer.get("wrap_info"):
        raise VaultOpsError("Vault answered without wrapping the secret-id (wrap_ttl was not applied)", path=path)
    wrap = answer.get("wrap_info") or {}
    return {"wrap_info": {k: wrap.get(k) for k in ("token", "accessor", "ttl", "creation_time", "creation_path")}}


# --- JWT / OIDC --------------------------------------------------------------------------------------

JWT_CONFIG_SPEC: dict[str, str] = {
    "oidc_discovery_url": "str",
    "oidc_discovery_ca_pem": "str",
    "oidc_client_id": "str",
    "oidc_response_mode": "str",
    "oidc_response_types": "list",
    "jwks_url": "str",
    "jwks_ca_pem": "str",
    "jwt_validation_pubkeys": "pems",
    "jwt_supported_algs": "list",
    "bound_issuer": "str",
    "default_role": "str",
}
JWT_CONFIG_SECRETS = ("oidc_client_secret",)
_KEY_SOURCES = ("oidc_discovery_url", "jwks_url", "jwt_validation_pubkeys")
JWT_CONFIG_OPTIONS: dict[str, dict[str, t.Any]] = {
    "oidc_discovery_url": {"type": "str"},
    "oidc_discovery_ca_pem": {"type": "str"},
    "oidc_client_id": {"type": "str"},
    "oidc_client_secret": {"type": "str", "no_log": True},
    "oidc_response_mode": {"type": "str", "choices": ["query", "form_post"]},
    "oidc_response_types": {"type": "list", "elements": "str"},
    "jwks_url": {"type": "str"},
    "jwks_ca_pem": {"type": "str"},
    "jwt_validation_pubkeys": {"type": "list", "elements": "str", "no_log": False},
    "jwt_supported_algs": {"type": "list", "elements": "str"},
    "bound_issuer": {"type": "str"},
    "default_role": {"type": "str"},
    "update_secret": {"type": "str", "default": "on_create", "choices": ["always", "on_create"], "no_log": False},
}


def _jwt_config_rules(desired: dict[str, t.Any]) -> None:
    given = [name for name in _KEY_SOURCES if desired.get(name) not in (None, "", [])]
    if len(given) != 1:
        raise ValidationError(
            given[1] if len(given) > 1 else "oidc_discovery_url",
            "set exactly one of oidc_discovery_url, jwks_url or jwt_validation_pubkeys (where the keys that sign "
            f"the tokens come from){'; given: ' + ', '.join(given) if given else ''}",
        )
    for name in ("oidc_discovery_url", "jwks_url"):
        url = desired.get(name)
        if url and not str(url).startswith(("https://", "http://")):
            raise ValidationError(name, f"{url!r} is not an http(s) URL")


def _jwt_config_payload(desired: dict[str, t.Any], _current: Record | None) -> dict[str, t.Any]:
    # the config is written whole: the key sources not chosen are cleared, so that one replaces another
    body = {name: "" for name in _KEY_SOURCES if name != "jwt_validation_pubkeys"}
    body["jwt_validation_pubkeys"] = []
    body.update({k: v for k, v in desired.items() if v is not None})
    return body


def _jwt_config_unset(record: Record) -> bool:
    return not any(record.get(name) for name in _KEY_SOURCES)


JWT_CONFIG = Resource(
    engine="jwt",
    what="JWT auth configuration",
    path="config",
    fields=JWT_CONFIG_SPEC,
    named=False,
    secrets=JWT_CONFIG_SECRETS,
    kinds=AUTH_KINDS,
    rules=_jwt_config_rules,
    payload=_jwt_config_payload,
    unset=_jwt_config_unset,
    deletable=False,
)

JWT_ROLE_SPEC: dict[str, str] = {
    "role_type": "str",
    "bound_audiences": "list",
    "bound_subject": "str",
    "bound_claims": "claims",
    "bound_claims_type": "str",
    "user_claim": "str",
    "groups_claim": "str",
    "claim_mappings": "map",
    "oidc_scopes": "list",
    "allowed_redirect_uris": "list",
    "clock_skew_leeway": "duration",
    "expiration_leeway": "duration",
    "not_before_leeway": "duration",
    **TOKEN_SPEC,
}
JWT_ROLE_OPTIONS: dict[str, dict[str, t.Any]] = {
    **_ROLE_ITEM,
    "role_type": {"type": "str", "choices": ["jwt", "oidc"]},
    "bound_audiences": {"type": "list", "elements": "str"},
    "bound_subject": {"type": "str"},
    "bound_claims": {"type": "dict"},
    "bound_claims_type": {"type": "str", "choices": ["string", "glob"]},
    "user_claim": {"type": "str"},
    "groups_claim": {"type": "str"},
    "claim_mappings": {"type": "dict"},
    "oidc_scopes": {"type": "list", "elements": "str"},
    "allowed_redirect_uris": {"type": "list", "elements": "str"},
    "clock_skew_leeway": {"type": "raw"},
    "expiration_leeway": {"type": "raw"},
    "not_before_leeway": {"type": "raw"},
    **TOKEN_OPTIONS,
}


def _jwt_role_rules(desired: dict[str, t.Any]) -> None:
    _token_rules(desired)
    bounds = string_list(desired.get("bound_audiences")) or _claims(desired.get("bound_claims"))
    if not bounds and not desired.get("bound_subject"):
        raise ValidationError(
            "bound_audiences",
            "set bound_audiences, bound_claims or bound_subject: a role with none of them accepts every token "
            "the issuer signs, for any audience and any subject",
        )
    if not desired.get("user_claim"):
        raise ValidationError("user_claim", "is required (the claim that names the entity, such as sub)")
    if desired.get("role_type") == "oidc" and not string_list(desired.get("allowed_redirect_uris")):
        raise ValidationError("allowed_redirect_uris", "is required for role_type oidc")


def _jwt_role_record(record: Record) -> dict[str, t.Any]:
    # Vault answers an unset bound_claims as null and bound_claims_type "string"
    return {k: v for k, v in record.items() if v is not None}


JWT_ROLE = Resource(
    engine="jwt",
    what="JWT role",
    path="role",
    fields=JWT_ROLE_SPEC,
    name_rule=ROLE_NAME,
    kinds=AUTH_KINDS,
    rules=_jwt_role_rules,
    prepare=_jwt_role_record,
)
