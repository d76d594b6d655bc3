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

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import (
    GCP_IMPERSONATED_ACCOUNT,
    GCP_IMPERSONATED_OPTIONS,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    driver = module.driver(GCP_IMPERSONATED_ACCOUNT, module.params["mount_point"])
    outcome = driver.converge(desired(module.params, GCP_IMPERSONATED_ACCOUNT))
    if module.params["state"] == "absent":
        module.exit_outcome(outcome)
    module.exit_outcome(outcome, impersonated_account=outcome.after, recreated=outcome.recreated)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="gcp"), **GCP_IMPERSONATED_OPTIONS),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
