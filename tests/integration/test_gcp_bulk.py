"""gcp_secrets_rolesets, gcp_secrets_static_accounts, gcp_secrets_impersonated_accounts and gcp_secrets_info against
the lab's Google Cloud engine and its fake Google.

The three bulk modules run in one play four times, check mode, real, check mode again, real again, on lists that
update a planted roleset, create a roleset, a static account and an impersonated account, delete a roleset by
``state: absent`` and purge a roleset and an impersonated account the lists do not name. Vault is read back with
hvac on the root token, never with the collection's own code; the requests of each run are counted in the lab's
audit log (a token of its own per run, so the test's own hvac traffic never counts), and the fake Google's request
log shows that a converge that changes nothing never calls Google.
"""

from __future__ import annotations

import typing as t
import uuid

import hvac
import pytest

from ._audit import AuditLog, Request, child_token, describe
from ._helpers import lab_values
from .conftest import Ansible, FakeCloud, Lab, PlaybookResult

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
BIGQUERY = "https://www.googleapis.com/auth/bigquery"
KINDS = {  # module -> (list option, path of one, path of the list)
    "gcp_secrets_rolesets": ("rolesets", "roleset", "rolesets"),
    "gcp_secrets_static_accounts": ("static_accounts", "static-account", "static-accounts"),
    "gcp_secrets_impersonated_accounts": ("impersonated_accounts", "impersonated-account", "impersonated-accounts"),
}


@pytest.fixture
def audit(lab: Lab) -> AuditLog:
    return AuditLog.of(lab.env)


@pytest.fixture(scope="module")
def gcp(lab: Lab) -> dict[str, str]:
    values = lab_values(
        lab.env,
        {
            "credentials_file": "VAULTOPS_LAB_GCP_CREDENTIALS_FILE",
            "project": "VAULTOPS_LAB_GCP_PROJECT",
            "account": "VAULTOPS_LAB_GCP_STATIC_ACCOUNT",
        },
    )
    values["resource"] = f"//cloudresourcemanager.googleapis.com/projects/{values['project']}"
    return values


@pytest.fixture
def mount(vault: hvac.Client, gcp: dict[str, str]) -> t.Iterator[str]:
    """A fresh GCP engine with the lab's key and, planted with hvac: rolesets ``reader`` (updated by the list),
    ``retired`` (listed with state absent) and ``stale`` (not listed: purged), and the impersonated account
    ``old-imp`` (not listed: purged)."""
    path = f"it-gcp-bulk-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("gcp", path=path)
    try:
        with open(gcp["credentials_file"], encoding="utf-8") as handle:
            vault.write_data(f"{path}/config", data={"credentials": handle.read(), "ttl": 3600})
        bindings = f'resource "{gcp["resource"]}" {{\n  roles = ["roles/viewer"]\n}}\n'
        for name in ("reader", "retired", "stale"):
            vault.write_data(
                f"{path}/roleset/{name}",
                data={
                    "project": gcp["project"],
                    "secret_type": "access_token",
                    "token_scopes": [SCOPE],
                    "bindings": bindings,
                },
            )
        vault.write_data(
            f"{path}/impersonated-account/old-imp",
            data={"service_account_email": gcp["account"], "token_scopes": [SCOPE]},
        )
        yield path
    finally:
        vault.sys.revoke_prefix(f"{path}/")
        for kind in ("roleset", "static-account", "impersonated-account"):
            for name in listed(vault, path, f"{kind}s"):
                vault.delete(f"{path}/{kind}/{name}")
        vault.sys.disable_secrets_engine(path)


def listed(vault: hvac.Client, mount: str, what: str) -> list[str]:
    try:
        answer = vault.list(f"{mount}/{what}")
    except hvac.exceptions.InvalidPath:
        return []
    # the engine answers an empty list with no data at all
    return sorted((answer or {}).get("data", {}).get("keys") or [])


def stored(vault: hvac.Client, mount: str) -> dict[str, dict[str, dict[str, t.Any]]]:
    """Every roleset and account as the engine returns it, by kind and name.

    The engine keeps each resource's roles as a set and answers them in map order, which varies
    from read to read; they are sorted here so that two reads of the same record compare equal.
    """

    def record(path: str) -> dict[str, t.Any]:
        data = vault.read(path)["data"]
        if isinstance(data.get("bindings"), dict):
            data["bindings"] = {resource: sorted(roles) for resource, roles in data["bindings"].items()}
        return data

    return {
        one: {name: record(f"{mount}/{one}/{name}") for name in listed(vault, mount, many)}
        for one, many in (v[1:] for v in KINDS.values())
    }


