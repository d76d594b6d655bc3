"""The hostile corpus (issue 7): names that are paths, traversal in mount_point, odd types and sizes, bad TTLs, a wrong
namespace, a url with a path, servers that are not Vault (HTML with 200 and with 404, TLS with an unknown CA) and a
revoked token, across every cloud module, the bundled roles and the lookup.

Every case must fail with a clear error naming the field or the URL, and the whole corpus must leave **zero
non-read requests** in the lab's audit log. The fake servers record what reaches them: the AWS root secret key and
the Vault token never do. The corpus runs as one playbook (each case a block whose rescue keeps the failed result),
so that it costs one ansible-playbook start, not one per case; the shipped setup playbook runs once against each
fake server.
"""

from __future__ import annotations

import http.server
import json
import shutil
import ssl
import subprocess
import threading
import typing as t
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import hvac
import pytest

from ._audit import AuditLog, describe
from ._helpers import free_port
from .conftest import REPO, SERVER, Ansible, Lab

MODULE = "vaultops.cloud."
BAD_NAMES = {
    "traversal": "../../sys/mounts/{mount}",
    "query": "keep?x=1",
    "fragment": "keep#x",
    "percent": "%2e%2e",
    "space": "keep x",
    "newline": "keep\nx",
    "dot-dot": "..",
    "empty": "",
    "too-long": "k" * 129,
}
NOT_VAULT = "is not a Vault or OpenBao server"
BINDINGS = 'resource "//cloudresourcemanager.googleapis.com/projects/p" { roles = ["roles/viewer"] }'


