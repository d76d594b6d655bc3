"""The lab's fake clouds (lab/fakes/cloud.py) driven by the real GCP, Azure and AliCloud secrets-engine plugins.

The module starts the fake on a free port of the integration tests' spare ports (``VAULTOPS_IT_SPARE_PORTS``;
tests/integration/_helpers.py holds the scaffolding shared with them) and an OpenBao dev server whose plugin
folder holds the three prebuilt plugins, with HTTPS_PROXY pointing at the fake and SSL_CERT_FILE at its CA:
every cloud call the plugins make goes through the fake's TLS-terminating proxy. What the plugins did is read back
from the fake's control API (``/_fake/state``, ``/_fake/requests``), and credentials the plugins hand out are used
again against the fake to show that they work (or, once revoked, no longer do).

The plugin binaries come from ``$VAULTOPS_FAKES_PLUGIN_DIR``, else from the lab's build
(``scripts/lab plugin-dir``); a missing binary fails the module.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import os
import re
import shutil
import ssl
import stat
import subprocess
import sys
import time
import typing as t
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
# the scaffolding shared with the integration tests: tests/ on the path, so that tests/integration is a package
sys.path.insert(0, str(REPO / "tests"))

from integration._helpers import (
    FakeCloud,
    alicloud_signed,
    b64url,
    env_without,
    free_port,
    jwt_segment,
    start_process,
    stop_process,
    wait_ready,
)

FAKE_SCRIPT = REPO / "lab" / "fakes" / "cloud.py"
BAO = REPO / ".venv" / "bin" / "bao"
PLUGINS = ("gcp", "azure", "alicloud")
ROOT_TOKEN = "root"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "ssl_cert_file", "ssl_cert_dir"}


# --- processes ------------------------------------------------------------------------------------


def plugin_source() -> Path | None:
    """``$VAULTOPS_FAKES_PLUGIN_DIR``, else the lab's build (``scripts/lab plugin-dir`` builds what is missing)."""
    if os.environ.get("VAULTOPS_FAKES_PLUGIN_DIR"):
        folder = Path(os.environ["VAULTOPS_FAKES_PLUGIN_DIR"])
    else:
        repo = Path(__file__).resolve().parents[2]
        built = subprocess.run(
            [sys.executable, str(repo / "scripts" / "lab"), "plugin-dir"],
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert built.returncode == 0, f"scripts/lab plugin-dir failed:\n{built.stderr}"
        folder = Path(built.stdout.strip())
    return folder if all((folder / name).is_file() for name in PLUGINS) else None


TAKEN_PORTS: set[int] = set()


def take_port(pair: bool = False) -> int:
    """A free spare port not yet taken by this module (with ``pair``, the next one too: a dev server's cluster)."""
    port = free_port(pair=pair, skip=TAKEN_PORTS)
    TAKEN_PORTS.update({port, port + 1} if pair else {port})
    return port


def wait_until(what: str, probe: t.Callable[[], bool], proc: subprocess.Popen[bytes], log: Path) -> None:
    wait_ready(what, probe, proc, log, timeout=30, errors=(requests.RequestException,))


# --- the fake ---------------------------------------------------------------------------------------


@dataclass
class Fake(FakeCloud):
    """The control API (``state``, ``requests``, ``reset``) and what the fake wrote into its state folder."""

    port: int = 0
    state_dir: Path = field(default_factory=Path)
    ids: dict[str, t.Any] = field(default_factory=dict)

    @classmethod
    def at(cls, port: int, state_dir: Path, ids: dict[str, t.Any]) -> Fake:
        return cls(f"http://127.0.0.1:{port}", port, state_dir, ids)

    @property
    def url(self) -> str:
        return self.endpoint

    @property
    def ca(self) -> str:
        return str(self.state_dir / "ca.pem")

    def session(self) -> requests.Session:
        """A client that reaches the fake clouds as a plugin does: through the proxy, trusting the test CA."""
        session = requests.Session()
        session.trust_env = False
        session.proxies = {"https": self.url}
        session.verify = self.ca
        return session


def start_fake(state_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = env_without(names=PROXY_VARS)
    proc = start_process(
        [sys.executable, str(FAKE_SCRIPT), "--port", str(port), "--state-dir", str(state_dir)], log, env
    )
    url = f"http://127.0.0.1:{port}/_fake/health"
    wait_until("the fake cloud", lambda: requests.get(url, timeout=2).status_code == 200, proc, log)
    return proc


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Fake]:
    base = tmp_path_factory.mktemp("fake-cloud")
    port = take_port()
    state_dir = base / "state"
    proc = start_fake(state_dir, port, base / "fake.log")
    try:
        ids = json.loads((state_dir / "ids.json").read_text())
        yield Fake.at(port, state_dir, ids)
    finally:
        stop_process(proc)


# --- the OpenBao server ----------------------------------------------------------------------------


class VaultError(Exception):
    def __init__(self, status: int, errors: list[str]) -> None:
        super().__init__(f"{status}: {'; '.join(errors)}")
        self.status = status
        self.errors = errors


class Bao:
    def __init__(self, addr: str) -> None:
        self.addr = addr
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["X-Vault-Token"] = ROOT_TOKEN

    def call(self, method: str, path: str, body: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        resp = self.http.request(method, f"{self.addr}/v1/{path}", json=body, timeout=120)
        data = resp.json() if resp.content else {}
        if resp.status_code >= 400:
            raise VaultError(resp.status_code, data.get("errors") or [resp.text])
        return data

    def write(self, path: str, **body: t.Any) -> dict[str, t.Any]:
        return self.call("POST", path, body)

    def read(self, path: str) -> dict[str, t.Any]:
        return self.call("GET", path)

    def delete(self, path: str) -> dict[str, t.Any]:
        return self.call("DELETE", path)

    def enable(self, path: str, kind: str) -> None:
        self.write(f"sys/mounts/{path}", type=kind)

    def revoke(self, lease_id: str) -> None:
        self.call("PUT", "sys/leases/revoke", {"lease_id": lease_id, "sync": True})

    def error_of(self, method: str, path: str, body: dict[str, t.Any] | None = None) -> str:
        with pytest.raises(VaultError) as info:
            self.call(method, path, body)
        return str(info.value)


@pytest.fixture(scope="module")
def bao(fake: Fake, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Bao]:
    source = plugin_source()
    if source is None:
        pytest.fail("no folder with the gcp, azure and alicloud plugin binaries (set VAULTOPS_FAKES_PLUGIN_DIR)")
    if not BAO.exists():
        pytest.fail(f"{BAO} is missing (make venv)")
    base = tmp_path_factory.mktemp("bao")
    plugin_dir = base / "plugins"
    plugin_dir.mkdir()
    for name in PLUGINS:
        shutil.copy2(source / name, plugin_dir / name)
        (plugin_dir / name).chmod(0o755)
    port = take_port(pair=True)
    env = env_without("VAULT_", "BAO_", names=PROXY_VARS)
    # the environment the lab gives the server: plugins inherit it, so their HTTPS goes to the fake
    env.update(fake.ids["server_env"])
    assert env["HTTPS_PROXY"] == fake.url
    assert env["SSL_CERT_FILE"] == fake.ca
    log = base / "bao.log"
    cmd = [
        str(BAO),
        "server",
        "-dev",
        f"-dev-root-token-id={ROOT_TOKEN}",
        "-dev-no-store-token",
        f"-dev-listen-address=127.0.0.1:{port}",
        f"-dev-plugin-dir={plugin_dir}",
    ]
    proc = start_process(cmd, log, env)
    try:
        addr = f"http://127.0.0.1:{port}"
        wait_until("bao", lambda: requests.get(f"{addr}/v1/sys/health", timeout=2).status_code == 200, proc, log)
        client = Bao(addr)
        for name in PLUGINS:
            client.enable(name, name)
        yield client
    finally:
        stop_process(proc)


# --- helpers ------------------------------------------------------------------------------------------


def project_bindings(fake: Fake) -> list[dict[str, t.Any]]:
    policies = fake.state()["gcp"]["iam_policies"]
    return policies[f"cloudresourcemanager.googleapis.com/projects/{fake.ids['gcp']['project_id']}"].get("bindings", [])


def members_of(bindings: list[dict[str, t.Any]], role: str) -> list[str]:
    return next((b["members"] for b in bindings if b["role"] == role), [])


def hcl_bindings(resource: str, *roles: str) -> str:
    quoted = ", ".join(f'"{r}"' for r in roles)
    return f'resource "{resource}" {{\n  roles = [{quoted}]\n}}\n'


def configure_gcp(bao: Bao, mount: str, credentials: str) -> None:
    bao.write(f"{mount}/config", credentials=credentials)


def root_gcp_credentials(fake: Fake) -> str:
    return (fake.state_dir / "gcp-credentials.json").read_text()


def azure_token(fake: Fake, client_id: str, secret: str, scope: str = "https://graph.microsoft.com/.default") -> str:
    tenant = fake.ids["azure"]["tenant_id"]
    resp = fake.session().post(
        f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": scope},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def alicloud_call(
    fake: Fake, host: str, action: str, key: str, secret: str, *, token: str | None = None, **params: str
) -> requests.Response:
    """An RPC call signed as alibaba-cloud-sdk-go signs it (HMAC-SHA1, signature version 1.0)."""
    version = "2015-04-01" if host.startswith("sts") else "2015-05-01"
    query = {
        "Action": action,
        "Version": version,
        "Format": "JSON",
        "AccessKeyId": key,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureType": "",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "RegionId": "us-east-1",
        **params,
    }
    if token:
        query["SecurityToken"] = token
    return fake.session().post(f"https://{host}/", params=alicloud_signed(query, secret), timeout=10)


# --- the fake on its own ---------------------------------------------------------------------------


def test_state_folder_holds_private_ca_credentials_and_ids(fake: Fake) -> None:
    assert stat.S_IMODE(fake.state_dir.stat().st_mode) == 0o700
    for name in ("ca.pem", "ca-key.pem", "gcp-credentials.json", "ids.json"):
        assert stat.S_IMODE((fake.state_dir / name).stat().st_mode) == 0o600, name
    assert "BEGIN CERTIFICATE" in (fake.state_dir / "ca.pem").read_text()

    creds = json.loads(root_gcp_credentials(fake))
    assert creds["type"] == "service_account"
    assert creds["client_email"] == "vault-root@vaultops-lab.iam.gserviceaccount.com"
    assert creds["project_id"] == "vaultops-lab"
    assert creds["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert creds["token_uri"] == f"{fake.url}/gcp/token"
    assert len(creds["private_key_id"]) == 40

    ids = fake.ids
    assert ids["server_env"] == {
        "HTTPS_PROXY": fake.url,
        "NO_PROXY": "127.0.0.1,localhost",
        "SSL_CERT_FILE": fake.ca,
        "SSL_CERT_DIR": "",
    }
    for key in ("tenant_id", "subscription_id", "client_id", "client_secret"):
        assert ids["azure"][key], key
    assert set(ids["azure"]["groups"]) == {"vaultops-readers", "vaultops-writers"}
    assert ids["alicloud"]["access_key"].startswith("LTAI")
    assert len(ids["alicloud"]["secret_key"]) == 30
    assert ids["alicloud"]["role_arn"] == f"acs:ram::{ids['alicloud']['account_id']}:role/vaultops-lab-role"

    state = fake.state()
    emails = {a["email"] for a in state["gcp"]["service_accounts"]}
    assert creds["client_email"] in emails
    assert creds["private_key_id"] in {k["name"].rsplit("/", 1)[1] for k in state["gcp"]["keys"]}
    assert ids["azure"]["client_id"] in {a["appId"] for a in state["azure"]["applications"]}
    owner = [
        ra
        for ra in state["azure"]["role_assignments"]
        if ra["properties"]["principalId"] == ids["azure"]["root_sp_object_id"]
    ]
    assert owner and owner[0]["properties"]["roleDefinitionId"].endswith("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")


def test_proxy_terminates_tls_per_host_and_keeps_the_connection_alive(fake: Fake) -> None:
    context = ssl.create_default_context(cafile=fake.ca)
    conn = http.client.HTTPSConnection("127.0.0.1", fake.port, context=context, timeout=10)
    conn.set_tunnel("iam.googleapis.com", 443)
    try:
        conn.request("GET", "/v1/projects/vaultops-lab/serviceAccounts")
        first = conn.getresponse()
        body = json.loads(first.read())
        sock = conn.sock
        assert sock is not None
        cert = sock.getpeercert()
        assert ("DNS", "iam.googleapis.com") in cert["subjectAltName"]
        assert sock.selected_alpn_protocol() in (None, "http/1.1")
        conn.request("GET", "/v1/projects/vaultops-lab/serviceAccounts/nobody@vaultops-lab.iam.gserviceaccount.com")
        second = conn.getresponse()
        second.read()
        assert conn.sock is sock, "the second request should reuse the tunnel"
    finally:
        conn.close()
    assert first.status == 401
    assert body["error"]["status"] == "UNAUTHENTICATED"
    assert second.status == 401

    session = fake.session()
    other = session.get("https://graph.microsoft.com/v1.0/applications", timeout=10)
    assert other.status_code == 401
    assert other.json()["error"]["code"] == "InvalidAuthenticationToken"
    unknown = session.get("https://example.invalid/", timeout=10)
    assert unknown.status_code == 404
    hosts = [e["host"] for e in fake.requests()]
    assert hosts[-4:] == ["iam.googleapis.com", "iam.googleapis.com", "graph.microsoft.com", "example.invalid"]


def test_gcp_token_endpoint_rejects_bad_assertions(fake: Fake) -> None:
    creds = json.loads(root_gcp_credentials(fake))
    now = int(time.time())

    header = {"alg": "RS256", "typ": "JWT", "kid": creds["private_key_id"]}
    claims = {
        "iss": creds["client_email"],
        "scope": CLOUD_PLATFORM,
        "aud": creds["token_uri"],
        "iat": now,
        "exp": now + 3600,
    }
    forged = f"{jwt_segment(header)}.{jwt_segment(claims)}.{b64url(b'x' * 256)}"
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    resp = requests.post(creds["token_uri"], data={"grant_type": grant, "assertion": forged}, timeout=10)
    assert resp.status_code == 400
    assert resp.json() == {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    resp = requests.post(creds["token_uri"], data={"grant_type": "password"}, timeout=10)
    assert resp.json()["error"] == "unsupported_grant_type"
    resp = requests.get(f"{fake.url}/gcp/tokeninfo", params={"access_token": "ya29.nope"}, timeout=10)
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_token"


def test_state_survives_a_restart_on_another_port(fake: Fake, tmp_path: Path) -> None:
    copy = tmp_path / "state"
    shutil.copytree(fake.state_dir, copy)
    port = take_port()
    azure = fake.ids["azure"]
    token = azure_token(fake, azure["client_id"], azure["client_secret"])
    proc = start_fake(copy, port, tmp_path / "fake.log")
    try:
        ids = json.loads((copy / "ids.json").read_text())
        creds = json.loads((copy / "gcp-credentials.json").read_text())
        restarted = Fake.at(port, copy, ids)
        # a token a plugin got before the restart (and caches) is still good afterwards
        groups = restarted.session().get(
            "https://graph.microsoft.com/v1.0/groups", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
    finally:
        stop_process(proc)
    assert groups.status_code == 200, groups.text
    assert {g["displayName"] for g in groups.json()["value"]} == {"vaultops-readers", "vaultops-writers"}
    assert (copy / "ca.pem").read_bytes() == (fake.state_dir / "ca.pem").read_bytes()
    assert ids["azure"]["client_id"] == fake.ids["azure"]["client_id"]
    assert ids["azure"]["client_secret"] == fake.ids["azure"]["client_secret"]
    assert ids["azure"]["groups"] == fake.ids["azure"]["groups"]
    assert ids["alicloud"]["access_key"] == fake.ids["alicloud"]["access_key"]
    old = json.loads(root_gcp_credentials(fake))
    assert creds["private_key_id"] == old["private_key_id"]
    assert creds["token_uri"] == f"http://127.0.0.1:{port}/gcp/token"


# --- GCP ---------------------------------------------------------------------------------------------


def test_gcp_access_token_roleset_creates_account_and_bindings(bao: Bao, fake: Fake) -> None:
    configure_gcp(bao, "gcp", root_gcp_credentials(fake))
    resource = fake.ids["gcp"]["project_resource"]
    fake.reset()
    bao.write(
        "gcp/roleset/ci-token",
        project="vaultops-lab",
        secret_type="access_token",
        token_scopes=[CLOUD_PLATFORM],
        bindings=hcl_bindings(resource, "roles/viewer", "roles/browser"),
    )
    accounts = [a for a in fake.state()["gcp"]["service_accounts"] if "role set ci-token" in a.get("displayName", "")]
    assert len(accounts) == 1
    email = accounts[0]["email"]
    assert email.startswith("vaultci-token-")
    member = f"serviceAccount:{email}"
    bindings = project_bindings(fake)
    assert member in members_of(bindings, "roles/viewer")
    assert member in members_of(bindings, "roles/browser")
    calls = [(e["method"], e["host"], e["path"]) for e in fake.requests()]
    assert ("POST", "cloudresourcemanager.googleapis.com", "/v3/projects/vaultops-lab:getIamPolicy") in calls
    assert ("POST", "cloudresourcemanager.googleapis.com", "/v3/projects/vaultops-lab:setIamPolicy") in calls
    assert ("POST", "iam.googleapis.com", "/v1/projects/vaultops-lab/serviceAccounts") in calls

    token = bao.read("gcp/roleset/ci-token/token")["data"]
    assert token["token"].startswith("ya29.")
    assert token["token_ttl"] > 0
    info = requests.get(f"{fake.url}/gcp/tokeninfo", params={"access_token": token["token"]}, timeout=10).json()
    assert info["email"] == email
    assert info["scope"] == CLOUD_PLATFORM
    # the token really is the roleset account's: GCP accepts it, and refuses what a viewer may not do
    session = fake.session()
    session.headers["Authorization"] = f"Bearer {token['token']}"
    listing = session.get("https://iam.googleapis.com/v1/projects/vaultops-lab/serviceAccounts", timeout=10)
    assert listing.status_code == 200
    assert email in {a["email"] for a in listing.json()["accounts"]}
    refused = session.post(
        "https://iam.googleapis.com/v1/projects/vaultops-lab/serviceAccounts",
        json={"accountId": "sneaky-one"},
        timeout=10,
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["status"] == "PERMISSION_DENIED"

    bao.delete("gcp/roleset/ci-token")
    assert email not in {a["email"] for a in fake.state()["gcp"]["service_accounts"]}
    remaining = [m for b in project_bindings(fake) for m in b["members"]]
    assert not [m for m in remaining if email in m]


def test_gcp_service_account_key_roleset_issues_working_keys_and_revoke_deletes_them(bao: Bao, fake: Fake) -> None:
    configure_gcp(bao, "gcp", root_gcp_credentials(fake))
    resource = fake.ids["gcp"]["project_resource"]
    bao.write(
        "gcp/roleset/ci-key",
        project="vaultops-lab",
        secret_type="service_account_key",
        bindings=hcl_bindings(resource, "roles/viewer"),
    )
    secret = bao.read("gcp/roleset/ci-key/key")
    assert secret["lease_id"].startswith("gcp/roleset/ci-key/key/")
    assert secret["data"]["key_algorithm"] == "KEY_ALG_RSA_2048"
    assert secret["data"]["key_type"] == "TYPE_GOOGLE_CREDENTIALS_FILE"
    key = json.loads(base64.b64decode(secret["data"]["private_key_data"]))
    assert key["token_uri"] == f"{fake.url}/gcp/token"
    assert key["client_email"].startswith("vaultci-key-")
    keys = {k["name"].rsplit("/", 1)[1]: k for k in fake.state()["gcp"]["keys"]}
    assert keys[key["private_key_id"]]["serviceAccountEmail"] == key["client_email"]

    # the issued key works: an engine configured with it gets tokens, and GCP enforces the viewer role
    bao.enable("gcp-viewer", "gcp")
    configure_gcp(bao, "gcp-viewer", json.dumps(key))
    fake.reset()
    error = bao.error_of(
        "POST",
        "gcp-viewer/roleset/denied",
        {
            "project": "vaultops-lab",
            "secret_type": "service_account_key",
            "bindings": hcl_bindings(resource, "roles/viewer"),
        },
    )
    assert "iam.serviceAccounts.create" in error
    log = fake.requests()
    assert [e["status"] for e in log if e["path"] == "/gcp/token"] == [200]
    assert any(e["status"] == 403 and e["host"] == "iam.googleapis.com" for e in log)

    bao.revoke(secret["lease_id"])
    assert key["private_key_id"] not in {k["name"].rsplit("/", 1)[1] for k in fake.state()["gcp"]["keys"]}
    bao.enable("gcp-revoked", "gcp")
    configure_gcp(bao, "gcp-revoked", json.dumps(key))
    error = bao.error_of(
        "POST",
        "gcp-revoked/roleset/denied",
        {
            "project": "vaultops-lab",
            "secret_type": "service_account_key",
            "bindings": hcl_bindings(resource, "roles/viewer"),
        },
    )
    assert "invalid_grant" in error
    bao.delete("gcp/roleset/ci-key")


def test_gcp_static_and_impersonated_accounts(bao: Bao, fake: Fake) -> None:
    configure_gcp(bao, "gcp", root_gcp_credentials(fake))
    static_email = fake.ids["gcp"]["static_account_email"]
    resource = fake.ids["gcp"]["project_resource"]
    bao.write(
        "gcp/static-account/existing",
        service_account_email=static_email,
        secret_type="access_token",
        token_scopes=[CLOUD_PLATFORM],
        bindings=hcl_bindings(resource, "roles/viewer"),
    )
    assert f"serviceAccount:{static_email}" in members_of(project_bindings(fake), "roles/viewer")
    token = bao.read("gcp/static-account/existing/token")["data"]["token"]
    info = requests.get(f"{fake.url}/gcp/tokeninfo", params={"access_token": token}, timeout=10).json()
    assert info["email"] == static_email

    fake.reset()
    bao.write("gcp/impersonated-account/as-static", service_account_email=static_email, token_scopes=[CLOUD_PLATFORM])
    token = bao.read("gcp/impersonated-account/as-static/token")["data"]["token"]
    calls = [e for e in fake.requests() if e["host"] == "iamcredentials.googleapis.com"]
    assert len(calls) == 1
    assert calls[0]["path"] == f"/v1/projects/-/serviceAccounts/{static_email}:generateAccessToken"
    assert calls[0]["body"]["scope"] == [CLOUD_PLATFORM]
    info = requests.get(f"{fake.url}/gcp/tokeninfo", params={"access_token": token}, timeout=10).json()
    assert info["email"] == static_email
    tokens = fake.state()["gcp"]["access_tokens"]
    assert any(r["email"] == static_email and r["via"] == "generateAccessToken" for r in tokens)

    error = bao.error_of(
        "POST",
        "gcp/static-account/ghost",
        {
            "service_account_email": "ghost@vaultops-lab.iam.gserviceaccount.com",
            "secret_type": "access_token",
            "token_scopes": [CLOUD_PLATFORM],
        },
    )
    assert "ghost@vaultops-lab.iam.gserviceaccount.com" in error
    bao.delete("gcp/static-account/existing")
    assert f"serviceAccount:{static_email}" not in members_of(project_bindings(fake), "roles/viewer")


def test_gcp_rotate_root_replaces_the_engine_key(bao: Bao, fake: Fake) -> None:
    # a fresh key for the root account, made with the root account's own token, keeps the lab's key file valid
    bao.enable("gcp-rotate", "gcp")
    configure_gcp(bao, "gcp-rotate", root_gcp_credentials(fake))
    bao.write(
        "gcp-rotate/impersonated-account/self",
        service_account_email=fake.ids["gcp"]["client_email"],
        token_scopes=[CLOUD_PLATFORM],
    )
    root_token = bao.read("gcp-rotate/impersonated-account/self/token")["data"]["token"]
    session = fake.session()
    session.headers["Authorization"] = f"Bearer {root_token}"
    email = fake.ids["gcp"]["client_email"]
    made = session.post(f"https://iam.googleapis.com/v1/projects/-/serviceAccounts/{email}/keys", json={}, timeout=30)
    assert made.status_code == 200, made.text
    fresh = json.loads(base64.b64decode(made.json()["privateKeyData"]))
    configure_gcp(bao, "gcp-rotate", json.dumps(fresh))

    rotated = bao.write("gcp-rotate/config/rotate-root")["data"]["private_key_id"]
    key_ids = {k["name"].rsplit("/", 1)[1] for k in fake.state()["gcp"]["keys"]}
    assert rotated in key_ids
    assert fresh["private_key_id"] not in key_ids
    assert json.loads(root_gcp_credentials(fake))["private_key_id"] in key_ids


# --- Azure -----------------------------------------------------------------------------------------


def configure_azure(bao: Bao, fake: Fake, mount: str = "azure", **override: str) -> None:
    ids = fake.ids["azure"]
    body = {k: ids[k] for k in ("tenant_id", "subscription_id", "client_id", "client_secret")}
    body.update(override)
    bao.write(f"{mount}/config", **body)


def test_azure_dynamic_service_principal_with_role_and_group(bao: Bao, fake: Fake) -> None:
    configure_azure(bao, fake)
    sub = fake.ids["azure"]["subscription_id"]
    readers = fake.ids["azure"]["groups"]["vaultops-readers"]
    bao.write(
        "azure/roles/reader",
        ttl="1h",
        azure_roles=json.dumps([{"role_name": "Reader", "scope": f"/subscriptions/{sub}"}]),
        azure_groups=json.dumps([{"group_name": "vaultops-readers"}]),
    )
    role = bao.read("azure/roles/reader")["data"]
    assert role["azure_roles"][0]["role_id"].endswith("/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7")
    assert role["azure_groups"][0]["object_id"] == readers

    fake.reset()
    secret = bao.read("azure/creds/reader")
    client_id, client_secret = secret["data"]["client_id"], secret["data"]["client_secret"]
    state = fake.state()["azure"]
    app = next(a for a in state["applications"] if a["appId"] == client_id)
    sp = next(s for s in state["service_principals"] if s["appId"] == client_id)
    assert app["displayName"].startswith("vault-")
    assert len(sp["passwordCredentials"]) == 1
    assert sp["passwordCredentials"][0]["hint"] == client_secret[:3]
    assignment = next(ra for ra in state["role_assignments"] if ra["properties"]["principalId"] == sp["id"])
    assert assignment["properties"]["scope"] == f"/subscriptions/{sub}"
    assert assignment["properties"]["roleDefinitionId"].endswith("acdd72a7-3385-48ef-bd42-f606fba81ae7")
    assert sp["id"] in next(g for g in state["groups"] if g["id"] == readers)["members"]
    hosts = {e["host"] for e in fake.requests()}
    # (tokens from the role lookups are cached, so Entra ID may not be asked again)
    assert {"graph.microsoft.com", "management.azure.com"} <= hosts
    assert hosts <= {"login.microsoftonline.com", "graph.microsoft.com", "management.azure.com"}

    # the credentials work: Entra ID issues tokens for them; Graph refuses an app without Graph permissions
    token = azure_token(fake, client_id, client_secret)
    refused = fake.session().get(
        "https://graph.microsoft.com/v1.0/applications", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "Authorization_RequestDenied"
    # ... and ARM lets the Reader read role definitions: an engine configured with them can look roles up
    bao.enable("azure-dynamic", "azure")
    configure_azure(bao, fake, "azure-dynamic", client_id=client_id, client_secret=client_secret)
    bao.write(
        "azure-dynamic/roles/lookup",
        azure_roles=json.dumps([{"role_name": "Contributor", "scope": f"/subscriptions/{sub}"}]),
    )
    error = bao.error_of("GET", "azure-dynamic/creds/lookup")
    assert "Insufficient privileges" in error

    bao.revoke(secret["lease_id"])
    state = fake.state()["azure"]
    assert client_id not in {a["appId"] for a in state["applications"]}
    assert sp["id"] not in {s["id"] for s in state["service_principals"]}
    assert sp["id"] not in {ra["properties"]["principalId"] for ra in state["role_assignments"]}
    assert sp["id"] not in next(g for g in state["groups"] if g["id"] == readers)["members"]
    assert app["id"] in {d["id"] for d in state["deleted_items"]}
    resp = fake.session().post(
        f"https://login.microsoftonline.com/{fake.ids['azure']['tenant_id']}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": "https://graph.microsoft.com/.default",
        },
        timeout=10,
    )
    assert resp.status_code == 400
    assert resp.json()["error_codes"] == [700016]


def test_azure_existing_application_gets_and_loses_a_password(bao: Bao, fake: Fake) -> None:
    configure_azure(bao, fake)
    ids = fake.ids["azure"]
    token = azure_token(fake, ids["client_id"], ids["client_secret"])
    session = fake.session()
    session.headers["Authorization"] = f"Bearer {token}"
    made = session.post(
        "https://graph.microsoft.com/v1.0/applications", json={"displayName": "vaultops-existing"}, timeout=10
    )
    assert made.status_code == 201, made.text
    app = made.json()
    assert (
        session.post(
            "https://graph.microsoft.com/v1.0/servicePrincipals", json={"appId": app["appId"]}, timeout=10
        ).status_code
        == 201
    )
    found = session.get(
        "https://graph.microsoft.com/v1.0/applications", params={"$filter": f"appId eq '{app['appId']}'"}, timeout=10
    )
    assert [a["id"] for a in found.json()["value"]] == [app["id"]]

    bao.write("azure/roles/existing", application_object_id=app["id"], ttl="1h")
    secret = bao.read("azure/creds/existing")
    assert secret["data"]["client_id"] == app["appId"]
    passwords = session.get(f"https://graph.microsoft.com/v1.0/applications/{app['id']}", timeout=10).json()[
        "passwordCredentials"
    ]
    assert len(passwords) == 1
    assert passwords[0]["displayName"] == "vault-plugin-secrets-azure"
    assert azure_token(fake, app["appId"], secret["data"]["client_secret"])

    bao.revoke(secret["lease_id"])
    after = session.get(f"https://graph.microsoft.com/v1.0/applications/{app['id']}", timeout=10).json()
    assert after["passwordCredentials"] == []
    assert [e["path"] for e in fake.requests() if e["method"] == "POST"][
        -1
    ] == f"/v1.0/applications/{app['id']}/removePassword"


def test_azure_errors_come_in_the_clouds_formats(bao: Bao, fake: Fake) -> None:
    configure_azure(bao, fake)
    sub = fake.ids["azure"]["subscription_id"]
    error = bao.error_of(
        "POST",
        "azure/roles/nope",
        {"azure_roles": json.dumps([{"role_name": "Astronaut", "scope": f"/subscriptions/{sub}"}])},
    )
    assert "no role found for role_name: 'Astronaut'" in error
    error = bao.error_of(
        "POST", "azure/roles/nogroup", {"azure_groups": json.dumps([{"object_id": str(uuid.uuid4())}])}
    )
    # Graph's 404 message (the engine looks for the code in it, which msgraph-sdk-go leaves out)
    assert "does not exist or one of its queried reference-property objects are not present" in error

    ids = fake.ids["azure"]
    token = azure_token(fake, ids["client_id"], ids["client_secret"])
    session = fake.session()
    session.headers["Authorization"] = f"Bearer {token}"
    missing = session.get(f"https://graph.microsoft.com/v1.0/applications/{uuid.uuid4()}", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "Request_ResourceNotFound"
    wrong_audience = session.get(f"https://management.azure.com/subscriptions/{sub}?api-version=2022-12-01", timeout=10)
    assert wrong_audience.status_code == 401
    assert wrong_audience.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"
    arm = azure_token(fake, ids["client_id"], ids["client_secret"], "https://management.core.windows.net//.default")
    no_version = session.get(
        f"https://management.azure.com/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions",
        headers={"Authorization": f"Bearer {arm}"},
        timeout=10,
    )
    assert no_version.status_code == 400
    assert no_version.json()["error"]["code"] == "MissingApiVersionParameter"
    bad_secret = fake.session().post(
        f"https://login.microsoftonline.com/{ids['tenant_id']}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": ids["client_id"],
            "client_secret": "wrong",
            "scope": "https://graph.microsoft.com/.default",
        },
        timeout=10,
    )
    assert bad_secret.status_code == 401
    assert bad_secret.json()["error"] == "invalid_client"
    assert bad_secret.json()["error_description"].startswith("AADSTS7000215:")


# --- AliCloud --------------------------------------------------------------------------------------


def configure_alicloud(bao: Bao, fake: Fake) -> None:
    ids = fake.ids["alicloud"]
    bao.write("alicloud/config", access_key=ids["access_key"], secret_key=ids["secret_key"])


def test_alicloud_ram_user_with_inline_and_remote_policies(bao: Bao, fake: Fake) -> None:
    configure_alicloud(bao, fake)
    inline = [{"Statement": [{"Action": "ecs:Describe*", "Effect": "Allow", "Resource": "*"}], "Version": "1"}]
    bao.write(
        "alicloud/role/ram-reader",
        inline_policies=json.dumps(inline),
        remote_policies=["name:AliyunOSSReadOnlyAccess,type:System"],
        ttl=600,
    )
    fake.reset()
    secret = bao.read("alicloud/creds/ram-reader")
    access_key, secret_key = secret["data"]["access_key"], secret["data"]["secret_key"]
    state = fake.state()["alicloud"]
    key = next(k for k in state["access_keys"] if k["AccessKeyId"] == access_key)
    user = next(u for u in state["users"] if u["UserName"] == key["UserName"])
    assert re.fullmatch(r"[a-z]+-ram-reader-\d+-\d+", user["UserName"]), user["UserName"]
    attached = {(p["PolicyType"], p["PolicyName"]) for p in user["Policies"]}
    assert ("System", "AliyunOSSReadOnlyAccess") in attached
    custom = [name for kind, name in attached if kind == "Custom"]
    assert len(custom) == 1
    assert custom[0].startswith(user["UserName"] + "-")
    policy = next(p for p in state["policies"] if p["PolicyName"] == custom[0])
    assert policy["PolicyDocument"] == inline[0]
    actions = [e["query"]["Action"] for e in fake.requests()]
    assert actions == ["CreateUser", "CreatePolicy", "AttachPolicyToUser", "AttachPolicyToUser", "CreateAccessKey"]
    assert {e["host"] for e in fake.requests()} == {"ram.aliyuncs.com"}

    # the key works and carries the user's permissions, no more
    who = alicloud_call(fake, "sts.aliyuncs.com", "GetCallerIdentity", access_key, secret_key)
    assert who.status_code == 200, who.text
    assert who.json()["Arn"] == f"acs:ram::{fake.ids['alicloud']['account_id']}:user/{user['UserName']}"
    denied = alicloud_call(fake, "ram.aliyuncs.com", "CreateUser", access_key, secret_key, UserName="mallory")
    assert denied.status_code == 403
    assert denied.json()["Code"] == "NoPermission"
    assert {"RequestId", "HostId", "Code", "Message", "Recommend"} <= set(denied.json())

    bao.revoke(secret["lease_id"])
    state = fake.state()["alicloud"]
    assert user["UserName"] not in {u["UserName"] for u in state["users"]}
    assert access_key not in {k["AccessKeyId"] for k in state["access_keys"]}
    assert custom[0] not in {p["PolicyName"] for p in state["policies"]}
    gone = alicloud_call(fake, "sts.aliyuncs.com", "GetCallerIdentity", access_key, secret_key)
    assert gone.status_code == 404
    assert gone.json()["Code"] == "InvalidAccessKeyId.NotFound"


def test_alicloud_sts_assume_role(bao: Bao, fake: Fake) -> None:
    configure_alicloud(bao, fake)
    arn = fake.ids["alicloud"]["role_arn"]
    bao.write("alicloud/role/assumer", role_arn=arn)
    fake.reset()
    secret = bao.read("alicloud/creds/assumer")
    data = secret["data"]
    assert data["access_key"].startswith("STS.")
    assert data["security_token"]
    assert secret["renewable"] is False
    assert 0 < secret["lease_duration"] <= 3600
    (call,) = fake.requests()
    assert call["query"]["Action"] == "AssumeRole"
    assert call["query"]["RoleArn"] == arn
    assert call["host"].startswith("sts.") and call["host"].endswith(".aliyuncs.com")
    sessions = fake.state()["alicloud"]["sts_sessions"]
    assert data["access_key"] in {s["AccessKeyId"] for s in sessions}

    who = alicloud_call(
        fake,
        "sts.aliyuncs.com",
        "GetCallerIdentity",
        data["access_key"],
        data["secret_key"],
        token=data["security_token"],
    )
    assert who.status_code == 200, who.text
    assert who.json()["IdentityType"] == "AssumedRoleUser"
    assert who.json()["Arn"].startswith(arn.replace(":role/", ":assumed-role/") + "/")
    no_token = alicloud_call(fake, "sts.aliyuncs.com", "GetCallerIdentity", data["access_key"], data["secret_key"])
    assert no_token.status_code == 400

    bao.write("alicloud/role/nobody", role_arn=arn.replace("vaultops-lab-role", "no-such-role"))
    error = bao.error_of("GET", "alicloud/creds/nobody")
    assert "EntityNotExist.Role" in error


def test_alicloud_failed_creds_are_rolled_back_and_signatures_checked(bao: Bao, fake: Fake) -> None:
    configure_alicloud(bao, fake)
    bao.write("alicloud/role/broken", remote_policies=["name:NoSuchPolicy,type:System"])
    users_before = {u["UserName"] for u in fake.state()["alicloud"]["users"]}
    error = bao.error_of("GET", "alicloud/creds/broken")
    assert "EntityNotExist.Policy" in error
    assert {u["UserName"] for u in fake.state()["alicloud"]["users"]} == users_before
    actions = [e["query"]["Action"] for e in fake.requests(host="ram.aliyuncs.com")][-3:]
    assert actions == ["CreateUser", "AttachPolicyToUser", "DeleteUser"]

    ids = fake.ids["alicloud"]
    forged = alicloud_call(fake, "ram.aliyuncs.com", "ListUsers", ids["access_key"], "not-the-secret")
    assert forged.status_code == 400
    assert forged.json()["Code"] == "SignatureDoesNotMatch"
    listed = alicloud_call(fake, "ram.aliyuncs.com", "ListUsers", ids["access_key"], ids["secret_key"])
    assert listed.status_code == 200
    assert "vault-root" in {u["UserName"] for u in listed.json()["Users"]["User"]}


# --- the control API ---------------------------------------------------------------------------------


def test_request_log_and_reset(fake: Fake) -> None:
    fake.reset()
    assert fake.requests() == []
    session = fake.session()
    session.get("https://iam.googleapis.com/v1/projects/vaultops-lab/serviceAccounts?pageSize=5", timeout=10)
    session.post("https://ram.aliyuncs.com/", params={"Action": "ListUsers"}, timeout=10)
    session.post(
        f"https://login.microsoftonline.com/{fake.ids['azure']['tenant_id']}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": "x"},
        timeout=10,
    )
    log = fake.requests()
    assert [(e["host"], e["method"], e["path"]) for e in log] == [
        ("iam.googleapis.com", "GET", "/v1/projects/vaultops-lab/serviceAccounts"),
        ("ram.aliyuncs.com", "POST", "/"),
        ("login.microsoftonline.com", "POST", f"/{fake.ids['azure']['tenant_id']}/oauth2/v2.0/token"),
    ]
    assert log[0]["query"] == {"pageSize": "5"}
    assert log[1]["query"] == {"Action": "ListUsers"}
    assert log[2]["body"] == {"grant_type": "client_credentials", "client_id": "x"}
    assert [e["host"] for e in fake.requests(host="ram.aliyuncs.com")] == ["ram.aliyuncs.com"]
    accounts = len(fake.state()["gcp"]["service_accounts"])
    assert fake.reset() == 3
    assert fake.requests() == []
    assert len(fake.state()["gcp"]["service_accounts"]) == accounts


def test_azure_rotate_root_adds_a_password_to_the_root_app(bao: Bao, fake: Fake) -> None:
    # last: a minute after rotation the engine deletes the root app's other passwords, the lab's secret among them
    bao.enable("azure-rotate", "azure")
    configure_azure(bao, fake, "azure-rotate")
    root_app = fake.ids["azure"]["root_app_object_id"]

    def passwords() -> list[dict[str, t.Any]]:
        apps = fake.state()["azure"]["applications"]
        return next(a for a in apps if a["id"] == root_app)["passwordCredentials"]

    before = {p["keyId"] for p in passwords()}
    bao.write("azure-rotate/rotate-root")
    added = [p for p in passwords() if p["keyId"] not in before]
    assert len(added) == 1
    assert added[0]["displayName"].startswith("vault-")
