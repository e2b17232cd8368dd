"""Inventory reads (Client, Instance, Subclient, CommServ, GetId), shaped as cvpysdk reads them."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, TypeVar

from commvault_emulator.integers import as_id
from commvault_emulator.inventory import APP_NAMES, Client, Instance, Target, app_name
from commvault_emulator.request import ApiRequest
from commvault_emulator.responses import Response, error_response, json_response
from commvault_emulator.routing import Route
from commvault_emulator.state import State

MISSING_ID = -32000
COMMSERV_NAME = "cs-emulator"
_T = TypeVar("_T")
ORACLE_APP_IDS = (22, 80)
VIRTUAL_SERVER_APP_ID = 106
ERR_NOT_FOUND = 2  # UNCERTAIN: what a real CommServe answers for an unknown entity id


def _one(found: Route, kind: str, lookup: Callable[[int], _T | None]) -> _T | Response:
    """The entity ``<kind>/{id}`` names, or the 404 an unknown id gets."""
    entity_id = as_id(found.params[0])
    entity = lookup(entity_id) if entity_id is not None else None
    if entity is None:
        return error_response(ERR_NOT_FOUND, f"{kind} [{found.params[0]}] not found.", 404)
    return entity


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
    """``GET Client`` (all clients, entity only), ``GET Client?PseudoClientType=VSPseudo``
    (clients with a Virtual Server instance) or ``GET Client/{id}`` (properties)."""
    with state.lock:
        if not found.params:
            if request.query.get("pseudoclienttype", "").casefold() == "vspseudo":
                hypervisors = [
                    {"client": _client_entity(c)}
                    for c in state.inventory.clients
                    if any(i.application_id == VIRTUAL_SERVER_APP_ID for i in c.instances)
                ]
                return json_response({"VSPseudoClientsList": hypervisors})
            props = [
                {"client": {"clientEntity": _client_entity(c)}} for c in state.inventory.clients
            ]
            return json_response({"clientProperties": props})
        one = _one(found, "Client", state.inventory.client_by_id)
        if isinstance(one, Response):
            return one
        return json_response({"clientProperties": [_client_properties(one)]})


def _oracle_instance(owner: Client, instance: Instance) -> dict[str, Any]:
    """``oracleInstance``: the fields cvpysdk's ``OracleInstance`` properties read."""
    dbid = zlib.crc32(f"{owner.name}/{instance.name}".encode()) % 4_000_000_000
    return {
        "oracleHome": "/u01/app/oracle/product/19.0.0/dbhome_1",
        "oracleUser": {"userName": "oracle"},
        "sqlConnect": {"userName": "/", "domainName": instance.name},
        "useCatalogConnect": False,
        "catalogConnect": {"userName": "", "domainName": ""},
        "archiveLogDest": "/u01/app/oracle/fast_recovery_area",
        "ctrlFileAutoBackup": 1,
        "numberOfArchiveLogBackupStreams": 2,
        "DBID": dbid,
        "oracleStorageDevice": {
            "commandLineStoragePolicy": {"storagePolicyName": "SP-Oracle"},
            "logBackupStoragePolicy": {"storagePolicyName": "SP-Oracle-Logs"},
        },
    }


def _instance_properties(owner: Client, instance: Instance) -> dict[str, Any]:
    """``instanceProperties[n]`` as cvpysdk's ``Instances`` and ``Instance`` read it."""
    activities = [{"activityType": t, "enableActivityType": True} for t in (1, 2)]
    properties: dict[str, Any] = {
        "instance": {
            "clientName": owner.name,
            "clientId": owner.id,
            "instanceName": instance.name,
            "instanceId": instance.id,
            "appName": instance.app_name,
            "applicationId": instance.application_id,
        },
        "instanceActivityControl": {"activityControlOptions": activities},
    }
    if instance.application_id in ORACLE_APP_IDS:
        properties["oracleInstance"] = _oracle_instance(owner, instance)
        properties["version"] = "19c"
    return properties


def _instance_owners(state: State, query: dict[str, str]) -> list[Client]:
    """The clients ``clientId`` or ``clientName`` (the Terraform handler's) names, else all."""
    client_id = as_id(query.get("clientid"))
    if client_id is not None:
        return [c for c in [state.inventory.client_by_id(client_id)] if c is not None]
    if "clientname" in query:
        return [c for c in [state.inventory.client(query["clientname"])] if c is not None]
    return state.inventory.clients


