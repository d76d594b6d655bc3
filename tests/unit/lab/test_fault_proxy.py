"""The lab's fault-injection proxy (lab/faults/proxy.py): each action as a client sees it, and how often the
upstream was asked; the seeded schedule; the control endpoints. The proxy runs in a thread of its own in front
of a tiny HTTP server that counts what reaches it."""

from __future__ import annotations

import asyncio
import http.server
import importlib.util
import json
import sys
import threading
import time
import typing as t
from pathlib import Path

import pytest
import requests

from ansible_collections.vaultops.cloud.plugins.module_utils._client import never_sent

PROXY_FILE = Path(__file__).resolve().parents[3] / "lab" / "faults" / "proxy.py"
_spec = importlib.util.spec_from_file_location("fault_proxy", PROXY_FILE)
assert _spec is not None and _spec.loader is not None
proxy_mod = importlib.util.module_from_spec(_spec)
sys.modules["fault_proxy"] = proxy_mod  # dataclasses look their module up
_spec.loader.exec_module(proxy_mod)


class Upstream(http.server.BaseHTTPRequestHandler):
    seen: t.ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Upstream.seen.append(self.path)
        body = b'{"data": {"ok": true}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: t.Any) -> None:
        pass


class Running(t.NamedTuple):
    url: str
    proxy: t.Any


@pytest.fixture
def running() -> t.Iterator[Running]:
    Upstream.seen = []
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, args=(0.05,), daemon=True).start()
    proxy = proxy_mod.Proxy(("127.0.0.1", upstream.server_address[1]), [])
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, t.Any] = {}

    async def serve() -> None:
        stop = asyncio.Event()
        server = await asyncio.start_server(proxy.serve, "127.0.0.1", 0)
        holder["port"] = server.sockets[0].getsockname()[1]
        holder["stop"] = stop
        ready.set()
        async with server:
            await stop.wait()

    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield Running(f"http://127.0.0.1:{holder['port']}", proxy)
    finally:
        loop.call_soon_threadsafe(holder["stop"].set)
        thread.join(5)
        loop.close()
        upstream.shutdown()


def rules(running: Running, actions: dict[str, float], **extra: t.Any) -> None:
    spec = {"seed": 1, "rules": [{"path": "^/v1/", "actions": actions, **extra}]}
    answer = requests.put(f"{running.url}/_faults/rules", data=json.dumps(spec), timeout=5)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("action", "status", "upstream_asked"),
    [
        ("pass", 200, 1),
        ("reset_before", None, 0),
        ("reset_after", None, 1),
        ("503_before", 503, 0),
        ("sealed_before", 503, 0),
        ("503_after", 503, 1),
        ("stall", 200, 1),
    ],
)
def test_each_action(running: Running, action: str, status: int | None, upstream_asked: int) -> None:
    rules(running, {action: 1}, stall_seconds=0.3, retry_after="2")
    started = time.monotonic()
    if status is None:
        with pytest.raises(requests.exceptions.ConnectionError) as caught:
            requests.get(f"{running.url}/v1/aws/creds/x", timeout=5)
        # the client cannot tell a reset before from one after: never "not sent"
        assert never_sent(caught.value) is False
    else:
        answer = requests.get(f"{running.url}/v1/aws/creds/x", timeout=5)
        assert answer.status_code == status
        if status == 503:
            assert answer.headers["Retry-After"] == "2"
            sealed = "Vault is sealed" in answer.json()["errors"][0]
            assert sealed is (action == "sealed_before")
        else:
            assert answer.json() == {"data": {"ok": True}}
    if action == "stall":
        assert time.monotonic() - started >= 0.3
    assert len(Upstream.seen) == upstream_asked
    stats = requests.get(f"{running.url}/_faults/stats", timeout=5).json()
    assert stats["requests"] == 1
    assert stats["actions"] == {action: 1}
    assert stats["log"][0]["path"] == "/v1/aws/creds/x"
    assert stats["log"][0]["upstream"] == (200 if upstream_asked else None)


def test_a_path_no_rule_matches_passes(running: Running) -> None:
    rules(running, {"reset_before": 1})
    assert requests.get(f"{running.url}/elsewhere", timeout=5).status_code == 200
    assert Upstream.seen == ["/elsewhere"]


def test_the_schedule_is_seeded() -> None:
    spec = {"seed": 42, "rules": [{"path": "", "actions": {"pass": 1, "reset_after": 1, "503_after": 1}}]}

    def draws(spec: dict[str, t.Any]) -> list[str]:
        rule = proxy_mod.parse_rules(spec)[0]
        return [rule.draw() for _draw in range(40)]

    first = draws(spec)
    assert draws(spec) == first
    assert set(first) == {"pass", "reset_after", "503_after"}
    assert draws({**spec, "seed": 43}) != first


@pytest.mark.parametrize("actions", [{}, {"explode": 1}])
def test_bad_rules_are_refused(running: Running, actions: dict[str, int]) -> None:
    spec = {"rules": [{"path": "x", "actions": actions}]}
    answer = requests.put(f"{running.url}/_faults/rules", data=json.dumps(spec), timeout=5)
    assert answer.status_code == 400
    assert "actions must be" in answer.json()["errors"][0]
