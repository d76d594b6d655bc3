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
      - The cache is a folder under C(~/.ansible/tmp/vaultops-creds) (or C($VAULTOPS_CREDS_CACHE_DIR)) readable only
        by the user. The callback P(vaultops.cloud.run_end#callback), enabled in C(ansible.cfg), removes it when the
        run ends (also after a failed task, Ctrl-C or SIGTERM) and drops a credential from it as soon as
        M(vaultops.cloud.lease) revokes its lease. The folder of a run that was killed with SIGKILL is removed
        when the next run starts. Without the callback, the folder stays until the next run's first lookup removes it.
      - An entry is never returned after 90% of its lease duration has passed.
    type: bool
    default: true
  revoke_at_end:
    description:
      - Revoke the leases of the credentials this lookup returns when the C(ansible-playbook) run ends, also after a
        failed task, Ctrl-C or SIGTERM (on AWS IAM user credentials, the engine deletes the IAM user).
      - Needs the callback P(vaultops.cloud.run_end#callback) enabled in C(ansible.cfg), which revokes them with the
        connection and login options of this lookup (kept in the cache folder until the run ends).
      - A run killed with SIGKILL revokes nothing; its credentials end with their lease.
    type: bool
    default: false
  renew:
    description:
      - Keep the leases of the credentials this lookup returns alive for as long as the C(ansible-playbook) run
        lasts. At every task boundary the callback P(vaultops.cloud.run_end#callback) renews a lease once less than
        O(renew_fraction) of its TTL is left, asking for the lease's first TTL again each time.
      - Vault caps every renewal at the role's (or mount's) max TTL; a lease that can no longer be renewed (its max
        TTL reached, or its renewal refused) is reported once as a warning naming the role and the time it ends.
      - Renewals happen only between tasks; a single task that runs longer than the TTL left still loses the lease.
      - Needs the callback P(vaultops.cloud.run_end#callback) enabled in C(ansible.cfg), which renews with the
        connection and login options of this lookup (kept in the cache folder until the run ends). Together with
        O(revoke_at_end), the renewed leases are revoked when the run ends.
      - Only renewable leases (on AWS C(iam_user) credentials) can be renewed; STS credentials cannot.
    type: bool
    default: false
  renew_fraction:
    description:
      - With O(renew), renew a lease when less than this fraction of its TTL is left (between V(0) and V(1)).
    type: float
    default: 0.5
  issue_in_check_mode:
    description:
      - In check mode (C(--check), seen through the variable C(ansible_check_mode)) the lookup issues nothing and
        returns, for each term, a placeholder dict with C(check_mode=true), the credential's keys set to V(null),
        C(lease_id=null) and C(lease_duration=0), so that tasks that reference its fields still template.
      - Set V(true) to issue real credentials in check mode too.
      - A task's own C(check_mode) keyword is not visible to a lookup; only the run's C(--check) is.
    type: bool
    default: false
seealso:
  - module: vaultops.cloud.creds
  - module: vaultops.cloud.lease
  - plugin: vaultops.cloud.run_end
    plugin_type: callback
  - name: Lazy evaluation of lookups
    description: Why a lookup in vars runs at every reference.
    link: https://docs.ansible.com/ansible/latest/plugins/lookup.html
author:
  - vaultops.cloud maintainers (@vaultops)
notes:
  - "Enable the callback P(vaultops.cloud.run_end#callback) in C(ansible.cfg) (C(callbacks_enabled =
    vaultops.cloud.run_end)): it removes the cache when the run ends, forgets revoked credentials and carries out
    O(revoke_at_end)."
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

- name: Credentials that are revoked when the run ends, also when a task fails (needs the run_end callback)
  ansible.builtin.set_fact:
    build_creds: "{{ lookup('vaultops.cloud.creds', 'deploy', revoke_at_end=true) }}"
  no_log: true

- name: IAM user credentials kept alive through a long play, revoked at its end (needs the run_end callback)
  ansible.builtin.set_fact:
    long_creds: "{{ lookup('vaultops.cloud.creds', 'deploy', ttl='15m', renew=true, revoke_at_end=true) }}"
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

import dataclasses
import typing as t

from ansible import context
from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

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
    placeholder,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import auth_mount_warning
from ansible_collections.vaultops.cloud.plugins.plugin_utils._cache import RunCache

display = Display()


class LookupModule(LookupBase):
    def run(
        self, terms: list[t.Any], variables: dict[str, t.Any] | None = None, **kwargs: t.Any
    ) -> list[dict[str, t.Any]]:
        if HVAC_IMPORT_ERROR is not None:
            raise AnsibleError(f"the creds lookup needs the Python library hvac: {HVAC_IMPORT_ERROR}")
        self.set_options(var_options=variables, direct=kwargs)
        try:
            options = ConnectionOptions.from_getter(self._option, origin=self._origin)
            wait = WaitOptions.from_getter(self.get_option)
            requests = [CredsRequest.from_getter(str(term), self.get_option) for term in terms]
            for request in requests:  # every term is checked before the first request
                check_request(request, wait)
            warning = auth_mount_warning(requests[0].mount_point, requests[0].engine) if requests else None
            if warning:
                display.warning(f"vaultops.cloud.creds: {warning}")
            if check_mode(variables) and not self.get_option("issue_in_check_mode"):
                return [placeholder(request) for request in requests]
            revoke_at_end = bool(self.get_option("revoke_at_end"))
            renew = bool(self.get_option("renew"))
            fraction = float(self.get_option("renew_fraction"))
            if renew and not 0 < fraction < 1:
                raise ValidationError("renew_fraction", f"must be between 0 and 1, got {fraction:g}")
            run = RunCache() if self.get_option("cache") or revoke_at_end or renew else None
            cache = run if self.get_option("cache") else None
            client: VaultClient | None = None
            results: list[dict[str, t.Any]] = []
            for request in requests:

                def fresh(request: CredsRequest = request) -> dict[str, t.Any]:
                    nonlocal client
                    if client is None:
                        client = VaultClient(options).login()
                    return issue_checked(client, request, wait)

                identity = self._cache_identity(options, request)
                creds = fresh() if cache is None else cache.get_or_issue(identity, fresh)
                renewing = renew and bool(creds.get("lease_id") and creds.get("renewable"))
                renewing = renewing and int(creds.get("lease_duration") or 0) > 0
                if renew and not renewing:
                    display.warning(
                        f"vaultops.cloud.creds: renew: the credential of role {request.role} is not renewable;"
                        f" it ends after {int(creds.get('lease_duration') or 0)}s"
                    )
                if run is not None and creds.get("lease_id"):
                    run.register(
                        creds["lease_id"],
                        revoke_at_end=revoke_at_end,
                        connection=dataclasses.asdict(options) if revoke_at_end or renewing else None,
                        renew={"role": request.role, "ttl": creds["lease_duration"], "fraction": fraction}
                        if renewing
                        else None,
                    )
                results.append(creds)
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

    def _origin(self, name: str) -> str | None:
        """Where an option's value came from: the lookup's keyword, a variable, an environment variable, a file."""
        try:
            origin = str(self.get_option_and_origin(name)[1] or "")
        except KeyError:
            return None
        if origin == "Direct":
            return f"the lookup's {name} option"
        if origin.startswith(("var: ", "env: ")):
            return f"the {'variable' if origin.startswith('var') else 'environment variable'} {origin[5:]}"
        return origin or None


def check_mode(variables: t.Mapping[str, t.Any] | None) -> bool:
    """Whether the run is in check mode: the variable ``ansible_check_mode`` (set from ``--check``), else the CLI."""
    if variables and "ansible_check_mode" in variables:
        return bool(variables["ansible_check_mode"])
    return bool(context.CLIARGS.get("check", False))
