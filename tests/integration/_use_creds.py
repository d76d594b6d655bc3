# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The first use of a credential, as a deploy would use it, written apart from the collection's proofs.

    python _use_creds.py ENGINE CLOUD_ENDPOINT [TENANT_ID]  < credential.json

One call with the credential read from stdin: AWS STS GetCallerIdentity (boto3, through the fake's AWS
proxy at CLOUD_ENDPOINT), an Azure client-credentials token, a GCP JWT-bearer token for a key, AliCloud STS
GetCallerIdentity. HTTPS goes through HTTPS_PROXY with the CA in REQUESTS_CA_BUNDLE (the lab's fake).
Prints one JSON line ``{"ok": bool, "detail": "..."}`` (never the secret) and exits 0.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import sys
import time
import typing as t
import urllib.parse
import uuid

import requests


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def aws(creds: dict[str, t.Any], endpoint: str) -> tuple[bool, str]:
    import boto3
    import botocore.exceptions

    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=creds["access_key"],
        aws_secret_access_key=creds["secret_key"],
        aws_session_token=creds.get("security_token") or None,
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )
    try:
        return True, sts.get_caller_identity()["Arn"]
    except botocore.exceptions.ClientError as exc:
        return False, exc.response["Error"]["Code"]


def azure(creds: dict[str, t.Any], tenant: str) -> tuple[bool, str]:
    resp = requests.post(
        f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "scope": "https://management.azure.com/.default",
        },
        timeout=10,
    )
    body = resp.json()
    return resp.status_code == 200, str(body.get("error_description", "token"))[:40]


def gcp(creds: dict[str, t.Any]) -> tuple[bool, str]:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key_file = json.loads(base64.b64decode(creds["private_key_data"]))
    now = int(time.time())
    head = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": key_file["private_key_id"]}).encode())
    claims = {
        "iss": key_file["client_email"],
        "scope": "https://www.googleapis.com/auth/cloud-platform",
        "aud": key_file["token_uri"],
        "iat": now,
        "exp": now + 600,
    }
    body = b64url(json.dumps(claims).encode())
    key = serialization.load_pem_private_key(key_file["private_key"].encode(), password=None)
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    resp = requests.post(
        key_file["token_uri"],
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": f"{head}.{body}.{b64url(signature)}",
        },
        timeout=10,
    )
    answer = resp.json()
    return resp.status_code == 200, str(answer.get("error_description", "token"))


def alicloud(creds: dict[str, t.Any]) -> tuple[bool, str]:
    params = {
        "Action": "GetCallerIdentity",
        "Version": "2015-04-01",
        "Format": "JSON",
        "AccessKeyId": creds["access_key"],
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }

    def enc(text: str) -> str:
        return urllib.parse.quote(text, safe="-_.~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"GET&%2F&{enc(canonical)}"
    digest = hmac.new(f"{creds['secret_key']}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    params["Signature"] = base64.b64encode(digest).decode()
    resp = requests.get("https://sts.aliyuncs.com/", params=params, timeout=10)
    answer = resp.json()
    return resp.status_code == 200, str(answer.get("Code") or answer.get("Arn"))


def main(argv: list[str]) -> int:
    engine, endpoint = argv[1], argv[2]
    creds = json.load(sys.stdin)
    if engine == "aws":
        ok, detail = aws(creds, endpoint)
    elif engine == "azure":
        ok, detail = azure(creds, argv[3])
    elif engine == "gcp":
        ok, detail = gcp(creds)
    else:
        ok, detail = alicloud(creds)
    print(json.dumps({"ok": ok, "detail": detail}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
