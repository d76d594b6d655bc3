"""The collection as a user gets it: the built tarball, installed into an empty collections path.

One build and one install per session (``installed``); ``ansible-doc`` runs once per plugin type and once for
the roles, and the playbooks run by FQCN from the installed copy against the lab (a setup and a deploy). What
the tarball must and must not hold is read from the tree (``git ls-files`` and the plugin folders), never from
``galaxy.yml``'s own ``build_ignore``.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO, Ansible, Lab, ansible_bin

TOOLS = REPO / ".venv-tools" / "bin"
PLAYBOOKS = ("setup_vault_aws", "setup_vault_gcp", "setup_vault_azure", "setup_vault_alicloud")
PLAYBOOKS += ("deploy_with_aws_creds", "deploy_with_gcp_creds", "deploy_with_azure_creds", "deploy_with_alicloud_creds")
# plugin folders whose files are plugins that ansible-doc documents (module_utils, doc_fragments and
# plugin_utils are not plugins of their own)
DOC_TYPES = {"modules": "module", "lookup": "lookup", "callback": "callback", "filter": "filter", "test": "test"}
# development-only content: none of it may reach the tarball
DEV_TOP = {"Makefile", "ruff.toml", ".ansible-lint", ".gitignore", "scripts", "lab", "tests", "extensions", ".ci"}
DEV_ANYWHERE = re.compile(
    r"(^|/)(__pycache__|\.pytest_cache|\.ruff_cache|\.venv[^/]*|\.build|\.lab|\.cache)(/|$)|\.pyc$"
)
WARNING = re.compile(r"^.*\[(DEPRECATION )?WARNING\].*$", re.MULTILINE)
# ansible-core's own, not the collection's: ansible-doc -t role of ansible-core 2.21 scans its internal collection
CORE_NOISE = re.compile(r"ansible/_internal/ansible_collections/ansible/_protomatter' does not have a MANIFEST")


@dataclass
class Installed:
    tarball: Path
    members: list[str]  # file names in the tarball (no directories)
    manifest: dict[str, t.Any]
    collections: Path  # the collections path the tarball was installed into
    path: Path  # .../ansible_collections/vaultops/cloud


def run(
    cmd: list[str | Path], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in cmd], capture_output=True, text=True, env=env, cwd=cwd, timeout=600, check=False
    )


def shown(proc: subprocess.CompletedProcess[str]) -> str:
    return f"rc={proc.returncode}\n--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"


def plugin_names() -> dict[str, list[str]]:
    """{ansible-doc type: [FQCN, ...]} of the plugins in the tree."""
    found: dict[str, list[str]] = {}
    for folder, doc_type in DOC_TYPES.items():
        names = sorted(
            f"vaultops.cloud.{path.stem}"
            for path in (REPO / "plugins" / folder).glob("*.py")
            if not path.name.startswith("_")
        )
        if names:
            found[doc_type] = names
    return found


def role_names() -> list[str]:
    return sorted(
        f"vaultops.cloud.{path.parent.parent.name}" for path in (REPO / "roles").glob("*/meta/argument_specs.yml")
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, ansible_env: dict[str, str]) -> Installed:
    out = tmp_path_factory.mktemp("build")
    built = run([ansible_bin() / "ansible-galaxy", "collection", "build", "--output-path", out, REPO], env=ansible_env)
    assert built.returncode == 0, shown(built)
    (tarball,) = out.glob("vaultops-cloud-*.tar.gz")
    with tarfile.open(tarball) as archive:
        members = sorted(member.name for member in archive.getmembers() if not member.isdir())
        manifest = json.load(t.cast("t.IO[bytes]", archive.extractfile("MANIFEST.json")))
    collections = tmp_path_factory.mktemp("collections")
    # --offline: no Galaxy; amazon.aws (the declared dependency) is satisfied by the ansible package
    install = run(
        [ansible_bin() / "ansible-galaxy", "collection", "install", "--offline", "-p", collections, tarball],
        env=ansible_env,
    )
    assert install.returncode == 0, shown(install)
    summary = {"tarball": tarball.name, "bytes": tarball.stat().st_size, "files": len(members)}
    (REPO / "tests" / "output").mkdir(exist_ok=True)
    (REPO / "tests" / "output" / "packaging.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"packaging: {summary}")
    return Installed(
        tarball, members, manifest, collections, collections / "ansible_collections" / "vaultops" / "cloud"
    )


@pytest.fixture(scope="module")
def ansible_env() -> dict[str, str]:
    """A user's environment: no ANSIBLE_* of the checkout (its config points at the tree)."""
    from ._helpers import env_without

    env = env_without("ANSIBLE_", "VAULT_", "BAO_")
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def installed_env(ansible_env: dict[str, str], installed: Installed) -> dict[str, str]:
    return {**ansible_env, "ANSIBLE_COLLECTIONS_PATH": str(installed.collections)}


