"""The lab's audit log read back: which requests reached the server, in the order it saw them.

``scripts/lab up`` declares a file audit device (``VAULTOPS_LAB_AUDIT_LOG`` in ``scripts/lab env``): one JSON
object a line, a ``request`` entry and then a ``response`` entry for every request, accessors in clear
(``hmac_accessor=false``). A reader takes a :meth:`AuditLog.mark` (a byte offset) before a run and asks for
:meth:`AuditLog.since` that mark after it, optionally only the requests made with one token's accessor: a test
gives the run a token of its own (:func:`child_token`) so that its own hvac traffic never counts.

The server writes each entry before it answers, so once a playbook has finished every request it made is in
the file. Used by ``tests/integration/test_requests.py`` and ``scripts/bench``; it imports nothing else of the
test suite.
"""

from __future__ import annotations

import collections
import json
import os
import typing as t
from dataclasses import dataclass
from pathlib import Path

ENV_NAME = "VAULTOPS_LAB_AUDIT_LOG"
# operations that change nothing: everything else (create, update, delete, ...) writes
READ_OPERATIONS = frozenset({"read", "list"})


@dataclass(frozen=True)
class Request:
    """One request as the server logged it (path without a trailing slash: a list logs ``roles/``)."""

    operation: str
    path: str
    accessor: str
    error: str = ""

    @property
    def reads(self) -> bool:
        return self.operation in READ_OPERATIONS

    def __str__(self) -> str:
        failed = f" ({self.error})" if self.error else ""
        return f"{self.operation} {self.path}{failed}"


class AuditLog:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @classmethod
    def of(cls, env: t.Mapping[str, str]) -> AuditLog:
        """The audit log of a lab, from its ``scripts/lab env`` values (``Lab.env``) or the environment."""
        value = env.get(ENV_NAME) or os.environ.get(ENV_NAME)
        if not value:
            raise LookupError(f"{ENV_NAME} is not set: the lab predates its audit log (scripts/lab down, then up)")
        log = cls(value)
        if not log.path.is_file():
            raise FileNotFoundError(f"the lab's audit log {log.path} does not exist (is the audit device enabled?)")
        return log

    def mark(self) -> int:
        """Where the log ends now (the end of its last complete line)."""
        with self.path.open("rb") as handle:
            data = handle.read()
        return data.rfind(b"\n") + 1

    def entries(self, since: int = 0) -> t.Iterator[dict[str, t.Any]]:
        """Every complete entry after byte ``since`` (a line still being written is left for later)."""
        with self.path.open("rb") as handle:
            handle.seek(since)
            data = handle.read()
        complete = data[: data.rfind(b"\n") + 1]
        for line in complete.splitlines():
            if line.strip():
                yield json.loads(line)

    def since(self, mark: int, *, accessor: str | None = None) -> list[Request]:
        """The requests logged after ``mark`` (only those made with ``accessor``'s token, if given), in order,
        each with the error its response carried."""
        requests: dict[str, Request] = {}
        for number, entry in enumerate(self.entries(mark)):
            request = entry.get("request") or {}
            ident = request.get("id") or f"#{number}"
            if entry.get("type") == "request":
                requests[ident] = Request(
                    operation=request.get("operation", ""),
                    path=str(request.get("path", "")).rstrip("/"),
                    accessor=(entry.get("auth") or {}).get("accessor", ""),
                )
            elif entry.get("type") == "response" and ident in requests and entry.get("error"):
                seen = requests[ident]
                requests[ident] = Request(seen.operation, seen.path, seen.accessor, str(entry["error"]))
        return [r for r in requests.values() if accessor is None or r.accessor == accessor]


def operations(requests: t.Iterable[Request]) -> dict[str, int]:
    """How many requests of each operation (``{"read": 10, "list": 1, ...}``)."""
    return dict(collections.Counter(r.operation for r in requests))


def describe(requests: t.Sequence[Request]) -> str:
    """The requests one a line, for an assertion message."""
    return f"{len(requests)} requests:\n" + "\n".join(f"  {r}" for r in requests)


class TokenCreator(t.Protocol):
    def create(self, **kwargs: t.Any) -> dict[str, t.Any]: ...


def child_token(tokens: TokenCreator, ttl: str = "1h") -> tuple[str, str]:
    """A new root-policy token and its accessor (pass ``hvac_client.auth.token``), so that a run's requests can
    be told from everyone else's."""
    auth = tokens.create(policies=["root"], ttl=ttl)["auth"]
    return auth["client_token"], auth["accessor"]
