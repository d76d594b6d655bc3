# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Prove that a newly issued cloud credential works before it is handed out (``wait_until_valid``).

New AWS IAM keys, Azure client secrets, AliCloud RAM keys and GCP service-account keys are eventually
consistent: the first calls with them are refused for a few seconds. One prover per cloud, behind one
interface (``Prover.prove(creds, wait) -> identity``), makes the cheapest call that needs the credential:

* AWS: STS ``GetCallerIdentity`` (botocore, imported only here and only when asked for);
* Azure: a client-credentials token request with the new secret, then optionally one ARM read of the
  subscription (``wait_subscription_id``);
* GCP: for a key, a JWT-bearer token request signed with the new key (``cryptography``); for an access
  token, ``tokeninfo``;
* AliCloud: STS ``GetCallerIdentity`` with the new key, signed as the AliCloud SDK signs (HMAC-SHA1).

``prove`` repeats the call until ``successes`` calls in a row succeed (a new key may flap) or the timeout
ends. HTTP goes through requests, which honours ``HTTPS_PROXY``/``NO_PROXY`` and ``REQUESTS_CA_BUNDLE``.
No Ansible imports.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import time
import typing as t
import urllib.parse
import uuid

from ._client import VaultOpsError
from ._compare import ValidationError
from ._vault import join_path

if t.TYPE_CHECKING:
    from ._client import VaultClient

# method, url, body, headers, timeout -> status, body
Http = t.Callable[[str, str, "bytes | None", "dict[str, str]", float], "tuple[int, bytes]"]

AZURE_LOGIN = "https://login.microsoftonline.com"
AZURE_ARM = "https://management.azure.com"
GCP_TOKENINFO = "https://oauth2.googleapis.com/tokeninfo"
GCP_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
GCP_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
ALICLOUD_STS = "https://sts.aliyuncs.com"
ENGINES_WITH_ENDPOINT = {
    "aws": "the STS endpoint",
    "azure": "the login authority (https://login.microsoftonline.com)",
    "gcp": "the tokeninfo URL for access tokens, the token URL for keys (default: the key file's token_uri)",
    "alicloud": "the STS endpoint (https://sts.aliyuncs.com)",
}


class CredentialCheckError(VaultOpsError):
    """The issued credential did not work within the wait timeout."""


class Refused(Exception):
    """The cloud refused the credential (yet): the prover tries again until the timeout."""


@dataclasses.dataclass
class WaitOptions:
    """How ``wait_until_valid`` proves a credential (the ``wait_*`` options of the module and the lookup)."""

    endpoint: str | None = None
    region: str = "us-east-1"
    successes: int = 3
    timeout: float = 60
    tenant_id: str | None = None
    subscription_id: str | None = None
    interval: float = 1.0

    @classmethod
    def from_getter(cls, get: t.Callable[[str], t.Any]) -> WaitOptions | None:
        if not get("wait_until_valid"):
            return None
        return cls(
            endpoint=get("wait_endpoint") or get("wait_sts_endpoint"),
            region=get("wait_region"),
            successes=get("wait_successes"),
            timeout=get("wait_timeout"),
            tenant_id=get("wait_tenant_id"),
            subscription_id=get("wait_subscription_id"),
        )


@dataclasses.dataclass
class Proof:
    """A proven credential: who the cloud says it is, and how long the proof took."""

    identity: str
    waited: float  # seconds from the first call to the last success
    attempts: int


