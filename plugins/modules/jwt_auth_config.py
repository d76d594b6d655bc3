#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jwt_auth_config
short_description: Configure a JWT/OIDC auth method in Vault or OpenBao
version_added: 0.2.0
description:
  - Writes C(auth/<mount_point>/config) of a JWT/OIDC auth method (enable it with M(vaultops.cloud.auth_method),
    type V(jwt) or V(oidc)) - where the keys that sign the tokens come from, and which issuer is accepted.
  - Exactly one key source is required, checked before any request - O(oidc_discovery_url) (the issuer's
    C(.well-known/openid-configuration), as for GitHub Actions V(https://token.actions.githubusercontent.com) or
    GitLab V(https://gitlab.com)), O(jwks_url), or O(jwt_validation_pubkeys) (PEM public keys you hold).
  - The configuration is written whole when anything differs, so a key source replaces the one before it. Only the
    options you set are compared; lists are compared as sets, keys without surrounding whitespace.
  - O(oidc_client_secret) is write-only (Vault never returns it); O(update_secret) decides when it is sent.
extends_documentation_fragment:
  - vaultops.cloud.connection
  - vaultops.cloud.attributes
  - vaultops.cloud.attributes.RESOURCE
options:
  mount_point:
    description: Path of the JWT/OIDC auth method, without C(auth/).
    type: str
    default: jwt
  oidc_discovery_url:
    description: The issuer URL whose OIDC discovery document names the keys (JWKS).
    type: str
  oidc_discovery_ca_pem:
    description: CA certificate (PEM) to trust for O(oidc_discovery_url).
    type: str
  oidc_client_id:
    description: Client ID, for the OIDC login flow (role type V(oidc)).
    type: str
  oidc_client_secret:
    description: Client secret, for the OIDC login flow. Write-only.
    type: str
  oidc_response_mode:
    description: The response mode of the OIDC login flow.
    type: str
    choices: [query, form_post]
  oidc_response_types:
    description: The response types of the OIDC login flow.
    type: list
    elements: str
  jwks_url:
    description: URL of the JSON Web Key Set that signs the tokens.
    type: str
  jwks_ca_pem:
    description: CA certificate (PEM) to trust for O(jwks_url).
    type: str
  jwt_validation_pubkeys:
    description: PEM public keys that verify the tokens, without discovery.
    type: list
    elements: str
  jwt_supported_algs:
    description: Signing algorithms accepted (for example V(RS256), V(ES256)); Vault's default when unset.
    type: list
    elements: str
  bound_issuer:
    description: The value the C(iss) claim must have.
    type: str
  default_role:
    description: The role used when a login names none.
    type: str
  update_secret:
    description:
      - V(on_create) sends O(oidc_client_secret) only when the configuration is first written (or rewritten because
        another option changed); V(always) sends it on every run, which then always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
seealso:
  - module: vaultops.cloud.jwt_role
  - module: vaultops.cloud.auth_method
  - name: JWT/OIDC auth API
    description: The endpoints of the JWT/OIDC auth method.
    link: https://developer.hashicorp.com/vault/api-docs/auth/jwt
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: Trust GitHub Actions' OIDC tokens at auth/github-actions
  vaultops.cloud.jwt_auth_config:
    mount_point: github-actions
    oidc_discovery_url: https://token.actions.githubusercontent.com
    bound_issuer: https://token.actions.githubusercontent.com

- name: Trust tokens signed by a key you hold
  vaultops.cloud.jwt_auth_config:
    mount_point: ci
    jwt_validation_pubkeys:
      - "{{ lookup('ansible.builtin.file', 'ci-signer.pub.pem') }}"
    bound_issuer: https://ci.example.com
"""

RETURN = r"""
config:
  description: The configuration after the change (predicted in check mode), normalised; the client secret is masked.
  returned: success
  type: dict
  sample:
    oidc_discovery_url: https://token.actions.githubusercontent.com
    bound_issuer: https://token.actions.githubusercontent.com
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._auth import JWT_CONFIG, JWT_CONFIG_OPTIONS, auth_mount
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    driver = module.driver(JWT_CONFIG, auth_mount(module.params["mount_point"]))
    outcome = driver.converge(desired(module.params, JWT_CONFIG))
    module.exit_outcome(outcome, config=outcome.after)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="jwt"), **JWT_CONFIG_OPTIONS),
        mutually_exclusive=[("oidc_discovery_url", "jwks_url", "jwt_validation_pubkeys")],
        required_one_of=[("oidc_discovery_url", "jwks_url", "jwt_validation_pubkeys")],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
