"""The Google Cloud secrets engine end to end: the four-run targets, credentials from the creds lookup proven
against the lab's fake Google (its request log, its state, its token endpoint), bad input, and a scan of
-vvvv output for secrets.

The fake Google is read over its control API (``/_fake/state``, ``/_fake/requests``) and Vault with hvac on
the root token: never with the collection's own code.
"""

from __future__ import annotations

import base64
import json
import time
import typing as t
import urllib.parse

import hvac
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ._helpers import (
    assert_no_leak,
    b64url,
    creds_lookup,
    http_json,
    jwt_claims,
    jwt_segment,
    lab_values,
    vault_read,
)
from .conftest import Ansible, FakeCloud, Lab, PlaybookResult, mounted_engine, wait_until

MOUNT = "it-gcp"
PROJECT = "vaultops-lab"
PROJECT_RESOURCE = f"//cloudresourcemanager.googleapis.com/projects/{PROJECT}"
PROJECT_POLICY = f"cloudresourcemanager.googleapis.com/projects/{PROJECT}"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
BINDINGS = {PROJECT_RESOURCE: ["roles/viewer", "roles/storage.objectViewer"]}
# target: the mount it uses and must remove
TARGETS = {
    "gcp_secrets_config": "it-gcp-config",
    "gcp_secrets_roleset": "it-gcp-roleset",
    "gcp_secrets_static_account": "it-gcp-static",
    "gcp_secrets_impersonated_account": "it-gcp-impersonated",
}


# --- the fake Google -----------------------------------------------------------------------------


def accounts(cloud: FakeCloud) -> list[str]:
    return sorted(account["email"] for account in cloud.state()["gcp"]["service_accounts"])


def key_ids(cloud: FakeCloud, email: str) -> list[str]:
    return sorted(
        key["name"].rsplit("/", 1)[1] for key in cloud.state()["gcp"]["keys"] if key["serviceAccountEmail"] == email
    )


def roles_of(cloud: FakeCloud, email: str) -> list[str]:
    policy = cloud.state()["gcp"]["iam_policies"][PROJECT_POLICY]
    return sorted(b["role"] for b in policy["bindings"] if f"serviceAccount:{email}" in b["members"])


def jwt_issuers(cloud: FakeCloud, after: int) -> list[str]:
    """Who signed the JWT-bearer grants the fake's token endpoint received after ``after``."""
    return [
        jwt_claims(entry["body"]["assertion"])["iss"]
        for entry in cloud.requests(after)
        if entry["method"] == "POST" and entry["path"].endswith("/token") and isinstance(entry["body"], dict)
        if "assertion" in entry["body"]
    ]


def google_calls(cloud: FakeCloud, after: int) -> list[str]:
    """``METHOD host path`` of the calls to Google after ``after`` (the token endpoint is the fake's own)."""
    return [f"{e['method']} {e['host']} {e['path']}" for e in cloud.requests(after) if "googleapis.com" in e["host"]]


