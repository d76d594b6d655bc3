# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""The one Vault client layer: connection options, authentication, retries and error mapping.

Nothing here imports Ansible, so the same code serves modules (through
``_module.py``) and controller-side plugins (through ``get_option``).
hvac is imported lazily; callers check :data:`HVAC_IMPORT_ERROR`.
"""

from __future__ import annotations

import datetime
import email.utils
import os
import re
import time
import typing as t
import urllib.parse
from dataclasses import asdict, dataclass, field

from ._login import LoginCache, login_key, run_dir

try:
    import hvac
    import hvac.exceptions
    import requests
except ImportError as exc:  # pragma: no cover - reported by the callers
    hvac = None
    HVAC_IMPORT_ERROR: ImportError | None = exc
else:
    HVAC_IMPORT_ERROR = None


AUTH_METHODS = ("token", "approle", "userpass", "jwt", "cert", "none")
DEFAULT_AUTH_MOUNTS = {"approle": "approle", "userpass": "userpass", "jwt": "jwt", "cert": "cert"}

# option name -> environment variables, first set one wins (hvac itself only reads VAULT_*); community.hashi_vault's
# ANSIBLE_HASHI_VAULT_* come last, as documented fallbacks (the precedence table is in the connection doc fragment)
ENV_FALLBACKS: dict[str, tuple[str, ...]] = {
    "url": ("VAULT_ADDR", "BAO_ADDR", "ANSIBLE_HASHI_VAULT_URL", "ANSIBLE_HASHI_VAULT_ADDR"),
    "token": ("VAULT_TOKEN", "BAO_TOKEN", "ANSIBLE_HASHI_VAULT_TOKEN"),
    "namespace": ("VAULT_NAMESPACE", "BAO_NAMESPACE", "ANSIBLE_HASHI_VAULT_NAMESPACE"),
    "ca_cert": ("VAULT_CACERT", "BAO_CACERT", "ANSIBLE_HASHI_VAULT_CA_CERT"),
    "client_cert": ("VAULT_CLIENT_CERT", "BAO_CLIENT_CERT", "ANSIBLE_HASHI_VAULT_CERT_AUTH_PUBLIC_KEY"),
    "client_key": ("VAULT_CLIENT_KEY", "BAO_CLIENT_KEY", "ANSIBLE_HASHI_VAULT_CERT_AUTH_PRIVATE_KEY"),
    "skip_verify": ("VAULT_SKIP_VERIFY", "BAO_SKIP_VERIFY"),
    "timeout": ("ANSIBLE_HASHI_VAULT_TIMEOUT",),
    "retries": ("ANSIBLE_HASHI_VAULT_RETRIES",),
    "auth_method": ("VAULTOPS_CLOUD_AUTH_METHOD", "ANSIBLE_HASHI_VAULT_AUTH_METHOD"),
    "auth_mount_point": ("ANSIBLE_HASHI_VAULT_MOUNT_POINT",),
    "role_id": ("VAULTOPS_CLOUD_ROLE_ID", "ANSIBLE_HASHI_VAULT_ROLE_ID"),
    "secret_id": ("VAULTOPS_CLOUD_SECRET_ID", "ANSIBLE_HASHI_VAULT_SECRET_ID"),
    "username": ("ANSIBLE_HASHI_VAULT_USERNAME",),
    "password": ("ANSIBLE_HASHI_VAULT_PASSWORD",),
    "jwt": ("VAULTOPS_CLOUD_JWT", "ANSIBLE_HASHI_VAULT_JWT"),
}

# Status codes worth another try for reads and configuration writes: a sealed or
# starting node, proxies and load balancers between us and Vault, rate limits. A
# plain 500 is mostly a plugin's own error and is not retried; a standby without a
# leader (leader election) answers 500 too, and is recognised by its message.
RETRY_STATUS = frozenset({412, 429, 502, 503, 504})


class VaultOpsError(Exception):
    """An error from Vault or on the way to it, carrying Vault's own message and the path."""

    def __init__(self, message: str, *, path: str | None = None, status: int | None = None) -> None:
        self.message = message
        self.path = path
        self.status = status
        self.retryable = status in RETRY_STATUS
        # True when the request provably never reached Vault (DNS, connection refused, TLS handshake)
        self.refused = False
        # seconds the server asked us to wait (Retry-After), when it said
        self.retry_after: float | None = None
        # set when Vault was changed before the error (the module then reports changed=true)
        self.changed = False
        text = message if path is None else f"{message} (path: {path})"
        super().__init__(text)


