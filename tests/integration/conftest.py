"""Integration tests against the lab: a real OpenBao dev server with the AWS engine plugin, and moto.

The session starts its own lab (``scripts/lab up``) in ``tests/output/lab-integration`` on ports
18210 (Vault), 18510 (moto) and 18258 (fake clouds), so that it never meets a lab someone else runs,
and always stops it. Servers of the tests' own and closed ports come from 18240-18257.
Modules run through ``ansible-playbook`` in a subprocess; what they did is read back with an
independent reader (hvac on the root token, boto3 on moto, or ``ansible.builtin.uri`` in task files),
never with the collection's own code.

The server is OpenBao with the lab's plugins, or HashiCorp Vault with its built-in engines when
``VAULTOPS_LAB_SERVER=vault`` (``make integration-vault``; the lab builds Vault once and caches it); the
throwaway servers are of the same kind. A test whose outcome depends on an engine's version asks the server
(``engine_version``).

Ansible binaries come from ``$VAULTOPS_ANSIBLE_BIN`` (``make integration-core219`` points it at the
ansible-core 2.19 environment and selects ``-m core219``), else from ``.venv/bin``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import typing as t
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import hvac
import pytest

from ._helpers import (
    SPARE_PORTS,
    FakeCloud,
    env_without,
    free_port,
    port_free,
    start_process,
    stop_process,
    wait_ready,
    wait_until,
)

__all__ = [  # what the test files take from here besides the fixtures
    "MSG_SEALED",
    "MSG_UNREACHABLE",
    "REPO",
    "SPARE_PORTS",
    "Ansible",
    "AwsFactory",
    "DevServer",
    "FakeCloud",
    "Lab",
    "PlaybookResult",
    "engine_version",
    "free_port",
    "mounted_engine",
    "port_free",
    "stop_process",
    "wait_until",
]

INTEGRATION = Path(__file__).resolve().parent
REPO = INTEGRATION.parents[1]
LAB_SCRIPT = REPO / "scripts" / "lab"
VENV_BIN = REPO / ".venv" / "bin"
# fixed ports, so that a stray lab is noticed; VAULTOPS_IT_* move them (two checkouts on one machine)
LAB_VAULT_PORT = int(os.environ.get("VAULTOPS_IT_VAULT_PORT", "18210"))
LAB_AWS_PORT = int(os.environ.get("VAULTOPS_IT_AWS_PORT", "18510"))
# one state folder per Vault port: a second session on other ports never takes over (or stops) this one's lab
LAB_DIR = (
    REPO / "tests" / "output" / ("lab-integration" if LAB_VAULT_PORT == 18210 else f"lab-integration-{LAB_VAULT_PORT}")
)
# the lab's fake Google/Azure/AliCloud APIs (scripts/lab would take the Vault port + 400 otherwise)
LAB_CLOUD_PORT = int(os.environ.get("VAULTOPS_IT_CLOUD_PORT", "18258"))
RUNNER = INTEGRATION / "run_target.yml"
# the module's error when Vault is down, and when it is sealed (plugins/module_utils/_client.py)
MSG_UNREACHABLE = "cannot reach Vault at"
MSG_SEALED = "Vault is sealed or has no active node"
# bao (OpenBao with the lab's plugins) or vault (HashiCorp Vault, engines built in): scripts/lab reads the same
SERVER = os.environ.get("VAULTOPS_LAB_SERVER") or "bao"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "core219: also run under ansible-core 2.19 (make integration-core219: -m core219)",
    )


# --- the lab -------------------------------------------------------------------------------------


# the Go module of each engine, to read the version lab/plugins/go.mod pins for it
ENGINE_MODULES = {
    "aws": "github.com/hashicorp/vault",
    "gcp": "github.com/hashicorp/vault-plugin-secrets-gcp",
    "azure": "github.com/hashicorp/vault-plugin-secrets-azure",
    "alicloud": "github.com/hashicorp/vault-plugin-secrets-alicloud",
}


def parse_version(text: str) -> tuple[int, ...]:
    """``v0.23.0+builtin`` -> ``(0, 23, 0)``."""
    match = re.match(r"v?(\d+)\.(\d+)\.(\d+)", text)
    assert match, f"unreadable version {text!r}"
    return tuple(int(part) for part in match.groups())


def engine_version(vault: hvac.Client, engine: str) -> tuple[int, ...]:
    """The version of the ``engine`` secrets plugin as the server's catalog names it (Vault's built-in engines:
    ``v0.23.0+builtin``). The lab registers OpenBao's external plugins without a version, so the server cannot
    tell: then the version that lab/plugins/go.mod pins (what the lab built and registered)."""
    entry = vault.adapter.get(f"/v1/sys/plugins/catalog/secret/{engine}")["data"]
    running = entry.get("version") or ""
    if not running:
        module = ENGINE_MODULES[engine]
        pinned = re.search(rf"^\s*{re.escape(module)} (v\S+)", (REPO / "lab/plugins/go.mod").read_text(), re.M)
        assert pinned, f"lab/plugins/go.mod pins no {module}"
        running = pinned.group(1)
    return parse_version(running)


@dataclass(frozen=True)
class Lab:
    env: dict[str, str]
    # {"azure": "0.20.1", ...}: engine_version of each engine, read once when the lab is up
    engine_versions: dict[str, str] = field(default_factory=dict)

    @property
    def vault_addr(self) -> str:
        return self.env["VAULT_ADDR"]

    @property
    def vault_token(self) -> str:
        return self.env["VAULT_TOKEN"]

    @property
    def aws_endpoint(self) -> str:
        return self.env["VAULTOPS_LAB_AWS_ENDPOINT"]

    @property
    def aws_region(self) -> str:
        return self.env["VAULTOPS_LAB_AWS_REGION"]

    @property
    def root_access_key(self) -> str:
        return self.env["VAULTOPS_LAB_ROOT_ACCESS_KEY"]

    @property
    def root_secret_key(self) -> str:
        return self.env["VAULTOPS_LAB_ROOT_SECRET_KEY"]

    def aws_root_config(self, access_key: str | None = None, secret_key: str | None = None) -> dict[str, str]:
        """An AWS engine's ``config/root`` (or ``aws_secrets_config`` options) for the lab's moto: the lab's root
        keys unless others are given, its region, and moto as the IAM and STS endpoint."""
        return {
            "access_key": access_key or self.root_access_key,
            "secret_key": secret_key or self.root_secret_key,
            "region": self.aws_region,
            "iam_endpoint": self.aws_endpoint,
            "sts_endpoint": self.aws_endpoint,
        }

    def extra_vars(self) -> dict[str, str]:
        """What every task file may use besides VAULT_ADDR / VAULT_TOKEN from the environment."""
        return {
            "lab_aws_endpoint": self.aws_endpoint,
            "lab_aws_region": self.aws_region,
            "lab_root_access_key": self.root_access_key,
            "lab_root_secret_key": self.root_secret_key,
            "lab_server": SERVER,
            # compare with the `version` test: lab_engine_versions.azure is version('0.21.2', '>=')
            "lab_engine_versions": self.engine_versions,
        }


def lab_process_env() -> dict[str, str]:
    env = env_without("VAULT_", "BAO_")
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        VAULTOPS_LAB_DIR=str(LAB_DIR),
        VAULTOPS_LAB_VAULT_PORT=str(LAB_VAULT_PORT),
        VAULTOPS_LAB_AWS_PORT=str(LAB_AWS_PORT),
        VAULTOPS_LAB_CLOUD_PORT=str(LAB_CLOUD_PORT),
    )
    env["VAULTOPS_LAB_SERVER"] = SERVER
    return env


def lab_command(command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "python"), str(LAB_SCRIPT), command],
        env=lab_process_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def parse_env(text: str) -> dict[str, str]:
    """``export KEY='value'`` lines, as ``scripts/lab env`` prints them."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = re.fullmatch(r"export ([A-Z0-9_]+)='(.*)'", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


