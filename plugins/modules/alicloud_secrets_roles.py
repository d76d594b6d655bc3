#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: alicloud_secrets_roles
short_description: Manage many roles of a Vault AliCloud secrets engine in one task
version_added: 0.2.0
description:
  - Converges every role in O(roles) in one module process and one HTTP session, as
    M(vaultops.cloud.alicloud_secrets_role) would one by one, and with O(purge=true) deletes the roles the
    list does not name.
  - The requests it sends are one mount check, one list of the engine's roles, one read per listed role that
    exists, and one write or delete per change. A converge that changes nothing costs the number of roles plus
    two requests.
  - Every item is checked before the first request; a bad item fails the task naming it (for example
    C(roles[3].role_arn)) and nothing is written. Rules that need the stored role (a role left with neither
    C(role_arn) nor a policy, C(ttl) above the stored C(max_ttl)) are checked after it is read, before it is
    written.
  - The engine stores role names in lower case; names are compared, reported and purged in lower case, so
    C(STS) in the list is the role C(sts) the engine lists, and listing both is refused as a duplicate.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.BULK
options:
  mount_point:
    description: Mount of the AliCloud secrets engine.
    type: str
    default: alicloud
  roles:
    description:
      - The roles, each a dict of the options of M(vaultops.cloud.alicloud_secrets_role) other than the
        connection and O(mount_point) options (C(name), C(state), C(role_arn), C(inline_policies),
        C(remote_policies), C(ttl), C(max_ttl)), with the same types, defaults and rules.
      - A role either assumes a RAM role through STS (C(role_arn)) or creates a RAM user per credential with
        C(inline_policies) and/or C(remote_policies) attached; the fields of the other kind are sent empty.
    type: list
    elements: dict
    required: true
seealso:
  - module: vaultops.cloud.alicloud_secrets_role
  - module: vaultops.cloud.alicloud_secrets_info
  - module: vaultops.cloud.alicloud_secrets_config
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Converge all roles of the engine, deleting any other
  vaultops.cloud.alicloud_secrets_roles:
    mount_point: alicloud
    purge: true
    roles:
      - name: oss-reader
        remote_policies:
          - name: AliyunOSSReadOnlyAccess
            type: System
        inline_policies:
          - Version: "1"
            Statement:
              - Effect: Allow
                Action: ["oss:GetObject"]
                Resource: ["acs:oss:*:*:releases/*"]
        ttl: 1h
        max_ttl: 12h
      - name: deploy
        role_arn: acs:ram::1234567890123456:role/deploy
      - name: retired
        state: absent
"""

RETURN = r"""
created:
  description: Names of the roles created (or that would be, in check mode), in lower case.
  returned: always
  type: list
  elements: str
  sample: [deploy]
updated:
  description: Names of the roles changed.
  returned: always
  type: list
  elements: str
  sample: [oss-reader]
deleted:
  description: Names of the roles deleted, by C(state=absent) in O(roles) or by O(purge).
  returned: always
  type: list
  elements: str
  sample: [retired]
unchanged:
  description: Names of the roles that already were as asked.
  returned: always
  type: list
  elements: str
  sample: []
roles:
  description:
    - Each role that is present after the task (predicted in check mode), by name, as
      M(vaultops.cloud.alicloud_secrets_role) returns it.
    - Inline policies are the documents without the engine's hashes, sorted; remote policies are
      C(name)/C(type) pairs, sorted; durations are in seconds.
  returned: always
  type: dict
  sample:
    deploy:
      role_arn: acs:ram::1234567890123456:role/deploy
      inline_policies: []
      remote_policies: []
    oss-reader:
      role_arn: ""
      remote_policies:
        - name: AliyunOSSReadOnlyAccess
          type: System
      ttl: 3600
      max_ttl: 43200
mount:
  description:
    - The engine's mount as it is after the task (its settings and type), as M(vaultops.cloud.secrets_engine)
      returns it.
  returned: when O(mount) is set
  type: dict
  sample:
    type: alicloud
    description: AliCloud credentials for deploys
    default_lease_ttl: 3600
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._alicloud import ALICLOUD_ROLE, ALICLOUD_ROLE_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import run_bulk


def main() -> None:
    run_bulk(ALICLOUD_ROLE, ALICLOUD_ROLE_OPTIONS, "roles")


if __name__ == "__main__":
    main()
