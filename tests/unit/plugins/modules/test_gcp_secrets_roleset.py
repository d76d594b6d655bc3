# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import typing as t

import pytest

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import normalise_bindings
from ansible_collections.vaultops.cloud.plugins.modules import gcp_secrets_roleset

Runner = t.Callable[..., t.Any]

PATH = "gcp/roleset/reader"
PROJECT_RES = "//cloudresourcemanager.googleapis.com/projects/my-proj"
TOPIC = "projects/my-proj/topics/deploys"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
BINDINGS = {PROJECT_RES: ["roles/storage.objectViewer", "roles/viewer"], TOPIC: ["roles/pubsub.publisher"]}

# the shape of pathRoleSetRead (path_role_set.go): roles in Go map order, token_scopes for access_token only
ROLESET_READ = {
    "request_id": "0b7c2f9e-5d41-4d7a-9a63-1f0e2c3b4a59",
    "lease_id": "",
    "renewable": False,
    "lease_duration": 0,
    "data": {
        "secret_type": "access_token",
        "bindings": {PROJECT_RES: ["roles/viewer", "roles/storage.objectViewer"], TOPIC: ["roles/pubsub.publisher"]},
        "service_account_email": "vaultreader-1700000000@my-proj.iam.gserviceaccount.com",
        "project": "my-proj",
        "token_scopes": [SCOPE],
    },
    "wrap_info": None,
    "warnings": None,
    "auth": None,
}
KEY_ROLESET_READ = copy.deepcopy(ROLESET_READ)
KEY_ROLESET_READ["data"]["secret_type"] = "service_account_key"
del KEY_ROLESET_READ["data"]["token_scopes"]

ENGINE_HCL = (
    f'resource "{TOPIC}" {{\n\troles = [\n\t\t"roles/pubsub.publisher",],\n}}\n\n'
    f'resource "{PROJECT_RES}" {{\n\troles = [\n\t\t"roles/viewer",\t\t"roles/storage.objectViewer",],\n}}\n\n'
)


@pytest.fixture
def roleset() -> dict[tuple[str, str], t.Any]:
    return {("GET", PATH): ROLESET_READ}