def signed_grant(key_file: dict[str, t.Any], token_uri: str) -> bytes:
    """A JWT-bearer grant for ``key_file``, signed with its private key, as a form body."""
    now = int(time.time())
    header = jwt_segment({"alg": "RS256", "typ": "JWT", "kid": key_file["private_key_id"]})
    claims = jwt_segment(
        {"iss": key_file["client_email"], "scope": SCOPE, "aud": token_uri, "iat": now, "exp": now + 600},
    )
    key = serialization.load_pem_private_key(key_file["private_key"].encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = key.sign(f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    jwt = f"{header}.{claims}.{b64url(signature)}"
    grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": jwt}
    return urllib.parse.urlencode(grant).encode()


# --- the lab's GCP identities ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def root_key(lab: Lab) -> dict[str, t.Any]:
    """The engine's own key file, as the lab made it."""
    with open(lab.env["VAULTOPS_LAB_GCP_CREDENTIALS_FILE"], encoding="utf-8") as handle:
        return t.cast("dict[str, t.Any]", json.load(handle))


def cloud_vars(lab: Lab) -> dict[str, str]:
    """What the cloud targets need besides VAULT_ADDR / VAULT_TOKEN (secrets too: the vars file is 0600)."""
    return lab_values(
        lab.env,
        {
            "lab_cloud_endpoint": "VAULTOPS_LAB_CLOUD_ENDPOINT",
            "lab_gcp_credentials_file": "VAULTOPS_LAB_GCP_CREDENTIALS_FILE",
            "lab_gcp_project": "VAULTOPS_LAB_GCP_PROJECT",
            "lab_gcp_static_account": "VAULTOPS_LAB_GCP_STATIC_ACCOUNT",
        },
    )


def secrets(lab: Lab, root_key: dict[str, t.Any]) -> dict[str, str]:
    """What must never appear in any output: the root key (by its ID and a slice of its body), the Vault token."""
    body_line = root_key["private_key"].splitlines()[5]
    assert len(body_line) >= 40
    return {
        "the GCP private_key_id": root_key["private_key_id"],
        "a slice of the GCP private key": body_line,
        "the Vault token": lab.vault_token,
    }


# --- the engine ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(vault: hvac.Client, lab: Lab) -> t.Iterator[str]:
    """A GCP engine at it-gcp with the lab's key; keys live 30m (at most 1h)."""
    with open(lab.env["VAULTOPS_LAB_GCP_CREDENTIALS_FILE"], encoding="utf-8") as handle:
        credentials = handle.read()
    config = {"credentials": credentials, "ttl": 1800, "max_ttl": 3600}

    def remove_rolesets_and_accounts() -> None:
        for kind, listing in (("roleset", "rolesets"), ("static-account", "static-accounts")):
            for name in (vault.list(f"{MOUNT}/{listing}") or {}).get("data", {}).get("keys", []):
                vault.delete(f"{MOUNT}/{kind}/{name}")

    yield from mounted_engine(vault, "gcp", MOUNT, config, cleanup=remove_rolesets_and_accounts)


def roleset(ansible: Ansible, name: str, **args: t.Any) -> PlaybookResult:
    return ansible.task("vaultops.cloud.gcp_secrets_roleset", {"mount_point": MOUNT, "name": name, **args})


def read(vault: hvac.Client, path: str) -> dict[str, t.Any] | None:
    """A roleset or account as Vault has it, roles sorted (the engine answers them in no particular order)."""
    data = vault_read(vault, path)
    if data is not None and isinstance(data.get("bindings"), dict):
        data["bindings"] = {resource: sorted(roles) for resource, roles in data["bindings"].items()}
    return data


def issue(ansible: Ansible, lookups: dict[str, str], **kwargs: t.Any) -> PlaybookResult:
    """Run the creds lookups (``{key: 'role', ...}`` terms with their options) once, keeping the results."""
    task = {"name": "Issue credentials", "ansible.builtin.set_fact": {"issued": lookups}, "no_log": True}
    return ansible.play([task], capture="issued", **kwargs)


def lookup(role: str, **options: str) -> str:
    return creds_lookup(role, "gcp", MOUNT, **options)


# --- the four-run targets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("gcp_secrets_config", marks=pytest.mark.core219),
        pytest.param("gcp_secrets_roleset", marks=pytest.mark.core219),
        "gcp_secrets_static_account",
        "gcp_secrets_impersonated_account",
    ],
)
def test_target(
    *, target: str, ansible: Ansible, vault: hvac.Client, lab: Lab, cloud: FakeCloud, root_key: dict[str, t.Any]
) -> None:
    accounts_before = accounts(cloud)
    static = lab.env["VAULTOPS_LAB_GCP_STATIC_ACCOUNT"]
    roles_before = roles_of(cloud, static)
    # -vvvv: every module result, diff and invocation is printed, and scanned below
    run = ansible.target(target, extra_vars=cloud_vars(lab), verbosity=4)
    counts = run.counts()
    assert run.rc == 0, run.output[-6000:]
    assert counts["failed"] == 0, run.output[-6000:]
    # a target that silently skipped its body would still "pass": it must have changed things
    assert counts["changed"] >= 4, run.output[-6000:]
    assert "All assertions passed" in run.stdout
    assert f"{TARGETS[target]}/" not in vault.sys.list_mounted_secrets_engines()["data"]
    # the target cleaned up in Google too: no service account, binding or key of its own is left
    assert accounts(cloud) == accounts_before
    assert roles_of(cloud, static) == roles_before
    assert_no_leak(run, secrets(lab, root_key))


