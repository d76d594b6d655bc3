# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_creds: the request rules (before any request), issuing from each engine, and the STS proof against a
fake STS on a loopback port (botocore signs real requests to it), with the revoke of a credential that fails it."""

from __future__ import annotations

import http.server
import re
import threading
import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._creds import (
    CredentialCheckError,
    CredsRequest,
    WaitOptions,
    check_request,
    issue,
    issue_checked,
    wait_until_valid,
)

Json = t.Callable[[str], dict[str, t.Any]]
LEASE = "aws/creds/deploy/Yx1Qm3ZbO4kGZ7m1uHn0sD2f"
CALLER = "arn:aws:iam::123456789012:user/vault-token-deploy-1700000000-abcdefghij"
STS_OK = f"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>{CALLER}</Arn>
    <UserId>AIDAEXAMPLEUSERID0001</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""
STS_REFUSED = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidClientTokenId</Code>
    <Message>The security token included in the request is invalid.</Message>
  </Error>
  <RequestId>8f5f1e2a-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>"""


class FakeSts:
    """STS GetCallerIdentity on 127.0.0.1: answers ``outcomes`` in turn (True: the caller, False: refused),
    the last one repeating, and records the access key each signed request came with."""

    def __init__(self, outcomes: list[bool]) -> None:
        self.outcomes = list(outcomes)
        self.keys: list[str] = []
        sts = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                assert "Action=GetCallerIdentity" in body, body
                credential = re.search(r"Credential=([A-Z0-9]+)/", self.headers.get("Authorization", ""))
                sts.keys.append(credential.group(1) if credential else "")
                ok = sts.outcomes.pop(0) if len(sts.outcomes) > 1 else sts.outcomes[0]
                answer = (STS_OK if ok else STS_REFUSED).encode()
                self.send_response(200 if ok else 403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: t.Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sts() -> t.Iterator[t.Callable[[list[bool]], FakeSts]]:
    started: list[FakeSts] = []

    def start(outcomes: list[bool]) -> FakeSts:
        started.append(FakeSts(outcomes))
        return started[-1]

    yield start
    for server in started:
        server.close()


def paths(kit: t.Any) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in kit.fake.calls]


