"""The inventory file format: reading, checking and id assignment; the default inventory.

File format (JSON), ids optional (missing ones are assigned above the highest given)::

    {"clients": [{"name": "oradb01", "id": 2, "hostName": "oradb01.example.com",
                  "displayName": "oradb01",
                  "instances": [{"name": "ORCL", "id": 11, "applicationId": 22,
                                 "backupsetName": "default", "backupsetId": 21,
                                 "subclients": [{"name": "default", "id": 101}]}]}]}

``applicationId`` defaults to 22 (Oracle); ``backupsetName`` to ``default`` for Oracle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from commvault_emulator.inventory import ORACLE_APP_ID, Client, Instance, Inventory, Subclient

_FIRST_IDS = {"client": 2, "instance": 11, "backupset": 21, "subclient": 101}


DEFAULT_INVENTORY: dict[str, Any] = {
    "clients": [
        {
            "name": "oradb01",
            "id": 2,
            "hostName": "oradb01.example.com",
            "instances": [
                {
                    "name": "ORCL",
                    "id": 11,
                    "applicationId": ORACLE_APP_ID,
                    "backupsetId": 21,
                    "subclients": [
                        {"name": "default", "id": 101},
                        {"name": "archivelog", "id": 102},
                    ],
                }
            ],
        },
        {
            "name": "oradb02",
            "id": 3,
            "hostName": "oradb02.example.com",
            "instances": [
                {
                    "name": "SALES",
                    "id": 12,
                    "applicationId": ORACLE_APP_ID,
                    "backupsetId": 22,
                    "subclients": [{"name": "default", "id": 103}],
                }
            ],
        },
        {
            "name": "filesrv01",
            "id": 4,
            "hostName": "filesrv01.example.com",
            "instances": [
                {
                    "name": "DefaultInstanceName",
                    "id": 13,
                    "applicationId": 33,
                    "backupsetName": "defaultBackupSet",
                    "backupsetId": 23,
                    "subclients": [{"name": "default", "id": 104}],
                }
            ],
        },
    ]
}


def default_inventory() -> Inventory:
    """Two Oracle clients (oradb01/ORCL, oradb02/SALES) and one File System client."""
    return parse_inventory(DEFAULT_INVENTORY)


def load_inventory(path: str | Path) -> Inventory:
    """Read an inventory file; raises ``ValueError`` naming the file and the problem."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read inventory file {path}: {error}") from error
    try:
        return parse_inventory(data)
    except ValueError as error:
        raise ValueError(f"inventory file {path}: {error}") from error


def parse_inventory(data: Any) -> Inventory:
    """Build an inventory from its JSON form; raises ``ValueError`` on any problem."""
    parser = _Parser()
    clients = [
        parser.client(item, f"clients[{n}]")
        for n, item in enumerate(_list(_object(data, "inventory"), "clients", "inventory"))
    ]
    parser.assign_missing_ids()
    _check_unique_names(clients, "client", "the inventory")
    return Inventory(clients)


class _Parser:
    """Reads entities, remembering which ids were given and which must be assigned."""

    def __init__(self) -> None:
        self.used: dict[str, set[int]] = {kind: set() for kind in _FIRST_IDS}
        self.missing: list[tuple[str, Any, str]] = []

    def _id(self, kind: str, entity: Any, attr: str, raw: Any, where: str) -> int:
        if raw is None:
            self.missing.append((kind, entity, attr))
            return 0
        if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
            raise ValueError(f"{where}: id must be a positive integer, not {raw!r}")
        if raw in self.used[kind]:
            raise ValueError(f"{where}: duplicate {kind} id {raw}")
        self.used[kind].add(raw)
        return raw

    def client(self, item: Any, where: str) -> Client:
        obj = _object(item, where)
        name = _name(obj, where)
        client = Client(
            name=name,
            id=0,
            host_name=_text(obj, "hostName", where, f"{name}.example.com"),
            display_name=_text(obj, "displayName", where, name),
        )
        client.id = self._id("client", client, "id", obj.get("id"), where)
        client.instances = [
            self.instance(i, f"{where}.instances[{n}]")
            for n, i in enumerate(_list(obj, "instances", where))
        ]
        _check_unique_names(client.instances, "instance", f"client {name}")
        return client

    def instance(self, item: Any, where: str) -> Instance:
        obj = _object(item, where)
        app_id = obj.get("applicationId", ORACLE_APP_ID)
        if isinstance(app_id, bool) or not isinstance(app_id, int):
            raise ValueError(f"{where}: applicationId must be an integer, not {app_id!r}")
        default_backupset = "default" if app_id in (22, 80) else "defaultBackupSet"
        instance = Instance(
            name=_name(obj, where),
            id=0,
            application_id=app_id,
            backupset_name=_text(obj, "backupsetName", where, default_backupset),
            backupset_id=0,
        )
        instance.id = self._id("instance", instance, "id", obj.get("id"), where)
        instance.backupset_id = self._id(
            "backupset", instance, "backupset_id", obj.get("backupsetId"), where
        )
        instance.subclients = [
            self.subclient(s, f"{where}.subclients[{n}]")
            for n, s in enumerate(_list(obj, "subclients", where))
        ]
        _check_unique_names(instance.subclients, "subclient", f"instance {instance.name}")
        return instance

    def subclient(self, item: Any, where: str) -> Subclient:
        obj = _object(item, where)
        subclient = Subclient(name=_name(obj, where), id=0)
        subclient.id = self._id("subclient", subclient, "id", obj.get("id"), where)
        return subclient

    def assign_missing_ids(self) -> None:
        for kind, entity, attr in self.missing:
            new_id = max(self.used[kind], default=_FIRST_IDS[kind] - 1) + 1
            self.used[kind].add(new_id)
            setattr(entity, attr, new_id)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a JSON object")
    return value


def _list(obj: dict[str, Any], key: str, where: str) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{where}.{key}: expected a JSON array")
    return value


def _name(obj: dict[str, Any], where: str) -> str:
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: name must be a non-empty string")
    return name


def _text(obj: dict[str, Any], key: str, where: str, default: str) -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        raise ValueError(f"{where}.{key}: expected a string")
    return value


def _check_unique_names(entities: list[Any], kind: str, where: str) -> None:
    seen: set[str] = set()
    for entity in entities:
        key = entity.name.casefold()
        if key in seen:
            raise ValueError(f"duplicate {kind} name {entity.name!r} in {where}")
        seen.add(key)
