"""The emulated CommCell's clients, instances and subclients.

An inventory is a list of clients; each client has instances (one per database, with the
agent's ``applicationId``), each instance has one backupset and its subclients. Every entity
has an integer id. Names match case-insensitively, as on a real CommServe.

The file format and the default inventory are in ``inventory_file``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

ORACLE_APP_ID = 22
APP_NAMES = {
    22: "Oracle",
    80: "Oracle RAC",
    33: "File System",
    81: "SQL Server",
    106: "Virtual Server",
}


def app_name(application_id: int) -> str:
    """The agent name Commvault shows for an application id."""
    return APP_NAMES.get(application_id, f"Application {application_id}")


@dataclass
class Subclient:
    name: str
    id: int


@dataclass
class Instance:
    name: str
    id: int
    application_id: int
    backupset_name: str
    backupset_id: int
    subclients: list[Subclient] = field(default_factory=list)

    @property
    def app_name(self) -> str:
        return app_name(self.application_id)


@dataclass
class Client:
    name: str
    id: int
    host_name: str
    display_name: str
    instances: list[Instance] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """One subclient, with the instance and client it belongs to."""

    client: Client
    instance: Instance
    subclient: Subclient

    def entity(self) -> dict[str, Any]:
        """The subclient entity, as in ``jobSummary.subclient`` and ``subClientEntity``."""
        return {
            "clientName": self.client.name,
            "clientId": self.client.id,
            "displayName": self.client.display_name,
            "instanceName": self.instance.name,
            "instanceId": self.instance.id,
            "appName": self.instance.app_name,
            "applicationId": self.instance.application_id,
            "backupsetName": self.instance.backupset_name,
            "backupsetId": self.instance.backupset_id,
            "subclientName": self.subclient.name,
            "subclientId": self.subclient.id,
        }


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


@dataclass
class Inventory:
    """The clients, with look-ups by name and id that do not scan (built once, on first use:
    an inventory is not changed after it is built, only replaced)."""

    clients: list[Client] = field(default_factory=list)
    _index: _Index | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def index(self) -> _Index:
        if self._index is None:
            self._index = _Index(self.clients)
        return self._index

    def client(self, name: str) -> Client | None:
        return self.index.clients_by_name.get(name.casefold())

    def client_by_id(self, client_id: int) -> Client | None:
        return self.index.clients_by_id.get(client_id)

    @staticmethod
    def instance(client: Client, name: str) -> Instance | None:
        return next((i for i in client.instances if _same(i.name, name)), None)

    @staticmethod
    def subclient(instance: Instance, name: str) -> Subclient | None:
        return next((s for s in instance.subclients if _same(s.name, name)), None)

    def instance_by_id(self, instance_id: int) -> tuple[Client, Instance] | None:
        return self.index.instances_by_id.get(instance_id)

    def instance_by_backupset_id(self, backupset_id: int) -> tuple[Client, Instance] | None:
        return self.index.instances_by_backupset_id.get(backupset_id)

    def targets(self) -> list[Target]:
        """Every subclient of the inventory, in file order."""
        return list(self.index.targets)

    def target_by_subclient_id(self, subclient_id: int) -> Target | None:
        return self.index.targets_by_subclient_id.get(subclient_id)

    def find_target(self, client: str, instance: str, subclient: str) -> Target | None:
        found_client = self.client(client)
        found_instance = self.instance(found_client, instance) if found_client else None
        found = self.subclient(found_instance, subclient) if found_instance else None
        if found_client is None or found_instance is None or found is None:
            return None
        return Target(found_client, found_instance, found)

    def to_dict(self) -> dict[str, Any]:
        """The inventory in the file format, ids included."""
        return {
            "clients": [
                {
                    "name": c.name,
                    "id": c.id,
                    "hostName": c.host_name,
                    "displayName": c.display_name,
                    "instances": [
                        {
                            "name": i.name,
                            "id": i.id,
                            "applicationId": i.application_id,
                            "backupsetName": i.backupset_name,
                            "backupsetId": i.backupset_id,
                            "subclients": [{"name": s.name, "id": s.id} for s in i.subclients],
                        }
                        for i in c.instances
                    ],
                }
                for c in self.clients
            ]
        }

    def copy(self) -> Inventory:
        return Inventory(copy.deepcopy(self.clients))


class _Index:
    def __init__(self, clients: list[Client]) -> None:
        self.clients_by_name = {c.name.casefold(): c for c in clients}
        self.clients_by_id = {c.id: c for c in clients}
        self.instances_by_id = {i.id: (c, i) for c in clients for i in c.instances}
        self.instances_by_backupset_id = {
            i.backupset_id: (c, i) for c in clients for i in c.instances
        }
        self.targets = tuple(
            Target(c, i, s) for c in clients for i in c.instances for s in i.subclients
        )
        self.targets_by_subclient_id = {t.subclient.id: t for t in self.targets}
