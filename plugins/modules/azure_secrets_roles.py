#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: azure_secrets_roles
short_description: Manage many roles of a Vault Azure secrets engine in one task
version_added: 0.2.0
description:
  - Converges every role in O(roles) in one module process and one HTTP session, as
    M(vaultops.cloud.azure_secrets_role) would one by one, and with O(purge=true) deletes the roles the list
    does not name.
  - Requests to Vault are one mount check, one list of the engine's roles, one read per listed role that exists,
    and one write or delete per change. A converge that changes nothing costs the number of roles plus two
    requests.
  - Every item is checked before the first request. A bad item fails the task naming it (for example
    C(roles[3].azure_roles)) and nothing is written. Rules that need the stored role (such as a C(ttl) above the
    stored C(max_ttl)) are checked once the roles are read, still before the first write.
  - The engine stores role names in lower case, so names are matched without regard to case; a name listed
    twice in different case fails the task.
  - Writing a role calls Azure (the engine looks up every role and group), so the engine must be configured
    with working credentials. Check mode and unchanged roles call nothing but Vault.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.BULK
options:
  mount_point:
    description: Mount of the Azure secrets engine.
    type: str
    default: azure
  roles:
    description:
      - The roles, each a dict of the options of M(vaultops.cloud.azure_secrets_role) other than the connection
        and O(mount_point) options (C(name), C(state), C(azure_roles), C(azure_groups), C(application_object_id),
        C(persist_app), C(ttl), C(max_ttl), C(explicit_max_ttl), C(permanently_delete), C(sign_in_audience),
        C(tags)), with the same types, defaults and rules.
      - As there, C(azure_roles) items take C(role_name), C(role_id) and C(scope), C(azure_groups) items
        C(group_name) and C(object_id), and items are compared on what you gave.
    type: list
    elements: dict
    required: true
seealso:
  - module: vaultops.cloud.azure_secrets_role
  - module: vaultops.cloud.azure_secrets_info
  - module: vaultops.cloud.azure_secrets_config
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Converge all roles of the engine, deleting any other
  vaultops.cloud.azure_secrets_roles:
    mount_point: azure
    purge: true
    roles:
      - name: deploy
        azure_roles:
          - role_name: Reader
            scope: "/subscriptions/{{ azure_subscription_id }}/resourceGroups/releases"
        ttl: 1h
        max_ttl: 4h
      - name: builders
        azure_groups:
          - group_name: build-agents
        tags:
          team: platform
      - name: ci
        application_object_id: 11111111-2222-3333-4444-555555555555
        ttl: 30m

- name: Remove one role and leave the others alone
  vaultops.cloud.azure_secrets_roles:
    roles:
      - name: old
        state: absent
"""

RETURN = r"""
created:
  description: Names of the roles created (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [ci]
updated:
  description: Names of the roles changed.
  returned: always
  type: list
  elements: str
  sample: [deploy]
deleted:
  description: Names of the roles deleted, by an item with C(state=absent) or by O(purge).
  returned: always
  type: list
  elements: str
  sample: [old]
unchanged:
  description: Names of the roles that already were as asked.
  returned: always
  type: list
  elements: str
  sample: [builders]
roles:
  description:
    - Each role that is present after the task, by its name in lower case, as M(vaultops.cloud.azure_secrets_role)
      returns it (predicted in check mode). Durations are in seconds.
    - Items of C(azure_roles) and C(azure_groups) are in the compared form.
  returned: always
  type: dict
  sample:
    deploy:
      azure_roles:
        - role_id: acdd72a7-3385-48ef-bd42-f606fba81ae7
          scope: /subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/releases
      azure_groups: []
      ttl: 3600
      max_ttl: 14400
mount:
  description:
    - The engine's mount as it is after the task (its settings and type), as M(vaultops.cloud.secrets_engine)
      returns it.
  returned: when O(mount) is set
  type: dict
  sample:
    type: azure
    description: Azure credentials for deploys
    default_lease_ttl: 3600
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._azure import AZURE_ROLE, AZURE_ROLE_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import run_bulk


def main() -> None:
    run_bulk(AZURE_ROLE, AZURE_ROLE_OPTIONS, "roles")


if __name__ == "__main__":
    main()
