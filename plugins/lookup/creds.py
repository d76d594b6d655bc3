# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: creds
short_description: Issue short-lived cloud credentials from a Vault secrets engine
version_added: 0.1.0
description:
  - Asks a cloud secrets engine for a new credential for each role named in the terms, and returns one dict per
    term with the keys and the lease.
  - "B(Lookups are evaluated lazily.) A lookup placed in C(vars:) runs again at every reference, for every host.
    Each run of this lookup creates a new credential (on AWS a new IAM user). Evaluate it once: store the result
    with M(ansible.builtin.set_fact) (with C(no_log: true)), or use the module M(vaultops.cloud.creds) with
    C(register)."
  - As a safety net, O(cache) (on by default) makes the same request within one C(ansible-playbook) run return the
    same credential instead of minting another, even across hosts and forks.
  - A request for credentials is tried again only where Vault cannot have acted on it (connection refused, sealed
    node, standby without a leader), since a repeated request would mint a second credential.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.connection.PLUGINS
options:
  _terms:
    description: Names of the roles to issue credentials for.
    type: list
    elements: str
    required: true
  engine:
    description: The secrets engine type.
    type: str
    choices: [aws, gcp, azure, alicloud]
    default: aws
  mount_point:
    description: Mount of the engine; defaults to the engine's name.
    type: str
  kind:
    description:
      - O(engine=aws) only. V(creds) reads C(creds/<role>), V(sts) reads C(sts/<role>) (the engine's STS path,
        which takes O(ttl)), V(static-creds) reads the current keys of a static role.
    type: str
    choices: [creds, sts, static-creds]
    default: creds
  ttl:
    description: Requested lifetime of AWS STS credentials or of a GCP service account key, in seconds or as a duration.
    type: raw
  role_arn:
    description: Which of the role's O(role_arn)s to assume, when it has several (V(assumed_role)).
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
    description:
      - Prove the credential works before returning it, by calling STS C(GetCallerIdentity) with it until
        O(wait_successes) calls in a row succeed, or fail after O(wait_timeout) seconds.
      - Needs the Python library botocore on the controller. The caller ARN is returned as RV(_raw[].arn).
    type: bool
    default: false
  wait_sts_endpoint:
    description: STS endpoint for O(wait_until_valid); defaults to the public AWS endpoint of O(wait_region).
    type: str
    env:
      - name: VAULTOPS_CLOUD_STS_ENDPOINT
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
  cache:
    description:
      - Return the same credential for the same request within one C(ansible-playbook) run.
      - The cache is a folder under C(~/.ansible/tmp) readable only by the user, removed by the next run once this one
        has ended; entries expire with their lease.
    type: bool
    default: true
seealso:
  - module: vaultops.cloud.creds
  - module: vaultops.cloud.lease
  - name: Lazy evaluation of lookups
    description: Why a lookup in vars runs at every reference.
    link: https://docs.ansible.com/ansible/latest/plugins/lookup.html
author:
  - vaultops.cloud maintainers (@vaultops)
notes:
  - "The credential is a secret. Mark tasks that show or pass it with C(no_log: true)."
"""

EXAMPLES = r"""
# Evaluate once and keep the result: the lookup itself would run at every reference.
- name: Get AWS credentials for the deploy role
  ansible.builtin.set_fact:
    aws_creds: "{{ lookup('vaultops.cloud.creds', 'deploy', engine='aws') }}"
  no_log: true

- name: Use them
  amazon.aws.aws_caller_info:
    access_key: "{{ aws_creds.access_key }}"
    secret_key: "{{ aws_creds.secret_key }}"
    session_token: "{{ aws_creds.security_token | default(omit, true) }}"

- name: STS credentials for 15 minutes, proven to work before use
  ansible.builtin.set_fact:
    sts_creds: >-
      {{ lookup('vaultops.cloud.creds', 'deploy-assumed', kind='sts', ttl='15m', wait_until_valid=true) }}
  no_log: true

- name: Give the credential back when done
  vaultops.cloud.lease:
    lease_id: "{{ aws_creds.lease_id }}"
"""

RETURN = r"""
_raw:
  description: One credential per term.
  type: list
  elements: dict
  contains:
    access_key:
      description: Access key ID.
      type: str
    secret_key:
      description: Secret access key.
      type: str
    security_token:
      description: Session token of STS credentials; V(null) for IAM user keys.
      type: str
    arn:
      description: ARN of the assumed role, or the caller ARN when O(wait_until_valid) is set.
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

import typing as t

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

from ansible_collections.vaultops.cloud.plugins.module_utils._client import (
    HVAC_IMPORT_ERROR,
    ConnectionOptions,
    VaultClient,
    VaultOpsError,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._creds import CredsRequest, WaitOptions, issue_checked
from ansible_collections.vaultops.cloud.plugins.plugin_utils._cache import RunCache


class LookupModule(LookupBase):
    def run(
        self, terms: list[t.Any], variables: dict[str, t.Any] | None = None, **kwargs: t.Any
    ) -> list[dict[str, t.Any]]:
        if HVAC_IMPORT_ERROR is not None:
            raise AnsibleError(f"the creds lookup needs the Python library hvac: {HVAC_IMPORT_ERROR}")
        self.set_options(var_options=variables, direct=kwargs)
        try:
            options = ConnectionOptions.from_getter(self._option)
            wait = WaitOptions.from_getter(self.get_option)
            cache = RunCache() if self.get_option("cache") else None
            client: VaultClient | None = None
            results: list[dict[str, t.Any]] = []
            for term in terms:
                request = CredsRequest.from_getter(str(term), self.get_option)
                request.validate()

                def fresh(request: CredsRequest = request) -> dict[str, t.Any]:
                    nonlocal client
                    if client is None:
                        client = VaultClient(options).login()
                    return issue_checked(client, request, wait)

                if cache is None:
                    results.append(fresh())
                else:
                    results.append(cache.get_or_issue(self._cache_identity(options, request), fresh))
            return results
        except ValidationError as exc:
            raise AnsibleError(f"vaultops.cloud.creds: invalid value for {exc.field}: {exc.reason}") from None
        except VaultOpsError as exc:
            raise AnsibleError(f"vaultops.cloud.creds: {exc}") from None

    @staticmethod
    def _cache_identity(options: ConnectionOptions, request: CredsRequest) -> dict[str, t.Any]:
        """The same request, to the same server, by the same identity (hashed: no secret in the key)."""
        who = RunCache.key(
            {
                "auth": options.auth_method,
                "token": options.token,
                "role_id": options.role_id,
                "username": options.username,
                "jwt": options.jwt,
            }
        )
        return dict(request.identity(), url=options.url, namespace=options.namespace, who=who)

    def _option(self, name: str) -> t.Any:
        try:
            return self.get_option(name)
        except KeyError:
            return None
