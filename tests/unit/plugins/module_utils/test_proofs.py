# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The per-cloud proofs of wait_until_valid, against faked HTTP answers (no network)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import typing as t
import urllib.parse

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ansible_collections.vaultops.cloud.plugins.module_utils import _creds
from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._creds import CredsRequest, check_request, issue_checked
from ansible_collections.vaultops.cloud.plugins.module_utils._proofs import (
    AliCloudProver,
    AzureProver,
    CredentialCheckError,
    GcpProver,
    Refused,
    WaitOptions,
    prove,
    requests_http,
    resolve,
)

TENANT = "8f3c0b52-7a8e-4b2a-9d55-0c2b7a1e6f10"
APP = "0a8e2c5d-5b1f-4d8e-9a61-3f0e9d6b2c47"
SECRET = "Qx8~new-secret-value"
AADSTS_7000215 = {
    "error": "invalid_client",
    "error_description": "AADSTS7000215: Invalid client secret provided.",
    "error_codes": [7000215],
}


class Http:
    """Answers in order, one per call; records (method, url, body, headers)."""

    def __init__(self, *answers: tuple[int, t.Any]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, bytes | None, dict[str, str]]] = []

    def __call__(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float
    ) -> tuple[int, bytes]:
        self.calls.append((method, url, body, headers))
        status, payload = self.answers.pop(0)
        if callable(payload):
            status, payload = payload(method, url, body, headers)
        return status, payload if isinstance(payload, bytes) else json.dumps(payload).encode()

    def form(self, index: int) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl((self.calls[index][2] or b"").decode()))

    def query(self, index: int) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.calls[index][1]).query))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run(prover: t.Any, creds: dict[str, t.Any], wait: WaitOptions) -> tuple[t.Any, Clock]:
    clock = Clock()
    return prove(creds, prover, wait, clock=clock.time, sleep=clock.sleep), clock


# --- Azure -------------------------------------------------------------------------------------------------


