"""Scaffolding shared by the integration tests (``tests/integration``) and the fake-cloud tests (``tests/fakes``),
each piece once: HTTP with JSON answers, the fake clouds' control API, leak assertions, AliCloud's HMAC
signature and JWT parts, the creds lookup as a template, reading Vault back with hvac, ports and processes.

No fixtures here (they live in ``conftest.py``), so that ``tests/fakes`` can import it too.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import time
import typing as t
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import hvac
import pytest

# ports the tests may use for servers of their own (a sealed server, the fakes' own fake and server) or as a
# closed port; VAULTOPS_IT_SPARE_PORTS moves them (two checkouts on one machine)
SPARE_PORTS = range(*(int(p) for p in os.environ.get("VAULTOPS_IT_SPARE_PORTS", "18240-18258").split("-")))


# --- HTTP and the fake clouds ----------------------------------------------------------------------


def http_json(url: str, data: bytes | None = None, proxy: str | None = None) -> tuple[int, t.Any]:
    """GET ``url`` (POST a form when ``data`` is given), optionally through a plain HTTP proxy: (status, JSON)."""
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy} if proxy else {}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


@dataclass
class FakeCloud:
    """The control API of the lab's fake clouds (lab/fakes/README.md)."""

    endpoint: str

    def state(self) -> dict[str, t.Any]:
        """Everything the fake holds, by cloud (``gcp``, ``azure``, ``alicloud``)."""
        status, body = http_json(f"{self.endpoint}/_fake/state")
        assert status == 200, body
        return t.cast("dict[str, t.Any]", body)

    def requests(self, after: int = 0, host: str | None = None) -> list[dict[str, t.Any]]:
        """Cloud requests logged after sequence number ``after`` (only those to ``host``, if given)."""
        query = f"?{urllib.parse.urlencode({'host': host})}" if host else ""
        status, body = http_json(f"{self.endpoint}/_fake/requests{query}")
        assert status == 200, body
        return [entry for entry in body if entry["seq"] > after]

    def mark(self) -> int:
        """The sequence number of the last request so far (read the log later with ``requests(after=...)``)."""
        return max((entry["seq"] for entry in self.requests()), default=0)

    def reset(self) -> int:
        """Clear the request log; how many entries it held."""
        status, body = http_json(f"{self.endpoint}/_fake/reset", b"")
        assert status == 200, body
        return int(body["cleared"])

    def calls(self, after: int, hosts: t.Container[str], what: str = "path") -> list[str]:
        """``METHOD host <what>`` of the calls to ``hosts`` after ``after`` (``what``: ``path`` or ``query``)."""
        return [f"{e['method']} {e['host']} {e.get(what)}" for e in self.requests(after) if e["host"] in hosts]


def assert_no_leak(run: t.Any, leaks: t.Mapping[str, str]) -> None:
    """None of ``leaks`` (what: value) appears in the run's stdout or stderr; an empty value proves nothing."""
    for what, value in leaks.items():
        assert value, f"{what} is empty: the scan would prove nothing"
        assert value not in run.stdout, f"{what} appears in stdout"
        assert value not in run.stderr, f"{what} appears in stderr"


def percent(text: str) -> str:
    """RFC 3986 percent-encoding, as AliCloud's signature wants it."""
    return urllib.parse.quote(text, safe="-_.~")


def alicloud_signed(params: t.Mapping[str, str], secret_key: str, method: str = "POST") -> dict[str, str]:
    """``params`` with the ``Signature`` of an AliCloud RPC call (HMAC-SHA1, signature version 1.0)."""
    canonical = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&%2F&{percent(canonical)}"
    digest = hmac.new(f"{secret_key}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return {**params, "Signature": base64.b64encode(digest).decode()}


def b64url(data: bytes) -> str:
    """Base64url without padding, as JSON Web Tokens encode their parts."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_segment(value: t.Mapping[str, t.Any]) -> str:
    """A JWT header or claims part."""
    return b64url(json.dumps(value).encode())


def jwt_claims(token: str) -> dict[str, t.Any]:
    """The claims of a JWT, not verified."""
    payload = token.split(".")[1]
    return t.cast("dict[str, t.Any]", json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


# --- Vault and the creds lookup ------------------------------------------------------------------------


def vault_read(vault: hvac.Client, path: str) -> dict[str, t.Any] | None:
    """The ``data`` at ``path`` read with hvac on the root token, or ``None`` when nothing is there."""
    try:
        response = vault.read(path)
    except hvac.exceptions.InvalidPath:
        return None
    return None if response is None else t.cast("dict[str, t.Any]", response["data"])


def creds_lookup(role: str, engine: str, mount: str, **options: str) -> str:
    """The template of one creds lookup for ``role`` at ``mount``, with its options."""
    args = "".join(f", {name}={value!r}" for name, value in options.items())
    return "{{ lookup('vaultops.cloud.creds', " + repr(role) + f", engine={engine!r}, mount_point={mount!r}{args}) }}}}"


def lab_values(env: t.Mapping[str, str], names: t.Mapping[str, str]) -> dict[str, str]:
    """``{key: env[NAME]}`` for ``names`` (key: NAME), failing when ``scripts/lab env`` printed one of them not."""
    missing = sorted(name for name in names.values() if name not in env)
    assert not missing, f"scripts/lab env printed no {missing}"
    return {key: env[name] for key, name in names.items()}


# --- ports and processes ----------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(pair: bool = False, skip: t.Iterable[int] = ()) -> int:
    """A closed port of SPARE_PORTS (with ``pair``, also the next one free: a dev server's cluster port)."""
    taken = set(skip)
    for port in SPARE_PORTS:
        if port in taken or (pair and (port + 1 not in SPARE_PORTS or port + 1 in taken)):
            continue
        if port_free(port) and (not pair or port_free(port + 1)):
            return port
    pytest.fail(f"no free port in {SPARE_PORTS.start}-{SPARE_PORTS.stop - 1}")


def env_without(*prefixes: str, names: t.Container[str] = ()) -> dict[str, str]:
    """This process's environment without the variables that start with ``prefixes`` or are in ``names``
    (compared in lower case)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes) and k.lower() not in names}


def start_process(cmd: list[str], log: Path, env: t.Mapping[str, str]) -> subprocess.Popen[bytes]:
    """A server of the tests' own, leading its own process group, its output appended to ``log``."""
    with log.open("ab") as handle:
        return subprocess.Popen(
            cmd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env),
            start_new_session=True,
        )


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop a process started here, and its process group (the plugins of a server), by its PID."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
    else:
        # the leader is gone; its group (plugins) may not be
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def wait_ready(
    what: str,
    probe: t.Callable[[], bool],
    proc: subprocess.Popen[bytes],
    log: Path,
    *,
    timeout: float = 30,
    errors: tuple[type[BaseException], ...] = (OSError,),
) -> None:
    """Until ``probe()`` holds; fails with the log's tail when the process exits or ``timeout`` passes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(*errors):
            if probe():
                return
        time.sleep(0.1)
    pytest.fail(f"{what} was not ready in {timeout:.0f}s:\n{log.read_text(errors='replace')[-3000:]}")


def wait_until(probe: t.Callable[[], bool], attempts: int = 50, delay: float = 0.2) -> bool:
    """Poll a condition a bounded number of times (eventual consistency in moto and Vault's expiry)."""
    for _attempt in range(attempts):
        if probe():
            return True
        time.sleep(delay)
    return probe()