# --- credentials from the lookup, proven against the fake Google ----------------------------------------


@pytest.mark.core219
def test_access_token_from_a_roleset(ansible: Ansible, vault: hvac.Client, cloud: FakeCloud, engine: str) -> None:
    created = roleset(ansible, "it-token", project=PROJECT, token_scopes=[SCOPE], bindings=BINDINGS)
    assert created.rc == 0, created.output
    assert created.result["new_service_account"] is True
    stored = read(vault, f"{engine}/roleset/it-token")
    assert stored is not None
    account = stored["service_account_email"]
    assert roles_of(cloud, account) == ["roles/storage.objectViewer", "roles/viewer"]

    mark = cloud.mark()
    run = issue(ansible, {"creds": lookup("it-token")})
    assert run.rc == 0, run.output
    creds = run.result["creds"]
    assert creds["token"] and creds["token_ttl"] > 0
    assert creds["lease_id"] is None, "Google cannot revoke a token: there is no lease"
    assert creds["expires_at"] and creds["expires_at_seconds"] > time.time()
    # the engine minted it by signing a JWT-bearer grant as the roleset's own service account
    assert account in jwt_issuers(cloud, mark)
    # and Google knows the token as that account's, with the roleset's scope
    status, info = http_json(f"{cloud.endpoint}/gcp/tokeninfo?access_token={creds['token']}")
    assert status == 200, info
    assert info["email"] == account
    assert info["scope"] == SCOPE
    tokens = [entry for entry in cloud.state()["gcp"]["access_tokens"] if entry["email"] == account]
    assert tokens and all(entry["via"] == "jwt-bearer" for entry in tokens)
    assert creds["token"] not in run.stdout


@pytest.mark.core219
def test_service_account_key_is_deleted_when_its_lease_is_revoked(
    ansible: Ansible, vault: hvac.Client, cloud: FakeCloud, engine: str
) -> None:
    created = roleset(
        ansible,
        "it-keys",
        project=PROJECT,
        secret_type="service_account_key",
        bindings={PROJECT_RESOURCE: ["roles/viewer"]},
    )
    assert created.rc == 0, created.output
    stored = read(vault, f"{engine}/roleset/it-keys")
    assert stored is not None
    account = stored["service_account_email"]
    keys_before = key_ids(cloud, account)

    run = issue(ansible, {"creds": lookup("it-keys", secret_type="service_account_key")})
    assert run.rc == 0, run.output
    creds = run.result["creds"]
    assert creds["lease_id"].startswith(f"{engine}/roleset/it-keys/key/")
    assert creds["lease_duration"] == 1800
    key_file = json.loads(base64.b64decode(creds["private_key_data"]))
    assert key_file["client_email"] == account
    assert key_ids(cloud, account) == sorted([*keys_before, key_file["private_key_id"]])
    # the key works: the fake's token endpoint grants a token for a JWT signed with it
    status, body = http_json(key_file["token_uri"], signed_grant(key_file, key_file["token_uri"]))
    assert status == 200, body

    # a shorter lease can be asked for
    short = issue(ansible, {"creds": lookup("it-keys", secret_type="service_account_key", ttl="10m")})
    assert short.rc == 0, short.output
    assert short.result["creds"]["lease_duration"] == 600
    vault.sys.revoke_lease(short.result["creds"]["lease_id"])

    vault.sys.revoke_lease(creds["lease_id"])
    assert wait_until(lambda: key_ids(cloud, account) == keys_before), key_ids(cloud, account)
    status, body = http_json(key_file["token_uri"], signed_grant(key_file, key_file["token_uri"]))
    assert status == 400, body
    assert key_file["private_key_id"] not in run.stdout


