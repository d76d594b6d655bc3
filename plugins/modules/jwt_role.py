#!/usr/bin/python
# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jwt_role
short_description: Manage a role of a JWT/OIDC auth method in Vault or OpenBao
version_added: 0.2.0
description:
  - Creates, updates or deletes C(auth/<mount_point>/role/<name>) of a JWT/OIDC auth method - which tokens of the
    configured issuer (see M(vaultops.cloud.jwt_auth_config)) may log in, and the Vault token they get.
  - A role must bound the tokens it accepts with at least one of O(bound_audiences), O(bound_claims) or
    O(bound_subject); a role with none of them accepts every token the issuer signs (for GitHub Actions, every
    workflow of every repository), so it is refused before any request. O(user_claim) is required too.
  - Only the options you set are compared and sent (Vault merges a write into the role); lists are compared as sets,
    O(bound_claims) as data (a claim's list of values as a set), durations in seconds.
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
    description: Path of the JWT/OIDC auth method, without C(auth/).
    type: str
    default: jwt
  state:
    description: Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
  role_type:
    description: V(jwt) for a login with a token (CI); V(oidc) for the browser flow (needs O(allowed_redirect_uris)).
    type: str
    choices: [jwt, oidc]
  bound_audiences:
    description: The C(aud) claim must hold one of these.
    type: list
    elements: str
  bound_subject:
    description: The C(sub) claim must be exactly this.
    type: str
  bound_claims:
    description:
      - Claims the token must have, each a value or a list of values (any of them matches).
      - For GitHub Actions for example C(repository), C(ref) or C(environment); for GitLab C(project_path), C(ref).
    type: dict
  bound_claims_type:
    description: How O(bound_claims) values match, literally (V(string)) or as globs (V(glob)).
    type: str
    choices: [string, glob]
  user_claim:
    description: The claim that names the entity of a login (V(sub) is the usual choice). Required.
    type: str
  groups_claim:
    description: The claim that lists the groups of a login.
    type: str
  claim_mappings:
    description: Claims copied into the token's metadata, claim name to metadata key.
    type: dict
  oidc_scopes:
    description: Scopes asked for in the OIDC flow.
    type: list
    elements: str
  allowed_redirect_uris:
    description: Redirect URIs of the OIDC flow.
    type: list
    elements: str
  clock_skew_leeway:
    description: Leeway for clock skew when checking C(iat), C(exp) and C(nbf).
    type: raw
  expiration_leeway:
    description: Leeway when checking C(exp).
    type: raw
  not_before_leeway:
    description: Leeway when checking C(nbf).
    type: raw
  token_ttl:
    description: Default TTL of the tokens of a login, in seconds or as a duration such as V(1h).
    type: raw
  token_max_ttl:
    description: Maximum TTL of the tokens of a login, renewals included.
    type: raw
  token_policies:
    description: Policies of the tokens of a login. Compared as a set.
    type: list
    elements: str
  token_bound_cidrs:
    description: CIDR blocks (or addresses) the tokens of a login may be used from; each is checked before any request.
    type: list
    elements: str
  token_explicit_max_ttl:
    description: A hard limit on the life of the tokens of a login, whatever their renewals.
    type: raw
  token_no_default_policy:
    description: Leave the V(default) policy out of the tokens of a login.
    type: bool
  token_num_uses:
    description: How many requests a token of a login may make; V(0) means no limit.
    type: int
  token_period:
    description: Make the tokens periodic with this period.
    type: raw
  token_type:
    description: The type of token a login issues.
    type: str
    choices: [default, service, batch, default-service, default-batch]
seealso:
  - module: vaultops.cloud.jwt_auth_config
  - module: vaultops.cloud.policy
  - name: JWT/OIDC auth API
    description: The endpoints of the JWT/OIDC auth method.
    link: https://developer.hashicorp.com/vault/api-docs/auth/jwt
author:
  - vaultops.cloud maintainers (@vaultops)
"""

EXAMPLES = r"""
- name: The main branch of one repository deploys from GitHub Actions
  vaultops.cloud.jwt_role:
    mount_point: github-actions
    name: deploy
    role_type: jwt
    user_claim: sub
    bound_audiences: [https://github.com/my-org]
    bound_claims:
      repository: my-org/app
      ref: refs/heads/main
    token_policies: [deploy]
    token_ttl: 15m

- name: GitLab CI, protected branches of one project
  vaultops.cloud.jwt_role:
    mount_point: gitlab
    name: deploy
    role_type: jwt
    user_claim: user_email
    bound_audiences: [https://vault.example.com]
    bound_claims:
      project_path: my-group/app
      ref_protected: "true"
    token_policies: [deploy]
"""

RETURN = r"""
role:
  description: The role after the change (predicted in check mode), normalised (durations in seconds).
  returned: when O(state=present)
  type: dict
  sample:
    role_type: jwt
    user_claim: sub
    bound_audiences: [https://github.com/my-org]
    bound_claims: {repository: my-org/app}
    token_policies: [deploy]
"""

from ansible_collections.vaultops.cloud.plugins.module_utils._auth import JWT_ROLE, JWT_ROLE_OPTIONS, auth_mount
from ansible_collections.vaultops.cloud.plugins.module_utils._module import VaultModule, argument_spec, desired


def body(module: VaultModule) -> None:
    driver = module.driver(JWT_ROLE, auth_mount(module.params["mount_point"]))
    outcome = driver.converge(desired(module.params, JWT_ROLE))
    if module.params["state"] == "present":
        module.exit_outcome(outcome, role=outcome.after)
    module.exit_outcome(outcome)


def main() -> None:
    module = VaultModule(
        argument_spec=argument_spec(mount_point=dict(type="str", default="jwt"), **JWT_ROLE_OPTIONS),
        required_if=[("state", "present", ("user_claim",))],
        supports_check_mode=True,
    )
    module.run(body)


if __name__ == "__main__":
    main()
