# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import email.utils
import re
import typing as t
from pathlib import Path
from types import SimpleNamespace

import hvac.exceptions
import pytest
import requests
import urllib3.exceptions

from ansible_collections.vaultops.cloud.plugins.module_utils._client import (
    ConnectionOptions,
    VaultClient,
    VaultConnectionError,
    VaultCredentialLost,
    VaultInvalidRequest,
    VaultOpsError,
    VaultPermissionError,
    VaultSealedError,
    VaultUnsupportedFields,
    env_value,
    retry_after,
    to_bool,
)

URL = "http://127.0.0.1:8200"
ROLE_PATH = "aws/roles/deploy"


def vault_error(cls: type[hvac.exceptions.VaultError], *messages: str, path: str = ROLE_PATH) -> Exception:
    """An hvac exception as its adapter raises it for an HTTP error answer."""
    return cls(errors=list(messages), method="GET", url=f"{URL}/v1/{path}")


def http_error(status: int, message: str) -> Exception:
    """Exactly what hvac's adapter raises for an HTTP error answer with that status."""
    return hvac.exceptions.VaultError.from_status(status, errors=[message], method="GET", url=f"{URL}/v1/{ROLE_PATH}")


def getter(options: dict[str, t.Any]) -> t.Callable[[str], t.Any]:
    return options.get


# --- connection options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "environ", "expected"),
    [
        pytest.param(
            {},
            {"VAULT_ADDR": "https://vault.example:8200/", "BAO_ADDR": "https://bao.example:8200"},
            {"url": "https://vault.example:8200"},
            id="vault-addr-first-and-trailing-slash-dropped",
        ),
        pytest.param(
            {},
            {"BAO_ADDR": "https://bao.example:8200", "BAO_TOKEN": "b.token", "BAO_NAMESPACE": "team"},
            {"url": "https://bao.example:8200", "token": "b.token", "namespace": "team"},
            id="bao-fallbacks",
        ),
        pytest.param(
            {},
            {"VAULT_ADDR": "", "BAO_ADDR": "https://bao.example:8200"},
            {"url": "https://bao.example:8200"},
            id="empty-vault-addr-skipped",
        ),
        pytest.param(
            {"url": "https://option.example", "token": "opt-token"},
            {"VAULT_ADDR": "https://env.example", "VAULT_TOKEN": "env-token"},
            {"url": "https://option.example", "token": "opt-token"},
            id="options-beat-environment",
        ),
        pytest.param(
            {"url": "", "token": ""},
            {"VAULT_ADDR": "https://env.example", "VAULT_TOKEN": "env-token"},
            {"url": "https://env.example", "token": "env-token"},
            id="empty-option-falls-back",
        ),
        pytest.param(
            {},
            {
                "VAULT_ADDR": URL,
                "VAULT_CACERT": "/etc/ca.pem",
                "BAO_CACERT": "/other.pem",
                "BAO_CLIENT_CERT": "/c.pem",
                "VAULT_CLIENT_KEY": "/k.pem",
            },
            {"ca_cert": "/etc/ca.pem", "client_cert": "/c.pem", "client_key": "/k.pem"},
            id="tls-files",
        ),
        pytest.param(
            {},
            {"VAULT_ADDR": URL},
            {
                "validate_certs": True,
                "retries": 10,
                "retry_window": 30,
                "timeout": 30,
                "auth_method": "token",
                "token": None,
                "namespace": None,
            },
            id="defaults",
        ),
        pytest.param(
            {"retries": "5", "timeout": 7, "auth_method": "approle", "auth_mount_point": "ci", "role_id": "r"},
            {"VAULT_ADDR": URL},
            {"retries": 5, "timeout": 7.0, "auth_method": "approle", "auth_mount_point": "ci", "role_id": "r"},
            id="numbers-and-auth",
        ),
    ],
)
def test_from_getter(options: dict[str, t.Any], environ: dict[str, str], expected: dict[str, t.Any]) -> None:
    resolved = ConnectionOptions.from_getter(getter(options), environ=environ)
    assert {name: getattr(resolved, name) for name in expected} == expected


@pytest.mark.parametrize(
    ("validate_certs", "environ", "expected"),
    [
        (None, {}, True),
        (None, {"VAULT_SKIP_VERIFY": "true"}, False),
        (None, {"VAULT_SKIP_VERIFY": "1"}, False),
        (None, {"VAULT_SKIP_VERIFY": "false"}, True),
        (None, {"VAULT_SKIP_VERIFY": "0"}, True),
        (None, {"BAO_SKIP_VERIFY": "yes"}, False),
        (None, {"VAULT_SKIP_VERIFY": "false", "BAO_SKIP_VERIFY": "true"}, True),
        (True, {"VAULT_SKIP_VERIFY": "true"}, True),
        (False, {}, False),
    ],
)
def test_from_getter_validate_certs(validate_certs: bool | None, environ: dict[str, str], expected: bool) -> None:
    options = {"url": URL, "validate_certs": validate_certs}
    assert ConnectionOptions.from_getter(getter(options), environ=environ).validate_certs is expected


def test_from_getter_needs_an_address() -> None:
    with pytest.raises(VaultOpsError) as exc_info:
        ConnectionOptions.from_getter(getter({}), environ={"VAULT_TOKEN": "t"})
    assert "no Vault address" in str(exc_info.value)
    assert "VAULT_ADDR" in str(exc_info.value)


def test_from_getter_refuses_unknown_auth_method() -> None:
    with pytest.raises(VaultOpsError) as exc_info:
        ConnectionOptions.from_getter(getter({"url": URL, "auth_method": "ldap"}), environ={})
    assert "auth_method must be one of token, approle, userpass, jwt, cert, none, not 'ldap'" in str(exc_info.value)


def test_secrets_kept_out_of_repr() -> None:
    options = ConnectionOptions(url=URL, token="tok-123", secret_id="sid-456", password="pw-789", jwt="jwt-0")
    text = repr(options)
    assert all(secret not in text for secret in ("tok-123", "sid-456", "pw-789", "jwt-0"))


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        ("url", {"VAULT_ADDR": "a", "BAO_ADDR": "b"}, "a"),
        ("url", {"BAO_ADDR": "b"}, "b"),
        ("token", {}, None),
        ("unknown", {"VAULT_UNKNOWN": "x"}, None),
    ],
)
def test_env_value(option: str, environ: dict[str, str], expected: str | None) -> None:
    assert env_value(option, environ) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("1", True),
        ("no", False),
        ("", False),
        (0, False),
        (1, True),
    ],
)
def test_to_bool(value: t.Any, expected: bool) -> None:
    assert to_bool(value) is expected


# --- token login ----------------------------------------------------------------------------------


