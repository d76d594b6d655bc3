# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""The resource driver: one descriptor per Vault path, one way to converge it.

An engine file declares a :class:`Resource` for every path it manages (its place under the mount,
its name rule, its fields and their comparison kinds, the write-only and the immutable fields, and
hooks for validation, the wire format and the engine's own rewrites). :class:`Driver` owns the rest
for every engine alike: read, compare, plan, write; check mode; the diff with secrets masked; the
``update_secret`` policy for write-only fields; the guarded recreate of a resource whose immutable
field changes; and converging many resources of one path in one pass (one mount check, one list,
one read per existing resource).

No Ansible imports: this runs inside modules and controller-side plugins alike.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field, replace

from ._client import VaultClient, VaultNoRoute, VaultOpsError, VaultUnsupportedFields
from ._compare import MASK, NORMALISERS, Normaliser, ValidationError, differences, normalise, normalise_record, validate
from ._vault import NAME, NameRule, check_mount_type, join_path, mount_path

UPDATE_SECRET_CHOICES = ("always", "on_create")
NOT_RETURNED = "VALUE_NOT_RETURNED_BY_VAULT"
ACTIONS = ("created", "updated", "deleted", "unchanged")

Record = t.Mapping[str, t.Any]
Check = t.Callable[[dict[str, t.Any], t.Optional[Record]], t.Optional[dict[str, t.Any]]]
Payload = t.Callable[[dict[str, t.Any], t.Optional[Record]], dict[str, t.Any]]


@dataclass
class Outcome:
    changed: bool
    before: dict[str, t.Any]
    after: dict[str, t.Any]
    changed_fields: list[str] = field(default_factory=list)
    secret_written: bool = False
    name: str | None = None
    action: str = "unchanged"
    recreated: bool = False
    # what Vault said along with a write ("warnings" of its answers)
    warnings: list[str] = field(default_factory=list)

    def diff(self) -> dict[str, t.Any]:
        return {"before": self.before, "after": self.after}


def reconcile(
    *,
    state: str,
    current: Record | None,
    desired: dict[str, t.Any],
    spec: t.Mapping[str, str],
    write: t.Callable[[dict[str, t.Any]], t.Any],
    delete: t.Callable[[], t.Any],
    check_mode: bool,
    payload: Payload | None = None,
    secrets: t.Mapping[str, t.Any] | None = None,
    update_secret: str = "on_create",  # noqa: S107 - a policy name, not a secret
    kinds: t.Mapping[str, Normaliser] | None = None,
) -> Outcome:
    """Bring one resource to ``state``: the compare-plan-write step of the driver.

    ``desired`` holds the non-secret fields the user set (``None`` = don't care);
    ``secrets`` the write-only fields, which Vault never returns and which are
    therefore never compared: they are written when the resource is created, or
    on every run with ``update_secret=always``, and whenever another field
    changes (since a write replaces the resource).
    """
    secrets = {k: v for k, v in (secrets or {}).items() if v is not None}
    before = normalise_record(current, spec, kinds) if current is not None else {}
    if state == "absent":
        if current is None:
            return Outcome(False, {}, {})
        if not check_mode:
            delete()
        return Outcome(True, before, {}, changed_fields=sorted(before), action="deleted")

    changes = differences(desired, current, spec, kinds)
    creating = current is None
    rewrite_secret = bool(secrets) and (creating or update_secret == "always")  # noqa: S105
    changed = creating or bool(changes) or rewrite_secret
    after = dict(before)
    for name, (_old, want) in changes.items():
        after[name] = want
    if creating:
        after = normalise_record({k: v for k, v in desired.items() if v is not None}, spec, kinds)
    if not changed:
        return Outcome(False, before, after)
    if secrets:
        # a secret that will be sent shows as changed: Vault never returns the old value
        after.update(dict.fromkeys(secrets, MASK))
        if not creating:
            before.update(dict.fromkeys(secrets, NOT_RETURNED))
    if not check_mode:
        body = payload(desired, current) if payload else {k: v for k, v in desired.items() if v is not None}
        body.update(secrets)
        write(body)
    fields = sorted(changes) + (sorted(secrets) if rewrite_secret or changes else [])
    return Outcome(
        True,
        before,
        after,
        changed_fields=fields,
        secret_written=bool(secrets),
        action="created" if creating else "updated",
    )


def _identity(record: Record) -> dict[str, t.Any]:
    return dict(record)


@dataclass(frozen=True)
class Resource:
    """One Vault path of an engine, declared once.

    ``path`` is the place under the mount: ``roles`` for named resources (``roles/<name>``, listed at
    ``roles``), ``config/root`` for a singleton (``named=False``).
    """

    engine: str
    what: str
    path: str
    fields: t.Mapping[str, str]
    named: bool = True
    name_rule: NameRule = NAME
    secrets: tuple[str, ...] = ()
    immutable: tuple[str, ...] = ()
    kinds: t.Mapping[str, Normaliser] = field(default_factory=lambda: NORMALISERS)
    # the engine's rules on the desired fields of a present resource, checked before any request
    rules: t.Callable[[dict[str, t.Any]], None] | None = None
    # validation that needs the current record; may return the desired fields with the engine's defaults
    check: Check | None = None
    # the wire format of a write (default: the set fields as given)
    payload: Payload | None = None
    # the record as Vault returns it -> the record to compare (the engine's own rewrites undone)
    prepare: t.Callable[[Record], dict[str, t.Any]] = _identity
    # a record Vault returns for a resource that nobody configured (singletons answer with defaults)
    unset: t.Callable[[Record], bool] | None = None
    # fields a recreate does not carry over from the resource it replaces (they would not fit the new one)
    not_carried: t.Callable[[dict[str, t.Any]], tuple[str, ...]] | None = None
    # the message refusing a change of an immutable field: (name, field, current value, desired value)
    refuse: t.Callable[[str, str, t.Any, t.Any], str] | None = None
    deletable: bool = True
    # where the resources are listed, when not at ``path`` (``rolesets`` for ``roleset/<name>``)
    list_path: str = ""
    # the engine merges a write into what it has: write-only fields go along only on create or with
    # ``update_secret=always``, never as a side effect of another change (they may have been rotated since)
    merges: bool = False
    # the current record in the terms of the desired fields, where what the engine stores depends on how the user
    # named a value (Azure stores a role named by the user with the IDs it resolved); given ``{}`` for info
    relate: t.Callable[[dict[str, t.Any], dict[str, t.Any]], dict[str, t.Any]] | None = None
    # an error of the engine restated for the user, given the mount (a bare "config is nil" says what to do)
    explain: t.Callable[[VaultOpsError, str], VaultOpsError] | None = None
    # a path of Vault itself (``sys/policies/acl``), under no mount: no mount point, no mount check
    system: bool = False
    # fields that only some servers' engines have -> what they need ("Vault 1.19 or later"): before a write that
    # sends one, the path's schema (``?help=1``) is read, and a field it lacks is refused naming the server's
    # engine, nothing written (a write answered with no body drops unknown fields without Vault's warning)
    gated: t.Mapping[str, str] = field(default_factory=dict)

    def title(self, name: str | None) -> str:
        return f"{self.what} {name}" if name else self.what


@dataclass
class Desired:
    """What the user asked for one resource."""

    name: str | None = None
    state: str = "present"
    fields: dict[str, t.Any] = field(default_factory=dict)
    secrets: dict[str, t.Any] = field(default_factory=dict)
    update_secret: str = "on_create"  # noqa: S105 - a policy name, not a secret
    recreate: bool = False


@dataclass
class Converged:
    """The result of converging many resources of one path."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(outcome.changed for outcome in self.outcomes)

    def names(self, action: str) -> list[str]:
        return sorted(outcome.name or "" for outcome in self.outcomes if outcome.action == action)

    def summary(self) -> dict[str, list[str]]:
        return {action: self.names(action) for action in ACTIONS}

    def diffs(self, what: str) -> list[dict[str, t.Any]]:
        return [
            {
                "before": outcome.before,
                "after": outcome.after,
                "before_header": f"{what} {outcome.name}",
                "after_header": f"{what} {outcome.name}",
            }
            for outcome in self.outcomes
            if outcome.changed
        ]


def told_after_delete(
    write: t.Callable[[dict[str, t.Any]], t.Any], title: str
) -> t.Callable[[dict[str, t.Any]], t.Any]:
    """A write that, failing after a recreate deleted the old resource, says what is gone (and that Vault
    changed: the module reports ``changed=true``)."""

    def guarded(payload: dict[str, t.Any]) -> t.Any:
        try:
            return write(payload)
        except VaultOpsError as exc:
            error = VaultOpsError(
                f"recreate deleted the {title} (and revoked what it had issued), then the engine refused "
                f"to create it again: {exc.message}",
                path=exc.path,
                status=exc.status,
            )
            error.changed = True
            raise error from None

    return guarded


class Driver:
    """Converges the resources of one :class:`Resource` path at one mount."""

    def __init__(
        self,
        client: VaultClient,
        resource: Resource,
        mount_point: str,
        *,
        check_mode: bool = False,
        mount_checked: bool = False,
    ) -> None:
        self.client = client
        self.resource = resource
        self.mount = "" if resource.system else mount_path(mount_point, "mount_point")
        self.check_mode = check_mode
        self._mount_checked = mount_checked
        # check mode only: nothing is mounted here yet (an earlier task would mount it), every record is absent
        self.unmounted = False

    # --- paths and reads ------------------------------------------------------------------------

    def name(self, name: t.Any, field: str = "name") -> str:
        return self.resource.name_rule.check(name, field)

    def path(self, name: str | None = None) -> str:
        if self.resource.named:
            return join_path(self.mount, self.resource.path, self.name(name))
        return join_path(self.mount, self.resource.path)

    def check_mount(self) -> None:
        """Once per driver: refuse a mount that is another kind of engine, before anything else."""
        if not self._mount_checked and not self.resource.system:
            check_mount_type(self.client, self.mount, self.resource.engine)
            self._mount_checked = True

    def _mounted(self, call: t.Callable[[], t.Any], absent: t.Any) -> t.Any:
        """``call()``; where Vault says nothing is mounted here, ``absent`` in check mode (said once as a warning,
        and no later read is sent), else an error naming ``mount_point``. A wrong namespace or a path the engine
        does not have stays an error, in check mode too."""
        if self.unmounted:
            return absent
        try:
            return call()
        except VaultNoRoute as exc:
            if not exc.unmounted:
                raise
            if not self.check_mode:
                raise ValidationError(
                    "mount_point",
                    f"nothing is mounted at {self.mount}/ ({exc.message}): mount the {self.resource.engine} secrets "
                    "engine there first (vaultops.cloud.secrets_engine), or check mount_point and namespace",
                ) from None
            self.unmounted = True
            self.client.notices.append(
                f"mount_point {self.mount}/ is not mounted yet: check mode predicts every "
                f"{self.resource.what} there absent"
            )
            return absent

    def read(self, name: str | None = None) -> dict[str, t.Any] | None:
        """The record as Vault returns it, or ``None``."""
        self.check_mount()
        path = self.path(name)
        record = self._explained(lambda: self._mounted(lambda: self.client.read(path), None))
        if record is not None and self.resource.unset is not None and self.resource.unset(record):
            return None
        return record

    def list(self) -> list[str]:
        return self.listing() or []

    def listing(self) -> list[str] | None:
        """The names Vault lists here, or ``None`` when the engine cannot list this path (see
        :meth:`~._client.VaultClient.listing`)."""
        self.check_mount()
        path = join_path(self.mount, self.resource.list_path or self.resource.path)
        names = self._mounted(lambda: self.client.listing(path), [])
        return None if names is None else sorted(names)

    def comparable(self, record: Record | None) -> dict[str, t.Any]:
        """A record normalised the way the driver compares it (what ``*_info`` modules return)."""
        if record is None:
            return {}
        prepared = self.resource.prepare(record)
        if self.resource.relate is not None:
            prepared = self.resource.relate({}, prepared)
        return normalise_record(prepared, self.resource.fields, self.resource.kinds)

    def _explained(self, call: t.Callable[[], t.Any]) -> t.Any:
        """``call()``, an error of the engine restated by the descriptor's ``explain`` (``changed`` kept)."""
        try:
            return call()
        except VaultOpsError as exc:
            if self.resource.explain is None:
                raise
            error = self.resource.explain(exc, self.mount)
            error.changed = exc.changed
            raise error from None

    # --- converge -------------------------------------------------------------------------------

    def validate(self, want: Desired) -> dict[str, t.Any]:
        """Every set field normalised once, so bad input fails before any request, naming the field."""
        if self.resource.named:
            self.name(want.name)
        if want.state not in ("present", "absent"):
            raise ValidationError("state", f"must be present or absent, not {want.state!r}")
        if want.update_secret not in UPDATE_SECRET_CHOICES:
            raise ValidationError("update_secret", f"must be one of {', '.join(UPDATE_SECRET_CHOICES)}")
        if want.state == "absent" and not self.resource.deletable:
            raise ValidationError("state", f"the {self.resource.what} cannot be deleted")
        unknown = sorted(set(want.fields) - set(self.resource.fields))
        if unknown:
            raise ValidationError(unknown[0], f"is not a field of the {self.resource.what}")
        if want.state != "present":
            return {}  # the fields of a resource to delete are not looked at
        normalised = validate(want.fields, self.resource.fields, self.resource.kinds)
        if self.resource.rules is not None:
            self.resource.rules(dict(want.fields))
        return normalised

    def plan(self, want: Desired, current: t.Any = ...) -> Outcome:
        """What :meth:`converge` would do, without writing (whatever the check mode)."""
        return self.converge(want, current, dry_run=True)

    def converge(self, want: Desired, current: t.Any = ..., *, dry_run: bool = False) -> Outcome:
        """Bring one resource to what ``want`` says; ``current`` is the record when already read."""
        resource = self.resource
        check_mode = self.check_mode or dry_run
        self.validate(want)
        if current is ...:
            current = self.read(want.name)
        title = resource.title(want.name)
        path = self.path(want.name)
        current = resource.prepare(current) if current is not None else None
        if current is not None and resource.relate is not None:
            current = resource.relate(dict(want.fields), current)
        previous = current
        desired = dict(want.fields)
        recreated = False
        warnings: list[str] = []

        def write(payload: dict[str, t.Any]) -> t.Any:
            self.supported(path, payload)
            answer = self._explained(lambda: self.client.write(path, payload))
            warnings.extend(str(w) for w in (answer or {}).get("warnings") or [])
            return answer

        if want.state == "present":
            carried = self._immutable(want, desired, current)
            if carried is not None:
                desired, current, recreated = carried, None, True
            if resource.check is not None:
                desired = resource.check(dict(desired), current) or desired
            if recreated:
                if not check_mode:
                    self.client.delete(path)
                write = told_after_delete(write, title)
        secrets = {k: v for k, v in want.secrets.items() if k in resource.secrets}
        if resource.merges and current is not None and want.update_secret != "always":  # noqa: S105
            secrets = {}
        outcome = reconcile(
            state=want.state,
            current=current,
            desired=desired,
            spec=resource.fields,
            write=write,
            delete=lambda: self._explained(lambda: self.client.delete(path)),
            check_mode=check_mode,
            payload=resource.payload,
            secrets=secrets,
            update_secret=want.update_secret,
            kinds=resource.kinds,
        )
        if self.check_mode and not dry_run and outcome.changed and want.state == "present" and resource.gated:
            # check mode tells what the real run would do: a gated field this server lacks is refused here too
            body = resource.payload(dict(desired), current) if resource.payload is not None else dict(desired)
            self.supported(path, {name: value for name, value in body.items() if value is not None})
        outcome.name = want.name
        outcome.warnings = warnings
        if recreated:
            outcome.recreated = True
            outcome.action = "updated"
            outcome.before = normalise_record(previous, resource.fields, resource.kinds)
            outcome.changed_fields = sorted(
                name
                for name in set(outcome.before) | set(outcome.after)
                if outcome.before.get(name) != outcome.after.get(name)
            )
        return outcome

    def supported(self, path: str, payload: t.Mapping[str, t.Any]) -> None:
        """Refuse, before writing ``payload``, a gated field (:attr:`Resource.gated`) that this server's engine
        does not offer at ``path`` (one schema read, only when a gated field is sent)."""
        sent = sorted(name for name in self.resource.gated if name in payload)
        if not sent:
            return
        offered = self.client.schema_fields(path)
        missing = [name for name in sent if name not in offered]
        if missing:
            needs = "; ".join(f"{name} needs {self.resource.gated[name]}" for name in missing)
            said = f"the server's schema of the path lacks them: {needs}"
            raise VaultUnsupportedFields(missing, path=path, said=said)

    def _immutable(self, want: Desired, desired: dict[str, t.Any], current: Record | None) -> dict[str, t.Any] | None:
        """``None`` when no field fixed at creation changes; else, with ``recreate``, the desired state of the
        new resource (unset fields carried over from the current one); else the refusal, naming the field."""
        resource = self.resource
        if current is None:
            return None
        changed = self.immutable_changes(desired, current)
        if not changed:
            return None
        if not want.recreate:
            name = changed[0]
            if resource.refuse is not None:
                reason = resource.refuse(want.name or "", name, current.get(name), desired[name])
            else:
                reason = (
                    f"{resource.title(want.name)} has {name} {current.get(name)!r} and the engine cannot change it "
                    f"to {desired[name]!r}; set recreate=true to delete the {resource.what} and create it again"
                )
            raise ValidationError(name, reason)
        carried = dict(desired)
        for name in resource.fields:
            if carried.get(name) is None and current.get(name) not in (None, "", [], {}):
                carried[name] = current[name]
        if resource.not_carried is not None:
            for name in resource.not_carried(desired):
                if desired.get(name) is None:
                    carried.pop(name, None)
        return carried

    def immutable_changes(self, desired: t.Mapping[str, t.Any], current: Record | None) -> list[str]:
        """The fields fixed at creation that ``desired`` sets to something other than ``current`` has."""
        resource = self.resource
        if current is None:
            return []
        return [
            name
            for name in resource.immutable
            if desired.get(name) is not None
            and normalise(resource.fields[name], desired[name], resource.kinds)
            != normalise(resource.fields[name], current.get(name), resource.kinds)
        ]

    def mount_ready(self, *, absent: bool) -> None:
        """The mount was checked by the caller (a bulk module that converges it): no mount check; when it is
        still to be created (``absent``), every record is absent and nothing there is read."""
        self._mount_checked = True
        self.unmounted = absent

    def converge_all(
        self,
        wants: t.Sequence[Desired],
        *,
        purge: bool = False,
        field: str = "",
        first: t.Callable[[], None] | None = None,
        before_writes: t.Callable[[], None] | None = None,
    ) -> Converged:
        """Converge many resources of this path: one mount check, one list, one read per listed resource
        that is asked for (and nothing else read), one write or delete per change. With ``purge``, every
        listed resource that is not asked for is deleted. Every item is planned before the first write, so
        bad input fails the whole list, naming the item, with nothing written."""
        field = field or f"{self.resource.what}s"
        seen: set[str] = set()
        keyed: list[Desired] = []
        for index, want in enumerate(wants):
            try:
                self.validate(want)
            except ValidationError as exc:
                raise ValidationError(f"{field}[{index}].{exc.field}", exc.reason) from None
            # the name as Vault stores and lists it (an engine may lower-case names)
            name = self.resource.name_rule.key(t.cast("str", want.name))
            if name in seen:
                raise ValidationError(f"{field}[{index}].name", f"{want.name!r} is listed twice")
            seen.add(name)
            keyed.append(replace(want, name=name))
        if first is not None:
            first()  # every item is valid: the caller's step before the first request of this path
        listed = self.listing()
        if listed is None and purge:
            path = join_path(self.mount, self.resource.list_path or self.resource.path)
            raise ValidationError(
                "purge",
                f"needs the list of {self.resource.what}s, and this engine cannot list them (Vault answered "
                f"'unsupported path' to LIST {path}; AWS engines of Vault 1.18 and older cannot list static roles)",
            )
        existing = set(listed or ())
        currents: list[t.Any] = []
        for index, want in enumerate(keyed):
            # an engine that cannot list: every item asked for is read (one read each, as for a listed one)
            current = self.read(want.name) if listed is None or want.name in existing else None
            try:
                # the rules that need the current record (fixed fields, what a create needs), before any write
                self.plan(want, current)
            except ValidationError as exc:
                raise ValidationError(f"{field}[{index}].{exc.field}", exc.reason) from None
            currents.append(current)
        if before_writes is not None:
            before_writes()  # every item is planned: the caller's step before the first write
        result = Converged()
        for want, current in zip(keyed, currents):
            result.outcomes.append(self.converge(want, current))
        if purge:
            for name in sorted(existing - seen):
                result.outcomes.append(self.converge(Desired(name=name, state="absent"), self.read(name)))
        return result

    def info(self, names: t.Iterable[str] | None = None) -> dict[str, dict[str, t.Any]]:
        """The named resources (default: every listed one) as the driver compares them, secrets left out.

        A given name that this path's own rule refuses cannot exist here and is left out (the one name rule
        for every path, :data:`~._vault.NAME`, is checked by the caller before any request)."""
        if names is None:
            wanted = sorted(self.list())
        else:
            wanted = []
            for name in names:
                try:
                    wanted.append(self.name(name))
                except ValidationError:
                    continue
        records: dict[str, dict[str, t.Any]] = {}
        for name in wanted:
            record = self.read(name)
            if record is not None:
                records[name] = self.comparable(record)
        return records
