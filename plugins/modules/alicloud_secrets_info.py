#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: alicloud_secrets_info
short_description: Read the configuration and roles of a Vault AliCloud secrets engine
version_added: 0.2.0
description:
  - Returns what an AliCloud secrets engine mount holds, normalised the way the resource modules compare it
    (inline policies as documents without the engine's hashes, sorted; remote policies as C(name)/C(type)
    pairs, sorted; durations in seconds).
  - The secret key is write-only in Vault and never returned.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.info_module
options:
  mount_point:
    description: Mount of the AliCloud secrets engine.
    type: str
    default: alicloud
  only:
    description: Read only these parts (default all).
    type: list
    elements: str
    choices: [config, roles]
  names:
    description:
      - Read only these roles (default every one the engine lists).
      - A name that the engine does not have is left out of RV(roles).
    type: list
    elements: str
seealso:
  - module: vaultops.cloud.alicloud_secrets_config
  - module: vaultops.cloud.alicloud_secrets_roles
  - module: vaultops.cloud.alicloud_secrets_role
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: What does the AliCloud engine hold?
  vaultops.cloud.alicloud_secrets_info:
    mount_point: alicloud
  register: alicloud_engine

- name: Two roles only
  vaultops.cloud.alicloud_secrets_info:
    only: [roles]
    names: [oss-reader, deploy]
  register: alicloud_roles
"""

RETURN = r"""
config:
  description: C(config) without the secret key; null when the engine has none.
  returned: when read
  type: dict
  sample: {access_key: LTAI5tEXAMPLE}
roles:
  description: Each role by name (as the engine lists them, in lower case; or as given in O(names)).
  returned: when read
  type: dict
  sample:
    deploy:
      role_arn: acs:ram::1234567890123456:role/deploy
      inline_policies: []
      remote_policies: []
      ttl: 0
      max_ttl: 0
    oss-reader:
      role_arn: ""
      inline_policies:
        - Version: "1"
          Statement:
            - Effect: Allow
              Action: ["oss:GetObject"]
              Resource: ["acs:oss:*:*:releases/*"]
      remote_policies:
        - name: AliyunOSSReadOnlyAccess
          type: System
      ttl: 3600
      max_ttl: 43200
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._alicloud import ALICLOUD_CONFIG, ALICLOUD_ROLE
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="alicloud"),
            only=dict(type="list", elements="str", choices=["config", "roles"]),
            names=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    module.run(lambda m: m.engine_info({"config": ALICLOUD_CONFIG}, {"roles": ALICLOUD_ROLE}))


if __name__ == "__main__":
    main()
