"""Shared plumbing of the fake clouds: the parsed request, the response, the request log, ids and times."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
import typing as t
import urllib.parse
import uuid
import zlib
from dataclasses import dataclass, field

ALNUM = string.ascii_letters + string.digits


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def rfc3339(when: dt.datetime, *, fraction: bool = False) -> str:
    """``2025-01-02T03:04:05Z`` (or with microseconds), always UTC."""
    when = when.astimezone(dt.timezone.utc)
    if fraction:
        return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> dt.datetime:
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Python before 3.11 takes at most 6 fraction digits; Graph sends 7
    if "." in value:
        head, _, rest = value.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        value = f"{head}.{digits[:6].ljust(6, '0')}{rest}"
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


def new_uuid() -> str:
    return str(uuid.uuid4())


def random_digits(length: int, *, first: str = "123456789") -> str:
    return secrets.choice(first) + "".join(secrets.choice(string.digits) for _ in range(length - 1))


def random_text(length: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Request:
    """One HTTP request as a fake service sees it (TLS already terminated)."""

    method: str
    host: str  # lower case, without the port
    path: str  # percent-decoded, without the query
    raw_path: str  # as sent, with the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    scheme: str = "https"

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def json(self) -> t.Any:
        """The body as JSON; None when it is empty or not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        text = self.body.decode("utf-8", "replace")
        return {k: v[0] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}

    def bearer(self) -> str | None:
        value = self.header("authorization") or ""
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def parsed_body(self) -> t.Any:
        """The body for the request log: JSON, a form, text, or base64 for binary."""
        if not self.body:
            return None
        data = self.json()
        if data is not None:
            return data
        if self.content_type == "application/x-www-form-urlencoded":
            return self.form()
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(self.body).decode()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls,
        status: int,
        payload: t.Any,
        *,
        content_type: str = "application/json; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> Response:
        merged = {"Content-Type": content_type, **(headers or {})}
        return cls(status, json.dumps(payload, indent=None, separators=(",", ":")).encode(), merged)

    @classmethod
    def empty(cls, status: int = 204, headers: dict[str, str] | None = None) -> Response:
        return cls(status, b"", dict(headers or {}))

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Response:
        return cls(status, text.encode(), {"Content-Type": content_type})


class Service(t.Protocol):
    name: str

    def owns(self, host: str) -> bool: ...

    def handle(self, req: Request) -> Response: ...

    def snapshot(self) -> dict[str, t.Any]: ...


def decode_body(body: bytes, encoding: str | None) -> bytes:
    """Undo a request's Content-Encoding (the Graph SDK gzips request bodies)."""
    encoding = (encoding or "").strip().lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


def flat_query(query: dict[str, list[str]]) -> dict[str, str | list[str]]:
    return {k: v[0] if len(v) == 1 else list(v) for k, v in query.items()}


class RequestLog:
    """Every request the fake served, in order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, t.Any]] = []
        self._seq = 0

    def add(self, req: Request, status: int) -> None:
        with self._lock:
            self._seq += 1
            self._entries.append(
                {
                    "seq": self._seq,
                    "time": rfc3339(utcnow(), fraction=True),
                    "scheme": req.scheme,
                    "host": req.host,
                    "method": req.method,
                    "path": req.path,
                    "query": flat_query(req.query),
                    "body": req.parsed_body(),
                    "status": status,
                }
            )

    def entries(self) -> list[dict[str, t.Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count


class TokenSigner:
    """Seals token claims with an HMAC key kept in the state folder, so tokens outlive a restart of the fake."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def mac(self, data: bytes) -> str:
        return b64url(hmac.new(self._key, data, hashlib.sha256).digest())

    def seal(self, claims: dict[str, t.Any]) -> str:
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        return f"{body}.{self.mac(body.encode())}"

    def open(self, token: str) -> dict[str, t.Any] | None:
        body, _, mac = token.rpartition(".")
        if not body or not hmac.compare_digest(mac, self.mac(body.encode())):
            return None
        try:
            claims = json.loads(b64url_decode(body.rsplit(".", 1)[-1]))
        except ValueError:
            return None
        return claims if isinstance(claims, dict) else None


class Propagation:
    """How long a newly made credential is refused, as the clouds refuse keys that have not reached every endpoint.

    ``seconds`` comes from ``VAULTOPS_LAB_PROPAGATION_DELAY`` at start (0: off) and ``POST /_fake/propagation``.
    Only credentials made after the fake started count: the seeded root identities work at once.
    """

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.armed_at = time.time()

    def pending(self, born: float) -> bool:
        """True while a credential made at ``born`` (epoch seconds) is still refused."""
        return self.seconds > 0 and born > self.armed_at and time.time() - born < self.seconds
