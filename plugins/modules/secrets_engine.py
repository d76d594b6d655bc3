#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: secrets_engine
short_description: Enable, tune or disable a secrets engine mount in Vault or OpenBao
version_added: 0.1.0
description:
  - Enables a secrets engine at O(path), tunes an existing mount so that it matches the options given, or disables it.
  - Only the options you set are compared and sent; durations are compared in seconds.
  - Changing the O(type) of an existing mount is an error, never a silent remount, because disabling a mount
    deletes its configuration, roles and leases.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  path:
    description: Where the engine is mounted, without the trailing slash.
    type: str
    required: true
    aliases: [mount_point]
  type:
    description:
      - Engine type, for example V(aws). Free text, because on OpenBao an external plugin is registered under
        a name of its own choosing.
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
    description: Engine-specific mount options. Only the keys given are compared.
    type: dict
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
    description: Request headers passed through to the engine.
    type: list
    elements: str
  allowed_response_headers:
    description: Response headers the engine may set.
    type: list
    elements: str
  local:
    description: Mark the mount local to this cluster (replication). Only used when the mount is created.
    type: bool
  seal_wrap:
    description: Enable seal wrapping. Only used when the mount is created.
    type: bool
  external_entropy_access:
    description: Give the engine access to external entropy. Only used when the mount is created.
    type: bool
seealso:
  - module: vaultops.cloud.aws_secrets_config
  - name: Vault mounts API
    description: The sys/mounts endpoints this module uses.
    link: https://developer.hashicorp.com/vault/api-docs/system/mounts
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Enable the AWS secrets engine at aws/
  vaultops.cloud.secrets_engine:
    path: aws
    type: aws
    description: Short-lived AWS credentials
    default_lease_ttl: 1h
    max_lease_ttl: 12h

- name: Disable an engine (deletes its roles and revokes its leases)
  vaultops.cloud.secrets_engine:
    path: aws-old
    state: absent
"""

RETURN = r"""
mount:
  description: The mount as Vault reports it after the change (predicted in check mode), durations in seconds.
  returned: when O(state=present)
  type: dict
  sample:
    type: aws
    description: Short-lived AWS credentials
    default_lease_ttl: 3600
    max_lease_ttl: 43200
    options: {}
"""

import typing as t

from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, mount_wire
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import MOUNT_SPEC, Mounts


def wire(settings: dict[str, t.Any]) -> dict[str, t.Any]:
    """Tune/enable payload: durations as seconds strings, the rest as given."""
    return mount_wire(settings, MOUNT_SPEC)


def body(module: VaultModule) -> None:
    module.converge_mount(Mounts(module.client))


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
        ),
        required_if=[("state", "present", ("type",))],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
