"""Every engine module refuses a mount that is another kind of engine, before it reads or writes the resource."""

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import (
    alicloud_secrets_role,
    aws_secrets_config,
    aws_secrets_role,
    azure_secrets_role,
    gcp_secrets_roleset,
)

CASES = [
    pytest.param(
        aws_secrets_config.main,
        {"mount_point": "it-kv", "access_key": "AKIAEXAMPLE", "secret_key": "super-secret-value"},
        "aws",
        id="aws_secrets_config",
    ),
    pytest.param(
        aws_secrets_role.main,
        {"mount_point": "it-kv", "name": "r", "credential_type": "iam_user"},
        "aws",
        id="aws_secrets_role",
    ),
    pytest.param(
        gcp_secrets_roleset.main,
        {
            "mount_point": "it-kv",
            "name": "r",
            "project": "p",
            "bindings": {"//cloudresourcemanager.googleapis.com/projects/p": ["roles/viewer"]},
        },
        "gcp",
        id="gcp_secrets_roleset",
    ),
    pytest.param(
        azure_secrets_role.main,
        {"mount_point": "it-kv", "name": "r", "azure_roles": [{"role_name": "Reader", "scope": "/subscriptions/x"}]},
        "azure",
        id="azure_secrets_role",
    ),
    pytest.param(
        alicloud_secrets_role.main,
        {"mount_point": "it-kv", "name": "r", "role_arn": "acs:ram::1:role/x"},
        "alicloud",
        id="alicloud_secrets_role",
    ),
]


@pytest.mark.parametrize(("main", "args", "engine"), CASES)
def test_a_kv_mount_is_refused_before_anything_else(
    run_module: t.Callable[..., t.Any], main: t.Callable[[], None], args: dict[str, t.Any], engine: str
) -> None:
    routes = {("GET", "sys/internal/ui/mounts/it-kv"): {"data": {"type": "kv", "path": "it-kv/"}}}
    run = run_module(main, args, routes)
    assert run.exit_code == 1
    assert run.result["failed"] is True
    assert run.result["msg"] == (
        f"invalid value for mount_point: it-kv/ is a 'kv' secrets engine, not a '{engine}' secrets engine; "
        "nothing was written"
    )
    assert [(c.method, c.path) for c in run.fake.probes] == [("GET", "sys/internal/ui/mounts/it-kv")]
    assert run.fake.calls == [], "the resource was read or written after the probe"
    assert "super-secret-value" not in run.stdout


@pytest.mark.parametrize("found", ["aws", "vault-plugin-secrets-aws"])
def test_the_right_or_an_unknown_engine_type_passes(run_module: t.Callable[..., t.Any], found: str) -> None:
    """An external plugin may be registered under any name: only a known other engine type is refused."""
    routes = {("GET", "sys/internal/ui/mounts/aws"): {"data": {"type": found, "path": "aws/"}}}
    run = run_module(aws_secrets_role.main, {"name": "r", "credential_type": "iam_user"}, routes, check_mode=True)
    assert run.exit_code == 0, run.result
    assert run.result["changed"] is True
    assert [(c.method, c.path) for c in run.fake.calls] == [("GET", "aws/roles/r")]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(hvac.exceptions.Forbidden("1 error occurred: preflight capability check returned 403"), id="403"),
        pytest.param(hvac.exceptions.InvalidRequest("no mount at it-new"), id="400"),
    ],
)
def test_a_path_with_no_mount_yet_is_not_an_error(run_module: t.Callable[..., t.Any], answer: Exception) -> None:
    """Check mode against a fresh mount: the probe cannot tell the type, the module carries on."""
    routes = {("GET", "sys/internal/ui/mounts/it-new"): answer}
    run = run_module(
        aws_secrets_role.main,
        {"mount_point": "it-new", "name": "r", "credential_type": "iam_user"},
        routes,
        check_mode=True,
    )
    assert run.exit_code == 0, run.result
    assert run.result["changed"] is True
    assert len(run.fake.probes) == 1
