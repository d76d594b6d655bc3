# Copyright (c) vaultops.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to this collection: its API may change without notice.

"""Ansible glue shared by every module: the connection argument spec, client creation, error reporting."""

from __future__ import annotations

import typing as t

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ._client import AUTH_METHODS, HVAC_IMPORT_ERROR, ConnectionOptions, VaultClient, VaultOpsError
from ._compare import ValidationError, normalise_record, validate
from ._driver import Converged, Desired, Driver, Outcome, Resource, reconcile
from ._vault import MOUNT_CREATE_ONLY, NAME, Mounts, auth_mount_warning, mount_path

CONNECTION_ARGSPEC: dict[str, dict[str, t.Any]] = {
    "url": {"type": "str", "aliases": ["vault_addr"]},
    "namespace": {"type": "str"},
    "ca_cert": {"type": "path", "aliases": ["cacert"]},
    "validate_certs": {"type": "bool"},
    "client_cert": {"type": "path"},
    "client_key": {"type": "path", "no_log": False},
    "timeout": {"type": "int"},
    "proxies": {"type": "dict"},
    "retries": {"type": "int"},
    "retry_window": {"type": "int"},
    "auth_method": {"type": "str", "choices": list(AUTH_METHODS)},
    "auth_mount_point": {"type": "str"},
    "token": {"type": "str", "no_log": True},
    "token_path": {"type": "path", "no_log": False},
    "role_id": {"type": "str"},
    "secret_id": {"type": "str", "no_log": True},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "role": {"type": "str"},
    "jwt": {"type": "str", "no_log": True},
    "revoke_login_token": {"type": "bool", "no_log": False},
}


# the ``mount`` option of every bulk module: the engine's mount converged in the same process (the settings a
# bundled role sets; vaultops.cloud.secrets_engine has every other)
BULK_MOUNT_OPTIONS: dict[str, dict[str, t.Any]] = {
    "type": {"type": "str"},
    "description": {"type": "str"},
    "default_lease_ttl": {"type": "raw"},
    "max_lease_ttl": {"type": "raw"},
    "options": {"type": "dict"},
    "plugin_version": {"type": "str"},
}


