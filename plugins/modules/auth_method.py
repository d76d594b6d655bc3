#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: auth_method
short_description: Enable, tune or disable an auth method in Vault or OpenBao
version_added: 0.2.0
description:
  - Enables an auth method at C(auth/<path>), tunes an existing one so that it matches the options given, or
    disables it. The same as M(vaultops.cloud.secrets_engine), on C(sys/auth).
  - Only the options you set are compared and sent; durations are compared in seconds.
  - Changing the O(type) of an existing auth method is an error, never a silent remount, because disabling an auth
    method deletes its roles and revokes every token its logins issued.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  path:
    description: Where the auth method is mounted, without C(auth/) (V(approle) for C(auth/approle)).
    type: str
    required: true
    aliases: [mount_point]
  type:
    description:
      - Auth method type, for example V(approle), V(jwt), V(oidc) or V(userpass). Free text, because an external
        plugin is registered under a name of its own choosing.
      - Required when O(state=present).
    type: str
  state:
    description: Whether the mount should exist.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: Human-readable description of the mount.
    type: str
  default_lease_ttl:
    description: Default lease TTL, in seconds or as a duration such as V(1h). V(0) means the system default.
    type: raw
  max_lease_ttl:
    description: Maximum lease TTL, in seconds or as a duration. V(0) means the system default.
    type: raw
  options:
    description: Auth method specific mount options. Only the keys given are compared.
    type: dict
  token_type:
    description: The type of token the logins of this auth method issue (a role may narrow it).
    type: str
    choices: [default-service, default-batch, service, batch]
  plugin_version:
    description: Version of the plugin to run, when several are registered.
    type: str
  listing_visibility:
    description: Whether the mount is listed in the UI.
    type: str
    choices: [hidden, unauth]
  audit_non_hmac_request_keys:
    description: Request keys that the audit devices do not HMAC.
    type: list
    elements: str
  audit_non_hmac_response_keys:
    description: Response keys that the audit devices do not HMAC.
    type: list
    elements: str
  passthrough_request_headers:
    description: Request headers passed through to the auth method.
    type: list
    elements: str
  allowed_response_headers:
    description: Response headers the auth method may set.
    type: list
    elements: str
  local:
    description: Mark the mount local to this cluster (replication). Only used when the mount is created.
    type: bool
  seal_wrap:
    description: Enable seal wrapping. Only used when the mount is created.
    type: bool
  external_entropy_access:
    description: Give the auth method access to external entropy. Only used when the mount is created.
    type: bool
seealso:
  - module: vaultops.cloud.approle_role
  - module: vaultops.cloud.jwt_auth_config
  - name: Vault auth API
    description: The sys/auth endpoints this module uses.
    link: https://developer.hashicorp.com/vault/api-docs/system/auth
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Enable AppRole at auth/approle
  vaultops.cloud.auth_method:
    path: approle
    type: approle
    description: Machine logins
    default_lease_ttl: 20m
    max_lease_ttl: 1h

- name: Enable JWT logins for CI at auth/ci
  vaultops.cloud.auth_method:
    path: ci
    type: jwt

- name: Disable an auth method (deletes its roles, revokes its tokens)
  vaultops.cloud.auth_method:
    path: approle-old
    state: absent
"""

RETURN = r"""
mount:
  description: The auth method as Vault reports it after the change (predicted in check mode), durations in seconds.
  returned: when O(state=present)
  type: dict
  sample:
    type: approle
    description: Machine logins
    default_lease_ttl: 1200
    max_lease_ttl: 3600
    options: {}
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import AuthMounts


def body(module: VaultModule) -> None:
    module.converge_mount(AuthMounts(module.client))


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            path=dict(type="str", required=True, aliases=["mount_point"]),
            type=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            description=dict(type="str"),
            default_lease_ttl=dict(type="raw"),
            max_lease_ttl=dict(type="raw"),
            options=dict(type="dict"),
            plugin_version=dict(type="str"),
            listing_visibility=dict(type="str", choices=["hidden", "unauth"]),
            audit_non_hmac_request_keys=dict(type="list", elements="str", no_log=False),
            audit_non_hmac_response_keys=dict(type="list", elements="str", no_log=False),
            passthrough_request_headers=dict(type="list", elements="str", no_log=False),
            allowed_response_headers=dict(type="list", elements="str"),
            local=dict(type="bool"),
            seal_wrap=dict(type="bool"),
            external_entropy_access=dict(type="bool"),
            token_type=dict(type="str", choices=["default-service", "default-batch", "service", "batch"], no_log=False),
        ),
        required_if=[("state", "present", ("type",))],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
