#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_secrets_role_info
short_description: List and read the roles of a Vault AWS secrets engine
version_added: 0.1.0
description:
  - Returns the names of the roles of an AWS secrets engine mount and, unless O(names_only=true), each role
    normalised as M(vaultops.cloud.aws_secrets_role) compares it.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.info_module
options:
  mount_point:
    description: Mount of the AWS secrets engine.
    type: str
    default: aws
  name:
    description: Read only this role.
    type: str
  names_only:
    description: Return only the role names, without reading each role.
    type: bool
    default: false
seealso:
  - module: vaultops.cloud.aws_secrets_role
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Which roles does the engine have?
  vaultops.cloud.aws_secrets_role_info:
    mount_point: aws
    names_only: true
  register: aws_roles
"""

RETURN = r"""
names:
  description: Names of the roles found.
  returned: always
  type: list
  elements: str
  sample: [deploy, deploy-assumed]
roles:
  description: Each role by name, normalised (lists sorted, durations in seconds, policy documents as data).
  returned: unless O(names_only=true)
  type: dict
  sample:
    deploy:
      credential_type: iam_user
      policy_arns: []
"""

import typing as t

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import AWS_ROLE
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def body(module: VaultModule) -> None:
    params = module.params
    driver = module.driver(AWS_ROLE, params["mount_point"])
    if params["name"]:
        roles = driver.info([driver.name(params["name"])])  # one read: whether it exists, and what it is
        names = sorted(roles)
    else:
        names = driver.list()
        roles = None if params["names_only"] else driver.info(names)
    result: dict[str, t.Any] = {"changed": False, "names": names}
    if not params["names_only"]:
        result["roles"] = roles
    module.exit_json(**result)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="aws"),
            name=dict(type="str"),
            names_only=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