def test_a_second_converge_creates_no_service_account(
    ansible: Ansible, vault: hvac.Client, cloud: FakeCloud, engine: str
) -> None:
    before = accounts(cloud)
    first = roleset(ansible, "it-converge", project=PROJECT, token_scopes=[SCOPE], bindings=BINDINGS)
    assert first.rc == 0, first.output
    assert first.result["changed"] is True
    after_first = accounts(cloud)
    assert len(after_first) == len(before) + 1

    mark = cloud.mark()
    # the same bindings as a list, the roles reversed and one repeated
    again = roleset(
        ansible,
        "it-converge",
        project=PROJECT,
        token_scopes=[SCOPE],
        bindings=[
            {"resource": PROJECT_RESOURCE, "roles": ["roles/viewer", "roles/storage.objectViewer", "roles/viewer"]}
        ],
    )
    assert again.rc == 0, again.output
    assert again.result["changed"] is False
    assert again.result["new_service_account"] is False
    assert accounts(cloud) == after_first
    assert google_calls(cloud, mark) == [], "an unchanged roleset must not make the engine call Google"
    stored = read(vault, f"{engine}/roleset/it-converge")
    assert stored is not None and stored["service_account_email"] in after_first


def test_static_account_token(ansible: Ansible, lab: Lab, cloud: FakeCloud, engine: str) -> None:
    email = lab.env["VAULTOPS_LAB_GCP_STATIC_ACCOUNT"]
    created = ansible.task(
        "vaultops.cloud.gcp_secrets_static_account",
        {"mount_point": MOUNT, "name": "it-static", "service_account_email": email, "token_scopes": [SCOPE]},
    )
    assert created.rc == 0, created.output
    run = issue(ansible, {"creds": lookup("it-static", source="static-account")})
    assert run.rc == 0, run.output
    status, info = http_json(f"{cloud.endpoint}/gcp/tokeninfo?access_token={run.result['creds']['token']}")
    assert status == 200, info
    assert info["email"] == email


def test_impersonated_token_lives_as_long_as_the_account_says(
    ansible: Ansible, lab: Lab, cloud: FakeCloud, engine: str
) -> None:
    email = lab.env["VAULTOPS_LAB_GCP_STATIC_ACCOUNT"]
    created = ansible.task(
        "vaultops.cloud.gcp_secrets_impersonated_account",
        {
            "mount_point": MOUNT,
            "name": "it-impersonated",
            "service_account_email": email,
            "token_scopes": [SCOPE],
            "ttl": "15m",
        },
    )
    assert created.rc == 0, created.output
    # the engine caps the account's ttl with its max_ttl (1h here, see the engine fixture); with no max_ttl set
    # it caps it to 0, and Google's default of 1h applies whatever the account says
    mark = cloud.mark()
    run = issue(ansible, {"creds": lookup("it-impersonated", source="impersonated-account")})
    assert run.rc == 0, run.output
    calls = [e for e in cloud.requests(mark) if e["path"].endswith(f"/serviceAccounts/{email}:generateAccessToken")]
    assert len(calls) == 1, calls
    assert calls[0]["body"] == {"lifetime": "900s", "scope": [SCOPE]}
    status, info = http_json(f"{cloud.endpoint}/gcp/tokeninfo?access_token={run.result['creds']['token']}")
    assert status == 200, info
    assert info["email"] == email


# --- bad input: clear errors, nothing written -------------------------------------------------------


