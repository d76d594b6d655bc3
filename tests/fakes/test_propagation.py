# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fake's propagation model on its own: the control API and the AWS proxy in front of an upstream.

The upstream here is a small recording HTTP server standing in for moto, so that what reaches it (and what
does not) is seen directly. The other clouds' refusals are exercised live by tests/integration/test_proofs.py.
"""

from __future__ import annotations

import http.server
import sys
import threading
import time
import typing as t
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from integration._helpers import env_without, free_port, start_process, stop_process, wait_ready

FAKE_SCRIPT = REPO / "lab" / "fakes" / "cloud.py"
PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "ssl_cert_file", "ssl_cert_dir"}
NEW_KEY = "AKIANEWKEY0000000001"
CREATED = (
    "<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>u</UserName>"
    f"<AccessKeyId>{NEW_KEY}</AccessKeyId><Status>Active</Status><SecretAccessKey>s</SecretAccessKey>"
    "</AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>"
)


def signed(key: str, service: str = "sts") -> dict[str, str]:
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20261130/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc",
        "X-Amz-Date": "20261130T120000Z",
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    }


class Upstream(http.server.ThreadingHTTPServer):
    """Answers CreateAccessKey with NEW_KEY and anything else with 200; records (host header, body)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                outer.seen.append((self.headers.get("Host") or "", body))
                answer = (CREATED if "Action=CreateAccessKey" in body else "<ok/>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: t.Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[tuple[str, Upstream]]:
    upstream = Upstream()
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    base = tmp_path_factory.mktemp("fake-propagation")
    port = free_port()
    env = env_without(names=PROXY_VARS)
    env.update(
        VAULTOPS_FAKE_AWS_UPSTREAM=f"http://127.0.0.1:{upstream.server_address[1]}",
        VAULTOPS_LAB_PROPAGATION_DELAY="2.5",
    )
    log = base / "fake.log"
    proc = start_process(
        [sys.executable, str(FAKE_SCRIPT), "--port", str(port), "--state-dir", str(base / "s")], log, env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(
            "the fake",
            lambda: requests.get(f"{url}/_fake/health", timeout=2).ok,
            proc,
            log,
            errors=(requests.RequestException,),
        )
        yield url, upstream
    finally:
        stop_process(proc)
        upstream.shutdown()


def test_control_api_reads_and_sets_the_delay(fake: tuple[str, Upstream]) -> None:
    url, _proxy = fake
    assert requests.get(f"{url}/_fake/propagation", timeout=5).json()["seconds"] == 2.5  # from the environment
    assert requests.post(f"{url}/_fake/propagation", json={"seconds": -1}, timeout=5).status_code == 400
    assert requests.post(f"{url}/_fake/propagation", json={"seconds": "3"}, timeout=5).status_code == 400
    assert requests.get(f"{url}/_fake/propagation", timeout=5).json()["seconds"] == 2.5  # refused: unchanged


def test_a_new_aws_key_is_refused_until_the_delay_has_passed(fake: tuple[str, Upstream]) -> None:
    url, upstream = fake
    host = url.removeprefix("http://")
    made = requests.post(url, data="Action=CreateAccessKey&UserName=u", headers=signed("AKIAROOT", "iam"), timeout=5)
    assert made.status_code == 200 and NEW_KEY in made.text
    # the request reached the upstream unchanged, Host header included (moto checks the signature with it)
    assert upstream.seen[-1] == (host, "Action=CreateAccessKey&UserName=u")
    count = len(upstream.seen)

    early = requests.post(url, data="Action=GetCallerIdentity", headers=signed(NEW_KEY), timeout=5)
    assert early.status_code == 403
    assert "<Code>InvalidClientTokenId</Code>" in early.text
    assert "The security token included in the request is invalid." in early.text
    assert len(upstream.seen) == count, "a refused request must not reach moto"
    # another key (the root's) is not held back
    assert requests.post(url, data="Action=GetCallerIdentity", headers=signed("AKIAROOT"), timeout=5).status_code == 200

    state = requests.get(f"{url}/_fake/propagation", timeout=5).json()
    assert NEW_KEY in state["aws"]["keys"]
    assert state["aws"]["refused"] >= 1

    time.sleep(2.6)
    late = requests.post(url, data="Action=GetCallerIdentity", headers=signed(NEW_KEY), timeout=5)
    assert late.status_code == 200
    assert upstream.seen[-1] == (host, "Action=GetCallerIdentity")


def test_a_delay_of_zero_holds_nothing_back(fake: tuple[str, Upstream]) -> None:
    url, _proxy = fake
    assert requests.post(f"{url}/_fake/propagation", json={"seconds": 0}, timeout=5).json()["seconds"] == 0
    requests.post(url, data="Action=CreateAccessKey&UserName=u", headers=signed("AKIAROOT", "iam"), timeout=5)
    assert requests.post(url, data="Action=GetCallerIdentity", headers=signed(NEW_KEY), timeout=5).status_code == 200
