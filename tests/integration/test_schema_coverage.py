"""Every field the engines' own schema offers is covered: an option of the module (and of the role that drives a
configuration path), or left out in the one table of fields (``engine_fields.py``) with a reason.

On the lab's server (OpenBao with the lab's plugins, or HashiCorp Vault with ``VAULTOPS_LAB_SERVER=vault``) each
engine is mounted once and every managed path's schema is read with ``GET /v1/<mount>/<path>?help=1`` on the root
token (hvac): the request body of the path's POST, whose properties are the fields. (``sys/internal/specs/openapi``
has empty bodies for OpenBao's external plugins.) The module options come from each module's DOCUMENTATION and
the doc fragments it extends, the role options from ``roles/<role>/meta/argument_specs.yml``: never from the
collection's Python code. No ansible-playbook start.

Per server, three assertions per row of the table: no field of the schema is uncovered; no row is stale (every field
the table names is offered exactly when its version gate says this server's engine has it); every version-gated
option's documentation states what it needs.
"""

from __future__ import annotations

import ast
import typing as t

import hvac
import pytest
import yaml

from .conftest import REPO, SERVER, engine_version
from .engine_fields import TABLE, PathFields

MOUNT_PREFIX = "it-schema-"
ROWS = list(TABLE)


def row_id(row: PathFields) -> str:
    return f"{row.module}:{row.path}"


def schema_fields(vault: hvac.Client, mount: str, path: str) -> dict[str, dict[str, t.Any]]:
    """The fields of ``<mount>/<path>`` as the server's schema of the path's POST (or PUT) body lists them."""
    answer = vault.adapter.get(f"/v1/{mount}/{path}", params={"help": 1})
    openapi = answer["openapi"]
    schemas = openapi.get("components", {}).get("schemas", {})
    fields: dict[str, dict[str, t.Any]] = {}
    for item in openapi["paths"].values():
        for method in ("post", "put"):
            body = (item.get(method) or {}).get("requestBody") or {}
            ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                fields.update(schemas[ref.rsplit("/", 1)[-1]].get("properties") or {})
    assert fields, f"the server's schema of {mount}/{path} lists no field (answer: {openapi!r:.500})"
    return fields


def documentation(path: t.Any, name: str = "DOCUMENTATION") -> dict[str, t.Any]:
    """The YAML of the string ``name`` assigned in ``path`` (a module, or a doc fragment's class), read as text."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and any(getattr(x, "id", "") == name for x in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value)) or {}
    raise AssertionError(f"{path} has no {name}")


def module_options(module: str) -> dict[str, dict[str, t.Any]]:
    """The options the module documents: its DOCUMENTATION and the collection's doc fragments it extends, except the
    connection options (``vaultops.cloud.connection``), which are not fields of any path."""
    doc = documentation(REPO / "plugins" / "modules" / f"{module}.py")
    options = dict(doc.get("options") or {})
    for fragment in doc.get("extends_documentation_fragment") or []:
        parts = fragment.split(".")
        if parts[:2] != ["vaultops", "cloud"] or parts[2] == "connection":
            continue
        source = REPO / "plugins" / "doc_fragments" / f"{parts[2]}.py"
        options.update(documentation(source, parts[3] if len(parts) > 3 else "DOCUMENTATION").get("options") or {})
    return options


def role_options(role: str) -> dict[str, dict[str, t.Any]]:
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())
    return specs["argument_specs"]["main"]["options"]


def described(option: t.Mapping[str, t.Any]) -> str:
    text = option.get("description") or ""
    return " ".join(text) if isinstance(text, list) else str(text)


@pytest.fixture(scope="module")
def schemas(vault: hvac.Client) -> t.Iterator[dict[str, dict[str, dict[str, t.Any]]]]:
    """``{row_id: {field: schema}}`` for every row, each engine mounted once."""
    engines = sorted({row.engine for row in ROWS})
    for engine in engines:
        vault.sys.enable_secrets_engine(engine, path=f"{MOUNT_PREFIX}{engine}")
    try:
        yield {row_id(row): schema_fields(vault, f"{MOUNT_PREFIX}{row.engine}", row.concrete_path) for row in ROWS}
    finally:
        for engine in engines:
            vault.sys.disable_secrets_engine(f"{MOUNT_PREFIX}{engine}")


@pytest.fixture(scope="module")
def versions(vault: hvac.Client) -> dict[str, tuple[int, ...]]:
    return {engine: engine_version(vault, engine) for engine in sorted({row.engine for row in ROWS})}


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_every_field_is_covered(row: PathFields, schemas: dict[str, dict[str, t.Any]]) -> None:
    offered = set(schemas[row_id(row)])
    options = module_options(row.module)
    uncovered = sorted(f for f in offered if f not in row.left_out and row.option(f) not in options)
    assert not uncovered, (
        f"{SERVER}: {row.path} offers {uncovered}, which module {row.module} does not have as options and "
        "engine_fields.py does not leave out with a reason"
    )
    if row.role is not None:
        role = role_options(row.role)
        missing = sorted(
            f"{row.role}_{row.option(f)}"
            for f in offered
            if f not in row.left_out and f"{row.role}_{row.option(f)}" not in role
        )
        assert not missing, f"{SERVER}: {row.path} offers fields that role {row.role} has no option for: {missing}"


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_no_stale_row(row: PathFields, schemas: dict[str, dict[str, t.Any]], versions: dict[str, t.Any]) -> None:
    offered = set(schemas[row_id(row)])
    version = versions[row.engine]
    named = set(row.renamed) | set(row.left_out) | set(row.requires)
    wrong = []
    for name in sorted(named):
        needs = row.requires.get(name)
        expected = needs.offered(version) if needs is not None else True
        if (name in offered) != expected:
            said = needs.why if needs is not None else "every server"
            wrong.append(f"{name} ({'offered' if name in offered else 'not offered'}; the table says: {said})")
    assert not wrong, (
        f"{SERVER} (engine {row.engine} {'.'.join(map(str, version))}), {row.path}: stale rows in "
        f"engine_fields.py: {wrong}"
    )
    options = module_options(row.module)
    assert not [o for o in row.renamed.values() if o not in options], f"{row.module}: renamed to no option"
    contradicted = sorted(f for f in row.left_out if row.option(f) in options)
    assert not contradicted, f"{row.module} has options {contradicted} that engine_fields.py says are left out"


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_version_gates_documented(row: PathFields) -> None:
    options = module_options(row.module)
    role = role_options(row.role) if row.role is not None else {}
    silent = []
    for name, needs in sorted(row.requires.items()):
        option = row.option(name)
        if option in options and needs.doc not in described(options[option]):
            silent.append(f"{row.module}: {option} (needs {needs.doc!r})")
        if f"{row.role}_{option}" in role and needs.doc not in described(role[f"{row.role}_{option}"]):
            silent.append(f"role {row.role}: {row.role}_{option} (needs {needs.doc!r})")
    assert not silent, f"the documentation of these options does not say what they need: {silent}"