def test_azure_asks_for_a_token_with_the_new_secret_until_it_is_accepted() -> None:
    http = Http((401, AADSTS_7000215), (401, AADSTS_7000215), (200, {"access_token": "tok"}))
    proof, clock = run(
        AzureProver(http=http), {"client_id": APP, "client_secret": SECRET}, WaitOptions(tenant_id=TENANT, successes=1)
    )
    assert (proof.identity, proof.attempts, proof.waited) == (APP, 3, 2.0)
    assert clock.sleeps == [1.0, 1.0]
    method, url, _body, headers = http.calls[0]
    assert (method, url) == ("POST", f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token")
    assert headers == {"Content-Type": "application/x-www-form-urlencoded"}
    assert http.form(0) == {
        "grant_type": "client_credentials",
        "client_id": APP,
        "client_secret": SECRET,
        "scope": "https://management.azure.com/.default",
    }


def test_azure_optional_arm_read_uses_the_new_token() -> None:
    sub = "11111111-2222-3333-4444-555555555555"
    http = Http((200, {"access_token": "tok"}), (200, {"subscriptionId": sub}))
    wait = WaitOptions(tenant_id=TENANT, subscription_id=sub, successes=1, endpoint="http://login.local/")
    proof, _clock = run(AzureProver(http=http), {"client_id": APP, "client_secret": SECRET}, wait)
    assert proof.identity == APP
    assert http.calls[0][1] == f"http://login.local/{TENANT}/oauth2/v2.0/token"
    method, url, body, headers = http.calls[1]
    assert (method, url, body) == (
        "GET",
        f"https://management.azure.com/subscriptions/{sub}?api-version=2022-12-01",
        None,
    )
    assert headers == {"Authorization": "Bearer tok"}


def test_azure_tenant_comes_from_the_engine_config(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", "az/config"): {"data": {"tenant_id": TENANT, "client_id": "root"}}})
    assert resolve(kit.client, "azure", "az", WaitOptions()).tenant_id == TENANT
    given = WaitOptions(tenant_id="mine")
    assert resolve(kit.client, "azure", "az", given) is given
    assert [c.path for c in kit.fake.calls] == ["az/config"]


def test_azure_without_a_tenant_anywhere_says_which_option(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", "azure/config"): {"data": {"tenant_id": ""}}})
    with pytest.raises(VaultOpsError, match="azure/config has none; set wait_tenant_id"):
        resolve(kit.client, "azure", "azure", WaitOptions())


# --- GCP ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_file(key: rsa.RSAPrivateKey, token_uri: str) -> str:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    data = {
        "type": "service_account",
        "client_email": "vaultdeploy-1700000000@proj.iam.gserviceaccount.com",
        "private_key_id": "k123",
        "private_key": pem,
        "token_uri": token_uri,
    }
    return base64.b64encode(json.dumps(data).encode()).decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_gcp_key_signs_a_jwt_with_the_new_key_for_its_token_uri(rsa_key: rsa.RSAPrivateKey) -> None:
    seen: dict[str, t.Any] = {}

    def token(_m: str, _u: str, body: bytes | None, _h: dict[str, str]) -> tuple[int, t.Any]:
        form = dict(urllib.parse.parse_qsl((body or b"").decode()))
        head, claims, signature = form["assertion"].split(".")
        try:  # verified with the public half, independently of the prover
            rsa_key.public_key().verify(
                b64url_decode(signature), f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        seen.update(form=form, header=json.loads(b64url_decode(head)), claims=json.loads(b64url_decode(claims)))
        return 200, {"access_token": "ya29.x", "expires_in": 3599}

    http = Http((400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}), (200, token))
    creds = {"private_key_data": key_file(rsa_key, "http://127.0.0.1:9/gcp/token")}
    proof, _clock = run(GcpProver(http=http), creds, WaitOptions(successes=1))
    assert proof.identity == "vaultdeploy-1700000000@proj.iam.gserviceaccount.com"
    assert proof.attempts == 2
    assert [c[1] for c in http.calls] == ["http://127.0.0.1:9/gcp/token"] * 2
    assert seen["form"]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert seen["header"] == {"alg": "RS256", "typ": "JWT", "kid": "k123"}
    claims = seen["claims"]
    assert claims["iss"] == "vaultdeploy-1700000000@proj.iam.gserviceaccount.com"
    assert claims["aud"] == "http://127.0.0.1:9/gcp/token"
    assert claims["exp"] - claims["iat"] == 300


def test_gcp_access_token_is_checked_with_tokeninfo() -> None:
    http = Http((200, {"email": "sa@proj.iam.gserviceaccount.com", "expires_in": "3500"}))
    proof, _clock = run(
        GcpProver(http=http), {"token": "ya29.tok"}, WaitOptions(successes=1, endpoint="http://t.local/ti")
    )
    assert proof.identity == "sa@proj.iam.gserviceaccount.com"
    assert http.calls[0][:3] == ("GET", "http://t.local/ti?access_token=ya29.tok", None)


def test_gcp_pkcs12_key_is_not_proven_and_not_retried() -> None:
    http = Http()
    creds = {"private_key_data": base64.b64encode(b"\x30\x82binary-p12").decode()}
    with pytest.raises(VaultOpsError, match="JSON key files"):
        run(GcpProver(http=http), creds, WaitOptions(successes=1, timeout=30))
    assert http.calls == []
    with pytest.raises(ValidationError) as info:
        check_request(
            CredsRequest("k", engine="gcp", secret_type="service_account_key", key_type="TYPE_PKCS12_FILE"),
            WaitOptions(),
        )
    assert info.value.field == "wait_until_valid"


# --- AliCloud ----------------------------------------------------------------------------------------------


def reference_signature(method: str, params: dict[str, str], secret: str) -> str:
    """AliCloud's RPC signature 1.0 as its documentation spells it, written apart from the prover."""

    def enc(text: str) -> str:
        return urllib.parse.quote(text, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()) if k != "Signature")
    to_sign = f"{method}&{enc('/')}&{enc(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


def test_alicloud_calls_sts_get_caller_identity_signed_with_the_new_key() -> None:
    not_found = {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
    arn = "acs:ram::1234567890123456:user/vault-ram-1700000000"
    http = Http((404, not_found), (200, {"Arn": arn, "IdentityType": "RAMUser"}))
    creds = {"access_key": "LTAI5tNEWKEY", "secret_key": "s3cr3t/with+odd*chars~"}
    proof, _clock = run(AliCloudProver(http=http), creds, WaitOptions(successes=1, region="cn-hangzhou"))
    assert (proof.identity, proof.attempts) == (arn, 2)
    assert http.calls[1][1].startswith("https://sts.aliyuncs.com/?")
    params = http.query(1)
    assert {k: params[k] for k in ("Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "RegionId")} == {
        "Action": "GetCallerIdentity",
        "Version": "2015-04-01",
        "Format": "JSON",
        "AccessKeyId": "LTAI5tNEWKEY",
        "SignatureMethod": "HMAC-SHA1",
        "RegionId": "cn-hangzhou",
    }
    assert params["Signature"] == reference_signature("GET", params, "s3cr3t/with+odd*chars~")
    assert "SecurityToken" not in params
    assert http.query(0)["SignatureNonce"] != params["SignatureNonce"]


def test_alicloud_sts_credentials_send_their_security_token() -> None:
    http = Http((200, {"Arn": "acs:ram::1:assumed-role/r/s"}))
    creds = {"access_key": "STS.k", "secret_key": "s", "security_token": "CAIS-token"}
    run(AliCloudProver(http=http), creds, WaitOptions(successes=1, endpoint="http://sts.local"))
    params = http.query(0)
    assert params["SecurityToken"] == "CAIS-token"
    assert params["Signature"] == reference_signature("GET", params, "s")


# --- the wait, the timeout and the revoke ------------------------------------------------------------------


def test_a_run_of_successes_is_needed_and_a_refusal_starts_it_again() -> None:
    ok = (200, {"access_token": "tok"})
    http = Http(ok, (401, AADSTS_7000215), ok, ok)
    proof, clock = run(
        AzureProver(http=http), {"client_id": APP, "client_secret": SECRET}, WaitOptions(tenant_id=TENANT, successes=2)
    )
    assert proof.attempts == 4
    assert clock.sleeps == [1.0, 1.0, 1.0]


def test_the_timeout_names_the_call_and_the_cloud_error() -> None:
    http = Http(*[(401, AADSTS_7000215)] * 4)
    with pytest.raises(CredentialCheckError) as info:
        run(
            AzureProver(http=http),
            {"client_id": APP, "client_secret": SECRET},
            WaitOptions(tenant_id=TENANT, timeout=3),
        )
    assert "did not pass 3 Azure client-credentials token requests calls in a row within 3s" in info.value.message
    assert "AADSTS7000215" in info.value.message
    assert len(http.calls) == 4


def test_a_closed_port_is_a_refusal_not_a_crash() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Refused, match=f"127.0.0.1:{port}"):
        requests_http("GET", f"http://127.0.0.1:{port}/x", None, {}, 2)


@pytest.mark.parametrize(
    ("wait", "field"),
    [
        (WaitOptions(successes=0), "wait_successes"),
        (WaitOptions(timeout=-1), "wait_timeout"),
        (WaitOptions(subscription_id="s"), "wait_subscription_id"),
    ],
    ids=["successes", "timeout", "subscription-not-azure"],
)
def test_bad_wait_options_name_the_option(wait: WaitOptions, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_request(CredsRequest("r", engine="alicloud"), wait)
    assert info.value.field == field


def test_an_azure_secret_that_never_works_is_revoked(
    make_client: t.Callable[..., t.Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    lease = "azure/creds/sp/abc123"
    http = Http(*[(401, AADSTS_7000215)] * 3)
    monkeypatch.setitem(_creds.PROVERS, "azure", lambda: AzureProver(http=http))
    answer = {
        "lease_id": lease,
        "lease_duration": 3600,
        "renewable": True,
        "data": {"client_id": APP, "client_secret": SECRET},
    }
    kit = make_client({("GET", "azure/creds/sp"): answer, ("GET", "azure/config"): {"data": {"tenant_id": TENANT}}})
    wait = WaitOptions(successes=1, timeout=0)
    with pytest.raises(CredentialCheckError) as info:
        issue_checked(kit.client, CredsRequest("sp", engine="azure"), wait)
    assert "AADSTS7000215" in info.value.message
    assert info.value.message.endswith(f"lease {lease} was revoked")
    assert [(c.method, c.path) for c in kit.fake.calls] == [
        ("GET", "azure/creds/sp"),
        ("GET", "azure/config"),
        ("PUT", "sys/leases/revoke"),
    ]
    assert http.calls[0][1] == f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"


def test_a_proven_credential_says_how_long_and_as_whom(
    make_client: t.Callable[..., t.Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    http = Http((200, {"Arn": "acs:ram::1:user/u"}))
    monkeypatch.setitem(_creds.PROVERS, "alicloud", lambda: AliCloudProver(http=http))
    answer = {"lease_id": "alicloud/creds/r/x", "lease_duration": 60, "data": {"access_key": "k", "secret_key": "s"}}
    kit = make_client({("GET", "alicloud/creds/r"): answer})
    creds = issue_checked(kit.client, CredsRequest("r", engine="alicloud"), WaitOptions(successes=1))
    assert creds["proven_as"] == "acs:ram::1:user/u"
    assert isinstance(creds["waited"], float)
    assert "arn" not in creds
    assert [c.path for c in kit.fake.calls] == ["alicloud/creds/r"]