# --- the request rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (CredsRequest("deploy", kind="static-creds", ttl="15m"), "ttl"),
        (CredsRequest("deploy", kind="static-creds", role_arn="arn:aws:iam::123456789012:role/a"), "role_arn"),
        (CredsRequest("deploy", kind="static-creds", role_session_name="ci"), "role_session_name"),
        (CredsRequest("deploy", engine="gcp", kind="sts"), "kind"),
        (CredsRequest("deploy", engine="azure", ttl=60), "ttl"),
        (CredsRequest("deploy", engine="alicloud", role_arn="acs:ram::1:role/x"), "role_arn"),
        (CredsRequest("deploy", engine="aws", source="static-account"), "source"),
        (CredsRequest("deploy", engine="aws", secret_type="service_account_key"), "secret_type"),
        (CredsRequest("deploy", engine="vault"), "engine"),
        (CredsRequest("deploy", kind="session"), "kind"),
        (CredsRequest("deploy", kind="sts", ttl="soon"), "ttl"),
        (CredsRequest("a/b"), "role"),
        (CredsRequest("../sys"), "role"),
        (CredsRequest(""), "role"),
        (CredsRequest("deploy", mount_point="aws/../sys"), "mount_point"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_requests_are_refused_naming_the_field_before_any_request(
    make_client: t.Callable[..., t.Any], request_: CredsRequest, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        check_request(request_, None)
    assert info.value.field == field
    kit = make_client()
    with pytest.raises(ValidationError) as again:
        issue_checked(kit.client, request_, None)
    assert again.value.field == field
    assert kit.fake.adapter.calls == []


def test_static_creds_with_ttl_says_why(make_client: t.Callable[..., t.Any]) -> None:
    with pytest.raises(ValidationError, match=r"does not apply to kind=static-creds \(a static role's current key\)"):
        check_request(CredsRequest("ci-bot", kind="static-creds", ttl=900), None)


def test_azure_wait_options_are_refused_for_other_engines() -> None:
    """Every engine has a proof now (issue 11); the Azure-only wait options still name themselves elsewhere."""
    with pytest.raises(ValidationError) as info:
        check_request(CredsRequest("deploy", engine="aws"), WaitOptions(tenant_id="t1"))
    assert info.value.field == "wait_tenant_id"


@pytest.mark.parametrize(
    ("getter", "expected"),
    [
        ({"wait_until_valid": False}, None),
        (
            {
                "wait_until_valid": True,
                "wait_sts_endpoint": "http://sts.local",
                "wait_region": "eu-west-1",
                "wait_successes": 2,
                "wait_timeout": 5,
            },
            WaitOptions(endpoint="http://sts.local", region="eu-west-1", successes=2, timeout=5),
        ),
    ],
    ids=["off", "on"],
)
def test_wait_options_from_the_plugin_options(getter: dict[str, t.Any], expected: WaitOptions | None) -> None:
    assert WaitOptions.from_getter(getter.get) == expected


# --- issuing --------------------------------------------------------------------------------------------


def test_issue_aws_iam_user(make_client: t.Callable[..., t.Any], vault_json: Json) -> None:
    kit = make_client({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    creds = issue(kit.client, CredsRequest("deploy"))
    assert creds["access_key"] == "AKIAIOSFODNN7EXAMPLE"
    assert creds["secret_key"] == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert creds["security_token"] is None
    assert (creds["lease_id"], creds["lease_duration"], creds["renewable"]) == (LEASE, 3600, True)
    assert paths(kit) == [("GET", "aws/creds/deploy")]


def test_issue_aws_sts_with_ttl_and_role_arn(make_client: t.Callable[..., t.Any], vault_json: Json) -> None:
    kit = make_client({("POST", "team-aws/sts/deploy"): vault_json("aws_sts_assumed_role")})
    request = CredsRequest(
        "deploy", mount_point="team-aws", kind="sts", ttl="15m", role_arn="arn:aws:iam::123456789012:role/admin"
    )
    creds = issue(kit.client, request)
    assert creds["security_token"] == "FwoGZXIvYXdzEXAMPLETOKEN"
    assert creds["arn"] == "arn:aws:sts::123456789012:assumed-role/admin/vault-1700000000-abcdefghij"
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [
        ("POST", "team-aws/sts/deploy", {"ttl": "900s", "role_arn": "arn:aws:iam::123456789012:role/admin"})
    ]


def test_issue_aws_static_creds(make_client: t.Callable[..., t.Any], vault_json: Json) -> None:
    kit = make_client({("GET", "aws/static-creds/ci-bot"): vault_json("aws_static_creds")})
    creds = issue(kit.client, CredsRequest("ci-bot", kind="static-creds"))
    assert creds["access_key"] == "AKIASTATICEXAMPLE001"
    assert creds["lease_id"] is None
    assert paths(kit) == [("GET", "aws/static-creds/ci-bot")]


@pytest.mark.parametrize(
    ("request_", "path"),
    [
        (CredsRequest("tok", engine="gcp"), "gcp/roleset/tok/token"),
        (CredsRequest("sa", engine="gcp", source="static-account"), "gcp/static-account/sa/token"),
        (CredsRequest("sp", engine="azure", mount_point="az"), "az/creds/sp"),
        (CredsRequest("ram", engine="alicloud"), "alicloud/creds/ram"),
    ],
    ids=["gcp-roleset", "gcp-static", "azure", "alicloud"],
)
def test_issue_reads_the_engines_path(make_client: t.Callable[..., t.Any], request_: CredsRequest, path: str) -> None:
    kit = make_client({("GET", path): {"lease_id": "", "lease_duration": 0, "data": {"token": "t"}}})
    issue(kit.client, request_)
    assert paths(kit) == [("GET", path)]


def test_a_failed_issue_is_not_retried(make_client: t.Callable[..., t.Any]) -> None:
    """A timeout may have minted a credential: never ask twice."""
    error = hvac.exceptions.InternalServerError(errors=["1 error occurred: IAM throttled"])
    kit = make_client({("GET", "aws/creds/deploy"): error})
    with pytest.raises(VaultOpsError, match="IAM throttled"):
        issue(kit.client, CredsRequest("deploy"))
    assert paths(kit) == [("GET", "aws/creds/deploy")]


# --- the proof, against a fake STS -------------------------------------------------------------------------


def test_proof_calls_sts_with_the_new_key_and_returns_the_caller(
    make_client: t.Callable[..., t.Any], vault_json: Json, sts: t.Callable[[list[bool]], FakeSts]
) -> None:
    server = sts([True])
    kit = make_client({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    creds = issue_checked(kit.client, CredsRequest("deploy"), WaitOptions(endpoint=server.endpoint, successes=1))
    assert creds["arn"] == CALLER
    assert server.keys == ["AKIAIOSFODNN7EXAMPLE"]
    assert paths(kit) == [("GET", "aws/creds/deploy")]  # nothing revoked


def test_a_credential_that_fails_the_proof_is_revoked(
    make_client: t.Callable[..., t.Any], vault_json: Json, sts: t.Callable[[list[bool]], FakeSts]
) -> None:
    server = sts([False])
    kit = make_client({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    wait = WaitOptions(endpoint=server.endpoint, successes=1, timeout=0)
    with pytest.raises(CredentialCheckError) as info:
        issue_checked(kit.client, CredsRequest("deploy"), wait)
    assert "did not pass 1 STS GetCallerIdentity calls in a row" in info.value.message
    assert "InvalidClientTokenId" in info.value.message
    assert info.value.message.endswith(f"lease {LEASE} was revoked")
    assert server.keys == ["AKIAIOSFODNN7EXAMPLE"]
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [
        ("GET", "aws/creds/deploy", None),
        ("PUT", "sys/leases/revoke", {"lease_id": LEASE}),
    ]


def test_a_failed_revoke_after_a_failed_proof_is_told(
    make_client: t.Callable[..., t.Any], vault_json: Json, sts: t.Callable[[list[bool]], FakeSts]
) -> None:
    server = sts([False])
    denied = hvac.exceptions.Forbidden(errors=["permission denied"])
    kit = make_client(
        {("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user"), ("PUT", "sys/leases/revoke"): denied}
    )
    with pytest.raises(CredentialCheckError) as info:
        issue_checked(kit.client, CredsRequest("deploy"), WaitOptions(endpoint=server.endpoint, timeout=0))
    assert f"revoking lease {LEASE} failed too: permission denied" in info.value.message
    assert [c.path for c in kit.fake.calls] == ["aws/creds/deploy", "sys/leases/revoke"]  # tried once


def test_a_failed_proof_without_a_lease_revokes_nothing(
    make_client: t.Callable[..., t.Any], vault_json: Json, sts: t.Callable[[list[bool]], FakeSts]
) -> None:
    server = sts([False])
    kit = make_client({("GET", "aws/static-creds/ci-bot"): vault_json("aws_static_creds")})
    with pytest.raises(CredentialCheckError):
        issue_checked(
            kit.client, CredsRequest("ci-bot", kind="static-creds"), WaitOptions(endpoint=server.endpoint, timeout=0)
        )
    assert paths(kit) == [("GET", "aws/static-creds/ci-bot")]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_proof_needs_a_run_of_successes() -> None:
    """New IAM keys flap for a while: a refusal after a success starts the count again."""
    answers = iter([True, False, True, True, True])
    seen: list[str] = []

    def check(creds: t.Mapping[str, t.Any], endpoint: str | None, region: str) -> str:
        seen.append(f"{creds['access_key']}@{endpoint}/{region}")
        if next(answers):
            return CALLER
        raise RuntimeError("InvalidClientTokenId")

    clock = Clock()
    arn = wait_until_valid(
        {"access_key": "AKIA1"}, endpoint="http://sts", region="eu-west-1", successes=3, timeout=60,
        check=check, clock=clock.time, sleep=clock.sleep,
    )  # fmt: skip
    assert arn == CALLER
    assert seen == ["AKIA1@http://sts/eu-west-1"] * 5
    assert clock.sleeps == [1.0] * 4


def test_proof_gives_up_after_the_timeout_with_the_last_error() -> None:
    def check(_creds: t.Mapping[str, t.Any], _endpoint: str | None, _region: str) -> str:
        raise RuntimeError("InvalidClientTokenId")

    clock = Clock()
    with pytest.raises(CredentialCheckError, match=r"within 3s; last error: RuntimeError: InvalidClientTokenId"):
        wait_until_valid({}, successes=2, timeout=3, check=check, clock=clock.time, sleep=clock.sleep)
    assert clock.sleeps == [1.0, 1.0, 1.0]


def test_proof_needs_at_least_one_success() -> None:
    with pytest.raises(ValidationError) as info:
        wait_until_valid({}, successes=0)
    assert info.value.field == "wait_successes"
