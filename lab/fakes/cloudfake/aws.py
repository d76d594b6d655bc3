"""AWS: a thin proxy in front of moto that models the propagation of new IAM access keys.

Plain-HTTP requests to the fake that carry an AWS Signature V4 are passed to moto unchanged (the Host header
too, so that moto's signature check sees what the client signed). The proxy notes the access keys that
``CreateAccessKey`` answers return; while one of them is younger than the propagation delay, a request
signed with it is refused as AWS refuses it: ``403 InvalidClientTokenId``, in the Query API's XML error shape.
moto itself never sees the refused request.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
import typing as t
import urllib.parse
import uuid

from .core import Propagation, Request, Response

CREDENTIAL_RE = re.compile(r"Credential=([A-Z0-9]+)/")
CREATED_KEY_RE = re.compile(rb"<AccessKeyId>([A-Z0-9]+)</AccessKeyId>")
# not forwarded: hop-by-hop headers, and the ones http.client sets from the body it sends
DROP = {
    "server",
    "date",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "content-length",
    "content-encoding",
}
REFUSAL = (
    '<ErrorResponse xmlns="https://{service}.amazonaws.com/doc/{version}/"><Error><Type>Sender</Type>'
    "<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>"
    "</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
)
VERSIONS = {"sts": "2011-06-15", "iam": "2010-05-08"}


class AwsProxy:
    """Forwards signed AWS requests to moto at ``upstream``; refuses keys younger than the propagation delay."""

    def __init__(self, upstream: str, propagation: Propagation) -> None:
        parts = urllib.parse.urlsplit(upstream)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.propagation = propagation
        self.born: dict[str, float] = {}  # access key id -> when CreateAccessKey answered it
        self.refused = 0
        self.lock = threading.Lock()

    @staticmethod
    def signed(req: Request) -> bool:
        return (req.header("authorization") or "").startswith("AWS4-HMAC-SHA256 ")

    def handle(self, req: Request) -> Response:
        match = CREDENTIAL_RE.search(req.header("authorization") or "")
        key_id = match.group(1) if match else ""
        with self.lock:
            born = self.born.get(key_id)
        if born is not None and self.propagation.pending(born):
            with self.lock:
                self.refused += 1
            scope = (req.header("authorization") or "").split("/")
            service = scope[3] if len(scope) > 3 and scope[3] in VERSIONS else "sts"
            body = REFUSAL.format(service=service, version=VERSIONS[service], request_id=uuid.uuid4())
            return Response(403, body.encode(), {"Content-Type": "text/xml"})
        status, headers, body = self._forward(req)
        if status == 200 and b"<CreateAccessKeyResult>" in body:
            created = CREATED_KEY_RE.search(body)
            if created:
                with self.lock:
                    self.born[created.group(1).decode()] = time.time()
        return Response(status, body, headers)

    def _forward(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.putrequest(req.method, req.raw_path, skip_host=True, skip_accept_encoding=True)
            for name, value in req.headers.items():
                if name not in DROP:
                    conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(req.body)))
            conn.endheaders(req.body)
            answer = conn.getresponse()
            body = answer.read()
            headers = {k: v for k, v in answer.getheaders() if k.lower() not in DROP}
            return answer.status, headers, body
        except OSError as exc:
            text = f"the fake's AWS proxy cannot reach moto at {self.host}:{self.port}: {exc}"
            return 502, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()
        finally:
            conn.close()

    def snapshot(self) -> dict[str, t.Any]:
        with self.lock:
            return {"keys": dict(self.born), "refused": self.refused}