@pytest.mark.parametrize(
    ("bindings", "text"),
    [
        pytest.param(
            [1, 2], "list items must be {resource: ..., roles: [...]}", id="list-of-ints", marks=pytest.mark.core219
        ),
        pytest.param({PROJECT_RESOURCE: [1]}, "is not a string", id="int-role"),
        pytest.param({PROJECT_RESOURCE: ["viewer"]}, "must have the form", id="role-without-prefix"),
        pytest.param({PROJECT_RESOURCE: []}, "has no roles", id="no-roles"),
        pytest.param('resource "x" { roles = [', "bindings HCL", id="broken-hcl"),
        pytest.param("[1, 2", "is not valid JSON", id="broken-json"),
    ],
)
def test_bindings_that_are_not_valid_data(
    *, bindings: t.Any, text: str, ansible: Ansible, vault: hvac.Client, cloud: FakeCloud, engine: str
) -> None:
    before = accounts(cloud)
    mark = cloud.mark()
    run = roleset(ansible, "it-bad", project=PROJECT, token_scopes=[SCOPE], bindings=bindings)
    assert run.rc != 0
    assert run.result["failed"] is True
    assert run.result["field"] == "bindings"
    assert run.result["msg"].startswith("invalid value for bindings: ")
    assert text in run.result["msg"]
    assert read(vault, f"{engine}/roleset/it-bad") is None
    assert accounts(cloud) == before
    assert google_calls(cloud, mark) == []


@pytest.mark.core219
@pytest.mark.parametrize(
    ("change", "field"),
    [({"project": "it-other-project"}, "project"), ({"secret_type": "service_account_key"}, "secret_type")],
)
@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_fixed_field_without_recreate(
    *,
    change: dict[str, str],
    field: str,
    check: bool,
    ansible: Ansible,
    vault: hvac.Client,
    cloud: FakeCloud,
    engine: str,
) -> None:
    created = roleset(ansible, "it-fixed", project=PROJECT, token_scopes=[SCOPE], bindings=BINDINGS)
    assert created.rc == 0, created.output
    before = read(vault, f"{engine}/roleset/it-fixed")
    mark = cloud.mark()
    run = ansible.task(
        "vaultops.cloud.gcp_secrets_roleset", {"mount_point": MOUNT, "name": "it-fixed", **change}, check=check
    )
    assert run.rc != 0
    assert run.result["field"] == field
    assert "recreate=true" in run.result["msg"]
    assert read(vault, f"{engine}/roleset/it-fixed") == before
    assert google_calls(cloud, mark) == []


def test_config_on_a_mount_of_another_type_is_refused(ansible: Ansible, vault: hvac.Client, lab: Lab) -> None:
    """The key file must never land in, say, a kv mount, where anyone who may read it would see it."""
    vault.sys.enable_secrets_engine("kv", path="it-gcp-kv")
    try:
        run = ansible.task(
            "vaultops.cloud.gcp_secrets_config",
            {
                "mount_point": "it-gcp-kv",
                "credentials": "{{ lookup('ansible.builtin.file', '"
                + lab.env["VAULTOPS_LAB_GCP_CREDENTIALS_FILE"]
                + "') }}",
            },
        )
        assert run.rc != 0
        assert run.result["field"] == "mount_point"
        assert "'kv' secrets engine" in run.result["msg"]
        assert read(vault, "it-gcp-kv/config") is None
    finally:
        vault.sys.disable_secrets_engine("it-gcp-kv")


def recreate_into_a_project_google_refuses(ansible: Ansible, name: str) -> PlaybookResult:
    created = roleset(ansible, name, project=PROJECT, token_scopes=[SCOPE], bindings=BINDINGS)
    assert created.rc == 0, created.output
    return roleset(ansible, name, project="it-no-such-project", recreate=True)


def test_recreate_that_google_refuses_loses_the_roleset(
    ansible: Ansible, vault: hvac.Client, cloud: FakeCloud, engine: str
) -> None:
    """recreate deletes first (the engine cannot hold two rolesets of one name): when Google then refuses the new
    one, the old roleset and its service account are gone. These facts hold however the failure is reported."""
    before = accounts(cloud)
    run = recreate_into_a_project_google_refuses(ansible, "it-recreate-lost")
    assert run.rc != 0
    assert "it-no-such-project" in run.result["msg"]
    assert read(vault, f"{engine}/roleset/it-recreate-lost") is None
    assert accounts(cloud) == before