def requests_http(
    method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    """One HTTP request (requests, which hvac brings); any answer is returned, a failed connection raises Refused."""
    import requests  # noqa: PLC0415 - hvac's dependency, needed only when a proof runs

    try:
        answer = requests.request(method, url, data=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise Refused(f"{url}: {exc}") from None
    return answer.status_code, answer.content


def short(body: bytes, limit: int = 300) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else f"{text[:limit]}..."


class Prover:
    """One cloud's proof: ``what`` names the call in messages; ``prove`` returns the identity or raises."""

    what = ""

    def __init__(self, http: Http = requests_http, call_timeout: float = 10) -> None:
        self.http = http
        self.call_timeout = call_timeout

    def prove(self, creds: t.Mapping[str, t.Any], wait: WaitOptions) -> str:
        raise NotImplementedError

    def _call(self, method: str, url: str, body: bytes | None = None, **headers: str) -> dict[str, t.Any]:
        status, data = self.http(
            method, url, body, {k.replace("_", "-"): v for k, v in headers.items()}, self.call_timeout
        )
        if status != 200:
            raise Refused(f"{status} {short(data)}")
        try:
            answer = json.loads(data)
        except ValueError:
            raise Refused(f"{status} but not JSON: {short(data)}") from None
        return answer if isinstance(answer, dict) else {}


class AwsProver(Prover):
    what = "STS GetCallerIdentity"

    def prove(self, creds: t.Mapping[str, t.Any], wait: WaitOptions) -> str:
        return aws_caller_identity(creds, wait.endpoint, wait.region, self.call_timeout)


def aws_caller_identity(creds: t.Mapping[str, t.Any], endpoint: str | None, region: str, timeout: float = 10) -> str:
    """STS GetCallerIdentity with the issued keys; the caller ARN. Raises on refusal."""
    try:  # botocore is only needed here, and only when asked for
        import botocore.session  # noqa: PLC0415
        from botocore.config import Config  # noqa: PLC0415
    except ImportError as exc:
        raise VaultOpsError(f"wait_until_valid needs the Python library botocore: {exc}") from None
    session = botocore.session.Session()
    client = session.create_client(
        "sts",
        region_name=region,
        endpoint_url=endpoint or None,
        aws_access_key_id=creds["access_key"],
        aws_secret_access_key=creds["secret_key"],
        aws_session_token=creds.get("security_token") or None,
        config=Config(retries={"max_attempts": 1}, connect_timeout=timeout, read_timeout=timeout),
    )
    return str(client.get_caller_identity()["Arn"])


class AzureProver(Prover):
    what = "Azure client-credentials token requests"

    def prove(self, creds: t.Mapping[str, t.Any], wait: WaitOptions) -> str:
        if not wait.tenant_id:
            raise VaultOpsError("wait_until_valid for engine=azure needs the tenant ID (wait_tenant_id)")
        login = (wait.endpoint or AZURE_LOGIN).rstrip("/")
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "scope": f"{AZURE_ARM}/.default",
            }
        ).encode()
        url = f"{login}/{urllib.parse.quote(wait.tenant_id, safe='')}/oauth2/v2.0/token"
        token = self._call("POST", url, form, Content_Type="application/x-www-form-urlencoded").get("access_token")
        if not token:
            raise Refused("the token answer has no access_token")
        if wait.subscription_id:
            sub = urllib.parse.quote(wait.subscription_id, safe="")
            self._call(
                "GET", f"{AZURE_ARM}/subscriptions/{sub}?api-version=2022-12-01", Authorization=f"Bearer {token}"
            )
        return str(creds["client_id"])


