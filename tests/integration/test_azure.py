"""The Azure secrets engine end to end: the four-run targets, credentials from the creds lookup proven against
the lab's fake Azure (its state, and a sign-in with the issued secret), bad input, and a scan of -vvvv output
for secrets.

The fake Azure is read over its control API (``/_fake/state``, ``/_fake/requests``) or used as a plain HTTP
proxy for a sign-in; Vault is read with hvac on the root token: never with the collection's own code.
"""

from __future__ import annotations

import json
import typing as t
import urllib.parse
from dataclasses import dataclass

import hvac
import pytest

from ._helpers import assert_no_leak, creds_lookup, http_json, lab_values, vault_read
from .conftest import Ansible, FakeCloud, Lab, PlaybookResult, mounted_engine, wait_until

MOUNT = "it-azure"
READER_GUID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # built-in: the same in every tenant
GROUP = "vaultops-readers"
# target: the mount it uses and must remove
TARGETS = {"azure_secrets_config": "it-azure-config", "azure_secrets_role": "it-azure-role"}
AZURE_HOSTS = ("login.microsoftonline.com", "graph.microsoft.com", "management.azure.com")


# --- the fake Azure -----------------------------------------------------------------------------------


def azure_calls(cloud: FakeCloud, after: int) -> list[str]:
    """``METHOD host path`` of the calls to Azure after ``after``."""
    return cloud.calls(after, AZURE_HOSTS)


def sign_in(cloud: FakeCloud, tenant: str, client_id: str, client_secret: str) -> tuple[int, t.Any]:
    """A client-credentials sign-in, with the fake as a plain HTTP proxy for login.microsoftonline.com."""
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": "https://management.azure.com/.default",
        }
    ).encode()
    return http_json(f"http://login.microsoftonline.com/{tenant}/oauth2/v2.0/token", form, proxy=cloud.endpoint)


def app_ids(cloud: FakeCloud) -> list[str]:
    return sorted(app["appId"] for app in cloud.state()["azure"]["applications"])


# --- the lab's Azure identities -------------------------------------------------------------------------


@dataclass(frozen=True)
class Azure:
    tenant_id: str
    subscription_id: str
    client_id: str
    client_secret: str

    @property
    def scope(self) -> str:
        return f"/subscriptions/{self.subscription_id}"


@pytest.fixture(scope="module")
def azure(lab: Lab) -> Azure:
    names = ("tenant_id", "subscription_id", "client_id", "client_secret")
    return Azure(**lab_values(lab.env, {name: f"VAULTOPS_LAB_AZURE_{name.upper()}" for name in names}))


def cloud_vars(lab: Lab, azure: Azure) -> dict[str, str]:
    """What the Azure targets need besides VAULT_ADDR / VAULT_TOKEN (the client secret too: the vars file is 0600)."""
    return {
        "lab_cloud_endpoint": lab.env["VAULTOPS_LAB_CLOUD_ENDPOINT"],
        "lab_azure_tenant_id": azure.tenant_id,
        "lab_azure_subscription_id": azure.subscription_id,
        "lab_azure_client_id": azure.client_id,
        "lab_azure_client_secret": azure.client_secret,
    }


# --- the engine ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(vault: hvac.Client, azure: Azure) -> t.Iterator[str]:
    """An Azure engine at it-azure, configured with the lab's application."""
    config = {
        "tenant_id": azure.tenant_id,
        "subscription_id": azure.subscription_id,
        "client_id": azure.client_id,
        "client_secret": azure.client_secret,
    }
    yield from mounted_engine(vault, "azure", MOUNT, config)


def read_role(vault: hvac.Client, name: str) -> dict[str, t.Any] | None:
    return vault_read(vault, f"{MOUNT}/roles/{name}")


def role(ansible: Ansible, name: str, check: bool = False, **args: t.Any) -> PlaybookResult:
    return ansible.task("vaultops.cloud.azure_secrets_role", {"mount_point": MOUNT, "name": name, **args}, check=check)


def issue(ansible: Ansible, role_name: str, **kwargs: t.Any) -> PlaybookResult:
    """The creds lookup, run once in set_fact (no_log); the credential lands in ``result``."""
    task = {
        "name": "Issue credentials",
        "ansible.builtin.set_fact": {"issued": creds_lookup(role_name, "azure", MOUNT)},
        "no_log": True,
    }
    return ansible.play([task], capture="issued", **kwargs)


# --- the four-run targets -------------------------------------------------------------------------


