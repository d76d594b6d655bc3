#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gcp_secrets_static_account
short_description: Manage a static account of a Vault Google Cloud secrets engine
version_added: 0.1.0
description:
  - Creates, updates or deletes C(static-account/<name>) of a Google Cloud secrets engine. A static account puts
    an existing service account under the engine, which issues access tokens or service account keys for it
    and can grant it IAM roles (O(bindings)).
  - The engine keeps the service account when the static account is deleted; it removes the bindings it made
    and the key behind its access tokens.
  - O(bindings) are compared as data (resources and sets of roles) and sent only when they differ; the engine
    then adds and removes IAM policy bindings to match. V({}) removes every binding. Unset, bindings are left
    as they are.
  - The engine cannot change O(service_account_email) or O(secret_type) of an existing static account. Such a
    change fails, naming the field, unless O(recreate=true), which deletes the static account and creates it
    again.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  name:
    description: Name of the static account in Vault.
    type: str
    required: true
  mount_point:
    description: Mount of the Google Cloud secrets engine.
    type: str
    default: gcp
  state:
    description: Whether the static account should exist.
    type: str
    choices: [present, absent]
    default: present
  service_account_email:
    description:
      - Email of the existing service account. Required to create a static account; fixed afterwards.
      - Compared without regard to case, as Google reports it in lower case.
    type: str
  secret_type:
    description:
      - What the static account issues. Fixed once it exists.
      - When creating, the engine's default V(access_token) applies if unset.
    type: str
    choices: [access_token, service_account_key]
  bindings:
    description:
      - IAM roles to grant the service account on each resource, as a dict of resource name to a list of roles,
        or as a list of dicts with C(resource) and C(roles). A string in the engine's HCL or JSON format is
        accepted too.
      - Roles have the form V(roles/NAME), V(projects/PROJECT/roles/NAME) or V(organizations/ORG/roles/NAME).
    type: raw
  token_scopes:
    description:
      - OAuth scopes of the access tokens. Required to create an V(access_token) static account; refused for
        V(service_account_key), which the engine ignores them for.
    type: list
    elements: str
  recreate:
    description:
      - Delete and recreate the static account when O(service_account_email) or O(secret_type) differs from the
        existing one. Options left unset are carried over.
    type: bool
    default: false
notes:
  - Every write calls Google (the engine checks that the service account exists); the engine's credentials need
    to read the service account, create its keys and set IAM policies on the bound resources.
seealso:
  - module: vaultops.cloud.gcp_secrets_config
  - module: vaultops.cloud.gcp_secrets_roleset
  - module: vaultops.cloud.gcp_secrets_impersonated_account
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Issue access tokens for an existing service account
  vaultops.cloud.gcp_secrets_static_account:
    name: ci
    service_account_email: ci-runner@my-project.iam.gserviceaccount.com
    secret_type: access_token
    token_scopes:
      - https://www.googleapis.com/auth/cloud-platform

- name: Issue keys, and let the engine grant the account one role on a bucket
  vaultops.cloud.gcp_secrets_static_account:
    name: backup
    service_account_email: backup@my-project.iam.gserviceaccount.com
    secret_type: service_account_key
    bindings:
      "//storage.googleapis.com/projects/_/buckets/my-backups":
        - roles/storage.objectAdmin
"""

RETURN = r"""
static_account:
  description: The static account after the change (predicted in check mode), bindings as resource to sorted roles.
  returned: when O(state=present)
  type: dict
  sample:
    service_account_email: ci-runner@my-project.iam.gserviceaccount.com
    secret_type: access_token
    token_scopes: ["https://www.googleapis.com/auth/cloud-platform"]
    bindings: {}
recreated:
  description: Whether the static account was deleted and created again (O(recreate)).
  returned: when O(state=present)
  type: bool
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import GCP_STATIC_ACCOUNT, GCP_STATIC_ACCOUNT_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    driver = module.driver(GCP_STATIC_ACCOUNT, module.params["mount_point"])
    outcome = driver.converge(desired(module.params, GCP_STATIC_ACCOUNT))
    if module.params["state"] == "absent":
        module.exit_outcome(outcome)
    module.exit_outcome(outcome, static_account=outcome.after, recreated=outcome.recreated)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="gcp"), **GCP_STATIC_ACCOUNT_OPTIONS),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