def test_token_login_uses_the_token_option(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client(token="s.option")
    assert kit.client.login() is kit.client
    assert (kit.fake.token, kit.fake.calls) == ("s.option", [])


def test_token_login_reads_token_path(make_client: t.Callable[..., t.Any], tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s.from-file\n", encoding="utf-8")
    kit = make_client(token=None, token_path=str(token_file))
    kit.client.login()
    assert kit.fake.token == "s.from-file"


def test_token_login_reads_home_vault_token(
    make_client: t.Callable[..., t.Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".vault-token").write_text("s.home\n", encoding="utf-8")
    kit = make_client(token=None)
    kit.client.login()
    assert kit.fake.token == "s.home"


def test_token_option_beats_token_file(make_client: t.Callable[..., t.Any], tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s.from-file", encoding="utf-8")
    kit = make_client(token="s.option", token_path=str(token_file))
    kit.client.login()
    assert kit.fake.token == "s.option"


@pytest.mark.parametrize("content", [None, "", "  \n"])
def test_token_login_without_token_fails(
    make_client: t.Callable[..., t.Any],
    tmp_path: Path,
    content: str | None,
) -> None:
    token_file = tmp_path / "token"
    if content is not None:
        token_file.write_text(content, encoding="utf-8")
    kit = make_client(token=None, token_path=str(token_file))
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.login()
    assert "no Vault token" in str(exc_info.value)
    assert kit.fake.token is None


# --- other auth methods ---------------------------------------------------------------------------

LOGIN_ANSWER = {"auth": {"client_token": "s.issued", "policies": ["default"]}}


@pytest.mark.parametrize(
    ("options", "path", "body"),
    [
        pytest.param(
            {"auth_method": "approle", "role_id": "rid", "secret_id": "sid"},
            "auth/approle/login",
            {"role_id": "rid", "secret_id": "sid"},
            id="approle",
        ),
        pytest.param(
            {"auth_method": "approle", "role_id": "rid"},
            "auth/approle/login",
            {"role_id": "rid"},
            id="approle-without-secret-id",
        ),
        pytest.param(
            {"auth_method": "approle", "auth_mount_point": "ci-approle", "role_id": "rid", "secret_id": "sid"},
            "auth/ci-approle/login",
            {"role_id": "rid", "secret_id": "sid"},
            id="approle-custom-mount",
        ),
        pytest.param(
            {"auth_method": "userpass", "username": "alice", "password": "pw"},
            "auth/userpass/login/alice",
            {"password": "pw"},
            id="userpass",
        ),
        pytest.param(
            {"auth_method": "jwt", "jwt": "eyJhbGciOi.payload.sig", "role": "deploy"},
            "auth/jwt/login",
            {"jwt": "eyJhbGciOi.payload.sig", "role": "deploy"},
            id="jwt",
        ),
        pytest.param(
            {"auth_method": "jwt", "auth_mount_point": "gitlab", "jwt": "eyJ.x.y"},
            "auth/gitlab/login",
            {"jwt": "eyJ.x.y"},
            id="jwt-default-role-custom-mount",
        ),
    ],
)
def test_login_methods(
    make_client: t.Callable[..., t.Any],
    options: dict[str, t.Any],
    path: str,
    body: dict[str, t.Any],
) -> None:
    kit = make_client({("POST", path): LOGIN_ANSWER}, token=None, **options)
    kit.client.login()
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [("POST", path, body)]
    assert kit.fake.token == "s.issued"


def test_approle_login_with_recorded_answer(make_client: t.Callable[..., t.Any], vault_json: t.Any) -> None:
    kit = make_client(
        {("POST", "auth/approle/login"): vault_json("approle_login")},
        token=None,
        auth_method="approle",
        role_id="rid",
        secret_id="sid",
    )
    kit.client.login()
    assert kit.fake.token == "s.approle-issued-token"


@pytest.mark.parametrize(
    ("options", "missing"),
    [
        ({"auth_method": "approle"}, "role_id"),
        ({"auth_method": "userpass", "password": "pw"}, "username"),
        ({"auth_method": "userpass", "username": "alice"}, "password"),
        ({"auth_method": "userpass"}, "username, password"),
        ({"auth_method": "jwt", "role": "deploy"}, "jwt"),
    ],
)
def test_login_needs_credentials(make_client: t.Callable[..., t.Any], options: dict[str, t.Any], missing: str) -> None:
    kit = make_client(token=None, **options)
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.login()
    assert str(exc_info.value) == f"auth_method={options['auth_method']} needs {missing}"
    assert kit.fake.calls == []


def test_login_without_client_token_fails(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("POST", "auth/approle/login"): {"auth": None}}, token=None, auth_method="approle", role_id="r")
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.login()
    assert "approle login returned no client token" in str(exc_info.value)
    assert exc_info.value.path == "auth/approle/login"
    assert kit.fake.token is None


def test_login_refused_reports_vault_message(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client(
        {
            ("POST", "auth/userpass/login/alice"): vault_error(
                hvac.exceptions.InvalidRequest, "invalid username or password"
            )
        },
        token=None,
        auth_method="userpass",
        username="alice",
        password="wrong",
    )
    with pytest.raises(VaultInvalidRequest) as exc_info:
        kit.client.login()
    assert "invalid username or password" in str(exc_info.value)
    assert len(kit.fake.calls) == 1
    assert kit.fake.token is None


# --- raw API --------------------------------------------------------------------------------------


def test_read_returns_data(make_client: t.Callable[..., t.Any], vault_json: t.Any) -> None:
    kit = make_client({("GET", ROLE_PATH): vault_json("aws_role_deploy")})
    data = kit.client.read(f"/{ROLE_PATH}/")
    assert data is not None
    assert data["credential_type"] == "iam_user"
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [("GET", ROLE_PATH, None)]


def test_read_missing_is_none(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    assert kit.client.read(ROLE_PATH) is None
    assert len(kit.fake.calls) == 1


def test_read_without_data_is_empty(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", ROLE_PATH): {"data": None}})
    assert kit.client.read(ROLE_PATH) == {}


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ({("LIST", "aws/roles"): {"data": {"keys": ["deploy", "admin"]}}}, ["deploy", "admin"]),
        ({}, []),
        ({("LIST", "aws/roles"): {"data": {}}}, []),
    ],
)
def test_list(make_client: t.Callable[..., t.Any], routes: dict[t.Any, t.Any], expected: list[str]) -> None:
    kit = make_client(routes)
    assert kit.client.list("aws/roles") == expected
    assert [c.method for c in kit.fake.calls] == ["LIST"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (None, {}),
        (SimpleNamespace(status_code=204), {}),
        (SimpleNamespace(status_code=200, json=lambda: {"warnings": ["w"]}), {"warnings": ["w"]}),
        ({"data": {"k": "v"}}, {"data": {"k": "v"}}),
    ],
    ids=["none", "204", "raw-200", "json"],
)
def test_write(make_client: t.Callable[..., t.Any], answer: t.Any, expected: dict[str, t.Any]) -> None:
    kit = make_client({("POST", ROLE_PATH): answer})
    assert kit.client.write(ROLE_PATH, {"credential_type": "iam_user"}) == expected
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [
        ("POST", ROLE_PATH, {"credential_type": "iam_user"})
    ]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            SimpleNamespace(status_code=200, headers={"Content-Type": "text/html"}, json=lambda: int("html")),
            id="html-200",
        ),
        pytest.param(SimpleNamespace(status_code=200, headers={}, json=lambda: ["a", "list"]), id="json-not-an-object"),
    ],
)
def test_an_answer_that_is_not_vaults_json_is_an_error(make_client: t.Callable[..., t.Any], answer: t.Any) -> None:
    kit = make_client({("POST", ROLE_PATH): answer, ("GET", ROLE_PATH): answer})
    for operation in (lambda c: c.write(ROLE_PATH, {"a": 1}), lambda c: c.read(ROLE_PATH)):
        with pytest.raises(VaultOpsError) as caught:
            operation(kit.client)
        assert f"{URL}/v1/{ROLE_PATH} answered HTTP 200" in caught.value.message
        assert "not a Vault or OpenBao API" in caught.value.message
        assert caught.value.retryable is False


