"""The one table of API endpoints: path patterns, methods, authentication, handler.

A pattern is a ``/``-separated path relative to the API base; ``{}`` stands for one path
parameter (an id or an action), other segments match case-insensitively. ``writes`` marks
the endpoints a tenant's write budget counts (``--rate-limit``); every other call is a read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from commvault_emulator import api_inventory, api_jobs, api_oracle, api_session
from commvault_emulator.request import ApiRequest
from commvault_emulator.responses import Response
from commvault_emulator.routing import Route
from commvault_emulator.state import State

Handler = Callable[[State, ApiRequest, Route], Response]
UNKNOWN = "Unknown"


@dataclass(frozen=True)
class Endpoint:
    name: str
    """The name the request log shows."""
    methods: tuple[str, ...]
    handler: Handler
    patterns: tuple[str, ...]
    auth: bool = True
    writes: bool = False


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("Base", ("GET",), api_session.base, ("",), auth=False),
    Endpoint("Login", ("POST",), api_session.login, ("Login",), auth=False),
    Endpoint("Logout", ("POST",), api_session.logout, ("Logout",)),
    # RenewLoginToken carries the old, possibly expired, token in its body.
    Endpoint("RenewLoginToken", ("POST",), api_session.renew, ("RenewLoginToken",), auth=False),
    Endpoint("WhoAmI", ("GET", "POST"), api_session.who_am_i, ("WhoAmI",)),
    Endpoint("CreateTask", ("POST",), api_jobs.create_task, ("CreateTask",), writes=True),
    Endpoint("Job", ("GET",), api_jobs.job, ("Job", "Job/{}")),
    Endpoint("JobDetails", ("POST",), api_jobs.job_details, ("JobDetails",)),
    Endpoint("JobAction", ("POST",), api_jobs.job_action, ("Job/{}/action/{}",), writes=True),
    Endpoint(
        "SubclientBackup",
        ("POST",),
        api_jobs.subclient_backup,
        ("Subclient/{}/action/backup",),
        writes=True,
    ),
    Endpoint("Jobs", ("POST",), api_jobs.jobs, ("Jobs",)),
    Endpoint("RMANLogs", ("GET",), api_oracle.rman_logs, ("Job/{}/RMANLogs",)),
    Endpoint("TaskDetails", ("GET",), api_oracle.task_details, ("Job/{}/TaskDetails",)),
    Endpoint("Events", ("GET",), api_oracle.job_events, ("Events",)),
    Endpoint("DBBrowse", ("POST",), api_oracle.db_browse, ("Instance/DBBrowse/{}",)),
    Endpoint(
        "BackupPieces", ("GET",), api_oracle.backup_pieces, ("oracle/instance/{}/backupPieces",)
    ),
    Endpoint(
        "OracleDiscover", ("GET",), api_oracle.discover, ("client/{}/instance/oracle/discover",)
    ),
    Endpoint("Client", ("GET",), api_inventory.client, ("Client", "Client/{}")),
    Endpoint("Instance", ("GET",), api_inventory.instance, ("Instance", "Instance/{}")),
    Endpoint("Subclient", ("GET",), api_inventory.subclient, ("Subclient", "Subclient/{}")),
    Endpoint("CommServ", ("GET",), api_inventory.commserv, ("CommServ",)),
    Endpoint("GetId", ("GET",), api_inventory.get_id, ("GetId",)),
    Endpoint("Agent", ("GET",), api_inventory.agent, ("Agent",)),
    Endpoint("Backupset", ("GET",), api_inventory.backupset, ("Backupset", "Backupset/{}")),
    Endpoint("Schedules", ("GET",), api_inventory.schedules, ("Schedules",)),
    Endpoint(
        "VSAClientAndClientGroupList",
        ("GET",),
        api_inventory.virtualization_access_nodes,
        ("VSAClientAndClientGroupList",),
    ),
)

BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
_PATTERNS = [
    (endpoint.name, tuple(s.casefold() for s in pattern.split("/") if s))
    for endpoint in ENDPOINTS
    for pattern in endpoint.patterns
]


def route(rel_path: str) -> Route:
    """The endpoint an API-relative path names, with its ``{}`` parameters in order."""
    parts = [p for p in rel_path.split("/") if p]
    lowered = [p.casefold() for p in parts]
    for name, pattern in _PATTERNS:
        if len(pattern) == len(parts) and all(
            want == "{}" or want == got for want, got in zip(pattern, lowered, strict=True)
        ):
            params = tuple(part for want, part in zip(pattern, parts, strict=True) if want == "{}")
            return Route(name, params)
    return Route(UNKNOWN)
