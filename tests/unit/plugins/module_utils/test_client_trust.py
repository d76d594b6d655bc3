# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Talk only to Vault (issue 7): the proof before the first token, and the 404s that are not "absent"."""

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest
import requests
from conftest import ROOT_TOKEN, FakeResponse

from ansible_collections.vaultops.cloud.plugins.module_utils._client import (
    VaultConnectionError,
    VaultNoRoute,
    VaultOpsError,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError

URL = "http://127.0.0.1:8200"
PROOF = ("GET", "sys/seal-status")


def not_found(*messages: str, path: str = "aws/roles/deploy") -> Exception:
    return hvac.exceptions.InvalidPath(errors=list(messages), method="GET", url=f"{URL}/v1/{path}")


class TokenRecorder:
    """Wraps a fake adapter: which token each request carried."""

    def __init__(self, kit: t.Any) -> None:
        self.tokens: list[tuple[str, str | None]] = []
        adapter = kit.fake.adapter
        original = adapter.request

        def request(method: str, url: str, **kwargs: t.Any) -> t.Any:
            self.tokens.append((url, kit.fake.token))
            return original(method, url, **kwargs)

        adapter.request = request


def test_login_proves_the_server_is_vault_once_and_without_the_token(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    recorder = TokenRecorder(kit)
    kit.client.login()
    kit.client.prove()
    assert [(c.method, c.path) for c in kit.fake.adapter.proofs] == [PROOF]
    assert recorder.tokens == [("/v1/sys/seal-status", None)]
    assert kit.fake.token == ROOT_TOKEN  # set only after the proof


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        pytest.param(FakeResponse(200, None), "answered HTTP 200", id="html-200"),
        pytest.param({"status": "ok"}, "answered without a seal status", id="other-json"),
        pytest.param({"initialized": True, "sealed": "no"}, "answered without a seal status", id="wrong-shape"),
        # a url with an extra path: Vault answers every unknown path with an empty 404
        pytest.param(not_found(path="sys/seal-status"), "failed: not found", id="url-with-a-path"),
        pytest.param(
            hvac.exceptions.InvalidPath(
                "<html>404</html>", method="GET", url=f"{URL}/v1/sys/seal-status", text="<html>404</html>"
            ),
            "without Vault's JSON",
            id="html-404",
        ),
    ],
)
def test_a_server_that_is_not_vault_never_gets_the_token(
    make_client: t.Callable[..., t.Any], answer: t.Any, said: str
) -> None:
    kit = make_client({PROOF: answer}, auth_method="userpass", username="ops", password="secret-password")
    recorder = TokenRecorder(kit)
    with pytest.raises(VaultOpsError) as caught:
        kit.client.login()
    message = str(caught.value)
    assert message.startswith(f"{URL} is not a Vault or OpenBao server: GET {URL}/v1/sys/seal-status")
    assert said in message
    # nothing but the proof was sent: no login with the password, no token
    assert recorder.tokens == [("/v1/sys/seal-status", None)]
    assert [(c.method, c.path) for c in kit.fake.adapter.calls] == [PROOF]


def test_an_unreachable_server_is_reported_as_unreachable(make_client: t.Callable[..., t.Any]) -> None:
    refused = requests.exceptions.ConnectionError("Failed to establish a new connection: [Errno 111] refused")
    kit = make_client({PROOF: refused}, retries=0)
    with pytest.raises(VaultConnectionError, match="cannot reach Vault at"):
        kit.client.login()


@pytest.mark.parametrize(
    ("message", "unmounted"),
    [
        ('no handler for route "nomount/roles/x". route entry not found.', True),
        ("namespace not found", False),
    ],
)
@pytest.mark.parametrize("method", ["read", "list", "delete"])
def test_a_404_about_the_path_itself_is_never_absent(
    make_client: t.Callable[..., t.Any], message: str, unmounted: bool, method: str
) -> None:
    verb = {"read": "GET", "list": "LIST", "delete": "DELETE"}[method]
    kit = make_client({(verb, "aws/roles/deploy"): not_found(message)}, namespace="team-a")
    with pytest.raises(VaultNoRoute) as caught:
        getattr(kit.client, method)("aws/roles/deploy")
    assert caught.value.unmounted is unmounted
    assert caught.value.status == 404
    assert caught.value.path == "aws/roles/deploy"
    assert message.strip().splitlines()[0] in str(caught.value)
    if "namespace" in message:
        assert "namespace 'team-a' does not exist" in str(caught.value)
    # not retried: a missing path does not appear by waiting
    assert len(kit.fake.calls) == 1


