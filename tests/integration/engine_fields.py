# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one table of the engines' fields: what each module manages, against what the servers' schemas offer.

Pure data (no imports of the collection, no requests). ``test_schema_coverage.py`` reads it against the schema
the lab's server publishes for each managed path (``GET /v1/<mount>/<path>?help=1``: the request body of the
path's POST, whose properties are the fields) and asserts, per server:

* every field the schema offers is an option of the module (under the same name, or the name ``renamed`` gives),
  and, for a configuration path (``role`` set), an option ``<role>_<option>`` of that bundled role's
  ``meta/argument_specs.yml``; or it is in ``left_out``, with the reason;
* no row is stale: every field the table names (``renamed``, ``left_out``, ``requires``) is offered by this
  server exactly when its :class:`Needs` says this server's engine has it;
* the module documentation of every version-gated option states what it needs (``Needs.doc``).

How to add a row: one :class:`PathFields` per (module, Vault path template). ``{name}`` in the template stands
for the resource's name (the test reads the schema at a concrete name). The bulk modules (``*_roles``,
``*_rolesets``, ...) take the single module's item options, so they have no rows of their own.

Engine versions, as ``conftest.engine_version`` reports them: the AWS engine carries Vault's own version; the
lab runs OpenBao 2.7.2 with the plugins of Vault 1.18.5 (aws 1.18.5, gcp 0.20.1, azure 0.20.1, alicloud 0.18.0)
and HashiCorp Vault 1.21.1 (aws 1.21.1, gcp 0.23.0, azure 0.23.0, alicloud 0.21.0).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

Version = tuple[int, ...]


@dataclass(frozen=True)
class Needs:
    """What a field needs of the server: the engine version that first offers it, or Vault Enterprise.

    ``doc`` is the phrase the module documentation of the option must contain (item 4 of issue 10: the docs
    say which server and engine version each field needs); ``why`` is the longer text for people.
    """

    doc: str
    why: str
    engine_min: Version = ()
    enterprise: bool = False

    def offered(self, engine_version: Version) -> bool:
        """Whether a community server whose engine runs ``engine_version`` offers the field."""
        if self.enterprise:
            return False
        return engine_version >= self.engine_min


@dataclass(frozen=True)
class PathFields:
    """One Vault path a module manages, and how the module covers the fields the engine's schema offers."""

    module: str
    engine: str
    path: str
    # the bundled role that drives this path with role options <role>_<option>; None for items (roles,
    # rolesets, accounts: the role passes each item through as a dict of the module's options)
    role: str | None = None
    # Vault field -> module option, where the names differ
    renamed: t.Mapping[str, str] = field(default_factory=dict)
    # Vault field -> why the module does not offer it
    left_out: t.Mapping[str, str] = field(default_factory=dict)
    # Vault field -> what it needs (a module option that only some servers accept, or a left-out field that
    # only some servers offer)
    requires: t.Mapping[str, Needs] = field(default_factory=dict)

    @property
    def concrete_path(self) -> str:
        return self.path.format(name="schema-probe")

    def option(self, vault_field: str) -> str:
        return self.renamed.get(vault_field, vault_field)


# --- version gates --------------------------------------------------------------------------------

VAULT_1_19_AWS = Needs(
    doc="Vault 1.19",
    why="Vault 1.19+ (AWS engine of Vault 1.19 and later); not in the AWS plugin of Vault 1.18.5 that OpenBao 2.7 runs",
    engine_min=(1, 19, 0),
)
VAULT_1_19_AWS_ROTATION = Needs(
    doc="Vault 1.19",
    why="Vault 1.19+ (not in the AWS plugin of Vault 1.18.5 that OpenBao 2.7 runs); a non-zero period or a "
    "schedule needs Vault Enterprise's rotation manager (community Vault refuses it: 'rotation manager "
    "capabilities not supported in Vault community edition')",
    engine_min=(1, 19, 0),
)
VAULT_ENTERPRISE_1_19 = Needs(
    doc="Vault Enterprise 1.19",
    why="Vault Enterprise 1.19+ only (cross-account static roles): the community engine (Vault 1.21 CE, OpenBao) "
    "has no such field, and the collection refuses it there before any write",
    enterprise=True,
)

# --- AWS ------------------------------------------------------------------------------------------

