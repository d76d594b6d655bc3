#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_secrets_roles
short_description: Manage many roles of a Vault AWS secrets engine in one task
version_added: 0.2.0
description:
  - Converges every role in O(roles) in one module process and one HTTP session, as
    M(vaultops.cloud.aws_secrets_role) would one by one, and with O(purge=true) deletes the roles the list
    does not name.
  - It sends one mount check, one list of the engine's roles, one read per listed role that exists, and one
    write or delete per change. A converge that changes nothing costs the number of roles plus two requests.
  - Every item is checked before the first request; a bad item fails the task naming it (for example
    C(roles[3].credential_type)) and nothing is written.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.BULK
options:
  mount_point:
    description: Mount of the AWS secrets engine.
    type: str
    default: aws
  roles:
    description:
      - The roles, each a dict of the options of M(vaultops.cloud.aws_secrets_role) other than the connection
        and O(mount_point) options (C(name), C(state), C(credential_type), C(policy_document),
        C(policy_arns), C(role_arns), C(iam_groups), C(iam_tags), C(default_sts_ttl), C(max_sts_ttl),
        C(user_path), C(permissions_boundary_arn), C(mfa_serial_number), C(session_tags), C(external_id)),
        with the same types, defaults and rules.
    type: list
    elements: dict
    required: true
seealso:
  - module: vaultops.cloud.aws_secrets_role
  - module: vaultops.cloud.aws_secrets_role_info
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Converge all roles of the engine, deleting any other
  vaultops.cloud.aws_secrets_roles:
    mount_point: aws
    purge: true
    roles:
      - name: deploy
        credential_type: iam_user
        policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
      - name: ci
        credential_type: assumed_role
        role_arns: [arn:aws:iam::123456789012:role/ci]
        default_sts_ttl: 15m
"""

RETURN = r"""
created:
  description: Names of the roles created (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [ci]
updated:
  description: Names of the roles changed.
  returned: always
  type: list
  elements: str
  sample: [deploy]
deleted:
  description: Names of the roles deleted, by C(state=absent) in O(roles) or by O(purge).
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
roles:
  description: Each role that is present after the task, by name, as M(vaultops.cloud.aws_secrets_role) returns it.
  returned: always
  type: dict
  sample:
    deploy:
      credential_type: iam_user
      policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
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

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import AWS_ROLE, AWS_ROLE_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import run_bulk


def main() -> None:
    run_bulk(AWS_ROLE, AWS_ROLE_OPTIONS, "roles")


if __name__ == "__main__":
    main()
