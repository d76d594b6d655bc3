# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Issue credentials from a cloud engine and prove that they work; shared by the creds lookup and module.

No Ansible imports. The proofs of ``wait_until_valid`` (one per cloud) are in ``_proofs``.
"""

from __future__ import annotations

import time
import typing as t
from dataclasses import dataclass

from ._alicloud import AliCloudEngine
from ._aws import AwsEngine
from ._azure import AzureEngine
from ._client import VaultClient, VaultOpsError
from ._compare import ValidationError, duration_to_seconds
from ._gcp import GcpEngine
from ._proofs import PROVERS, CredentialCheckError, Prover, WaitOptions, aws_caller_identity, check_wait, prove, resolve
from ._vault import NAME, Leases, mount_path

ENGINES = ("aws", "gcp", "azure", "alicloud")
DEFAULT_MOUNTS = {engine: engine for engine in ENGINES}
# request options and the engines that take them (the rest refuse them, naming the option)
ENGINE_OPTIONS: dict[str, tuple[str, ...]] = {
    "kind": ("aws",),
    "ttl": ("aws", "gcp"),
    "role_arn": ("aws",),
    "role_session_name": ("aws",),
    "source": ("gcp",),
    "secret_type": ("gcp",),
    "key_algorithm": ("gcp",),
    "key_type": ("gcp",),
}
DEFAULTS = {"kind": "creds", "source": "roleset", "secret_type": "access_token"}
# a static role's key is the one Vault rotates: it has no TTL or role of its own to ask for
NOT_FOR_STATIC_CREDS = ("ttl", "role_arn", "role_session_name")


@dataclass
class CredsRequest:
    role: str
    engine: str = "aws"
    mount_point: str | None = None
    kind: str = "creds"
    ttl: t.Any = None
    role_arn: str | None = None
    role_session_name: str | None = None
    source: str = "roleset"
    secret_type: str = "access_token"  # noqa: S105 - a GCP secret kind, not a secret
    key_algorithm: str | None = None
    key_type: str | None = None

    def validate(self) -> None:
        if self.engine not in ENGINES:
            raise ValidationError("engine", f"must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        NAME.check(self.role, "role")
        if self.mount_point not in (None, ""):
            mount_path(self.mount_point, "mount_point")
        for option, engines in ENGINE_OPTIONS.items():
            value = getattr(self, option)
            if self.engine not in engines and value not in (None, "", DEFAULTS.get(option)):
                raise ValidationError(option, f"does not apply to engine={self.engine} (only {', '.join(engines)})")
        if self.kind not in ("creds", "sts", "static-creds"):
            raise ValidationError("kind", f"must be creds, sts or static-creds, not {self.kind!r}")
        if self.kind == "static-creds":
            for option in NOT_FOR_STATIC_CREDS:
                if getattr(self, option) not in (None, ""):
                    raise ValidationError(option, "does not apply to kind=static-creds (a static role's current key)")
        if self.ttl not in (None, ""):
            duration_to_seconds(self.ttl, "ttl")

    @classmethod
    def from_getter(cls, role: str, get: t.Callable[[str], t.Any]) -> CredsRequest:
        """From module params or plugin options, which share these names."""
        return cls(
            role=role,
            engine=get("engine"),
            mount_point=get("mount_point"),
            kind=get("kind") or "creds",
            ttl=get("ttl"),
            role_arn=get("role_arn"),
            role_session_name=get("role_session_name"),
            source=get("source") or "roleset",
            secret_type=get("secret_type") or "access_token",
            key_algorithm=get("key_algorithm"),
            key_type=get("key_type"),
        )

    def identity(self) -> dict[str, t.Any]:
        """What makes two requests the same request (for the cache)."""
        fields = (
            "engine",
            "kind",
            "role",
            "ttl",
            "role_arn",
            "role_session_name",
            "source",
            "secret_type",
            "key_algorithm",
            "key_type",
        )
        identity = {name: getattr(self, name) for name in fields}
        identity["mount_point"] = self.mount_point or DEFAULT_MOUNTS[self.engine]
        return identity


# the keys of a credential per engine (and GCP secret type), besides the lease fields
CREDENTIAL_KEYS: dict[str, tuple[str, ...]] = {
    "aws": ("access_key", "secret_key", "security_token"),
    "gcp/access_token": ("token", "token_ttl", "expires_at_seconds"),
    "gcp/service_account_key": ("private_key_data", "key_algorithm", "key_type"),
    "azure": ("client_id", "client_secret"),
    "alicloud": ("access_key", "secret_key", "security_token", "expiration"),
}


def placeholder(request: CredsRequest) -> dict[str, t.Any]:
    """What check mode returns instead of a credential: its keys, all ``None``, and ``check_mode: True``."""
    engine = f"gcp/{request.secret_type}" if request.engine == "gcp" else request.engine
    creds: dict[str, t.Any] = dict.fromkeys(CREDENTIAL_KEYS[engine])
    creds.update(lease_id=None, lease_duration=0, renewable=False, expires_at=None, check_mode=True)
    return creds


def check_request(request: CredsRequest, wait: WaitOptions | None) -> None:
    """Every rule a request must pass before any request is sent (naming the option it breaks)."""
    request.validate()
    check_wait(request.engine, wait, key_type=request.key_type)


def issue_checked(client: VaultClient, request: CredsRequest, wait: WaitOptions | None) -> dict[str, t.Any]:
    """A new credential, proven first when ``wait`` is given (see ``_proofs``).

    A proven credential also has ``waited`` (seconds until proven) and ``proven_as`` (who the cloud says it is;
    for AWS also in ``arn``). A credential that fails the proof is revoked, so that a failed play leaves no
    IAM user, service principal or key behind.
    """
    check_request(request, wait)
    creds = issue(client, request)
    if wait is None:
        return creds
    try:
        mount = request.mount_point or DEFAULT_MOUNTS[request.engine]
        proof = prove(creds, PROVERS[request.engine](), resolve(client, request.engine, mount, wait))
    except CredentialCheckError as exc:
        if creds.get("lease_id"):
            try:
                Leases(client).revoke(creds["lease_id"])
                note = f"lease {creds['lease_id']} was revoked"
            except VaultOpsError as revoke_error:
                note = f"revoking lease {creds['lease_id']} failed too: {revoke_error}"
            raise CredentialCheckError(f"{exc.message}; {note}") from None
        raise
    creds.update(waited=proof.waited, proven_as=proof.identity)
    if request.engine == "aws":
        creds["arn"] = proof.identity
    return creds


def issue(client: VaultClient, request: CredsRequest) -> dict[str, t.Any]:
    """One new credential as a flat dict with lease fields (see VaultClient.issue for retries)."""
    request.validate()
    mount = request.mount_point or DEFAULT_MOUNTS[request.engine]
    if request.engine == "gcp":
        return GcpEngine(client, mount).issue(
            request.role,
            source=request.source,
            secret_type=request.secret_type,
            key_algorithm=request.key_algorithm,
            key_type=request.key_type,
            ttl=request.ttl,
        )
    if request.engine == "azure":
        return AzureEngine(client, mount).issue(request.role)
    if request.engine == "alicloud":
        return AliCloudEngine(client, mount).issue(request.role)
    return AwsEngine(client, mount).issue(
        request.role,
        kind=request.kind,
        ttl=request.ttl,
        role_arn=request.role_arn,
        role_session_name=request.role_session_name,
    )


class _CheckProver(Prover):
    """The older call shape ``check(creds, endpoint, region)`` as a prover (AWS)."""

    what = "STS GetCallerIdentity"

    def __init__(self, check: t.Callable[..., str]) -> None:
        super().__init__()
        self.check = check

    def prove(self, creds: t.Mapping[str, t.Any], wait: WaitOptions) -> str:
        return self.check(creds, wait.endpoint, wait.region)


def wait_until_valid(
    creds: t.Mapping[str, t.Any],
    *,
    endpoint: str | None = None,
    region: str = "us-east-1",
    successes: int = 3,
    timeout: float = 60,
    interval: float = 1.0,
    check: t.Callable[..., str] = aws_caller_identity,
    clock: t.Callable[[], float] = time.monotonic,
    sleep: t.Callable[[float], None] = time.sleep,
) -> str:
    """AWS keys proven with STS (``_proofs.prove`` with the AWS prover); the caller ARN."""
    wait = WaitOptions(endpoint=endpoint, region=region, successes=successes, timeout=timeout, interval=interval)
    return prove(creds, _CheckProver(check), wait, clock=clock, sleep=sleep).identity
