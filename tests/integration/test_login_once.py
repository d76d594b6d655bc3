"""Log in once per run, and community.hashi_vault's conventions, live (issue 8, items 3 and 5).

One ansible-playbook run, with no VAULT_* in its environment: only community.hashi_vault's
ANSIBLE_HASHI_VAULT_ADDR / _AUTH_METHOD / _MOUNT_POINT / _ROLE_ID / _SECRET_ID (the lookups also get the secret-id
from the variable ansible_hashi_vault_secret_id). Its 30 calls (25 module tasks, 5 lookups that each issue a
credential, revoked at the end) log in with AppRole, and the lab's audit log is the witness: exactly one
``auth/<mount>/login`` in the run, every other request made with that one token, and at the end the leases
revoked and the token itself revoked (``auth/token/revoke-self``, after which Vault no longer knows its accessor).
"""

from __future__ import annotations

import json
import typing as t
import uuid
from pathlib import Path

import hvac
import hvac.exceptions
import pytest

from ._audit import AuditLog, describe
from ._helpers import free_port, http_json, start_process, stop_process, wait_ready
from .conftest import VENV_BIN, Ansible, Lab

SUFFIX = uuid.uuid4().hex[:6]
MOUNT = f"it-login-aws-{SUFFIX}"
APPROLE = f"it-login-approle-{SUFFIX}"
POLICY = f"it-login-{SUFFIX}"
MODULE_TASKS = 25
LOOKUPS = 5
IAM_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::it-login"]}],
}


@pytest.fixture(scope="module")
def consumer(vault: hvac.Client, lab: Lab) -> t.Iterator[tuple[str, str]]:
    """An AWS engine on moto with one role, and an AppRole login allowed to read it: (role_id, secret_id)."""
    vault.sys.enable_secrets_engine("aws", path=MOUNT)
    vault.write_data(
        f"{MOUNT}/config/root",
        data=lab.aws_root_config(),
    )
    vault.write_data(
        f"{MOUNT}/roles/deploy", data={"credential_type": "iam_user", "policy_document": json.dumps(IAM_POLICY)}
    )
    vault.sys.create_or_update_acl_policy(
        POLICY,
        f'path "{MOUNT}/*" {{ capabilities = ["read", "list"] }}\n'
        'path "sys/internal/ui/mounts/*" { capabilities = ["read"] }\n'
        'path "sys/leases/*" { capabilities = ["update"] }\n',
    )
    vault.sys.enable_auth_method("approle", path=APPROLE)
    vault.write_data(f"auth/{APPROLE}/role/deploy", data={"token_policies": [POLICY], "token_ttl": "20m"})
    role_id = vault.read(f"auth/{APPROLE}/role/deploy/role-id")["data"]["role_id"]
    secret_id = vault.write_data(f"auth/{APPROLE}/role/deploy/secret-id")["data"]["secret_id"]
    try:
        yield role_id, secret_id
    finally:
        vault.sys.revoke_prefix(f"{MOUNT}/")
        vault.sys.disable_secrets_engine(MOUNT)
        vault.sys.disable_auth_method(APPROLE)
        vault.sys.delete_acl_policy(POLICY)


