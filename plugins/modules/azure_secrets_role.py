#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: azure_secrets_role
short_description: Manage a role of a Vault Azure secrets engine
version_added: 0.1.0
description:
  - Creates, updates or deletes C(roles/<name>) of an Azure secrets engine (vault-plugin-secrets-azure). A role
    either creates a service principal per credential, with O(azure_roles) and O(azure_groups), or adds a password
    to an existing application, with O(application_object_id).
  - Only the options you set are compared and sent; the engine keeps the others. Durations are compared in seconds,
    O(tags) as a set.
  - The engine looks up every item of O(azure_roles) and O(azure_groups) in Azure when the role is written, and
    stores the IDs and names Azure answers with. Items are therefore compared on what you gave. For O(azure_roles),
    on the scope without regard to case or a trailing C(/), and on the role ID (its GUID) when you gave one, else
    on the role name without regard to case. For O(azure_groups), on the object ID when you gave one, else on the
    group name without regard to case. The returned RV(role) and the diff show items in that lower-cased form.
  - Writing a role calls Azure, so the engine must be configured (M(vaultops.cloud.azure_secrets_config)) with
    working credentials. Check mode and an unchanged role call nothing but Vault.
  - Combinations the engine refuses or ignores fail before anything is written, naming the field.
    Examples are O(ttl) above O(max_ttl), or O(azure_roles) with O(application_object_id).
  - The engine stores the role under its name in lower case.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  name:
    description: Name of the role.
    type: str
    required: true
  mount_point:
    description: Mount of the Azure secrets engine.
    type: str
    default: azure
  state:
    description: Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
  azure_roles:
    description:
      - Azure roles to assign to each service principal the role creates, each at a scope.
      - V([]) removes them all.
      - Not used with O(application_object_id).
    type: list
    elements: dict
    suboptions:
      role_name:
        description: Name of the Azure role, such as V(Reader). It must match exactly one role definition.
        type: str
      role_id:
        description:
          - ID of the role definition, such as
            V(/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7).
          - Wins over O(azure_roles[].role_name) when both are given, as in the engine.
        type: str
      scope:
        description: Scope of the assignment, such as V(/subscriptions/<id>/resourceGroups/<group>). Required.
        type: str
  azure_groups:
    description:
      - Microsoft Entra groups to add each service principal to.
      - V([]) removes them all.
      - Not used with O(application_object_id).
    type: list
    elements: dict
    suboptions:
      group_name:
        description: Display name of the group. It must match exactly one group.
        type: str
      object_id:
        description: Object ID of the group. Wins over O(azure_groups[].group_name) when both are given.
        type: str
  application_object_id:
    description:
      - Object ID of an existing application. Credentials are then new passwords of that application.
      - Excludes O(azure_roles), O(azure_groups), O(persist_app) and O(permanently_delete=true).
      - V("") removes it from the role.
    type: str
  persist_app:
    description:
      - Create one application and service principal for the role when it is written, and issue passwords of it,
        instead of a new service principal per credential.
      - The engine then reports the application's object ID as C(application_object_id) of the role.
    type: bool
  ttl:
    description: Default lease of issued credentials, in seconds or as a duration; V(0) is the system default.
    type: raw
  max_ttl:
    description: Maximum lease of issued credentials, in seconds or as a duration; V(0) is the system default.
    type: raw
  explicit_max_ttl:
    description:
      - Lifetime of issued credentials in Azure, in seconds or as a duration; V(0) means no limit set by the role.
      - Leases cannot be renewed past it.
    type: raw
  permanently_delete:
    description:
      - Delete applications permanently on revocation, instead of leaving them in the deleted items.
      - When left out, the module sends the role's current value, since the engine would otherwise reset it.
      - Must be V(false) when the role has an application (O(application_object_id), or the one O(persist_app)
        created); the engine refuses every write to such a role otherwise.
    type: bool
  sign_in_audience:
    description: Who may sign in to the applications the role creates. Cannot be emptied again once set.
    type: str
    choices: [AzureADMyOrg, AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount, PersonalMicrosoftAccount]
  tags:
    description:
      - Tags for the applications the role creates, as a dict (sent as V(key:value)) or a list of strings.
      - Tags contain no spaces and are at most 256 characters long.
    type: raw
seealso:
  - module: vaultops.cloud.azure_secrets_config
  - module: vaultops.cloud.azure_secrets_roles
    description: Many roles in one task, with purge.
  - module: vaultops.cloud.azure_secrets_info
  - name: Azure secrets engine API
    description: The HTTP API of the engine's roles.
    link: https://developer.hashicorp.com/vault/api-docs/secret/azure#create-update-role
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: A role that creates a service principal with Reader on one resource group
  vaultops.cloud.azure_secrets_role:
    name: deploy
    azure_roles:
      - role_name: Reader
        scope: "/subscriptions/{{ azure_subscription_id }}/resourceGroups/releases"
    ttl: 1h
    max_ttl: 4h
    tags:
      team: platform

- name: A role that issues passwords of an existing application
  vaultops.cloud.azure_secrets_role:
    name: ci
    application_object_id: 11111111-2222-3333-4444-555555555555
    ttl: 30m

- name: A role with one persistent application that is a member of a group
  vaultops.cloud.azure_secrets_role:
    name: builder
    persist_app: true
    azure_groups:
      - group_name: build-agents
    azure_roles:
      - role_id: /providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c
        scope: "/subscriptions/{{ azure_subscription_id }}"

- name: Remove a role
  vaultops.cloud.azure_secrets_role:
    name: deploy
    state: absent
"""

RETURN = r"""
role:
  description:
    - The role after the change (predicted in check mode), normalised. Durations are in seconds.
    - Items of C(azure_roles) and C(azure_groups) are in the compared form (see the description).
  returned: when O(state=present)
  type: dict
  sample:
    azure_roles:
      - role_name: reader
        scope: /subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/releases
    azure_groups: []
    application_object_id: ""
    persist_app: false
    ttl: 3600
    max_ttl: 14400
    explicit_max_ttl: 0
    permanently_delete: false
    sign_in_audience: ""
    tags:
      - "team:platform"
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._azure import AZURE_ROLE, AZURE_ROLE_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    outcome = module.driver(AZURE_ROLE, module.params["mount_point"]).converge(desired(module.params, AZURE_ROLE))
    if module.params["state"] == "present":
        module.exit_outcome(outcome, role=outcome.after)
    module.exit_outcome(outcome)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="azure"), **AZURE_ROLE_OPTIONS),
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
