# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""wait_until_valid on the four clouds, with the lab's fakes refusing new keys for a few seconds (issue 11).

One ansible-playbook run does every case on every cloud: a lookup without the wait whose credential fails its
first use, one with the wait whose first use succeeds (and says how long it waited), and one whose wait ends
before the delay does, which is revoked. The first uses are made by ``_use_creds.py`` (boto3, requests and a
signing of its own), the cloud side is read from moto (boto3) and the fake's state, the leases with hvac.
"""

from __future__ import annotations

import json
import sys
import time
import typing as t
from pathlib import Path

import hvac
import pytest

from ._helpers import FakeCloud, creds_lookup, http_json
from .conftest import Ansible, AwsFactory, Lab

DELAY = 6  # seconds the fakes refuse a new key
PREFIX = "it-prop"
PROJECTS = "//cloudresourcemanager.googleapis.com/projects"
CLOUDS = ("aws", "azure", "gcp", "alicloud")
USE = Path(__file__).with_name("_use_creds.py")
# how each cloud refuses a key it does not know yet, as the first use sees it
REFUSALS = {
    "aws": "InvalidClientTokenId",
    "azure": "AADSTS7000215",
    "gcp": "Invalid JWT Signature.",
    "alicloud": "InvalidAccessKeyId.NotFound",
}


def mount(cloud: str) -> str:
    return f"{PREFIX}-{cloud}"


def never_leases(cloud: str) -> str:
    """Where Vault keeps the leases of the role "never" (GCP keys live under the roleset)."""
    return f"{mount(cloud)}/roleset/never/key/" if cloud == "gcp" else f"{mount(cloud)}/creds/never/"


@pytest.fixture(scope="module")
def engines(vault: hvac.Client, lab: Lab) -> t.Iterator[dict[str, str]]:
    """One engine per cloud with a role "ok" and a role "never"; AWS goes through the fake's proxy to moto."""
    env = lab.env
    proxy = env["VAULTOPS_LAB_CLOUD_ENDPOINT"]
    configs = {
        "aws": {
            "access_key": lab.root_access_key,
            "secret_key": lab.root_secret_key,
            "region": lab.aws_region,
            "iam_endpoint": proxy,
            "sts_endpoint": proxy,
        },
        "azure": {
            "tenant_id": env["VAULTOPS_LAB_AZURE_TENANT_ID"],
            "subscription_id": env["VAULTOPS_LAB_AZURE_SUBSCRIPTION_ID"],
            "client_id": env["VAULTOPS_LAB_AZURE_CLIENT_ID"],
            "client_secret": env["VAULTOPS_LAB_AZURE_CLIENT_SECRET"],
        },
        "gcp": {"credentials": Path(env["VAULTOPS_LAB_GCP_CREDENTIALS_FILE"]).read_text(), "ttl": 1800},
        "alicloud": {
            "access_key": env["VAULTOPS_LAB_ALICLOUD_ACCESS_KEY"],
            "secret_key": env["VAULTOPS_LAB_ALICLOUD_SECRET_KEY"],
        },
    }
    project = env["VAULTOPS_LAB_GCP_PROJECT"]
    roles = {
        "aws": ("roles", {"credential_type": "iam_user", "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}),
        "azure": (
            "roles",
            {
                "azure_roles": json.dumps(
                    [{"role_name": "Reader", "scope": f"/subscriptions/{env['VAULTOPS_LAB_AZURE_SUBSCRIPTION_ID']}"}]
                )
            },
        ),
        "gcp": (
            "roleset",
            {
                "project": project,
                "secret_type": "service_account_key",
                "bindings": f'resource "{PROJECTS}/{project}" {{ roles = ["roles/viewer"] }}',
            },
        ),
        "alicloud": ("role", {"remote_policies": ["name:AliyunOSSReadOnlyAccess,type:System"]}),
    }
    for cloud in CLOUDS:
        vault.sys.enable_secrets_engine(cloud, path=mount(cloud))
        vault.write_data(
            f"{mount(cloud)}/config/root" if cloud == "aws" else f"{mount(cloud)}/config", data=configs[cloud]
        )
        kind, body = roles[cloud]
        for name in ("ok", "never"):
            vault.write_data(f"{mount(cloud)}/{kind}/{name}", data=body)
    try:
        yield {cloud: mount(cloud) for cloud in CLOUDS}
    finally:
        for cloud in CLOUDS:
            vault.sys.revoke_prefix(f"{mount(cloud)}/")
        vault.delete(f"{mount('gcp')}/roleset/ok")
        vault.delete(f"{mount('gcp')}/roleset/never")
        for cloud in CLOUDS:
            vault.sys.disable_secrets_engine(mount(cloud))


@pytest.fixture
def delay(lab: Lab) -> t.Iterator[int]:
    """The fakes refuse new keys for DELAY seconds during the test, and never after it."""
    url = f"{lab.env['VAULTOPS_LAB_CLOUD_ENDPOINT']}/_fake/propagation"
    status, body = http_json(url, json.dumps({"seconds": DELAY}).encode())
    assert (status, body["seconds"]) == (200, DELAY), body
    try:
        yield DELAY
    finally:
        status, body = http_json(url, json.dumps({"seconds": 0}).encode())
        assert (status, body["seconds"]) == (200, 0), body


@pytest.fixture
def cloud_side(cloud: FakeCloud, aws: AwsFactory) -> t.Callable[[], dict[str, list[str]]]:
    """What exists in each cloud, read independently: moto's IAM users, the fake's apps, keys and access keys."""
    return lambda: read_clouds(cloud, aws)


def read_clouds(cloud: FakeCloud, aws: AwsFactory) -> dict[str, list[str]]:
    state = cloud.state()
    users = [u["UserName"] for page in aws("iam").get_paginator("list_users").paginate() for u in page["Users"]]
    return {
        "aws": sorted(users),
        "azure": sorted(a["appId"] for a in state["azure"]["applications"]),
        "gcp": sorted(k["name"] for k in state["gcp"]["keys"]),
        "alicloud": sorted(k["AccessKeyId"] for k in state["alicloud"]["access_keys"]),
    }


def leases(vault: hvac.Client, prefix: str) -> list[str]:
    try:
        return list(vault.sys.list_leases(prefix)["data"]["keys"])
    except hvac.exceptions.InvalidPath:
        return []


def tasks_for(cloud: str, lab: Lab) -> list[dict[str, t.Any]]:
    env = lab.env
    proxy = env["VAULTOPS_LAB_CLOUD_ENDPOINT"]
    use_args = f"{sys.executable} {USE} {cloud} {proxy} {env['VAULTOPS_LAB_AZURE_TENANT_ID']}"
    common: dict[str, t.Any] = {"cache": False}
    if cloud == "aws":
        common["wait_endpoint"] = proxy
    if cloud == "gcp":
        common["secret_type"] = "service_account_key"
    proven = {**common, "wait_until_valid": True, "wait_successes": 2, "wait_timeout": 40}
    never = {**common, "wait_until_valid": True, "wait_successes": 1, "wait_timeout": 1}

    def lookup(role: str, options: dict[str, t.Any]) -> str:
        return creds_lookup(role, cloud, mount(cloud), **options)

    def use(var: str) -> dict[str, t.Any]:
        return {
            "name": f"{cloud}: first use of {var}",
            "ansible.builtin.command": {"cmd": use_args, "stdin": "{{ " + var + " | to_json }}"},
            "register": f"use_{var}",
            "changed_when": False,
            "no_log": True,
        }

    return [
        {
            "name": f"{cloud}: no wait",
            "ansible.builtin.set_fact": {f"{cloud}_nowait": lookup("ok", common)},
            "no_log": True,
        },
        use(f"{cloud}_nowait"),
        {"name": f"{cloud}: wait", "ansible.builtin.set_fact": {f"{cloud}_wait": lookup("ok", proven)}, "no_log": True},
        use(f"{cloud}_wait"),
        {
            "name": f"{cloud}: a wait shorter than the delay",
            "ansible.builtin.set_fact": {f"{cloud}_never": lookup("never", never)},
            "register": f"{cloud}_never_result",
            "ignore_errors": True,
        },
    ]


def outcome_var() -> dict[str, t.Any]:
    fields = {
        cloud: {
            "nowait": "{{ use_" + cloud + "_nowait.stdout | from_json }}",
            "wait": "{{ use_" + cloud + "_wait.stdout | from_json }}",
            "waited": "{{ " + cloud + "_wait.waited }}",
            "proven_as": "{{ " + cloud + "_wait.proven_as }}",
            "never_failed": "{{ " + cloud + "_never_result is failed }}",
            "never_msg": "{{ " + cloud + "_never_result.msg | default('') }}",
        }
        for cloud in CLOUDS
    }
    return {"name": "Collect", "ansible.builtin.set_fact": {"outcome": fields}}


@pytest.mark.usefixtures("delay")
def test_every_cloud_proves_new_credentials(
    ansible: Ansible,
    lab: Lab,
    vault: hvac.Client,
    engines: dict[str, str],
    cloud_side: t.Callable[[], dict[str, list[str]]],
) -> None:
    before = cloud_side()
    delay = DELAY
    tasks = [task for name in CLOUDS for task in tasks_for(name, lab)] + [outcome_var()]
    env = {
        "HTTPS_PROXY": lab.env["VAULTOPS_LAB_CLOUD_ENDPOINT"],
        "NO_PROXY": "127.0.0.1,localhost",
        "REQUESTS_CA_BUNDLE": lab.env["VAULTOPS_LAB_CLOUD_CA_FILE"],
    }
    started = time.monotonic()
    run = ansible.play(tasks, capture="outcome", env=env, timeout=400)
    took = time.monotonic() - started
    assert run.rc == 0, run.output
    outcome = run.result
    print(f"\none play, four clouds, delay {delay}s: {took:.0f}s")
    for name in CLOUDS:
        got = outcome[name]
        print(f"  {name}: waited {got['waited']}s as {got['proven_as']}")
        # without the wait: the first use is refused as the cloud refuses a key it does not know yet
        assert got["nowait"]["ok"] is False, (name, got)
        assert REFUSALS[name] in got["nowait"]["detail"], (name, got["nowait"])
        # with the wait: the first use succeeds, after a wait about as long as the delay
        assert got["wait"]["ok"] is True, (name, got["wait"])
        assert delay - 3 <= float(got["waited"]) <= delay + 10, (name, got["waited"])
        assert got["proven_as"], name
        # a wait shorter than the delay: the lookup fails, revoked, saying so
        assert str(got["never_failed"]) == "True", (name, got)
        assert "did not pass 1" in got["never_msg"], (name, got["never_msg"])
        assert REFUSALS[name] in got["never_msg"], (name, got["never_msg"])
        assert f"; lease {never_leases(name)}" in got["never_msg"], (name, got["never_msg"])
        assert got["never_msg"].endswith(" was revoked"), (name, got["never_msg"])
        # Vault keeps no lease of the credential that never worked
        assert leases(vault, never_leases(name)) == [], name
    # the cloud: once the good credentials are revoked, nothing the play made is left (the failed ones went first)
    for name in CLOUDS:
        vault.sys.revoke_prefix(f"{engines[name]}/")
    assert cloud_side() == before