@pytest.mark.parametrize("status", [400, 404])
def test_an_error_page_that_is_not_vaults_json_is_never_absent(
    make_client: t.Callable[..., t.Any], status: int
) -> None:
    page = hvac.exceptions.VaultError.from_status(
        status, errors=None, text="<html>Not Found</html>", method="GET", url=f"{URL}/v1/{ROLE_PATH}"
    )
    kit = make_client({("GET", ROLE_PATH): page, ("LIST", ROLE_PATH): page, ("DELETE", ROLE_PATH): page})
    for operation in (lambda c: c.read(ROLE_PATH), lambda c: c.list(ROLE_PATH), lambda c: c.delete(ROLE_PATH)):
        with pytest.raises(VaultOpsError) as caught:
            operation(kit.client)
        assert caught.value.message.startswith(f"{URL}/v1/{ROLE_PATH} answered HTTP {status} without Vault's JSON")


def test_vaults_own_not_found_is_absent(make_client: t.Callable[..., t.Any]) -> None:
    absent = hvac.exceptions.InvalidPath(errors=[], method="GET", url=f"{URL}/v1/{ROLE_PATH}")
    kit = make_client({("GET", ROLE_PATH): absent})
    assert kit.client.read(ROLE_PATH) is None


IGNORED = "Endpoint ignored these unrecognized parameters: [external_id rotation_window]"


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"data": {"username": "u"}, "warnings": ["other", IGNORED]}, id="json"),
        pytest.param(SimpleNamespace(status_code=200, json=lambda: {"warnings": [IGNORED]}), id="raw-200"),
    ],
)
def test_write_of_fields_the_engine_ignores_is_an_error(make_client: t.Callable[..., t.Any], answer: t.Any) -> None:
    kit = make_client({("POST", "aws/static-roles/s"): answer})
    with pytest.raises(VaultUnsupportedFields) as caught:
        kit.client.write("/aws/static-roles/s/", {"username": "u", "external_id": "x", "rotation_window": 60})
    error = caught.value
    assert isinstance(error, VaultOpsError)
    assert error.fields == ["external_id", "rotation_window"]
    assert error.path == "aws/static-roles/s"
    assert error.message == (
        "this server's engine does not support external_id, rotation_window at aws/static-roles/s (Vault answered: "
        f"{IGNORED}); the other fields were written"
    )
    assert str(error).endswith("(path: aws/static-roles/s)")
    # the write itself went through (once: no retry), so Vault changed
    assert error.changed is True
    assert error.retryable is False
    assert [c.method for c in kit.fake.calls] == ["POST"]


@pytest.mark.parametrize(
    "warnings",
    [["Endpoint ignored these unrecognized parameters: []"], ["ignored these parameters"], None],
    ids=["empty-list", "other-warning", "none"],
)
def test_write_with_other_warnings_is_no_error(make_client: t.Callable[..., t.Any], warnings: t.Any) -> None:
    kit = make_client({("POST", ROLE_PATH): {"warnings": warnings}})
    assert kit.client.write(ROLE_PATH, {"a": 1}) == {"warnings": warnings}


def test_schema_fields_reads_the_body_of_the_write(make_client: t.Callable[..., t.Any]) -> None:
    help_answer = {
        "openapi": {
            "paths": {
                "/config/root": {
                    "get": {"operationId": "read"},
                    "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/c/s/Write"}}}}},
                }
            },
            "components": {"schemas": {"Write": {"properties": {"region": {}, "rotation_period": {}}}}},
        }
    }
    kit = make_client({("GET", "aws/config/root?help=1"): help_answer, ("GET", "gcp/config?help=1"): {"openapi": {}}})
    assert kit.client.schema_fields("/aws/config/root") == {"region", "rotation_period"}
    assert kit.client.schema_fields("gcp/config") == set()


def test_write_without_data_sends_empty_object(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client()
    kit.client.write("sys/leases/tidy", method="PUT")
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [("PUT", "sys/leases/tidy", {})]


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [(None, True), (hvac.exceptions.InvalidPath(errors=[], method="DELETE", url=URL), False)],
    ids=["deleted", "missing"],
)
def test_delete(make_client: t.Callable[..., t.Any], outcome: t.Any, expected: bool) -> None:
    kit = make_client({("DELETE", ROLE_PATH): outcome})
    assert kit.client.delete(ROLE_PATH) is expected
    assert [(c.method, c.path) for c in kit.fake.calls] == [("DELETE", ROLE_PATH)]


def test_write_to_missing_path_is_an_error(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("POST", "nope/config"): vault_error(hvac.exceptions.InvalidPath, "no handler for route")})
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.write("nope/config", {"a": 1})
    assert (exc_info.value.status, exc_info.value.path) == (404, "nope/config")
    assert (exc_info.value.retryable, exc_info.value.refused) == (False, False)
    assert len(kit.fake.calls) == 1
    assert "no handler for route" in str(exc_info.value)


# --- error mapping --------------------------------------------------------------------------------


def assert_error(
    exc: BaseException, cls: type[VaultOpsError], status: int | None, retryable: bool, refused: bool
) -> None:
    """The exact class (not a subclass) and the attributes the retry policy reads."""
    assert isinstance(exc, cls)
    assert exc.__class__.__name__ == cls.__name__
    assert (exc.status, exc.retryable, exc.refused) == (status, retryable, refused)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (None, False),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (405, False),
        (412, True),
        (429, True),
        (500, False),
        (501, False),
        (502, True),
        (503, True),
        (504, True),
    ],
)
def test_retryable_follows_the_status(status: int | None, retryable: bool) -> None:
    error = VaultOpsError("boom", path=ROLE_PATH, status=status)
    assert (error.status, error.retryable, error.refused) == (status, retryable, False)


