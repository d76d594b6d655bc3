# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fault-injection HTTP proxy for the lab: stands between a client and Vault and, by rule, breaks requests.

    python lab/faults/proxy.py --listen 127.0.0.1:19360 --upstream 127.0.0.1:19310 \\
        --rules rules.json --stats stats.json

Standard library only (asyncio). Every request is read whole, matched against the rules (first match wins;
no match: ``pass``) and given one action, drawn from the rule's weights by a random generator seeded with
``seed`` and the rule's index, so that the same requests in the same order meet the same faults:

    pass           forward to Vault, hand back its answer
    reset_before   reset the connection (TCP RST) before forwarding: Vault never sees the request
    reset_after    forward, let Vault answer, then reset instead of handing the answer back
    503_before     answer 503 (a body that is not "sealed") without forwarding
    sealed_before  answer 503 ``{"errors": ["Vault is sealed"]}`` without forwarding (as a sealed node does)
    503_after      forward, let Vault answer, then answer 503 instead
    stall          forward, let Vault answer, hold the answer ``stall_seconds`` (default 5), then hand it back
                   (a client with a shorter timeout has given up by then)

503 answers carry ``Retry-After: <retry_after>`` when the rule sets ``retry_after``.

Rules (a JSON file, or ``PUT /_faults/rules`` with the same JSON: replaces the rules and clears the counts)::

    {"seed": 7,
     "rules": [{"path": "/creds/", "methods": ["GET", "POST"],
                "actions": {"pass": 3, "reset_after": 1, "503_after": 1},
                "stall_seconds": 5, "retry_after": "1"}]}

``path`` is a regular expression searched in the request path (with its query); ``methods`` is optional.
``GET /_faults/stats`` answers (and ``--stats`` keeps) what the proxy did: the number of requests, the count
of each action, and one entry per request (``seq``, ``method``, ``path``, ``action``, ``upstream``: the
status Vault answered, or null when it was not asked). ``POST /_faults/reset`` clears the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

ACTIONS = ("pass", "reset_before", "reset_after", "503_before", "sealed_before", "503_after", "stall")
CONTROL = "/_faults/"
MAX_HEAD = 64 * 1024
UPSTREAM_TIMEOUT = 120.0


@dataclass
class Rule:
    pattern: re.Pattern[str]
    methods: frozenset[str] | None
    weights: list[tuple[str, float]]
    rng: random.Random
    stall_seconds: float = 5.0
    retry_after: str | None = None

    def draw(self) -> str:
        names = [name for name, _ in self.weights]
        return self.rng.choices(names, weights=[weight for _, weight in self.weights])[0]


