"""The AWS engine's fields that only some servers have, live, in one playbook run per server.

On an engine of Vault 1.19 or later (HashiCorp Vault 1.21 of the lab): ``aws_secrets_config`` sets the STS region
and fallbacks and the rotation fields, hvac on the root token reads them back, and a second run changes nothing;
a non-zero ``rotation_period`` gets community Vault's own refusal (the rotation manager is Vault Enterprise's).
On an older engine (OpenBao 2.7 with the AWS plugin of Vault 1.18.5): each field of Vault 1.19 gets the
collection's refusal naming the field, the path and that this server's engine does not support it, and hvac
proves that nothing was written. On both: the cross-account fields of static roles (Vault Enterprise) are refused
the same way.
"""

from __future__ import annotations

import typing as t

import hvac
import pytest

from ._helpers import vault_read
from .conftest import Ansible, Lab, engine_version

MOUNT = "it-fields-aws"
ROOT = f"{MOUNT}/config/root"
STATIC = f"{MOUNT}/static-roles/cross"
UNSUPPORTED = "this server's engine does not support"
CROSS = {
    "assume_role_arn": "arn:aws:iam::210987654321:role/vault-admin",
    "assume_role_session_name": "vault",
    "external_id": "ext-1",
}


@pytest.fixture
def engine(vault: hvac.Client, lab: Lab) -> t.Iterator[str]:
    vault.sys.enable_secrets_engine("aws", path=MOUNT)
    vault.write_data(ROOT, data=lab.aws_root_config())
    yield MOUNT
    vault.sys.disable_secrets_engine(MOUNT)


def task(name: str, module: str, args: t.Mapping[str, t.Any], *, fails: bool = False) -> dict[str, t.Any]:
    entry: dict[str, t.Any] = {"name": name, f"vaultops.cloud.{module}": dict(args), "register": name}
    if fails:
        entry["ignore_errors"] = True
    return entry


