#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: policy
short_description: Manage an ACL policy in Vault or OpenBao
version_added: 0.2.0
description:
  - Creates, updates or deletes the ACL policy C(sys/policies/acl/<name>) - which paths a token that carries it may
    use, and how.
  - O(policy) is HCL text, JSON text, or YAML data in Vault's JSON policy form (C(path) mapping each path to its
    rule). Text is sent as given, so a policy written as HCL stays HCL in Vault; data is sent as JSON.
  - The policy is compared as data, never as text. HCL is parsed by the collection itself (Vault's policy subset of
    HCL - blocks with labels, C(key = value), strings, numbers, booleans, lists, objects and comments; no heredocs),
    JSON and YAML are taken as data, and every list in a rule is a set. So reordering the YAML, reordering
    capabilities, reformatting the HCL or switching between HCL and the same data in YAML changes nothing.
  - A policy that does not parse, that has no C(path) rules, a rule key or a capability Vault does not know fails
    before any request, naming the path of the rule.
  - Vault stores policy names in lower case. V(root) is built in and refused; V(default) may be changed, not deleted.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  name:
    description: Name of the policy; an identifier, never a path (C(/), C(?), C(#), C(%), whitespace refused).
    type: str
    required: true
  state:
    description: Whether the policy should exist.
    type: str
    choices: [present, absent]
    default: present
  policy:
    description:
      - The policy as HCL text, as JSON text, or as data (a dict with the key C(path)).
      - Required when O(state=present).
    type: raw
seealso:
  - module: vaultops.cloud.approle_role
  - module: vaultops.cloud.jwt_role
  - name: Vault ACL policies
    description: The syntax of a policy.
    link: https://developer.hashicorp.com/vault/docs/concepts/policies
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: A deploy consumer may ask for one AWS credential role and renew its lease
  vaultops.cloud.policy:
    name: deploy
    policy:
      path:
        aws/creds/deploy:
          capabilities: [read]
        sys/leases/renew:
          capabilities: [update]
        auth/token/lookup-self:
          capabilities: [read]

- name: The same as HCL text
  vaultops.cloud.policy:
    name: deploy
    policy: |
      path "aws/creds/deploy" {
        capabilities = ["read"]
      }

- name: Remove a policy
  vaultops.cloud.policy:
    name: old-deploy
    state: absent
"""

RETURN = r"""
policy:
  description: The policy after the change (predicted in check mode) as the data it is compared as.
  returned: when O(state=present)
  type: dict
  sample:
    path:
      aws/creds/deploy:
        capabilities: [read]
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._auth import POLICY, POLICY_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    outcome = module.driver(POLICY, "sys").converge(desired(module.params, POLICY))
    if module.params["state"] == "present":
        module.exit_outcome(outcome, policy=outcome.after.get("policy"))
    module.exit_outcome(outcome)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(**POLICY_OPTIONS),
        required_if=[("state", "present", ("policy",))],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
