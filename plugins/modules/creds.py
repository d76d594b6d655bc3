#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: creds
short_description: Issue short-lived cloud credentials from a Vault secrets engine
version_added: 0.1.0
description:
  - The module twin of the lookup P(vaultops.cloud.creds#lookup). Use it with C(register) to issue a credential once
    and reuse it across tasks; a task runs once per host, so each host gets its own credential
    (use C(run_once) to share one).
  - The result holds the secret, so set C(no_log) on the task.
  - The request is tried again only where Vault cannot have acted on it (connection refused, sealed node, standby
    without a leader), since a repeated request would mint a second credential.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.creds
  - vaultops.cloud.attributes
attributes:
  check_mode:
    description: Checks the request and issues nothing in check mode; returns no credential.
    support: full
  diff_mode:
    description: No diff is returned.
    support: none
  idempotent:
    description: Every run issues a new credential.
    support: none
options:
  role:
    description: Role to issue the credential for.
    type: str
    required: true
    aliases: [name]
notes:
  - The module keeps no cache and has no O(vaultops.cloud.creds#lookup:revoke_at_end) (it runs where the task runs
    and its result is hidden by C(no_log)); to give the credential back also after a failed task, revoke its lease
    with M(vaultops.cloud.lease) in the C(always) part of a C(block).
  - The module has no O(vaultops.cloud.creds#lookup:renew) either, for the same reason. The renewals are made by the
    callback P(vaultops.cloud.run_end#callback) in the C(ansible-playbook) process, which learns of a lease only
    from the lookup (a module runs in a process of its own, often on another host, and its result is hidden by
    C(no_log)). To keep a module's credential alive through a long play, renew its lease with
    M(vaultops.cloud.lease) (C(state=renewed)) between long steps, or issue it with the lookup and
    O(vaultops.cloud.creds#lookup:renew=true).
seealso:
  - plugin: vaultops.cloud.creds
    plugin_type: lookup
  - module: vaultops.cloud.lease
  - plugin: vaultops.cloud.run_end
    plugin_type: callback
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Issue AWS credentials once for the whole play
  vaultops.cloud.creds:
    role: deploy
  register: deploy_creds
  run_once: true
  no_log: true

- name: Use them
  amazon.aws.s3_bucket_info:
    access_key: "{{ deploy_creds.credentials.access_key }}"
    secret_key: "{{ deploy_creds.credentials.secret_key }}"
"""

RETURN = r"""
credentials:
  description:
    - The credential, the same dict as one element of the lookup's result. Its fields per engine are listed in
      the notes above.
  returned: success, not in check mode
  type: dict
  sample:
    access_key: AKIAIOSFODNN7EXAMPLE
    secret_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    security_token: null
    lease_id: aws/creds/deploy/h2Jm9Qq8
    lease_duration: 3600
    renewable: true
    expires_at: "2026-01-01T13:00:00Z"
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._creds import (
    CredsRequest,
    WaitOptions,
    check_request,
    issue_checked,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def body(module: VaultModule) -> None:
    params = module.params
    request = CredsRequest.from_getter(params["role"], params.get)
    wait = WaitOptions.from_getter(params.get)
    check_request(request, wait)
    module.warn_auth_mount(request.mount_point, request.engine)
    if module.check_mode:
        module.exit_json(changed=True, msg="check mode: no credential issued")
    creds = issue_checked(module.client, request, wait)
    module.exit_json(changed=True, credentials=creds)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            role=dict(type="str", required=True, aliases=["name"]),
            engine=dict(type="str", default="aws", choices=["aws", "gcp", "azure", "alicloud"]),
            source=dict(type="str", default="roleset", choices=["roleset", "static-account", "impersonated-account"]),
            secret_type=dict(
                type="str", default="access_token", choices=["access_token", "service_account_key"], no_log=False
            ),
            key_algorithm=dict(type="str", no_log=False),
            key_type=dict(type="str", no_log=False),
            mount_point=dict(type="str"),
            kind=dict(type="str", default="creds", choices=["creds", "sts", "static-creds"]),
            ttl=dict(type="raw"),
            role_arn=dict(type="str"),
            role_session_name=dict(type="str"),
            wait_until_valid=dict(type="bool", default=False),
            wait_endpoint=dict(type="str"),
            wait_sts_endpoint=dict(type="str"),
            wait_region=dict(type="str", default="us-east-1"),
            wait_tenant_id=dict(type="str"),
            wait_subscription_id=dict(type="str"),
            wait_successes=dict(type="int", default=3),
            wait_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
