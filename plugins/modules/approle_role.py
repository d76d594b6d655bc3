#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: approle_role
short_description: Manage a role of the AppRole auth method in Vault or OpenBao
version_added: 0.2.0
description:
  - Creates, updates or deletes C(auth/<mount_point>/role/<name>) - a machine identity that logs in with its
    C(role_id) and a secret-id (see M(vaultops.cloud.approle_secret_id)) and gets a token with the given policies.
  - Only the options you set are compared and sent; lists are compared as sets, durations in seconds. CIDR blocks
    are checked before any request.
  - Returns the C(role_id) of the role (not a secret on its own, a login needs a secret-id too).
  - Vault stores AppRole role names in lower case.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  name:
    description: Name of the role.
    type: str
    required: true
  mount_point:
    description: Path of the AppRole auth method, without C(auth/).
    type: str
    default: approle
  state:
    description: Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
  bind_secret_id:
    description:
      - Whether a login needs a secret-id. V(false) is refused unless O(secret_id_bound_cidrs) or
        O(token_bound_cidrs) bound the role.
    type: bool
  secret_id_bound_cidrs:
    description: CIDR blocks (or addresses) a secret-id of this role may log in from.
    type: list
    elements: str
  secret_id_num_uses:
    description: How many logins a secret-id allows; V(0) means no limit.
    type: int
  secret_id_ttl:
    description: How long a secret-id stays valid, in seconds or as a duration; V(0) means for ever.
    type: raw
  local_secret_ids:
    description:
      - Keep the secret-ids of this role local to the cluster (replication). Fixed when the role is created;
        changing it later is refused.
    type: bool
  token_ttl:
    description: Default TTL of the tokens of a login, in seconds or as a duration such as V(1h).
    type: raw
  token_max_ttl:
    description: Maximum TTL of the tokens of a login, renewals included.
    type: raw
  token_policies:
    description: Policies of the tokens of a login. Compared as a set.
    type: list
    elements: str
  token_bound_cidrs:
    description: CIDR blocks (or addresses) the tokens of a login may be used from; each is checked before any request.
    type: list
    elements: str
  token_explicit_max_ttl:
    description: A hard limit on the life of the tokens of a login, whatever their renewals.
    type: raw
  token_no_default_policy:
    description: Leave the V(default) policy out of the tokens of a login.
    type: bool
  token_num_uses:
    description: How many requests a token of a login may make; V(0) means no limit.
    type: int
  token_period:
    description: Make the tokens periodic with this period.
    type: raw
  token_type:
    description: The type of token a login issues.
    type: str
    choices: [default, service, batch, default-service, default-batch]
seealso:
  - module: vaultops.cloud.approle_secret_id
  - module: vaultops.cloud.policy
  - module: vaultops.cloud.auth_method
  - name: AppRole API
    description: The endpoints of the AppRole auth method.
    link: https://developer.hashicorp.com/vault/api-docs/auth/approle
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: An AppRole for the deploy pipeline
  vaultops.cloud.approle_role:
    name: deploy
    token_policies: [deploy]
    token_ttl: 20m
    token_max_ttl: 1h
    secret_id_ttl: 10m
    secret_id_num_uses: 1
    secret_id_bound_cidrs: [10.0.0.0/8]
  register: deploy_role

- name: Hand the role_id to the pipeline
  ansible.builtin.debug:
    var: deploy_role.role_id
"""

RETURN = r"""
role:
  description: The role after the change (predicted in check mode), normalised (durations in seconds).
  returned: when O(state=present)
  type: dict
  sample:
    token_policies: [deploy]
    token_ttl: 1200
role_id:
  description: The role_id of the role; V(null) in check mode when the role does not exist yet.
  returned: when O(state=present)
  type: str
  sample: 8f4a6c1e-2d3b-4c5d-9e8f-0a1b2c3d4e5f
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._auth import (
    APPROLE_ROLE,
    APPROLE_ROLE_OPTIONS,
    approle_role_id,
    auth_mount,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    mount = auth_mount(module.params["mount_point"])
    outcome = module.driver(APPROLE_ROLE, mount).converge(desired(module.params, APPROLE_ROLE))
    if module.params["state"] == "present":
        exists = not (module.check_mode and outcome.action == "created")
        role_id = approle_role_id(module.client, mount, module.params["name"]) if exists else None
        module.exit_outcome(outcome, role=outcome.after, role_id=role_id)
    module.exit_outcome(outcome)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="approle"), **APPROLE_ROLE_OPTIONS),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
