# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The request options and the credential, shared by the module and the lookup vaultops.cloud.creds.
    # Ansible merges fragments into DOCUMENTATION only (ansible-core 2.19 has no RETURN fragments), so the
    # fields of the credential are described here once, in the notes; each plugin's RETURN points at them.
    DOCUMENTATION = r"""
options:
  engine:
    description: The secrets engine type.
    type: str
    choices: [aws, gcp, azure, alicloud]
    default: aws
  mount_point:
    description: Mount of the engine; defaults to the engine's name.
    type: str
  kind:
    description:
      - O(engine=aws) only. V(creds) reads C(creds/<role>), V(sts) reads C(sts/<role>) (the engine's STS path,
        which takes O(ttl)), V(static-creds) reads the current keys of a static role.
      - V(static-creds) takes neither O(ttl), O(role_arn) nor O(role_session_name), since a static role's key is the
        one Vault rotates; such a request is refused, naming the option, before any request.
    type: str
    choices: [creds, sts, static-creds]
    default: creds
  ttl:
    description:
      - Requested lifetime of AWS STS credentials or of a GCP service account key, in seconds or as a duration
        such as V(15m).
    type: raw
  role_arn:
    description: O(engine=aws) only. Which of the role's ARNs to assume, when it has several (V(assumed_role)).
    type: str
  role_session_name:
    description: O(engine=aws) only. Session name for V(assumed_role) credentials.
    type: str
  source:
    description:
      - O(engine=gcp) only. Where the credential comes from, a roleset, a static account or an impersonated account.
    type: str
    choices: [roleset, static-account, impersonated-account]
    default: roleset
  secret_type:
    description:
      - O(engine=gcp) only. An OAuth2 access token or a new service account key.
    type: str
    choices: [access_token, service_account_key]
    default: access_token
  key_algorithm:
    description: O(engine=gcp) with O(secret_type=service_account_key) only. Key algorithm, such as V(KEY_ALG_RSA_2048).
    type: str
  key_type:
    description:
      - O(engine=gcp) with O(secret_type=service_account_key) only.
      - Key file format, such as V(TYPE_GOOGLE_CREDENTIALS_FILE).
    type: str
  wait_until_valid:
    description:
      - Prove the credential works before returning it, with the cheapest call that needs it, until
        O(wait_successes) calls in a row succeed, or fail after O(wait_timeout) seconds. New keys and secrets
        are refused for a few seconds after they are made (eventual consistency) on every cloud.
      - O(engine=aws) calls STS C(GetCallerIdentity) (needs the Python library botocore where the plugin runs);
        O(engine=azure) asks for a token with the client-credentials grant and the new secret (and, with
        O(wait_subscription_id), reads that subscription through ARM with it); O(engine=gcp) asks for a token
        with the new key (JSON key files only), or calls C(tokeninfo) with an access token; O(engine=alicloud)
        calls STS C(GetCallerIdentity) with the new key.
      - A credential that fails the proof is revoked (its lease), and the error says so, so a failed play leaves
        no IAM user, service principal or key behind.
      - The credential then also has C(waited) (seconds until it was proven) and C(proven_as) (who the cloud says
        it is); for O(engine=aws) the caller ARN is also in C(arn).
      - The proofs' HTTPS calls (Python requests) honour C(HTTPS_PROXY), C(NO_PROXY) and C(REQUESTS_CA_BUNDLE).
    type: bool
    default: false
  wait_endpoint:
    description:
      - The endpoint the proof of O(wait_until_valid) calls, when not the cloud's public one.
      - O(engine=aws) and O(engine=alicloud) the STS endpoint; O(engine=azure) the login authority
        (default C(https://login.microsoftonline.com)); O(engine=gcp) the C(tokeninfo) URL for access tokens, the
        token URL for keys (default the key file's C(token_uri)).
    type: str
  wait_sts_endpoint:
    description: O(engine=aws) only. The STS endpoint for O(wait_until_valid), used when O(wait_endpoint) is not set.
    type: str
  wait_region:
    description: Region for O(wait_until_valid) (O(engine=aws) and O(engine=alicloud)).
    type: str
    default: us-east-1
  wait_tenant_id:
    description:
      - O(engine=azure) only. The tenant that O(wait_until_valid) asks for a token; defaults to the C(tenant_id)
        of the engine's configuration (read from C(<mount_point>/config), which the token must be allowed to read).
    type: str
  wait_subscription_id:
    description:
      - O(engine=azure) only. With O(wait_until_valid), also read this subscription through ARM with the new
        credential (the role must allow it), which proves the role assignments have arrived too.
    type: str
  wait_successes:
    description: Successful calls in a row that O(wait_until_valid) requires.
    type: int
    default: 3
  wait_timeout:
    description: Seconds O(wait_until_valid) waits at most.
    type: int
    default: 60
notes:
  - "The credential is a secret: set C(no_log: true) on tasks that issue, show or pass it."
  - "C(ANSIBLE_DEBUG=1) (or C(DEFAULT_DEBUG)) makes ansible-core itself log every task's arguments and results,
    the credential included and whatever C(no_log) says; nothing in this collection can stop it. Never set it
    where secrets pass."
  - "B(The credential) is one dict, the same from the module and the lookup. Always: C(lease_id) (the lease to renew
    or revoke with M(vaultops.cloud.lease); V(null) for credentials without a lease, such as GCP access tokens),
    C(lease_duration) (seconds the credential is valid), C(renewable) (whether the lease can be renewed) and
    C(expires_at) (when the lease ends, UTC, ISO 8601; V(null) without a lease duration)."
  - "O(engine=aws): C(access_key), C(secret_key), C(security_token) (the session token of STS credentials, V(null)
    for IAM user keys) and C(arn) (the ARN of the assumed role, or the caller ARN with O(wait_until_valid))."
  - "With O(wait_until_valid), on every engine: C(waited) (seconds until the proof succeeded) and C(proven_as)."
  - "O(engine=gcp): C(token), C(token_ttl) (seconds) and C(expires_at_seconds) (Unix time) for
    O(secret_type=access_token); C(private_key_data) (the key file, base64-encoded), C(key_algorithm) and
    C(key_type) for O(secret_type=service_account_key)."
  - "O(engine=azure): C(client_id) (the application ID of the new service principal) and C(client_secret)."
  - "O(engine=alicloud): C(access_key), C(secret_key), and for STS credentials C(security_token) and C(expiration)
    (when they expire, as AliCloud reports it)."
"""

    # Where the lookup reads the request options from, besides its keyword arguments.
    PLUGINS = r"""
options:
  wait_sts_endpoint:
    env:
      - name: VAULTOPS_CLOUD_STS_ENDPOINT
"""
