#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gcp_secrets_impersonated_accounts
short_description: Manage many impersonated accounts of a Vault Google Cloud secrets engine in one task
version_added: 0.2.0
description:
  - Converges every impersonated account in O(impersonated_accounts) in one module process and one HTTP session, as
    M(vaultops.cloud.gcp_secrets_impersonated_account) would one by one, and with O(purge=true) deletes the
    impersonated accounts the list does not name.
  - The requests are one mount check, one list of the engine's impersonated accounts, one read per listed impersonated
    account that exists, and one write or delete per change. A converge that changes nothing costs the number of
    impersonated accounts plus two requests.
  - Every item is checked before the first request; a bad item fails the task naming it (for example
    C(impersonated_accounts[3].ttl)) and nothing is written. Rules that depend on what Vault holds (what a create
    needs, a field the engine cannot change) are checked for every item after the reads and before the first write.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.BULK
options:
  mount_point:
    description: Mount of the Google Cloud secrets engine.
    type: str
    default: gcp
  impersonated_accounts:
    description:
      - The impersonated accounts, each a dict of the options of M(vaultops.cloud.gcp_secrets_impersonated_account)
        other than the connection and O(mount_point) options (C(name), C(state), C(service_account_email),
        C(token_scopes), C(ttl), C(recreate)), with the same types, defaults and rules.
    type: list
    elements: dict
    required: true
notes:
  - Creating and changing impersonated accounts calls Google with the engine's credentials.
seealso:
  - module: vaultops.cloud.gcp_secrets_impersonated_account
  - module: vaultops.cloud.gcp_secrets_info
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Converge every impersonated account of the engine, deleting any other
  vaultops.cloud.gcp_secrets_impersonated_accounts:
    mount_point: gcp
    purge: true
    impersonated_accounts:
      - name: deploy
        service_account_email: deploy@my-project.iam.gserviceaccount.com
        token_scopes: [https://www.googleapis.com/auth/cloud-platform]
        ttl: 15m
"""

RETURN = r"""
created:
  description: Names of the impersonated accounts created (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [old]
updated:
  description: Names of the impersonated accounts changed (recreated ones included).
  returned: always
  type: list
  elements: str
  sample: [deploy]
deleted:
  description: Names of the impersonated accounts deleted, by an item with C(state=absent) or by O(purge).
  returned: always
  type: list
  elements: str
  sample: []
unchanged:
  description: Names of the impersonated accounts that already were as asked.
  returned: always
  type: list
  elements: str
  sample: []
impersonated_accounts:
  description:
    - Each impersonated account that is present after the task, by name, as
      M(vaultops.cloud.gcp_secrets_impersonated_account) returns it (predicted in check mode).
  returned: always
  type: dict
  sample:
    deploy:
      service_account_email: deploy@my-project.iam.gserviceaccount.com
      token_scopes: ["https://www.googleapis.com/auth/cloud-platform"]
      ttl: 900
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

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import (
    GCP_IMPERSONATED_ACCOUNT,
    GCP_IMPERSONATED_OPTIONS,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import run_bulk


def main() -> None:
    run_bulk(GCP_IMPERSONATED_ACCOUNT, GCP_IMPERSONATED_OPTIONS, "impersonated_accounts")


if __name__ == "__main__":
    main()
