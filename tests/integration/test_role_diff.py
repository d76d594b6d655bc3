"""The bundled roles show a configuration change in --diff, with the engine's secret masked."""

from __future__ import annotations

import json
import typing as t
import uuid
from pathlib import Path

import hvac
import pytest

from ._helpers import assert_no_leak
from .conftest import REPO, Ansible, Lab

PLAYBOOKS = REPO / "playbooks"


def test_aws_role_diff_shows_the_config_change_and_masks_the_secret(ansible: Ansible, lab: Lab, vault: t.Any) -> None:
    setup = ansible.playbook(PLAYBOOKS / "setup-vault-aws.yml", env=dict(lab.env))
    assert setup.rc == 0, setup.output
    lease = vault.read("aws/config/lease")["data"]["lease"]
    assert lease in ("30m", "1800s", "30m0s", 1800), lease  # as the playbook sets it

    # a changed lease, and the secret re-sent (update_secret=always): both in the predicted diff
    checked = ansible.playbook(
        PLAYBOOKS / "setup-vault-aws.yml",
        extra_vars={"aws_secrets_engine_lease": "45m", "aws_secrets_engine_update_secret": "always"},
        env=dict(lab.env),
        check=True,
        diff=True,
    )
    assert checked.rc == 0, checked.output
    assert checked.counts()["changed"] >= 1, checked.output
    assert lab.root_secret_key not in checked.output
    assert "censored" not in checked.stdout, "a task's no_log hid the diff"
    after = [line for line in checked.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    before = [line for line in checked.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert any("2700" in line or "45m" in line for line in after), checked.stdout
    assert any("1800" in line or "30m" in line for line in before), checked.stdout
    assert any("secret_key" in line and "********" in line for line in after), checked.stdout
    # check mode wrote nothing
    assert vault.read("aws/config/lease")["data"]["lease"] == lease


def gcp_leaks(env: t.Mapping[str, str]) -> dict[str, str]:
    key = json.loads(Path(env["VAULTOPS_LAB_GCP_CREDENTIALS_FILE"]).read_text())
    body_line = key["private_key"].splitlines()[5]
    assert len(body_line) >= 40
    return {"the GCP private_key_id": key["private_key_id"], "a slice of the GCP private key": body_line}


# cloud: (a changed setting as extra vars, the value the diff shows after it, the secret's option, the secrets)
OTHER_CLOUDS: dict[str, tuple[dict[str, t.Any], str, str, t.Callable[[t.Mapping[str, str]], dict[str, str]]]] = {
    "gcp": ({"gcp_secrets_engine_ttl": "2h"}, "7200", "credentials", gcp_leaks),
    "azure": (
        {"azure_secrets_engine_root_password_ttl": 8640000},
        "8640000",
        "client_secret",
        lambda env: {"the Azure client secret": env["VAULTOPS_LAB_AZURE_CLIENT_SECRET"]},
    ),
    "alicloud": (
        {"alicloud_secrets_engine_access_key": "LTAIdiffcheck"},
        "LTAIdiffcheck",
        "secret_key",
        lambda env: {"the AliCloud secret key": env["VAULTOPS_LAB_ALICLOUD_SECRET_KEY"]},
    ),
}


@pytest.mark.parametrize("cloud", sorted(OTHER_CLOUDS))
def test_role_diff_shows_the_config_change_and_no_secret_at_vvvv(ansible: Ansible, lab: Lab, cloud: str) -> None:
    """The roles' config tasks run without a task-level no_log: a change shows in --diff, and a -vvvv run
    with the secret re-sent (update_secret=always) shows no secret anywhere."""
    playbook = PLAYBOOKS / f"setup-vault-{cloud}.yml"
    setup = ansible.playbook(playbook, env=dict(lab.env))
    assert setup.rc == 0, setup.output

    changed, shown_after, secret_option, leaks = OTHER_CLOUDS[cloud]
    checked = ansible.playbook(
        playbook,
        extra_vars={**changed, f"{cloud}_secrets_engine_update_secret": "always"},
        env=dict(lab.env),
        check=True,
        diff=True,
        verbosity=4,
    )
    assert checked.rc == 0, checked.output
    assert checked.counts()["changed"] >= 1, checked.output
    assert "ESTABLISH LOCAL CONNECTION" in checked.stdout, "not a -vvvv run?"
    assert_no_leak(checked, {**leaks(lab.env), "the Vault token": lab.vault_token})
    after = [line for line in checked.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert any(shown_after in line for line in after), checked.stdout[-8000:]
    assert any(secret_option in line and "********" in line for line in after), checked.stdout[-8000:]


def test_aws_role_manages_static_roles_with_purge(
    ansible: Ansible, lab: Lab, vault: t.Any, aws: t.Callable[..., t.Any]
) -> None:
    """aws_secrets_engine_static_roles reaches aws_secrets_static_roles; the purge deletes the unlisted one. An
    engine that cannot list static roles (OpenBao's AWS plugin, the Vault 1.18 generation) still converges them,
    reading each one listed, and refuses the purge with a clear error, deleting nothing."""
    suffix = uuid.uuid4().hex[:6]
    mount, user_a, user_b = f"it-role-static-{suffix}", f"it-rs-a-{suffix}", f"it-rs-b-{suffix}"
    vault.sys.enable_secrets_engine("aws", path=mount)
    can_list = True
    try:
        vault.adapter.list(f"/v1/{mount}/static-roles")  # Client.list would swallow a 404
    except hvac.exceptions.InvalidPath as error:
        # an empty engine answers 404 without errors: listing works
        can_list = "unsupported path" not in str(error)
    iam = aws("iam")
    for user in (user_a, user_b):
        iam.create_user(UserName=user)
    role_vars = {
        "aws_secrets_engine_mount_point": mount,
        "aws_secrets_engine_access_key": lab.root_access_key,
        "aws_secrets_engine_secret_key": lab.root_secret_key,
        "aws_secrets_engine_region": lab.aws_region,
        "aws_secrets_engine_iam_endpoint": lab.aws_endpoint,
        "aws_secrets_engine_sts_endpoint": lab.aws_endpoint,
    }
    role_task = {"name": "The role", "ansible.builtin.include_role": {"name": "vaultops.cloud.aws_secrets_engine"}}
    try:
        first = ansible.play(
            [role_task],
            play_vars={
                **role_vars,
                "aws_secrets_engine_static_roles": [
                    {"name": "rotate-a", "username": user_a, "rotation_period": "1h"},
                    {"name": "rotate-b", "username": user_b, "rotation_period": "2h"},
                ],
            },
        )
        assert first.rc == 0, first.output
        if can_list:
            assert sorted(vault.list(f"{mount}/static-roles")["data"]["keys"]) == ["rotate-a", "rotate-b"]
        assert vault.read(f"{mount}/static-roles/rotate-a")["data"]["username"] == user_a
        assert vault.read(f"{mount}/static-roles/rotate-b")["data"]["username"] == user_b

        second = ansible.play(
            [role_task],
            play_vars={
                **role_vars,
                "aws_secrets_engine_static_roles": [{"name": "rotate-b", "username": user_b, "rotation_period": "2h"}],
                "aws_secrets_engine_purge_static_roles": True,
            },
        )
        if can_list:
            assert second.rc == 0, second.output
            assert second.counts()["changed"] == 1, second.output  # the purge; mount, config, rotate-b unchanged
            assert vault.list(f"{mount}/static-roles")["data"]["keys"] == ["rotate-b"]
        else:
            assert second.rc != 0, second.output
            assert "purge" in second.output and "unsupported path" in second.output, second.output
            assert vault.read(f"{mount}/static-roles/rotate-a")["data"]["username"] == user_a  # nothing deleted
            # without the purge, a rerun of the first list changes nothing: each role read, none written
            third = ansible.play(
                [role_task],
                play_vars={
                    **role_vars,
                    "aws_secrets_engine_static_roles": [
                        {"name": "rotate-a", "username": user_a, "rotation_period": "1h"},
                        {"name": "rotate-b", "username": user_b, "rotation_period": "2h"},
                    ],
                },
            )
            assert third.rc == 0, third.output
            assert third.counts()["changed"] == 0, third.output
    finally:
        for name in ("rotate-a", "rotate-b"):
            vault.delete(f"{mount}/static-roles/{name}")
        vault.sys.disable_secrets_engine(mount)
        for user in (user_a, user_b):
            for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
                iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
            iam.delete_user(UserName=user)
