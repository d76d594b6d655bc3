#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_secrets_rotate_root
short_description: Rotate the root credentials of a Vault AWS secrets engine
version_added: 0.1.0
description:
  - Asks the engine to create a new access key for its root IAM user and delete the old one
    (C(config/rotate-root)). Afterwards only Vault knows the new secret key.
  - This is an action, not a state. Every run rotates and reports a change. Run it once after
    M(vaultops.cloud.aws_secrets_config) with C(update_secret=on_create), or guard it with C(when).
  - Rotating needs O(vaultops.cloud.aws_secrets_config#module:access_key) to belong to an IAM user that may
    call C(iam:GetUser), C(iam:CreateAccessKey) and C(iam:DeleteAccessKey) on itself.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
attributes:
  check_mode:
    description: Reports that a rotation would happen after checking that the engine is configured; rotates nothing.
    support: full
  diff_mode:
    description: Nothing to compare; no diff is returned.
    support: none
  idempotent:
    description: Every run rotates the key.
    support: none
options:
  mount_point:
    description: Mount of the AWS secrets engine.
    type: str
    default: aws
seealso:
  - module: vaultops.cloud.aws_secrets_config
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Configure the engine, then rotate its key so that no person knows it
  vaultops.cloud.aws_secrets_config:
    access_key: "{{ bootstrap_access_key }}"
    secret_key: "{{ bootstrap_secret_key }}"
  register: aws_config

- name: Rotate the root key once, right after the configuration was written
  vaultops.cloud.aws_secrets_rotate_root:
  when: aws_config.secret_key_written
"""

RETURN = r"""
access_key:
  description: The access key ID the engine uses now (or still uses, in check mode).
  returned: success
  type: str
  sample: AKIAEXAMPLE
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import AWS_ROOT, AwsEngine
from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def body(module: VaultModule) -> None:
    root = module.driver(AWS_ROOT, module.params["mount_point"])
    current = root.read()
    if not current or not current.get("access_key"):
        raise VaultOpsError("the engine has no root access key to rotate", path=root.path())
    engine = AwsEngine(module.client, module.params["mount_point"])
    if module.check_mode:
        module.exit_json(changed=True, access_key=current["access_key"])
    rotated = engine.rotate_root()
    module.exit_json(changed=True, access_key=rotated.get("access_key"))


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="aws")),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
