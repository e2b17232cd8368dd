"""The pack's two rules as pure functions over plain values (no pulumi_policy here), so they are
table-tested without the engine: ``__main__.py`` turns the engine's resources into ``Resource``.

- ``restore-point-before-change``: a risky resource (a configured type, or a name or type that
  contains a configured word) must depend, directly or transitively, through ``dependencies``
  or ``property_dependencies``, on ``OracleBackupTrigger`` resources that together back up
  every production database (any backup, when none is configured).
- ``no-in-place-restore-of-production``: an ``OracleRestore`` with no destination, or its
  source as destination, onto a production database, unless the config allows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

BACKUP_TYPE = "pulumi-python:dynamic/commvault:OracleBackupTrigger"
RESTORE_TYPE = "pulumi-python:dynamic/commvault:OracleRestore"
RESTORE_POINT_RULE = "restore-point-before-change"
IN_PLACE_RESTORE_RULE = "no-in-place-restore-of-production"
DEFAULT_RISKY_TYPES = ("command:local:Command", "command:remote:Command")
DEFAULT_NAMES_CONTAINING = ("migrat",)
DATABASE = re.compile(r"^[^/\s]+/[^/\s]+$")


class Unknown:
    """A value the engine does not know yet (an output of a resource still to be created)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


class ConfigError(ValueError):
    """A bad pack config; the message names the policy and the key, and what to write."""


@dataclass(frozen=True)
class Resource:
    urn: str
    name: str
    type: str
    props: Mapping[str, Any]
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def all_dependencies(self) -> set[str]:
        urns = set(self.dependencies)
        for depended in self.property_dependencies.values():
            urns.update(depended)
        return urns


@dataclass(frozen=True)
class Violation:
    urn: str
    message: str


@dataclass(frozen=True)
class RestorePointConfig:
    production_databases: tuple[str, ...] = ()
    risky_types: tuple[str, ...] = DEFAULT_RISKY_TYPES
    names_containing: tuple[str, ...] = DEFAULT_NAMES_CONTAINING


@dataclass(frozen=True)
class InPlaceRestoreConfig:
    production_databases: tuple[str, ...] = ()
    allow_in_place_restore: bool = False