class Counted(t.NamedTuple):
    run: PlaybookResult
    requests: list[Request]
    google_calls: list[str]


def converge(
    ansible: Ansible,
    vault: hvac.Client,
    audit: AuditLog,
    cloud: FakeCloud,
    tasks: list[dict[str, t.Any]],
    *,
    check: bool = False,
) -> Counted:
    """The tasks in one play, with --diff and a token of their own; the registered results by module (``r0``...),
    the requests that token made and the calls to Google meanwhile."""
    token, accessor = child_token(vault.auth.token)
    mark, cloud_mark = audit.mark(), cloud.mark()
    registered = [{**task, "register": f"r{index}"} for index, task in enumerate(tasks)]
    capture = "{" + ", ".join(f"'r{i}': r{i} | default({{}})" for i in range(len(tasks))) + "}"
    run = ansible.play(registered, capture=capture, check=check, diff=True, env={"VAULT_TOKEN": token})
    calls = [f"{e['method']} {e['host']} {e['path']}" for e in cloud.requests(cloud_mark) if "googleapis" in e["host"]]
    return Counted(run, audit.since(mark, accessor=accessor), calls)


def bulk_tasks(mount: str, gcp: t.Mapping[str, str], purge: bool = True) -> list[dict[str, t.Any]]:
    return [
        {
            "name": "Converge the rolesets",
            "vaultops.cloud.gcp_secrets_rolesets": {
                "mount_point": mount,
                "purge": purge,
                "rolesets": [
                    # as planted, bindings as a list, one more scope (no new service account)
                    {
                        "name": "reader",
                        "project": gcp["project"],
                        "bindings": [{"resource": gcp["resource"], "roles": ["roles/viewer"]}],
                        "token_scopes": [BIGQUERY, SCOPE],
                    },
                    {
                        "name": "writer",
                        "project": gcp["project"],
                        "secret_type": "service_account_key",
                        "bindings": {gcp["resource"]: ["roles/viewer", "roles/browser"]},
                    },
                    {"name": "retired", "state": "absent"},
                ],
            },
        },
        {
            "name": "Converge the static accounts",
            "vaultops.cloud.gcp_secrets_static_accounts": {
                "mount_point": mount,
                "purge": purge,
                "static_accounts": [
                    {
                        "name": "ci",
                        "service_account_email": gcp["account"],
                        "secret_type": "access_token",
                        "token_scopes": [SCOPE],
                    }
                ],
            },
        },
        {
            "name": "Converge the impersonated accounts",
            "vaultops.cloud.gcp_secrets_impersonated_accounts": {
                "mount_point": mount,
                "purge": purge,
                "impersonated_accounts": [
                    {"name": "deploy", "service_account_email": gcp["account"], "token_scopes": [SCOPE], "ttl": "15m"}
                ],
            },
        },
    ]


def seen(requests: list[Request]) -> list[tuple[str, str]]:
    return [(r.operation, r.path) for r in requests]


def summary(result: t.Mapping[str, t.Any]) -> tuple[list[str], ...]:
    return (result["created"], result["updated"], result["deleted"], result["unchanged"])


