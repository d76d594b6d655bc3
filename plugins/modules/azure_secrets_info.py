#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: azure_secrets_info
short_description: Read the configuration and roles of a Vault Azure secrets engine
version_added: 0.2.0
description:
  - Returns what an Azure secrets engine mount holds, normalised the way the resource modules compare it
    (durations in seconds, tags sorted, IDs and names lower-cased).
  - The client secret is write-only in Vault and never returned.
  - Items of C(azure_roles) and C(azure_groups) are shown by the names the engine stored (for a role, the role
    definition's GUID, as the engine stores it; for a group, its display name), scopes without a trailing C(/).
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.info_module
options:
  mount_point:
    description: Mount of the Azure secrets engine.
    type: str
    default: azure
  only:
    description: Read only these parts (default all).
    type: list
    elements: str
    choices: [config, roles]
  names:
    description: Read only these roles (default every one the engine lists).
    type: list
    elements: str
seealso:
  - module: vaultops.cloud.azure_secrets_config
  - module: vaultops.cloud.azure_secrets_role
  - module: vaultops.cloud.azure_secrets_roles
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: What does the Azure engine hold?
  vaultops.cloud.azure_secrets_info:
    mount_point: azure
  register: azure_engine

- name: Only two roles
  vaultops.cloud.azure_secrets_info:
    only: [roles]
    names: [deploy, ci]
  register: azure_roles
"""

RETURN = r"""
config:
  description:
    - C(config) without the client secret, C(root_password_ttl) in seconds, C(environment) in lower case.
    - Null when the engine has none.
  returned: when read
  type: dict
  sample:
    subscription_id: 00000000-0000-0000-0000-000000000001
    tenant_id: 00000000-0000-0000-0000-000000000002
    client_id: 00000000-0000-0000-0000-000000000003
    environment: azurepubliccloud
    root_password_ttl: 15768000
roles:
  description: Each role by name; a name asked for in O(names) that does not exist is left out.
  returned: when read
  type: dict
  sample:
    deploy:
      azure_roles:
        - role_name: acdd72a7-3385-48ef-bd42-f606fba81ae7
          scope: /subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/releases
      azure_groups:
        - group_name: build agents
      application_object_id: ""
      persist_app: false
      ttl: 3600
      max_ttl: 14400
      explicit_max_ttl: 0
      permanently_delete: false
      sign_in_audience: ""
      tags: ["team:platform"]
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._azure import AZURE_CONFIG, AZURE_ROLE
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="azure"),
            only=dict(type="list", elements="str", choices=["config", "roles"]),
            names=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    module.run(lambda m: m.engine_info({"config": AZURE_CONFIG}, {"roles": AZURE_ROLE}))


if __name__ == "__main__":
    main()
