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
  - vaultops.cloud.attributes
attributes:
  check_mode:
    description: Issues nothing in check mode and returns no credential.
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
  engine:
    description: The secrets engine type.
    type: str
    choices: [aws, gcp, azure, alicloud]
    default: aws
  mount_point:
    description: Mount of the engine; defaults to the engine's name.
    type: str
  kind:
    description: V(creds), V(sts) or V(static-creds); see the lookup.
    type: str
    choices: [creds, sts, static-creds]
    default: creds
  ttl:
    description: Requested lifetime of AWS STS credentials or of a GCP service account key, in seconds or as a duration.
    type: raw
  role_arn:
    description: Which of the role's ARNs to assume (V(assumed_role)).
    type: str
  role_session_name:
    description: Session name for V(assumed_role) credentials.
    type: str
  source:
    description:
      - O(engine=gcp) only. Where the credential comes from, a roleset, a static account or an impersonated account.
    type: str
    choices: [roleset, static-account, impersonated-account]
    default: roleset
  secret_type:
    description:
      - O(engine=gcp) only. An OAuth2 access token or a new service account key.
    type: str
    choices: [access_token, service_account_key]
    default: access_token
  key_algorithm:
    description: O(engine=gcp) with O(secret_type=service_account_key) only. Key algorithm, such as V(KEY_ALG_RSA_2048).
    type: str
  key_type:
    description:
      - O(engine=gcp) with O(secret_type=service_account_key) only.
      - Key file format, such as V(TYPE_GOOGLE_CREDENTIALS_FILE).
    type: str
  wait_until_valid:
    description: Prove the credential works with STS C(GetCallerIdentity) before returning it (needs botocore).
    type: bool
    default: false
  wait_sts_endpoint:
    description: STS endpoint for O(wait_until_valid).
    type: str
  wait_region:
    description: Region for O(wait_until_valid).
    type: str
    default: us-east-1
  wait_successes:
    description: Successful calls in a row that O(wait_until_valid) requires.
    type: int
    default: 3
  wait_timeout:
    description: Seconds O(wait_until_valid) waits at most.
    type: int
    default: 60
seealso:
  - plugin: vaultops.cloud.creds
    plugin_type: lookup
  - module: vaultops.cloud.lease
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
  description: The credential, in the same shape as one element of the lookup's result.
  returned: success, not in check mode
  type: dict
  contains:
    access_key:
      description: Access key ID.
      type: str
    secret_key:
      description: Secret access key.
      type: str
    security_token:
      description: Session token of STS credentials.
      type: str
    arn:
      description: ARN of the assumed role, or the caller ARN with O(wait_until_valid).
      type: str
    lease_id:
      description: Lease to renew or revoke with M(vaultops.cloud.lease).
      type: str
    lease_duration:
      description: Seconds the credential is valid.
      type: int
    renewable:
      description: Whether the lease can be renewed.
      type: bool
    expires_at:
      description: When the lease ends, in UTC (ISO 8601).
      type: str
    client_id:
      description: O(engine=azure) only. Application (client) ID of the new service principal.
      type: str
    client_secret:
      description: O(engine=azure) only. Its secret.
      type: str
    token:
      description: O(engine=gcp) with O(secret_type=access_token) only. The OAuth2 access token.
      type: str
    token_ttl:
      description: O(engine=gcp) with O(secret_type=access_token) only. Seconds the token is valid.
      type: int
    private_key_data:
      description: O(engine=gcp) with O(secret_type=service_account_key) only. The key file, base64-encoded.
      type: str
    expiration:
      description: O(engine=alicloud) STS credentials only. When they expire, as AliCloud reports it.
      type: str
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._creds import CredsRequest, WaitOptions, issue_checked
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def body(module: VaultModule) -> None:
    params = module.params
    request = CredsRequest.from_getter(params["role"], params.get)
    request.validate()
    if module.check_mode:
        module.exit_json(changed=True, msg="check mode: no credential issued")
    creds = issue_checked(module.client, request, WaitOptions.from_getter(params.get))
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
            wait_sts_endpoint=dict(type="str"),
            wait_region=dict(type="str", default="us-east-1"),
            wait_successes=dict(type="int", default=3),
            wait_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