@pytest.fixture(scope="session")
def lab() -> t.Iterator[Lab]:
    # the first run on Vault builds it (~12 CPU-minutes): outside `up`, whose time limit is for starting
    built = lab_command("server-bin", timeout=3600)
    if built.returncode != 0:
        pytest.fail(f"scripts/lab server-bin failed ({built.returncode}):\n{built.stdout}\n{built.stderr}")
    try:
        started = lab_command("up")
        if started.returncode != 0:
            pytest.fail(f"scripts/lab up failed ({started.returncode}):\n{started.stdout}\n{started.stderr}")
        printed = lab_command("env", timeout=60)
        if printed.returncode != 0:
            pytest.fail(f"scripts/lab env failed:\n{printed.stderr}")
        env = parse_env(printed.stdout)
        missing = {"VAULT_ADDR", "VAULT_TOKEN", "VAULTOPS_LAB_AWS_ENDPOINT", "VAULTOPS_LAB_ROOT_ACCESS_KEY"} - set(env)
        assert not missing, f"scripts/lab env did not print {sorted(missing)}"
        assert env["VAULT_ADDR"] == f"http://127.0.0.1:{LAB_VAULT_PORT}"
        reader = hvac.Client(url=env["VAULT_ADDR"], token=env["VAULT_TOKEN"], timeout=30)
        versions = {name: ".".join(map(str, engine_version(reader, name))) for name in ENGINE_MODULES}
        yield Lab(env, versions)
    finally:
        lab_command("down", timeout=120)


