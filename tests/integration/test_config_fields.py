"""The GCP and Azure configurations' fields of issue 10 on the lab's server, in one playbook run: the root-rotation
fields (Vault 1.19+), the identity-token fields, and each server's refusal of what it does not support.

On Vault 1.21 (gcp and azure v0.23.0) the rotation fields are set with values community Vault accepts (no period, no
schedule; rotation disabled on GCP, enabled on Azure), with the lab's Google key and Azure application, in four runs
(check, real, check, real), and read back with hvac on the root token. Community Vault refuses a period or a
schedule while rotation is enabled (the rotation manager is Vault Enterprise): Vault's own message, nothing
written. While rotation is disabled it stores a period (no job is registered), and then refuses to enable rotation.

On OpenBao (plugins v0.20.1) the module refuses a write that sends a rotation field, naming it, after reading the
engine's schema: the engine would drop it without a word (a write with fields it does not know answers 204 and no
warning). Asking for rotation off there changes nothing: the engine has none.

On both, identity_token_ttl is stored, and an identity_token_audience (workload identity federation) gets the
server's refusal: community Vault's 'not supported in Vault community edition', OpenBao's missing
GenerateIdentityToken. Nothing refused is written (read back).
"""

from __future__ import annotations

import typing as t

import hvac
import pytest

from ._helpers import lab_values, vault_read
from .conftest import Ansible, Lab, engine_version

GCP = "it-fields-gcp"
AZURE = "it-fields-azure"
GCP_WIF = "it-fields-gcp-wif"
AZURE_WIF = "it-fields-azure-wif"
MOUNTS = {GCP: "gcp", AZURE: "azure", GCP_WIF: "gcp", AZURE_WIF: "azure"}
# rotation settings community Vault accepts, durations as a user writes them
GCP_ROTATION = {
    "rotation_period": "0s",
    "rotation_schedule": "",
    "rotation_window": "0m",
    "disable_automated_rotation": True,
}
AZURE_ROTATION = {
    "rotation_period": 0,
    "rotation_schedule": "",
    "rotation_window": 0,
    "disable_automated_rotation": False,
}
# as Vault 1.21 reads them back (durations in seconds), after the refused and accepted writes below
GCP_READ = {
    "rotation_period": 2592000,
    "rotation_schedule": "",
    "rotation_window": 0,
    "disable_automated_rotation": True,
}
AZURE_READ = {"rotation_period": 0, "rotation_schedule": "", "rotation_window": 0, "disable_automated_rotation": False}
CHECK_REAL = (True, False, True, False)
COMMUNITY = "not supported in Vault community edition"


@pytest.fixture
def mounts(vault: hvac.Client) -> t.Iterator[None]:
    """The four mounts, unconfigured; disabled afterwards."""
    for mount, kind in MOUNTS.items():
        vault.sys.enable_secrets_engine(kind, path=mount)
    yield
    for mount in MOUNTS:
        vault.sys.disable_secrets_engine(mount)


def task(name: str, module: str, args: dict[str, t.Any], register: str, **keywords: t.Any) -> dict[str, t.Any]:
    return {"name": name, f"vaultops.cloud.{module}": args, "register": register, **keywords}


