# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Ansible glue shared by every module: the connection argument spec, client creation, error reporting."""

from __future__ import annotations

import typing as t

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ._client import AUTH_METHODS, HVAC_IMPORT_ERROR, ConnectionOptions, VaultClient, VaultOpsError
from ._compare import ValidationError
from ._engines import check_mount_type
from ._resource import Outcome

CONNECTION_ARGSPEC: dict[str, dict[str, t.Any]] = {
    "url": {"type": "str", "aliases": ["vault_addr"]},
    "namespace": {"type": "str"},
    "ca_cert": {"type": "path", "aliases": ["cacert"]},
    "validate_certs": {"type": "bool"},
    "client_cert": {"type": "path"},
    "client_key": {"type": "path", "no_log": False},
    "timeout": {"type": "int"},
    "proxies": {"type": "dict"},
    "retries": {"type": "int"},
    "auth_method": {"type": "str", "default": "token", "choices": list(AUTH_METHODS)},
    "auth_mount_point": {"type": "str"},
    "token": {"type": "str", "no_log": True},
    "token_path": {"type": "path", "no_log": False},
    "role_id": {"type": "str"},
    "secret_id": {"type": "str", "no_log": True},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "role": {"type": "str"},
    "jwt": {"type": "str", "no_log": True},
}


def argument_spec(**module_options: dict[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    spec = {name: dict(value) for name, value in CONNECTION_ARGSPEC.items()}
    spec.update(module_options)
    return spec


class VaultModule(AnsibleModule):
    """An AnsibleModule that knows how to reach Vault and how to report Vault's errors."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        if HVAC_IMPORT_ERROR is not None:
            self.fail_json(msg=missing_required_lib("hvac"), exception=str(HVAC_IMPORT_ERROR))
        self._client: VaultClient | None = None

    @property
    def client(self) -> VaultClient:
        if self._client is None:
            options = ConnectionOptions.from_getter(self.params.get)
            self._client = VaultClient(options).login()
        return self._client

    def mounted(self, mount: str, engine: str) -> VaultClient:
        """The client, once the mount is known not to be another kind of engine."""
        check_mount_type(self.client, mount, engine)
        return self.client

    def exit_outcome(self, outcome: Outcome, **extra: t.Any) -> t.NoReturn:
        result: dict[str, t.Any] = {"changed": outcome.changed, **extra}
        if self._diff:
            result["diff"] = outcome.diff()
        self.exit_json(**result)

    def run(self, body: t.Callable[[VaultModule], None]) -> None:
        """Run the module body; every project error becomes one clear ``fail_json``."""
        try:
            body(self)
        except ValidationError as exc:
            self.fail_json(msg=f"invalid value for {exc.field}: {exc.reason}", field=exc.field)
        except VaultOpsError as exc:
            self.fail_json(msg=str(exc), path=exc.path, status=exc.status, changed=exc.changed)
