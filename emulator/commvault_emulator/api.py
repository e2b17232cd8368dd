"""Dispatch of a Commvault API request: route, method check, authentication, handler.

Every endpoint needs a valid token except ``GET <base>``, ``Login`` and ``RenewLoginToken``
(which carries the old, possibly expired, token in its body). A token is read from the
``Authtoken`` header (``QSDK x``, ``Bearer x`` or a bare ``x``) or from
``Authorization: Bearer x``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commvault_emulator import api_inventory, api_jobs, api_session
from commvault_emulator.responses import Response, access_denied, method_not_allowed, not_found
from commvault_emulator.routing import METHODS, Route
from commvault_emulator.state import State

NO_AUTH = ("Base", "Login", "RenewLoginToken")


@dataclass
class ApiRequest:
    method: str
    target: str
    """The path as received, with its query."""
    rel_path: str
    query: dict[str, str]
    body: bytes
    token: str | None
    """The presented token (Authtoken, else Authorization Bearer), never logged."""
    user: str = ""

    def json(self) -> Any:
        """The parsed body; raises ``ValueError`` when it is empty or not JSON."""
        if not self.body.strip():
            raise ValueError("empty body")
        return json.loads(self.body)


def presented_token(authtoken: str | None, authorization: str | None) -> str | None:
    if authtoken and authtoken.strip():
        return authtoken
    if authorization and authorization.strip().lower().startswith("bearer "):
        return authorization
    return None


Handler = Callable[[State, ApiRequest, Route], Response]

HANDLERS: dict[str, Handler] = {
    "Base": api_session.base,
    "Login": api_session.login,
    "Logout": api_session.logout,
    "RenewLoginToken": api_session.renew,
    "WhoAmI": api_session.who_am_i,
    "CreateTask": api_jobs.create_task,
    "Job": api_jobs.job,
    "JobDetails": api_jobs.job_details,
    "JobAction": api_jobs.job_action,
    "Jobs": api_jobs.jobs,
    "Client": api_inventory.client,
    "Instance": api_inventory.instance,
    "Subclient": api_inventory.subclient,
    "CommServ": api_inventory.commserv,
    "GetId": api_inventory.get_id,
}


def dispatch(state: State, request: ApiRequest, found: Route) -> Response:
    if found.endpoint == "Unknown":
        return not_found(f"API path [{request.rel_path}]")
    if request.method not in METHODS[found.endpoint]:
        return method_not_allowed(request.method, found.endpoint)
    if found.endpoint not in NO_AUTH:
        with state.lock:
            user = state.tokens.authenticate(request.token, state.clock())
        if user is None:
            return access_denied()
        request.user = user
    return HANDLERS[found.endpoint](state, request, found)
