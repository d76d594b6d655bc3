#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_secrets_info
short_description: Read the configuration, roles and static roles of a Vault AWS secrets engine
version_added: 0.2.0
description:
  - Returns what an AWS secrets engine mount holds, normalised the way the resource modules compare it
    (durations in seconds, lists sorted, policy documents as data).
  - The root secret key is write-only in Vault and never returned.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.info_module
options:
  mount_point:
    description: Mount of the AWS secrets engine.
    type: str
    default: aws
  only:
    description: Read only these parts (default all).
    type: list
    elements: str
    choices: [config, lease, roles, static_roles]
  names:
    description: Read only these roles and static roles (default every one the engine lists).
    type: list
    elements: str
seealso:
  - module: vaultops.cloud.aws_secrets_config
  - module: vaultops.cloud.aws_secrets_roles
  - module: vaultops.cloud.aws_secrets_static_roles
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: What does the AWS engine hold?
  vaultops.cloud.aws_secrets_info:
    mount_point: aws
  register: aws_engine

- name: Only the roles
  vaultops.cloud.aws_secrets_info:
    only: [roles]
  register: aws_roles
"""

RETURN = r"""
config:
  description: C(config/root) without the secret key; null when the engine has none.
  returned: when read
  type: dict
  sample: {access_key: AKIAEXAMPLE, region: us-east-1}
lease:
  description: C(config/lease), durations in seconds.
  returned: when read
  type: dict
  sample: {lease: 1800, lease_max: 7200}
roles:
  description: Each role by name.
  returned: when read
  type: dict
  sample: {deploy: {credential_type: iam_user, policy_arns: []}}
static_roles:
  description: Each static role by name.
  returned: when read
  type: dict
  sample: {ci-bot: {username: ci-bot, rotation_period: 86400}}
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import AWS_LEASE, AWS_ROLE, AWS_ROOT, AWS_STATIC_ROLE
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="aws"),
            only=dict(type="list", elements="str", choices=["config", "lease", "roles", "static_roles"]),
            names=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    module.run(
        lambda m: m.engine_info(
            {"config": AWS_ROOT, "lease": AWS_LEASE}, {"roles": AWS_ROLE, "static_roles": AWS_STATIC_ROLE}
        )
    )


if __name__ == "__main__":
    main()
