#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: lease
short_description: Renew or revoke Vault leases
version_added: 0.1.0
description:
  - Revokes one lease by its ID, or every lease under a prefix (for example all credentials of one role);
    revoking an AWS lease makes the engine delete the IAM user or key it created.
  - Renews a renewable lease.
  - Revoking is idempotent; a lease that no longer exists is reported as unchanged.
  - With the callback P(vaultops.cloud.run_end#callback) enabled, the credentials whose leases this module revokes
    are dropped from the cache of the lookup P(vaultops.cloud.creds#lookup) at once, so that the lookup never
    returns a revoked credential in the same run (with C(no_log) on the task, every cached credential of the run
    is dropped, since the result that names the leases is hidden).
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
attributes:
  check_mode:
    description: Looks the lease up and reports what would happen; revokes or renews nothing.
    support: full
  diff_mode:
    description: No diff is returned.
    support: none
  idempotent:
    description: V(revoked) is idempotent; V(renewed) extends the lease on every run.
    support: partial
options:
  lease_id:
    description:
      - The lease, as returned by the lookup or the module M(vaultops.cloud.creds)
        (RV(vaultops.cloud.creds#module:credentials)).
    type: str
  prefix:
    description: Revoke every lease under this prefix, such as V(aws/creds/deploy). Only with O(state=revoked).
    type: str
  state:
    description: What to do with the lease.
    type: str
    choices: [revoked, renewed]
    default: revoked
  increment:
    description:
      - Requested extension when renewing, in seconds or as a duration.
      - The engine decides what it grants; the AWS engine, for one, renews to its C(config/lease) and ignores it.
    type: raw
seealso:
  - module: vaultops.cloud.creds
  - plugin: vaultops.cloud.creds
    plugin_type: lookup
  - plugin: vaultops.cloud.run_end
    plugin_type: callback
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Revoke the credential at the end of the play
  vaultops.cloud.lease:
    lease_id: "{{ aws_creds.lease_id }}"
    state: revoked

- name: Revoke every credential issued for the deploy role
  vaultops.cloud.lease:
    prefix: aws/creds/deploy

- name: Keep a long job's credential alive one more hour
  vaultops.cloud.lease:
    lease_id: "{{ aws_creds.lease_id }}"
    state: renewed
    increment: 1h
"""

RETURN = r"""
lease_id:
  description: The lease acted on.
  returned: when O(lease_id) is set
  type: str
  sample: aws/creds/deploy/h2Jm9Qq8
revoked:
  description: Lease IDs that were revoked (or would be, in check mode).
  returned: when O(state=revoked)
  type: list
  elements: str
lease_duration:
  description: Seconds the renewed lease has left.
  returned: when O(state=renewed)
  type: int
  sample: 3600
"""

import typing as t

from ansible_collections.vaultops.cloud.plugins.module_utils._client import VaultOpsError
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import duration_to_seconds
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec
from ansible_collections.vaultops.cloud.plugins.module_utils._vault import Leases, lease_path


def body(module: VaultModule) -> None:
    params = module.params
    # bad input fails before any request, naming the field
    lease_id: str | None = lease_path(params["lease_id"]) if params["lease_id"] is not None else None
    prefix = lease_path(params["prefix"], "prefix") if params["prefix"] is not None else None
    increment = duration_to_seconds(params["increment"], "increment") if params["increment"] is not None else None
    leases = Leases(module.client)
    result: dict[str, t.Any] = {}
    if params["state"] == "revoked":
        if lease_id:
            found = [lease_id] if leases.lookup(lease_id) is not None else []
            result["lease_id"] = lease_id
        else:
            prefix = t.cast("str", prefix)
            found = [f"{prefix}/{key}" for key in leases.list_prefix(prefix)]
        if found and not module.check_mode:
            if lease_id:
                leases.revoke(lease_id)
            else:
                leases.revoke_prefix(prefix)
        module.exit_json(changed=bool(found), revoked=found, **result)

    if not lease_id:
        raise VaultOpsError("state=renewed needs lease_id")
    info = leases.lookup(lease_id)
    if info is None:
        raise VaultOpsError(f"lease {lease_id} does not exist or has expired", path="sys/leases/lookup")
    if not info.get("renewable"):
        raise VaultOpsError(f"lease {lease_id} is not renewable", path="sys/leases/lookup")
    if module.check_mode:
        module.exit_json(changed=True, lease_id=lease_id, lease_duration=int(info.get("ttl") or 0))
    renewed = leases.renew(lease_id, increment)
    module.exit_json(changed=True, lease_id=lease_id, lease_duration=int(renewed.get("lease_duration") or 0))


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            lease_id=dict(type="str", no_log=False),
            prefix=dict(type="str"),
            state=dict(type="str", default="revoked", choices=["revoked", "renewed"]),
            increment=dict(type="raw"),
        ),
        mutually_exclusive=[("lease_id", "prefix")],
        required_one_of=[("lease_id", "prefix")],
        required_if=[("state", "renewed", ("lease_id",))],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
