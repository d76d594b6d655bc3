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

import typing as t

from ansible_collections.vaultops.cloud.plugins.module_utils._compare import ValidationError
from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import (
    GCP_ROLESET_IMMUTABLE,
    GCP_ROLESET_SPEC,
    GcpEngine,
    check_name,
    reconcile_gcp,
    validate_gcp,
    validate_gcp_roleset,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec


def body(module: VaultModule) -> None:
    params = module.params
    name = check_name(params["name"])
    if name != name.lower():
        raise ValidationError(
            "name",
            f"{name!r} has upper-case letters: the engine builds the service account ID from it, and Google "
            "accepts only lower-case letters, digits and '-' there",
        )
    state = params["state"]
    desired: dict[str, t.Any] = {}
    if state == "present":
        desired = validate_gcp({field: params.get(field) for field in GCP_ROLESET_SPEC}, GCP_ROLESET_SPEC)
    engine = GcpEngine(module.mounted(params["mount_point"], "gcp"), params["mount_point"])
    current = engine.read_roleset(name)

    def warn(response: dict[str, t.Any] | None) -> None:
        for warning in (response or {}).get("warnings") or []:
            module.warn(f"Vault: {warning}")

    outcome, recreated = reconcile_gcp(
        what="roleset",
        name=name,
        state=state,
        desired=desired,
        current=current,
        spec=GCP_ROLESET_SPEC,
        immutable=GCP_ROLESET_IMMUTABLE,
        check=validate_gcp_roleset,
        recreate=params["recreate"],
        check_mode=module.check_mode,
        write=lambda payload: warn(engine.write_roleset(name, payload)),
        delete=lambda: engine.delete_roleset(name),
    )
    if state == "absent":
        module.exit_outcome(outcome)
    new_account = outcome.changed and (current is None or recreated or "bindings" in outcome.changed_fields)
    module.exit_outcome(outcome, roleset=outcome.after, new_service_account=new_account, recreated=recreated)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            mount_point=dict(type="str", default="gcp"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            project=dict(type="str"),
            secret_type=dict(type="str", choices=["access_token", "service_account_key"], no_log=False),
            bindings=dict(type="raw"),
            token_scopes=dict(type="list", elements="str", no_log=False),
            recreate=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