class VaultConnectionError(VaultOpsError):
    """Vault could not be reached."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.retryable = True


class VaultSealedError(VaultOpsError):
    """Vault answered that it is sealed or has no active node."""

    def __init__(self, message: str, *, path: str | None = None, status: int | None = 503) -> None:
        super().__init__(message, path=path, status=status)
        self.retryable = True


class VaultCredentialLost(VaultOpsError):
    """A request that mints a credential reached Vault, but its answer was lost (a reset, a timeout, a 5xx, an
    answer that is not Vault's): Vault may have issued a credential that nobody holds. Never tried again."""

    def __init__(self, cause: VaultOpsError, *, path: str, role: str, sent_at: str) -> None:
        super().__init__(
            f"a credential may have been issued for role {role!r} at {sent_at} but its answer was lost "
            f"({cause.message}); it is not requested again: check the leases under {path} and revoke what "
            "nobody holds",
            path=path,
            status=cause.status,
        )
        self.role = role
        self.sent_at = sent_at
        # what ended the request (a reset, a timeout, a 5xx): as it would have been raised for a read
        self.cause = cause
        self.retryable = False


class VaultPermissionError(VaultOpsError):
    """The token may not do this (HTTP 403)."""


class VaultNoRoute(VaultOpsError):
    """A 404 in which Vault says the path itself does not exist (no mount there, an unknown namespace, a path the
    engine does not have): never "absent". ``unmounted`` when nothing is mounted there at all."""

    def __init__(self, message: str, *, path: str | None = None, unmounted: bool = False) -> None:
        super().__init__(message, path=path, status=404)
        self.unmounted = unmounted


# what Vault says in a 404 about the path itself, not about a record under it. ("unsupported path" is left out on
# purpose: inside an existing mount it is the engine saying it has no such collection, e.g. an AWS plugin without
# static roles, and that collection is empty.)
_NO_ROUTE = ("no handler for route", "route entry not found", "namespace not found")


class VaultNotFound(VaultOpsError):
    """Vault's own 404 about something under an existing path (a record, or a collection the engine lacks)."""


class VaultInvalidRequest(VaultOpsError):
    """Vault refused the request as invalid (HTTP 400)."""


# what Vault's plugin framework adds to an answer when a write carries fields the path's schema does not have
_IGNORED = re.compile(r"Endpoint ignored these unrecognized parameters: \[([^\]]*)\]")


class VaultUnsupportedFields(VaultOpsError):
    """The engine at this path on this server does not have these fields: Vault said it ignored them in a write
    (``written``: the other fields were written, so Vault changed), or its schema of the path lacks them."""

    def __init__(self, fields: t.Sequence[str], *, path: str, said: str, written: bool = False) -> None:
        self.fields = list(fields)
        done = "the other fields were written" if written else "nothing was written"
        super().__init__(
            f"this server's engine does not support {', '.join(self.fields)} at {path} ({said}); {done}",
            path=path,
            status=400,
        )
        self.changed = written


def ignored_fields(answer: t.Mapping[str, t.Any] | None) -> tuple[list[str], str]:
    """The fields an answer's warnings say Vault ignored as unrecognized, and that warning."""
    for warning in (answer or {}).get("warnings") or []:
        match = _IGNORED.search(str(warning))
        if match:
            return match.group(1).split(), str(warning)
    return [], ""


def env_value(option: str, environ: t.Mapping[str, str] | None = None) -> str | None:
    return env_source(option, environ)[0]


def env_source(option: str, environ: t.Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """The value of the first set environment variable of ``option``, and that variable's name."""
    environ = os.environ if environ is None else environ
    for name in ENV_FALLBACKS.get(option, ()):
        value = environ.get(name)
        if value:
            return value, name
    return None, None


def hashi_vault_token_file(environ: t.Mapping[str, str] | None = None) -> str | None:
    """community.hashi_vault's token file: the folder ANSIBLE_HASHI_VAULT_TOKEN_PATH (default: home) joined with
    the file name ANSIBLE_HASHI_VAULT_TOKEN_FILE (default: .vault-token); None when neither is set."""
    environ = os.environ if environ is None else environ
    folder, name = environ.get("ANSIBLE_HASHI_VAULT_TOKEN_PATH"), environ.get("ANSIBLE_HASHI_VAULT_TOKEN_FILE")
    if not folder and not name:
        return None
    return os.path.join(folder or "~", name or ".vault-token")


def to_bool(value: t.Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y", "t")


@dataclass
class ConnectionOptions:
    """Everything needed to reach and log in to Vault, resolved from options and environment."""

    url: str
    namespace: str | None = None
    ca_cert: str | None = None
    validate_certs: bool = True
    client_cert: str | None = None
    client_key: str | None = None
    timeout: float = 30
    proxies: dict[str, str] | None = None
    retries: int = 10
    retry_delay: float = 0.5
    # seconds within which reads and configuration writes are tried again: long enough for a leader election
    retry_window: float = 30
    auth_method: str = "token"
    auth_mount_point: str | None = None
    token: str | None = field(default=None, repr=False)
    token_path: str | None = None
    role_id: str | None = None
    secret_id: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    role: str | None = None
    jwt: str | None = field(default=None, repr=False)
    # where the token came from (the token option, a variable, VAULT_TOKEN, ...), named in authentication errors
    token_source: str | None = None
    # revoke a login's token when the run ends (the token is shared by the run's calls: see _login.py)
    revoke_login_token: bool = True

    @classmethod
    def from_getter(
        cls,
        get: t.Callable[[str], t.Any],
        environ: t.Mapping[str, str] | None = None,
        origin: t.Callable[[str], str | None] | None = None,
    ) -> ConnectionOptions:
        """Build from an option getter (``module.params.get`` or a plugin's ``get_option``).

        ``origin`` names where an option's value came from (a plugin's ``get_option_and_origin``); without it a
        value from ``get`` is "the <name> option". Empty values fall back to :data:`ENV_FALLBACKS`."""
        sources: dict[str, str] = {}

        def pick(name: str) -> t.Any:
            value = get(name)
            if value not in (None, ""):
                sources[name] = (origin(name) if origin else None) or f"the {name} option"
                return value
            value, variable = env_source(name, environ)
            if variable:
                sources[name] = variable
            return value

        url = pick("url")
        if not url:
            raise VaultOpsError(
                "no Vault address: set the url option, the variable vaultops_cloud_url or ansible_hashi_vault_url "
                "(lookups), VAULT_ADDR, BAO_ADDR or ANSIBLE_HASHI_VAULT_ADDR, or url in the [vaultops_cloud] "
                "section of ansible.cfg (lookups)"
            )
        validate = get("validate_certs")
        if validate is None:
            skip = env_value("skip_verify", environ)
            validate = not to_bool(skip) if skip is not None else True
        retries = pick("retries")
        window = get("retry_window")
        timeout = pick("timeout")
        auth_method = pick("auth_method") or "token"
        if auth_method not in AUTH_METHODS:
            raise VaultOpsError(
                f"auth_method must be one of {', '.join(AUTH_METHODS)}, not {auth_method!r} "
                f"(from {sources.get('auth_method', 'the auth_method option')})"
            )
        token = pick("token") or None
        role = get("role") or None
        role_id = pick("role_id") or None
        if (
            auth_method in ("jwt", "cert")
            and role is None
            and role_id
            and sources.get("role_id", "").endswith(("ANSIBLE_HASHI_VAULT_ROLE_ID", "ansible_hashi_vault_role_id"))
        ):
            # community.hashi_vault names the JWT role and the cert role role_id
            role, role_id = role_id, None
        return cls(
            url=",".join(addresses(str(url))),
            namespace=pick("namespace") or None,
            ca_cert=pick("ca_cert") or None,
            validate_certs=to_bool(validate),
            client_cert=pick("client_cert") or None,
            client_key=pick("client_key") or None,
            timeout=float(timeout) if timeout not in (None, "") else 30,
            proxies=get("proxies") or None,
            retries=_retries(retries),
            retry_window=float(window) if window not in (None, "") else 30,
            auth_method=auth_method,
            auth_mount_point=pick("auth_mount_point") or None,
            token=token,
            token_path=get("token_path") or hashi_vault_token_file(environ) or None,
            role_id=role_id,
            secret_id=pick("secret_id") or None,
            username=pick("username") or None,
            password=pick("password") or None,
            role=role,
            jwt=pick("jwt") or None,
            token_source=sources.get("token") if token else None,
            revoke_login_token=to_bool(get("revoke_login_token")) if get("revoke_login_token") is not None else True,
        )


def _retries(value: t.Any) -> int:
    """``retries`` as a count; community.hashi_vault's form, a dict of urllib3 Retry settings, gives its total."""
    if isinstance(value, dict):
        value = value.get("total")
    return int(value) if value not in (None, "") else 10


def addresses(url: str) -> list[str]:
    """The node addresses of a ``url`` option: one URL, or several separated by commas."""
    found = [part.strip().rstrip("/") for part in url.split(",") if part.strip()]
    if not found:
        raise VaultOpsError("no Vault address: set the url option, VAULT_ADDR or BAO_ADDR")
    for address in found:
        if not address.startswith(("http://", "https://")):
            raise VaultOpsError(f"url: {address!r} is not an http:// or https:// address")
    return found


def _read_token_file(path: str | None) -> str | None:
    candidate = os.path.expanduser(path or "~/.vault-token")
    try:
        with open(candidate, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def honours_namespaces(version: str) -> bool:
    """Whether a server of this ``sys/seal-status`` version honours ``X-Vault-Namespace``: OpenBao (2.x and later)
    and Vault Enterprise (``+ent``) do; HashiCorp Vault's community edition (1.x) ignores the header."""
    major = version.split(".", 1)[0]
    return "+ent" in version or not major.isdigit() or int(major) != 1


class VaultClient:
    """A thin, typed wrapper over ``hvac.Client`` that every module and plugin shares.

    ``read``/``list`` return ``None`` when Vault has nothing at the path;
    ``delete`` returns ``False`` then. Reads and writes are retried on
    connection errors and on the statuses in :data:`RETRY_STATUS`. Requests
    that mint credentials (:meth:`issue`) or act once (:meth:`action`, login)
    are tried again only where Vault cannot have acted on them: a refused
    connection, a sealed node, a standby without a leader.
    """

    def __init__(
        self,
        options: ConnectionOptions,
        hvac_client: t.Any = None,
        sleep: t.Callable[[float], None] = time.sleep,
        clock: t.Callable[[], float] = time.monotonic,
    ) -> None:
        if hvac is None and hvac_client is None:
            raise VaultOpsError(f"the Python library hvac is required: {HVAC_IMPORT_ERROR}")
        self.options = options
        self._sleep = sleep
        self._clock = clock
        self.addresses = addresses(options.url)
        self._node = 0
        # one line per retry, for the module or lookup to show as a warning
        self.warnings: list[str] = []
        # other things worth a warning that are not retries (a mount that check mode predicts)
        self.notices: list[str] = []
        if hvac_client is None:
            verify: bool | str = (
                options.ca_cert if (options.validate_certs and options.ca_cert) else options.validate_certs
            )
            cert = (options.client_cert, options.client_key) if options.client_cert else None
            hvac_client = hvac.Client(
                url=self.addresses[0],
                namespace=options.namespace,
                verify=verify,
                cert=cert,
                timeout=options.timeout,
                proxies=options.proxies,
            )
        self.hvac = hvac_client
        # set once the server has shown it is Vault or OpenBao (prove)
        self._proven = False
        # where the token in use came from (set by login), named in the errors of refused requests
        self.token_source: str | None = None
        # the "auth" answer of a login (token, accessor, lease_duration), for the run's login cache
        self.login_auth: dict[str, t.Any] | None = None
        # the headers of the last answer (Retry-After): hvac's exceptions do not carry them, its session does
        self._last_headers: t.Mapping[str, str] = {}
        # when the last request was sent (UTC, ISO 8601), for the error of a mint whose answer was lost
        self._sent_at = ""
        session = getattr(getattr(hvac_client, "adapter", None), "session", None)
        hooks = getattr(session, "hooks", None)
        if isinstance(hooks, dict):
            hooks.setdefault("response", []).append(self._remember_answer)

    def _remember_answer(self, response: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        """A ``requests`` response hook: keep the headers of the answer for :func:`retry_after`."""
        self._last_headers = getattr(response, "headers", None) or {}

    @property
    def url(self) -> str:
        """The address of the node in use."""
        return self.addresses[self._node]

    def _next_node(self) -> bool:
        """Move to the next address, if there is one; the adapter keeps its session (and token)."""
        if len(self.addresses) < 2:
            return False
        self._node = (self._node + 1) % len(self.addresses)
        self.hvac.adapter.base_uri = self.url
        return True

    # --- authentication -------------------------------------------------------------------

    def prove(self) -> None:
        """Once per connection, before any token or credential is sent: the server is Vault or OpenBao.

        ``sys/seal-status`` needs no token (so none is sent) and only Vault's and OpenBao's answer carries
        ``initialized`` and ``sealed``: a web server, a proxy's error page or a ``url`` with an extra path
        (where Vault itself answers every path with an empty 404) are refused here, naming the URL."""
        if self._proven:
            return
        where = f"{self.url}/v1/sys/seal-status"
        saved, self.hvac.token = self.hvac.token, None
        try:
            answer = self._call("GET", "sys/seal-status", None, retry=True)
        except VaultConnectionError:
            raise
        except VaultOpsError as exc:
            raise VaultOpsError(
                f"{self.url} is not a Vault or OpenBao server: GET {where} failed: {exc.message}", status=exc.status
            ) from None
        finally:
            self.hvac.token = saved
        if not (isinstance(answer, dict) and isinstance(answer.get("sealed"), bool) and "initialized" in answer):
            raise VaultOpsError(
                f"{self.url} is not a Vault or OpenBao server: GET {where} answered without a seal status "
                "(check url: the address of the server, with no path)"
            )
        namespace = (self.options.namespace or "").strip("/")
        version = str(answer.get("version") or "")
        if namespace and not honours_namespaces(version):
            # measured on Vault 1.21.1: a write with X-Vault-Namespace lands in the root namespace, with no error
            raise VaultOpsError(
                f"namespace {namespace!r} cannot be used with {self.url}: it runs HashiCorp Vault {version} "
                "(community edition), which has no namespaces and would act in the root namespace instead; "
                "unset namespace, or use Vault Enterprise or OpenBao"
            )
        self._proven = True

    def login(self) -> VaultClient:
        opts = self.options
        method = opts.auth_method
        mount = opts.auth_mount_point or DEFAULT_AUTH_MOUNTS.get(method)
        if method not in ("token", "none"):
            # the login path is built from options: names, never paths (checked before any request)
            from ._vault import NAME, mount_path  # noqa: PLC0415 - _vault imports this module

            mount = mount_path(mount or method, "auth_mount_point")
            if opts.username is not None:
                NAME.check(opts.username, "username")
        self.prove()
        if method == "token":
            token = opts.token
            self.token_source = opts.token_source or "the token option"
            if not token:
                token_file = os.path.expanduser(opts.token_path or "~/.vault-token")
                token = _read_token_file(token_file)
                self.token_source = f"the token file {token_file}"
            if not token:
                raise VaultOpsError(
                    "no Vault token: set the token option, the variable vaultops_cloud_token or "
                    "ansible_hashi_vault_token (lookups), VAULT_TOKEN, BAO_TOKEN or ANSIBLE_HASHI_VAULT_TOKEN, or "
                    f"write the token file {os.path.expanduser(opts.token_path or '~/.vault-token')}, or log in with "
                    "auth_method"
                )
            self.hvac.token = token
            return self
        if method == "none":
            # a Vault Agent or Vault Proxy with auto-auth (use_auto_auth_token) adds its own token: none is sent
            self.hvac.token = None
            self.token_source = "auth_method=none (no token sent: the Vault Agent or Proxy at url adds its own)"  # noqa: S105
            return self
        path = f"auth/{_quote(mount)}/login"
        if method == "approle":
            self._require(("role_id",), method)
            payload = {"role_id": opts.role_id, "secret_id": opts.secret_id}
            payload = {k: v for k, v in payload.items() if v is not None}
        elif method == "userpass":
            self._require(("username", "password"), method)
            path = f"auth/{_quote(mount)}/login/{_quote(opts.username)}"
            payload = {"password": opts.password}
        elif method == "cert":
            # TLS certificate auth: the client certificate of the connection (client_cert, client_key) logs in
            self._require(("client_cert",), method)
            payload = {"name": opts.role} if opts.role else {}
        else:  # jwt
            self._require(("jwt",), method)
            payload = {"jwt": opts.jwt, "role": opts.role}
            payload = {k: v for k, v in payload.items() if v is not None}

        def log_in() -> dict[str, t.Any]:
            # a repeated login could mint a second token or use up a single-use secret ID
            try:
                response = self._call("POST", path, payload, retry="unprocessed")
            except (VaultPermissionError, VaultInvalidRequest) as exc:
                exc.message = f"{method} login at auth/{mount} failed: {exc.message}"
                exc.args = (f"{exc.message} (path: {path})",)
                raise
            auth = (response or {}).get("auth") or {}
            if not auth.get("client_token"):
                raise VaultOpsError(f"{method} login returned no client token", path=path)
            self.login_auth = auth
            return auth

        self.token_source = f"the {method} login at auth/{mount}"
        folder = run_dir()
        if folder is None:
            self.hvac.token = log_in()["client_token"]
            return self
        # once per run: the run's token of this identity, or a login whose token the run's later calls share
        token, shared = LoginCache(folder).get_or_login(
            login_key(opts), log_in, connection=asdict(opts), revoke=opts.revoke_login_token
        )
        if shared:
            self.token_source = f"the run's token of the {method} login at auth/{mount}"
        self.hvac.token = token
        return self

    def revoke_self(self, token: str) -> None:
        """Revoke ``token`` (the end of a run revokes its login tokens)."""
        self.prove()
        self.hvac.token = token
        self.token_source = "the run's login"  # noqa: S105 - a description, not a secret
        self.action("auth/token/revoke-self")

    def _require(self, names: tuple[str, ...], method: str) -> None:
        missing = [name for name in names if not getattr(self.options, name)]
        if missing:
            raise VaultOpsError(f"auth_method={method} needs {', '.join(missing)}")

    # --- raw API ----------------------------------------------------------------------------

    def read(self, path: str) -> dict[str, t.Any] | None:
        """GET a path; the ``data`` of the answer, or ``None`` if nothing is there."""
        response = self._call("GET", path, None, retry=True, missing_ok=True)
        return None if response is None else (response.get("data") or {})

    def list(self, path: str) -> list[str]:
        """LIST a path: its keys, ``[]`` when there are none (or the engine cannot list there)."""
        return self.listing(path) or []

    def listing(self, path: str) -> list[str] | None:
        """LIST a path: its keys, ``[]`` when there are none, ``None`` when the engine has no list operation
        there (Vault's "unsupported path": e.g. static roles of an AWS engine of Vault 1.18 or older)."""
        try:
            response = self._call("LIST", path, None, retry=True)
        except VaultNotFound as exc:
            return None if "unsupported path" in exc.message.lower() else []
        if not response:
            return []
        return list((response.get("data") or {}).get("keys") or [])

    def write(
        self, path: str, data: dict[str, t.Any] | None = None, *, method: str = "POST"
    ) -> dict[str, t.Any] | None:
        """A configuration write: retried, since writing the same data twice is harmless.

        A field the engine at ``path`` does not have is an error, not a silent drop: where Vault answers that it
        ignored unrecognized parameters, :class:`VaultUnsupportedFields` names them (``changed``: the other
        fields were written)."""
        answer = self._call(method, path, data or {}, retry=True)
        fields, said = ignored_fields(answer)
        if fields:
            raise VaultUnsupportedFields(fields, path=path.strip("/"), said=f"Vault answered: {said}", written=True)
        return answer

    def schema_fields(self, path: str) -> set[str]:
        """The fields the server's schema of ``path`` offers for a write (``GET <path>?help=1``: the properties of
        the request body of its POST or PUT; help is allowed for every token)."""
        answer = self._call("GET", f"{path.strip('/')}?help=1", None, retry=True) or {}
        openapi = answer.get("openapi") or {}
        schemas = (openapi.get("components") or {}).get("schemas") or {}
        fields: set[str] = set()
        for item in (openapi.get("paths") or {}).values():
            for method in ("post", "put"):
                body = ((item or {}).get(method) or {}).get("requestBody") or {}
                ref = ((body.get("content") or {}).get("application/json") or {}).get("schema", {}).get("$ref")
                if ref:
                    fields.update((schemas.get(ref.rsplit("/", 1)[-1]) or {}).get("properties") or {})
        return fields

    def delete(self, path: str) -> bool:
        return self._call("DELETE", path, None, retry=True, missing_ok=True) is not None

    def issue(
        self, path: str, data: dict[str, t.Any] | None = None, *, method: str = "GET", role: str | None = None
    ) -> dict[str, t.Any]:
        """A request that mints a credential: the whole response; retried only if Vault cannot have acted.

        When the request reached Vault and its answer was lost, :class:`VaultCredentialLost` names the role
        (``role``, else taken from ``path``) and the time it was sent."""
        try:
            response = self._call(method, path, data, retry="unprocessed")
        except VaultOpsError as exc:
            if not may_have_acted(exc):
                raise
            raise VaultCredentialLost(
                exc, path=path.strip("/"), role=role or role_of(path), sent_at=self._sent_at
            ) from None
        if not response:
            raise VaultOpsError("Vault returned no credential", path=path)
        return response

    def action(
        self, path: str, data: dict[str, t.Any] | None = None, *, method: str = "POST"
    ) -> dict[str, t.Any] | None:
        """A request that must not happen twice (rotate a key, revoke); retried only if Vault cannot have acted."""
        return self._call(method, path, data or {}, retry="unprocessed")

    # --- plumbing ---------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        data: dict[str, t.Any] | None,
        *,
        retry: bool | str,
        missing_ok: bool = False,
    ) -> dict[str, t.Any] | None:
        """``retry``: True for reads and configuration writes, tried again on any transient error for as long as
        ``retries`` and ``retry_window`` allow; ``"unprocessed"`` for requests that must not happen twice (mint,
        rotate, revoke, login), tried again only where the request provably never reached Vault or Vault said
        it did nothing (a sealed node, a standby without a leader); False never.

        A node that refused the connection or is sealed hands over to the next address of ``url``, if any.
        """
        path = path.strip("/")
        opts = self.options
        attempts = 1 + (max(opts.retries, 0) if retry else 0)
        deadline = self._clock() + max(opts.retry_window, 0)
        for attempt in range(attempts):
            try:
                return self._request(method, path, data, missing_ok)
            except VaultOpsError as exc:
                untouched = isinstance(exc, VaultSealedError) or exc.refused
                if retry == "unprocessed":
                    if not untouched or not exc.retryable:
                        raise
                elif not exc.retryable:
                    raise
                last: VaultOpsError = exc
            if attempt + 1 >= attempts:
                break
            delay = min(opts.retry_delay * (2**attempt), 5.0)
            if last.retry_after is not None:
                delay = max(delay, min(last.retry_after, 30.0))
            moved = untouched and self._next_node()
            if moved:
                delay = 0.0 if attempt < len(self.addresses) - 1 else delay
            if self._clock() + delay > deadline:
                break
            where = f"; trying {self.url}" if moved else ""
            self.warnings.append(
                f"{method} {path}: {last.message} (attempt {attempt + 1} of {attempts}){where}, again in {delay:g}s"
            )
            if delay:
                self._sleep(delay)
        raise last

    def _request(
        self, method: str, path: str, data: dict[str, t.Any] | None, missing_ok: bool
    ) -> dict[str, t.Any] | None:
        self._last_headers = {}
        self._sent_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            return self._send(method, path, data, missing_ok)
        except VaultOpsError as exc:
            exc.retry_after = retry_after(self._last_headers)
            raise

    def _send(self, method: str, path: str, data: dict[str, t.Any] | None, missing_ok: bool) -> dict[str, t.Any] | None:
        url = f"/v1/{path}"
        kwargs: dict[str, t.Any] = {}
        if data is not None and method not in ("GET", "LIST", "DELETE"):
            kwargs["json"] = data
        try:
            response = self.hvac.adapter.request(method, url, **kwargs)
        except hvac.exceptions.InvalidPath as exc:
            self._refuse_non_vault(exc, path, 404)
            said = " ".join(str(e) for e in (getattr(exc, "errors", None) or [])).lower()
            if any(words in said for words in _NO_ROUTE):
                # the path itself does not exist: a missing mount, an unknown namespace; never "absent"
                message = _vault_message(exc, "not found")
                if "namespace not found" in said:
                    message = f"{message}: namespace {self.options.namespace!r} does not exist at {self.url}"
                raise VaultNoRoute(
                    message,
                    path=path,
                    unmounted="no handler for route" in said or "route entry not found" in said,
                ) from None
            if missing_ok:
                return None
            raise VaultNotFound(_vault_message(exc, "not found"), path=path, status=404) from None
        except hvac.exceptions.Forbidden as exc:
            # which token was refused: a stale ~/.vault-token or a forgotten VAULT_TOKEN is then plain to see
            source = f" (token from {self.token_source})" if self.token_source else ""
            raise VaultPermissionError(
                f"permission denied: {_vault_message(exc, 'permission denied')}{source}",
                path=path,
                status=403,
            ) from None
        except hvac.exceptions.VaultDown as exc:
            message = _vault_message(exc, "service unavailable")
            if _says_sealed(exc):
                raise VaultSealedError(f"Vault is sealed or has no active node: {message}", path=path) from None
            # a 503 that does not say "sealed" (a proxy, a plugin, an overloaded node): Vault may have acted
            raise VaultOpsError(f"service unavailable: {message}", path=path, status=503) from None
        except hvac.exceptions.InvalidRequest as exc:
            self._refuse_non_vault(exc, path, 400)
            raise VaultInvalidRequest(_vault_message(exc, "invalid request"), path=path, status=400) from None
        except hvac.exceptions.InternalServerError as exc:
            message = _vault_message(exc, "internal server error")
            if "node not active" in message or "no active" in message:
                # a standby during a leader election: nothing was done, any request may be tried again
                raise VaultSealedError(f"Vault has no active node: {message}", path=path, status=500) from None
            raise VaultOpsError(message, path=path, status=500) from None
        except hvac.exceptions.UnexpectedError as exc:
            # hvac gives no status for the codes it has no class for (412, 504, ...): worth another try
            error = VaultOpsError(_vault_message(exc, "unexpected answer"), path=path)
            error.retryable = True
            raise error from None
        except hvac.exceptions.VaultError as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None) or _status_of(exc)
            raise VaultOpsError(_vault_message(exc, type(exc).__name__), path=path, status=status) from None
        except requests.exceptions.RequestException as exc:
            error = VaultConnectionError(
                f"cannot reach Vault at {self.options.url}: {type(exc).__name__}: {exc}",
                path=path,
            )
            # a refused connection, a failed name lookup or TLS handshake never reached Vault; a reset or a
            # timeout may have come after Vault acted
            error.refused = never_sent(exc)
            if "certificate verify failed" in str(exc).lower():
                # an unknown CA or a wrong name does not heal by waiting
                error.message += " (the server's certificate is not trusted: set ca_cert or VAULT_CACERT)"
                error.args = (f"{error.message} (path: {path})",)
                error.retryable = False
            raise error from None
        if response is None:
            return {}
        if isinstance(response, dict):
            return response
        # hvac returns the raw requests.Response for answers without a JSON body (204)
        status = getattr(response, "status_code", 200)
        if status == 204:
            return {}
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            kind = (getattr(response, "headers", None) or {}).get("Content-Type") or "no content type"
            raise VaultOpsError(
                f"{self.url}/v1/{path} answered HTTP {status} ({kind}) without Vault's JSON: this is not a Vault "
                "or OpenBao API (check url, the proxy and the namespace)",
                path=path,
                status=status,
            )
        return answer

    def _refuse_non_vault(self, exc: Exception, path: str, status: int) -> None:
        """An error answer whose body is not Vault's JSON comes from something else: never read as "absent"."""
        if getattr(exc, "errors", None) is None and getattr(exc, "text", None):
            raise VaultOpsError(
                f"{self.url}/v1/{path} answered HTTP {status} without Vault's JSON: this is not a Vault or OpenBao "
                "API (check url, the proxy and the namespace)",
                path=path,
                status=status,
            ) from None


_NEVER_SENT = (
    "connection refused",
    "newconnectionerror",
    "failed to establish a new connection",
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "failed to resolve",
    "getaddrinfo failed",
    "no route to host",
)


def never_sent(exc: BaseException) -> bool:
    """Whether a transport error provably happened before the request reached Vault: a failed name lookup, a
    refused connection or a failed TLS handshake. A reset, an aborted connection or a timeout may come after
    Vault acted, and is never taken for "not sent"."""
    if isinstance(exc, requests.exceptions.Timeout):
        return False
    if isinstance(exc, requests.exceptions.SSLError):
        return True  # the handshake failed: no byte of the request was sent
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    text = repr(exc).lower()
    if any(word in text for word in ("connection aborted", "reset by peer", "remotedisconnected", "broken pipe")):
        return False
    return any(word in text for word in _NEVER_SENT)


def may_have_acted(exc: VaultOpsError) -> bool:
    """Whether Vault may have carried out a request that ended in ``exc``: it was sent and no definite answer
    came back (a reset, a timeout, any 5xx but a sealed node or a standby without a leader, an answer that is
    not Vault's). A 4xx is Vault's (or a proxy's) answer that it did nothing."""
    if exc.refused or isinstance(exc, VaultSealedError):
        return False
    if isinstance(exc, VaultConnectionError) or exc.status is None:
        return True
    return exc.status >= 500 or exc.status < 400


def role_of(path: str) -> str:
    """The role a credential path names: its last segment, or the one before ``key``/``token`` (GCP)."""
    parts = [urllib.parse.unquote(part) for part in path.strip("/").split("/") if part]
    if len(parts) >= 2 and parts[-1] in ("key", "token"):
        return parts[-2]
    return parts[-1] if parts else path


def retry_after(headers: t.Mapping[str, str]) -> float | None:
    """The seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date), ``None`` without one."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max((when - datetime.datetime.now(datetime.timezone.utc)).total_seconds(), 0.0)


def _quote(path: str) -> str:
    """Each segment of a checked path percent-encoded (as ``_vault.join_path``)."""
    return "/".join(urllib.parse.quote(segment, safe="") for segment in path.split("/"))


def _says_sealed(exc: Exception) -> bool:
    text = " ".join(str(e) for e in (getattr(exc, "errors", None) or [])).lower()
    return "sealed" in text or "node not active" in text or "no active" in text


def _status_of(exc: Exception) -> int | None:
    names = {
        "Unauthorized": 401,
        "RateLimitExceeded": 429,
        "InternalServerError": 500,
        "BadGateway": 502,
        "PreconditionFailed": 412,
        "VaultNotInitialized": 501,
    }
    return names.get(type(exc).__name__)


def _vault_message(exc: Exception, default: str) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(str(e) for e in errors if e) or default
    # hvac appends ", on METHOD URL"; the path is reported separately
    text = str(exc).split(", on ", 1)[0]
    return default if text in ("", "None") else text