def parse_rules(spec: t.Mapping[str, t.Any]) -> list[Rule]:
    """Rules from their JSON form; a bad rule is an error naming it."""
    seed = spec.get("seed", 0)
    rules: list[Rule] = []
    for index, raw in enumerate(spec.get("rules") or []):
        actions = raw.get("actions") or {}
        unknown = sorted(set(actions) - set(ACTIONS))
        if unknown or not actions:
            raise ValueError(f"rule {index}: actions must be a non-empty map of {', '.join(ACTIONS)}; got {unknown}")
        methods = raw.get("methods")
        rules.append(
            Rule(
                pattern=re.compile(raw.get("path", "")),
                methods=frozenset(m.upper() for m in methods) if methods else None,
                weights=[(name, float(weight)) for name, weight in actions.items()],
                rng=random.Random(f"{seed}:{index}"),  # noqa: S311 - a reproducible schedule, not a secret
                stall_seconds=float(raw.get("stall_seconds", 5)),
                retry_after=None if raw.get("retry_after") is None else str(raw["retry_after"]),
            )
        )
    return rules


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def upstream_bytes(self) -> bytes:
        """The request as sent to Vault: one request a connection (``Connection: close``)."""
        lines = [f"{self.method} {self.target} {self.version}"]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() not in ("connection", "keep-alive")]
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass
class Proxy:
    upstream: tuple[str, int]
    rules: list[Rule]
    stats_file: Path | None = None
    seq: int = 0
    counts: collections.Counter[str] = field(default_factory=collections.Counter)
    log: list[dict[str, t.Any]] = field(default_factory=list)

    # --- bookkeeping ---------------------------------------------------------------------------

    def stats(self) -> dict[str, t.Any]:
        return {"requests": self.seq, "actions": dict(self.counts), "log": self.log}

    def reset(self) -> None:
        self.seq = 0
        self.counts.clear()
        self.log = []
        self.save()

    def save(self) -> None:
        if self.stats_file is None:
            return
        tmp = self.stats_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.stats()))
        tmp.replace(self.stats_file)

    def record(self, request: Request, action: str, upstream: int | None) -> None:
        self.seq += 1
        self.counts[action] += 1
        self.log.append(
            {"seq": self.seq, "method": request.method, "path": request.target, "action": action, "upstream": upstream}
        )
        self.save()

    def choose(self, request: Request) -> tuple[str, Rule | None]:
        for rule in self.rules:
            if rule.methods is not None and request.method not in rule.methods:
                continue
            if rule.pattern.search(request.target):
                return rule.draw(), rule
        return "pass", None

    # --- HTTP ----------------------------------------------------------------------------------

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                if request.target.startswith(CONTROL):
                    await self.control(request, writer)
                    continue
                if not await self.handle(request, writer):
                    return
                if (request.header("Connection") or "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        with contextlib.suppress(Exception):
            writer.close()

    async def handle(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        """One request; ``False`` when the client's connection was reset."""
        action, rule = self.choose(request)
        retry_after = rule.retry_after if rule else None
        if action == "reset_before":
            self.record(request, action, None)
            reset(writer)
            return False
        if action in ("503_before", "sealed_before"):
            self.record(request, action, None)
            message = "Vault is sealed" if action == "sealed_before" else "injected fault: service unavailable"
            await answer(writer, 503, {"errors": [message]}, retry_after)
            return True
        try:
            status, response = await self.forward(request)
        except (OSError, asyncio.TimeoutError) as exc:
            self.record(request, f"{action}:upstream-failed", None)
            await answer(writer, 502, {"errors": [f"fault proxy: upstream failed: {exc}"]}, None)
            return True
        self.record(request, action, status)
        if action == "reset_after":
            reset(writer)
            return False
        if action == "503_after":
            await answer(writer, 503, {"errors": ["injected fault: service unavailable"]}, retry_after)
            return True
        if action == "stall":
            await asyncio.sleep(rule.stall_seconds if rule else 5.0)
        # Vault's answer as it came (it says ``Connection: close``: the client opens a new connection next)
        writer.write(response)
        await writer.drain()
        return True

    async def forward(self, request: Request) -> tuple[int, bytes]:
        """Send the request to Vault on a connection of its own; its whole answer (Vault closes after it)."""
        up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(*self.upstream), 10)
        try:
            up_writer.write(request.upstream_bytes())
            await up_writer.drain()
            data = await asyncio.wait_for(up_reader.read(-1), UPSTREAM_TIMEOUT)
        finally:
            up_writer.close()
        match = re.match(rb"HTTP/\d\.\d (\d{3})", data)
        if not match:
            raise OSError(f"not an HTTP answer: {data[:60]!r}")
        return int(match.group(1)), data

    async def control(self, request: Request, writer: asyncio.StreamWriter) -> None:
        path = request.target.split("?", 1)[0]
        if path == "/_faults/stats" and request.method == "GET":
            await answer(writer, 200, self.stats(), None)
        elif path == "/_faults/reset" and request.method == "POST":
            self.reset()
            await answer(writer, 200, {"reset": True}, None)
        elif path == "/_faults/rules" and request.method in ("PUT", "POST"):
            try:
                self.rules = parse_rules(json.loads(request.body or b"{}"))
            except (ValueError, re.error) as exc:
                await answer(writer, 400, {"errors": [str(exc)]}, None)
                return
            self.reset()
            await answer(writer, 200, {"rules": len(self.rules)}, None)
        else:
            await answer(writer, 404, {"errors": [f"no control endpoint {request.method} {path}"]}, None)


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise
        return None
    except asyncio.LimitOverrunError as exc:
        raise ValueError("request head too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
    request = Request(method.upper(), target, version, t.cast("list[tuple[str, str]]", headers), b"")
    if (request.header("Transfer-Encoding") or "").lower() == "chunked":
        raise ValueError("chunked request bodies are not supported")
    length = int(request.header("Content-Length") or 0)
    if length:
        request.body = await reader.readexactly(length)
    return request


async def answer(writer: asyncio.StreamWriter, status: int, body: t.Any, retry_after: str | None) -> None:
    data = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 502: "Bad Gateway", 503: "Service Unavailable"}
    head = [
        f"HTTP/1.1 {status} {reason.get(status, 'Status')}",
        "Content-Type: application/json",
        f"Content-Length: {len(data)}",
        "Connection: close",
    ]
    if retry_after is not None:
        head.append(f"Retry-After: {retry_after}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
    await writer.drain()
    writer.close()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashed load balancer or a cut connection does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--listen", required=True, help="HOST:PORT to listen on")
    parser.add_argument("--upstream", required=True, help="HOST:PORT of Vault")
    parser.add_argument("--rules", help="JSON rules file (default: no faults)")
    parser.add_argument("--stats", help="file to keep the counts in (rewritten after every request)")
    parser.add_argument("--pid-file", help="write this process's PID here")
    args = parser.parse_args(argv)
    spec = json.loads(Path(args.rules).read_text()) if args.rules else {}
    proxy = Proxy(address(args.upstream), parse_rules(spec), Path(args.stats) if args.stats else None)
    proxy.save()
    host, port = address(args.listen)
    server = await asyncio.start_server(proxy.serve, host, port, reuse_address=True)
    if args.pid_file:
        Path(args.pid_file).write_text(f"{os.getpid()}\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"fault proxy on {host}:{port} -> {args.upstream}", file=sys.stderr, flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
