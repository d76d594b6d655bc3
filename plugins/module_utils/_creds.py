# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Issue credentials from a cloud engine and prove that they work; shared by the creds lookup and module.

No Ansible imports. botocore is imported only when ``wait_until_valid`` is asked for.
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


class CredentialCheckError(VaultOpsError):
    """The issued credential did not work within the wait timeout."""


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


@dataclass
class WaitOptions:
    """How ``wait_until_valid`` proves a credential (the ``wait_*`` options of the module and the lookup)."""

    endpoint: str | None = None
    region: str = "us-east-1"
    successes: int = 3
    timeout: float = 60

    @classmethod
    def from_getter(cls, get: t.Callable[[str], t.Any]) -> WaitOptions | None:
        if not get("wait_until_valid"):
            return None
        return cls(
            endpoint=get("wait_sts_endpoint"),
            region=get("wait_region"),
            successes=get("wait_successes"),
            timeout=get("wait_timeout"),
        )


def check_request(request: CredsRequest, wait: WaitOptions | None) -> None:
    """Every rule a request must pass before any request is sent (naming the option it breaks)."""
    request.validate()
    if wait is not None and request.engine != "aws":
        raise ValidationError("wait_until_valid", f"proves AWS credentials with STS; engine={request.engine} has none")


def issue_checked(client: VaultClient, request: CredsRequest, wait: WaitOptions | None) -> dict[str, t.Any]:
    """A new credential, proven with STS first when ``wait`` is given (its caller ARN then in ``arn``).

    A credential that fails the proof is revoked, so that a failed play leaves no IAM user behind.
    """
    check_request(request, wait)
    creds = issue(client, request)
    if wait is None:
        return creds
    try:
        creds["arn"] = wait_until_valid(
            creds, endpoint=wait.endpoint, region=wait.region, successes=wait.successes, timeout=wait.timeout
        )
    except CredentialCheckError as exc:
        if creds.get("lease_id"):
            try:
                Leases(client).revoke(creds["lease_id"])
                note = f"lease {creds['lease_id']} was revoked"
            except VaultOpsError as revoke_error:
                note = f"revoking lease {creds['lease_id']} failed too: {revoke_error}"
            raise CredentialCheckError(f"{exc.message}; {note}") from None
        raise
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


def caller_identity(creds: t.Mapping[str, t.Any], endpoint: str | None, region: str, timeout: float = 10) -> str:
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


def wait_until_valid(
    creds: t.Mapping[str, t.Any],
    *,
    endpoint: str | None = None,
    region: str = "us-east-1",
    successes: int = 3,
    timeout: float = 60,
    interval: float = 1.0,
    check: t.Callable[..., str] = caller_identity,
    clock: t.Callable[[], float] = time.monotonic,
    sleep: t.Callable[[float], None] = time.sleep,
) -> str:
    """Call STS with the new keys until ``successes`` calls in a row succeed; the caller ARN.

    New IAM access keys take a few seconds to reach every AWS endpoint, so one
    success may be followed by a refusal; only a run of successes proves them.
    """
    if successes < 1:
        raise ValidationError("wait_successes", "must be at least 1")
    deadline = clock() + timeout
    streak = 0
    arn = ""
    last_error = "no attempt made"
    while True:
        try:
            arn = check(creds, endpoint, region)
            streak += 1
            if streak >= successes:
                return arn
        except VaultOpsError:
            raise
        except Exception as exc:  # botocore raises many types; the message is what matters
            streak = 0
            last_error = f"{type(exc).__name__}: {exc}"
        if clock() >= deadline:
            raise CredentialCheckError(
                f"the issued credential did not pass {successes} STS GetCallerIdentity calls in a row within "
                f"{timeout:.0f}s; last error: {last_error}",
            )
        sleep(interval)