def _strings(
    policy: str, raw: Mapping[str, Any], key: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    value = raw.get(key, default)
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise ConfigError(
            f"policy pack config {policy}.{key}: {value!r} is not a list of non-empty strings; "
            f'write e.g. "{key}": ["{(default or ("oradb01/ORCL",))[0]}"]'
        )
    return tuple(item.strip() for item in value)


def _databases(policy: str, raw: Mapping[str, Any]) -> tuple[str, ...]:
    databases = _strings(policy, raw, "productionDatabases", ())
    for database in databases:
        if not DATABASE.match(database):
            raise ConfigError(
                f"policy pack config {policy}.productionDatabases: {database!r} is not "
                'client/instance; write e.g. "productionDatabases": ["oradb01/ORCL"]'
            )
    return databases


def _known_keys(policy: str, raw: Mapping[str, Any], known: Iterable[str]) -> None:
    allowed = {"enforcementLevel", *known}
    for key in raw:
        if key not in allowed:
            raise ConfigError(
                f"policy pack config {policy}.{key}: unknown key; the keys are "
                f"{', '.join(sorted(allowed))}"
            )


def restore_point_config(raw: Mapping[str, Any] | None) -> RestorePointConfig:
    raw = raw or {}
    keys = ("productionDatabases", "riskyTypes", "namesContaining")
    _known_keys(RESTORE_POINT_RULE, raw, keys)
    return RestorePointConfig(
        production_databases=_databases(RESTORE_POINT_RULE, raw),
        risky_types=_strings(RESTORE_POINT_RULE, raw, "riskyTypes", DEFAULT_RISKY_TYPES),
        names_containing=tuple(
            word.lower()
            for word in _strings(
                RESTORE_POINT_RULE, raw, "namesContaining", DEFAULT_NAMES_CONTAINING
            )
        ),
    )


def in_place_restore_config(raw: Mapping[str, Any] | None) -> InPlaceRestoreConfig:
    raw = raw or {}
    _known_keys(IN_PLACE_RESTORE_RULE, raw, ("productionDatabases", "allowInPlaceRestore"))
    allow = raw.get("allowInPlaceRestore", False)
    if not isinstance(allow, bool):
        raise ConfigError(
            f"policy pack config {IN_PLACE_RESTORE_RULE}.allowInPlaceRestore: {allow!r} is not "
            "true or false"
        )
    return InPlaceRestoreConfig(_databases(IN_PLACE_RESTORE_RULE, raw), allow)


def _database(client: Any, instance: Any) -> str | None:
    if isinstance(client, str) and isinstance(instance, str) and client and instance:
        return f"{client}/{instance}"
    return None


def backed_up_databases(backup: Resource) -> set[str] | None:
    """``client/instance`` of each database the backup takes; None when not known yet."""
    databases = backup.props.get("databases")
    if databases is None:
        single = _database(backup.props.get("client_name"), backup.props.get("instance_name"))
        return {single} if single else None
    if not isinstance(databases, (list, tuple)):
        return None
    names = {
        _database(db.get("client_name"), db.get("instance_name"))
        for db in databases
        if isinstance(db, Mapping)
    }
    return None if None in names or len(names) != len(databases) else {n for n in names if n}


def is_risky(resource: Resource, config: RestorePointConfig) -> bool:
    if resource.type in config.risky_types:
        return True
    seen = f"{resource.name} {resource.type}".lower()
    return any(word in seen for word in config.names_containing)


def reachable_backups(resource: Resource, by_urn: Mapping[str, Resource]) -> list[Resource]:
    """Every ``OracleBackupTrigger`` the resource depends on, directly or transitively."""
    seen: set[str] = set()
    pending = sorted(resource.all_dependencies())
    backups = []
    while pending:
        urn = pending.pop()
        if urn in seen or urn not in by_urn:
            continue
        seen.add(urn)
        depended = by_urn[urn]
        if depended.type == BACKUP_TYPE:
            backups.append(depended)
        pending.extend(sorted(depended.all_dependencies()))
    return backups


def uncovered_databases(
    backups: Sequence[Resource], production: Sequence[str]
) -> tuple[str, ...] | None:
    """The production databases no backup takes (None: covered; all of them with no backup)."""
    if not backups:
        return tuple(production)
    covered: set[str] = set()
    for backup in backups:
        databases = backed_up_databases(backup)
        if databases is None:
            return None  # not known until the backup's inputs are: the up's preview decides
        covered |= databases
    missing = tuple(db for db in production if db not in covered)
    return missing or None


def missing_restore_points(
    resources: Sequence[Resource], config: RestorePointConfig
) -> list[Violation]:
    by_urn = {resource.urn: resource for resource in resources}
    violations = []
    for resource in resources:
        if resource.type == BACKUP_TYPE or not is_risky(resource, config):
            continue
        backups = reachable_backups(resource, by_urn)
        missing = uncovered_databases(backups, config.production_databases)
        if missing is None:
            continue
        of = f" of {', '.join(missing)}" if missing else ""
        violations.append(
            Violation(
                resource.urn,
                f"{RESTORE_POINT_RULE}: {resource.name} ({resource.type}) runs without a restore "
                f"point: make {resource.name} depend on an OracleBackupTrigger{of}: "
                "opts=ResourceOptions(depends_on=[snap])",
            )
        )
    return violations


def restore_source(restore: Resource, by_urn: Mapping[str, Resource]) -> str | None:
    """The database restored from: its inputs, else the one database of ``from_backup``."""
    source = _database(restore.props.get("client_name"), restore.props.get("instance_name"))
    if source:
        return source
    for urn in restore.property_dependencies.get("from_backup", ()):
        backup = by_urn.get(urn)
        databases = backed_up_databases(backup) if backup is not None else None
        if databases and len(databases) == 1:
            return next(iter(databases))
    return None


def in_place_restores_of_production(
    resources: Sequence[Resource], config: InPlaceRestoreConfig
) -> list[Violation]:
    if config.allow_in_place_restore:
        return []
    by_urn = {resource.urn: resource for resource in resources}
    violations = []
    for restore in (r for r in resources if r.type == RESTORE_TYPE):
        source = restore_source(restore, by_urn)
        given = (
            restore.props.get("destination_client_name"),
            restore.props.get("destination_instance_name"),
        )
        if UNKNOWN in given:
            continue  # decided when the destination is known, in the up's own preview
        destination = _database(*given)
        if source not in config.production_databases or destination not in (None, source):
            continue
        violations.append(
            Violation(
                restore.urn,
                f"{IN_PLACE_RESTORE_RULE}: {restore.name} restores production database {source} "
                "in place: give destination_client_name and destination_instance_name of a "
                f'non-production database, or set "allowInPlaceRestore": true in the pack config '
                f"for {IN_PLACE_RESTORE_RULE}",
            )
        )
    return violations
