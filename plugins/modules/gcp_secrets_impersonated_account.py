#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gcp_secrets_impersonated_account
short_description: Manage an impersonated account of a Vault Google Cloud secrets engine
version_added: 0.1.0
description:
  - Creates, updates or deletes C(impersonated-account/<name>) of a Google Cloud secrets engine. The engine issues
    short-lived access tokens for an existing service account by impersonating it with its own credentials; it
    creates no keys and changes no IAM policy.
  - The engine's own service account needs C(roles/iam.serviceAccountTokenCreator) on the impersonated account.
  - The engine cannot change O(service_account_email) of an existing impersonated account. Such a change fails,
    naming the field, unless O(recreate=true), which deletes the impersonated account and creates it again.
  - Only the options you set are compared and sent.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  name:
    description: Name of the impersonated account in Vault.
    type: str
    required: true
  mount_point:
    description: Mount of the Google Cloud secrets engine.
    type: str
    default: gcp
  state:
    description: Whether the impersonated account should exist.
    type: str
    choices: [present, absent]
    default: present
  service_account_email:
    description:
      - Email of the service account to impersonate. Required to create; fixed afterwards.
      - Compared without regard to case, as Google reports it in lower case.
    type: str
  token_scopes:
    description: OAuth scopes of the access tokens. Required to create; cannot be empty.
    type: list
    elements: str
  ttl:
    description:
      - Lifetime of the access tokens, in seconds or as a duration. V(0) means the engine's default
        (O(vaultops.cloud.gcp_secrets_config#module:ttl)); the engine's maximum TTL caps it.
    type: raw
  recreate:
    description:
      - Delete and recreate the impersonated account when O(service_account_email) differs from the existing one.
        Options left unset are carried over.
    type: bool
    default: false
notes:
  - Creating and updating call Google (the engine checks that the service account exists).
seealso:
  - module: vaultops.cloud.gcp_secrets_config
  - module: vaultops.cloud.gcp_secrets_static_account
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Tokens of the deploy service account, valid for 15 minutes
  vaultops.cloud.gcp_secrets_impersonated_account:
    name: deploy
    service_account_email: deploy@my-project.iam.gserviceaccount.com
    token_scopes:
      - https://www.googleapis.com/auth/cloud-platform
    ttl: 15m
"""

RETURN = r"""
impersonated_account:
  description: The impersonated account after the change (predicted in check mode), TTL in seconds.
  returned: when O(state=present)
  type: dict
  sample:
    service_account_email: deploy@my-project.iam.gserviceaccount.com
    token_scopes: ["https://www.googleapis.com/auth/cloud-platform"]
    ttl: 900
recreated:
  description: Whether the impersonated account was deleted and created again (O(recreate)).
  returned: when O(state=present)
  type: bool
"""

import typing as t

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import (
    GCP_IMPERSONATED_IMMUTABLE,
    GCP_IMPERSONATED_SPEC,
    GcpEngine,
    check_name,
    reconcile_gcp,
    validate_gcp,
    validate_gcp_impersonated,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def body(module: VaultModule) -> None:
    params = module.params
    name = check_name(params["name"])
    state = params["state"]
    desired: dict[str, t.Any] = {}
    if state == "present":
        desired = validate_gcp({field: params.get(field) for field in GCP_IMPERSONATED_SPEC}, GCP_IMPERSONATED_SPEC)
    engine = GcpEngine(module.mounted(params["mount_point"], "gcp"), params["mount_point"])

    def warn(response: dict[str, t.Any] | None) -> None:
        for warning in (response or {}).get("warnings") or []:
            module.warn(f"Vault: {warning}")

    outcome, recreated = reconcile_gcp(
        what="impersonated account",
        name=name,
        state=state,
        desired=desired,
        current=engine.read_impersonated_account(name),
        spec=GCP_IMPERSONATED_SPEC,
        immutable=GCP_IMPERSONATED_IMMUTABLE,
        check=validate_gcp_impersonated,
        recreate=params["recreate"],
        check_mode=module.check_mode,
        write=lambda payload: warn(engine.write_impersonated_account(name, payload)),
        delete=lambda: engine.delete_impersonated_account(name),
    )
    if state == "absent":
        module.exit_outcome(outcome)
    module.exit_outcome(outcome, impersonated_account=outcome.after, recreated=recreated)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            mount_point=dict(type="str", default="gcp"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            service_account_email=dict(type="str"),
            token_scopes=dict(type="list", elements="str", no_log=False),
            ttl=dict(type="raw"),
            recreate=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
