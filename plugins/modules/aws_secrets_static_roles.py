#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_secrets_static_roles
short_description: Manage many static roles of a Vault AWS secrets engine in one task
version_added: 0.2.0
description:
  - Converges every role in O(static_roles) in one module process and one HTTP session, as
    M(vaultops.cloud.aws_secrets_static_role) would one by one, and with O(purge=true) deletes the roles the list
    does not name.
  - It sends one mount check, one list of the engine's roles, one read per listed role that exists, and one
    write or delete per change. A converge that changes nothing costs the number of roles plus two requests.
  - Every item is checked before the first request; a bad item fails the task naming it (for example
    C(static_roles[3].username)) and nothing is written.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.BULK
options:
  mount_point:
    description: Mount of the AWS secrets engine.
    type: str
    default: aws
  static_roles:
    description:
      - The static roles, each a dict of the options of M(vaultops.cloud.aws_secrets_static_role) other than
        the connection and O(mount_point) options (C(name), C(state), C(username), C(rotation_period),
        C(assume_role_arn), C(assume_role_session_name), C(external_id), C(recreate)), with the same types,
        defaults and rules (the cross-account fields need Vault Enterprise 1.19 or later).
    type: list
    elements: dict
    required: true
seealso:
  - module: vaultops.cloud.aws_secrets_role
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Let Vault rotate the keys of two existing IAM users
  vaultops.cloud.aws_secrets_static_roles:
    static_roles:
      - name: ci-bot
        username: ci-bot
        rotation_period: 24h
      - name: backup
        username: backup-agent
        rotation_period: 7d
"""

RETURN = r"""
created:
  description: Names of the roles created (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [backup]
updated:
  description: Names of the roles changed.
  returned: always
  type: list
  elements: str
  sample: [ci-bot]
deleted:
  description: Names of the roles deleted, by C(state=absent) in O(static_roles) or by O(purge).
  returned: always
  type: list
  elements: str
  sample: []
unchanged:
  description: Names of the roles that already were as asked.
  returned: always
  type: list
  elements: str
  sample: []
static_roles:
  description:
    - Each static role present after the task, by name, as M(vaultops.cloud.aws_secrets_static_role) returns it.
  returned: always
  type: dict
  sample:
    ci-bot:
      username: ci-bot
      rotation_period: 86400
mount:
  description:
    - The engine's mount as it is after the task (its settings and type), as M(vaultops.cloud.secrets_engine)
      returns it.
  returned: when O(mount) is set
  type: dict
  sample:
    type: aws
    description: AWS credentials for deploys
    default_lease_ttl: 3600
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import AWS_STATIC_ROLE, AWS_STATIC_ROLE_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import run_bulk


def main() -> None:
    run_bulk(AWS_STATIC_ROLE, AWS_STATIC_ROLE_OPTIONS, "static_roles")


if __name__ == "__main__":
    main()
