# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The creds lookup, loaded as Ansible loads it (its documented options), against the fake Vault of
tests/unit/conftest.py, with its run cache in a temporary folder."""

from __future__ import annotations

import json
import sys
import typing as t
import warnings
from pathlib import Path

import hvac.exceptions
import pytest
from ansible.module_utils import _internal as ansible_internal

# importing Ansible's controller code marks the whole process as the controller, and module code then sends
# its warnings to the display instead of the module result: other test files would see that
WAS_CONTROLLER = ansible_internal.is_controller
from ansible.errors import AnsibleError
from ansible.plugins.loader import init_plugin_loader, lookup_loader

ansible_internal.is_controller = WAS_CONTROLLER
from conftest import COLLECTIONS_DIR, ROOT_TOKEN, VAULT_URL, FakeHvac

from ansible_collections.vaultops.cloud.plugins.module_utils._client import (
    ENV_FALLBACKS,
    ConnectionOptions,
    VaultClient,
)
from ansible_collections.vaultops.cloud.plugins.plugin_utils._cache import RunCache

Json = t.Callable[[str], dict[str, t.Any]]
LEASE = "aws/creds/deploy/Yx1Qm3ZbO4kGZ7m1uHn0sD2f"


class Lookup(t.NamedTuple):
    run: t.Callable[..., list[dict[str, t.Any]]]
    fake: FakeHvac
    cache_dir: Path
    logins: list[ConnectionOptions]


@pytest.fixture(scope="module")
def plugin_loader() -> t.Iterator[None]:
    """Ansible's plugin loader over .build/collections, as ansible-playbook sets it up.

    tests/unit/conftest.py imported the collection as a plain namespace package; the loader needs the
    collection's packages from its own finder (they carry the collection metadata), so those three are
    imported again through it. Every module below them stays the one the other tests use.
    """
    for name in ("ansible_collections", "ansible_collections.vaultops", "ansible_collections.vaultops.cloud"):
        module = sys.modules.get(name)
        if module is not None and not hasattr(module, "_collection_meta"):
            del sys.modules[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "AnsibleCollectionFinder has already been configured" (second module)
        init_plugin_loader([str(COLLECTIONS_DIR)])
    assert lookup_loader.get("vaultops.cloud.creds") is not None
    ansible_internal.is_controller = True  # a lookup runs on the controller
    yield
    ansible_internal.is_controller = WAS_CONTROLLER


@pytest.fixture
def lookup(plugin_loader: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> t.Callable[..., Lookup]:
    """``lookup(routes)``: ``run(terms, variables=None, **options)`` runs a fresh plugin object each time (as
    each templating of a lookup does), every Vault request going to one :class:`FakeHvac`."""
    for names in ENV_FALLBACKS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("VAULTOPS_CLOUD_STS_ENDPOINT", raising=False)
    module = sys.modules[type(lookup_loader.get("vaultops.cloud.creds")).__module__]

    def make(routes: t.Mapping[tuple[str, str], t.Any] | None = None, run: str = "1000-1") -> Lookup:
        fake = FakeHvac(routes)
        logins: list[ConnectionOptions] = []
        cache_dir = tmp_path / "cache"

        def client(options: ConnectionOptions) -> VaultClient:
            logins.append(options)
            return VaultClient(options, hvac_client=fake, sleep=lambda _seconds: None)

        class Cache(RunCache):
            def __init__(self) -> None:
                super().__init__(base=str(cache_dir), run=run)

        monkeypatch.setattr(module, "VaultClient", client)
        monkeypatch.setattr(module, "RunCache", Cache)

        def run_lookup(terms: list[str], variables: dict[str, t.Any] | None = None, **options: t.Any) -> t.Any:
            plugin = lookup_loader.get("vaultops.cloud.creds")
            connection = {"url": VAULT_URL, "token": ROOT_TOKEN}
            return plugin.run(terms, variables or {}, **{**connection, **options})

        return Lookup(run_lookup, fake, cache_dir, logins)

    return make


def requests(fake: FakeHvac) -> list[tuple[str, str, t.Any]]:
    return [(call.method, call.path, call.json) for call in fake.calls]


# --- options -------------------------------------------------------------------------------------------


def test_one_credential_per_term(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup(
        {
            ("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user"),
            ("GET", "aws/creds/readonly"): vault_json("aws_creds_iam_user"),
        }
    )
    result = kit.run(["deploy", "readonly"])
    assert isinstance(result, list)
    assert len(result) == 2
    assert result[0]["access_key"] == "AKIAIOSFODNN7EXAMPLE"
    assert result[0]["lease_id"] == LEASE
    assert result[0]["expires_at"] is not None
    assert requests(kit.fake) == [("GET", "aws/creds/deploy", None), ("GET", "aws/creds/readonly", None)]
    assert len(kit.logins) == 1  # one client for every term


def test_request_options_reach_vault(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup({("POST", "team/sts/deploy"): vault_json("aws_sts_assumed_role")})
    [creds] = kit.run(
        ["deploy"],
        mount_point="team",
        kind="sts",
        ttl="15m",
        role_arn="arn:aws:iam::123456789012:role/admin",
        role_session_name="ci",
    )
    assert creds["security_token"] == "FwoGZXIvYXdzEXAMPLETOKEN"
    body = {"ttl": "900s", "role_arn": "arn:aws:iam::123456789012:role/admin", "role_session_name": "ci"}
    assert requests(kit.fake) == [("POST", "team/sts/deploy", body)]


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"engine": "gcp"}, "gcp/roleset/deploy/token"),
        (
            {"engine": "gcp", "source": "impersonated-account", "mount_point": "g"},
            "g/impersonated-account/deploy/token",
        ),
        ({"engine": "azure"}, "azure/creds/deploy"),
        ({"engine": "alicloud"}, "alicloud/creds/deploy"),
        ({"kind": "static-creds"}, "aws/static-creds/deploy"),
    ],
    ids=["gcp", "gcp-impersonated", "azure", "alicloud", "aws-static"],
)
def test_engine_options_choose_the_path(lookup: t.Callable[..., Lookup], options: dict[str, str], path: str) -> None:
    kit = lookup({("GET", path): {"lease_id": "", "lease_duration": 0, "data": {"token": "t", "access_key": "k"}}})
    kit.run(["deploy"], **options)
    assert [(c.method, c.path) for c in kit.fake.calls] == [("GET", path)]


def test_connection_from_the_environment_and_from_vars(
    lookup: t.Callable[..., Lookup], vault_json: Json, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    monkeypatch.setenv("BAO_ADDR", "http://bao.example:8200")
    monkeypatch.setenv("VAULT_TOKEN", "s.from-env")
    plugin = lookup_loader.get("vaultops.cloud.creds")
    plugin.run(["deploy"], {"vaultops_cloud_namespace": "team-a"}, cache=False)
    [options] = kit.logins
    assert (options.url, options.token, options.namespace) == ("http://bao.example:8200", "s.from-env", "team-a")


def test_approle_logs_in_once(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup(
        {
            ("POST", "auth/approle/login"): vault_json("approle_login"),
            ("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user"),
            ("GET", "aws/creds/other"): vault_json("aws_creds_iam_user"),
        }
    )
    kit.run(["deploy", "other"], auth_method="approle", role_id="rid", secret_id="sid", token=None)
    assert [c.path for c in kit.fake.calls] == ["auth/approle/login", "aws/creds/deploy", "aws/creds/other"]
    assert kit.fake.token == "s.approle-issued-token"


# --- bad input: refused before any request -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"kind": "static-creds", "ttl": "15m"}, "ttl"),
        ({"kind": "static-creds", "role_arn": "arn:aws:iam::123456789012:role/a"}, "role_arn"),
        ({"engine": "azure", "ttl": 60}, "ttl"),
        ({"engine": "gcp", "wait_until_valid": True, "wait_tenant_id": "t1"}, "wait_tenant_id"),
        ({"kind": "sts", "ttl": "a while"}, "ttl"),
    ],
    ids=["static-ttl", "static-role-arn", "azure-ttl", "gcp-proof", "bad-duration"],
)
def test_bad_options_fail_before_any_request(
    lookup: t.Callable[..., Lookup], options: dict[str, t.Any], field: str
) -> None:
    kit = lookup()
    with pytest.raises(AnsibleError, match=rf"^vaultops\.cloud\.creds: invalid value for {field}: "):
        kit.run(["deploy"], **options)
    assert kit.fake.adapter.calls == []
    assert kit.logins == []
    assert not kit.cache_dir.exists()


def test_a_bad_term_fails_the_whole_lookup_before_any_request(lookup: t.Callable[..., Lookup]) -> None:
    kit = lookup()
    with pytest.raises(AnsibleError, match=r"invalid value for role: "):
        kit.run(["deploy", "../../sys/raw"])
    assert kit.fake.adapter.calls == []


def test_a_choice_outside_the_documented_ones_is_refused(lookup: t.Callable[..., Lookup]) -> None:
    kit = lookup()
    with pytest.raises(AnsibleError, match="kind"):
        kit.run(["deploy"], kind="session")
    assert kit.fake.adapter.calls == []


def test_vault_errors_keep_the_message_and_the_path(lookup: t.Callable[..., Lookup]) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): hvac.exceptions.Forbidden(errors=["permission denied"])})
    with pytest.raises(AnsibleError) as info:
        kit.run(["deploy"])
    assert str(info.value).startswith("vaultops.cloud.creds: permission denied: permission denied")
    assert "aws/creds/deploy" in str(info.value)
    assert [c.path for c in kit.fake.calls] == ["aws/creds/deploy"]  # never asked twice


# --- lazy evaluation: the cache ------------------------------------------------------------------------------


def test_lazy_re_evaluation_reuses_the_credential(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    """A lookup in vars runs at every reference: with the cache, one credential for the whole run."""
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    first = kit.run(["deploy"])
    second = kit.run(["deploy"])
    third = kit.run(["deploy"], {"inventory_hostname": "other-host"})
    assert first == second == third
    assert [c.path for c in kit.fake.calls] == ["aws/creds/deploy"]
    assert len(kit.logins) == 1  # later runs do not even log in


def test_without_the_cache_every_evaluation_issues(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    kit.run(["deploy"], cache=False)
    kit.run(["deploy"], cache=False)
    assert [c.path for c in kit.fake.calls] == ["aws/creds/deploy", "aws/creds/deploy"]
    assert not kit.cache_dir.exists()


@pytest.mark.parametrize(
    "change",
    [{"kind": "sts"}, {"mount_point": "other"}, {"token": "s.someone-else"}, {"url": "http://other:8200"}],
    ids=["kind", "mount", "identity", "server"],
)
def test_another_request_is_another_credential(
    lookup: t.Callable[..., Lookup], vault_json: Json, change: dict[str, str]
) -> None:
    creds = vault_json("aws_creds_iam_user")
    kit = lookup(
        {("GET", "aws/creds/deploy"): creds, ("GET", "other/creds/deploy"): creds, ("GET", "aws/sts/deploy"): creds}
    )
    kit.run(["deploy"])
    kit.run(["deploy"], **change)
    assert len(kit.fake.calls) == 2


def test_the_cache_holds_no_token(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    kit.run(["deploy"], token="s.very-secret-token")
    files = [p for p in kit.cache_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert "very-secret-token" not in path.name
        assert "very-secret-token" not in path.read_text()


def test_a_failed_issue_is_not_cached(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    error = hvac.exceptions.InternalServerError(errors=["IAM throttled"])
    kit = lookup({("GET", "aws/creds/deploy"): [error, vault_json("aws_creds_iam_user")]})
    with pytest.raises(AnsibleError, match="IAM throttled"):
        kit.run(["deploy"])
    assert kit.run(["deploy"])[0]["access_key"] == "AKIAIOSFODNN7EXAMPLE"
    assert [c.path for c in kit.fake.calls] == ["aws/creds/deploy", "aws/creds/deploy"]


# --- check mode ------------------------------------------------------------------------------------------------


def test_check_mode_issues_nothing(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    """In check mode (ansible_check_mode from --check) no request at all; a placeholder per term."""
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    result = kit.run(["deploy", "other"], {"ansible_check_mode": True})
    placeholder = {
        "access_key": None,
        "secret_key": None,
        "security_token": None,
        "lease_id": None,
        "lease_duration": 0,
        "renewable": False,
        "expires_at": None,
        "check_mode": True,
    }
    assert result == [placeholder, placeholder]
    assert kit.fake.calls == []
    assert kit.logins == []
    assert not kit.cache_dir.exists()


@pytest.mark.parametrize(
    ("options", "keys"),
    [
        ({"engine": "gcp"}, {"token", "token_ttl", "expires_at_seconds"}),
        ({"engine": "gcp", "secret_type": "service_account_key"}, {"private_key_data", "key_algorithm", "key_type"}),
        ({"engine": "azure"}, {"client_id", "client_secret"}),
        ({"engine": "alicloud"}, {"access_key", "secret_key", "security_token", "expiration"}),
    ],
)
def test_check_mode_placeholder_has_the_engine_keys(
    lookup: t.Callable[..., Lookup], options: dict[str, str], keys: set[str]
) -> None:
    kit = lookup()
    [result] = kit.run(["deploy"], {"ansible_check_mode": True}, **options)
    assert set(result) == keys | {"lease_id", "lease_duration", "renewable", "expires_at", "check_mode"}
    assert kit.fake.calls == []


def test_check_mode_still_refuses_bad_input(lookup: t.Callable[..., Lookup]) -> None:
    kit = lookup()
    with pytest.raises(AnsibleError, match="role"):
        kit.run(["../x"], {"ansible_check_mode": True})


def test_issue_in_check_mode_issues(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    [creds] = kit.run(["deploy"], {"ansible_check_mode": True}, issue_in_check_mode=True)
    assert creds["access_key"] == "AKIAIOSFODNN7EXAMPLE"
    assert [c.path for c in kit.fake.calls] == ["aws/creds/deploy"]


def test_not_in_check_mode_issues(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    [creds] = kit.run(["deploy"], {"ansible_check_mode": False})
    assert creds["access_key"] == "AKIAIOSFODNN7EXAMPLE"


# --- revoke_at_end -------------------------------------------------------------------------------------------


def registry(cache_dir: Path) -> list[dict[str, t.Any]]:
    return [json.loads(p.read_text()) for p in sorted(cache_dir.rglob("lease-*.json"))]


def test_revoke_at_end_registers_the_lease_with_its_connection(
    lookup: t.Callable[..., Lookup], vault_json: Json
) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    [creds] = kit.run(["deploy"], revoke_at_end=True)
    [entry] = registry(kit.cache_dir)
    assert entry["lease_id"] == creds["lease_id"] == LEASE
    assert entry["revoke_at_end"] is True
    assert entry["connection"]["url"] == VAULT_URL
    assert entry["connection"]["token"] == ROOT_TOKEN


def test_revoke_at_end_without_the_cache_still_registers(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    kit.run(["deploy"], revoke_at_end=True, cache=False)
    assert [e["lease_id"] for e in registry(kit.cache_dir)] == [LEASE]
    assert not [p for p in kit.cache_dir.rglob("*.json") if not p.name.startswith("lease-")]


def test_a_cached_lease_is_registered_without_its_connection(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    """Without revoke_at_end the registry knows the lease but keeps no token."""
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    kit.run(["deploy"])
    [entry] = registry(kit.cache_dir)
    assert entry["revoke_at_end"] is False
    assert "connection" not in entry


def test_revoke_at_end_on_a_cached_credential_marks_it(lookup: t.Callable[..., Lookup], vault_json: Json) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    kit.run(["deploy"])
    kit.run(["deploy"], revoke_at_end=True)
    assert len(kit.fake.calls) == 1
    assert [e["revoke_at_end"] for e in registry(kit.cache_dir)] == [True]


# --- the documented options ------------------------------------------------------------------------------------


def test_defaults_and_environment_of_the_shared_fragment(plugin_loader: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The options come from the vaultops.cloud.creds doc fragment (and its PLUGINS part for the environment)."""
    monkeypatch.setenv("VAULTOPS_CLOUD_STS_ENDPOINT", "http://sts.local:5000")
    plugin = lookup_loader.get("vaultops.cloud.creds")
    plugin.set_options(var_options={}, direct={})
    assert {
        name: plugin.get_option(name)
        for name in ("engine", "kind", "source", "secret_type", "wait_until_valid", "wait_region", "cache")
    } == {
        "engine": "aws",
        "kind": "creds",
        "source": "roleset",
        "secret_type": "access_token",
        "wait_until_valid": False,
        "wait_region": "us-east-1",
        "cache": True,
    }
    assert (plugin.get_option("wait_successes"), plugin.get_option("wait_timeout")) == (3, 60)
    assert plugin.get_option("wait_sts_endpoint") == "http://sts.local:5000"


