"""Inventory reads (Client, Instance, Subclient, CommServ, GetId), shaped as cvpysdk reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commvault_emulator.integers import as_id
from commvault_emulator.inventory import APP_NAMES, Client, Instance, Target
from commvault_emulator.responses import Response, error_response, json_response
from commvault_emulator.routing import Route
from commvault_emulator.state import State

if TYPE_CHECKING:
    from commvault_emulator.api import ApiRequest

MISSING_ID = -32000
COMMSERV_NAME = "cs-emulator"
ERR_NOT_FOUND = 2  # UNCERTAIN: what a real CommServe answers for an unknown entity id


def _client_entity(client: Client) -> dict[str, Any]:
    return {
        "clientId": client.id,
        "clientName": client.name,
        "hostName": client.host_name,
        "displayName": client.display_name,
    }


def _client_properties(client: Client) -> dict[str, Any]:
    """Enough of ``clientProperties[0]`` for cvpysdk's ``Client`` to initialise."""
    activities = [{"activityType": t, "enableActivityType": True} for t in (1, 2, 16)]
    return {
        "client": {
            "clientEntity": _client_entity(client),
            "osInfo": {
                "Type": "Unix",
                "SubType": "Linux",
                "OsDisplayInfo": {"ProcessorType": "x64", "OSName": "Oracle Linux Server 8.9"},
            },
            "cvdPort": 8400,
            "TimeZone": {"TimeZoneName": "(UTC) Coordinated Universal Time"},
            "versionInfo": {
                "version": "ServicePack:44",
                "GalaxyRelease": {"ReleaseString": "11.0"},
            },
            "installDirectory": "/opt/commvault",
        },
        "clientProps": {
            "activityControl": {
                "EnableDataRecovery": True,
                "EnableDataManagement": True,
                "EnableOnlineContentIndex": False,
            },
            "clientActivityControl": {"activityControlOptions": activities},
            "EnableSnapBackups": False,
        },
    }


def client(state: State, request: ApiRequest, found: Route) -> Response:
    """``GET Client`` (all clients, entity only) or ``GET Client/{id}`` (properties)."""
    with state.lock:
        if not found.params:
            props = [
                {"client": {"clientEntity": _client_entity(c)}} for c in state.inventory.clients
            ]
            return json_response({"clientProperties": props})
        client_id = as_id(found.params[0])
        one = state.inventory.client_by_id(client_id) if client_id is not None else None
        if one is None:
            return error_response(ERR_NOT_FOUND, f"Client [{found.params[0]}] not found.", 404)
        return json_response({"clientProperties": [_client_properties(one)]})


def _instance_properties(owner: Client, instance: Instance) -> dict[str, Any]:
    return {
        "instance": {
            "clientName": owner.name,
            "clientId": owner.id,
            "instanceName": instance.name,
            "instanceId": instance.id,
            "appName": instance.app_name,
            "applicationId": instance.application_id,
        }
    }


def instance(state: State, request: ApiRequest, found: Route) -> Response:
    """``GET Instance?clientId=`` (all instances of a client) or ``GET Instance/{id}``."""
    with state.lock:
        if found.params:
            instance_id = as_id(found.params[0])
            pair = state.inventory.instance_by_id(instance_id) if instance_id is not None else None
            if pair is None:
                return error_response(
                    ERR_NOT_FOUND, f"Instance [{found.params[0]}] not found.", 404
                )
            return json_response({"instanceProperties": [_instance_properties(*pair)]})
        client_id = as_id(request.query.get("clientid"))
        props = [
            _instance_properties(c, i)
            for c in state.inventory.clients
            if client_id is None or c.id == client_id
            for i in c.instances
        ]
        return json_response({"instanceProperties": props})


