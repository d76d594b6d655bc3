"""Failover on a 3-node raft cluster of the run's server, OpenBao or HashiCorp Vault (``scripts/lab up --nodes 3``),
started for this file only.

- A standby as the only address works: it forwards to the active node.
- The leader is killed (SIGKILL, by its PID) in the middle of a 100-role converge of ``aws_secrets_roles`` given
  the nodes as an address list, leader first: the play completes, or fails with a clear error and the rerun
  makes exactly the missing writes. Nothing is lost: every role is read back with hvac.

Every process the lab starts is stopped by ``scripts/lab down`` (by the PIDs it recorded).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import typing as t
from pathlib import Path

import hvac
import pytest

from ._helpers import SPARE_PORTS, port_free
from .conftest import LAB_SCRIPT, VENV_BIN, Ansible, Lab, PlaybookResult, lab_process_env, parse_env

MOUNT = "it-failover"
ROLES = 100
NODES = 3
# the leader goes when this many roles are written
KILL_AT = 30
ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def wanted_roles(tag: str, count: int = ROLES) -> list[dict[str, t.Any]]:
    return [
        {
            "name": f"{tag}-{i:03d}",
            "credential_type": "iam_user",
            "policy_arns": [ARN],
            "user_path": f"/{tag}/",
        }
        for i in range(count)
    ]


def consecutive_free(count: int, skip: set[int]) -> int:
    for first in SPARE_PORTS:
        block = range(first, first + count)
        if block.stop - 1 in SPARE_PORTS and not set(block) & skip and all(port_free(p) for p in block):
            return first
    pytest.fail(f"no {count} consecutive free ports in {SPARE_PORTS.start}-{SPARE_PORTS.stop - 1}")


class Cluster:
    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.addrs = env["VAULTOPS_LAB_VAULT_ADDRS"].split(",")
        self.token = env["VAULT_TOKEN"]

    def state(self) -> dict[str, t.Any]:
        return t.cast("dict[str, t.Any]", json.loads((self.folder / "state.json").read_text()))

    def pid(self, addr: str) -> int:
        index = self.addrs.index(addr)
        return int(self.state()["pids"]["server" if index == 0 else f"server{index}"])

    def client(self, addr: str) -> hvac.Client:
        return hvac.Client(url=addr, token=self.token, timeout=10)

    def leader(self, alive: t.Iterable[str] | None = None) -> str:
        """The active node's address, asked of the live nodes until one knows."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for addr in alive or self.addrs:
                try:
                    answer = self.client(addr).sys.read_leader_status()
                except Exception:  # a node going down or still electing
                    continue
                leader = answer.get("leader_address") or ""
                if leader.rstrip("/") in self.addrs and answer.get("ha_enabled"):
                    return leader.rstrip("/")
            time.sleep(0.2)
        pytest.fail("the cluster has no leader after 60 s")