@pytest.mark.core219
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_target(*, target: str, ansible: Ansible, vault: hvac.Client, lab: Lab, azure: Azure, cloud: FakeCloud) -> None:
    apps_before = app_ids(cloud)
    # -vvvv: every module result, diff and invocation is printed, and scanned below
    run = ansible.target(target, extra_vars=cloud_vars(lab, azure), verbosity=4)
    counts = run.counts()
    assert run.rc == 0, run.output[-6000:]
    assert counts["failed"] == 0, run.output[-6000:]
    # a target that silently skipped its body would still "pass": it must have changed things
    assert counts["changed"] >= 4, run.output[-6000:]
    assert "All assertions passed" in run.stdout
    assert f"{TARGETS[target]}/" not in vault.sys.list_mounted_secrets_engines()["data"]
    # writing roles makes the engine look things up in Azure, never create applications
    assert app_ids(cloud) == apps_before
    assert_no_leak(run, {"the Azure client secret": azure.client_secret, "the Vault token": lab.vault_token})


# --- credentials from the lookup, proven against the fake Azure ----------------------------------------


@pytest.mark.core219
def test_service_principal_from_the_lookup(
    ansible: Ansible, vault: hvac.Client, azure: Azure, cloud: FakeCloud, engine: str
) -> None:
    created = role(
        ansible,
        "it-sp",
        azure_roles=[{"role_name": "Reader", "scope": azure.scope}],
        azure_groups=[{"group_name": GROUP}],
        ttl="1h",
    )
    assert created.rc == 0, created.output
    apps_before = app_ids(cloud)

    run = issue(ansible, "it-sp")
    assert run.rc == 0, run.output
    creds = run.result
    assert set(creds) >= {"client_id", "client_secret", "lease_id", "lease_duration", "expires_at"}
    assert creds["lease_id"].startswith(f"{engine}/creds/it-sp/")
    assert creds["lease_duration"] == 3600
    assert creds["client_secret"] not in run.stdout

    # the engine made an application, its service principal with a password, the role assignment, the membership
    state = cloud.state()["azure"]
    assert sorted([*apps_before, creds["client_id"]]) == app_ids(cloud)
    [sp] = [s for s in state["service_principals"] if s["appId"] == creds["client_id"]]
    assert len(sp["passwordCredentials"]) == 1, sp
    assignments = [ra["properties"] for ra in state["role_assignments"] if ra["properties"]["principalId"] == sp["id"]]
    assert len(assignments) == 1, assignments
    assert assignments[0]["roleDefinitionId"].endswith(f"/roleDefinitions/{READER_GUID}")
    assert assignments[0]["scope"].lower() == azure.scope.lower()
    [group] = [g for g in state["groups"] if g["displayName"] == GROUP]
    assert sp["id"] in group["members"]
    # and the secret signs in
    status, body = sign_in(cloud, azure.tenant_id, creds["client_id"], creds["client_secret"])
    assert status == 200, body
    assert body["access_token"]

    # revoking the lease deletes the application (and takes the rest with it)
    vault.sys.revoke_lease(creds["lease_id"])
    assert wait_until(lambda: creds["client_id"] not in app_ids(cloud)), app_ids(cloud)
    state = cloud.state()["azure"]
    assert sp["id"] not in [s["id"] for s in state["service_principals"]]
    assert [ra for ra in state["role_assignments"] if ra["properties"]["principalId"] == sp["id"]] == []
    [group] = [g for g in state["groups"] if g["displayName"] == GROUP]
    assert sp["id"] not in group["members"]
    status, body = sign_in(cloud, azure.tenant_id, creds["client_id"], creds["client_secret"])
    assert status in (400, 401), body


# --- bad input: clear errors, nothing written -------------------------------------------------------


@pytest.mark.core219
@pytest.mark.parametrize(
    ("args", "text"),
    [
        pytest.param(
            {"azure_roles": [{"role_name": "Raeder", "scope": "SUB"}]},
            "no role found for role_name: 'Raeder'",
            id="role",
        ),
        pytest.param(
            {
                "azure_roles": [{"role_name": "Reader", "scope": "SUB"}],
                "azure_groups": [{"group_name": "it-no-such-group"}],
            },
            "no group found for group_name: 'it-no-such-group'",
            id="group",
        ),
    ],
)
def test_unknown_azure_name(
    *,
    args: dict[str, t.Any],
    text: str,
    ansible: Ansible,
    vault: hvac.Client,
    azure: Azure,
    cloud: FakeCloud,
    engine: str,
) -> None:
    args = json.loads(json.dumps(args).replace('"SUB"', json.dumps(azure.scope)))
    apps_before = app_ids(cloud)
    # check mode asks only Vault, so it cannot know that Azure lacks the name: it predicts the write
    mark = cloud.mark()
    checked = role(ansible, "it-unknown", check=True, **args)
    assert checked.rc == 0, checked.output
    assert checked.result["changed"] is True
    assert azure_calls(cloud, mark) == []
    # the real run is refused by the engine, which looked the name up in Azure; the message says which
    run = role(ansible, "it-unknown", **args)
    assert run.rc != 0
    assert text in run.result["msg"]
    assert run.result["path"] == f"{engine}/roles/it-unknown"
    assert run.result["status"] == 400
    assert read_role(vault, "it-unknown") is None
    assert app_ids(cloud) == apps_before


