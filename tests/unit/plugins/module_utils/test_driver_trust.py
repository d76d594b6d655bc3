# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A 404 is "absent" only inside an existing mount (issue 7): a missing mount is predicted absent in check
mode (said as a warning, read once), an error naming mount_point otherwise; a wrong namespace always an error."""

from __future__ import annotations

import typing as t

import hvac.exceptions
import pytest

from ansible_collections.vaultops.cloud.plugins.modules import (
    aws_secrets_config,
    aws_secrets_info,
    aws_secrets_role,
    aws_secrets_roles,
)

URL = "http://127.0.0.1:8200"
NO_ROUTE = 'no handler for route "{path}". route entry not found.'
ROLE = {"name": "deploy", "credential_type": "iam_user", "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}


def no_route(path: str, message: str = NO_ROUTE) -> Exception:
    return hvac.exceptions.InvalidPath(errors=[message.format(path=path)], method="GET", url=f"{URL}/v1/{path}")


def unmounted(*paths: tuple[str, str]) -> dict[tuple[str, str], t.Any]:
    return {(method, path): no_route(path) for method, path in paths}


def requests_of(run: t.Any) -> list[tuple[str, str]]:
    return [(c.method, c.path) for c in run.fake.calls]


def warned(run: t.Any) -> str:
    return " ".join(str(w) for w in run.result.get("warnings") or [])


CASES = [
    pytest.param(
        aws_secrets_role.main,
        {"mount_point": "fresh", **ROLE},
        [("GET", "fresh/roles/deploy")],
        id="role",
    ),
    pytest.param(
        aws_secrets_roles.main,
        {"mount_point": "fresh", "roles": [ROLE, {**ROLE, "name": "other"}]},
        [("LIST", "fresh/roles")],
        id="bulk-roles",
    ),
    pytest.param(
        aws_secrets_config.main,
        {"mount_point": "fresh", "access_key": "AKIAEXAMPLE", "secret_key": "not-sent", "region": "us-east-1"},
        [("GET", "fresh/config/root")],
        id="config",
    ),
]


@pytest.mark.parametrize(("main", "args", "reads"), CASES)
def test_check_mode_on_a_mount_not_there_yet_predicts_creation(
    run_module: t.Callable[..., t.Any], main: t.Any, args: dict[str, t.Any], reads: list[tuple[str, str]]
) -> None:
    run = run_module(main, args, unmounted(*reads), check_mode=True)
    assert run.exit_code == 0, run.result
    assert run.result["changed"] is True
    # one request tells that nothing is mounted; nothing else is asked, nothing written
    assert requests_of(run) == reads
    assert "mount_point fresh/ is not mounted yet" in warned(run)
    assert "retried" not in warned(run)


@pytest.mark.parametrize(("main", "args", "reads"), CASES)
def test_a_mount_not_there_is_an_error_naming_mount_point(
    run_module: t.Callable[..., t.Any], main: t.Any, args: dict[str, t.Any], reads: list[tuple[str, str]]
) -> None:
    run = run_module(main, args, unmounted(*reads))
    assert run.result["failed"] is True
    assert run.result["msg"].startswith("invalid value for mount_point: nothing is mounted at fresh/")
    assert "no handler for route" in run.result["msg"]
    assert run.fake.writes() == []


def test_info_on_a_mount_not_there_is_an_error(run_module: t.Callable[..., t.Any]) -> None:
    run = run_module(aws_secrets_info.main, {"mount_point": "fresh"}, unmounted(("GET", "fresh/config/root")))
    assert run.result["failed"] is True
    assert "mount_point: nothing is mounted at fresh/" in run.result["msg"]


@pytest.mark.parametrize("check_mode", [True, False])
def test_a_wrong_namespace_is_an_error_in_check_mode_too(run_module: t.Callable[..., t.Any], check_mode: bool) -> None:
    path = "aws/roles/deploy"
    routes = {
        ("GET", "sys/internal/ui/mounts/aws"): no_route("x", "namespace not found"),
        ("GET", path): no_route(path, "namespace not found"),
    }
    run = run_module(aws_secrets_role.main, {**ROLE, "namespace": "nope"}, routes, check_mode=check_mode)
    assert run.result["failed"] is True
    assert "namespace not found" in run.result["msg"]
    assert "namespace 'nope' does not exist" in run.result["msg"]
    assert run.fake.writes() == []