@pytest.mark.core219
def test_tarball_holds_the_collection_and_no_development_file(installed: Installed) -> None:
    members = set(installed.members)
    tracked = run(["git", "ls-files", "plugins", "roles", "playbooks"], cwd=REPO).stdout.split()
    shipped = {
        path for path in tracked if not (path.startswith("playbooks/") and "-" in Path(path).name)
    }  # the hyphenated playbook names are links for a checkout
    assert shipped, "git ls-files found nothing"
    assert sorted(shipped - members) == []
    assert {"MANIFEST.json", "FILES.json", "README.md", "LICENSE", "meta/runtime.yml"} <= members
    assert {"meta/execution-environment.yml", "meta/ee-requirements.txt"} <= members
    assert {f"playbooks/{name}.yml" for name in PLAYBOOKS} <= members

    development = sorted(
        name
        for name in members
        if name.split("/")[0] in DEV_TOP
        or DEV_ANYWHERE.search(name)
        or name.startswith("changelogs/fragments/")
        or (name.startswith("playbooks/") and "-" in name)
    )
    assert development == []
    assert installed.tarball.stat().st_size < 1_000_000, "the tarball grew past 1 MB: what got in?"

    info = installed.manifest["collection_info"]
    assert info["dependencies"] == {"amazon.aws": ">=9.0.0,<12.0.0"}
    assert info["license"] == ["GPL-3.0-or-later"]
    assert "example.invalid" not in json.dumps(info)
    assert (
        (REPO / "LICENSE")
        .read_text()
        .startswith("                    GNU GENERAL PUBLIC LICENSE\n                       Version 3")
    )


def test_ansible_doc_documents_every_plugin_and_role_without_warnings(
    installed: Installed, ansible_env: dict[str, str]
) -> None:
    env = installed_env(ansible_env, installed)
    wanted = plugin_names()
    assert "module" in wanted and "lookup" in wanted
    wanted["role"] = role_names()
    assert len(wanted["role"]) == 4, wanted["role"]
    for doc_type, names in wanted.items():
        proc = run([ansible_bin() / "ansible-doc", "-t", doc_type, "--json", *names], env=env)
        assert proc.returncode == 0, shown(proc)
        warnings = [match.group(0) for match in WARNING.finditer(proc.stderr) if not CORE_NOISE.search(match.group(0))]
        assert warnings == [], shown(proc)
        docs = json.loads(proc.stdout)
        assert sorted(docs) == names, shown(proc)
        for name, doc in docs.items():
            if doc_type == "role":
                assert doc["entry_points"]["main"]["short_description"], name
                assert doc["path"].startswith(str(installed.path)), (name, doc["path"])
                continue
            assert doc["doc"]["short_description"], name
            # the installed copy, not the checkout
            assert doc["doc"]["filename"].startswith(str(installed.path)), (name, doc["doc"]["filename"])


def test_execution_environment_lists_the_controller_requirements(installed: Installed) -> None:
    builder = TOOLS / "ansible-builder"
    assert builder.exists(), "ansible-builder is missing: run make venv (scripts/bootstrap makes .venv-tools)"
    proc = run([builder, "introspect", "--sanitize", installed.collections])
    assert proc.returncode == 0, shown(proc)
    # python: ['hvac>=2.1.0  # from collection vaultops.cloud', ...] in YAML
    lines = set(re.findall(r"^- '(\S+)\s+# from collection vaultops\.cloud'$", proc.stdout, re.MULTILINE))
    assert {"hvac>=2.1.0", "boto3>=1.34.0", "botocore>=1.34.0"} <= lines, shown(proc)


@pytest.mark.core219
def test_playbooks_run_by_fqcn_from_the_installed_copy(
    installed: Installed, ansible_env: dict[str, str], ansible: Ansible, lab: Lab
) -> None:
    env = {**lab.env, "ANSIBLE_COLLECTIONS_PATH": str(installed.collections)}
    # without the installed copy on the path the name means nothing: the runs below use that copy
    empty = installed.collections.parent / "empty-collections"
    empty.mkdir(exist_ok=True)
    nowhere = ansible.playbook("vaultops.cloud.setup_vault_aws", env={**env, "ANSIBLE_COLLECTIONS_PATH": str(empty)})
    assert nowhere.rc != 0, nowhere.output
    assert "could not be found" in nowhere.output or "Unable to retrieve file contents" in nowhere.output, (
        nowhere.output
    )

    setup = ansible.playbook("vaultops.cloud.setup_vault_aws", env=env)
    assert setup.rc == 0, setup.output
    assert setup.counts()["failed"] == 0, setup.output
    deploy = ansible.playbook("vaultops.cloud.deploy_with_aws_creds", env=env)
    assert deploy.rc == 0, deploy.output
    assert "Deploying as arn:aws:iam::" in deploy.stdout, deploy.output
    assert deploy.counts()["failed"] == 0, deploy.output
