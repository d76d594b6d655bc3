#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gcp_secrets_rotate_root
short_description: Rotate the keys and service accounts of a Vault Google Cloud secrets engine
version_added: 0.1.0
description:
  - Asks a Google Cloud secrets engine to rotate one of its credentials. This is an action, not a state, and every
    run rotates and reports a change. Guard it with C(when), for example on
    RV(vaultops.cloud.gcp_secrets_config#module:credentials_written).
  - O(action=root) (C(config/rotate-root)) creates a new key for the engine's own service account and deletes
    the old one. Afterwards only Vault knows the key; the key file you configured stops working. It needs
    credentials given to M(vaultops.cloud.gcp_secrets_config) (not workload identity federation), whose account
    may create and delete its own keys.
  - O(action=roleset_account) (C(roleset/<name>/rotate)) gives a roleset a new service account with the same
    bindings and deletes the old one; every token and key issued under the roleset stops working.
  - O(action=roleset_key) (C(roleset/<name>/rotate-key)) replaces the key behind the access tokens of an
    V(access_token) roleset, and O(action=static_account_key) (C(static-account/<name>/rotate-key)) that of an
    V(access_token) static account.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
attributes:
  check_mode:
    description:
      - Reads what would be rotated and fails as the real run would when it is missing or of the wrong secret
        type; rotates nothing and reports a change.
      - Whether the engine holds JSON credentials cannot be read from Vault, so check mode cannot tell for
        O(action=root).
    support: full
  diff_mode:
    description: Nothing to compare; no diff is returned.
    support: none
  idempotent:
    description: Every run rotates.
    support: none
options:
  mount_point:
    description: Mount of the Google Cloud secrets engine.
    type: str
    default: gcp
  action:
    description: What to rotate.
    type: str
    choices: [root, roleset_account, roleset_key, static_account_key]
    default: root
  name:
    description: The roleset or static account; required unless O(action=root).
    type: str
notes:
  - Every rotation calls Google.
seealso:
  - module: vaultops.cloud.gcp_secrets_config
  - module: vaultops.cloud.gcp_secrets_roleset
  - module: vaultops.cloud.gcp_secrets_static_account
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Configure the engine with a bootstrap key
  vaultops.cloud.gcp_secrets_config:
    credentials: "{{ lookup('ansible.builtin.file', 'bootstrap-key.json') }}"
  register: gcp_config

- name: Replace that key at once, so that only Vault knows the engine's key
  vaultops.cloud.gcp_secrets_rotate_root:
  when: gcp_config.credentials_written

- name: Give a roleset a new service account
  vaultops.cloud.gcp_secrets_rotate_root:
    action: roleset_account
    name: reader
"""

RETURN = r"""
action:
  description: The rotation that was done (or would be, in check mode).
  returned: success
  type: str
  sample: root
private_key_id:
  description: ID of the engine's new key.
  returned: when O(action=root) and not in check mode
  type: str
  sample: 0123456789abcdef0123456789abcdef01234567
service_account_email:
  description:
    - The roleset's or static account's service account after the rotation (the current one in check mode).
    - For O(action=roleset_account) a new account.
  returned: unless O(action=root)
  type: str
  sample: vaultreader-1700000000@my-project.iam.gserviceaccount.com
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import (
    ACCESS_TOKEN,
    GCP_CONFIG,
    GCP_ROTATIONS,
    GcpEngine,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def rotate_root(module: VaultModule, engine: GcpEngine) -> None:
    driver = module.driver(GCP_CONFIG, engine.mount)
    config = driver.read()
    if config is None:
        raise VaultOpsError("the engine has no configuration, so no key to rotate", path=driver.path())
    if config.get("identity_token_audience"):
        raise VaultOpsError(
            "the engine uses workload identity federation (identity_token_audience); "
            "only JSON credentials can be rotated",
            path=driver.path(),
        )
    if module.check_mode:
        module.exit_json(changed=True, action="root")
    rotated = engine.rotate_root()
    module.exit_json(changed=True, action="root", private_key_id=rotated.get("private_key_id"))


def rotate_target(module: VaultModule, engine: GcpEngine, action: str, name: str) -> None:
    rotation = GCP_ROTATIONS[action]
    what = rotation.resource.what
    driver = module.driver(rotation.resource, engine.mount)
    path = driver.path(name)
    current = driver.read(name)
    if current is None:
        raise VaultOpsError(f"{what} {name} does not exist", path=path)
    if rotation.needs_access_token and current.get("secret_type") != ACCESS_TOKEN:
        raise VaultOpsError(
            f"{what} {name} issues {current.get('secret_type')}; only access_token {what}s have a key to rotate",
            path=path,
        )
    if module.check_mode:
        module.exit_json(changed=True, action=action, service_account_email=current.get("service_account_email"))
    response = rotation.rotate(engine, name)
    for warning in response.get("warnings") or []:
        module.warn(f"Vault: {warning}")
    after = driver.read(name) or current
    module.exit_json(changed=True, action=action, service_account_email=after.get("service_account_email"))


def body(module: VaultModule) -> None:
    params = module.params
    action = params["action"]
    if action == "root" and params["name"] is not None:
        raise ValidationError("name", "names a roleset or static account; action=root rotates the engine's own key")
    name = GCP_ROTATIONS[action].resource.name_rule.check(params["name"], "name") if action != "root" else None
    engine = GcpEngine(module.client, params["mount_point"])
    if name is None:
        rotate_root(module, engine)
    else:
        rotate_target(module, engine, action, name)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="gcp"),
            action=dict(
                type="str",
                default="root",
                choices=["root", *GCP_ROTATIONS],
            ),
            name=dict(type="str"),
        ),
        required_if=[("action", action, ("name",)) for action in GCP_ROTATIONS],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
