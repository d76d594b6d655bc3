#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: azure_secrets_rotate_root
short_description: Rotate the client secret of a Vault Azure secrets engine
version_added: 0.1.0
description:
  - Asks the engine to add a new password to the application it signs in as (C(rotate-root)). Afterwards only
    Vault knows the new secret.
  - The engine keeps using the old secret for about a minute, then switches to the new one and deletes every
    other password of the application in Azure, including the one given to
    M(vaultops.cloud.azure_secrets_config).
  - This is an action, not a state. Every run rotates and reports a change. Run it once after
    M(vaultops.cloud.azure_secrets_config) with O(vaultops.cloud.azure_secrets_config#module:update_secret=on_create),
    or guard it with C(when).
  - Rotating needs O(vaultops.cloud.azure_secrets_config#module:client_id) in the engine's configuration, and the
    application needs Microsoft Graph permission to add and remove its own passwords (C(Application.ReadWrite.All),
    or C(Application.ReadWrite.OwnedBy) when it is an owner of itself).
  - The new password lives for O(vaultops.cloud.azure_secrets_config#module:root_password_ttl).
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
attributes:
  check_mode:
    description: Reports that a rotation would happen after checking that the engine has a client ID; rotates nothing.
    support: full
  diff_mode:
    description: Nothing to compare; no diff is returned.
    support: none
  idempotent:
    description: Every run rotates the secret.
    support: none
options:
  mount_point:
    description: Mount of the Azure secrets engine.
    type: str
    default: azure
seealso:
  - module: vaultops.cloud.azure_secrets_config
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Configure the engine, then rotate its secret so that no person knows it
  vaultops.cloud.azure_secrets_config:
    tenant_id: "{{ azure_tenant_id }}"
    subscription_id: "{{ azure_subscription_id }}"
    client_id: "{{ azure_client_id }}"
    client_secret: "{{ bootstrap_client_secret }}"
  register: azure_config

- name: Rotate the client secret once, right after the configuration was written
  vaultops.cloud.azure_secrets_rotate_root:
  when: azure_config.client_secret_written
"""

RETURN = r"""
client_id:
  description: The application (client) ID whose secret was rotated (or would be, in check mode).
  returned: success
  type: str
  sample: 00000000-0000-0000-0000-000000000003
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._azure import AZURE_CONFIG, AzureEngine
from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def body(module: VaultModule) -> None:
    config = module.driver(AZURE_CONFIG, module.params["mount_point"])
    current = config.read()
    if not current or not current.get("client_id"):
        # the engine finds its application by the configured client ID only
        raise VaultOpsError("the engine has no client_id whose secret could be rotated", path=config.path())
    if not module.check_mode:
        AzureEngine(module.client, module.params["mount_point"]).rotate_root()
    module.exit_json(changed=True, client_id=current["client_id"])


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="azure")),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
