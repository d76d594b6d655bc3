"""The test CA, the per-host TLS leaf certificates, and RSA keys for service-account key files."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import secrets
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .core import utcnow

CA_NAME = "vaultops lab fake cloud CA"
_HOST_RE = re.compile(r"^[a-z0-9.-]{1,253}$")


def write_private(path: Path, data: bytes | str) -> None:
    """Write a file readable by its owner only (0600), atomically."""
    raw = data.encode() if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, raw)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def pem_private_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def new_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def load_rsa_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def self_signed_cert(key: rsa.RSAPrivateKey, common_name: str, days: int = 3650) -> x509.Certificate:
    """A certificate for a service-account key, as GCP publishes for each key (publicKeyData)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = utcnow()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


class Authority:
    """A CA kept in the state folder (reused across restarts) that signs a leaf certificate per host."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir
        self.ca_path = state_dir / "ca.pem"
        self.ca_key_path = state_dir / "ca-key.pem"
        self.leaf_dir = private_dir(state_dir / "tls")
        self._lock = threading.Lock()
        self._contexts: dict[str, ssl.SSLContext] = {}
        self.ca_key, self.ca_cert = self._load_or_create_ca()
        # one key for every leaf: certificates are cheap, key generation less so
        self._leaf_key = ec.generate_private_key(ec.SECP256R1())
        self._leaf_key_path = self.leaf_dir / "leaf-key.pem"
        write_private(self._leaf_key_path, pem_private_key(self._leaf_key))

    def _load_or_create_ca(self) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        if self.ca_path.exists() and self.ca_key_path.exists():
            try:
                key = serialization.load_pem_private_key(self.ca_key_path.read_bytes(), password=None)
                cert = x509.load_pem_x509_certificate(self.ca_path.read_bytes())
                if isinstance(key, ec.EllipticCurvePrivateKey) and cert.not_valid_after_utc > utcnow() + dt.timedelta(
                    days=30
                ):
                    os.chmod(self.ca_path, 0o600)
                    os.chmod(self.ca_key_path, 0o600)
                    return key, cert
            except (ValueError, TypeError):
                pass
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vaultops.cloud lab"),
                x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            ]
        )
        now = utcnow()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        write_private(self.ca_key_path, pem_private_key(key))
        write_private(self.ca_path, cert.public_bytes(serialization.Encoding.PEM))
        return key, cert

    def _leaf(self, host: str) -> x509.Certificate:
        try:
            alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            alt = x509.DNSName(host)
        now = utcnow()
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64])]))
            .issuer_name(self.ca_cert.subject)
            .public_key(self._leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=397))
            .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server-side TLS context presenting a certificate for ``host`` (made once, then cached)."""
        host = host.lower().strip("[]")
        if not _HOST_RE.match(host) and ":" not in host:
            raise ValueError(f"not a host name: {host!r}")
        with self._lock:
            ctx = self._contexts.get(host)
            if ctx is not None:
                return ctx
            cert = self._leaf(host)
            cert_path = self.leaf_dir / f"{host.replace(':', '_')}-{secrets.token_hex(4)}.pem"
            write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.set_alpn_protocols(["http/1.1"])
            ctx.load_cert_chain(str(cert_path), str(self._leaf_key_path))
            cert_path.unlink()
            self._contexts[host] = ctx
            return ctx
