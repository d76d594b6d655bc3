# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared unit-test plumbing: the collection on ``sys.path``, a scripted fake hvac client, recorded
Vault answers, and a runner that executes a module's ``main()`` against the fake.

Nothing here talks to a network: every Vault request goes to :class:`FakeAdapter`, which answers
from a routing table and records what was asked.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import typing as t
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS_DIR = REPO_ROOT / ".build" / "collections"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


def _ensure_collection_on_path() -> None:
    """What scripts/bootstrap does: ansible_collections/vaultops/cloud -> this tree, then put it on sys.path."""
    namespace_dir = COLLECTIONS_DIR / "ansible_collections" / "vaultops"
    link = namespace_dir / "cloud"
    target = "../../../.."
    if not link.exists() or (link.is_symlink() and os.readlink(link) != target):
        namespace_dir.mkdir(parents=True, exist_ok=True)
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target)
    if str(COLLECTIONS_DIR) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS_DIR))


_ensure_collection_on_path()

import hvac.exceptions

from ansible_collections.vaultops.cloud.plugins.module_utils import _module
from ansible_collections.vaultops.cloud.plugins.module_utils._client import (
    ENV_FALLBACKS,
    ConnectionOptions,
    VaultClient,
)

VAULT_URL = "http://127.0.0.1:8200"
ROOT_TOKEN = "unit-test-root-token"


class Call(t.NamedTuple):
    """One request the code under test sent: HTTP method, path without ``/v1/``, JSON body."""

    method: str
    path: str
    json: t.Any


class FakeResponse:
    """What hvac hands back for an answer without a JSON body (HTTP 204)."""

    def __init__(self, status_code: int = 204, body: t.Any = None) -> None:
        self.status_code = status_code
        self._body = body

    def json(self) -> t.Any:
        if self._body is None:
            raise ValueError("no JSON body")
        return self._body


NO_CONTENT = FakeResponse(204)
# what Vault answers on sys/seal-status (the client's proof that it talks to Vault)
SEAL_STATUS = {"type": "shamir", "initialized": True, "sealed": False, "t": 1, "n": 1, "version": "2.7.2"}


class FakeAdapter:
    """Stands in for ``hvac.Client().adapter``: answers ``request()`` from a routing table.

    ``routes`` maps ``(METHOD, path)`` to an outcome: a dict (the decoded JSON answer), a
    :class:`FakeResponse`, ``None``, or an exception instance to raise. A list of outcomes is
    played in order, the last one repeating. Unrouted GET/LIST raise ``InvalidPath`` (404) like
    Vault; unrouted writes and deletes answer 204.
    """

    def __init__(self, routes: t.Mapping[tuple[str, str], t.Any] | None = None) -> None:
        self._routes: dict[tuple[str, str], list[t.Any]] = {}
        for key, outcome in (routes or {}).items():
            self.route(key[0], key[1], outcome)
        self.calls: list[Call] = []
        # the unauthenticated sys/seal-status reads that prove the server is Vault (VaultClient.prove)
        self.proofs: list[Call] = []

    def route(self, method: str, path: str, outcome: t.Any) -> None:
        self._routes[(method, path)] = list(outcome) if isinstance(outcome, list) else [outcome]

    def request(self, method: str, url: str, **kwargs: t.Any) -> t.Any:
        assert url.startswith("/v1/"), url
        path = url[len("/v1/") :]
        if (method, path) == ("GET", "sys/seal-status") and (method, path) not in self._routes:
            # the client's proof that it talks to Vault, before login: kept apart from the calls tests count
            self.proofs.append(Call(method, path, None))
            return copy.deepcopy(SEAL_STATUS)
        self.calls.append(Call(method, path, copy.deepcopy(kwargs.get("json"))))
        queue = self._routes.get((method, path))
        if queue is None:
            if method in ("GET", "LIST"):
                raise hvac.exceptions.InvalidPath(errors=[], method=method, url=f"{VAULT_URL}{url}")
            return NO_CONTENT
        outcome = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return copy.deepcopy(outcome)


