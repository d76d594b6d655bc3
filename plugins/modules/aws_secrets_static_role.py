#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_secrets_static_role
short_description: Manage a static role of a Vault AWS secrets engine
version_added: 0.1.0
description:
  - Creates, updates or deletes C(static-roles/<name>). The engine takes over the access keys of an existing
    IAM user and rotates them every O(rotation_period).
  - Creating a static role makes the engine create a new access key for the user at once.
  - The user of an existing static role cannot be changed by the engine. Changing O(username) fails unless
    O(recreate=true), which deletes and recreates the role.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  name:
    description: Name of the static role.
    type: str
    required: true
  mount_point:
    description: Mount of the AWS secrets engine.
    type: str
    default: aws
  state:
    description: Whether the static role should exist.
    type: str
    choices: [present, absent]
    default: present
  username:
    description: The existing IAM user whose keys the engine manages. Required when O(state=present).
    type: str
  rotation_period:
    description: How often the engine rotates the key, in seconds or as a duration (at least one minute).
    type: raw
  assume_role_arn:
    description:
      - Role in another AWS account that the engine assumes to manage O(username) there (cross-account static
        role).
      - Needs Vault Enterprise 1.19 or later. Community Vault and OpenBao have no such field; setting it there fails
        naming the field, nothing written.
    type: str
    version_added: 0.1.0
  assume_role_session_name:
    description:
      - Session name of the engine's O(assume_role_arn) sessions.
      - Needs Vault Enterprise 1.19 or later (see O(assume_role_arn)).
    type: str
    version_added: 0.1.0
  external_id:
    description:
      - External ID the engine passes when it assumes O(assume_role_arn).
      - Needs Vault Enterprise 1.19 or later (see O(assume_role_arn)).
    type: str
    version_added: 0.1.0
  recreate:
    description: Delete and recreate the role when O(username) differs from the existing one.
    type: bool
    default: false
seealso:
  - module: vaultops.cloud.creds
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Let Vault rotate the keys of the ci-bot user every day
  vaultops.cloud.aws_secrets_static_role:
    name: ci-bot
    username: ci-bot
    rotation_period: 24h
"""

RETURN = r"""
static_role:
  description: The static role after the change (predicted in check mode), rotation period in seconds.
  returned: when O(state=present)
  type: dict
  sample: {username: ci-bot, rotation_period: 86400}
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import AWS_STATIC_ROLE, AWS_STATIC_ROLE_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    driver = module.driver(AWS_STATIC_ROLE, module.params["mount_point"])
    outcome = driver.converge(desired(module.params, AWS_STATIC_ROLE))
    if module.params["state"] == "present":
        module.exit_outcome(outcome, static_role=outcome.after)
    module.exit_outcome(outcome)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="aws"), **AWS_STATIC_ROLE_OPTIONS),
        required_if=[("state", "present", ("username",))],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