def test_renew_registers_the_lease_with_its_ttl_and_connection(
    lookup: t.Callable[..., Lookup], vault_json: Json
) -> None:
    kit = lookup({("GET", "aws/creds/deploy"): vault_json("aws_creds_iam_user")})
    kit.run(["deploy"], renew=True, renew_fraction=0.25)
    [entry] = registry(kit.cache_dir)
    assert entry["revoke_at_end"] is False
    assert entry["connection"]["url"] == VAULT_URL
    assert entry["renew"]["role"] == "deploy"
    assert entry["renew"]["ttl"] == 3600
    assert entry["renew"]["fraction"] == 0.25
    assert entry["renew"]["done"] is False


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1])
def test_a_renew_fraction_outside_0_1_fails_before_any_request(
    lookup: t.Callable[..., Lookup], fraction: float
) -> None:
    kit = lookup()
    with pytest.raises(AnsibleError, match=r"^vaultops\.cloud\.creds: invalid value for renew_fraction: "):
        kit.run(["deploy"], renew=True, renew_fraction=fraction)
    assert kit.fake.adapter.calls == []
    assert kit.logins == []


def test_renew_of_a_credential_that_is_not_renewable_warns(
    lookup: t.Callable[..., Lookup], vault_json: Json, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = lookup({("GET", "aws/sts/deploy"): vault_json("aws_sts_assumed_role")})
    shown: list[str] = []
    module = sys.modules[type(lookup_loader.get("vaultops.cloud.creds")).__module__]
    monkeypatch.setattr(module.display, "warning", shown.append)
    kit.run(["deploy"], kind="sts", renew=True)
    assert shown == ["vaultops.cloud.creds: renew: the credential of role deploy is not renewable; it ends after 900s"]
    assert registry(kit.cache_dir) == []
