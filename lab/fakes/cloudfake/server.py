"""The HTTP server: an HTTPS proxy that terminates TLS for CONNECT tunnels, plus the fake's own plain-HTTP routes."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import ssl
import sys
import threading
import traceback
import typing as t
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .alicloud import AliCloudFake
from .aws import AwsProxy
from .azure import AzureFake
from .core import Propagation, Request, RequestLog, Response, Service, TokenSigner, decode_body
from .gcp import GcpFake
from .pki import Authority, private_dir, write_private

HOST = "127.0.0.1"
IDLE_TIMEOUT = 120.0  # seconds a keep-alive connection may sit idle
MAX_BODY = 16 * 1024 * 1024


def read_json(path: Path) -> dict[str, t.Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class FakeCloud:
    """All fake services, their shared lock, the request log and the files in the state folder."""

    def __init__(self, state_dir: Path, port: int) -> None:
        self.state_dir = private_dir(state_dir.resolve())
        self.port = port
        self.base_url = f"http://{HOST}:{port}"
        self.lock = threading.RLock()
        self.log = RequestLog()
        self.authority = Authority(self.state_dir)
        saved = read_json(self.state_dir / "ids.json") or {}
        signer = TokenSigner(self._token_key())
        self.gcp = GcpFake(f"{self.base_url}/gcp/token", signer)
        self.azure = AzureFake(signer)
        self.alicloud = AliCloudFake()
        self.services: list[Service] = [self.gcp, self.azure, self.alicloud]
        gcp_creds = self.gcp.seed(read_json(self.state_dir / "gcp-credentials.json"))
        azure_ids = self.azure.seed(saved.get("azure"))
        alicloud_ids = self.alicloud.seed(saved.get("alicloud"))
        # after the seeding: the root identities are never held back
        self.propagation = Propagation(float(os.environ.get("VAULTOPS_LAB_PROPAGATION_DELAY") or 0))
        for service in self.services:
            service.propagation = self.propagation  # type: ignore[attr-defined]
        upstream = os.environ.get("VAULTOPS_FAKE_AWS_UPSTREAM")
        self.aws = AwsProxy(upstream, self.propagation) if upstream else None
        self.ids: dict[str, t.Any] = {
            "proxy": self.base_url,
            "ca_file": str(self.authority.ca_path),
            "server_env": self.server_env(),
            "gcp": {
                "project_id": self.gcp.project_id,
                "project_number": self.gcp.project_number,
                "client_email": self.gcp.root_email,
                "credentials_file": str(self.state_dir / "gcp-credentials.json"),
                "static_account_email": self.gcp.static_email,
                "token_uri": self.gcp.token_uri,
                "project_resource": f"//cloudresourcemanager.googleapis.com/projects/{self.gcp.project_id}",
            },
            "azure": azure_ids,
            "alicloud": alicloud_ids,
        }
        write_private(self.state_dir / "gcp-credentials.json", json.dumps(gcp_creds, indent=2) + "\n")
        write_private(self.state_dir / "ids.json", json.dumps(self.ids, indent=2) + "\n")

    def _token_key(self) -> bytes:
        path = self.state_dir / "token-key"
        try:
            key = bytes.fromhex(path.read_text().strip())
        except (OSError, ValueError):
            key = b""
        if len(key) < 32:
            key = secrets.token_bytes(32)
            write_private(path, key.hex() + "\n")
        return key

    def server_env(self) -> dict[str, str]:
        """The environment a Vault/OpenBao server needs so that its plugins' HTTPS calls reach this fake."""
        return {
            "HTTPS_PROXY": self.base_url,
            "NO_PROXY": "127.0.0.1,localhost",
            "SSL_CERT_FILE": str(self.authority.ca_path),
            "SSL_CERT_DIR": "",
        }

    def service_for(self, host: str) -> Service | None:
        return next((s for s in self.services if s.owns(host)), None)

    def dispatch(self, req: Request) -> Response:
        service = self.service_for(req.host)
        if service is None:
            return Response.json(404, {"error": f"the fake cloud has no service for host {req.host!r}"})
        with self.lock:
            return service.handle(req)

    def local(self, req: Request) -> Response:  # noqa: PLR0911 - a router
        """Plain-HTTP requests to the fake itself."""
        path = req.path
        if path == "/_fake/health" and req.method in ("GET", "HEAD"):
            return Response.json(200, {"status": "ok", "port": self.port})
        if path == "/_fake/requests" and req.method == "GET":
            entries = self.log.entries()
            host = req.arg("host")
            if host:
                entries = [e for e in entries if e["host"] == host]
            return Response.json(200, entries)
        if path == "/_fake/reset" and req.method == "POST":
            return Response.json(200, {"cleared": self.log.clear()})
        if path == "/_fake/state" and req.method == "GET":
            with self.lock:
                return Response.json(200, {s.name: s.snapshot() for s in self.services})
        if path == "/_fake/ids" and req.method == "GET":
            return Response.json(200, self.ids)
        if path == "/_fake/propagation":
            return self._propagation(req)
        if self.aws is not None and self.aws.signed(req):
            return self.aws.handle(req)
        if path.startswith("/gcp/"):
            with self.lock:
                answer = self.gcp.handle_local(req, path.removeprefix("/gcp"))
            if answer is not None:
                return answer
        return Response.json(404, {"error": f"no route for {req.method} {path}"})

    def _propagation(self, req: Request) -> Response:
        """GET: the delay and the AWS proxy's keys; POST {"seconds": N}: set the delay (0: off)."""
        if req.method == "POST":
            seconds = (req.json() or {}).get("seconds")
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
                return Response.json(400, {"error": "seconds must be a number >= 0"})
            self.propagation.seconds = float(seconds)
        elif req.method != "GET":
            return Response.json(405, {"error": f"no route for {req.method} {req.path}"})
        return Response.json(
            200, {"seconds": self.propagation.seconds, "aws": self.aws.snapshot() if self.aws else None}
        )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vaultops-fake-cloud/1.0"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    tunnel_host: str | None = None
    server: FakeServer

    # --- plumbing --------------------------------------------------------------------------------

    def log_message(self, format: str, *args: t.Any) -> None:
        if self.server.verbose:
            where = f" [{self.tunnel_host}]" if self.tunnel_host else ""
            sys.stderr.write(f"fake-cloud{where} {self.address_string()} - {format % args}\n")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, resp: Response) -> None:
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        bodyless = resp.status in (204, 304) or resp.status < 200
        if not bodyless:
            self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if resp.body and not bodyless and self.command != "HEAD":
            self.wfile.write(resp.body)
        self.wfile.flush()

    def _build(self, scheme: str, host: str, target: str, body: bytes) -> Request:
        parts = urllib.parse.urlsplit(target)
        return Request(
            method=self.command,
            host=host,
            path=urllib.parse.unquote(parts.path or "/"),
            raw_path=target,
            query=urllib.parse.parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            scheme=scheme,
        )

    def _serve(self) -> None:
        fake = self.server.fake
        try:
            body = decode_body(self._read_body(), self.headers.get("Content-Encoding"))
        except (ValueError, OSError) as exc:
            self._send(Response.json(400, {"error": f"unreadable request body: {exc}"}))
            self.close_connection = True
            return
        target = self.path
        if self.tunnel_host is not None:
            host_header = (self.headers.get("Host") or self.tunnel_host).lower()
            host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
            req = self._build("https", host.strip("[]"), target, body)
        elif target.startswith(("http://", "https://")):
            # absolute-form: a client using the fake as a plain HTTP proxy
            parts = urllib.parse.urlsplit(target)
            rel = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
            req = self._build(parts.scheme, (parts.hostname or "").lower(), rel, body)
        else:
            req = self._build("http", (self.headers.get("Host") or f"{HOST}:{fake.port}").lower(), target, body)
            if req.path.startswith("/_fake/"):
                self._send(fake.local(req))
                return
            try:
                resp = fake.local(req)
            except Exception:
                resp = self._crash()
            fake.log.add(req, resp.status)
            self._send(resp)
            return
        try:
            resp = fake.dispatch(req)
        except Exception:
            resp = self._crash()
        fake.log.add(req, resp.status)
        self._send(resp)

    @staticmethod
    def _crash() -> Response:
        text = traceback.format_exc()
        sys.stderr.write(text)
        return Response.json(500, {"error": "the fake cloud failed on this request", "traceback": text})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    # --- CONNECT: terminate TLS and serve the tunnel ---------------------------------------------

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        if not host or not port.isdigit():
            self.send_error(400, "CONNECT needs host:port")
            return
        host = host.strip("[]").lower()
        try:
            context = self.server.fake.authority.context_for(host)
        except ValueError:
            self.send_error(400, f"cannot make a certificate for {host!r}")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        try:
            tls = context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.log_error("TLS handshake for %s failed: %s", host, exc)
            return
        try:
            TunnelHandler(tls, self.client_address, self.server, host)
        except (ssl.SSLError, OSError) as exc:
            self.log_error("tunnel to %s ended: %s", host, exc)
        finally:
            with contextlib.suppress(OSError):
                tls.close()


class TunnelHandler(Handler):
    """Serves the HTTP/1.1 requests inside one CONNECT tunnel, keep-alive included."""

    def __init__(self, request: socket.socket, client_address: t.Any, server: FakeServer, host: str) -> None:
        self.tunnel_host = host
        super().__init__(request, client_address, server)

    def do_CONNECT(self) -> None:
        self.send_error(405, "CONNECT inside a tunnel")


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, fake: FakeCloud, *, verbose: bool = False) -> None:
        self.fake = fake
        self.verbose = verbose
        super().__init__((HOST, fake.port), Handler)

    def handle_error(self, request: t.Any, client_address: t.Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def serve(state_dir: Path, port: int, *, verbose: bool = False) -> None:
    fake = FakeCloud(state_dir, port)
    server = FakeServer(fake, verbose=verbose)
    print(
        f"fake cloud on {fake.base_url} (HTTPS proxy + control API); state in {fake.state_dir}; pid {os.getpid()}",
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
