# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Reconcile one Vault resource: describe current, compare with desired, write only when changed.

Engine-agnostic and free of Ansible imports; modules pass in what to read, how to
write and which fields are secret.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from ._compare import MASK, differences, normalise_record

UPDATE_SECRET_CHOICES = ("always", "on_create")


@dataclass
class Outcome:
    changed: bool
    before: dict[str, t.Any]
    after: dict[str, t.Any]
    changed_fields: list[str] = field(default_factory=list)
    secret_written: bool = False

    def diff(self) -> dict[str, t.Any]:
        return {"before": self.before, "after": self.after}


def reconcile(
    *,
    state: str,
    current: dict[str, t.Any] | None,
    desired: dict[str, t.Any],
    spec: t.Mapping[str, str],
    write: t.Callable[[dict[str, t.Any]], None],
    delete: t.Callable[[], t.Any],
    check_mode: bool,
    payload: t.Callable[[dict[str, t.Any], dict[str, t.Any] | None], dict[str, t.Any]] | None = None,
    secrets: t.Mapping[str, t.Any] | None = None,
    update_secret: str = "on_create",  # noqa: S107 - a policy name, not a secret
) -> Outcome:
    """Bring one resource to ``state``.

    ``desired`` holds the non-secret fields the user set (``None`` = don't care);
    ``secrets`` the write-only fields, which Vault never returns and which are
    therefore never compared: they are written when the resource is created, or
    on every run with ``update_secret=always``, and whenever another field
    changes (since a write replaces the resource).
    """
    secrets = {k: v for k, v in (secrets or {}).items() if v is not None}
    before = normalise_record(current, spec) if current is not None else {}
    secret_mask = dict.fromkeys(secrets, MASK)
    if state == "absent":
        if current is None:
            return Outcome(False, {}, {})
        if not check_mode:
            delete()
        return Outcome(True, before, {}, changed_fields=sorted(before))

    changes = differences(desired, current, spec)
    creating = current is None
    rewrite_secret = bool(secrets) and (creating or update_secret == "always")  # noqa: S105
    changed = creating or bool(changes) or rewrite_secret
    after = dict(before)
    for name, (_old, want) in changes.items():
        after[name] = want
    if creating:
        after = normalise_record({k: v for k, v in desired.items() if v is not None}, spec)
    if not changed:
        return Outcome(False, before, after)
    if secrets:
        # a secret that will be sent shows as changed: Vault never returns the old value
        after.update(secret_mask)
        if not creating:
            before.update(dict.fromkeys(secrets, "VALUE_NOT_RETURNED_BY_VAULT"))
    if not check_mode:
        body = payload(desired, current) if payload else {k: v for k, v in desired.items() if v is not None}
        body.update(secrets)
        write(body)
    fields = sorted(changes) + (sorted(secrets) if rewrite_secret or changes else [])
    return Outcome(True, before, after, changed_fields=fields, secret_written=bool(secrets))
