#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gcp_secrets_config
short_description: Configure the credentials and lease settings of a Vault Google Cloud secrets engine
version_added: 0.1.0
description:
  - Manages C(config) of a Google Cloud secrets engine mount (vault-plugin-secrets-gcp), the service account key
    the engine uses to call Google and the default and maximum lease of the service account keys it issues.
  - Vault never returns O(credentials). Whether they are written to an existing configuration is decided by
    O(update_secret), and the result says whether they were (RV(credentials_written)).
  - The engine merges a write into the stored configuration, so a change to O(ttl) or O(max_ttl) is written
    B(without) the credentials. This matters after M(vaultops.cloud.gcp_secrets_rotate_root), when the key in
    your inventory is no longer valid. Only O(update_secret=always) sends them again.
  - Options left unset are not compared and not sent. O(service_account_email), O(identity_token_audience) and
    O(identity_token_ttl) are sent only when set.
  - The root-rotation options (O(rotation_period), O(rotation_schedule), O(rotation_window),
    O(disable_automated_rotation)) need Vault 1.19 or later. An engine without them would drop them without a
    word, so before a write that sends one the module reads the engine's schema of the path (C(?help=1)) and
    fails, naming the field, if it lacks it; nothing is written. Check mode does the same when it predicts
    such a write. A field that is not sent is not checked; on an engine without them, V(0), V('') or V(false)
    on an existing configuration already read back as unset and change nothing.
  - Writing the configuration never calls Google; the engine only checks that O(credentials) is JSON.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
  - vaultops.cloud.rotation
options:
  mount_point:
    description: Mount of the Google Cloud secrets engine.
    type: str
    default: gcp
  credentials:
    description:
      - The JSON key file of the service account the engine uses, as a JSON string or as YAML data.
      - The account needs to create service accounts and keys and to set IAM policies on the resources named in
        bindings.
      - Write-only; see O(update_secret). Never shown in results or diffs.
    type: json
  update_secret:
    description:
      - V(on_create) writes O(credentials) only when the configuration is created. A configuration written
        before without credentials (only O(ttl), say) counts as existing, since Vault does not tell whether it
        holds any; run once with V(always) to add them.
      - V(always) writes them on every run, so the task always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  ttl:
    description:
      - Default lease of issued service account keys, in seconds or as a duration.
      - V(0) means the mount's default.
    type: raw
  max_ttl:
    description:
      - Maximum lease of issued service account keys, in seconds or as a duration.
      - V(0) means the mount's maximum.
    type: raw
  service_account_email:
    description:
      - Service account to impersonate with plugin workload identity federation (Vault Enterprise).
      - Passed through only when set.
    type: str
  identity_token_audience:
    description:
      - Audience of the plugin identity token (Vault Enterprise). Cannot be combined with O(credentials).
      - Needs O(service_account_email), here or already in the configuration. Passed through only when set.
    type: str
  identity_token_ttl:
    description:
      - TTL of the plugin identity token, in seconds or as a duration. Passed through only when set.
      - Every server stores it (community Vault and OpenBao too); only Vault Enterprise uses it.
    type: raw
seealso:
  - module: vaultops.cloud.secrets_engine
  - module: vaultops.cloud.gcp_secrets_roleset
  - module: vaultops.cloud.gcp_secrets_rotate_root
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Connect the engine to Google Cloud with a service account key file
  vaultops.cloud.gcp_secrets_config:
    mount_point: gcp
    credentials: "{{ lookup('ansible.builtin.file', 'vault-admin-key.json') }}"
    ttl: 1h
    max_ttl: 24h

- name: Change the lease only; the stored key is left alone
  vaultops.cloud.gcp_secrets_config:
    ttl: 30m

- name: Rotate the engine's key every 30 days (Vault Enterprise 1.19 or later)
  vaultops.cloud.gcp_secrets_config:
    rotation_period: 720h
    disable_automated_rotation: false
"""

RETURN = r"""
config:
  description:
    - The configuration after the change (predicted in check mode), durations in seconds.
    - Holds C(credentials) with a mask when they are written.
  returned: success
  type: dict
  sample:
    ttl: 3600
    max_ttl: 86400
    service_account_email: ""
    rotation_period: 0
    disable_automated_rotation: false
    credentials: "********"
credentials_written:
  description: Whether O(credentials) were sent to Vault (or would be, in check mode).
  returned: success
  type: bool
update_secret:
  description: The O(update_secret) policy that decided RV(credentials_written).
  returned: success
  type: str
"""

import typing as t

from ansible_collections.vaultops.cloud.plugins.module_utils._gcp import GCP_CONFIG, credentials_json
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


class ConfigModule(VaultModule):
    """Hides O(credentials) as the module holds them, in every result.

    Ansible turns YAML data given to a C(json) option into a JSON string, and hides only the values it
    found before (the private key with real line breaks, which the JSON text escapes): the result's
    C(invocation) would show the key. The converted text is hidden as a whole here.
    """

    def _hide_credentials(self) -> None:
        value = (getattr(self, "params", None) or {}).get("credentials")
        if isinstance(value, str) and value:
            self.no_log_values.add(value)

    def exit_json(self, **kwargs: t.Any) -> t.NoReturn:
        self._hide_credentials()
        super().exit_json(**kwargs)

    def fail_json(self, msg: str, **kwargs: t.Any) -> t.NoReturn:
        self._hide_credentials()
        super().fail_json(msg, **kwargs)


def body(module: VaultModule) -> None:
    want = desired(module.params, GCP_CONFIG)
    if "credentials" in want.secrets:
        want.secrets["credentials"] = credentials_json(want.secrets["credentials"])
    outcome = module.driver(GCP_CONFIG, module.params["mount_point"]).converge(want)
    module.exit_outcome(
        outcome,
        config=outcome.after,
        credentials_written=outcome.changed and outcome.secret_written,
        update_secret=module.params["update_secret"],
    )


def main() -> None:
    module = ConfigModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default="gcp"),
            credentials=dict(type="json", no_log=True),
            update_secret=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
            ttl=dict(type="raw"),
            max_ttl=dict(type="raw"),
            service_account_email=dict(type="str"),
            identity_token_audience=dict(type="str", no_log=False),
            identity_token_ttl=dict(type="raw", no_log=False),
            rotation_period=dict(type="raw"),
            rotation_schedule=dict(type="str"),
            rotation_window=dict(type="raw"),
            disable_automated_rotation=dict(type="bool"),
        ),
        required_one_of=[
            (
                "credentials",
                "ttl",
                "max_ttl",
                "service_account_email",
                "identity_token_audience",
                "identity_token_ttl",
                "rotation_period",
                "rotation_schedule",
                "rotation_window",
                "disable_automated_rotation",
            )
        ],
        mutually_exclusive=[("credentials", "identity_token_audience")],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