def test_bulk_four_runs(
    *, ansible: Ansible, vault: hvac.Client, audit: AuditLog, cloud: FakeCloud, mount: str, gcp: dict[str, str]
) -> None:
    tasks = bulk_tasks(mount, gcp)
    planted = stored(vault, mount)
    assert sorted(planted["roleset"]) == ["reader", "retired", "stale"]
    assert sorted(planted["impersonated-account"]) == ["old-imp"]
    reader_account = planted["roleset"]["reader"]["service_account_email"]

    def probe(kind: str) -> list[tuple[str, str]]:
        return [("read", f"sys/internal/ui/mounts/{mount}"), ("list", f"{mount}/{kind}s")]

    # 1. check mode: the whole change predicted, nothing written, Google not called
    first = converge(ansible, vault, audit, cloud, tasks, check=True)
    assert first.run.rc == 0, first.run.output
    rolesets, statics, imps = (first.run.result[f"r{i}"] for i in range(3))
    assert summary(rolesets) == (["writer"], ["reader"], ["retired", "stale"], [])
    assert summary(statics) == (["ci"], [], [], [])
    assert summary(imps) == (["deploy"], [], ["old-imp"], [])
    diffs = {d["before_header"]: d for d in rolesets["diff"]}
    assert sorted(diffs) == ["roleset reader", "roleset retired", "roleset stale", "roleset writer"]
    assert diffs["roleset reader"]["before"]["token_scopes"] == [SCOPE]
    assert diffs["roleset reader"]["after"]["token_scopes"] == [BIGQUERY, SCOPE]
    assert diffs["roleset reader"]["before"]["bindings"] == diffs["roleset reader"]["after"]["bindings"]
    assert diffs["roleset writer"]["after"]["bindings"] == {gcp["resource"]: ["roles/browser", "roles/viewer"]}
    assert statics["static_accounts"]["ci"]["service_account_email"] == gcp["account"].lower()
    assert stored(vault, mount) == planted
    assert all(r.reads for r in first.requests), describe(first.requests)
    assert seen(first.requests) == [
        *probe("roleset"),
        ("read", f"{mount}/roleset/reader"),
        ("read", f"{mount}/roleset/retired"),
        ("read", f"{mount}/roleset/stale"),
        *probe("static-account"),
        *probe("impersonated-account"),
        ("read", f"{mount}/impersonated-account/old-imp"),
    ]
    assert first.google_calls == []

    # 2. real: the same change, written
    second = converge(ansible, vault, audit, cloud, tasks)
    assert second.run.rc == 0, second.run.output
    rolesets, statics, imps = (second.run.result[f"r{i}"] for i in range(3))
    assert summary(rolesets) == (["writer"], ["reader"], ["retired", "stale"], [])
    assert summary(statics) == (["ci"], [], [], [])
    assert summary(imps) == (["deploy"], [], ["old-imp"], [])
    written = stored(vault, mount)
    assert sorted(written["roleset"]) == ["reader", "writer"]
    reader = written["roleset"]["reader"]
    assert sorted(reader["token_scopes"]) == [BIGQUERY, SCOPE]
    # scopes only: the engine kept the roleset's service account
    assert reader["service_account_email"] == reader_account
    writer = written["roleset"]["writer"]
    assert (writer["project"], writer["secret_type"]) == (gcp["project"], "service_account_key")
    assert {r: sorted(roles) for r, roles in writer["bindings"].items()} == {
        gcp["resource"]: ["roles/browser", "roles/viewer"]
    }
    ci = written["static-account"]["ci"]
    assert (ci["service_account_email"], ci["secret_type"], ci["token_scopes"]) == (
        gcp["account"].lower(),
        "access_token",
        [SCOPE],
    )
    deploy = written["impersonated-account"]["deploy"]
    assert (deploy["service_account_email"], deploy["token_scopes"], deploy["ttl"]) == (gcp["account"], [SCOPE], 900)
    assert sorted(written["impersonated-account"]) == ["deploy"]
    writes = sorted((r.operation, r.path) for r in second.requests if not r.reads)
    assert writes == [
        ("create", f"{mount}/impersonated-account/deploy"),
        ("create", f"{mount}/roleset/writer"),
        ("create", f"{mount}/static-account/ci"),
        ("delete", f"{mount}/impersonated-account/old-imp"),
        ("delete", f"{mount}/roleset/retired"),
        ("delete", f"{mount}/roleset/stale"),
        ("update", f"{mount}/roleset/reader"),
    ], describe(second.requests)
    assert not [r for r in second.requests if r.error], describe(second.requests)
    assert second.google_calls, "the engine called Google for nothing"

    # 3. check mode again: nothing to do, and only the no-op converge's reads: N + 2 per kind
    third = converge(ansible, vault, audit, cloud, tasks, check=True)
    assert third.run.rc == 0, third.run.output
    rolesets, statics, imps = (third.run.result[f"r{i}"] for i in range(3))
    assert summary(rolesets) == ([], [], [], ["reader", "retired", "writer"])
    assert summary(statics) == ([], [], [], ["ci"])
    assert summary(imps) == ([], [], [], ["deploy"])
    assert rolesets["diff"] == statics["diff"] == imps["diff"] == []
    assert seen(third.requests) == [
        *probe("roleset"),
        ("read", f"{mount}/roleset/reader"),
        ("read", f"{mount}/roleset/writer"),
        *probe("static-account"),
        ("read", f"{mount}/static-account/ci"),
        *probe("impersonated-account"),
        ("read", f"{mount}/impersonated-account/deploy"),
    ]
    assert third.google_calls == []

    # 4. real again: unchanged, only reads, Google not called, Vault as after the second run
    fourth = converge(ansible, vault, audit, cloud, tasks)
    assert fourth.run.rc == 0, fourth.run.output
    assert [fourth.run.result[f"r{i}"]["changed"] for i in range(3)] == [False, False, False]
    assert all(r.reads for r in fourth.requests), describe(fourth.requests)
    assert len(fourth.requests) == (2 + 2) + (2 + 1) + (2 + 1)
    assert fourth.google_calls == []
    assert stored(vault, mount) == written


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_bulk_bad_item_fails_before_any_request(
    *,
    ansible: Ansible,
    vault: hvac.Client,
    audit: AuditLog,
    cloud: FakeCloud,
    mount: str,
    gcp: dict[str, str],
    check: bool,
) -> None:
    before = stored(vault, mount)
    rolesets = [
        {"name": "fine", "project": gcp["project"], "token_scopes": [SCOPE], "bindings": {gcp["resource"]: "roles/x"}},
        {"name": "bad", "project": gcp["project"], "bindings": {gcp["resource"]: ["viewer"]}},
    ]
    task = {"name": "Bad", "vaultops.cloud.gcp_secrets_rolesets": {"mount_point": mount, "rolesets": rolesets}}
    done = converge(ansible, vault, audit, cloud, [task], check=check)
    assert done.run.rc != 0
    assert done.run.result["r0"]["field"] == "rolesets[1].bindings"
    assert "role 'viewer'" in done.run.result["r0"]["msg"]
    assert done.requests == [], describe(done.requests)
    assert done.google_calls == []
    assert stored(vault, mount) == before


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_bulk_rule_on_a_stored_roleset_fails_before_any_write(
    *,
    ansible: Ansible,
    vault: hvac.Client,
    audit: AuditLog,
    cloud: FakeCloud,
    mount: str,
    gcp: dict[str, str],
    check: bool,
) -> None:
    before = stored(vault, mount)
    # the first item would create a roleset; the second changes the project of a stored one without recreate
    rolesets = [
        {
            "name": "new-one",
            "project": gcp["project"],
            "token_scopes": [SCOPE],
            "bindings": {gcp["resource"]: "roles/viewer"},
        },
        {"name": "reader", "project": "another-project"},
    ]
    task = {"name": "Fixed", "vaultops.cloud.gcp_secrets_rolesets": {"mount_point": mount, "rolesets": rolesets}}
    done = converge(ansible, vault, audit, cloud, [task], check=check)
    assert done.run.rc != 0
    assert done.run.result["r0"]["field"] == "rolesets[1].project"
    assert "recreate=true" in done.run.result["r0"]["msg"]
    assert all(r.reads for r in done.requests), describe(done.requests)
    assert done.google_calls == []
    assert stored(vault, mount) == before


