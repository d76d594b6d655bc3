#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_secrets_config
short_description: Configure the root credentials and lease settings of a Vault AWS secrets engine
version_added: 0.1.0
description:
  - Manages C(config/root) (the credentials and endpoints the engine uses to call AWS) and C(config/lease)
    of an AWS secrets engine mount.
  - Vault never returns O(secret_key). Whether it is written to an existing configuration is decided by
    O(update_secret), and the result says whether it was (RV(secret_key_written)).
  - The engine replaces C(config/root) whole on every write. The module therefore sends every field of the
    current configuration along with the ones you changed, and O(secret_key) with them; so O(secret_key) is
    needed whenever a change is to be written.
  - This module never rotates the root credentials; use M(vaultops.cloud.aws_secrets_rotate_root) for that.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
  - vaultops.cloud.rotation
options:
  mount_point:
    description: Mount of the AWS secrets engine.
    type: str
    default: aws
  access_key:
    description: Access key ID of the IAM user the engine uses.
    type: str
  secret_key:
    description: Secret access key of that user. Write-only; see O(update_secret).
    type: str
  update_secret:
    description:
      - V(on_create) writes O(secret_key) only when the configuration is created or another field changes.
      - V(always) writes it on every run, so the task always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  region:
    description: AWS region for API calls.
    type: str
  iam_endpoint:
    description: Custom IAM endpoint URL.
    type: str
  sts_endpoint:
    description: Custom STS endpoint URL.
    type: str
  sts_region:
    description:
      - Region for STS calls, when it differs from O(region). Passed through only when set.
      - Needs Vault 1.19 or later (the AWS engine of OpenBao 2.7's plugins, of Vault 1.18, does not have it;
        setting it there fails naming the field, nothing written).
    type: str
  sts_fallback_endpoints:
    description:
      - Further STS endpoints to try. Passed through only when set.
      - Needs Vault 1.19 or later (see O(sts_region)).
    type: list
    elements: str
  sts_fallback_regions:
    description:
      - Regions of O(sts_fallback_endpoints). Passed through only when set.
      - Needs Vault 1.19 or later (see O(sts_region)).
    type: list
    elements: str
  max_retries:
    description: Retries the engine makes on AWS errors; V(-1) means the AWS SDK default.
    type: int
  username_template:
    description: Template for the names of the IAM users the engine creates.
    type: str
  role_arn:
    description:
      - Role to assume with plugin workload identity federation (Vault Enterprise).
      - Passed through only when set.
    type: str
  identity_token_audience:
    description: Audience of the identity token (Vault Enterprise). Passed through only when set.
    type: str
  identity_token_ttl:
    description: TTL of the identity token (Vault Enterprise). Passed through only when set.
    type: raw
  lease:
    description: Default lease of issued credentials (C(config/lease)), in seconds or as a duration.
    type: raw
  lease_max:
    description: Maximum lease of issued credentials (C(config/lease)), in seconds or as a duration.
    type: raw
seealso:
  - module: vaultops.cloud.secrets_engine
  - module: vaultops.cloud.aws_secrets_role
  - module: vaultops.cloud.aws_secrets_rotate_root
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Connect the engine to AWS
  vaultops.cloud.aws_secrets_config:
    mount_point: aws
    access_key: "{{ vault_aws_root_access_key }}"
    secret_key: "{{ vault_aws_root_secret_key }}"
    region: eu-west-1
    lease: 30m
    lease_max: 12h
"""

RETURN = r"""
config:
  description: The configuration after the change (predicted in check mode); the secret key is masked.
  returned: when a root option is set
  type: dict
  sample:
    access_key: AKIAEXAMPLE
    region: eu-west-1
    secret_key: "********"
lease:
  description: The lease configuration, in seconds.
  returned: when O(lease) is set
  type: dict
  sample: {lease: 1800, lease_max: 43200}
secret_key_written:
  description: Whether O(secret_key) was sent to Vault (or would be, in check mode).
  returned: when a root option is set
  type: bool
update_secret:
  description: The O(update_secret) policy that decided RV(secret_key_written).
  returned: when a root option is set
  type: str
"""

import typing as t

from ansible_collections.vaultops.cloud.plugins.module_utils._aws import AWS_LEASE, AWS_ROOT, aws_root_payload
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._driver import Outcome
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def require_secret(changed: bool, secrets: dict[str, t.Any], payload: dict[str, t.Any]) -> None:
    if changed and payload.get("access_key") and not secrets:
        raise ValidationError(
            "secret_key",
            "is required to write config/root, because the engine replaces the configuration whole",
        )


def body(module: VaultModule) -> None:
    params = module.params
    want_root = desired(params, AWS_ROOT)
    want_lease = desired(params, AWS_LEASE)
    root_driver = module.driver(AWS_ROOT, params["mount_point"])
    lease_driver = module.driver(AWS_LEASE, params["mount_point"])
    # bad input fails before any request
    root_driver.validate(want_root)
    lease_driver.validate(want_lease)
    result: dict[str, t.Any] = {}
    parts: dict[str, Outcome] = {}

    if any(v is not None for v in want_root.fields.values()) or want_root.secrets:
        current = root_driver.read()
        # the engine replaces config/root whole, so a write without the secret key would drop it: refuse
        # before writing (and in check mode, tell the truth about what the real run would do)
        plan = root_driver.plan(want_root, current)
        require_secret(plan.changed, want_root.secrets, aws_root_payload(want_root.fields, current))
        root = root_driver.converge(want_root, current)
        parts["root"] = root
        result.update(
            config=root.after,
            secret_key_written=root.changed and bool(want_root.secrets),
            update_secret=params["update_secret"],
        )
    if any(v is not None for v in want_lease.fields.values()):
        lease = lease_driver.converge(want_lease)
        parts["lease"] = lease
        result["lease"] = lease.after
    combined = Outcome(
        changed=any(part.changed for part in parts.values()),
        before={name: part.before for name, part in parts.items()},
        after={name: part.after for name, part in parts.items()},
    )
    module.exit_outcome(combined, **result)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="aws"),
            access_key=dict(type="str", no_log=False),
            secret_key=dict(type="str", no_log=True),
            update_secret=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
            region=dict(type="str"),
            iam_endpoint=dict(type="str"),
            sts_endpoint=dict(type="str"),
            sts_region=dict(type="str"),
            sts_fallback_endpoints=dict(type="list", elements="str"),
            sts_fallback_regions=dict(type="list", elements="str"),
            max_retries=dict(type="int"),
            username_template=dict(type="str"),
            role_arn=dict(type="str"),
            identity_token_audience=dict(type="str", no_log=False),
            identity_token_ttl=dict(type="raw", no_log=False),
            rotation_period=dict(type="raw"),
            rotation_schedule=dict(type="str"),
            rotation_window=dict(type="raw"),
            disable_automated_rotation=dict(type="bool"),
            lease=dict(type="raw"),
            lease_max=dict(type="raw"),
        ),
        required_together=[("lease", "lease_max")],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