def test_unknown_azure_role_leaves_an_existing_role_alone(
    ansible: Ansible, vault: hvac.Client, azure: Azure, engine: str
) -> None:
    created = role(ansible, "it-keep", azure_roles=[{"role_name": "Reader", "scope": azure.scope}], ttl=600)
    assert created.rc == 0, created.output
    before = read_role(vault, "it-keep")
    run = role(ansible, "it-keep", azure_roles=[{"role_name": "Raeder", "scope": azure.scope}], ttl=900)
    assert run.rc != 0
    assert "no role found for role_name: 'Raeder'" in run.result["msg"]
    assert read_role(vault, "it-keep") == before


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        pytest.param({"azure_roles": [{"role_name": "Reader"}]}, "azure_roles", "item 1 needs a scope", id="no-scope"),
        pytest.param({"ttl": "2h", "max_ttl": "1h"}, "ttl", "must not exceed max_ttl", id="ttl-order"),
        pytest.param({"tags": ["has space"]}, "tags", "contains a space", id="tag"),
    ],
)
def test_refused_before_any_request(
    *,
    args: dict[str, t.Any],
    field: str,
    text: str,
    ansible: Ansible,
    vault: hvac.Client,
    cloud: FakeCloud,
    engine: str,
) -> None:
    mark = cloud.mark()
    run = role(ansible, "it-refused", **args)
    assert run.rc != 0
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert read_role(vault, "it-refused") is None
    assert azure_calls(cloud, mark) == []


def test_config_on_a_mount_of_another_type_is_refused(ansible: Ansible, vault: hvac.Client, azure: Azure) -> None:
    """The client secret must never land in, say, a kv mount, where anyone who may read it would see it."""
    vault.sys.enable_secrets_engine("kv", path="it-azure-kv")
    try:
        run = ansible.task(
            "vaultops.cloud.azure_secrets_config",
            {"mount_point": "it-azure-kv", "tenant_id": azure.tenant_id, "client_secret": azure.client_secret},
        )
        assert run.rc != 0
        assert run.result["field"] == "mount_point"
        assert "'kv' secrets engine" in run.result["msg"]
        assert (vault.read("it-azure-kv/config") or {}).get("data") is None
    finally:
        vault.sys.disable_secrets_engine("it-azure-kv")


# --- nothing secret in -vvvv output ----------------------------------------------------------------


def test_no_secret_in_verbose_output(ansible: Ansible, lab: Lab, azure: Azure, engine: str) -> None:
    tasks: list[dict[str, t.Any]] = [
        {
            "name": "Configure the engine, writing the secret",
            "vaultops.cloud.azure_secrets_config": {
                "mount_point": MOUNT,
                "tenant_id": azure.tenant_id,
                "subscription_id": azure.subscription_id,
                "client_id": azure.client_id,
                "client_secret": azure.client_secret,
                "update_secret": "always",
            },
            "diff": True,
        },
        {
            "name": "A role",
            "vaultops.cloud.azure_secrets_role": {
                "mount_point": MOUNT,
                "name": "it-leak",
                "azure_roles": [{"role_name": "Reader", "scope": azure.scope}],
            },
            "diff": True,
        },
        {
            "name": "Issue with the lookup",
            "ansible.builtin.set_fact": {
                "issued": {
                    "lookup": creds_lookup("it-leak", "azure", MOUNT),
                },
            },
            "no_log": True,
        },
        {
            "name": "Issue with the module",
            "vaultops.cloud.creds": {"engine": "azure", "mount_point": MOUNT, "role": "it-leak"},
            "register": "by_module",
            "no_log": True,
        },
        {
            "name": "Keep them both",
            "ansible.builtin.set_fact": {"issued": "{{ issued | combine({'module': by_module.credentials}) }}"},
            "no_log": True,
        },
    ]
    run = ansible.play(tasks, capture="issued", verbosity=4)
    assert run.rc == 0, run.output[-6000:]
    assert_no_leak(
        run,
        {
            "the Azure client secret": azure.client_secret,
            "the Vault token": lab.vault_token,
            "the issued client secret (lookup)": run.result["lookup"]["client_secret"],
            "the issued client secret (module)": run.result["module"]["client_secret"],
        },
    )