def test_thirty_calls_log_in_once_and_the_token_is_revoked_at_the_end(
    ansible: Ansible, vault: hvac.Client, lab: Lab, consumer: tuple[str, str], tmp_path: Path
) -> None:
    role_id, secret_id = consumer
    audit = AuditLog.of(lab.env)
    tasks: list[dict[str, t.Any]] = []
    for index in range(MODULE_TASKS):
        tasks.append(
            {
                "name": f"module {index}",
                "vaultops.cloud.aws_secrets_info": {"mount_point": MOUNT, "only": ["roles"]},
                "register": f"info_{index}",
            }
        )
    lookup = f"lookup('vaultops.cloud.creds', 'deploy', mount_point='{MOUNT}', cache=false, revoke_at_end=true)"
    for index in range(LOOKUPS):
        tasks.append(
            {"name": f"lookup {index}", "ansible.builtin.set_fact": {f"creds_{index}": "{{ " + lookup + " }}"}}
        )
    tasks.append(
        {
            "name": "collect",
            "ansible.builtin.set_fact": {
                "seen": {
                    "roles": "{{ info_0.roles | default({}) | list }}",
                    "keys": "{{ [" + ", ".join(f"creds_{i}.access_key" for i in range(LOOKUPS)) + "] }}",
                }
            },
        }
    )
    cache = tmp_path / "run-folders"
    env = {
        "ANSIBLE_HASHI_VAULT_ADDR": lab.vault_addr,
        "ANSIBLE_HASHI_VAULT_AUTH_METHOD": "approle",
        "ANSIBLE_HASHI_VAULT_MOUNT_POINT": APPROLE,
        "ANSIBLE_HASHI_VAULT_ROLE_ID": role_id,
        "ANSIBLE_HASHI_VAULT_SECRET_ID": secret_id,
        "VAULTOPS_CREDS_CACHE_DIR": str(cache),
    }
    mark = audit.mark()
    run = ansible.play(
        tasks,
        capture="seen",
        env=env,
        unset_env=("VAULT_ADDR", "VAULT_TOKEN"),
        play_vars={"ansible_hashi_vault_secret_id": secret_id},
    )
    assert run.rc == 0, run.output
    assert run.counts()["failed"] == 0
    assert run.result["roles"] == ["deploy"]
    keys = run.result["keys"]
    assert len(set(keys)) == LOOKUPS and all(keys), keys  # five credentials, each issued (cache=false)

    requests = audit.since(mark)
    logins = [r for r in requests if r.path == f"auth/{APPROLE}/login"]
    assert len(logins) == 1, describe(requests)
    ours = [r for r in requests if r.path.startswith((f"{MOUNT}/", "sys/leases/", "auth/token/revoke-self"))]
    accessors = {r.accessor for r in ours}
    assert len(accessors) == 1, describe(ours)  # every call, modules and lookups, with the one login's token
    [accessor] = accessors
    issued = [r for r in ours if r.path == f"{MOUNT}/creds/deploy"]
    assert len(issued) == LOOKUPS, describe(ours)
    revoked = [r for r in ours if r.path.startswith("sys/leases/revoke")]
    assert len(revoked) == LOOKUPS, describe(ours)  # revoke_at_end, with the same token
    assert [r.path for r in ours][-1] == "auth/token/revoke-self", describe(ours)  # the token last
    with pytest.raises(hvac.exceptions.InvalidRequest):
        vault.auth.token.lookup_accessor(accessor)
    assert not [p for p in cache.iterdir() if p.is_dir()] if cache.exists() else True  # the run's folder is gone


def test_auth_none_behind_a_proxy_with_auto_auth(
    ansible: Ansible, vault: hvac.Client, lab: Lab, consumer: tuple[str, str], tmp_path: Path
) -> None:
    if lab.env.get("VAULTOPS_LAB_SERVER", "bao") != "bao" or not (VENV_BIN / "bao").exists():
        pytest.skip("the proxy is OpenBao's bao proxy, which this lab does not have")
    role_id, secret_id = consumer
    (tmp_path / "role-id").write_text(role_id)
    (tmp_path / "secret-id").write_text(secret_id)
    port = free_port()
    config = tmp_path / "proxy.hcl"
    config.write_text(
        f'vault {{ address = "{lab.vault_addr}" }}\n'
        "auto_auth {\n"
        f'  method "approle" {{\n    mount_path = "auth/{APPROLE}"\n    config = {{\n'
        f'      role_id_file_path = "{tmp_path / "role-id"}"\n'
        f'      secret_id_file_path = "{tmp_path / "secret-id"}"\n'
        "      remove_secret_id_file_after_reading = false\n    }\n  }\n}\n"
        'api_proxy { use_auto_auth_token = "force" }\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n'
    )
    log = tmp_path / "proxy.log"
    proc = start_process(
        [str(VENV_BIN / "bao"), "proxy", f"-config={config}"],
        log,
        {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    try:
        proxy = f"http://127.0.0.1:{port}"
        wait_ready("bao proxy", lambda: http_json(f"{proxy}/v1/sys/seal-status")[0] == 200, proc, log)
        audit = AuditLog.of(lab.env)
        wait_ready(
            "bao proxy auto-auth",
            lambda: "authentication successful" in log.read_text(errors="replace"),
            proc,
            log,
        )
        mark = audit.mark()
        run = ansible.task(
            "vaultops.cloud.aws_secrets_info",
            {"mount_point": MOUNT, "only": ["roles"]},
            env={"VAULT_ADDR": proxy, "VAULTOPS_CLOUD_AUTH_METHOD": "none", "HOME": str(tmp_path)},
            unset_env=("VAULT_TOKEN",),
        )
        assert run.rc == 0, run.output
        assert list(run.result["roles"]) == ["deploy"], run.output
        requests = [r for r in audit.since(mark) if r.path.startswith(f"{MOUNT}/")]
        assert requests, describe(audit.since(mark))
        login_accessors = {r.accessor for r in requests}
        assert len(login_accessors) == 1 and "" not in login_accessors, describe(requests)
        # the proxy's token is the AppRole's: it may read the engine, and it is not root
        [accessor] = login_accessors
        assert vault.auth.token.lookup_accessor(accessor)["data"]["policies"] == ["default", POLICY]
    finally:
        stop_process(proc)