AWS: tuple[PathFields, ...] = (
    PathFields(
        module="aws_secrets_config",
        engine="aws",
        path="config/root",
        role="aws_secrets_engine",
        requires={
            "sts_region": VAULT_1_19_AWS,
            "sts_fallback_endpoints": VAULT_1_19_AWS,
            "sts_fallback_regions": VAULT_1_19_AWS,
            "rotation_period": VAULT_1_19_AWS_ROTATION,
            "rotation_schedule": VAULT_1_19_AWS_ROTATION,
            "rotation_window": VAULT_1_19_AWS_ROTATION,
            "disable_automated_rotation": VAULT_1_19_AWS,
        },
    ),
    PathFields(module="aws_secrets_config", engine="aws", path="config/lease", role="aws_secrets_engine"),
    PathFields(
        module="aws_secrets_role",
        engine="aws",
        path="roles/{name}",
        left_out={
            "arn": "deprecated by the engine (its schema says 'Use role_arns or policy_arns instead'): role_arns "
            "and policy_arns cover it",
            "policy": "deprecated by the engine (its schema says 'Use policy_document instead'): policy_document "
            "covers it",
        },
    ),
    PathFields(
        module="aws_secrets_static_role",
        engine="aws",
        path="static-roles/{name}",
        # module options for Vault Enterprise; no server of the lab offers them (the refusal is tested instead)
        requires={
            "assume_role_arn": VAULT_ENTERPRISE_1_19,
            "assume_role_session_name": VAULT_ENTERPRISE_1_19,
            "external_id": VAULT_ENTERPRISE_1_19,
        },
    ),
)

# --- AliCloud -------------------------------------------------------------------------------------

ALICLOUD: tuple[PathFields, ...] = (
    PathFields(module="alicloud_secrets_config", engine="alicloud", path="config", role="alicloud_secrets_engine"),
    PathFields(module="alicloud_secrets_role", engine="alicloud", path="role/{name}"),
)

# --- GCP ------------------------------------------------------------------------------------------


def _rotation(engine: str) -> dict[str, Needs]:
    """The root-rotation fields of the GCP and Azure engines: v0.21 (Vault 1.19) and later."""
    needs = Needs(
        doc="Vault 1.19",
        why=f"Vault 1.19+ ({engine} engine v0.21 and later; not the v0.20.1 plugin that OpenBao 2.7 runs, where "
        "the module refuses the field before any write); a non-zero period or a schedule needs Vault Enterprise "
        "(community Vault refuses it: 'rotation manager capabilities not supported in Vault community edition')",
        engine_min=(0, 21, 0),
    )
    return dict.fromkeys(
        ("rotation_period", "rotation_schedule", "rotation_window", "disable_automated_rotation"), needs
    )


# identity_token_audience is offered by both servers' engines (and is an option); only Vault Enterprise can use it:
# community Vault refuses a non-empty value ('plugin workload identity not supported in Vault community edition'),
# OpenBao fails it (its server has no GenerateIdentityToken). Tested as refusals, not a gate of the schema.
GCP: tuple[PathFields, ...] = (
    PathFields(
        module="gcp_secrets_config", engine="gcp", path="config", role="gcp_secrets_engine", requires=_rotation("GCP")
    ),
    PathFields(module="gcp_secrets_roleset", engine="gcp", path="roleset/{name}"),
    PathFields(module="gcp_secrets_static_account", engine="gcp", path="static-account/{name}"),
    PathFields(module="gcp_secrets_impersonated_account", engine="gcp", path="impersonated-account/{name}"),
)

# --- Azure ----------------------------------------------------------------------------------------

# Role metadata and static roles (static-roles/{name}) are in neither server's engine (azure v0.20.1, v0.23.0):
# their schemas offer no such field or path, so there is nothing to cover yet.
AZURE: tuple[PathFields, ...] = (
    PathFields(
        module="azure_secrets_config",
        engine="azure",
        path="config",
        role="azure_secrets_engine",
        requires=_rotation("Azure"),
    ),
    PathFields(module="azure_secrets_role", engine="azure", path="roles/{name}"),
)

# every row, in the order the coverage test reports them
TABLE: tuple[PathFields, ...] = AWS + ALICLOUD + GCP + AZURE
