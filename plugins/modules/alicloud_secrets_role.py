#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: alicloud_secrets_role
short_description: Manage a role of a Vault AliCloud secrets engine
version_added: 0.1.0
description:
  - Creates, updates or deletes C(role/<name>) of an AliCloud secrets engine.
  - A role is of one of two kinds. With O(role_arn) the engine assumes that RAM role through STS and issues
    short-lived STS credentials. With O(inline_policies) and/or O(remote_policies) the engine creates a RAM
    user per credential, attaches the policies to it and issues an access key for it.
  - Giving O(role_arn) together with a non-empty O(inline_policies) or O(remote_policies) fails before
    anything is written, naming the fields. Since the engine merges a write into the stored role, the fields
    of the other kind are sent empty, so that a role can change its kind in one run.
  - Only the options you set are compared and sent. O(inline_policies) are compared as data, ignoring their
    order and the hashes the engine generates anew on every write; O(remote_policies) are compared as
    (name, type) pairs, ignoring their order; durations are compared in seconds.
  - The engine lower-cases role names.
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
    description: Mount of the AliCloud secrets engine.
    type: str
    default: alicloud
  state:
    description: Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
  role_arn:
    description:
      - ARN of the RAM role to assume, for STS credentials, such as C(acs:ram::1234567890123456:role/deploy).
      - The role must trust the access key configured with M(vaultops.cloud.alicloud_secrets_config).
      - Excludes O(inline_policies) and O(remote_policies). V("") clears it.
    type: str
  inline_policies:
    description:
      - RAM policy documents the engine creates and attaches to each user it creates.
      - A list whose items are policy documents, each given as YAML data or as a JSON string.
        A JSON string holding the whole list is accepted too.
      - V([]) removes every inline policy.
    type: raw
  remote_policies:
    description:
      - Existing RAM policies the engine attaches to each user it creates.
      - "Each item is a dict with C(name) and C(type), or a string C(name:<name>,type:<type>)."
      - C(type) is V(System) or V(Custom).
      - V([]) removes every remote policy.
    type: list
    elements: raw
  ttl:
    description:
      - Default lease of the RAM credentials, in seconds or as a duration such as V(1h); V(0) means the
        mount's default.
      - The engine ignores it for STS roles, whose credentials expire when STS says.
    type: raw
  max_ttl:
    description: Maximum lease of the RAM credentials, in seconds or as a duration; V(0) means no role maximum.
    type: raw
seealso:
  - module: vaultops.cloud.alicloud_secrets_config
  - module: vaultops.cloud.secrets_engine
  - name: AliCloud secrets engine
    description: The engine's documentation.
    link: https://developer.hashicorp.com/vault/docs/secrets/alicloud
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: A role that creates RAM users with one inline and two system policies
  vaultops.cloud.alicloud_secrets_role:
    name: deploy
    inline_policies:
      - Version: "1"
        Statement:
          - Effect: Allow
            Action: ["oss:GetObject", "oss:ListObjects"]
            Resource: ["acs:oss:*:*:releases", "acs:oss:*:*:releases/*"]
    remote_policies:
      - name: AliyunOSSReadOnlyAccess
        type: System
      - "name:AliyunRDSReadOnlyAccess,type:System"
    ttl: 1h
    max_ttl: 12h

- name: A role with inline policies kept in files
  vaultops.cloud.alicloud_secrets_role:
    name: reports
    inline_policies:
      - "{{ lookup('ansible.builtin.file', 'policies/oss-reports.json') }}"
      - "{{ lookup('ansible.builtin.file', 'policies/rds-reports.json') }}"

- name: A role that assumes an existing RAM role through STS
  vaultops.cloud.alicloud_secrets_role:
    name: admin
    role_arn: acs:ram::1234567890123456:role/admin

- name: Remove a role
  vaultops.cloud.alicloud_secrets_role:
    name: old
    state: absent
"""

RETURN = r"""
role:
  description:
    - The role after the change (predicted in check mode), normalised.
    - Inline policies are the documents without the engine's hashes, sorted; remote policies are
      C(name)/C(type) pairs, sorted; durations are in seconds.
  returned: when O(state=present)
  type: dict
  sample:
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

from ansible_collections.vaultops.cloud.plugins.module_utils._alicloud import ALICLOUD_ROLE, ALICLOUD_ROLE_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    outcome = module.driver(ALICLOUD_ROLE, module.params["mount_point"]).converge(desired(module.params, ALICLOUD_ROLE))
    if module.params["state"] == "present":
        module.exit_outcome(outcome, role=outcome.after)
    module.exit_outcome(outcome)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="alicloud"), **ALICLOUD_ROLE_OPTIONS),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