def test_error_subclasses_defaults() -> None:
    connection = VaultConnectionError("cannot reach Vault", path=ROLE_PATH)
    assert (connection.status, connection.retryable, connection.refused) == (None, True, False)
    sealed = VaultSealedError("sealed")
    assert (sealed.status, sealed.retryable, sealed.refused) == (503, True, False)
    standby = VaultSealedError("no active node", status=500)
    assert (standby.status, standby.retryable, standby.refused) == (500, True, False)
    denied = VaultPermissionError("permission denied", status=403)
    assert (denied.status, denied.retryable, denied.refused) == (403, False, False)
    invalid = VaultInvalidRequest("invalid", status=400)
    assert (invalid.status, invalid.retryable, invalid.refused) == (400, False, False)


@pytest.mark.parametrize(
    ("error", "cls", "status", "text"),
    [
        pytest.param(
            vault_error(hvac.exceptions.Forbidden, "1 error occurred:\n\t* permission denied\n\n"),
            VaultPermissionError,
            403,
            "permission denied",
            id="forbidden",
        ),
        pytest.param(
            vault_error(
                hvac.exceptions.InvalidRequest, "cannot supply role_arns when credential_type isn't assumed_role"
            ),
            VaultInvalidRequest,
            400,
            "cannot supply role_arns",
            id="invalid-request",
        ),
        pytest.param(
            vault_error(hvac.exceptions.Unauthorized, "missing client token"),
            VaultOpsError,
            401,
            "missing client token",
            id="unauthorized",
        ),
        pytest.param(
            http_error(501, "Vault is not initialized"),
            VaultOpsError,
            501,
            "Vault is not initialized",
            id="not-initialized-501",
        ),
    ],
)
def test_errors_carry_vault_message_and_path(
    make_client: t.Callable[..., t.Any],
    error: Exception,
    cls: type[VaultOpsError],
    status: int | None,
    text: str,
) -> None:
    kit = make_client({("POST", ROLE_PATH): error})
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.write(ROLE_PATH, {"credential_type": "iam_user"})
    assert_error(exc_info.value, cls, status, retryable=False, refused=False)
    assert exc_info.value.path == ROLE_PATH
    assert text in str(exc_info.value)
    assert f"(path: {ROLE_PATH})" in str(exc_info.value)
    assert len(kit.fake.calls) == 1, "client errors are not retried"
    assert kit.sleeps == []


@pytest.mark.parametrize(
    ("status", "text"),
    [
        pytest.param(405, "unsupported operation", id="405"),
        pytest.param(412, "required index state not present", id="412"),
        pytest.param(504, "gateway timeout", id="504"),
    ],
)
def test_unexpected_error_has_no_status_and_is_retried(
    make_client: t.Callable[..., t.Any], status: int, text: str
) -> None:
    unexpected = http_error(status, f"1 error occurred:\n\t* {text}\n\n")
    assert unexpected.__class__.__name__ == "UnexpectedError"  # hvac has no class for these codes
    kit = make_client({("POST", ROLE_PATH): unexpected}, retries=2)
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.write(ROLE_PATH, {"credential_type": "iam_user"})
    assert_error(exc_info.value, VaultOpsError, None, retryable=True, refused=False)
    assert exc_info.value.path == ROLE_PATH
    assert text in str(exc_info.value)
    assert len(kit.fake.calls) == 3
    assert kit.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    "message",
    [
        "local node not active but active cluster node not found",
        "node not active",
        "no active cluster node",
    ],
)
def test_standby_without_leader_counts_as_sealed(make_client: t.Callable[..., t.Any], message: str) -> None:
    kit = make_client({("GET", ROLE_PATH): http_error(500, message)}, retries=0)
    with pytest.raises(VaultSealedError) as exc_info:
        kit.client.read(ROLE_PATH)
    assert_error(exc_info.value, VaultSealedError, 500, retryable=True, refused=False)
    assert str(exc_info.value) == f"Vault has no active node: {message} (path: {ROLE_PATH})"


@pytest.mark.parametrize(
    "text",
    ["failed to read role: storage backend error", "1 error occurred:\n\t* active node changed\n\n"],
    ids=["storage", "other"],
)
def test_internal_server_error_is_not_sealed(make_client: t.Callable[..., t.Any], text: str) -> None:
    kit = make_client({("GET", ROLE_PATH): http_error(500, text)}, retries=0)
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.read(ROLE_PATH)
    assert_error(exc_info.value, VaultOpsError, 500, retryable=False, refused=False)
    assert str(exc_info.value) == f"{text} (path: {ROLE_PATH})"


@pytest.mark.parametrize(
    ("error", "cls", "status", "retryable", "refused"),
    [
        pytest.param(http_error(403, "permission denied"), VaultPermissionError, 403, False, False, id="403"),
        pytest.param(http_error(400, "bad"), VaultInvalidRequest, 400, False, False, id="400"),
        pytest.param(http_error(401, "no token"), VaultOpsError, 401, False, False, id="401"),
        pytest.param(http_error(405, "unsupported operation"), VaultOpsError, None, True, False, id="405"),
        pytest.param(http_error(412, "index"), VaultOpsError, None, True, False, id="412"),
        pytest.param(http_error(429, "rate limited"), VaultOpsError, 429, True, False, id="429"),
        pytest.param(http_error(500, "internal error"), VaultOpsError, 500, False, False, id="500"),
        pytest.param(http_error(500, "node not active"), VaultSealedError, 500, True, False, id="500-standby"),
        pytest.param(http_error(501, "not initialized"), VaultOpsError, 501, False, False, id="501"),
        pytest.param(http_error(502, "bad gateway"), VaultOpsError, 502, True, False, id="502"),
        pytest.param(http_error(503, "Vault is sealed"), VaultSealedError, 503, True, False, id="503"),
        pytest.param(http_error(504, "gateway timeout"), VaultOpsError, None, True, False, id="504"),
        pytest.param(
            requests.exceptions.ConnectionError("[Errno 111] Connection refused"),
            VaultConnectionError,
            None,
            True,
            True,
            id="connection-refused",
        ),
        pytest.param(
            requests.exceptions.ConnectTimeout("connect timed out"),
            VaultConnectionError,
            None,
            True,
            False,
            id="connect-timeout",
        ),
        pytest.param(
            requests.exceptions.ReadTimeout("read timed out"),
            VaultConnectionError,
            None,
            True,
            False,
            id="read-timeout",
        ),
        pytest.param(requests.exceptions.Timeout("timed out"), VaultConnectionError, None, True, False, id="timeout"),
        pytest.param(
            requests.exceptions.ChunkedEncodingError("connection broken"),
            VaultConnectionError,
            None,
            True,
            False,
            id="broken-answer",
        ),
    ],
)
def test_error_attributes(
    *,
    make_client: t.Callable[..., t.Any],
    error: Exception,
    cls: type[VaultOpsError],
    status: int | None,
    retryable: bool,
    refused: bool,
) -> None:
    kit = make_client({("GET", ROLE_PATH): error}, retries=0)
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.read(ROLE_PATH)
    assert_error(exc_info.value, cls, status, retryable=retryable, refused=refused)
    assert exc_info.value.path == ROLE_PATH
    assert len(kit.fake.calls) == 1


