#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: azure_secrets_config
short_description: Configure the credentials a Vault Azure secrets engine uses to call Azure
version_added: 0.1.0
description:
  - Manages C(config) of an Azure secrets engine mount (vault-plugin-secrets-azure) - the tenant, subscription and
    application the engine uses to create service principals - or deletes it with O(state=absent).
  - Vault never returns O(client_secret). Whether it is written to an existing configuration is decided by
    O(update_secret), and the result says whether it was (RV(client_secret_written)).
  - The engine merges every write into the stored configuration, so the module sends only the fields that
    differ, and O(client_secret) only when it is to be written. With O(update_secret=on_create), a change to
    another field therefore leaves the secret alone, which matters after
    M(vaultops.cloud.azure_secrets_rotate_root) has replaced it.
  - Fields you leave out are not compared and keep their value. Writing the configuration never calls Azure.
  - The root-rotation options (O(rotation_period), O(rotation_schedule), O(rotation_window),
    O(disable_automated_rotation)) need Vault 1.19 or later. An engine without them would drop them without a
    word, so before a write that sends one the module reads the engine's schema of the path (C(?help=1)) and
    fails, naming the field, if it lacks it; nothing is written. Check mode does the same when it predicts
    such a write. A field that is not sent is not checked; on an engine without them, V(0), V('') or V(false)
    on an existing configuration already read back as unset and change nothing.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
  - vaultops.cloud.rotation
options:
  mount_point:
    description: Mount of the Azure secrets engine.
    type: str
    default: azure
  state:
    description:
      - V(present) writes the configuration; V(absent) deletes it.
      - A mount whose configuration reads back empty (no IDs, no environment, a zero O(root_password_ttl)) counts as
        unconfigured.
    type: str
    choices: [present, absent]
    default: present
  subscription_id:
    description: Azure subscription ID. Without it, the engine falls back to E(AZURE_SUBSCRIPTION_ID) on the server.
    type: str
  tenant_id:
    description: Microsoft Entra tenant ID. Without it, the engine falls back to E(AZURE_TENANT_ID).
    type: str
  client_id:
    description:
      - Application (client) ID of the application the engine signs in as. Without it, the engine falls back to
        E(AZURE_CLIENT_ID) or to a managed identity.
      - M(vaultops.cloud.azure_secrets_rotate_root) needs it.
    type: str
  client_secret:
    description: Client secret of that application. Write-only; see O(update_secret).
    type: str
  update_secret:
    description:
      - V(on_create) writes O(client_secret) only when the configuration is created.
      - V(always) writes it on every run, so the task always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  environment:
    description:
      - Azure cloud, matched without regard to case. The engine uses V(AzurePublicCloud) when none is set.
      - Once set, it cannot be emptied again, only changed; the engine refuses an empty name.
    type: str
  root_password_ttl:
    description:
      - Lifetime of the password M(vaultops.cloud.azure_secrets_rotate_root) creates, in seconds or as a duration
        such as V(4380h). The engine sets V(4380h) (about six months) when a configuration is created without it.
      - V(0) means that default too.
    type: raw
  identity_token_audience:
    description:
      - Audience of the plugin identity token, for workload identity federation instead of O(client_secret)
        (the engine refuses both). Needs Vault Enterprise to be used; community Vault refuses a non-empty value
        (C(plugin workload identity not supported in Vault community edition)), and OpenBao 2.7 fails it
        (its server cannot issue plugin identity tokens). V('') clears it.
    type: str
    version_added: 0.1.0
  identity_token_ttl:
    description:
      - TTL of the plugin identity token, in seconds or as a duration. Every server stores it (community Vault
        and OpenBao too); only Vault Enterprise uses it.
    type: raw
    version_added: 0.1.0
seealso:
  - module: vaultops.cloud.secrets_engine
  - module: vaultops.cloud.azure_secrets_role
  - module: vaultops.cloud.azure_secrets_rotate_root
  - module: vaultops.cloud.azure_secrets_info
  - name: Azure secrets engine API
    description: The HTTP API of the engine's configuration.
    link: https://developer.hashicorp.com/vault/api-docs/secret/azure#configure-access
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Connect the engine to Azure
  vaultops.cloud.azure_secrets_config:
    mount_point: azure
    subscription_id: "{{ azure_subscription_id }}"
    tenant_id: "{{ azure_tenant_id }}"
    client_id: "{{ azure_client_id }}"
    client_secret: "{{ azure_client_secret }}"
    root_password_ttl: 2160h
  register: azure_config

- name: Rotate the client secret once, right after it was written, so that only Vault knows it
  vaultops.cloud.azure_secrets_rotate_root:
  when: azure_config.client_secret_written

- name: Replace the client secret on every run (always reports a change)
  vaultops.cloud.azure_secrets_config:
    client_secret: "{{ azure_client_secret }}"
    update_secret: always

- name: Rotate the client secret every 30 days (Vault Enterprise 1.19 or later)
  vaultops.cloud.azure_secrets_config:
    rotation_period: 720h
    disable_automated_rotation: false

- name: Remove the configuration
  vaultops.cloud.azure_secrets_config:
    state: absent
"""

RETURN = r"""
config:
  description:
    - The configuration after the change (predicted in check mode), normalised; O(root_password_ttl) in seconds.
    - The client secret shows as a mask when it is written.
  returned: when O(state=present)
  type: dict
  sample:
    subscription_id: 00000000-0000-0000-0000-000000000001
    tenant_id: 00000000-0000-0000-0000-000000000002
    client_id: 00000000-0000-0000-0000-000000000003
    environment: azurepubliccloud
    root_password_ttl: 15768000
    identity_token_ttl: 0
    rotation_period: 0
    disable_automated_rotation: false
    client_secret: "********"
client_secret_written:
  description: Whether O(client_secret) was sent to Vault (or would be, in check mode).
  returned: when O(state=present)
  type: bool
  sample: true
update_secret:
  description: The O(update_secret) policy that decided RV(client_secret_written).
  returned: when O(state=present)
  type: str
  sample: on_create
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._azure import AZURE_CONFIG, AZURE_CONFIG_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    outcome = module.driver(AZURE_CONFIG, module.params["mount_point"]).converge(desired(module.params, AZURE_CONFIG))
    if module.params["state"] == "absent":
        module.exit_outcome(outcome)
    module.exit_outcome(
        outcome,
        config=outcome.after,
        client_secret_written=outcome.secret_written,
        update_secret=module.params["update_secret"],
    )


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="azure"), **AZURE_CONFIG_OPTIONS),
        mutually_exclusive=[("client_secret", "identity_token_audience")],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