def test_info(
    *, ansible: Ansible, vault: hvac.Client, audit: AuditLog, cloud: FakeCloud, mount: str, gcp: dict[str, str]
) -> None:
    task = {"name": "Read the engine", "vaultops.cloud.gcp_secrets_info": {"mount_point": mount}}
    done = converge(ansible, vault, audit, cloud, [task])
    result = done.run.result["r0"]
    assert done.run.rc == 0, done.run.output
    assert result["changed"] is False
    config = vault.read(f"{mount}/config")["data"]
    assert result["config"] == {name: config[name] for name in result["config"]}
    assert result["config"]["ttl"] == 3600
    assert "credentials" not in result["config"]
    assert sorted(result["rolesets"]) == ["reader", "retired", "stale"]
    assert result["rolesets"]["reader"] == {
        "project": gcp["project"],
        "secret_type": "access_token",
        "bindings": {gcp["resource"]: ["roles/viewer"]},
        "token_scopes": [SCOPE],
    }
    assert result["static_accounts"] == {}
    assert result["impersonated_accounts"] == {
        "old-imp": {"service_account_email": gcp["account"], "token_scopes": [SCOPE], "ttl": 0}
    }
    assert all(r.reads for r in done.requests), describe(done.requests)
    assert done.google_calls == []
