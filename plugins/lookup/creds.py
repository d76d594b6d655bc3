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
  - vaultops.cloud.creds
  - vaultops.cloud.creds.PLUGINS
options:
  _terms:
    description: Names of the roles to issue credentials for.
    type: list
    elements: str
    required: true
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
  - The lookup runs on the controller and knows nothing of check mode; it issues credentials in check mode too.
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
  description:
    - One credential per term, each the same dict as the module's RV(vaultops.cloud.creds#module:credentials).
      Its fields per engine are listed in the notes above.
  type: list
  elements: dict
  sample:
    - access_key: AKIAIOSFODNN7EXAMPLE
      secret_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
      security_token: null
      lease_id: aws/creds/deploy/h2Jm9Qq8
      lease_duration: 3600
      renewable: true
      expires_at: "2026-01-01T13:00:00Z"
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
from ansible_collections.vaultops.cloud.plugins.module_utils._creds import (
    CredsRequest,
    WaitOptions,
    check_request,
    issue_checked,
)
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
            requests = [CredsRequest.from_getter(str(term), self.get_option) for term in terms]
            for request in requests:  # every term is checked before the first request
                check_request(request, wait)
            results: list[dict[str, t.Any]] = []
            for request in requests:

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