def argument_spec(**module_options: dict[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    spec = {name: dict(value) for name, value in CONNECTION_ARGSPEC.items()}
    spec.update(module_options)
    return spec


def desired(params: t.Mapping[str, t.Any], resource: Resource) -> Desired:
    """What one module invocation (or one item of a bulk module's list) asks of ``resource``."""
    return Desired(
        name=params.get("name"),
        state=params.get("state") or "present",
        fields={name: params.get(name) for name in resource.fields},
        secrets={name: params.get(name) for name in resource.secrets if params.get(name) is not None},
        update_secret=params.get("update_secret") or "on_create",
        recreate=bool(params.get("recreate")),
    )


def mount_wire(settings: dict[str, t.Any], spec: t.Mapping[str, str]) -> dict[str, t.Any]:
    """A mount's enable/tune payload: durations as seconds strings, the rest as given."""
    body: dict[str, t.Any] = {}
    for name, value in settings.items():
        if value is None:
            continue
        body[name] = f"{value}s" if spec.get(name) == "duration" else value
    return body


def validate_items(items: t.Any, spec: t.Mapping[str, dict[str, t.Any]], field: str) -> list[dict[str, t.Any]]:
    """The items of a bulk module's list, each checked against the single module's argument spec.

    The first bad item fails the task before any request, naming the item (``roles[3]``) and the reason.
    """
    validator = ArgumentSpecValidator(dict(spec))
    checked: list[dict[str, t.Any]] = []
    for index, item in enumerate(items or []):
        if not isinstance(item, dict):
            raise ValidationError(f"{field}[{index}]", f"must be a dict, got {type(item).__name__}")
        result = validator.validate(item)
        if result.error_messages:
            raise ValidationError(f"{field}[{index}]", "; ".join(result.error_messages))
        checked.append(result.validated_parameters)
    return checked


class VaultModule(AnsibleModule):
    """An AnsibleModule that knows how to reach Vault and how to report Vault's errors."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        if HVAC_IMPORT_ERROR is not None:
            self.fail_json(msg=missing_required_lib("hvac"), exception=str(HVAC_IMPORT_ERROR))
        self._client: VaultClient | None = None

    @property
    def client(self) -> VaultClient:
        if self._client is None:
            options = ConnectionOptions.from_getter(self.params.get)
            self._client = VaultClient(options).login()
        return self._client

    def driver(self, resource: Resource, mount_point: str) -> Driver:
        if not resource.system and resource.engine not in ("approle", "jwt"):
            self.warn_auth_mount(mount_point, resource.engine)
        return Driver(self.client, resource, mount_point, check_mode=self.check_mode)

    def warn_auth_mount(self, mount_point: t.Any, engine: str) -> None:
        """Warn when an engine's mount_point names an auth method (community.hashi_vault's sense of mount_point)."""
        warning = auth_mount_warning(mount_point, engine)
        if warning:
            self.warn(warning)

    def _report_retries(self) -> None:
        client = getattr(self, "_client", None)  # fail_json may come from AnsibleModule.__init__
        if client is not None:
            for warning in client.warnings:
                self.warn(f"retried: {warning}")
            client.warnings.clear()
            for notice in client.notices:
                self.warn(notice)
            client.notices.clear()

    def exit_json(self, **kwargs: t.Any) -> t.NoReturn:
        self._report_retries()
        super().exit_json(**kwargs)

    def fail_json(self, msg: str, **kwargs: t.Any) -> t.NoReturn:
        self._report_retries()
        super().fail_json(msg, **kwargs)

    def exit_outcome(self, outcome: Outcome, **extra: t.Any) -> t.NoReturn:
        for warning in outcome.warnings:
            self.warn(f"Vault: {warning}")
        result: dict[str, t.Any] = {"changed": outcome.changed, **extra}
        if self._diff:
            result["diff"] = outcome.diff()
        self.exit_json(**result)

    def exit_converged(
        self,
        converged: Converged,
        what: str,
        key: str,
        *,
        changed_also: bool = False,
        diffs_first: t.Sequence[dict[str, t.Any]] = (),
        **extra: t.Any,
    ) -> t.NoReturn:
        """A bulk module's result: the names per action, each present resource as it is now, a diff per change
        (``changed_also`` and ``diffs_first``: what the task changed besides the items, its mount)."""
        for outcome in converged.outcomes:
            for warning in outcome.warnings:
                self.warn(f"Vault ({what} {outcome.name}): {warning}")
        result: dict[str, t.Any] = {"changed": converged.changed or changed_also, **converged.summary(), **extra}
        # the present ones: neither deleted nor asked absent (an absent resource that was not there has no after)
        result[key] = {o.name: o.after for o in converged.outcomes if o.action != "deleted" and o.after}
        if self._diff:
            result["diff"] = [*diffs_first, *converged.diffs(what)]
        self.exit_json(**result)

    def engine_info(self, configs: t.Mapping[str, Resource], collections: t.Mapping[str, Resource]) -> t.NoReturn:
        """The body of an engine's ``*_info`` module: each configuration (write-only fields are never returned
        by Vault, so never here) and each named resource of every collection, read through the descriptors."""
        mount = mount_path(self.params["mount_point"], "mount_point")
        for resource in (*configs.values(), *collections.values()):
            self.warn_auth_mount(self.params["mount_point"], resource.engine)
            break
        wanted = self.params.get("only") or [*configs, *collections]
        names = self.params.get("names")
        for index, name in enumerate(names or []):
            NAME.check(name, f"names[{index}]")  # before any request
        result: dict[str, t.Any] = {"changed": False}
        checked = False  # one mount check for every part
        for key, resource in {**configs, **collections}.items():
            if key not in wanted:
                continue
            driver = Driver(self.client, resource, mount, check_mode=self.check_mode, mount_checked=checked)
            if key in configs:
                record = driver.read()
                result[key] = driver.comparable(record) if record is not None else None
            else:
                result[key] = driver.info(names)
            checked = True
        self.exit_json(**result)

    def converge_list(self, resource: Resource, options: t.Mapping[str, dict[str, t.Any]], key: str) -> t.NoReturn:
        """The body of a bulk module: ``params[key]`` converged at ``params['mount_point']`` in one pass, after
        the engine's mount when ``params['mount']`` asks for one."""
        items = validate_items(self.params[key], options, key)
        driver = self.driver(resource, self.params["mount_point"])
        wants = [desired(item, resource) for item in items]
        mount = self.params.get("mount")
        if mount is None:
            self.exit_converged(driver.converge_all(wants, purge=self.params["purge"], field=key), resource.what, key)
        settings = {**mount, "path": self.params["mount_point"], "state": "present"}
        settings["type"] = settings.get("type") or resource.engine
        mounts = Mounts(self.client)
        planned: list[Outcome] = []
        current: list[dict[str, t.Any] | None] = []

        def plan_mount() -> None:
            # after every item is validated, before the list: the mount read stands for the driver's mount check,
            # and a mount still to be created has no items to read
            current.append(mounts.read(driver.mount))
            outcome, _after = self.mount_outcome(mounts, settings, field="mount", check_mode=True, current=current[0])
            planned.append(outcome)
            driver.mount_ready(absent=outcome.action == "created")

        def write_mount() -> None:
            # after every item is planned, before the first item write
            if planned[0].changed and not self.check_mode:
                planned[0] = self.mount_outcome(mounts, settings, field="mount", current=current[0])[0]
                driver.mount_ready(absent=False)

        converged = driver.converge_all(
            wants, purge=self.params["purge"], field=key, first=plan_mount, before_writes=write_mount
        )
        outcome = planned[0]
        after = dict(outcome.after, type=settings["type"])
        header = f"secrets engine mount {driver.mount}/"
        before = dict(outcome.before, type=settings["type"]) if outcome.action != "created" else {}
        mount_diff = {"before": before, "after": after, "before_header": header, "after_header": header}
        self.exit_converged(
            converged,
            resource.what,
            key,
            changed_also=outcome.changed,
            diffs_first=[mount_diff] if outcome.changed else [],
            mount=after,
        )

    def converge_mount(self, mounts: Mounts) -> t.NoReturn:
        """The body of ``secrets_engine`` and ``auth_method``: the mount at ``path`` enabled, tuned or disabled."""
        outcome, after = self.mount_outcome(mounts, self.params)
        if after is not None:
            self.exit_outcome(outcome, mount=after)
        self.exit_outcome(outcome)

    def mount_outcome(
        self,
        mounts: Mounts,
        params: t.Mapping[str, t.Any],
        *,
        field: str = "",
        check_mode: bool | None = None,
        current: t.Any = ...,
    ) -> tuple[Outcome, dict[str, t.Any] | None]:
        """The mount ``params`` asks for (``path``, ``type``, ``state`` and settings) brought about: the outcome,
        and the mount as it is after (``None`` for ``state=absent``). One read of ``sys/mounts``, one write per
        change (none in check mode). ``field``: the option that holds the settings (errors name its suboptions);
        ``current``: the mount as read already (no read then)."""
        check_mode = self.check_mode if check_mode is None else check_mode
        try:
            return self._mount_outcome(mounts, params, check_mode, current)
        except ValidationError as exc:
            if not field or exc.field == "mount_point":
                raise
            raise ValidationError(f"{field}.{exc.field}", exc.reason) from None

    def _mount_outcome(
        self, mounts: Mounts, params: t.Mapping[str, t.Any], check_mode: bool, current: t.Any
    ) -> tuple[Outcome, dict[str, t.Any] | None]:
        spec = mounts.spec
        path = mount_path(params["path"])
        if current is ...:
            current = mounts.read(path)
        desired = validate({name: params.get(name) for name in spec}, spec)
        if params.get("options") is not None:
            desired["options"] = {str(k): str(v) for k, v in params["options"].items()}
        if params["state"] == "present":
            if not params["type"]:
                raise ValidationError("type", "is required when state=present")
            if current is not None and current.get("type") != params["type"]:
                raise ValidationError(
                    "type",
                    f"{path}/ is mounted as a {current.get('type')!r} {mounts.what.split()[-1]}, "
                    f"not {params['type']!r}; refusing to remount (that would delete its configuration and leases): "
                    "disable it first or choose another path",
                )
        if current is not None and "options" in desired:
            # compare only the option keys the user set
            have = current.get("options") or {}
            current = dict(current, options={k: have[k] for k in desired["options"] if k in have})

        def write(payload: dict[str, t.Any]) -> None:
            if current is None:
                create = mount_wire(payload, spec)
                create.update({k: params[k] for k in MOUNT_CREATE_ONLY if params.get(k) is not None})
                mounts.enable(path, params["type"], create)
            else:
                mounts.tune(path, mount_wire(payload, spec))

        outcome = reconcile(
            state=params["state"],
            current=current,
            desired=desired,
            spec=spec,
            write=write,
            delete=lambda: mounts.disable(path),
            check_mode=check_mode,
        )
        if params["state"] != "present":
            return outcome, None
        after = dict(outcome.after)
        after["type"] = params["type"]
        if current is not None and not check_mode and outcome.changed:
            after = dict(normalise_record(mounts.read(path), spec), type=params["type"])
        return outcome, after

    def run(self, body: t.Callable[[VaultModule], None]) -> None:
        """Run the module body; every project error becomes one clear ``fail_json``."""
        try:
            body(self)
        except ValidationError as exc:
            self.fail_json(msg=f"invalid value for {exc.field}: {exc.reason}", field=exc.field)
        except VaultOpsError as exc:
            self.fail_json(msg=str(exc), path=exc.path, status=exc.status, changed=exc.changed)


def run_bulk(resource: Resource, item_options: t.Mapping[str, dict[str, t.Any]], key: str) -> None:
    """The ``main()`` of every bulk module: a list ``key`` of ``resource`` items at ``mount_point``, and ``purge``."""
    module = VaultModule(
        argument_spec=argument_spec(
            mount_point=dict(type="str", default=resource.engine),
            purge=dict(type="bool", default=False),
            mount=dict(type="dict", options=BULK_MOUNT_OPTIONS),
            **{key: dict(type="list", elements="dict", required=True)},
        ),
        supports_check_mode=True,
    )
    module.run(lambda m: m.converge_list(resource, item_options, key))
