# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the connection options come from, one case at a time: the lookup through Ansible's plugin config
(keyword, vaultops_cloud_* and ansible_hashi_vault_* variables, environment), the modules through their
parameters and the environment (ConnectionOptions.from_getter); and the token source named in a refusal."""

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest
import test_creds_lookup
from conftest import FakeHvac

from ansible_collections.vaultops.cloud.plugins.module_utils._client import (
    ENV_FALLBACKS,
    ConnectionOptions,
    VaultClient,
    VaultOpsError,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import auth_mount_warning

A, B, C, D, E = (f"https://{name}.example:8200" for name in ("a", "b", "c", "d", "e"))
HASHI_ENV = ("ANSIBLE_HASHI_VAULT_TOKEN_PATH", "ANSIBLE_HASHI_VAULT_TOKEN_FILE")

# the lookup loaded as Ansible loads it: the fixture of test_creds_lookup.py, found here by this name
plugin_loader = test_creds_lookup.plugin_loader


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for names in ENV_FALLBACKS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    for name in HASHI_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def lookup_options(variables: dict[str, t.Any], **direct: t.Any) -> ConnectionOptions:
    """The connection options exactly as the creds lookup resolves them (its _option and _origin)."""
    from ansible.plugins.loader import lookup_loader

    plugin = lookup_loader.get("vaultops.cloud.creds")
    plugin.set_options(var_options=variables, direct=direct)
    return ConnectionOptions.from_getter(plugin._option, origin=plugin._origin)


# --- the lookup: keyword > vaultops_cloud_* var > ansible_hashi_vault_* var > VAULT_* > BAO_* > ANSIBLE_HASHI_VAULT_*


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_keyword_beats_every_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VAULT_ADDR", E)
    options = lookup_options({"vaultops_cloud_url": B, "ansible_hashi_vault_url": C}, url=A)
    assert options.url == A


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_vaultops_variable_beats_hashi_variable(clean_env: pytest.MonkeyPatch) -> None:
    assert lookup_options({"vaultops_cloud_url": B, "ansible_hashi_vault_url": C}).url == B


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_hashi_url_variable_beats_hashi_addr_variable(clean_env: pytest.MonkeyPatch) -> None:
    assert lookup_options({"ansible_hashi_vault_addr": D, "ansible_hashi_vault_url": C}).url == C


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_hashi_variable_beats_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VAULT_ADDR", E)
    assert lookup_options({"ansible_hashi_vault_addr": D}).url == D


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_vault_env_beats_bao_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VAULT_ADDR", A)
    clean_env.setenv("BAO_ADDR", B)
    assert lookup_options({}).url == A


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_bao_env_beats_hashi_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("BAO_ADDR", B)
    clean_env.setenv("ANSIBLE_HASHI_VAULT_ADDR", C)
    assert lookup_options({}).url == B


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_hashi_env_alone(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ANSIBLE_HASHI_VAULT_ADDR", C)
    clean_env.setenv("ANSIBLE_HASHI_VAULT_TOKEN", "hvs.hashi")
    options = lookup_options({})
    assert (options.url, options.token) == (C, "hvs.hashi")
    assert options.token_source == "the environment variable ANSIBLE_HASHI_VAULT_TOKEN"


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_hashi_approle_variables(clean_env: pytest.MonkeyPatch) -> None:
    options = lookup_options(
        {
            "ansible_hashi_vault_url": A,
            "ansible_hashi_vault_auth_method": "approle",
            "ansible_hashi_vault_mount_point": "team-approle",
            "ansible_hashi_vault_role_id": "rid",
            "ansible_hashi_vault_secret_id": "sid",
            "ansible_hashi_vault_namespace": "team",
        }
    )
    assert (options.auth_method, options.auth_mount_point, options.role_id, options.secret_id) == (
        "approle",
        "team-approle",
        "rid",
        "sid",
    )
    assert options.namespace == "team"


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_token_source_names_the_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VAULT_TOKEN", "hvs.env")
    options = lookup_options({"vaultops_cloud_token": "hvs.var"}, url=A)
    assert (options.token, options.token_source) == ("hvs.var", "the variable vaultops_cloud_token")


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_token_source_names_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VAULT_TOKEN", "hvs.env")
    clean_env.setenv("ANSIBLE_HASHI_VAULT_TOKEN", "hvs.hashi")
    options = lookup_options({"vaultops_cloud_url": A})
    assert (options.token, options.token_source) == ("hvs.env", "the environment variable VAULT_TOKEN")


@pytest.mark.usefixtures("plugin_loader")
def test_lookup_token_source_names_the_keyword(clean_env: pytest.MonkeyPatch) -> None:
    options = lookup_options({"vaultops_cloud_token": "hvs.var"}, url=A, token="hvs.direct")
    assert (options.token, options.token_source) == ("hvs.direct", "the lookup's token option")


# --- the modules: option (and module_defaults) > VAULT_* > BAO_* (VAULTOPS_CLOUD_*) > ANSIBLE_HASHI_VAULT_*


def module_options(params: dict[str, t.Any], environ: dict[str, str]) -> ConnectionOptions:
    return ConnectionOptions.from_getter(params.get, environ)


def test_module_option_beats_environment() -> None:
    assert module_options({"url": A}, {"VAULT_ADDR": B, "ANSIBLE_HASHI_VAULT_ADDR": C}).url == A


def test_module_vault_env_beats_hashi_env() -> None:
    assert module_options({}, {"VAULT_ADDR": B, "ANSIBLE_HASHI_VAULT_ADDR": C}).url == B


def test_module_hashi_url_beats_hashi_addr() -> None:
    assert module_options({}, {"ANSIBLE_HASHI_VAULT_URL": C, "ANSIBLE_HASHI_VAULT_ADDR": D}).url == C


def test_module_vaultops_env_beats_hashi_env() -> None:
    environ = {"VAULT_ADDR": A, "VAULTOPS_CLOUD_AUTH_METHOD": "userpass", "ANSIBLE_HASHI_VAULT_AUTH_METHOD": "jwt"}
    assert module_options({}, environ).auth_method == "userpass"


def test_module_hashi_env_alone_logs_in_with_approle() -> None:
    environ = {
        "ANSIBLE_HASHI_VAULT_ADDR": A,
        "ANSIBLE_HASHI_VAULT_AUTH_METHOD": "approle",
        "ANSIBLE_HASHI_VAULT_MOUNT_POINT": "ci",
        "ANSIBLE_HASHI_VAULT_ROLE_ID": "rid",
        "ANSIBLE_HASHI_VAULT_SECRET_ID": "sid",
        "ANSIBLE_HASHI_VAULT_TIMEOUT": "7",
        "ANSIBLE_HASHI_VAULT_RETRIES": "2",
    }
    options = module_options({}, environ)
    assert (options.url, options.auth_method, options.auth_mount_point) == (A, "approle", "ci")
    assert (options.role_id, options.secret_id, options.timeout, options.retries) == ("rid", "sid", 7.0, 2)


def test_module_hashi_role_id_is_the_jwt_role() -> None:
    environ = {"VAULT_ADDR": A, "ANSIBLE_HASHI_VAULT_AUTH_METHOD": "jwt", "ANSIBLE_HASHI_VAULT_ROLE_ID": "ci"}
    options = module_options({"jwt": "eyJ"}, environ)
    assert (options.role, options.role_id) == ("ci", None)


def test_module_own_role_id_is_never_the_jwt_role() -> None:
    options = module_options({"auth_method": "jwt", "role_id": "rid", "jwt": "eyJ"}, {"VAULT_ADDR": A})
    assert (options.role, options.role_id) == (None, "rid")


def test_module_hashi_token_file() -> None:
    environ = {"VAULT_ADDR": A, "ANSIBLE_HASHI_VAULT_TOKEN_PATH": "/srv/ci", "ANSIBLE_HASHI_VAULT_TOKEN_FILE": "t"}
    assert module_options({}, environ).token_path == "/srv/ci/t"


def test_module_own_token_path_beats_hashi_token_file() -> None:
    environ = {"VAULT_ADDR": A, "ANSIBLE_HASHI_VAULT_TOKEN_PATH": "/srv/ci"}
    assert module_options({"token_path": "/etc/tok"}, environ).token_path == "/etc/tok"


def test_module_hashi_retries_dict_gives_its_total() -> None:
    assert module_options({"url": A, "retries": {"total": 3, "backoff_factor": 1}}, {}).retries == 3


def test_module_token_sources() -> None:
    assert module_options({"url": A, "token": "x"}, {"VAULT_TOKEN": "y"}).token_source == "the token option"
    assert module_options({"url": A}, {"BAO_TOKEN": "y"}).token_source == "BAO_TOKEN"
    assert module_options({"url": A}, {"ANSIBLE_HASHI_VAULT_TOKEN": "y"}).token_source == "ANSIBLE_HASHI_VAULT_TOKEN"


def test_module_unknown_auth_method_names_its_source() -> None:
    with pytest.raises(VaultOpsError) as info:
        module_options({"url": A}, {"ANSIBLE_HASHI_VAULT_AUTH_METHOD": "ldap"})
    assert str(info.value).endswith("not 'ldap' (from ANSIBLE_HASHI_VAULT_AUTH_METHOD)")


def test_no_address_names_every_source() -> None:
    with pytest.raises(VaultOpsError) as info:
        module_options({}, {})
    for source in ("url option", "vaultops_cloud_url", "ansible_hashi_vault_url", "VAULT_ADDR", "BAO_ADDR"):
        assert source in str(info.value)
    assert "ANSIBLE_HASHI_VAULT_ADDR" in str(info.value)
    assert "[vaultops_cloud]" in str(info.value)


# --- the token source in a refusal ---------------------------------------------------------------------


def refused(options: ConnectionOptions) -> str:
    fake = FakeHvac({("GET", "aws/config/root"): hvac.exceptions.Forbidden(errors=["permission denied"])})
    client = VaultClient(options, hvac_client=fake, sleep=lambda _s: None).login()
    with pytest.raises(VaultOpsError) as info:
        client.read("aws/config/root")
    return str(info.value)


def test_refusal_names_the_environment_token() -> None:
    message = refused(module_options({}, {"VAULT_ADDR": A, "VAULT_TOKEN": "hvs.stale"}))
    assert message == "permission denied: permission denied (token from VAULT_TOKEN) (path: aws/config/root)"


def test_refusal_names_the_token_file(tmp_path: t.Any) -> None:
    token_file = tmp_path / "vault-token"
    token_file.write_text("hvs.stale\n")
    message = refused(module_options({"url": A, "token_path": str(token_file)}, {}))
    assert f"(token from the token file {token_file})" in message


def test_refusal_names_the_login() -> None:
    fake = FakeHvac(
        {
            ("POST", "auth/ci/login"): {"auth": {"client_token": "hvs.login", "lease_duration": 60}},
            ("GET", "aws/config/root"): hvac.exceptions.Forbidden(errors=["permission denied"]),
        }
    )
    options = module_options({"auth_method": "approle", "auth_mount_point": "ci", "role_id": "r"}, {"VAULT_ADDR": A})
    client = VaultClient(options, hvac_client=fake, sleep=lambda _s: None).login()
    with pytest.raises(VaultOpsError) as info:
        client.read("aws/config/root")
    assert "(token from the approle login at auth/ci)" in str(info.value)


def test_failed_login_names_the_method_and_mount() -> None:
    fake = FakeHvac(
        {("POST", "auth/approle/login"): hvac.exceptions.InvalidRequest(errors=["invalid role or secret ID"])}
    )
    options = module_options({"auth_method": "approle", "role_id": "r", "secret_id": "s"}, {"VAULT_ADDR": A})
    with pytest.raises(VaultOpsError) as info:
        VaultClient(options, hvac_client=fake, sleep=lambda _s: None).login()
    assert str(info.value) == (
        "approle login at auth/approle failed: invalid role or secret ID (path: auth/approle/login)"
    )


# --- a mount_point that names an auth method -------------------------------------------------------------


@pytest.mark.parametrize("mount_point", ["approle", "auth/approle", "jwt", "/userpass/", "AppRole", "auth"])
def test_auth_named_engine_mount_warns(mount_point: str) -> None:
    warning = auth_mount_warning(mount_point, "aws")
    assert warning is not None
    assert "auth_mount_point" in warning
    assert repr(mount_point) in warning


@pytest.mark.parametrize("mount_point", ["aws", "team/aws", "approle-creds", None, "gcp"])
def test_engine_mount_does_not_warn(mount_point: str | None) -> None:
    assert auth_mount_warning(mount_point, "aws") is None


# --- auth_method none and cert ---------------------------------------------------------------------------


def test_none_sends_no_token_and_no_login() -> None:
    fake = FakeHvac({("GET", "aws/config/root"): {"data": {"access_key": "AKIA"}}})
    fake.token = "hvs.left-over"
    client = VaultClient(module_options({"auth_method": "none"}, {"VAULT_ADDR": A, "VAULT_TOKEN": "x"}), fake).login()
    assert client.hvac.token is None
    assert client.read("aws/config/root") == {"access_key": "AKIA"}
    assert [(c.method, c.path) for c in fake.calls] == [("GET", "aws/config/root")]


def test_none_refusal_says_no_token_was_sent() -> None:
    fake = FakeHvac({("GET", "aws/config/root"): hvac.exceptions.Forbidden(errors=["permission denied"])})
    client = VaultClient(module_options({"auth_method": "none"}, {"VAULT_ADDR": A}), fake).login()
    with pytest.raises(VaultOpsError) as info:
        client.read("aws/config/root")
    assert "(token from auth_method=none (no token sent" in str(info.value)


def test_cert_logs_in_with_the_role_name() -> None:
    fake = FakeHvac({("POST", "auth/cert/login"): {"auth": {"client_token": "hvs.cert", "lease_duration": 60}}})
    options = module_options(
        {"auth_method": "cert", "client_cert": "/c.pem", "client_key": "/k.pem", "role": "web"}, {"VAULT_ADDR": A}
    )
    client = VaultClient(options, fake).login()
    assert client.hvac.token == "hvs.cert"
    assert [(c.method, c.path, c.json) for c in fake.calls] == [("POST", "auth/cert/login", {"name": "web"})]
    assert client.token_source == "the cert login at auth/cert"


def test_cert_without_a_role_lets_vault_try_each() -> None:
    fake = FakeHvac({("POST", "auth/certs/login"): {"auth": {"client_token": "hvs.cert", "lease_duration": 60}}})
    options = module_options(
        {"auth_method": "cert", "auth_mount_point": "certs", "client_cert": "/c.pem"}, {"VAULT_ADDR": A}
    )
    VaultClient(options, fake).login()
    assert [(c.method, c.path, c.json) for c in fake.calls] == [("POST", "auth/certs/login", {})]


def test_cert_needs_a_client_certificate() -> None:
    fake = FakeHvac({})
    with pytest.raises(VaultOpsError) as info:
        VaultClient(module_options({"auth_method": "cert"}, {"VAULT_ADDR": A}), fake).login()
    assert str(info.value) == "auth_method=cert needs client_cert"
    assert fake.calls == []


def test_cert_from_hashi_vault_environment() -> None:
    environ = {
        "ANSIBLE_HASHI_VAULT_ADDR": A,
        "ANSIBLE_HASHI_VAULT_AUTH_METHOD": "cert",
        "ANSIBLE_HASHI_VAULT_CERT_AUTH_PUBLIC_KEY": "/c.pem",
        "ANSIBLE_HASHI_VAULT_CERT_AUTH_PRIVATE_KEY": "/k.pem",
        "ANSIBLE_HASHI_VAULT_ROLE_ID": "web",
    }
    options = module_options({}, environ)
    assert (options.auth_method, options.client_cert, options.client_key, options.role) == (
        "cert",
        "/c.pem",
        "/k.pem",
        "web",
    )


def test_vault_client_cert_beats_hashi_cert_auth_key() -> None:
    environ = {"VAULT_ADDR": A, "VAULT_CLIENT_CERT": "/v.pem", "ANSIBLE_HASHI_VAULT_CERT_AUTH_PUBLIC_KEY": "/c.pem"}
    assert module_options({}, environ).client_cert == "/v.pem"
