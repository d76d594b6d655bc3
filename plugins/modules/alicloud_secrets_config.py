#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: alicloud_secrets_config
short_description: Configure the credentials of a Vault AliCloud secrets engine
version_added: 0.1.0
description:
  - Manages C(config) of an AliCloud secrets engine mount, the access key pair the engine uses to call
    AliCloud RAM and STS.
  - Vault never returns O(secret_key). Whether it is written to an existing configuration is decided by
    O(update_secret), and the result says whether it was (RV(secret_key_written)).
  - The engine replaces C(config) whole on every write and refuses a write without both keys, since an
    AliCloud access key ID and its secret come as a pair. So O(secret_key) is needed whenever a change is to
    be written; a run that would write without it fails before writing, naming O(secret_key).
  - With O(state=absent) the configuration is deleted; the engine can then issue no credentials.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  mount_point:
    description: Mount of the AliCloud secrets engine.
    type: str
    default: alicloud
  state:
    description: Whether the engine should have a configuration.
    type: str
    choices: [present, absent]
    default: present
  access_key:
    description:
      - AccessKey ID of the RAM user the engine uses; required when O(state=present).
      - The user needs permission to manage RAM users, policies and access keys, and to call STS AssumeRole.
    type: str
  secret_key:
    description: AccessKey secret of that user. Write-only; see O(update_secret).
    type: str
  update_secret:
    description:
      - V(on_create) writes O(secret_key) only when the configuration is created or O(access_key) changes.
      - V(always) writes it on every run, so the task always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
seealso:
  - module: vaultops.cloud.secrets_engine
  - module: vaultops.cloud.alicloud_secrets_role
  - name: AliCloud secrets engine
    description: The engine's documentation.
    link: https://developer.hashicorp.com/vault/docs/secrets/alicloud
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Enable the AliCloud engine
  vaultops.cloud.secrets_engine:
    path: alicloud
    type: alicloud

- name: Give the engine its access key pair
  vaultops.cloud.alicloud_secrets_config:
    mount_point: alicloud
    access_key: "{{ vault_alicloud_access_key }}"
    secret_key: "{{ vault_alicloud_secret_key }}"

- name: Rotate the secret held by Vault after rotating it in AliCloud
  vaultops.cloud.alicloud_secrets_config:
    access_key: "{{ vault_alicloud_access_key }}"
    secret_key: "{{ vault_alicloud_new_secret_key }}"
    update_secret: always

- name: Remove the configuration
  vaultops.cloud.alicloud_secrets_config:
    state: absent
"""

RETURN = r"""
config:
  description: The configuration after the change (predicted in check mode); the secret key is masked.
  returned: when O(state=present)
  type: dict
  sample:
    access_key: LTAI5tEXAMPLE
    secret_key: "********"
secret_key_written:
  description: Whether O(secret_key) was sent to Vault (or would be, in check mode).
  returned: when O(state=present)
  type: bool
  sample: true
update_secret:
  description: The O(update_secret) policy that decided RV(secret_key_written).
  returned: when O(state=present)
  type: str
  sample: on_create
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._alicloud import ALICLOUD_CONFIG, converge_alicloud_config
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    params = module.params
    outcome = converge_alicloud_config(
        module.driver(ALICLOUD_CONFIG, params["mount_point"]), desired(params, ALICLOUD_CONFIG)
    )
    if params["state"] == "absent":
        module.exit_outcome(outcome)
    module.exit_outcome(
        outcome, config=outcome.after, secret_key_written=outcome.secret_written, update_secret=params["update_secret"]
    )


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="alicloud"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            access_key=dict(type="str", no_log=False),
            secret_key=dict(type="str", no_log=True),
            update_secret=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
        ),
        required_if=[("state", "present", ("access_key",))],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