def test_permission_error_on_read(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", ROLE_PATH): vault_error(hvac.exceptions.Forbidden, "permission denied")})
    with pytest.raises(VaultPermissionError) as exc_info:
        kit.client.read(ROLE_PATH)
    assert str(exc_info.value) == f"permission denied: permission denied (path: {ROLE_PATH})"
    assert len(kit.fake.calls) == 1


def test_error_without_vault_errors_uses_hvac_text(make_client: t.Callable[..., t.Any]) -> None:
    error = hvac.exceptions.Forbidden("access denied by policy", method="GET", url=f"{URL}/v1/{ROLE_PATH}")
    kit = make_client({("GET", ROLE_PATH): error})
    with pytest.raises(VaultPermissionError) as exc_info:
        kit.client.read(ROLE_PATH)
    assert "access denied by policy" in str(exc_info.value)
    assert ", on GET" not in str(exc_info.value)


def test_sealed(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", ROLE_PATH): vault_error(hvac.exceptions.VaultDown, "Vault is sealed")}, retries=0)
    with pytest.raises(VaultSealedError) as exc_info:
        kit.client.read(ROLE_PATH)
    assert_error(exc_info.value, VaultSealedError, 503, retryable=True, refused=False)
    assert "Vault is sealed or has no active node: Vault is sealed" in str(exc_info.value)


def test_connection_error_mentions_the_url(make_client: t.Callable[..., t.Any]) -> None:
    refused = requests.exceptions.ConnectionError("[Errno 111] Connection refused")
    kit = make_client({("GET", ROLE_PATH): refused}, retries=0)
    with pytest.raises(VaultConnectionError) as exc_info:
        kit.client.read(ROLE_PATH)
    assert str(exc_info.value) == (
        f"cannot reach Vault at {URL}: ConnectionError: [Errno 111] Connection refused (path: {ROLE_PATH})"
    )
    assert_error(exc_info.value, VaultConnectionError, None, retryable=True, refused=True)
    assert exc_info.value.path == ROLE_PATH


# --- retries --------------------------------------------------------------------------------------

RETRYABLE = [
    pytest.param(http_error(503, "Vault is sealed"), VaultSealedError, id="503-sealed"),
    pytest.param(http_error(500, "local node not active"), VaultSealedError, id="500-standby"),
    pytest.param(http_error(502, "bad gateway"), VaultOpsError, id="502"),
    pytest.param(http_error(429, "rate limited"), VaultOpsError, id="429"),
    pytest.param(http_error(412, "required index state not present"), VaultOpsError, id="412-unexpected"),
    pytest.param(http_error(504, "gateway timeout"), VaultOpsError, id="504-unexpected"),
    pytest.param(requests.exceptions.ConnectionError("refused"), VaultConnectionError, id="connection"),
    pytest.param(requests.exceptions.Timeout("timed out"), VaultConnectionError, id="timeout"),
    pytest.param(requests.exceptions.ReadTimeout("read timed out"), VaultConnectionError, id="read-timeout"),
]


@pytest.mark.parametrize(("error", "cls"), RETRYABLE)
@pytest.mark.parametrize(
    ("method", "operation"),
    [
        ("GET", lambda c: c.read(ROLE_PATH)),
        ("LIST", lambda c: c.list(ROLE_PATH)),
        ("POST", lambda c: c.write(ROLE_PATH, {"a": 1})),
        ("DELETE", lambda c: c.delete(ROLE_PATH)),
    ],
    ids=["read", "list", "write", "delete"],
)
@pytest.mark.parametrize("retries", [0, 1, 3])
def test_reads_and_writes_retry_then_raise(
    *,
    make_client: t.Callable[..., t.Any],
    error: Exception,
    cls: type[VaultOpsError],
    method: str,
    operation: t.Callable[[VaultClient], t.Any],
    retries: int,
) -> None:
    kit = make_client({(method, ROLE_PATH): error}, retries=retries)
    with pytest.raises(cls) as exc_info:
        operation(kit.client)
    assert exc_info.value.__class__.__name__ == cls.__name__
    assert exc_info.value.retryable is True
    assert len(kit.fake.calls) == 1 + retries
    assert {(c.method, c.path) for c in kit.fake.calls} == {(method, ROLE_PATH)}
    assert kit.sleeps == [0.5, 1.0, 2.0][:retries]


@pytest.mark.parametrize("status", [412, 504])
def test_precondition_failed_and_gateway_timeout_are_retried(make_client: t.Callable[..., t.Any], status: int) -> None:
    answer = {"data": {"credential_type": "iam_user"}}
    kit = make_client({("GET", ROLE_PATH): [http_error(status, "required index state not present"), answer]}, retries=2)
    assert kit.client.read(ROLE_PATH) == {"credential_type": "iam_user"}
    assert len(kit.fake.calls) == 2
    assert kit.sleeps == [0.5]


def test_retry_recovers(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client(
        {
            ("GET", ROLE_PATH): [
                vault_error(hvac.exceptions.VaultDown, "sealed"),
                requests.exceptions.ConnectionError("refused"),
                {"data": {"credential_type": "iam_user"}},
            ]
        },
        retries=3,
    )
    assert kit.client.read(ROLE_PATH) == {"credential_type": "iam_user"}
    assert len(kit.fake.calls) == 3
    assert kit.sleeps == [0.5, 1.0]


def test_retry_stops_at_a_client_error(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client(
        {
            ("GET", ROLE_PATH): [
                http_error(504, "gateway timeout"),
                vault_error(hvac.exceptions.Forbidden, "permission denied"),
                {"data": {"credential_type": "iam_user"}},
            ]
        },
        retries=3,
    )
    with pytest.raises(VaultPermissionError):
        kit.client.read(ROLE_PATH)
    assert len(kit.fake.calls) == 2
    assert kit.sleeps == [0.5]


def test_retry_delay_is_capped(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", ROLE_PATH): vault_error(hvac.exceptions.VaultDown, "sealed")}, retries=5, retry_delay=2)
    with pytest.raises(VaultSealedError):
        kit.client.read(ROLE_PATH)
    assert kit.sleeps == [2, 4, 5.0, 5.0, 5.0]


# --- requests that must not happen twice ----------------------------------------------------------

# Vault cannot have acted on these: tried again even for issue(), action() and login()
UNPROCESSED = [
    pytest.param(http_error(503, "Vault is sealed"), VaultSealedError, id="503-sealed"),
    pytest.param(
        http_error(500, "local node not active but active cluster node not found"), VaultSealedError, id="500-standby"
    ),
    pytest.param(http_error(500, "no active cluster node"), VaultSealedError, id="500-no-active"),
    pytest.param(
        requests.exceptions.ConnectionError("[Errno 111] Connection refused"), VaultConnectionError, id="refused"
    ),
]
UNPROCESSED_ERRORS = [pytest.param(param.values[0], id=param.id) for param in UNPROCESSED]
# Vault may have acted on these (or answered for good): never tried again for them
MAYBE_PROCESSED = [
    pytest.param(http_error(502, "bad gateway"), VaultOpsError, id="502"),
    pytest.param(http_error(429, "rate limited"), VaultOpsError, id="429"),
    pytest.param(http_error(412, "required index state not present"), VaultOpsError, id="412-unexpected"),
    pytest.param(http_error(504, "gateway timeout"), VaultOpsError, id="504-unexpected"),
    pytest.param(http_error(405, "unsupported operation"), VaultOpsError, id="405-unexpected"),
    pytest.param(requests.exceptions.ReadTimeout("read timed out"), VaultConnectionError, id="read-timeout"),
    pytest.param(requests.exceptions.ConnectTimeout("connect timed out"), VaultConnectionError, id="connect-timeout"),
    pytest.param(requests.exceptions.Timeout("timed out"), VaultConnectionError, id="timeout"),
    pytest.param(requests.exceptions.ChunkedEncodingError("broken"), VaultConnectionError, id="broken-answer"),
    pytest.param(http_error(403, "permission denied"), VaultPermissionError, id="403"),
    pytest.param(http_error(400, "invalid request"), VaultInvalidRequest, id="400"),
]

ONCE_ONLY = [
    pytest.param("GET", "aws/creds/deploy", lambda c: c.issue("aws/creds/deploy"), id="issue-get"),
    pytest.param(
        "POST", "aws/sts/deploy", lambda c: c.issue("aws/sts/deploy", {"ttl": "900s"}, method="POST"), id="issue-post"
    ),
    pytest.param("POST", "aws/config/rotate-root", lambda c: c.action("aws/config/rotate-root"), id="action-post"),
    pytest.param(
        "PUT",
        "sys/leases/revoke",
        lambda c: c.action("sys/leases/revoke", {"lease_id": "x"}, method="PUT"),
        id="action-put",
    ),
]


@pytest.mark.parametrize(("error", "cls"), MAYBE_PROCESSED)
@pytest.mark.parametrize(("method", "path", "operation"), ONCE_ONLY)
def test_issue_and_action_are_not_retried_when_vault_may_have_acted(
    *,
    make_client: t.Callable[..., t.Any],
    error: Exception,
    cls: type[VaultOpsError],
    method: str,
    path: str,
    operation: t.Callable[[VaultClient], t.Any],
) -> None:
    kit = make_client({(method, path): [error, {"data": {"never": "reached"}}]}, retries=3)
    with pytest.raises(VaultOpsError) as exc_info:
        operation(kit.client)
    seen = exc_info.value
    # a mint whose answer was lost says so (test_a_lost_mint_names_the_role_and_the_time); the cause is kept
    # Vault's definite answers (it did nothing) are not lost mints: 400, 403 and 429
    answered = ("rate limited", "permission denied", "invalid request")
    lost = path.startswith(("aws/creds/", "aws/sts/")) and not any(word in str(error) for word in answered)
    assert isinstance(seen, VaultCredentialLost) is lost
    if lost:
        seen = t.cast("VaultCredentialLost", seen).cause
    assert seen.__class__.__name__ == cls.__name__
    assert seen.refused is False
    assert [(c.method, c.path) for c in kit.fake.calls] == [(method, path)]
    assert kit.sleeps == []


@pytest.mark.parametrize(("error", "cls"), UNPROCESSED)
@pytest.mark.parametrize(("method", "path", "operation"), ONCE_ONLY)
@pytest.mark.parametrize("retries", [0, 1, 3])
def test_issue_and_action_retry_only_where_vault_cannot_have_acted(
    *,
    make_client: t.Callable[..., t.Any],
    error: Exception,
    cls: type[VaultOpsError],
    method: str,
    path: str,
    operation: t.Callable[[VaultClient], t.Any],
    retries: int,
) -> None:
    kit = make_client({(method, path): error}, retries=retries)
    with pytest.raises(cls) as exc_info:
        operation(kit.client)
    assert exc_info.value.__class__.__name__ == cls.__name__
    assert [(c.method, c.path) for c in kit.fake.calls] == [(method, path)] * (1 + retries)
    assert kit.sleeps == [0.5, 1.0, 2.0][:retries]


@pytest.mark.parametrize("error", UNPROCESSED_ERRORS)
def test_issue_after_sealed_or_refused_recovers(
    make_client: t.Callable[..., t.Any],
    vault_json: t.Any,
    error: Exception,
) -> None:
    answer = vault_json("aws_creds_iam_user")
    kit = make_client({("GET", "aws/creds/deploy"): [error, answer]}, retries=3)
    assert kit.client.issue("aws/creds/deploy") == answer
    assert [(c.method, c.path) for c in kit.fake.calls] == [("GET", "aws/creds/deploy")] * 2
    assert kit.sleeps == [0.5]


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(http_error(502, "bad gateway"), id="502"),
        pytest.param(requests.exceptions.ReadTimeout("read timed out"), id="read-timeout"),
    ],
)
def test_issue_after_502_or_read_timeout_is_one_request(
    make_client: t.Callable[..., t.Any], vault_json: t.Any, error: Exception
) -> None:
    kit = make_client({("GET", "aws/creds/deploy"): [error, vault_json("aws_creds_iam_user")]}, retries=3)
    with pytest.raises(VaultCredentialLost) as exc_info:
        kit.client.issue("aws/creds/deploy")
    assert exc_info.value.cause.retryable is True, "a read would retry it; issue() must not"
    assert len(kit.fake.calls) == 1
    assert kit.sleeps == []


LOGINS = [
    pytest.param({"auth_method": "approle", "role_id": "rid", "secret_id": "sid"}, "auth/approle/login", id="approle"),
    pytest.param(
        {"auth_method": "userpass", "username": "alice", "password": "pw"}, "auth/userpass/login/alice", id="userpass"
    ),
    pytest.param({"auth_method": "jwt", "jwt": "eyJ.x.y", "role": "deploy"}, "auth/jwt/login", id="jwt"),
]


@pytest.mark.parametrize(("options", "path"), LOGINS)
@pytest.mark.parametrize("error", UNPROCESSED_ERRORS)
def test_login_retried_where_vault_cannot_have_acted(
    *,
    make_client: t.Callable[..., t.Any],
    options: dict[str, t.Any],
    path: str,
    error: Exception,
) -> None:
    kit = make_client({("POST", path): [error, LOGIN_ANSWER]}, token=None, retries=2, **options)
    assert kit.client.login() is kit.client
    assert kit.fake.token == "s.issued"
    assert [(c.method, c.path) for c in kit.fake.calls] == [("POST", path)] * 2
    assert kit.sleeps == [0.5]


@pytest.mark.parametrize(("options", "path"), LOGINS)
@pytest.mark.parametrize(("error", "cls"), MAYBE_PROCESSED)
def test_login_not_retried_when_vault_may_have_acted(
    *,
    make_client: t.Callable[..., t.Any],
    options: dict[str, t.Any],
    path: str,
    error: Exception,
    cls: type[VaultOpsError],
) -> None:
    kit = make_client({("POST", path): [error, LOGIN_ANSWER]}, token=None, retries=2, **options)
    with pytest.raises(cls) as exc_info:
        kit.client.login()
    assert exc_info.value.__class__.__name__ == cls.__name__
    assert kit.fake.token is None
    assert [(c.method, c.path) for c in kit.fake.calls] == [("POST", path)]
    assert kit.sleeps == []


def test_issue_returns_whole_response(make_client: t.Callable[..., t.Any], vault_json: t.Any) -> None:
    answer = vault_json("aws_creds_iam_user")
    kit = make_client({("GET", "aws/creds/deploy"): answer})
    assert kit.client.issue("aws/creds/deploy") == answer
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [("GET", "aws/creds/deploy", None)]


def test_issue_with_empty_answer_fails(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", "aws/creds/deploy"): None})
    with pytest.raises(VaultOpsError) as exc_info:
        kit.client.issue("aws/creds/deploy")
    assert str(exc_info.value) == "Vault returned no credential (path: aws/creds/deploy)"


def test_action_sends_body(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("POST", "aws/config/rotate-root"): {"data": {"access_key": "AKIANEW"}}})
    assert kit.client.action("aws/config/rotate-root") == {"data": {"access_key": "AKIANEW"}}
    assert [(c.method, c.path, c.json) for c in kit.fake.calls] == [("POST", "aws/config/rotate-root", {})]


@pytest.mark.parametrize(
    ("options", "verify", "cert"),
    [
        ({"ca_cert": "/etc/vault/ca.pem"}, "/etc/vault/ca.pem", None),
        ({"ca_cert": "/etc/vault/ca.pem", "validate_certs": False}, False, None),
        ({}, True, None),
        ({"client_cert": "/c.pem", "client_key": "/k.pem"}, True, ("/c.pem", "/k.pem")),
    ],
)
def test_real_hvac_client_is_built_from_options(options: dict[str, t.Any], verify: t.Any, cert: t.Any) -> None:
    client = VaultClient(ConnectionOptions(url="https://vault.example:8200", namespace="team", **options))
    adapter = client.hvac.adapter
    assert (adapter.base_uri, adapter.namespace) == ("https://vault.example:8200", "team")
    assert (adapter.session.verify, adapter.session.cert) == (verify, cert)


@pytest.mark.parametrize(
    ("method", "operation"),
    [
        ("GET", lambda c: c.read(ROLE_PATH)),
        ("POST", lambda c: c.write(ROLE_PATH, {"a": 1})),
    ],
)
def test_a_plugin_error_500_is_not_retried(
    make_client: t.Callable[..., t.Any], method: str, operation: t.Callable[[t.Any], t.Any]
) -> None:
    """A 500 is mostly a plugin's own error (an unreachable cloud API): trying again only delays the answer."""
    kit = make_client({(method, ROLE_PATH): http_error(500, "error creating IAM user")}, retries=3)
    with pytest.raises(VaultOpsError) as exc_info:
        operation(kit.client)
    assert exc_info.value.status == 500
    assert "error creating IAM user" in str(exc_info.value)
    assert len(kit.fake.calls) == 1
    assert kit.sleeps == []


# --- trust: what counts as "never sent", "sealed", the retry window, several nodes ----------------


def _urllib3_refused() -> requests.exceptions.ConnectionError:
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused")
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/v1/x", reason))


@pytest.mark.parametrize(
    ("error", "sent"),
    [
        pytest.param(_urllib3_refused(), False, id="refused"),
        pytest.param(requests.exceptions.ConnectionError("Failed to resolve 'vault.invalid'"), False, id="dns"),
        pytest.param(
            requests.exceptions.SSLError("[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol"),
            False,
            id="tls-handshake",
        ),
        pytest.param(
            requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'reset by peer'))"),
            True,
            id="reset-after-send",
        ),
        pytest.param(
            requests.exceptions.ConnectionError("RemoteDisconnected('Remote end closed connection')"),
            True,
            id="closed-after-send",
        ),
        pytest.param(requests.exceptions.ReadTimeout("read timed out"), True, id="read-timeout"),
        pytest.param(requests.exceptions.ConnectTimeout("connect timed out"), True, id="connect-timeout"),
    ],
)
def test_a_mint_is_tried_again_only_when_it_was_never_sent(
    make_client: t.Callable[..., t.Any], vault_json: t.Any, error: Exception, sent: bool
) -> None:
    answer = vault_json("aws_creds_iam_user")
    kit = make_client({("GET", "aws/creds/deploy"): [error, answer]}, retries=3)
    if sent:
        with pytest.raises(VaultCredentialLost) as caught:
            kit.client.issue("aws/creds/deploy")
        assert isinstance(caught.value.cause, VaultConnectionError)
        assert caught.value.refused is False
        assert len(kit.fake.calls) == 1
    else:
        assert kit.client.issue("aws/creds/deploy") == answer
        assert len(kit.fake.calls) == 2


@pytest.mark.parametrize(
    ("message", "sealed"),
    [("Vault is sealed", True), ("overloaded", False), ("service unavailable", False)],
)
def test_a_503_is_sealed_only_when_vault_says_so(
    make_client: t.Callable[..., t.Any], message: str, sealed: bool
) -> None:
    kit = make_client({("GET", "aws/creds/deploy"): [http_error(503, message), {"data": {"access_key": "A"}}]})
    if sealed:
        assert kit.client.issue("aws/creds/deploy")["data"] == {"access_key": "A"}
        assert len(kit.fake.calls) == 2
    else:
        with pytest.raises(VaultOpsError) as caught:
            kit.client.issue("aws/creds/deploy")
        assert not isinstance(caught.value, VaultSealedError)
        assert caught.value.status == 503
        assert len(kit.fake.calls) == 1
        # a read is tried again all the same
        kit2 = make_client({("GET", ROLE_PATH): [http_error(503, message), {"data": {"a": 1}}]})
        assert kit2.client.read(ROLE_PATH) == {"a": 1}


def test_retries_stop_at_the_retry_window_and_each_is_a_warning(make_client: t.Callable[..., t.Any]) -> None:
    now = [0.0]
    kit = make_client({("GET", ROLE_PATH): http_error(502, "bad gateway")}, retries=50, retry_window=10)
    kit.client._clock = lambda: now[0]
    kit.client._sleep = lambda seconds: (kit.sleeps.append(seconds), now.__setitem__(0, now[0] + seconds))
    with pytest.raises(VaultOpsError):
        kit.client.read(ROLE_PATH)
    assert kit.sleeps == [0.5, 1.0, 2.0, 4.0]  # the next (5 s) would end after the 10 s window
    assert len(kit.fake.calls) == 5
    assert len(kit.client.warnings) == 4
    assert kit.client.warnings[0] == f"GET {ROLE_PATH}: bad gateway (attempt 1 of 51), again in 0.5s"


def test_several_addresses_move_on_from_a_refusing_node(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client(
        {("GET", "aws/creds/deploy"): [_urllib3_refused(), {"data": {"access_key": "A"}}]},
        url="http://127.0.0.1:1,http://127.0.0.1:2/",
    )
    assert kit.client.addresses == ["http://127.0.0.1:1", "http://127.0.0.1:2"]
    assert kit.client.issue("aws/creds/deploy")["data"] == {"access_key": "A"}
    assert kit.client.url == "http://127.0.0.1:2"
    assert kit.fake.adapter.base_uri == "http://127.0.0.1:2"
    assert kit.sleeps == []  # the next node is tried at once
    assert "trying http://127.0.0.1:2" in kit.client.warnings[0]


@pytest.mark.parametrize("url", ["vault:8200", "http://a:1,ftp://b", " , "])
def test_bad_addresses_are_refused(url: str) -> None:
    with pytest.raises(VaultOpsError, match=r"url|no Vault address"):
        ConnectionOptions.from_getter(getter({"url": url}))


# --- a mint whose answer was lost; Retry-After ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("aws/creds/deploy", "deploy"),
        ("aws/sts/deploy", "deploy"),
        ("cloud/gcp/roleset/ci%20x/key", "ci x"),
        ("gcp/impersonated-account/ci/token", "ci"),
    ],
)
def test_a_lost_mint_names_the_role_and_the_time(make_client: t.Callable[..., t.Any], path: str, role: str) -> None:
    reset = requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'reset by peer'))")
    kit = make_client({("GET", path): [reset, {"data": {"access_key": "A"}}]}, retries=3)
    with pytest.raises(VaultCredentialLost) as caught:
        kit.client.issue(path)
    text = str(caught.value)
    assert re.search(
        rf"a credential may have been issued for role '{re.escape(role)}' at \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text
    ), text
    assert "it is not requested again" in text
    assert f"(path: {path})" in text
    assert "reset by peer" in text
    assert (caught.value.role, caught.value.retryable) == (role, False)
    assert len(kit.fake.calls) == 1


