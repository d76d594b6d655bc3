# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The automated rotation of an engine's root credential (the AWS access key, the Google Cloud service account
    # key, the Azure client secret): the same four fields in the configuration of the AWS, Google Cloud and Azure
    # engines of Vault 1.19 and later (aws v1.19, gcp and azure v0.21).
    DOCUMENTATION = r"""
options:
  rotation_period:
    description:
      - How often Vault's rotation manager rotates the engine's root credential (what the engine's C(rotate-root)
        rotates), in seconds or as a duration such as V(720h); V(0) for none. Excludes O(rotation_schedule).
        Passed through only when set.
      - Needs Vault 1.19 or later (whose engines are aws v1.19, gcp and azure v0.21). OpenBao 2.7's plugins, of the
        Vault 1.18 generation, do not have it; there the module fails naming the field, and writes nothing.
      - A non-zero value needs Vault Enterprise; community Vault refuses it (C(rotation manager capabilities not
        supported in Vault community edition)) while automated rotation is enabled, and stores it without any
        rotation job while O(disable_automated_rotation=true).
    type: raw
    version_added: 0.1.0
  rotation_schedule:
    description:
      - Cron-style schedule of the root credential's rotation, such as V(0 0 * * SAT); V('') for none. Excludes
        O(rotation_period). Passed through only when set.
      - Needs Vault 1.19 or later, and Vault Enterprise for a non-empty value (see O(rotation_period)).
    type: str
    version_added: 0.1.0
  rotation_window:
    description:
      - How long after each O(rotation_schedule) time the rotation may still happen, in seconds or as a duration.
        Only with a schedule (given here or stored); the module sends the schedule along, as the engine wants.
      - Needs Vault 1.19 or later, and Vault Enterprise for a non-zero value (see O(rotation_period)).
    type: raw
    version_added: 0.1.0
  disable_automated_rotation:
    description:
      - V(true) stops the automated rotation of the root credential (its rotation job is deregistered) while
        keeping O(rotation_period) or O(rotation_schedule) stored. Passed through only when set.
      - Needs Vault 1.19 or later (see O(rotation_period)); community Vault stores it.
    type: bool
    version_added: 0.1.0
"""
