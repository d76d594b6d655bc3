#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gcp_secrets_roleset
short_description: Manage a roleset of a Vault Google Cloud secrets engine
version_added: 0.1.0
description:
  - Creates, updates or deletes C(roleset/<name>) of a Google Cloud secrets engine. For a roleset the engine
    creates a service account of its own in O(project), grants it the roles in O(bindings), and issues
    access tokens or service account keys for it.
  - B(A change of bindings replaces the service account.) The engine creates a new account with the new
    bindings and deletes the old one, so every token and key issued under the roleset before stops working
    at once. The module therefore sends O(bindings) only when they differ as data from what the engine has
    (resources and sets of roles; order and repeats do not count), and says so in RV(new_service_account).
  - A change of O(token_scopes) alone keeps the service account.
  - The engine cannot change O(project) or O(secret_type) of an existing roleset. Such a change fails, naming the
    field, unless O(recreate=true), which deletes the roleset (and its service account) and creates it again.
  - Only the options you set are compared and sent.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  name:
    description: Name of the roleset.
    type: str
    required: true
  mount_point:
    description: Mount of the Google Cloud secrets engine.
    type: str
    default: gcp
  state:
    description:
      - Whether the roleset should exist.
      - Deleting a roleset deletes its service account, so its tokens and keys stop working.
    type: str
    choices: [present, absent]
    default: present
  project:
    description: Project the roleset's service account lives in. Required to create a roleset; fixed afterwards.
    type: str
  secret_type:
    description:
      - What the roleset issues. Fixed once the roleset exists.
      - When creating a roleset, the engine's default V(access_token) applies if unset.
    type: str
    choices: [access_token, service_account_key]
  bindings:
    description:
      - The IAM roles to grant on each resource, as a dict of resource name to a list of roles, or as a list of
        dicts with C(resource) and C(roles). Required to create a roleset; a roleset cannot be without bindings.
      - Resources are named as the engine expects, for example
        V(//cloudresourcemanager.googleapis.com/projects/my-project) or V(projects/my-project/topics/my-topic).
      - Roles have the form V(roles/NAME), V(projects/PROJECT/roles/NAME) or V(organizations/ORG/roles/NAME).
      - A string in the engine's own HCL or JSON bindings format is accepted too.
      - See the description for what a change does.
    type: raw
  token_scopes:
    description:
      - OAuth scopes of the access tokens. Required to create an V(access_token) roleset; refused for
        V(service_account_key), which the engine ignores them for.
    type: list
    elements: str
  recreate:
    description:
      - Delete and recreate the roleset when O(project) or O(secret_type) differs from the existing one.
      - Options left unset are carried over from the existing roleset.
    type: bool
    default: false
notes:
  - Creating a roleset and changing its bindings call Google; the engine's credentials
    (M(vaultops.cloud.gcp_secrets_config)) need to be allowed to create service accounts and keys and to set
    IAM policies on the bound resources.
seealso:
  - module: vaultops.cloud.gcp_secrets_config
  - module: vaultops.cloud.gcp_secrets_static_account
  - module: vaultops.cloud.gcp_secrets_rotate_root
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: A roleset whose access tokens may read one project and its buckets
  vaultops.cloud.gcp_secrets_roleset:
    name: reader
    project: my-project
    secret_type: access_token
    token_scopes:
      - https://www.googleapis.com/auth/cloud-platform
    bindings:
      "//cloudresourcemanager.googleapis.com/projects/my-project":
        - roles/viewer
        - roles/storage.objectViewer

- name: A roleset that issues service account keys, bindings as a list
  vaultops.cloud.gcp_secrets_roleset:
    name: deployer
    project: my-project
    secret_type: service_account_key
    bindings:
      - resource: projects/my-project/topics/deploys
        roles: [roles/pubsub.publisher]

- name: Move a roleset to another project (a new service account; old secrets stop working)
  vaultops.cloud.gcp_secrets_roleset:
    name: reader
    project: other-project
    recreate: true

- name: Remove a roleset and its service account
  vaultops.cloud.gcp_secrets_roleset:
    name: reader
    state: absent
"""

RETURN = r"""
roleset:
  description: The roleset after the change (predicted in check mode), bindings as resource to sorted roles.
  returned: when O(state=present)
  type: dict
  sample:
    project: my-project
    secret_type: access_token
    token_scopes: ["https://www.googleapis.com/auth/cloud-platform"]
    bindings:
      "//cloudresourcemanager.googleapis.com/projects/my-project": [roles/storage.objectViewer, roles/viewer]
new_service_account:
  description:
    - Whether the engine creates (or would create, in check mode) a new service account for the roleset,
      on creation, recreation or a change of bindings. Tokens and keys issued before then stop working.
  returned: when O(state=present)
  type: bool
recreated:
  description: Whether the roleset was deleted and created again (O(recreate)).
  returned: when O(state=present)
  type: bool
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import (
    GCP_ROLESET,
    GCP_ROLESET_OPTIONS,
    new_service_account,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    outcome = module.driver(GCP_ROLESET, module.params["mount_point"]).converge(desired(module.params, GCP_ROLESET))
    if module.params["state"] == "absent":
        module.exit_outcome(outcome)
    module.exit_outcome(
        outcome,
        roleset=outcome.after,
        new_service_account=new_service_account(outcome),
        recreated=outcome.recreated,
    )


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="gcp"), **GCP_ROLESET_OPTIONS),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