def base(**args: t.Any) -> dict[str, t.Any]:
    return {"name": "reader", **args}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(base(), id="name-only"),
        pytest.param(
            base(project="my-proj", secret_type="access_token", token_scopes=[SCOPE], bindings=BINDINGS),
            id="everything",
        ),
        pytest.param(
            base(
                bindings={
                    TOPIC: ["roles/pubsub.publisher"],
                    PROJECT_RES: ["roles/viewer", "roles/storage.objectViewer", "roles/viewer"],
                }
            ),
            id="bindings-other-order-and-repeats",
        ),
        pytest.param(
            base(
                bindings=[
                    {"resource": PROJECT_RES, "roles": ["roles/viewer"]},
                    {"resource": TOPIC, "roles": ["roles/pubsub.publisher"]},
                    {"resource": PROJECT_RES, "roles": ["roles/storage.objectViewer"]},
                ]
            ),
            id="bindings-as-list",
        ),
        pytest.param(base(bindings=ENGINE_HCL), id="bindings-as-engine-hcl"),
        pytest.param(base(token_scopes=[SCOPE, SCOPE]), id="scopes-repeated"),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_unchanged(run_module: Runner, roleset: dict[t.Any, t.Any], args: dict[str, t.Any], check_mode: bool) -> None:
    run = run_module(gcp_secrets_roleset.main, args, roleset, check_mode=check_mode, diff=True)
    assert run.result["changed"] is False
    assert run.result["new_service_account"] is False
    assert run.result["recreated"] is False
    assert run.fake.writes() == []
    assert run.result["roleset"] == {
        "project": "my-proj",
        "secret_type": "access_token",
        "bindings": BINDINGS,
        "token_scopes": [SCOPE],
    }
    assert run.result["diff"]["before"] == run.result["diff"]["after"]


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_scopes_change_keeps_the_service_account(
    run_module: Runner, roleset: dict[t.Any, t.Any], check_mode: bool
) -> None:
    scopes = [SCOPE, "https://www.googleapis.com/auth/bigquery"]
    args = base(project="my-proj", bindings=BINDINGS, token_scopes=scopes)
    run = run_module(gcp_secrets_roleset.main, args, roleset, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["new_service_account"] is False
    assert run.result["diff"]["after"]["token_scopes"] == sorted(scopes)
    # bindings are equal as data, so they stay out of the write: the engine would replace the account
    assert run.fake.writes() == ([] if check_mode else [("POST", PATH, {"token_scopes": sorted(scopes)})])


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_bindings_change_replaces_the_service_account(
    run_module: Runner, roleset: dict[t.Any, t.Any], check_mode: bool
) -> None:
    bindings = {PROJECT_RES: ["roles/viewer"]}
    run = run_module(gcp_secrets_roleset.main, base(bindings=bindings), roleset, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["new_service_account"] is True
    assert run.result["diff"]["before"]["bindings"] == BINDINGS
    assert run.result["diff"]["after"]["bindings"] == bindings
    assert run.result["roleset"]["bindings"] == bindings
    if check_mode:
        assert run.fake.writes() == []
    else:
        [write] = run.fake.writes()
        assert (write.method, write.path, list(write.json)) == ("POST", PATH, ["bindings"])
        assert write.json["bindings"] == f'resource "{PROJECT_RES}" {{\n  roles = [\n    "roles/viewer",\n  ]\n}}\n'


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create(run_module: Runner, check_mode: bool) -> None:
    args = base(project="my-proj", token_scopes=[SCOPE], bindings=BINDINGS, mount_point="gcp-prod")
    run = run_module(gcp_secrets_roleset.main, args, {}, check_mode=check_mode, diff=True)
    assert run.result["changed"] is True
    assert run.result["new_service_account"] is True
    assert run.result["diff"]["before"] == {}
    expected = {"project": "my-proj", "secret_type": "access_token", "bindings": BINDINGS, "token_scopes": [SCOPE]}
    assert run.result["roleset"] == expected
    assert ("GET", "gcp-prod/roleset/reader", None) in run.fake.calls
    if check_mode:
        assert run.fake.writes() == []
    else:
        [write] = run.fake.writes()
        assert (write.method, write.path) == ("POST", "gcp-prod/roleset/reader")
        assert {k: v for k, v in write.json.items() if k != "bindings"} == {
            "project": "my-proj",
            "secret_type": "access_token",
            "token_scopes": [SCOPE],
        }
        assert normalise_bindings(write.json["bindings"]) == BINDINGS


def test_create_key_roleset(run_module: Runner) -> None:
    args = base(project="my-proj", secret_type="service_account_key", bindings={TOPIC: ["roles/pubsub.publisher"]})
    run = run_module(gcp_secrets_roleset.main, args, {})
    assert run.result["changed"] is True
    [write] = run.fake.writes()
    assert write.json["secret_type"] == "service_account_key"
    assert "token_scopes" not in write.json


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_key_roleset_unchanged(run_module: Runner, check_mode: bool) -> None:
    args = base(project="my-proj", secret_type="service_account_key", bindings=BINDINGS, token_scopes=[])
    run = run_module(gcp_secrets_roleset.main, args, {("GET", PATH): KEY_ROLESET_READ}, check_mode=check_mode)
    assert run.result["changed"] is False
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        pytest.param(base(project="other-proj"), "project", "roleset reader has project 'my-proj'", id="project"),
        pytest.param(
            base(secret_type="service_account_key"),
            "secret_type",
            "roleset reader has secret_type 'access_token'",
            id="secret_type",
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_immutable_field_refused(
    *, run_module: Runner, roleset: dict[t.Any, t.Any], args: dict[str, t.Any], field: str, text: str, check_mode: bool
) -> None:
    run = run_module(gcp_secrets_roleset.main, args, roleset, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert "recreate=true" in run.result["msg"]
    assert run.fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_recreate(run_module: Runner, roleset: dict[t.Any, t.Any], check_mode: bool) -> None:
    run = run_module(
        gcp_secrets_roleset.main, base(project="other-proj", recreate=True), roleset, check_mode=check_mode, diff=True
    )
    assert run.result["changed"] is True
    assert run.result["recreated"] is True
    assert run.result["new_service_account"] is True
    assert run.result["diff"]["before"]["project"] == "my-proj"
    assert run.result["diff"]["after"] == {
        "project": "other-proj",
        "secret_type": "access_token",
        "bindings": BINDINGS,
        "token_scopes": [SCOPE],
    }
    if check_mode:
        assert run.fake.writes() == []
    else:
        delete, create = run.fake.writes()
        assert (delete.method, delete.path) == ("DELETE", PATH)
        assert (create.method, create.path) == ("POST", PATH)
        assert create.json["project"] == "other-proj"
        assert create.json["token_scopes"] == [SCOPE]
        assert normalise_bindings(create.json["bindings"]) == BINDINGS


def test_recreate_as_key_roleset(run_module: Runner, roleset: dict[t.Any, t.Any]) -> None:
    run = run_module(gcp_secrets_roleset.main, base(secret_type="service_account_key", recreate=True), roleset)
    assert run.result["recreated"] is True
    delete, create = run.fake.writes()
    assert delete.method == "DELETE"
    assert create.json["secret_type"] == "service_account_key"
    assert "token_scopes" not in create.json


def test_recreate_refused_before_deleting(run_module: Runner) -> None:
    """A new access_token roleset needs scopes; nothing may be deleted before that is known."""
    args = base(secret_type="access_token", recreate=True)
    run = run_module(gcp_secrets_roleset.main, args, {("GET", PATH): KEY_ROLESET_READ})
    assert run.result["failed"] is True
    assert run.result["field"] == "token_scopes"
    assert run.fake.writes() == []


def test_recreate_not_needed(run_module: Runner, roleset: dict[t.Any, t.Any]) -> None:
    run = run_module(gcp_secrets_roleset.main, base(project="my-proj", recreate=True), roleset)
    assert run.result["changed"] is False
    assert run.result["recreated"] is False
    assert run.fake.writes() == []


@pytest.mark.parametrize(
    ("routes_key", "changed", "writes"),
    [("present", True, [("DELETE", PATH, None)]), ("missing", False, [])],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_absent(
    *,
    run_module: Runner,
    roleset: dict[t.Any, t.Any],
    routes_key: str,
    changed: bool,
    writes: list[t.Any],
    check_mode: bool,
) -> None:
    routes = roleset if routes_key == "present" else {}
    args = base(state="absent", bindings="not checked when absent")
    run = run_module(gcp_secrets_roleset.main, args, routes, check_mode=check_mode, diff=True)
    assert run.result["changed"] is changed
    assert run.fake.writes() == ([] if check_mode else writes)
    assert run.result["diff"]["after"] == {}
    assert "roleset" not in run.result
    if changed:
        assert run.result["diff"]["before"]["bindings"] == BINDINGS


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        pytest.param(base(bindings={PROJECT_RES: ["viewer"]}), "bindings", "role 'viewer'", id="bad-role"),
        pytest.param(base(bindings='resource "x" {'), "bindings", "bindings HCL", id="bad-hcl"),
        pytest.param(base(name="a/b"), "name", "is not a valid name", id="bad-name"),
    ],
)
def test_refused_before_any_request(run_module: Runner, args: dict[str, t.Any], field: str, text: str) -> None:
    run = run_module(gcp_secrets_roleset.main, args, {})
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.calls == []


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        pytest.param(base(token_scopes=[SCOPE], bindings=BINDINGS), "project", "is required to create", id="project"),
        pytest.param(base(project="p", token_scopes=[SCOPE]), "bindings", "is required to create", id="bindings"),
        pytest.param(base(project="p", bindings={}), "bindings", "cannot be without bindings", id="empty-bindings"),
        pytest.param(base(project="p", bindings=BINDINGS), "token_scopes", "is required to create", id="scopes"),
        pytest.param(
            base(project="p", bindings=BINDINGS, secret_type="service_account_key", token_scopes=[SCOPE]),
            "token_scopes",
            "applies only to access_token",
            id="scopes-with-key",
        ),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True], ids=["real", "check"])
def test_create_refused_without_writing(
    *, run_module: Runner, args: dict[str, t.Any], field: str, text: str, check_mode: bool
) -> None:
    run = run_module(gcp_secrets_roleset.main, args, {}, check_mode=check_mode)
    assert run.result["failed"] is True
    assert run.result["field"] == field
    assert text in run.result["msg"]
    assert run.fake.writes() == []


def test_vault_warnings_are_shown(run_module: Runner, roleset: dict[t.Any, t.Any]) -> None:
    warning = "unable to delete old service account: it will be cleaned up later"
    routes = {**roleset, ("POST", PATH): {"data": None, "warnings": [warning]}}
    run = run_module(gcp_secrets_roleset.main, base(bindings={TOPIC: ["roles/pubsub.publisher"]}), routes)
    assert run.result["changed"] is True
    # ansible-core 2.19+ reports warnings as structured summaries
    assert any(warning in str(summary) for summary in run.result["warnings"])
