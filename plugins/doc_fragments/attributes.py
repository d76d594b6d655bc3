# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Every module of this collection.
    DOCUMENTATION = r"""
attributes:
  action_group:
    description: Use C(group/vaultops.cloud.vault) in C(module_defaults) to set connection options once.
    support: full
    membership:
      - vaultops.cloud.vault
"""

    # Modules that only read.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Reads only; no diff.
    support: N/A
  idempotent:
    description: Reads only.
    support: full
"""

    # Modules that reconcile a resource to a desired state.
    RESOURCE = r"""
attributes:
  check_mode:
    description: Reads Vault and reports what would change; writes nothing.
    support: full
  diff_mode:
    description: Shows the resource before and after; secret fields are masked.
    support: full
  idempotent:
    description: A second run with the same arguments changes nothing and reports C(changed=false).
    support: full
"""

    # Modules that converge a list of resources of one path in one process.
    BULK = r"""
options:
  purge:
    description:
      - Delete every resource of this kind that the mount has and the list does not name.
      - The list read that finds them runs in check mode too, so check mode predicts the deletes.
    type: bool
    default: false
  mount:
    description:
      - The engine's mount, converged first in the same module process and HTTP session. It is enabled when
        O(mount_point) has nothing mounted and tuned when a setting differs, as M(vaultops.cloud.secrets_engine)
        would do it; its read stands for the mount check, so no request is added.
      - Leave unset to manage only the items of an engine mounted by another task.
      - Only the settings below; M(vaultops.cloud.secrets_engine) has the others.
    type: dict
    suboptions:
      type:
        description: Engine type; default the engine this module manages. A mount of another type is refused.
        type: str
      description:
        description: Human-readable description of the mount.
        type: str
      default_lease_ttl:
        description: Default lease TTL, in seconds or as a duration such as V(1h). V(0) means the system default.
        type: raw
      max_lease_ttl:
        description: Maximum lease TTL, in seconds or as a duration. V(0) means the system default.
        type: raw
      options:
        description: Engine-specific mount options. Only the keys given are compared.
        type: dict
      plugin_version:
        description: Version of the plugin to run, when several are registered.
        type: str
attributes:
  check_mode:
    description: Reads Vault and reports what would change for every item; writes nothing.
    support: full
  diff_mode:
    description: One diff per changed item, headed by its name; secret fields are masked.
    support: full
  idempotent:
    description: A second run with the same list changes nothing and reports C(changed=false).
    support: full
"""
