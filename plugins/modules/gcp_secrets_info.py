#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gcp_secrets_info
short_description: Read the configuration, rolesets and accounts of a Vault Google Cloud secrets engine
version_added: 0.2.0
description:
  - Returns what a Google Cloud secrets engine mount holds, normalised the way the resource modules compare it
    (durations in seconds, lists sorted, bindings as resource to sorted roles, emails in lower case).
  - The engine's credentials are write-only in Vault and never returned.
  - The requests are one mount check, then for each part one read (C(config)) or one list and one read per name.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.info_module
options:
  mount_point:
    description: Mount of the Google Cloud secrets engine.
    type: str
    default: gcp
  only:
    description: Read only these parts (default all).
    type: list
    elements: str
    choices: [config, rolesets, static_accounts, impersonated_accounts]
  names:
    description:
      - Read only these rolesets and accounts (default every one the engine lists).
      - A name that does not exist is left out of the result.
    type: list
    elements: str
seealso:
  - module: vaultops.cloud.gcp_secrets_config
  - module: vaultops.cloud.gcp_secrets_rolesets
  - module: vaultops.cloud.gcp_secrets_static_accounts
  - module: vaultops.cloud.gcp_secrets_impersonated_accounts
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: What does the Google Cloud engine hold?
  vaultops.cloud.gcp_secrets_info:
    mount_point: gcp
  register: gcp_engine

- name: Only the rolesets
  vaultops.cloud.gcp_secrets_info:
    only: [rolesets]
  register: gcp_rolesets
"""

RETURN = r"""
config:
  description: C(config) without the credentials, durations in seconds; null when the engine has none.
  returned: when read
  type: dict
  sample: {ttl: 3600, max_ttl: 86400, service_account_email: "", identity_token_audience: "", identity_token_ttl: 0}
rolesets:
  description: Each roleset by name.
  returned: when read
  type: dict
  sample:
    reader:
      project: my-project
      secret_type: access_token
      bindings:
        "//cloudresourcemanager.googleapis.com/projects/my-project": [roles/viewer]
      token_scopes: ["https://www.googleapis.com/auth/cloud-platform"]
static_accounts:
  description: Each static account by name.
  returned: when read
  type: dict
  sample:
    ci:
      service_account_email: ci-runner@my-project.iam.gserviceaccount.com
      secret_type: access_token
      bindings: {}
      token_scopes: ["https://www.googleapis.com/auth/cloud-platform"]
impersonated_accounts:
  description: Each impersonated account by name.
  returned: when read
  type: dict
  sample:
    deploy:
      service_account_email: deploy@my-project.iam.gserviceaccount.com
      token_scopes: ["https://www.googleapis.com/auth/cloud-platform"]
      ttl: 900
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import (
    GCP_CONFIG,
    GCP_IMPERSONATED_ACCOUNT,
    GCP_ROLESET,
    GCP_STATIC_ACCOUNT,
)
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec

COLLECTIONS = {
    "rolesets": GCP_ROLESET,
    "static_accounts": GCP_STATIC_ACCOUNT,
    "impersonated_accounts": GCP_IMPERSONATED_ACCOUNT,
}


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="gcp"),
            only=dict(type="list", elements="str", choices=["config", *COLLECTIONS]),
            names=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    module.run(lambda m: m.engine_info({"config": GCP_CONFIG}, COLLECTIONS))


if __name__ == "__main__":
    main()