def instance(state: State, request: ApiRequest, found: Route) -> Response:
    """``GET Instance?clientId=|clientName=&applicationId=|appName=`` (a client's instances)
    or ``Instance/{id}``."""
    with state.lock:
        if found.params:
            pair = _one(found, "Instance", state.inventory.instance_by_id)
            if isinstance(pair, Response):
                return pair
            return json_response({"instanceProperties": [_instance_properties(*pair)]})
        owners = _instance_owners(state, request.query)
        app_id = as_id(request.query.get("applicationid"))
        wanted_app = request.query.get("appname", "").strip().casefold()
        props = [
            _instance_properties(c, i)
            for c in owners
            for i in c.instances
            if (app_id is None or i.application_id == app_id)
            and (not wanted_app or i.app_name.casefold() == wanted_app)
        ]
        return json_response({"instanceProperties": props})


def _subclient_properties(target: Target, last_backup_time: int) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "subClientEntity": target.entity(),
        "commonProperties": {
            "isDefaultSubclient": target.subclient.name.casefold() == "default",
            "description": "",
            "enableBackup": True,
            "lastBackupTime": last_backup_time,
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
            target = _one(found, "Subclient", state.inventory.target_by_subclient_id)
            if isinstance(target, Response):
                return target
            last = state.last_backup_time(target.subclient.id)
            return json_response({"subClientProperties": [_subclient_properties(target, last)]})
        filters = {
            key: as_id(request.query.get(key.casefold()))
            for key in ("clientId", "applicationId", "instanceId", "backupsetId")
        }
        props = [
            _subclient_properties(t, state.last_backup_time(t.subclient.id))
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


def virtualization_access_nodes(state: State, request: ApiRequest, _route: Route) -> Response:
    """``GET VSAClientAndClientGroupList``: the VSA proxies (none are emulated)."""
    return json_response({"clients": []})


def _ida_entity(owner: Client, application_id: int) -> dict[str, Any]:
    return {
        "clientName": owner.name,
        "clientId": owner.id,
        "appName": app_name(application_id),
        "applicationId": application_id,
    }


def _agent_properties(owner: Client, application_id: int) -> dict[str, Any]:
    """``agentProperties[n]`` as cvpysdk's ``Agents`` and ``Agent`` read it (agent.py)."""
    activities = [{"activityType": t, "enableActivityType": True} for t in (1, 2)]
    return {
        "idaEntity": _ida_entity(owner, application_id),
        "idaActivityControl": {"activityControlOptions": activities},
        "AgentProperties": {"isMarkedDeleted": False},
    }


def agent(state: State, request: ApiRequest, _route: Route) -> Response:
    """``GET Agent?clientId=`` (every agent installed) or ``&applicationId=`` (one)."""
    client_id = as_id(request.query.get("clientid"))
    wanted = as_id(request.query.get("applicationid"))
    with state.lock:
        owner = state.inventory.client_by_id(client_id) if client_id is not None else None
        if owner is None:
            return error_response(ERR_NOT_FOUND, f"Client [{client_id}] not found.", 404)
        app_ids = sorted({i.application_id for i in owner.instances})
        props = [_agent_properties(owner, a) for a in app_ids if wanted is None or a == wanted]
    return json_response({"agentProperties": props})


def _backupset_properties(owner: Client, instance: Instance) -> dict[str, Any]:
    """``backupsetProperties[n]`` as cvpysdk's ``Backupsets`` and ``Backupset`` read it."""
    return {
        "backupSetEntity": {
            **_ida_entity(owner, instance.application_id),
            "instanceName": instance.name,
            "instanceId": instance.id,
            "backupsetName": instance.backupset_name,
            "backupsetId": instance.backupset_id,
        },
        "commonBackupSet": {"isDefaultBackupSet": True, "onDemandBackupset": False},
        "planEntity": {},
    }


def backupset(state: State, request: ApiRequest, found: Route) -> Response:
    """``GET Backupset?clientId=&applicationId=&instanceId=`` (``propertyLevel`` ignored):
    one backupset per instance; or ``GET Backupset/{id}``."""
    with state.lock:
        if found.params:
            pair = _one(found, "Backupset", state.inventory.instance_by_backupset_id)
            if isinstance(pair, Response):
                return pair
            return json_response({"backupsetProperties": [_backupset_properties(*pair)]})
        client_id = as_id(request.query.get("clientid"))
        app_id = as_id(request.query.get("applicationid"))
        instance_id = as_id(request.query.get("instanceid"))
        owner = state.inventory.client_by_id(client_id) if client_id is not None else None
        if owner is None:
            return json_response({"backupsetProperties": []})
        props = [
            _backupset_properties(owner, i)
            for i in owner.instances
            if (app_id is None or i.application_id == app_id)
            and (instance_id is None or i.id == instance_id)
        ]
    return json_response({"backupsetProperties": props})


def schedules(state: State, request: ApiRequest, _route: Route) -> Response:
    """``GET Schedules?clientId=&apptypeId=&backupsetId=``: no schedules are emulated."""
    return json_response({"taskDetail": []})
