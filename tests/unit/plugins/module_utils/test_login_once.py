# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Log in once per run: a login's token kept in the run's folder (0700, files 0600), reused by later clients of
the same identity for 90% of its TTL, never by another identity, and revoked at the run's end unless
revoke_login_token is false."""

from __future__ import annotations

import os
import stat
import typing as t
from pathlib import Path

import pytest
from conftest import FakeHvac

from ansible_collections.vaultops.cloud.plugins.module_utils._client import ConnectionOptions, VaultClient
from ansible_collections.vaultops.cloud.plugins.module_utils._login import ENV_RUN_DIR, LoginCache, run_dir
from ansible_collections.vaultops.cloud.plugins.plugin_utils._cache import RunCache

URL = "https://vault.example:8200"
LOGIN = ("POST", "auth/approle/login")


def approle(**extra: t.Any) -> ConnectionOptions:
    return ConnectionOptions(url=URL, auth_method="approle", role_id="rid", secret_id="sid", **extra)


def answer(token: str = "hvs.run", ttl: int = 3600, num_uses: int = 0) -> dict[str, t.Any]:
    return {"auth": {"client_token": token, "accessor": "acc", "lease_duration": ttl, "num_uses": num_uses}}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    os.chmod(run, 0o700)
    monkeypatch.setenv(ENV_RUN_DIR, str(run))
    return run


def logins(fake: FakeHvac) -> int:
    return sum(1 for call in fake.calls if (call.method, call.path) == LOGIN)


def test_second_client_reuses_the_token(folder: Path) -> None:
    fake = FakeHvac({LOGIN: answer()})
    first = VaultClient(approle(), hvac_client=fake).login()
    second = VaultClient(approle(), hvac_client=fake).login()
    assert logins(fake) == 1
    assert (first.hvac.token, second.hvac.token) == ("hvs.run", "hvs.run")
    assert second.token_source == "the run's token of the approle login at auth/approle"
    [entry] = [p for p in folder.iterdir() if p.name.endswith(".json")]
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert "sid" not in entry.read_text()  # the login credential is never stored


def test_without_a_run_folder_every_client_logs_in() -> None:
    fake = FakeHvac({LOGIN: answer()})
    VaultClient(approle(), hvac_client=fake).login()
    VaultClient(approle(), hvac_client=fake).login()
    assert logins(fake) == 2


def test_a_folder_others_may_enter_is_not_used(folder: Path) -> None:
    os.chmod(folder, 0o755)
    assert run_dir() is None
    fake = FakeHvac({LOGIN: answer()})
    VaultClient(approle(), hvac_client=fake).login()
    VaultClient(approle(), hvac_client=fake).login()
    assert logins(fake) == 2


def test_another_identity_logs_in_itself(folder: Path) -> None:
    fake = FakeHvac({LOGIN: answer()})
    VaultClient(approle(), hvac_client=fake).login()
    other = ConnectionOptions(url=URL, auth_method="approle", role_id="rid", secret_id="other")
    VaultClient(other, hvac_client=fake).login()
    assert logins(fake) == 2


def test_a_token_is_not_served_after_90_percent_of_its_ttl(folder: Path) -> None:
    now = [1000.0]
    calls: list[str] = []

    def login() -> dict[str, t.Any]:
        calls.append("login")
        return answer(ttl=100)["auth"]

    cache = LoginCache(str(folder), clock=lambda: now[0])
    assert cache.get_or_login("k", login, connection={}, revoke=True) == ("hvs.run", False)
    now[0] = 1089.0
    assert cache.get_or_login("k", login, connection={}, revoke=True) == ("hvs.run", True)
    now[0] = 1090.0
    assert cache.get_or_login("k", login, connection={}, revoke=True) == ("hvs.run", False)
    assert calls == ["login", "login"]


def test_a_token_with_limited_uses_is_never_shared(folder: Path) -> None:
    fake = FakeHvac({LOGIN: answer(num_uses=3)})
    VaultClient(approle(), hvac_client=fake).login()
    VaultClient(approle(), hvac_client=fake).login()
    assert logins(fake) == 2


@pytest.mark.parametrize(("revoke", "revoked"), [(True, ["hvs.run"]), (False, [])])
def test_the_end_of_the_run_revokes_the_token(tmp_path: Path, revoke: bool, revoked: list[str]) -> None:
    cache = RunCache(base=str(tmp_path / "base"), run="1-1")
    folder = cache.open_for_modules()
    try:
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        assert run_dir() == folder
        fake = FakeHvac({LOGIN: answer()})
        VaultClient(approle(revoke_login_token=revoke), hvac_client=fake).login()
        seen: list[tuple[str, str]] = []
        problems = cache.finish(lambda _c, _l: None, lambda connection, token: seen.append((connection["url"], token)))
        assert problems == []
        assert seen == [(URL, token) for token in revoked]
        assert not os.path.exists(folder)
    finally:
        os.environ.pop(ENV_RUN_DIR, None)


def test_revoke_self_sends_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeHvac({("POST", "auth/token/revoke-self"): {}})
    client = VaultClient(ConnectionOptions(url=URL), hvac_client=fake)
    client.revoke_self("hvs.run")
    assert [(c.method, c.path) for c in fake.calls] == [("POST", "auth/token/revoke-self")]
    assert client.hvac.token == "hvs.run"