def test_recreate_that_google_refuses_says_the_roleset_was_deleted(ansible: Ansible, engine: str) -> None:
    run = recreate_into_a_project_google_refuses(ansible, "it-recreate-told")
    assert run.rc != 0
    assert run.result["changed"] is True
    assert "deleted" in run.result["msg"]


@pytest.mark.parametrize("name", ["It-Upper", "Deploy"])
def test_roleset_name_google_cannot_take_is_refused_before_any_request(
    name: str, ansible: Ansible, vault: hvac.Client, cloud: FakeCloud, engine: str
) -> None:
    before = accounts(cloud)
    mark = cloud.mark()
    run = roleset(ansible, name, project=PROJECT, token_scopes=[SCOPE], bindings=BINDINGS)
    assert run.rc != 0
    assert read(vault, f"{engine}/roleset/{name}") is None
    assert accounts(cloud) == before
    assert run.result.get("field") == "name"
    assert google_calls(cloud, mark) == []


# --- nothing secret in -vvvv output ----------------------------------------------------------------


def test_no_secret_in_verbose_output(
    ansible: Ansible, lab: Lab, cloud: FakeCloud, engine: str, root_key: dict[str, t.Any]
) -> None:
    key_file = lab.env["VAULTOPS_LAB_GCP_CREDENTIALS_FILE"]
    tasks: list[dict[str, t.Any]] = [
        {
            "name": "Configure the engine, the key as text and as data",
            "vaultops.cloud.gcp_secrets_config": {
                "mount_point": MOUNT,
                "credentials": "{{ lookup('ansible.builtin.file', '" + key_file + "') }}",
                "update_secret": "always",
            },
            "diff": True,
        },
        {
            "name": "Configure the engine with the key as data",
            "vaultops.cloud.gcp_secrets_config": {
                "mount_point": MOUNT,
                "credentials": "{{ lookup('ansible.builtin.file', '" + key_file + "') | from_json }}",
                "update_secret": "always",
                "ttl": 1800,
            },
            "diff": True,
        },
        {
            "name": "A roleset for tokens",
            "vaultops.cloud.gcp_secrets_roleset": {
                "mount_point": MOUNT,
                "name": "it-leak",
                "project": PROJECT,
                "token_scopes": [SCOPE],
                "bindings": BINDINGS,
            },
            "diff": True,
        },
        {
            "name": "A roleset for keys",
            "vaultops.cloud.gcp_secrets_roleset": {
                "mount_point": MOUNT,
                "name": "it-leak-keys",
                "project": PROJECT,
                "secret_type": "service_account_key",
                "bindings": BINDINGS,
            },
            "diff": True,
        },
        {
            "name": "Issue with the lookup",
            "ansible.builtin.set_fact": {
                "issued": {
                    "token": lookup("it-leak"),
                    "key": lookup("it-leak-keys", secret_type="service_account_key"),
                },
            },
            "no_log": True,
        },
        {
            "name": "Issue with the module",
            "vaultops.cloud.creds": {
                "engine": "gcp",
                "mount_point": MOUNT,
                "role": "it-leak-keys",
                "secret_type": "service_account_key",
            },
            "register": "by_module",
            "no_log": True,
        },
        {
            "name": "Keep them all",
            "ansible.builtin.set_fact": {"issued": "{{ issued | combine({'module': by_module.credentials}) }}"},
            "no_log": True,
        },
    ]
    run = ansible.play(tasks, capture="issued", verbosity=4)
    assert run.rc == 0, run.output[-6000:]
    issued = run.result
    leaks = dict(secrets(lab, root_key))
    leaks["the issued access token"] = issued["token"]["token"]
    for name in ("key", "module"):
        key_file_data = json.loads(base64.b64decode(issued[name]["private_key_data"]))
        leaks[f"the issued key data ({name})"] = issued[name]["private_key_data"][100:160]
        leaks[f"the issued key's id ({name})"] = key_file_data["private_key_id"]
        leaks[f"the issued private key ({name})"] = key_file_data["private_key"].splitlines()[5]
    assert_no_leak(run, leaks)