def test_a_lost_mint_takes_the_role_it_is_given(make_client: t.Callable[..., t.Any]) -> None:
    kit = make_client({("GET", "aws/creds/x"): http_error(503, "overloaded")})
    with pytest.raises(VaultCredentialLost, match=r"for role 'named' at .*overloaded"):
        kit.client.issue("aws/creds/x", role="named")


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(http_error(503, "Vault is sealed"), id="sealed"),
        pytest.param(_urllib3_refused(), id="refused"),
        pytest.param(http_error(400, "unknown role"), id="400"),
        pytest.param(http_error(403, "permission denied"), id="403"),
    ],
)
def test_a_mint_vault_did_not_act_on_is_not_lost(make_client: t.Callable[..., t.Any], error: Exception) -> None:
    kit = make_client({("GET", "aws/creds/deploy"): error}, retries=0)
    with pytest.raises(VaultOpsError) as caught:
        kit.client.issue("aws/creds/deploy")
    assert not isinstance(caught.value, VaultCredentialLost)
    assert "may have been issued" not in str(caught.value)


class HookedAdapter:
    """An adapter with a ``requests`` session's response hooks, as hvac's: each answer passes the hooks first."""

    def __init__(self, answers: list[tuple[int, dict[str, str], t.Any]]) -> None:
        self.session = SimpleNamespace(hooks={"response": []})
        self.answers = answers
        self.calls = 0

    def request(self, method: str, url: str, **kwargs: t.Any) -> t.Any:
        status, headers, outcome = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        for hook in self.session.hooks["response"]:
            hook(SimpleNamespace(status_code=status, headers=headers))
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