def test_config_fields(ansible: Ansible, lab: Lab, vault: hvac.Client, mounts: None) -> None:
    rotation = engine_version(vault, "gcp") >= (0, 21, 0)
    assert rotation == (engine_version(vault, "azure") >= (0, 21, 0)), "the lab's gcp and azure engines differ"
    azure = lab_values(lab.env, {n: f"VAULTOPS_LAB_AZURE_{n.upper()}" for n in ("tenant_id", "subscription_id")})
    azure_app = {"client_id": "{{ lab_azure_client_id }}", "client_secret": "{{ lab_azure_client_secret }}"}
    gcp_args = {
        "mount_point": GCP,
        "credentials": "{{ lookup('file', lab_gcp_credentials_file) }}",
        "ttl": "1h",
        "identity_token_ttl": "2h",
        **(GCP_ROTATION if rotation else {}),
    }
    azure_args = {
        "mount_point": AZURE,
        **azure,
        **azure_app,
        "root_password_ttl": "48h",
        "identity_token_ttl": "2h",
        **(AZURE_ROTATION if rotation else {}),
    }
    tasks = []
    for index, check in enumerate(CHECK_REAL):
        tasks.append(task("GCP config", "gcp_secrets_config", gcp_args, f"gcp_{index}", check_mode=check))
        tasks.append(task("Azure config", "azure_secrets_config", azure_args, f"azure_{index}", check_mode=check))
    others = {
        # Vault: accepted while rotation is disabled; OpenBao: the module refuses the field
        "gcp_period": ("gcp_secrets_config", {"mount_point": GCP, "ttl": "2h", "rotation_period": "720h"}),
        # Vault: community edition refuses to enable rotation with a period stored; OpenBao: already so (no
        # rotation at all), unchanged, nothing sent
        "gcp_enable": ("gcp_secrets_config", {"mount_point": GCP, "disable_automated_rotation": False}),
        # Vault: community edition refuses a schedule while rotation is enabled; OpenBao: refused field
        "azure_schedule": (
            "azure_secrets_config",
            {"mount_point": AZURE, "root_password_ttl": "72h", "rotation_schedule": "0 0 * * SAT"},
        ),
        # workload identity federation: on mounts without credentials, which the engine would refuse beside it
        "gcp_wif": (
            "gcp_secrets_config",
            {
                "mount_point": GCP_WIF,
                "service_account_email": "wif@vaultops-lab.iam.gserviceaccount.com",
                "identity_token_audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p",
            },
        ),
        "azure_wif": (
            "azure_secrets_config",
            {"mount_point": AZURE_WIF, **azure, "identity_token_audience": "api://AzureADTokenExchange"},
        ),
    }
    for name, (module, args) in others.items():
        tasks.append(task(name, module, args, name, ignore_errors=True))
    names = [f"{engine}_{index}" for engine in ("gcp", "azure") for index in range(4)] + list(others)
    tasks.append(
        {
            "name": "Collect the results",
            "ansible.builtin.set_fact": {"outcome": {name: "{{ " + name + " }}" for name in names}},
        }
    )
    secrets = lab_values(
        lab.env,
        {
            "lab_gcp_credentials_file": "VAULTOPS_LAB_GCP_CREDENTIALS_FILE",
            "lab_azure_client_id": "VAULTOPS_LAB_AZURE_CLIENT_ID",
            "lab_azure_client_secret": "VAULTOPS_LAB_AZURE_CLIENT_SECRET",
        },
    )
    run = ansible.play(tasks, capture="outcome", extra_vars=secrets)
    assert run.rc == 0, run.output
    out = run.result

    # four runs each: check and real change, then nothing changes (check mode and real)
    for engine in ("gcp", "azure"):
        assert [out[f"{engine}_{i}"]["changed"] for i in range(4)] == [True, True, False, False], run.output
        assert not any(out[f"{engine}_{i}"].get("failed") for i in range(4)), run.output
    assert out["gcp_1"]["credentials_written"] is True
    assert out["azure_1"]["client_secret_written"] is True
    assert out["gcp_3"]["config"]["identity_token_ttl"] == 7200

    # what each server made of the other writes
    def refused(name: str) -> dict[str, t.Any]:
        result = out[name]
        assert result["failed"] is True and result["changed"] is False, result
        return t.cast("dict[str, t.Any]", result)

    if rotation:
        accepted = out["gcp_period"]
        assert accepted["changed"] is True and not accepted.get("failed"), accepted
        for name, mount in (("gcp_enable", GCP), ("azure_schedule", AZURE)):
            result = refused(name)
            assert f"rotation manager capabilities {COMMUNITY}" in result["msg"], result
            assert result["path"] == f"{mount}/config", result
    else:
        unchanged = out["gcp_enable"]
        assert unchanged["changed"] is False and not unchanged.get("failed"), unchanged
        for name, field, mount in (
            ("gcp_period", "rotation_period", GCP),
            ("azure_schedule", "rotation_schedule", AZURE),
        ):
            result = refused(name)
            assert f"does not support {field} at {mount}/config" in result["msg"], result
            assert "needs Vault 1.19 or later" in result["msg"] and "nothing was written" in result["msg"], result
    said = f"plugin workload identity {COMMUNITY}" if rotation else "GenerateIdentityToken"
    for name in ("gcp_wif", "azure_wif"):
        assert said in refused(name)["msg"], out[name]

    # read back with hvac on the root token
    gcp = vault_read(vault, f"{GCP}/config")
    az = vault_read(vault, f"{AZURE}/config")
    assert gcp is not None and az is not None
    assert (gcp["ttl"], gcp["identity_token_ttl"]) == (7200 if rotation else 3600, 7200)
    assert (az["root_password_ttl"], az["identity_token_ttl"], az["tenant_id"]) == (172800, 7200, azure["tenant_id"])
    if rotation:
        assert {name: gcp[name] for name in GCP_READ} == GCP_READ
        assert {name: az[name] for name in AZURE_READ} == AZURE_READ
    else:
        assert not set(GCP_READ) & (set(gcp) | set(az)), "OpenBao's plugins have no rotation fields"
    # a refused workload identity write stores nothing: no GCP config; an Azure config that reads as unset
    assert vault_read(vault, f"{GCP_WIF}/config") is None
    assert (vault_read(vault, f"{AZURE_WIF}/config") or {}).get("tenant_id") in (None, "")
