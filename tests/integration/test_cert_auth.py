"""auth_method cert, live: a module logs in with a TLS client certificate the test issues.

Certificate auth needs a TLS listener, which the lab's dev server does not have, so this test starts an OpenBao
dev server of its own with ``-dev-tls`` (its generated CA verifies the server) on a spare port. It issues a client
CA and two client certificates (one from that CA, one from a stranger CA) with ``cryptography``, registers the
CA as the certificate role ``deploy`` (policy: write one ACL policy, nothing else) with hvac on the root token, and
runs ``vaultops.cloud.policy`` with ``auth_method: cert`` and no token anywhere: the policy is written (read back
with hvac), a rerun is unchanged, and the stranger's certificate is refused with an error that names the cert login.
One ansible-playbook start.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import time
import typing as t
from pathlib import Path

import hvac
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ._helpers import SPARE_PORTS
from .conftest import VENV_BIN, Ansible

ROOT_TOKEN = "it-cert-root"
POLICY = "it-cert-made"
PORT = SPARE_PORTS[-1]


def name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def issue(
    common: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    signer_name, signer_key = issuer or (name(common), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(common))
        .issuer_name(signer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    return builder.sign(signer_key, hashes.SHA256())


def write_pair(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> tuple[str, str]:
    cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return str(cert_path), str(key_path)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[tuple[str, str]]:
    """An OpenBao dev server with a TLS listener: (url, CA file)."""
    bao = shutil.which("bao", path=str(VENV_BIN)) or shutil.which("bao")
    if bao is None:
        pytest.skip("no bao binary")
    folder = tmp_path_factory.mktemp("cert-server")
    proc = subprocess.Popen(
        [
            bao,
            "server",
            "-dev",
            "-dev-tls",
            f"-dev-tls-cert-dir={folder}",
            f"-dev-listen-address=127.0.0.1:{PORT}",
            f"-dev-root-token-id={ROOT_TOKEN}",
        ],
        stdout=(folder / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"https://127.0.0.1:{PORT}"
    try:
        deadline = time.monotonic() + 30
        ca = ""
        while time.monotonic() < deadline:
            found = sorted(p for p in folder.glob("*ca.pem"))
            if found:
                ca = str(found[0])
                try:
                    if requests.get(f"{url}/v1/sys/health", verify=ca, timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
            time.sleep(0.3)
        else:
            pytest.fail(f"the TLS dev server did not start:\n{(folder / 'server.log').read_text()}")
        yield url, ca
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_cert_login_runs_a_module_and_a_stranger_is_refused(
    ansible: Ansible, tls_server: tuple[str, str], tmp_path: Path
) -> None:
    url, server_ca = tls_server
    root = hvac.Client(url=url, token=ROOT_TOKEN, verify=server_ca)
    ca_key, client_key, stranger_key = (ec.generate_private_key(ec.SECP256R1()) for _key in range(3))
    ca = issue("it client CA", ca_key, None)
    client_cert, client_key_path = write_pair(
        tmp_path, "client", issue("deployer", client_key, (ca.subject, ca_key)), client_key
    )
    stranger_ca_key = ec.generate_private_key(ec.SECP256R1())
    stranger_ca = issue("stranger CA", stranger_ca_key, None)
    stranger_cert, stranger_key_path = write_pair(
        tmp_path, "stranger", issue("deployer", stranger_key, (stranger_ca.subject, stranger_ca_key)), stranger_key
    )

    root.sys.enable_auth_method("cert")
    root.sys.create_or_update_acl_policy(
        "it-cert-writer", f'path "sys/policies/acl/{POLICY}" {{ capabilities = ["create", "read", "update"] }}'
    )
    root.write(
        "auth/cert/certs/deploy",
        certificate=ca.public_bytes(serialization.Encoding.PEM).decode(),
        token_policies=["it-cert-writer"],
        token_ttl=300,
    )

    rules = {"path": {"secret/data/app": {"capabilities": ["read"]}}}
    args = {
        "name": POLICY,
        "policy": rules,
        "url": url,
        "ca_cert": server_ca,
        "auth_method": "cert",
        "role": "deploy",
        "client_cert": client_cert,
        "client_key": client_key_path,
    }
    task = {"name": "Write a policy as the certificate", "vaultops.cloud.policy": args, "register": "first"}
    again = {**task, "name": "Again", "register": "second"}
    stranger = {
        "name": "The stranger's certificate",
        "vaultops.cloud.policy": {**args, "client_cert": stranger_cert, "client_key": stranger_key_path},
        "register": "third",
        "ignore_errors": True,
    }
    played = ansible.play(
        [
            task,
            again,
            stranger,
            {
                "ansible.builtin.set_fact": {
                    "outcome": {"first": "{{ first }}", "second": "{{ second }}", "stranger": "{{ third }}"}
                }
            },
        ],
        capture="outcome",
        unset_env=("VAULT_TOKEN", "VAULT_ADDR"),
    )
    assert played.rc == 0, played.output
    assert played.counts()["ignored"] == 1, played.output
    assert (played.result["first"]["changed"], played.result["second"]["changed"]) == (True, False), played.output

    written = root.sys.read_acl_policy(POLICY)["data"]["policy"]
    assert "secret/data/app" in written
    refused = played.result["stranger"]
    assert refused["failed"] is True
    assert refused["msg"].startswith("cert login at auth/cert failed"), refused["msg"]
    assert refused["path"] == "auth/cert/login"
