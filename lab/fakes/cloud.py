"""The lab's fake clouds: one local server that the GCP, Azure and AliCloud secrets-engine plugins talk to.

    python lab/fakes/cloud.py --port PORT --state-dir DIR [--verbose]

It listens on 127.0.0.1:PORT only and is at once

* an HTTPS proxy: ``CONNECT host:443`` gets ``200``, then the fake terminates TLS with a certificate for that
  host signed by its own CA (``DIR/ca.pem``) and answers the HTTP/1.1 requests inside (keep-alive) as the
  cloud named by the Host would: Google (oauth2, iam, iamcredentials, cloudresourcemanager), Azure
  (login.microsoftonline.com, graph.microsoft.com, management.azure.com) and Alibaba Cloud (ram/sts.aliyuncs.com);
* a plain HTTP server for ``/gcp/token`` (the token_uri of the key files it issues) and its control API:
  ``GET /_fake/health``, ``GET /_fake/requests``, ``POST /_fake/reset``, ``GET /_fake/state``, ``GET /_fake/ids``.

Start a Vault/OpenBao server with the environment in ``DIR/ids.json`` -> ``server_env`` (HTTPS_PROXY,
NO_PROXY=127.0.0.1,localhost, SSL_CERT_FILE=DIR/ca.pem, SSL_CERT_DIR=) so that its plugins reach the fake.
The engines' root credentials are in ``DIR/gcp-credentials.json`` and ``DIR/ids.json``; both, and the CA,
are kept across restarts with the same DIR. Cloud resources themselves live in memory only.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cloudfake.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    parser.add_argument("--state-dir", type=Path, required=True, help="folder for the CA, keys and ids (0700)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error("--port must be 1-65535")

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        serve(args.state_dir, args.port, verbose=args.verbose)
    except KeyboardInterrupt:
        return 0
    except SystemExit as exc:
        return 0 if exc.code in (0, 128 + signal.SIGTERM) else int(exc.code or 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