def run_cases(ansible: Ansible, tasks: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    names = [entry["name"] for entry in tasks]
    collect = {
        "name": "collect",
        "ansible.builtin.set_fact": {"outcome": {n: "{{ " + n + " | default({}) }}" for n in names}},
    }
    run = ansible.play([*tasks, collect], capture="outcome")
    assert run.rc == 0, run.output
    assert set(run.result) == set(names), run.output
    return run.result


def cross_account_case() -> dict[str, t.Any]:
    return task(
        "cross_account",
        "aws_secrets_static_role",
        {"mount_point": MOUNT, "name": "cross", "username": "cross-user", "rotation_period": "1h", **CROSS},
        fails=True,
    )


def assert_cross_account_refused(vault: hvac.Client, outcome: dict[str, t.Any]) -> None:
    assert outcome["failed"] is True
    assert outcome["changed"] is False
    assert outcome["msg"].startswith(
        f"{UNSUPPORTED} assume_role_arn, assume_role_session_name, external_id at {STATIC} (the server's schema of "
        "the path lacks them: assume_role_arn needs Vault Enterprise 1.19 or later"
    ), outcome["msg"]
    assert vault_read(vault, STATIC) is None


def test_fields_of_vault_1_19(ansible: Ansible, vault: hvac.Client, lab: Lab, engine: str) -> None:
    if engine_version(vault, "aws") < (1, 19, 0):
        pytest.skip("the AWS engine of this server is older than Vault 1.19 (see test_fields_older_engine_refuses)")
    # community Vault stores a rotation period or schedule only with disable_automated_rotation (no job is
    # registered then); to register one it needs Vault Enterprise's rotation manager
    scheduled = {
        "mount_point": engine,
        **lab.aws_root_config(),
        "sts_region": lab.aws_region,
        "sts_fallback_endpoints": [lab.aws_endpoint],
        "sts_fallback_regions": ["us-west-2"],
        "rotation_period": 0,
        "rotation_schedule": "0 3 * * SAT",
        "rotation_window": "2h",
        "disable_automated_rotation": True,
    }
    periodic = {**scheduled, "rotation_period": "720h", "rotation_schedule": "", "rotation_window": 0}
    read_root = {
        "name": "after_schedule",
        "ansible.builtin.uri": {
            "url": f"{lab.vault_addr}/v1/{ROOT}",
            "headers": {"X-Vault-Token": lab.vault_token},
            "return_content": True,
        },
        "register": "after_schedule",
        "no_log": True,
    }
    outcome = run_cases(
        ansible,
        [
            task("schedule", "aws_secrets_config", scheduled),
            task("schedule_again", "aws_secrets_config", scheduled),
            read_root,
            task("period", "aws_secrets_config", periodic),
            task("period_again", "aws_secrets_config", periodic),
            task("job", "aws_secrets_config", {**periodic, "disable_automated_rotation": False}, fails=True),
            task(
                "period_and_schedule",
                "aws_secrets_config",
                {**periodic, "rotation_schedule": "0 * * * *"},
                fails=True,
            ),
            cross_account_case(),
        ],
    )
    for name in ("schedule", "period"):
        assert outcome[name]["changed"] is True, outcome[name]
        assert outcome[f"{name}_again"]["changed"] is False, outcome[f"{name}_again"]
    after_schedule = outcome["after_schedule"]["json"]["data"]
    assert (after_schedule["rotation_schedule"], after_schedule["rotation_window"]) == ("0 3 * * SAT", 7200)
    assert after_schedule["rotation_period"] == 0
    stored = vault_read(vault, ROOT)
    assert stored is not None
    assert {k: stored[k] for k in ("sts_region", "sts_fallback_endpoints", "sts_fallback_regions")} == {
        "sts_region": lab.aws_region,
        "sts_fallback_endpoints": [lab.aws_endpoint],
        "sts_fallback_regions": ["us-west-2"],
    }
    assert (stored["rotation_period"], stored["rotation_schedule"], stored["rotation_window"]) == (2592000, "", 0)
    assert stored["disable_automated_rotation"] is True
    assert stored["access_key"] == lab.root_access_key
    # community Vault cannot register a rotation job (Vault Enterprise's rotation manager): Vault's own refusal
    assert outcome["job"]["failed"] is True
    assert "rotation manager capabilities not supported in Vault community edition" in outcome["job"]["msg"]
    assert ROOT in outcome["job"]["msg"]
    # the engine's own rule, refused by the collection before any request, naming the field
    assert outcome["period_and_schedule"]["failed"] is True
    assert outcome["period_and_schedule"]["msg"].startswith("invalid value for rotation_period"), outcome[
        "period_and_schedule"
    ]["msg"]
    assert vault_read(vault, ROOT) == stored
    assert_cross_account_refused(vault, outcome["cross_account"])


def test_fields_older_engine_refuses(ansible: Ansible, vault: hvac.Client, lab: Lab, engine: str) -> None:
    if engine_version(vault, "aws") >= (1, 19, 0):
        pytest.skip("the AWS engine of this server has the fields of Vault 1.19 (see test_fields_of_vault_1_19)")
    before = vault_read(vault, ROOT)
    base = {"mount_point": engine, **lab.aws_root_config()}
    cases = {
        "rotation_period": "1h",
        "rotation_schedule": "0 * * * *",
        "disable_automated_rotation": True,
        "sts_region": "us-west-2",
        "sts_fallback_endpoints": [lab.aws_endpoint],
    }
    outcome = run_cases(
        ansible,
        [task(name, "aws_secrets_config", {**base, name: value}, fails=True) for name, value in cases.items()]
        + [cross_account_case()],
    )
    for name in cases:
        result = outcome[name]
        assert result["failed"] is True, result
        assert result["changed"] is False
        assert result["msg"].startswith(
            f"{UNSUPPORTED} {name} at {ROOT} (the server's schema of the path lacks them: {name} needs Vault 1.19 "
            "or later"
        ), result["msg"]
        assert result["msg"].endswith(f"nothing was written (path: {ROOT})"), result["msg"]
    assert vault_read(vault, ROOT) == before
    assert_cross_account_refused(vault, outcome["cross_account"])
