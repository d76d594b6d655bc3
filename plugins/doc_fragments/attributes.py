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