class FakeHvac:
    """The two attributes of ``hvac.Client`` that :class:`VaultClient` uses."""

    def __init__(self, routes: t.Mapping[tuple[str, str], t.Any] | None = None) -> None:
        self.adapter = FakeAdapter(routes)
        self.token: str | None = None

    @property
    def calls(self) -> list[Call]:
        """The requests about the resource: without the modules' mount-type probe (see ``probes``)."""
        return [call for call in self.adapter.calls if not call.path.startswith(MOUNT_PROBE)]

    @property
    def probes(self) -> list[Call]:
        """The modules' reads of ``sys/internal/ui/mounts/<mount>`` (is it the right kind of engine?)."""
        return [call for call in self.adapter.calls if call.path.startswith(MOUNT_PROBE)]

    def writes(self) -> list[Call]:
        """Every request that could change Vault."""
        return [call for call in self.calls if call.method not in ("GET", "LIST")]


MOUNT_PROBE = "sys/internal/ui/mounts/"


def load_fixture(name: str) -> dict[str, t.Any]:
    with open(FIXTURES_DIR / f"{name}.json", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(autouse=True)
def _no_run_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test logs in through a run's shared login folder unless it sets one (the run_end callback's start sets
    VAULTOPS_CLOUD_RUN_DIR in the process environment)."""
    monkeypatch.delenv("VAULTOPS_CLOUD_RUN_DIR", raising=False)


@pytest.fixture
def vault_json() -> t.Callable[[str], dict[str, t.Any]]:
    """A fresh copy of a recorded Vault answer from tests/unit/fixtures/<name>.json."""
    return load_fixture


@pytest.fixture
def fake_hvac() -> t.Callable[..., FakeHvac]:
    return FakeHvac


class ClientKit(t.NamedTuple):
    client: VaultClient
    fake: FakeHvac
    sleeps: list[float]


@pytest.fixture
def make_client() -> t.Callable[..., ClientKit]:
    """``make_client(routes, **options)``: a :class:`VaultClient` on a fake hvac; sleeps are recorded, not slept."""

    def make(routes: t.Mapping[tuple[str, str], t.Any] | None = None, **options: t.Any) -> ClientKit:
        settings: dict[str, t.Any] = {"url": VAULT_URL, "token": ROOT_TOKEN, "retries": 2, "retry_delay": 0.5}
        settings.update(options)
        fake = FakeHvac(routes)
        sleeps: list[float] = []
        client = VaultClient(ConnectionOptions(**settings), hvac_client=fake, sleep=sleeps.append)
        return ClientKit(client, fake, sleeps)

    return make


class ModuleRun(t.NamedTuple):
    result: dict[str, t.Any]
    fake: FakeHvac
    stdout: str
    exit_code: int


@pytest.fixture
def run_module(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> t.Callable[..., ModuleRun]:
    """Run a module's ``main()`` against a fake Vault and return its JSON result.

    The client factory in ``_module`` is patched so that the module's own connection options
    and token login run unchanged, with every request going to a :class:`FakeHvac`.
    """
    from ansible.module_utils import _internal
    from ansible.module_utils.common import warnings as ansible_warnings
    from ansible.module_utils.testing import patch_module_args

    # a module never runs in the controller: once a test has imported a controller plugin (a callback,
    # a lookup), ansible-core would send the module's warnings to the controller's display instead of
    # its result
    monkeypatch.setattr(_internal, "is_controller", False, raising=False)
    for names in ENV_FALLBACKS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)

    def run(
        main: t.Callable[[], None],
        args: dict[str, t.Any],
        routes: t.Mapping[tuple[str, str], t.Any] | None = None,
        *,
        check_mode: bool = False,
        diff: bool = False,
    ) -> ModuleRun:
        # ansible-core keeps module warnings in a process-wide table: each run starts with none, as a real module
        for table in ("_global_warnings", "_global_deprecations"):
            getattr(ansible_warnings, table, {}).clear()
        fake = FakeHvac(routes)

        def factory(options: ConnectionOptions) -> VaultClient:
            return VaultClient(options, hvac_client=fake, sleep=lambda _seconds: None)

        monkeypatch.setattr(_module, "VaultClient", factory)
        module_args = {"url": VAULT_URL, "token": ROOT_TOKEN, **args}
        module_args["_ansible_check_mode"] = check_mode
        module_args["_ansible_diff"] = diff
        capsys.readouterr()
        with patch_module_args(module_args), pytest.raises(SystemExit) as exit_info:
            main()
        stdout = capsys.readouterr().out
        return ModuleRun(json.loads(stdout), fake, stdout, int(exit_info.value.code or 0))

    return run