@pytest.fixture(scope="session")
def vault(lab: Lab) -> hvac.Client:
    """The independent reader (and setup writer): hvac on the lab's root token, never the collection's code."""
    client = hvac.Client(url=lab.vault_addr, token=lab.vault_token, timeout=30)
    assert client.sys.is_initialized() and not client.sys.is_sealed()
    return client


AwsFactory = t.Callable[..., t.Any]


@pytest.fixture(scope="session")
def aws(lab: Lab) -> AwsFactory:
    """``aws("iam")`` is a boto3 client on moto with the root keys; pass keys (and a token) to act as someone else."""

    def factory(
        service: str,
        access_key: str | None = None,
        secret_key: str | None = None,
        token: str | None = None,
    ) -> t.Any:
        if access_key is None:
            access_key, secret_key = lab.root_access_key, lab.root_secret_key
        return boto3.client(
            service,
            endpoint_url=lab.aws_endpoint,
            region_name=lab.aws_region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            aws_session_token=token,
        )

    return factory


# --- running ansible-playbook ---------------------------------------------------------------------


def ansible_bin() -> Path:
    return Path(os.environ.get("VAULTOPS_ANSIBLE_BIN") or VENV_BIN)


@dataclass
class PlaybookResult:
    rc: int
    stdout: str
    stderr: str
    recap: dict[str, dict[str, int]] = field(default_factory=dict)
    # the registered result of the task run by :meth:`Ansible.task`
    result: dict[str, t.Any] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return f"rc={self.rc}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"

    def counts(self, host: str = "localhost") -> dict[str, int]:
        assert host in self.recap, f"no PLAY RECAP line for {host}\n{self.output}"
        return self.recap[host]


def parse_recap(stdout: str) -> dict[str, dict[str, int]]:
    """``{host: {"ok": n, "changed": n, "failed": n, ...}}`` from the PLAY RECAP block."""
    recap: dict[str, dict[str, int]] = {}
    _head, marker, tail = stdout.rpartition("PLAY RECAP")
    if not marker:
        return recap
    for line in tail.splitlines()[1:]:
        host, sep, counts = line.partition(" : ")
        if not sep:
            continue
        recap[host.strip()] = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts)}
    return recap