# --- servers that are not Vault ------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeServer:
    """A web server on a spare port that answers every request with one HTML page, and records each request."""

    status: int
    tls: tuple[Path, Path] | None = None
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self, skip: t.Iterable[int]) -> FakeServer:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
                page = b"<html><body>It works!</body></html>"
                self.send_response(owner.status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            do_GET = do_POST = do_PUT = do_DELETE = do_LIST = answer

            def log_message(self, *args: t.Any) -> None:
                pass

        self.port = free_port(skip=skip)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by nobody anyone trusts."""
    cert, key = folder / "unknown-ca.pem", folder / "unknown-ca.key"
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed for the TLS case")
    command = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def fakes(tmp_path: Path) -> t.Iterator[dict[str, FakeServer]]:
    servers: dict[str, FakeServer] = {}
    try:
        for name, status, tls in (("html200", 200, None), ("html404", 404, None), ("tls", 200, self_signed(tmp_path))):
            servers[name] = FakeServer(status, tls).start(skip=[s.port for s in servers.values()])
        yield servers
    finally:
        for server in servers.values():
            server.stop()


# --- the corpus ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    task: dict[str, t.Any]
    # every fragment must be in the error message
    expect: tuple[str, ...]
    # the field the module reports (fail_json(field=...)), when it is a module's bad input
    field: str | None = None


def module(name: str, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return {MODULE + name: dict(args)}


def lookup(role: str, **options: str) -> dict[str, t.Any]:
    extra = "".join(f", {key}={value!r}" for key, value in options.items())
    return {"ansible.builtin.debug": {"msg": "{{ lookup('vaultops.cloud.creds', " + repr(role) + extra + ") }}"}}


def role(name: str, variables: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return {"ansible.builtin.include_role": {"name": MODULE + name}, "vars": dict(variables)}


def refused(field_name: str) -> tuple[str, ...]:
    return (f"invalid value for {field_name}:",)


def name_cases(mount: str) -> list[Case]:
    """Path characters in every name field of every module, the bulk modules and the lookup."""
    cases: list[Case] = []
    singles = [
        (
            "aws_secrets_role",
            {"credential_type": "iam_user", "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        ),
        ("aws_secrets_static_role", {"username": "svc"}),
        ("gcp_secrets_roleset", {"project": "p", "bindings": BINDINGS}),
        ("gcp_secrets_static_account", {"service_account_email": "a@p.iam.gserviceaccount.com"}),
        ("gcp_secrets_impersonated_account", {"service_account_email": "a@p.iam.gserviceaccount.com"}),
        ("azure_secrets_role", {"azure_roles": [{"role_name": "Reader", "scope": "/subscriptions/x"}]}),
        ("alicloud_secrets_role", {"remote_policies": ["name:ReadOnlyAccess,type:System"]}),
    ]
    values = list(BAD_NAMES.items())
    for index, (name, args) in enumerate(singles):
        # every bad name once over the modules, and the traversal and the query against every one of them
        picked = {values[index % len(values)], values[(index + 3) % len(values)], values[0], values[1]}
        for kind, value in sorted(picked):
            bad = value.format(mount=mount)
            state = "absent" if kind == "traversal" else "present"
            task = module(name, {"mount_point": mount, "name": bad, "state": state, **args})
            cases.append(Case(f"{name}-name-{kind}", task, refused("name"), "name"))
    bulks = [
        ("aws_secrets_roles", "roles", {"credential_type": "iam_user"}),
        ("aws_secrets_static_roles", "static_roles", {"username": "svc"}),
        ("gcp_secrets_rolesets", "rolesets", {"project": "p", "bindings": BINDINGS}),
        ("gcp_secrets_static_accounts", "static_accounts", {"service_account_email": "a@p.iam.gserviceaccount.com"}),
        ("gcp_secrets_impersonated_accounts", "impersonated_accounts", {"service_account_email": "a@p.iam.x"}),
        ("azure_secrets_roles", "roles", {"azure_roles": [{"role_name": "Reader", "scope": "/subscriptions/x"}]}),
        ("alicloud_secrets_roles", "roles", {"remote_policies": ["name:ReadOnlyAccess,type:System"]}),
    ]
    for name, key, args in bulks:
        items = [{"name": "fine", **args}, {"name": f"../keep?x=1#{mount}", **args}]
        cases.append(
            Case(f"{name}-item-name", module(name, {"mount_point": mount, key: items}), refused(f"{key}[1].name"))
        )
    cases += [
        Case(
            "aws_secrets_role_info-name",
            module("aws_secrets_role_info", {"mount_point": mount, "name": "keep#x"}),
            refused("name"),
            "name",
        ),
        Case(
            "aws_secrets_info-names",
            module("aws_secrets_info", {"mount_point": mount, "names": ["ok", "a/../b"]}),
            refused("names[1]"),
            "names[1]",
        ),
        Case(
            "gcp_secrets_rotate_root-name",
            module("gcp_secrets_rotate_root", {"mount_point": mount, "action": "roleset_key", "name": "../config"}),
            refused("name"),
            "name",
        ),
        Case(
            "creds-module-role",
            module("creds", {"mount_point": mount, "engine": "aws", "role": "keep?x=1"}),
            refused("role"),
            "role",
        ),
        Case(
            "creds-module-role-traversal",
            module("creds", {"mount_point": mount, "engine": "aws", "role": "../../sys/mounts"}),
            refused("role"),
            "role",
        ),
        Case("lookup-role-fragment", lookup("keep#x", mount_point=mount), ("invalid value for role",)),
        Case("lookup-role-traversal", lookup("../config/root", mount_point=mount), ("invalid value for role",)),
        Case("lookup-role-percent", lookup("%2e%2e", mount_point=mount), ("invalid value for role",)),
        Case(
            "lease-id-traversal",
            module("lease", {"lease_id": f"{mount}/creds/../../../sys/mounts", "state": "revoked"}),
            refused("lease_id"),
            "lease_id",
        ),
        Case(
            "lease-prefix-query",
            module("lease", {"prefix": f"{mount}/creds/keep?x=1", "state": "revoked"}),
            refused("prefix"),
            "prefix",
        ),
    ]
    return cases


def mount_cases(mount: str) -> list[Case]:
    """Traversal and URL syntax in mount_point (and secrets_engine's path), for every module that takes one."""
    modules = {
        "aws_secrets_config": {"region": "us-east-1"},
        "aws_secrets_role": {"name": "keep", "credential_type": "iam_user"},
        "aws_secrets_static_role": {"name": "keep", "username": "svc"},
        "aws_secrets_rotate_root": {},
        "aws_secrets_info": {},
        "aws_secrets_role_info": {},
        "aws_secrets_roles": {"roles": []},
        "gcp_secrets_config": {"ttl": 60},
        "gcp_secrets_info": {},
        "gcp_secrets_rotate_root": {},
        "azure_secrets_config": {"tenant_id": "t", "subscription_id": "s"},
        "azure_secrets_info": {},
        "azure_secrets_rotate_root": {},
        "alicloud_secrets_config": {"access_key": "a", "secret_key": "s"},
        "alicloud_secrets_info": {},
    }
    bad = [f"{mount}/../sys", f"../{mount}", f"{mount}?x=1", "sys/mounts", f"{mount}#x", f"{mount}/%2e%2e"]
    cases = [
        Case(
            f"{name}-mount_point-{index}",
            module(name, {"mount_point": bad[index % len(bad)], **args}),
            refused("mount_point"),
            "mount_point",
        )
        for index, (name, args) in enumerate(modules.items())
    ]
    cases += [
        Case(
            "secrets_engine-path-traversal",
            module("secrets_engine", {"path": f"{mount}/../../sys/auth", "type": "aws", "state": "absent"}),
            refused("path"),
            "path",
        ),
        Case(
            "secrets_engine-path-query",
            module("secrets_engine", {"path": f"{mount}?x", "type": "aws"}),
            refused("path"),
            "path",
        ),
        Case(
            "lookup-mount-traversal", lookup("keep", mount_point=f"{mount}/../sys"), ("invalid value for mount_point",)
        ),
    ]
    return cases


def value_cases(mount: str) -> list[Case]:
    """Odd types and sizes, bad TTLs."""
    role_args = {"mount_point": mount, "name": "keep", "credential_type": "assumed_role", "role_arns": ["arn:x"]}
    return [
        Case(
            "ttl-float-sts",
            module("aws_secrets_role", {**role_args, "default_sts_ttl": 1.5}),
            ("default_sts_ttl", "whole number of seconds"),
        ),
        Case(
            "ttl-ms-sts",
            module("aws_secrets_role", {**role_args, "max_sts_ttl": "1500ms"}),
            ("max_sts_ttl", "whole number of seconds"),
        ),
        Case(
            "ttl-float-lease",
            module("aws_secrets_config", {"mount_point": mount, "lease": 90.5, "lease_max": "1h"}),
            ("lease", "whole number of seconds"),
        ),
        Case(
            "ttl-float-rotation",
            module(
                "aws_secrets_static_role",
                {"mount_point": mount, "name": "keep", "username": "svc", "rotation_period": 3600.5},
            ),
            ("rotation_period", "whole number of seconds"),
        ),
        Case(
            "ttl-float-gcp",
            module("gcp_secrets_config", {"mount_point": mount, "ttl": 1.5}),
            ("ttl", "whole number of seconds"),
        ),
        Case(
            "ttl-float-azure",
            module(
                "azure_secrets_role",
                {
                    "mount_point": mount,
                    "name": "keep",
                    "ttl": 2.5,
                    "azure_roles": [{"role_name": "Reader", "scope": "/subscriptions/x"}],
                },
            ),
            ("ttl", "whole number"),
        ),
        Case(
            "ttl-float-alicloud",
            module(
                "alicloud_secrets_role",
                {
                    "mount_point": mount,
                    "name": "keep",
                    "remote_policies": ["name:ReadOnlyAccess,type:System"],
                    "ttl": 1.5,
                },
            ),
            ("ttl", "whole number"),
        ),
        Case(
            "ttl-float-mount",
            module("secrets_engine", {"path": mount, "type": "aws", "default_lease_ttl": 1.5}),
            ("default_lease_ttl", "whole number"),
        ),
        Case(
            "ttl-float-lease-renew",
            module("lease", {"lease_id": f"{mount}/creds/keep/abc", "state": "renewed", "increment": 1.5}),
            ("increment", "whole number"),
        ),
        Case(
            "ttl-float-creds",
            module("creds", {"mount_point": mount, "engine": "aws", "role": "keep", "ttl": 1.5}),
            ("ttl", "whole number"),
        ),
        Case(
            "ttl-word",
            module("aws_secrets_config", {"mount_point": mount, "lease": "1h", "lease_max": "forever"}),
            ("lease_max", "is not a duration"),
        ),
        Case(
            "ttl-negative",
            module("gcp_secrets_config", {"mount_point": mount, "max_ttl": "-1h"}),
            ("max_ttl", "must not be negative"),
        ),
        Case("name-list", module("aws_secrets_role", {**role_args, "name": ["a", "b"]}), ("name",)),
        Case("name-dict", module("azure_secrets_role", {"mount_point": mount, "name": {"a": 1}}), ("name",)),
        Case(
            "name-huge",
            module("aws_secrets_role", {**role_args, "name": "x" * 100_000}),
            ("invalid value for name:", "characters long"),
        ),
        Case(
            "mount-huge",
            module("aws_secrets_role", {**role_args, "mount_point": "m" * 5000}),
            ("invalid value for mount_point:", "characters long"),
        ),
        Case("bulk-not-a-list", module("aws_secrets_roles", {"mount_point": mount, "roles": "keep"}), ("roles",)),
        Case(
            "bulk-items-not-dicts",
            module("gcp_secrets_rolesets", {"mount_point": mount, "rolesets": [1, 2]}),
            ("rolesets",),
        ),
        Case(
            "bulk-duplicate",
            module(
                "aws_secrets_roles", {"mount_point": mount, "roles": [{"name": "a", "credential_type": "iam_user"}] * 2}
            ),
            ("roles[1].name", "listed twice"),
        ),
        Case(
            "policy-not-json",
            module(
                "aws_secrets_role",
                {**role_args, "credential_type": "iam_user", "role_arns": [], "policy_document": "{" * 5000},
            ),
            ("policy_document",),
        ),
    ]


def role_cases(mount: str) -> list[Case]:
    """The bundled roles pass their variables to the modules: the same refusals, before any request."""
    return [
        Case(
            "role-aws-mount-traversal",
            role("aws_secrets_engine", {"aws_secrets_engine_mount_point": f"{mount}/../sys"}),
            # the role mounts through aws_secrets_roles' option mount: the error names its mount_point
            ("invalid value for mount_point:", "'..' is not a name"),
        ),
        Case(
            "role-aws-role-name",
            role(
                "aws_secrets_engine",
                {
                    "aws_secrets_engine_mount_point": mount,
                    "aws_secrets_engine_roles": [{"name": "../config/root", "credential_type": "iam_user"}],
                },
            ),
            ("roles[0].name",),
        ),
        Case(
            "role-aws-ttl",
            role(
                "aws_secrets_engine",
                {"aws_secrets_engine_mount_point": mount, "aws_secrets_engine_default_lease_ttl": 1.5},
            ),
            ("default_lease_ttl",),
        ),
        Case(
            "role-gcp-roleset-name",
            role(
                "gcp_secrets_engine",
                {
                    "gcp_secrets_engine_mount_point": f"{mount}-gcp",
                    "gcp_secrets_engine_rolesets": [{"name": "keep?x=1", "project": "p", "bindings": BINDINGS}],
                },
            ),
            ("rolesets[0].name",),
        ),
        Case(
            "role-azure-mount-query",
            role("azure_secrets_engine", {"azure_secrets_engine_mount_point": f"{mount}?x"}),
            ("invalid value for path:", "must not contain '?'"),
        ),
        Case(
            "role-alicloud-role-name",
            role(
                "alicloud_secrets_engine",
                {
                    "alicloud_secrets_engine_mount_point": f"{mount}-alicloud",
                    "alicloud_secrets_engine_roles": [{"name": "a b", "remote_policies": ["name:R,type:System"]}],
                },
            ),
            ("roles[0].name",),
        ),
    ]


def server_cases(lab: Lab, mount: str, fakes: dict[str, FakeServer], revoked: str) -> list[Case]:
    """Servers that are not Vault, a url with a path, a wrong namespace, a revoked token."""
    secret = lab.root_secret_key
    config = {"mount_point": mount, "access_key": lab.root_access_key, "secret_key": secret, "region": "us-east-1"}
    cases: list[Case] = []
    for name in ("html200", "html404"):
        url = fakes[name].url
        cases += [
            Case(f"{name}-aws-config", module("aws_secrets_config", {**config, "url": url}), (url, NOT_VAULT)),
            Case(
                f"{name}-secrets-engine",
                module("secrets_engine", {"path": mount, "type": "aws", "url": url}),
                (url, NOT_VAULT),
            ),
            Case(f"{name}-lookup", lookup("keep", mount_point=mount, url=url), (url, NOT_VAULT)),
            Case(
                f"{name}-creds",
                module("creds", {"mount_point": mount, "engine": "aws", "role": "keep", "url": url}),
                (url, NOT_VAULT),
            ),
        ]
    with_path = f"{lab.vault_addr}/extra"
    tls = fakes["tls"].url
    cases += [
        Case(
            "url-with-path-config", module("aws_secrets_config", {**config, "url": with_path}), (with_path, NOT_VAULT)
        ),
        Case(
            "url-with-path-role-check",
            {
                **module(
                    "aws_secrets_role",
                    {"mount_point": mount, "name": "keep", "credential_type": "iam_user", "url": with_path},
                ),
                "check_mode": True,
            },
            (with_path, NOT_VAULT),
        ),
        Case("url-with-path-lookup", lookup("keep", mount_point=mount, url=with_path), (with_path, NOT_VAULT)),
        Case(
            "tls-unknown-ca-config",
            module("aws_secrets_config", {**config, "url": tls}),
            (tls, "certificate", "ca_cert"),
        ),
        Case("tls-unknown-ca-lookup", lookup("keep", mount_point=mount, url=tls), (tls, "certificate")),
        Case(
            "namespace-role",
            module(
                "aws_secrets_role",
                {"mount_point": mount, "name": "keep", "credential_type": "iam_user", "namespace": "no-such-ns"},
            ),
            ("namespace 'no-such-ns' does not exist",),
        ),
        Case(
            "namespace-role-check",
            {
                **module(
                    "aws_secrets_role",
                    {"mount_point": mount, "name": "keep", "credential_type": "iam_user", "namespace": "no-such-ns"},
                ),
                "check_mode": True,
            },
            ("namespace 'no-such-ns' does not exist",),
        ),
        Case(
            "namespace-config-check",
            {**module("aws_secrets_config", {**config, "namespace": "no-such-ns"}), "check_mode": True},
            ("namespace 'no-such-ns' does not exist",),
        ),
        Case(
            "namespace-info",
            module("aws_secrets_info", {"mount_point": mount, "namespace": "no-such-ns"}),
            ("namespace 'no-such-ns' does not exist",),
        ),
        Case("namespace-lookup", lookup("keep", mount_point=mount, namespace="no-such-ns"), ("namespace not found",)),
        Case(
            "revoked-token-role",
            module(
                "aws_secrets_role",
                {"mount_point": mount, "name": "keep", "credential_type": "iam_user", "token": revoked},
            ),
            ("permission denied",),
        ),
        Case("revoked-token-lookup", lookup("keep", mount_point=mount, token=revoked), ("permission denied",)),
        Case(
            "login-username-traversal",
            module(
                "aws_secrets_info",
                {"mount_point": mount, "auth_method": "userpass", "username": "../../sys/x", "password": "pw"},
            ),
            refused("username"),
            "username",
        ),
        Case(
            "login-mount-query",
            lookup("keep", mount_point=mount, auth_method="approle", role_id="r", auth_mount_point="approle?x=1"),
            ("invalid value for auth_mount_point",),
        ),
        Case(
            "unmounted-role",
            module("aws_secrets_role", {"mount_point": f"{mount}-none", "name": "keep", "credential_type": "iam_user"}),
            (f"invalid value for mount_point: nothing is mounted at {mount}-none/",),
            "mount_point",
        ),
    ]
    return cases


def playbook(cases: t.Sequence[Case], result_file: Path) -> list[dict[str, t.Any]]:
    """One play: each case a block whose rescue keeps the failed result, then every result written to a file."""
    tasks: list[dict[str, t.Any]] = []
    for index, case in enumerate(cases):
        task = {"name": f"Case {case.id}", **case.task, "register": f"case_{index}"}
        if "ansible.builtin.include_role" in task:
            del task["register"]
        tasks.append(
            {
                "name": f"Block {case.id}",
                "block": [task],
                "rescue": [
                    {
                        "name": f"Keep {case.id}",
                        "ansible.builtin.set_fact": {f"case_{index}": "{{ ansible_failed_result }}"},
                    }
                ],
            }
        )
    everything = ", ".join(
        f"'{case.id}': case_{index} | default({{'missing': true}})" for index, case in enumerate(cases)
    )
    tasks.append(
        {
            "name": "Save every result",
            "ansible.builtin.copy": {
                "content": "{{ {" + everything + "} | to_json }}",
                "dest": str(result_file),
                "mode": "0600",
            },
            "check_mode": False,
        }
    )
    return [{"name": "Hostile corpus", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


@pytest.fixture
def target(vault: hvac.Client, lab: Lab) -> t.Iterator[str]:
    """An AWS mount with its root config and a role ``keep``: what the traversal cases aim at."""
    mount = f"it-hostile-{uuid.uuid4().hex[:6]}"
    vault.sys.enable_secrets_engine("aws", path=mount)
    # the bundled roles' own engines, already mounted: a role only gets as far as its bad name
    for engine in ("gcp", "alicloud"):
        vault.sys.enable_secrets_engine(engine, path=f"{mount}-{engine}")
    vault.write(
        f"{mount}/config/root",
        **lab.aws_root_config(),
    )
    vault.write(f"{mount}/roles/keep", credential_type="iam_user", policy_arns="arn:aws:iam::aws:policy/ReadOnlyAccess")
    try:
        yield mount
    finally:
        for path in (mount, f"{mount}-gcp", f"{mount}-alicloud"):
            vault.sys.disable_secrets_engine(path)


def snapshot(vault: hvac.Client, mount: str) -> dict[str, t.Any]:
    config = vault.read(f"{mount}/config/root")["data"]
    return {
        "mounts": sorted(vault.sys.list_mounted_secrets_engines()["data"]),
        "auth": sorted(vault.sys.list_auth_methods()["data"]),
        "roles": vault.list(f"{mount}/roles")["data"]["keys"],
        "keep": vault.read(f"{mount}/roles/keep")["data"],
        "config": {k: config.get(k) for k in ("access_key", "region", "iam_endpoint")},
    }


def test_hostile_corpus(
    ansible: Ansible, vault: hvac.Client, target: str, fakes: dict[str, FakeServer], tmp_path: Path
) -> None:
    lab = ansible.lab
    revoked = vault.auth.token.create(policies=["root"], ttl="1h")["auth"]["client_token"]
    vault.auth.token.revoke(revoked)
    cases = name_cases(target) + mount_cases(target) + value_cases(target) + role_cases(target)
    cases += server_cases(lab, target, fakes, revoked)
    if SERVER != "bao":
        # HashiCorp Vault's open-source server has no namespaces (it does not answer "namespace not found")
        cases = [case for case in cases if not case.id.startswith("namespace-")]
    assert len(cases) >= 60
    assert len({case.id for case in cases}) == len(cases)
    before = snapshot(vault, target)
    audit = AuditLog.of(lab.env)
    result_file = tmp_path / "corpus.json"
    book = tmp_path / "corpus.yml"
    book.write_text(json.dumps(playbook(cases, result_file), indent=1))
    mark = audit.mark()
    run = ansible.playbook(book, timeout=900)
    written = [r for r in audit.since(mark) if not r.reads]
    assert run.rc == 0, run.output
    results = json.loads(result_file.read_text())
    problems: list[str] = []
    for case in cases:
        result = results[case.id]
        msg = str(result.get("msg", ""))
        if not result.get("failed"):
            problems.append(f"{case.id}: did not fail: {json.dumps(result)[:300]}")
            continue
        missing = [fragment for fragment in case.expect if fragment not in msg]
        if missing:
            problems.append(f"{case.id}: {missing} not in {msg[:400]!r}")
        if case.field is not None and result.get("field") != case.field:
            problems.append(f"{case.id}: field {result.get('field')!r}, expected {case.field!r} ({msg[:200]!r})")
        if "Traceback" in msg or "MODULE FAILURE" in msg:
            problems.append(f"{case.id}: a crash, not a clear error: {msg[:300]!r}")
    assert not problems, f"{len(problems)} of {len(cases)} cases:\n" + "\n".join(problems)
    # nothing was written, deleted or issued: not by a case, not by any other request in the run
    assert written == [], describe(written)
    assert snapshot(vault, target) == before
    # the servers that are not Vault got only the unauthenticated proof: no token, no root key, no login
    for name, server in fakes.items():
        for seen in server.seen:
            assert (seen.method, seen.path) == ("GET", "/v1/sys/seal-status"), (name, seen)
            assert "X-Vault-Token" not in seen.headers, (name, seen)
            assert lab.root_secret_key.encode() not in seen.body, (name, seen)
    assert fakes["html200"].seen and fakes["html404"].seen
    assert fakes["tls"].seen == []  # the handshake failed: no request at all


@pytest.mark.parametrize("server", ["html200", "html404"])
def test_setup_playbook_sends_nothing_to_a_server_that_is_not_vault(
    ansible: Ansible, lab: Lab, fakes: dict[str, FakeServer], server: str
) -> None:
    fake = fakes[server]
    run = ansible.playbook(REPO / "playbooks" / "setup_vault_aws.yml", env={"VAULT_ADDR": fake.url, **_lab_keys(lab)})
    assert run.rc == 2, run.output
    assert run.counts()["changed"] == 0, run.output
    assert f"{fake.url} {NOT_VAULT}" in run.stdout, run.output
    assert fake.seen, "the playbook never asked the fake"
    for seen in fake.seen:
        assert (seen.method, seen.path) == ("GET", "/v1/sys/seal-status"), seen
        assert "X-Vault-Token" not in seen.headers, seen
        assert lab.root_secret_key.encode() not in seen.body


def _lab_keys(lab: Lab) -> dict[str, str]:
    """The setup playbook takes the engine's root keys from the lab's variables."""
    names = (
        "VAULTOPS_LAB_ROOT_ACCESS_KEY",
        "VAULTOPS_LAB_ROOT_SECRET_KEY",
        "VAULTOPS_LAB_AWS_REGION",
        "VAULTOPS_LAB_AWS_ENDPOINT",
    )
    return {name: lab.env[name] for name in names}