class GcpProver(Prover):
    what = "GCP token requests"

    def prove(self, creds: t.Mapping[str, t.Any], wait: WaitOptions) -> str:
        if creds.get("private_key_data"):
            return self._key(creds, wait)
        if creds.get("token"):
            url = f"{wait.endpoint or GCP_TOKENINFO}?{urllib.parse.urlencode({'access_token': creds['token']})}"
            info = self._call("GET", url)
            return str(info.get("email") or info.get("azp") or info.get("sub") or "")
        raise VaultOpsError("wait_until_valid for engine=gcp: the credential has neither a key nor a token")

    def _key(self, creds: t.Mapping[str, t.Any], wait: WaitOptions) -> str:
        try:
            key_file = json.loads(base64.b64decode(creds["private_key_data"]))
            email, key_id, pem = key_file["client_email"], key_file["private_key_id"], key_file["private_key"]
        except (ValueError, KeyError, TypeError):
            raise VaultOpsError(
                "wait_until_valid for engine=gcp proves JSON key files (key_type TYPE_GOOGLE_CREDENTIALS_FILE) only"
            ) from None
        token_uri = wait.endpoint or key_file.get("token_uri") or GCP_TOKEN_URI
        now = int(time.time())
        claims = {"iss": email, "scope": GCP_SCOPE, "aud": token_uri, "iat": now, "exp": now + 300}
        assertion = jwt_rs256({"alg": "RS256", "typ": "JWT", "kid": key_id}, claims, pem)
        form = urllib.parse.urlencode(
            {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        ).encode()
        if not self._call("POST", token_uri, form, Content_Type="application/x-www-form-urlencoded").get(
            "access_token"
        ):
            raise Refused("the token answer has no access_token")
        return str(email)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_rs256(header: dict[str, t.Any], claims: dict[str, t.Any], private_key_pem: str) -> str:
    try:  # cryptography comes with ansible-core; imported only when a GCP key is proven
        from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
        from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: PLC0415
    except ImportError as exc:
        raise VaultOpsError(f"wait_until_valid for GCP keys needs the Python library cryptography: {exc}") from None
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise VaultOpsError("wait_until_valid for engine=gcp: the key file's private key is not an RSA key")
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def alicloud_percent(text: str) -> str:
    return urllib.parse.quote(text, safe="-_.~")


def alicloud_signature(method: str, params: t.Mapping[str, str], secret: str) -> str:
    """RPC signature version 1.0: HMAC-SHA1 over the method and the sorted, percent-encoded parameters."""
    canonical = "&".join(f"{alicloud_percent(k)}={alicloud_percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&%2F&{alicloud_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliCloudProver(Prover):
    what = "AliCloud STS GetCallerIdentity"

    def prove(self, creds: t.Mapping[str, t.Any], wait: WaitOptions) -> str:
        params = {
            "Action": "GetCallerIdentity",
            "Version": "2015-04-01",
            "Format": "JSON",
            "AccessKeyId": str(creds["access_key"]),
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "RegionId": wait.region,
        }
        if creds.get("security_token"):
            params["SecurityToken"] = str(creds["security_token"])
        params["Signature"] = alicloud_signature("GET", params, str(creds["secret_key"]))
        url = f"{(wait.endpoint or ALICLOUD_STS).rstrip('/')}/?{urllib.parse.urlencode(params)}"
        answer = self._call("GET", url)
        return str(answer.get("Arn") or answer.get("UserId") or "")


PROVERS: dict[str, type[Prover]] = {
    "aws": AwsProver,
    "azure": AzureProver,
    "gcp": GcpProver,
    "alicloud": AliCloudProver,
}


def check_wait(engine: str, wait: WaitOptions | None, *, key_type: str | None = None) -> None:
    """The wait options' own rules, before any request (naming the option)."""
    if wait is None:
        return
    if wait.successes < 1:
        raise ValidationError("wait_successes", "must be at least 1")
    if wait.timeout < 0:
        raise ValidationError("wait_timeout", "must be 0 or more")
    if engine not in PROVERS:
        raise ValidationError("wait_until_valid", f"has no proof for engine={engine}")
    if engine != "azure" and (wait.tenant_id or wait.subscription_id):
        name = "wait_tenant_id" if wait.tenant_id else "wait_subscription_id"
        raise ValidationError(name, f"applies to engine=azure only, not engine={engine}")
    if engine == "gcp" and key_type == "TYPE_PKCS12_FILE":
        raise ValidationError("wait_until_valid", "proves GCP JSON key files only, not key_type=TYPE_PKCS12_FILE")


def resolve(client: VaultClient, engine: str, mount: str, wait: WaitOptions) -> WaitOptions:
    """Fill in what the proof needs from the engine: Azure's tenant from ``<mount>/config`` when not given."""
    if engine != "azure" or wait.tenant_id:
        return wait
    config = client.read(join_path(mount, "config")) or {}
    tenant = config.get("tenant_id")
    if not tenant:
        raise VaultOpsError(
            f"wait_until_valid for engine=azure needs the tenant ID: {mount}/config has none; set wait_tenant_id"
        )
    return dataclasses.replace(wait, tenant_id=str(tenant))


def prove(
    creds: t.Mapping[str, t.Any],
    prover: Prover,
    wait: WaitOptions,
    *,
    clock: t.Callable[[], float] = time.monotonic,
    sleep: t.Callable[[float], None] = time.sleep,
) -> Proof:
    """Call the prover until ``wait.successes`` calls in a row succeed; raise CredentialCheckError at the timeout.

    A refusal after a success starts the count again: new keys reach the cloud's endpoints one by one.
    A VaultOpsError (a missing library, a bad key file) is not a refusal and ends the wait at once.
    """
    if wait.successes < 1:
        raise ValidationError("wait_successes", "must be at least 1")
    start = clock()
    deadline = start + wait.timeout
    streak = attempts = 0
    last_error = "no attempt made"
    while True:
        attempts += 1
        try:
            identity = prover.prove(creds, wait)
            streak += 1
            if streak >= wait.successes:
                return Proof(identity=identity, waited=round(clock() - start, 1), attempts=attempts)
        except VaultOpsError:
            raise
        except Exception as exc:
            streak = 0
            last_error = f"{type(exc).__name__}: {exc}"
        if clock() >= deadline:
            raise CredentialCheckError(
                f"the issued credential did not pass {wait.successes} {prover.what} calls in a row within "
                f"{wait.timeout:.0f}s; last error: {last_error}",
            )
        sleep(wait.interval)
