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
      - Falls back to the E(VAULT_ADDR) environment variable, then E(BAO_ADDR), then E(ANSIBLE_HASHI_VAULT_URL)
        and E(ANSIBLE_HASHI_VAULT_ADDR) (community.hashi_vault's).
    type: str
    aliases: [vault_addr]
  namespace:
    description:
      - Vault Enterprise or OpenBao namespace.
      - Falls back to E(VAULT_NAMESPACE), then E(BAO_NAMESPACE), then E(ANSIBLE_HASHI_VAULT_NAMESPACE).
    type: str
  ca_cert:
    description:
      - Path to a CA bundle used to verify the server certificate.
      - Falls back to E(VAULT_CACERT), then E(BAO_CACERT), then E(ANSIBLE_HASHI_VAULT_CA_CERT).
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
      - Falls back to E(VAULT_CLIENT_CERT), then E(BAO_CLIENT_CERT), then
        E(ANSIBLE_HASHI_VAULT_CERT_AUTH_PUBLIC_KEY).
    type: path
  client_key:
    description:
      - Path to the private key of O(client_cert).
      - Falls back to E(VAULT_CLIENT_KEY), then E(BAO_CLIENT_KEY), then
        E(ANSIBLE_HASHI_VAULT_CERT_AUTH_PRIVATE_KEY).
    type: path
  timeout:
    description:
      - Seconds to wait for one HTTP answer.
      - Falls back to E(ANSIBLE_HASHI_VAULT_TIMEOUT).
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
    description:
      - How to log in. Defaults to V(token).
      - V(cert) logs in with the TLS client certificate O(client_cert) and O(client_key) (Vault's TLS certificate
        auth method, which needs an HTTPS O(url)); O(role) names the certificate role, else Vault tries each.
      - V(none) sends no token at all, for a Vault Agent or Vault Proxy with auto-auth (C(use_auto_auth_token))
        at O(url) that adds its own token to each request.
      - Falls back to E(VAULTOPS_CLOUD_AUTH_METHOD), then E(ANSIBLE_HASHI_VAULT_AUTH_METHOD).
    type: str
    choices: [token, approle, userpass, jwt, cert, none]
  auth_mount_point:
    description:
      - Mount of the auth method; defaults to the method's name (V(approle), V(userpass), V(jwt), V(cert)).
      - This is what community.hashi_vault calls C(mount_point) (its E(ANSIBLE_HASHI_VAULT_MOUNT_POINT) and
        C(ansible_hashi_vault_mount_point) are read here). In this collection C(mount_point) is the secrets
        engine's mount; a C(mount_point) that names an auth method (V(approle), V(jwt), V(userpass), ...) draws
        a warning.
    type: str
  token:
    description:
      - Vault token for O(auth_method=token).
      - Falls back to E(VAULT_TOKEN), then E(BAO_TOKEN), then E(ANSIBLE_HASHI_VAULT_TOKEN), then the file
        O(token_path).
      - An error that Vault refused a request names where the token came from (this option, a variable,
        E(VAULT_TOKEN), the token file, or the login of O(auth_method)).
    type: str
  token_path:
    description:
      - File holding a token, read when no other token is set. Defaults to C(~/.vault-token).
      - Without it, community.hashi_vault's E(ANSIBLE_HASHI_VAULT_TOKEN_PATH) (a folder) and
        E(ANSIBLE_HASHI_VAULT_TOKEN_FILE) (a file name in it) are used when set.
    type: path
  role_id:
    description:
      - AppRole role ID for O(auth_method=approle).
      - Falls back to E(VAULTOPS_CLOUD_ROLE_ID), then E(ANSIBLE_HASHI_VAULT_ROLE_ID). With O(auth_method=jwt) and
        no O(role), community.hashi_vault's C(ansible_hashi_vault_role_id) or E(ANSIBLE_HASHI_VAULT_ROLE_ID) is
        taken as the role, as it does.
    type: str
  secret_id:
    description:
      - AppRole secret ID for O(auth_method=approle).
      - Falls back to E(VAULTOPS_CLOUD_SECRET_ID), then E(ANSIBLE_HASHI_VAULT_SECRET_ID).
    type: str
  username:
    description:
      - User name for O(auth_method=userpass).
      - Falls back to E(ANSIBLE_HASHI_VAULT_USERNAME).
    type: str
  password:
    description:
      - Password for O(auth_method=userpass).
      - Falls back to E(ANSIBLE_HASHI_VAULT_PASSWORD).
    type: str
  role:
    description: Role to log in as, for O(auth_method=jwt) and O(auth_method=cert).
    type: str
  jwt:
    description:
      - The signed JSON Web Token for O(auth_method=jwt).
      - Falls back to E(VAULTOPS_CLOUD_JWT), then E(ANSIBLE_HASHI_VAULT_JWT).
    type: str
  revoke_login_token:
    description:
      - "Log in once per run: with the callback P(vaultops.cloud.run_end#callback) enabled, the token of a login
        (O(auth_method) V(approle), V(userpass), V(jwt), V(cert)) is kept for the run in its private folder (mode 0700,
        the token file 0600) and reused by every later module (on the controller) and lookup call of the run that
        logs in as the same identity, until 90% of its TTL has passed. When the run ends (also after a failed
        task, Ctrl-C or SIGTERM) the token is revoked and its file removed."
      - Set V(false) to leave the token to its TTL instead of revoking it at the end (it is still removed from
        the folder).
      - "Vault revokes every lease a token made when the token is revoked: with V(true), credentials issued under
        such a login end with the run, as with O(vaultops.cloud.creds#lookup:revoke_at_end). Set V(false) when a
        credential must outlive the run (handed to an application, say); it then lives until its TTL."
      - Without the callback, or for a module that runs on a remote host, every call logs in.
      - Defaults to V(true).
    type: bool
notes:
  - "Where each connection option comes from, strongest first: (1) the task's option (for modules also
    C(module_defaults); lookups never see C(module_defaults)); (2) lookups only: the variable
    C(vaultops_cloud_<option>), then community.hashi_vault's C(ansible_hashi_vault_<option>); (3) the environment:
    E(VAULT_*), then E(BAO_*) (and E(VAULTOPS_CLOUD_*)), then E(ANSIBLE_HASHI_VAULT_*) (for modules, the environment
    of the host the module runs on); (4) lookups only: the C([vaultops_cloud]) section of C(ansible.cfg); (5) for
    the token, the file O(token_path) (C(~/.vault-token))."
requirements:
  - hvac >= 2.1.0 (Python library)
"""

    # Where a controller-side plugin reads the same options from.
    # Where a controller-side plugin reads the same options from. Ansible takes the LAST set entry of a list, so
    # each list runs from the weakest to the strongest: vaultops_cloud_* beats ansible_hashi_vault_*, VAULT_* beats
    # BAO_* beats ANSIBLE_HASHI_VAULT_* (the order ENV_FALLBACKS in module_utils/_client.py uses for modules).
    PLUGINS = r"""
options:
  url:
    env:
      - name: ANSIBLE_HASHI_VAULT_ADDR
      - name: ANSIBLE_HASHI_VAULT_URL
      - name: BAO_ADDR
      - name: VAULT_ADDR
    ini:
      - section: vaultops_cloud
        key: url
    vars:
      - name: ansible_hashi_vault_addr
      - name: ansible_hashi_vault_url
      - name: vaultops_cloud_url
  namespace:
    env:
      - name: ANSIBLE_HASHI_VAULT_NAMESPACE
      - name: BAO_NAMESPACE
      - name: VAULT_NAMESPACE
    ini:
      - section: vaultops_cloud
        key: namespace
    vars:
      - name: ansible_hashi_vault_namespace
      - name: vaultops_cloud_namespace
  ca_cert:
    env:
      - name: ANSIBLE_HASHI_VAULT_CA_CERT
      - name: BAO_CACERT
      - name: VAULT_CACERT
    ini:
      - section: vaultops_cloud
        key: ca_cert
    vars:
      - name: ansible_hashi_vault_ca_cert
      - name: vaultops_cloud_ca_cert
  validate_certs:
    ini:
      - section: vaultops_cloud
        key: validate_certs
    vars:
      - name: ansible_hashi_vault_validate_certs
      - name: vaultops_cloud_validate_certs
  timeout:
    env:
      - name: ANSIBLE_HASHI_VAULT_TIMEOUT
    ini:
      - section: vaultops_cloud
        key: timeout
    vars:
      - name: ansible_hashi_vault_timeout
      - name: vaultops_cloud_timeout
  proxies:
    vars:
      - name: ansible_hashi_vault_proxies
      - name: vaultops_cloud_proxies
  retries:
    env:
      - name: ANSIBLE_HASHI_VAULT_RETRIES
    ini:
      - section: vaultops_cloud
        key: retries
    vars:
      - name: ansible_hashi_vault_retries
      - name: vaultops_cloud_retries
  retry_window:
    ini:
      - section: vaultops_cloud
        key: retry_window
    vars:
      - name: vaultops_cloud_retry_window
  auth_method:
    env:
      - name: ANSIBLE_HASHI_VAULT_AUTH_METHOD
      - name: VAULTOPS_CLOUD_AUTH_METHOD
    ini:
      - section: vaultops_cloud
        key: auth_method
    vars:
      - name: ansible_hashi_vault_auth_method
      - name: vaultops_cloud_auth_method
  auth_mount_point:
    env:
      - name: ANSIBLE_HASHI_VAULT_MOUNT_POINT
    ini:
      - section: vaultops_cloud
        key: auth_mount_point
    vars:
      - name: ansible_hashi_vault_mount_point
      - name: vaultops_cloud_auth_mount_point
  token:
    env:
      - name: ANSIBLE_HASHI_VAULT_TOKEN
      - name: BAO_TOKEN
      - name: VAULT_TOKEN
    vars:
      - name: ansible_hashi_vault_token
      - name: vaultops_cloud_token
  token_path:
    ini:
      - section: vaultops_cloud
        key: token_path
    vars:
      - name: vaultops_cloud_token_path
  role_id:
    env:
      - name: ANSIBLE_HASHI_VAULT_ROLE_ID
      - name: VAULTOPS_CLOUD_ROLE_ID
    vars:
      - name: ansible_hashi_vault_role_id
      - name: vaultops_cloud_role_id
  secret_id:
    env:
      - name: ANSIBLE_HASHI_VAULT_SECRET_ID
      - name: VAULTOPS_CLOUD_SECRET_ID
    vars:
      - name: ansible_hashi_vault_secret_id
      - name: vaultops_cloud_secret_id
  username:
    env:
      - name: ANSIBLE_HASHI_VAULT_USERNAME
    vars:
      - name: ansible_hashi_vault_username
      - name: vaultops_cloud_username
  password:
    env:
      - name: ANSIBLE_HASHI_VAULT_PASSWORD
    vars:
      - name: ansible_hashi_vault_password
      - name: vaultops_cloud_password
  role:
    vars:
      - name: vaultops_cloud_role
  revoke_login_token:
    ini:
      - section: vaultops_cloud
        key: revoke_login_token
    vars:
      - name: vaultops_cloud_revoke_login_token
  jwt:
    env:
      - name: ANSIBLE_HASHI_VAULT_JWT
      - name: VAULTOPS_CLOUD_JWT
    vars:
      - name: vaultops_cloud_jwt
"""