def _subclient_properties(target: Target) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "subClientEntity": target.entity(),
        "commonProperties": {
            "isDefaultSubclient": target.subclient.name.casefold() == "default",
            "description": "",
            "enableBackup": True,
        },
        "proxyClient": {},
        "planEntity": {},
    }
    if target.instance.app_name == "Oracle":
        is_log = "log" in target.subclient.name.casefold()
        properties["oracleSubclientProp"] = {"data": not is_log, "archiveLog": True}
    return properties


def subclient(state: State, request: ApiRequest, found: Route) -> Response:
    """``GET Subclient?clientId=&applicationId=`` (``propertyLevel`` ignored) or ``/{id}``."""
    with state.lock:
        if found.params:
            subclient_id = as_id(found.params[0])
            target = (
                state.inventory.target_by_subclient_id(subclient_id)
                if subclient_id is not None
                else None
            )
            if target is None:
                return error_response(
                    ERR_NOT_FOUND, f"Subclient [{found.params[0]}] not found.", 404
                )
            return json_response({"subClientProperties": [_subclient_properties(target)]})
        filters = {
            key: as_id(request.query.get(key.casefold()))
            for key in ("clientId", "applicationId", "instanceId", "backupsetId")
        }
        props = [
            _subclient_properties(t)
            for t in state.inventory.targets()
            if all(v is None or t.entity()[k] == v for k, v in filters.items())
        ]
        return json_response({"subClientProperties": props})


def commserv(state: State, request: ApiRequest, _route: Route) -> Response:
    """``GET CommServ``: the fields cvpysdk's ``Commcell`` reads at start-up."""
    return json_response(
        {
            "commcell": {"commCellName": COMMSERV_NAME, "commCellId": 2, "csGUID": "EMULATOR-CS"},
            "hostName": "cs-emulator.example.com",
            "csTimeZone": {"TimeZoneName": "UTC"},
            "timeZone": "0:0:(UTC) Coordinated Universal Time",
            "currentSPVersion": 44,
            "csVersionInfo": "11.44.0",
            "releaseName": "11.44",
        }
    )


def _agent_id(name: str) -> int | None:
    return next((i for i, n in APP_NAMES.items() if n.casefold() == name.strip().casefold()), None)


def get_id(state: State, request: ApiRequest, _route: Route) -> Response:
    """``GET GetId?clientName=&agent=&instanceName=&backupset=&subclient=``.

    200 with every id found; 404 with -32000 in place of each id not found.
    """
    query = request.query
    answer: dict[str, int] = {}
    with state.lock:
        found_client = state.inventory.client(query.get("clientname", ""))
        answer["clientId"] = found_client.id if found_client else MISSING_ID
        app_id = _agent_id(query["agent"]) if "agent" in query else None
        if "agent" in query:
            answer["applicationId"] = app_id if app_id is not None else MISSING_ID
        candidates = [
            i
            for i in (found_client.instances if found_client else [])
            if "agent" not in query or i.application_id == app_id
        ]
        found_instance: Instance | None = None
        if "instancename" in query:
            name = query["instancename"].casefold()
            found_instance = next((i for i in candidates if i.name.casefold() == name), None)
        elif len(candidates) == 1:
            found_instance = candidates[0]
        if "instancename" in query or "backupset" in query or "subclient" in query:
            answer["instanceId"] = found_instance.id if found_instance else MISSING_ID
        if "backupset" in query or "subclient" in query:
            wanted = query.get("backupset", "")
            ok = found_instance and (
                not wanted or wanted.casefold() == found_instance.backupset_name.casefold()
            )
            answer["backupsetId"] = (
                found_instance.backupset_id if found_instance and ok else MISSING_ID
            )
        if "subclient" in query:
            sub = (
                state.inventory.subclient(found_instance, query["subclient"])
                if found_instance
                else None
            )
            answer["subclientId"] = (
                sub.id if sub and answer["backupsetId"] != MISSING_ID else MISSING_ID
            )
    status = 404 if MISSING_ID in answer.values() else 200
    return json_response(answer, status)
