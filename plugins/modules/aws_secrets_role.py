#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_secrets_role
short_description: Manage a role of a Vault AWS secrets engine
version_added: 0.1.0
description:
  - Creates, updates or deletes C(roles/<name>) of an AWS secrets engine. A role says which kind of
    credential the engine issues and which IAM policies it carries.
  - Only the options you set are compared and sent. O(policy_document) is compared as JSON data, lists as sets,
    durations in seconds.
  - Combinations the engine refuses (for example O(user_path) with V(assumed_role)) fail before anything is
    written, naming the fields.
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
    description: Mount of the AWS secrets engine.
    type: str
    default: aws
  state:
    description: Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
  credential_type:
    description:
      - Kind of credential the role issues; required when O(state=present).
      - V(session_token) exists on HashiCorp Vault's engine; the AWS plugin of OpenBao refuses it.
    type: str
    choices: [iam_user, assumed_role, federation_token, session_token]
  policy_document:
    description: An IAM policy document, as a JSON string or as YAML data.
    type: raw
  policy_arns:
    description: ARNs of managed policies to attach (V(iam_user)) or to pass as session policies.
    type: list
    elements: str
  role_arns:
    description: ARNs of the roles that V(assumed_role) credentials may assume.
    type: list
    elements: str
  iam_groups:
    description: IAM groups whose policies apply (V(iam_user), V(federation_token)).
    type: list
    elements: str
  iam_tags:
    description: Tags for the IAM users the role creates (V(iam_user)).
    type: dict
  default_sts_ttl:
    description: Default TTL of STS credentials, in seconds or as a duration.
    type: raw
  max_sts_ttl:
    description: Maximum TTL of STS credentials, in seconds or as a duration.
    type: raw
  user_path:
    description: IAM path of the users the role creates (V(iam_user)); begins and ends with C(/).
    type: str
  permissions_boundary_arn:
    description: Permissions boundary of the users the role creates (V(iam_user)).
    type: str
  mfa_serial_number:
    description: MFA device for V(session_token) credentials.
    type: str
  session_tags:
    description: Session tags for V(assumed_role) credentials.
    type: dict
  external_id:
    description: External ID for V(assumed_role) credentials.
    type: str
seealso:
  - module: vaultops.cloud.aws_secrets_config
  - plugin: vaultops.cloud.creds
    plugin_type: lookup
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: A role that creates IAM users allowed to read one bucket
  vaultops.cloud.aws_secrets_role:
    name: deploy
    credential_type: iam_user
    policy_document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: ["s3:GetObject"]
          Resource: ["arn:aws:s3:::releases/*"]

- name: A role that assumes an existing IAM role
  vaultops.cloud.aws_secrets_role:
    name: admin
    credential_type: assumed_role
    role_arns: [arn:aws:iam::123456789012:role/admin]
    default_sts_ttl: 15m
    max_sts_ttl: 1h
"""

RETURN = r"""
role:
  description: The role after the change (predicted in check mode), normalised.
  returned: when O(state=present)
  type: dict
  sample:
    credential_type: iam_user
    policy_document: {Version: "2012-10-17", Statement: []}
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import AWS_ROLE, AWS_ROLE_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    outcome = module.driver(AWS_ROLE, module.params["mount_point"]).converge(desired(module.params, AWS_ROLE))
    if module.params["state"] == "present":
        module.exit_outcome(outcome, role=outcome.after)
    module.exit_outcome(outcome)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="aws"), **AWS_ROLE_OPTIONS),
        required_if=[("state", "present", ("credential_type",))],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
