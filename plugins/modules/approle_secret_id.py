#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: approle_secret_id
short_description: Issue a secret-id of an AppRole role in Vault or OpenBao
version_added: 0.2.0
description:
  - Issues a new secret-id of the AppRole role O(role_name) (C(auth/<mount_point>/role/<role_name>/secret-id));
    with the role's C(role_id), it logs in.
  - This is an action, not a resource. Every run issues a new secret-id, and the module returns it because issuing it
    is the point. Run the task with C(no_log=true) so that the secret-id stays out of logs and callbacks; the module
    itself never puts it into a warning, an error or a diff.
  - With O(wrap_ttl), Vault wraps the answer and the module returns only RV(wrap_info), a single-use token that
    unwraps to the secret-id (C(sys/wrapping/unwrap)) within O(wrap_ttl); hand that to the consumer instead of the
    secret-id itself.
  - O(cidr_list) and O(token_bound_cidrs) are checked as CIDR blocks (or addresses), O(ttl) and O(wrap_ttl) as
    durations, before any request. The request is never retried unless it provably did not reach Vault, so that a
    retry cannot issue a second secret-id.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
attributes:
  check_mode:
    description: Checks the options and reports that a secret-id would be issued; sends no request and issues nothing.
    support: full
  diff_mode:
    description: Nothing to compare; no diff is returned.
    support: none
  idempotent:
    description: Every run issues a new secret-id.
    support: none
options:
  role_name:
    description: Name of the AppRole role.
    type: str
    required: true
  mount_point:
    description: Path of the AppRole auth method, without C(auth/).
    type: str
    default: approle
  metadata:
    description: Key-value metadata of the secret-id; Vault attaches it to the tokens of its logins (and the audit log).
    type: dict
  cidr_list:
    description: CIDR blocks (or addresses) the secret-id may log in from; within the role's O(cidr_list) bounds.
    type: list
    elements: str
  token_bound_cidrs:
    description: CIDR blocks (or addresses) the tokens of its logins may be used from.
    type: list
    elements: str
  ttl:
    description: How long the secret-id stays valid, in seconds or as a duration; at most the role's C(secret_id_ttl).
    type: raw
  num_uses:
    description: How many logins the secret-id allows; at most the role's C(secret_id_num_uses).
    type: int
  wrap_ttl:
    description: Wrap the answer in a single-use token valid for this long (seconds or a duration such as V(2m)).
    type: raw
seealso:
  - module: vaultops.cloud.approle_role
  - name: Response wrapping
    description: How a wrapped secret-id reaches its consumer.
    link: https://developer.hashicorp.com/vault/docs/concepts/response-wrapping
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: A secret-id for one deploy run, valid 10 minutes, one login, from the runners' network
  vaultops.cloud.approle_secret_id:
    role_name: deploy
    ttl: 10m
    num_uses: 1
    cidr_list: [10.20.0.0/16]
    metadata:
      pipeline: release
  register: deploy_secret
  no_log: true

- name: A wrapped secret-id to hand over
  vaultops.cloud.approle_secret_id:
    role_name: deploy
    wrap_ttl: 2m
  register: wrapped
  no_log: true
"""

RETURN = r"""
secret_id:
  description: The secret-id. Not returned with O(wrap_ttl) or in check mode.
  returned: success, without O(wrap_ttl)
  type: str
  sample: 55fe6fb1-cdf9-653e-5267-9b78a4f3729c
secret_id_accessor:
  description: The accessor of the secret-id (to look it up or destroy it without knowing it).
  returned: success, without O(wrap_ttl)
  type: str
  sample: d0c11830-12d0-167d-52d2-736dd295fd91
secret_id_ttl:
  description: Seconds the secret-id stays valid; V(0) for ever.
  returned: success, without O(wrap_ttl)
  type: int
  sample: 600
secret_id_num_uses:
  description: Logins the secret-id allows; V(0) for no limit.
  returned: success, without O(wrap_ttl)
  type: int
  sample: 1
wrap_info:
  description: The wrapping token and its details.
  returned: success, with O(wrap_ttl)
  type: dict
  contains:
    token:
      description: The single-use token that unwraps to the secret-id.
      type: str
    accessor:
      description: The accessor of the wrapping token.
      type: str
    ttl:
      description: Seconds the wrapping token stays valid.
      type: int
    creation_time:
      description: When the wrapping token was created.
      type: str
    creation_path:
      description: The path whose answer it wraps.
      type: str
  sample:
    token: hvs.CAES...
    accessor: N4vOwhTqkZqXDQwppMwFRRLq
    ttl: 120
    creation_time: "2026-11-30T12:19:52Z"
    creation_path: auth/approle/role/deploy/secret-id
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._auth import (
    APPROLE_NAME,
    SECRET_ID_OPTIONS,
    auth_mount,
    issue_secret_id,
    secret_id_request,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._compare import duration_to_seconds
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def body(module: VaultModule) -> None:
    params = module.params
    mount = auth_mount(params["mount_point"])
    role = APPROLE_NAME.check(params["role_name"], "role_name")
    request = secret_id_request(params)
    wrap_ttl = duration_to_seconds(params["wrap_ttl"], "wrap_ttl") if params["wrap_ttl"] not in (None, "") else None
    if module.check_mode:
        module.exit_json(changed=True)
    issued = issue_secret_id(module.client, mount, role, request, wrap_ttl=wrap_ttl)
    module.exit_json(changed=True, **issued)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="approle"), **SECRET_ID_OPTIONS),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