@pytest.mark.parametrize(
    ("headers", "first_sleep"),
    [
        pytest.param({"Retry-After": "7"}, 7.0, id="seconds"),
        pytest.param({"retry-after": "120"}, 30.0, id="capped"),
        pytest.param({"Retry-After": "0"}, 0.5, id="no-less-than-the-backoff"),
        pytest.param({}, 0.5, id="none"),
        pytest.param({"Retry-After": "soon"}, 0.5, id="unreadable"),
    ],
)
def test_retry_after_is_honoured(headers: dict[str, str], first_sleep: float) -> None:
    adapter = HookedAdapter([(429, headers, http_error(429, "rate limited")), (200, {}, {"data": {"a": 1}})])
    sleeps: list[float] = []
    fake = SimpleNamespace(adapter=adapter, token=None)
    client = VaultClient(
        ConnectionOptions(url=URL, token="t", retries=3, retry_window=60), hvac_client=fake, sleep=sleeps.append
    )
    assert client.read(ROLE_PATH) == {"a": 1}
    assert sleeps == [first_sleep]
    assert adapter.calls == 2


def test_retry_after_as_a_date_and_beyond_the_window() -> None:
    later = email.utils.format_datetime(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=20))
    assert 18 <= (retry_after({"Retry-After": later}) or 0) <= 20
    assert retry_after({"Retry-After": "Mon, 01 Jan 2001 00:00:00 GMT"}) == 0.0
    assert retry_after({}) is None
    adapter = HookedAdapter([(503, {"Retry-After": "20"}, http_error(503, "overloaded"))])
    sleeps: list[float] = []
    client = VaultClient(
        ConnectionOptions(url=URL, token="t", retries=3, retry_window=10),
        hvac_client=SimpleNamespace(adapter=adapter, token=None),
        sleep=sleeps.append,
    )
    with pytest.raises(VaultOpsError) as caught:
        client.read(ROLE_PATH)
    assert caught.value.retry_after == 20.0
    assert sleeps == [], "a wait past the retry window ends the retries at once"
    assert adapter.calls == 1