def lab_run(folder: Path, ports: dict[str, int], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = lab_process_env()
    env.update(
        VAULTOPS_LAB_DIR=str(folder),
        VAULTOPS_LAB_VAULT_PORT=str(ports["vault"]),
        VAULTOPS_LAB_AWS_PORT=str(ports["aws"]),
        VAULTOPS_LAB_CLOUD_PORT=str(ports["cloud"]),
    )
    return subprocess.run(
        [str(VENV_BIN / "python"), str(LAB_SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("raft-lab")
    first = consecutive_free(2 * NODES, set())
    taken = set(range(first, first + 2 * NODES))
    others = [p for p in SPARE_PORTS if p not in taken and port_free(p)]
    assert len(others) >= 2, "no spare ports left for moto and the fake clouds"
    ports = {"vault": first, "aws": others[0], "cloud": others[1]}
    try:
        started = lab_run(folder, ports, "up", "--nodes", str(NODES))
        assert started.returncode == 0, f"scripts/lab up --nodes {NODES} failed:\n{started.stdout}\n{started.stderr}"
        printed = lab_run(folder, ports, "env", timeout=60)
        env = parse_env(printed.stdout)
        assert env.get("VAULTOPS_LAB_VAULT_ADDRS"), printed.stdout + printed.stderr
        assert env.get("VAULTOPS_LAB_UNSEAL_KEY_FILE") and Path(env["VAULTOPS_LAB_UNSEAL_KEY_FILE"]).is_file()
        cluster = Cluster(folder, env)
        assert len(cluster.addrs) == NODES
        root = cluster.client(cluster.leader())
        root.sys.enable_secrets_engine("aws", path=MOUNT)
        yield cluster
    finally:
        lab_run(folder, ports, "down", timeout=120)


def role_arns_of(client: hvac.Client) -> dict[str, dict[str, t.Any]]:
    names = client.list(f"{MOUNT}/roles") or {"data": {"keys": []}}
    return {name: client.read(f"{MOUNT}/roles/{name}")["data"] for name in names["data"]["keys"]}


def converge(ansible: Ansible, url: str, roles: list[dict[str, t.Any]], **kwargs: t.Any) -> PlaybookResult:
    return ansible.task(
        "vaultops.cloud.aws_secrets_roles",
        {"mount_point": MOUNT, "roles": roles},
        env={"VAULT_ADDR": url},
        **kwargs,
    )


def test_a_standby_as_the_address_works(cluster: Cluster, tmp_path: Path) -> None:
    ansible = Ansible(Lab(cluster.env), tmp_path)
    leader = cluster.leader()
    standby = next(addr for addr in cluster.addrs if addr != leader)
    roles = wanted_roles("standby", 5)
    first = converge(ansible, standby, roles)
    assert first.rc == 0, first.output
    assert sorted(first.result["created"]) == [r["name"] for r in roles]
    again = converge(ansible, standby, roles)
    assert again.rc == 0, again.output
    assert again.result["changed"] is False
    stored = role_arns_of(cluster.client(leader))
    for role in roles:
        assert stored[role["name"]]["user_path"] == "/standby/"
        assert stored[role["name"]]["policy_arns"] == [ARN]


def test_the_leader_killed_mid_converge(cluster: Cluster, tmp_path: Path) -> None:
    ansible = Ansible(Lab(cluster.env), tmp_path)
    leader = cluster.leader()
    # leader first: the converge meets the dead node on every request after the kill
    url = ",".join([leader, *(addr for addr in cluster.addrs if addr != leader)])
    roles = wanted_roles("failover")
    reader = cluster.client(next(addr for addr in cluster.addrs if addr != leader))
    before = {n for n, r in role_arns_of(reader).items() if r.get("user_path") == "/failover/"}
    assert not before
    outcome: dict[str, t.Any] = {}

    def run() -> None:
        started = time.monotonic()
        outcome["run"] = converge(ansible, url, roles, timeout=300)
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=run)
    started = time.monotonic()
    worker.start()
    killed_at = None
    while worker.is_alive() and time.monotonic() - started < 120:
        try:
            keys = (reader.list(f"{MOUNT}/roles") or {"data": {"keys": []}})["data"]["keys"]
        except Exception:  # a read during the converge may meet a busy node
            keys = []
        if sum(1 for key in keys if key.startswith("failover-")) >= KILL_AT:
            os.kill(cluster.pid(leader), signal.SIGKILL)
            killed_at = time.monotonic()
            break
        time.sleep(0.05)
    worker.join(timeout=330)
    assert not worker.is_alive(), "the converge did not end in 330 s"
    assert killed_at is not None, "the converge ended before the leader could be killed"
    first: PlaybookResult = outcome["run"]
    alive = [addr for addr in cluster.addrs if addr != leader]
    new_leader = cluster.leader(alive)
    client = cluster.client(new_leader)
    stored = role_arns_of(client)
    present = {name for name, role in stored.items() if role.get("user_path") == "/failover/"}
    missing = sorted({r["name"] for r in roles} - present)
    print(
        f"failover: first run rc={first.rc} in {outcome['seconds']:.1f}s "
        f"({time.monotonic() - killed_at:.1f}s after the kill), new leader {new_leader}, "
        f"{len(present)} of {ROLES} roles written, {len(missing)} missing"
    )
    warnings = [str(w) for w in first.result.get("warnings") or []]
    print(f"failover: {len(warnings)} retry warnings, e.g. {warnings[:2]}")
    if first.rc != 0:
        # a clear error: Vault's own message and the path, or the addresses it could not reach
        message = str(first.result.get("msg", ""))
        assert "path:" in message or "cannot reach Vault" in message, first.output
    else:
        assert not missing, missing
        assert sorted(first.result["created"]) == sorted(r["name"] for r in roles), first.result
    rerun = converge(ansible, url, roles)
    assert rerun.rc == 0, rerun.output
    print(f"failover: rerun created {len(rerun.result['created'])}, updated {len(rerun.result['updated'])}")
    # exactly the missing writes, nothing else
    assert sorted(rerun.result["created"]) == missing
    assert rerun.result["updated"] == []
    stored = role_arns_of(client)
    for role in roles:
        assert stored[role["name"]]["user_path"] == "/failover/", role["name"]
        assert stored[role["name"]]["policy_arns"] == [ARN]
