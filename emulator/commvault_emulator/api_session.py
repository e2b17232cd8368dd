"""The service check and the session endpoints: Login, Logout, RenewLoginToken, WhoAmI."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import uuid
from typing import Any

from commvault_emulator.request import ApiRequest
from commvault_emulator.responses import Response, bad_body, json_response, text_response
from commvault_emulator.routing import Route
from commvault_emulator.state import State
from commvault_emulator.summaries import USER_ID
from commvault_emulator.tokens import RenewError
from commvault_emulator.xml_answers import LOGIN_RESPONSE, login_request, xml_response

LOGIN_FAILED = "Invalid Username or Password"
ERR_LOGIN_FAILED = 1116  # UNCERTAIN: the errorCode a real CommServe gives a failed login


def _user_guid(user: str) -> str:
    return str(uuid.UUID(hashlib.md5(user.casefold().encode(), usedforsecurity=False).hexdigest()))


def _body_object(request: ApiRequest) -> dict[str, Any] | None:
    try:
        body = request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def base(state: State, request: ApiRequest, _route: Route) -> Response:
    """``GET <base>``: 200 while the service is up."""
    return json_response({"service": "Commvault CommServe emulator", "status": "up"})


def _password_matches(state: State, encoded: Any) -> bool:
    """The Login password is base64 of the UTF-8 password; a plain one does not match."""
    if not isinstance(encoded, str):
        return False
    try:
        password = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return secrets.compare_digest(password.encode(), state.settings.password.encode())


def login(state: State, request: ApiRequest, _route: Route) -> Response:
    """``POST Login``: a ``QSDK`` session token, or 200 with ``errList`` on bad credentials."""
    body = (
        login_request(request.body)
        if request.body.lstrip().startswith(b"<")
        else _body_object(request)
    )
    if body is None:
        return bad_body()
    username = body.get("username")
    user_ok = (
        isinstance(username, str) and username.casefold() == state.settings.username.casefold()
    )
    if not user_ok or not _password_matches(state, body.get("password")):
        failed = {"errList": [{"errLogMessage": LOGIN_FAILED, "errorCode": ERR_LOGIN_FAILED}]}
        return _login_answer(request, failed)
    device_id = body.get("deviceId")
    timeout_min = body.get("timeout")
    ttl_s = (
        float(timeout_min) * 60
        if isinstance(timeout_min, int | float) and timeout_min > 0
        else None
    )
    user = state.settings.username
    with state.lock:
        token = state.tokens.issue(
            user, device_id if isinstance(device_id, str) else "", state.clock(), ttl_s
        )
    return _login_answer(
        request,
        {
            "aliasName": str(USER_ID),
            "userGUID": _user_guid(user),
            "loginAttempts": 0,
            "remainingLockTime": 0,
            "smtpAddress": f"{user}@example.com",
            "userName": user,
            "providerType": 1,
            "ccn": 0,
            "token": token,
            "capability": 4328650366975,
            "forcePasswordChange": False,
            "isAccountLocked": False,
        },
    )


def _login_answer(request: ApiRequest, fields: dict[str, Any]) -> Response:
    """Login's answer in JSON, or as Commvault's XML login response when asked for XML."""
    if request.accept_xml:
        return xml_response(LOGIN_RESPONSE, fields)
    return json_response(fields)


def logout(state: State, request: ApiRequest, _route: Route) -> Response:
    """``POST Logout``: the token stops working (it cannot be renewed either)."""
    with state.lock:
        state.tokens.logout(request.token)
    return text_response("User logged out")


def renew(state: State, request: ApiRequest, _route: Route) -> Response:
    """``POST RenewLoginToken`` ``{"sessionId": <token>, "deviceId": ...}``: a new token."""
    body = _body_object(request)
    if body is None:
        return bad_body()
    session_id, device_id = body.get("sessionId"), body.get("deviceId")
    if not isinstance(session_id, str) or not session_id.strip():
        return json_response({"error": {"errLogMessage": "sessionId is missing"}})
    try:
        with state.lock:
            token = state.tokens.renew(
                session_id, device_id if isinstance(device_id, str) else "", state.clock()
            )
    except RenewError as error:
        return json_response({"error": {"errLogMessage": str(error)}})
    return json_response({"token": token})


def who_am_i(state: State, request: ApiRequest, _route: Route) -> Response:
    """``GET``/``POST WhoAmI``: the user behind the token (cvpysdk reads ``user.userName``)."""
    user = request.user
    return json_response(
        {"user": {"userName": user, "userId": USER_ID, "userGUID": _user_guid(user)}}
    )