class Ansible:
    """Runs ansible-playbook against localhost with VAULT_ADDR / VAULT_TOKEN of the lab."""

    def __init__(self, lab: Lab, workdir: Path) -> None:
        self.lab = lab
        self.workdir = workdir
        self.bin = ansible_bin()

    def env(self, overrides: t.Mapping[str, str] | None = None, unset: t.Iterable[str] = ()) -> dict[str, str]:
        env = env_without("VAULT_", "BAO_", "ANSIBLE_")
        env.update(
            PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
            ANSIBLE_CONFIG=str(REPO / "tests" / "ansible.cfg"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
            ANSIBLE_LOCAL_TEMP=str(self.workdir / "ansible-tmp"),
            VAULT_ADDR=self.lab.vault_addr,
            VAULT_TOKEN=self.lab.vault_token,
        )
        env.update(overrides or {})
        for name in unset:
            env.pop(name, None)
        return env

    def playbook(
        self,
        playbook: Path | str,
        extra_vars: t.Mapping[str, t.Any] | None = None,
        *,
        check: bool = False,
        diff: bool = False,
        verbosity: int = 0,
        env: t.Mapping[str, str] | None = None,
        unset_env: t.Iterable[str] = (),
        timeout: float = 600,
    ) -> PlaybookResult:
        variables = {"ansible_python_interpreter": str(self.bin / "python"), **self.lab.extra_vars()}
        variables.update(extra_vars or {})
        vars_file = self.workdir / f"extra-vars-{uuid.uuid4().hex[:8]}.json"
        vars_file.write_text(json.dumps(variables))
        vars_file.chmod(0o600)
        cmd = [str(self.bin / "ansible-playbook"), str(playbook), "-e", f"@{vars_file}"]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        proc = subprocess.run(
            cmd,
            cwd=INTEGRATION,
            env=self.env(env, unset_env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        vars_file.unlink(missing_ok=True)
        return PlaybookResult(proc.returncode, proc.stdout, proc.stderr, parse_recap(proc.stdout))

    def target(self, name: str, **kwargs: t.Any) -> PlaybookResult:
        """Run tests/integration/targets/<name>/tasks/main.yml through run_target.yml."""
        extra = {"target": name, **kwargs.pop("extra_vars", {})}
        return self.playbook(RUNNER, extra, **kwargs)

    def play(
        self,
        tasks: list[dict[str, t.Any]],
        *,
        capture: str | None = None,
        play_vars: t.Mapping[str, t.Any] | None = None,
        **kwargs: t.Any,
    ) -> PlaybookResult:
        """Run ``tasks`` in one play on localhost; with ``capture``, that variable's value (after the tasks,
        even if one failed) lands in ``PlaybookResult.result``."""
        name = uuid.uuid4().hex[:8]
        result_file = self.workdir / f"result-{name}.json"
        body: dict[str, t.Any] = {"name": "Run the tasks", "block": tasks}
        if capture:
            body["always"] = [
                {
                    "name": f"Save {capture}",
                    "ansible.builtin.copy": {
                        "content": "{{ " + capture + " | default({}) | to_json }}",
                        "dest": str(result_file),
                        "mode": "0600",
                    },
                    "check_mode": False,
                    "diff": False,
                    "no_log": True,
                }
            ]
        play = [
            {
                "name": "Integration test play",
                "hosts": "localhost",
                "gather_facts": False,
                "vars": dict(play_vars or {}),
                "tasks": [body],
            }
        ]
        playbook = self.workdir / f"play-{name}.yml"
        playbook.write_text(json.dumps(play, indent=2))
        outcome = self.playbook(playbook, **kwargs)
        if result_file.exists():
            outcome.result = json.loads(result_file.read_text())
            result_file.unlink()
        return outcome

    def task(
        self, module: str, args: t.Mapping[str, t.Any], *, no_log: bool = False, **kwargs: t.Any
    ) -> PlaybookResult:
        """Run one module task; its registered result lands in ``PlaybookResult.result`` even if it failed."""
        task: dict[str, t.Any] = {"name": f"Run {module}", module: dict(args), "register": "task_result"}
        if no_log:
            task["no_log"] = True
        return self.play([task], capture="task_result", **kwargs)


@pytest.fixture
def ansible(lab: Lab, tmp_path: Path) -> Ansible:
    return Ansible(lab, tmp_path)


# --- servers of the tests' own --------------------------------------------------------------------


@dataclass
class DevServer:
    addr: str
    token: str
    pid: int


@pytest.fixture
def throwaway_server(tmp_path: Path) -> t.Iterator[DevServer]:
    """A separate dev server of the lab's kind (``bao`` or ``vault server -dev``) on a spare port, with its own
    root token; stopped by PID at teardown."""
    found = lab_command("server-bin", timeout=3600)
    binary = found.stdout.strip()
    if found.returncode != 0 or not binary:
        pytest.fail(f"no `{SERVER}` server binary (scripts/lab server-bin):\n{found.stderr}")
    port = free_port(pair=True)
    token = f"throwaway-{uuid.uuid4().hex[:12]}"
    addr = f"http://127.0.0.1:{port}"
    env = env_without("VAULT_", "BAO_")
    env["HOME"] = str(tmp_path)
    log = tmp_path / "throwaway-server.log"
    proc = start_process(
        [
            binary,
            "server",
            "-dev",
            f"-dev-listen-address=127.0.0.1:{port}",
            f"-dev-root-token-id={token}",
            "-dev-no-store-token",
        ],
        log,
        env,
    )
    try:
        client = hvac.Client(url=addr, token=token, timeout=5)
        wait_ready(
            f"throwaway {SERVER}",
            lambda: client.sys.is_initialized() and not client.sys.is_sealed(),
            proc,
            log,
            timeout=60,
            errors=(Exception,),  # not up yet
        )
        yield DevServer(addr, token, proc.pid)
    finally:
        stop_process(proc)


# --- the fake clouds and the engines on them ---------------------------------------------------------


@pytest.fixture(scope="session")
def cloud(lab: Lab) -> FakeCloud:
    """The control API of the lab's fake Google, Azure and AliCloud."""
    endpoint = lab.env.get("VAULTOPS_LAB_CLOUD_ENDPOINT")
    assert endpoint, "scripts/lab env printed no VAULTOPS_LAB_CLOUD_ENDPOINT"
    return FakeCloud(endpoint)


def mounted_engine(
    vault: hvac.Client,
    kind: str,
    mount: str,
    config: t.Mapping[str, t.Any],
    cleanup: t.Callable[[], None] = lambda: None,
) -> t.Iterator[str]:
    """A ``kind`` engine at ``mount`` with ``config`` written to ``<mount>/config``; afterwards its leases are
    revoked, ``cleanup`` runs and the mount is disabled. The body of the cloud test files' ``engine`` fixtures:
    ``yield from mounted_engine(...)``."""
    vault.sys.enable_secrets_engine(kind, path=mount)
    vault.write_data(f"{mount}/config", data=dict(config))
    yield mount
    vault.sys.revoke_prefix(f"{mount}/")
    cleanup()
    vault.sys.disable_secrets_engine(mount)


@pytest.fixture(autouse=True)
def revoke_after(request: pytest.FixtureRequest) -> t.Iterator[None]:
    """Every test that uses its file's ``engine`` fixture ends without leases on that mount (so without the
    cloud identities they stand for)."""
    mount = request.getfixturevalue("engine") if "engine" in request.fixturenames else None
    vault = request.getfixturevalue("vault") if mount else None
    yield
    if vault is not None:
        vault.sys.revoke_prefix(f"{mount}/")
