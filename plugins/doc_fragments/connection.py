# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Connection and authentication options, shared by every module and the lookup.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - URL of the Vault or OpenBao server, or of several nodes of one cluster separated by commas
        (V(https://vault-1:8200,https://vault-2:8200)).
      - With several nodes, a request that a node refused, or that a sealed node or a standby without a leader
        answered, goes to the next node. Behind a load balancer give its one address; listing the nodes as well
        is for when the load balancer itself may be the thing that is down.
      - Falls back to the E(VAULT_ADDR) environment variable, then E(BAO_ADDR).
    type: str
    aliases: [vault_addr]
  namespace:
    description:
      - Vault Enterprise or OpenBao namespace.
      - Falls back to E(VAULT_NAMESPACE), then E(BAO_NAMESPACE).
    type: str
  ca_cert:
    description:
      - Path to a CA bundle used to verify the server certificate.
      - Falls back to E(VAULT_CACERT), then E(BAO_CACERT).
    type: path
    aliases: [cacert]
  validate_certs:
    description:
      - Whether to verify the server certificate.
      - When unset, V(false) if E(VAULT_SKIP_VERIFY) or E(BAO_SKIP_VERIFY) is true, otherwise V(true).
    type: bool
  client_cert:
    description:
      - Path to a client certificate for mutual TLS.
      - Falls back to E(VAULT_CLIENT_CERT), then E(BAO_CLIENT_CERT).
    type: path
  client_key:
    description:
      - Path to the private key of O(client_cert).
      - Falls back to E(VAULT_CLIENT_KEY), then E(BAO_CLIENT_KEY).
    type: path
  timeout:
    description: Seconds to wait for one HTTP answer.
    type: int
  proxies:
    description:
      - Proxies per URL scheme, as the C(requests) library takes them.
      - 'For example V({"https": "http://proxy.example.com:3128"}).'
    type: dict
  retries:
    description:
      - How often, at most, to try again reads and configuration writes that failed because Vault was unreachable,
        sealed, without an active node (a leader election), behind a failing proxy, or rate limiting (the
        server's C(Retry-After) is honoured). Defaults to V(10), within O(retry_window). Each retry is reported
        as a warning.
      - A request that issues a credential, rotates a key, revokes a lease or logs in is tried again only when it
        provably never reached Vault (the name did not resolve, the connection was refused, the TLS handshake
        failed) or Vault answered that it is sealed or has no active node; never after a reset, a timeout or any
        other error, since a repeated request could mint a second credential.
    type: int
  retry_window:
    description:
      - Seconds within which the retries of O(retries) may happen; no retry starts after it. Defaults to V(30),
        longer than a typical leader election.
    type: int
  auth_method:
    description: How to log in.
    type: str
    choices: [token, approle, userpass, jwt]
    default: token
  auth_mount_point:
    description: Mount of the auth method; defaults to the method's name (V(approle), V(userpass), V(jwt)).
    type: str
  token:
    description:
      - Vault token for O(auth_method=token).
      - Falls back to E(VAULT_TOKEN), then E(BAO_TOKEN), then the file O(token_path).
    type: str
  token_path:
    description: File holding a token, read when no other token is set. Defaults to C(~/.vault-token).
    type: path
  role_id:
    description: AppRole role ID for O(auth_method=approle).
    type: str
  secret_id:
    description: AppRole secret ID for O(auth_method=approle).
    type: str
  username:
    description: User name for O(auth_method=userpass).
    type: str
  password:
    description: Password for O(auth_method=userpass).
    type: str
  role:
    description: Role to log in as, for O(auth_method=jwt).
    type: str
  jwt:
    description: The signed JSON Web Token for O(auth_method=jwt).
    type: str
requirements:
  - hvac >= 2.1.0 (Python library)
"""

    # Where a controller-side plugin reads the same options from.
    PLUGINS = r"""
options:
  url:
    env:
      - name: VAULT_ADDR
      - name: BAO_ADDR
    ini:
      - section: vaultops_cloud
        key: url
    vars:
      - name: vaultops_cloud_url
  namespace:
    env:
      - name: VAULT_NAMESPACE
      - name: BAO_NAMESPACE
    ini:
      - section: vaultops_cloud
        key: namespace
    vars:
      - name: vaultops_cloud_namespace
  ca_cert:
    env:
      - name: VAULT_CACERT
      - name: BAO_CACERT
    ini:
      - section: vaultops_cloud
        key: ca_cert
    vars:
      - name: vaultops_cloud_ca_cert
  validate_certs:
    ini:
      - section: vaultops_cloud
        key: validate_certs
    vars:
      - name: vaultops_cloud_validate_certs
  timeout:
    ini:
      - section: vaultops_cloud
        key: timeout
    vars:
      - name: vaultops_cloud_timeout
  retries:
    ini:
      - section: vaultops_cloud
        key: retries
    vars:
      - name: vaultops_cloud_retries
  retry_window:
    ini:
      - section: vaultops_cloud
        key: retry_window
    vars:
      - name: vaultops_cloud_retry_window
  auth_method:
    env:
      - name: VAULTOPS_CLOUD_AUTH_METHOD
    ini:
      - section: vaultops_cloud
        key: auth_method
    vars:
      - name: vaultops_cloud_auth_method
  auth_mount_point:
    ini:
      - section: vaultops_cloud
        key: auth_mount_point
    vars:
      - name: vaultops_cloud_auth_mount_point
  token:
    env:
      - name: VAULT_TOKEN
      - name: BAO_TOKEN
    vars:
      - name: vaultops_cloud_token
  token_path:
    ini:
      - section: vaultops_cloud
        key: token_path
    vars:
      - name: vaultops_cloud_token_path
  role_id:
    env:
      - name: VAULTOPS_CLOUD_ROLE_ID
    vars:
      - name: vaultops_cloud_role_id
  secret_id:
    env:
      - name: VAULTOPS_CLOUD_SECRET_ID
    vars:
      - name: vaultops_cloud_secret_id
  username:
    vars:
      - name: vaultops_cloud_username
  password:
    vars:
      - name: vaultops_cloud_password
  role:
    vars:
      - name: vaultops_cloud_role
  jwt:
    env:
      - name: VAULTOPS_CLOUD_JWT
    vars:
      - name: vaultops_cloud_jwt
"""
