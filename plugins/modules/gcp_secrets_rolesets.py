#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gcp_secrets_rolesets
short_description: Manage many rolesets of a Vault Google Cloud secrets engine in one task
version_added: 0.2.0
description:
  - Converges every roleset in O(rolesets) in one module process and one HTTP session, as
    M(vaultops.cloud.gcp_secrets_roleset) would one by one, and with O(purge=true) deletes the rolesets the
    list does not name.
  - The requests are one mount check, one list of the engine's rolesets, one read per listed roleset that exists,
    and one write or delete per change. A converge that changes nothing costs the number of rolesets plus two
    requests.
  - Every item is checked before the first request; a bad item fails the task naming it (for example
    C(rolesets[3].bindings)) and nothing is written. Rules that depend on what Vault holds (what a create needs, a
    field the engine cannot change) are checked for every item after the reads and before the first write.
  - Bindings are compared as data and sent only when they differ, since the engine gives a roleset whose bindings
    change a new service account, and tokens and keys issued before then stop working. Deleting a roleset
    (by C(state=absent) or O(purge)) deletes its service account and revokes its keys.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.BULK
options:
  mount_point:
    description: Mount of the Google Cloud secrets engine.
    type: str
    default: gcp
  rolesets:
    description:
      - The rolesets, each a dict of the options of M(vaultops.cloud.gcp_secrets_roleset) other than the connection
        and O(mount_point) options (C(name), C(state), C(project), C(secret_type), C(bindings), C(token_scopes),
        C(recreate)), with the same types, defaults and rules.
    type: list
    elements: dict
    required: true
notes:
  - Creating and changing rolesets calls Google with the engine's credentials.
seealso:
  - module: vaultops.cloud.gcp_secrets_roleset
  - module: vaultops.cloud.gcp_secrets_info
  - module: vaultops.cloud.gcp_secrets_rotate_root
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Converge every roleset of the engine, deleting any other
  vaultops.cloud.gcp_secrets_rolesets:
    mount_point: gcp
    purge: true
    rolesets:
      - name: reader
        project: my-project
        secret_type: access_token
        token_scopes: [https://www.googleapis.com/auth/cloud-platform]
        bindings:
          "//cloudresourcemanager.googleapis.com/projects/my-project": [roles/viewer]
      - name: deployer
        project: my-project
        secret_type: service_account_key
        bindings:
          "//cloudresourcemanager.googleapis.com/projects/my-project": [roles/editor]
"""

RETURN = r"""
created:
  description: Names of the rolesets created (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [deployer]
updated:
  description: Names of the rolesets changed (recreated ones included).
  returned: always
  type: list
  elements: str
  sample: [reader]
deleted:
  description: Names of the rolesets deleted, by an item with C(state=absent) or by O(purge).
  returned: always
  type: list
  elements: str
  sample: []
unchanged:
  description: Names of the rolesets that already were as asked.
  returned: always
  type: list
  elements: str
  sample: []
rolesets:
  description:
    - Each roleset that is present after the task, by name, as M(vaultops.cloud.gcp_secrets_roleset) returns it
      (predicted in check mode).
  returned: always
  type: dict
  sample:
    reader:
      project: my-project
      secret_type: access_token
      bindings:
        "//cloudresourcemanager.googleapis.com/projects/my-project": [roles/viewer]
      token_scopes: ["https://www.googleapis.com/auth/cloud-platform"]
mount:
  description:
    - The engine's mount as it is after the task (its settings and type), as M(vaultops.cloud.secrets_engine)
      returns it.
  returned: when O(mount) is set
  type: dict
  sample:
    type: gcp
    description: Google Cloud credentials for deploys
    default_lease_ttl: 3600
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import GCP_ROLESET, GCP_ROLESET_OPTIONS
from ansible_collections.vaultops.cloud.plugins.module_utils._module import run_bulk


def main() -> None:
    run_bulk(GCP_ROLESET, GCP_ROLESET_OPTIONS, "rolesets")


if __name__ == "__main__":
    main()