@pytest.mark.parametrize("method", ["read", "list"])
def test_vaults_empty_404_is_still_absent(make_client: t.Callable[..., t.Any], method: str) -> None:
    kit = make_client()
    assert getattr(kit.client, method)("aws/roles/deploy") in (None, [])


@pytest.mark.parametrize("method", ["read", "list"])
def test_a_collection_the_engine_does_not_have_is_empty(make_client: t.Callable[..., t.Any], method: str) -> None:
    """An AWS plugin without static roles answers "unsupported path" inside its existing mount."""
    verb = {"read": "GET", "list": "LIST"}[method]
    unsupported = not_found("1 error occurred:\n\t* unsupported path\n\n", path="aws/static-roles")
    kit = make_client({(verb, "aws/static-roles"): unsupported})
    assert getattr(kit.client, method)("aws/static-roles") in (None, [])


@pytest.mark.parametrize("call", ["read", "issue"])
def test_an_untrusted_certificate_is_not_tried_again(make_client: t.Callable[..., t.Any], call: str) -> None:
    failed = requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    kit = make_client({("GET", "aws/creds/deploy"): failed}, retries=5)
    with pytest.raises(VaultConnectionError) as caught:
        getattr(kit.client, call)("aws/creds/deploy")
    assert "set ca_cert or VAULT_CACERT" in str(caught.value)
    assert f"cannot reach Vault at {URL}" in str(caught.value)
    assert len(kit.fake.calls) == 1
    assert kit.sleeps == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"auth_method": "userpass", "username": "../../sys/mounts/aws", "password": "pw"}, "username"),
        ({"auth_method": "userpass", "username": "ops?x=1", "password": "pw"}, "username"),
        ({"auth_method": "approle", "role_id": "r", "auth_mount_point": "approle/../../sys"}, "auth_mount_point"),
        ({"auth_method": "jwt", "jwt": "j", "auth_mount_point": "jwt#x"}, "auth_mount_point"),
    ],
)
def test_the_login_path_is_names_checked_before_any_request(
    make_client: t.Callable[..., t.Any], options: dict[str, t.Any], field: str
) -> None:
    kit = make_client(**options)
    with pytest.raises(ValidationError) as caught:
        kit.client.login()
    assert caught.value.field == field
    assert kit.fake.adapter.calls == []
    assert kit.fake.adapter.proofs == []


# HashiCorp Vault's community edition ignores X-Vault-Namespace (measured on 1.21.1: a mount written "in" a
# namespace lands in the root namespace, 204): a namespace is refused there before any token is sent
@pytest.mark.parametrize(
    ("version", "refused"),
    [
        pytest.param("1.21.1", True, id="vault-community"),
        pytest.param("1.18.5", True, id="vault-community-older"),
        pytest.param("1.21.1+ent", False, id="vault-enterprise"),
        pytest.param("1.19.0+ent.hsm", False, id="vault-enterprise-hsm"),
        pytest.param("2.7.2", False, id="openbao"),
        pytest.param("", False, id="no-version"),
    ],
)
def test_a_namespace_on_a_server_without_namespaces_is_refused(
    make_client: t.Callable[..., t.Any], version: str, refused: bool
) -> None:
    seal_status = {"type": "shamir", "initialized": True, "sealed": False, "version": version}
    kit = make_client({PROOF: seal_status}, namespace="team-a/")
    recorder = TokenRecorder(kit)
    if refused:
        with pytest.raises(VaultOpsError) as caught:
            kit.client.login()
        assert caught.value.message == (
            f"namespace 'team-a' cannot be used with {URL}: it runs HashiCorp Vault {version} (community edition), "
            "which has no namespaces and would act in the root namespace instead; unset namespace, or use Vault "
            "Enterprise or OpenBao"
        )
        assert recorder.tokens == [("/v1/sys/seal-status", None)]
    else:
        kit.client.login()
        assert kit.fake.token == ROOT_TOKEN


def test_no_namespace_on_vault_community_is_fine(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({PROOF: {"type": "shamir", "initialized": True, "sealed": False, "version": "1.21.1"}})
    kit.client.login()
    assert kit.fake.token == ROOT_TOKEN
