"""Dispatch of a Commvault API request: route, method check, authentication, handler.

Every endpoint needs a valid token except ``GET <base>``, ``Login`` and ``RenewLoginToken``
(which carries the old, possibly expired, token in its body). A token is read from the
``Authtoken`` header (``QSDK x``, ``Bearer x`` or a bare ``x``) or from
``Authorization: Bearer x``.
"""

from __future__ import annotations

from commvault_emulator.endpoints import BY_NAME
from commvault_emulator.request import ApiRequest
from commvault_emulator.responses import Response, access_denied, method_not_allowed, not_found
from commvault_emulator.routing import Route
from commvault_emulator.state import State


def presented_token(authtoken: str | None, authorization: str | None) -> str | None:
    if authtoken and authtoken.strip():
        return authtoken
    if authorization and authorization.strip().lower().startswith("bearer "):
        return authorization
    return None


def dispatch(state: State, request: ApiRequest, found: Route) -> Response:
    endpoint = BY_NAME.get(found.endpoint)
    if endpoint is None:
        return not_found(f"API path [{request.rel_path}]")
    if request.method not in endpoint.methods:
        return method_not_allowed(request.method, found.endpoint)
    if endpoint.auth:
        with state.lock:
            user = state.tokens.authenticate(request.token, state.clock())
        if user is None:
            return access_denied()
        request.user = user
    return endpoint.handler(state, request, found)
