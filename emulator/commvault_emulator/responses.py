"""What a handler answers: an HTTP status, a body and headers, built in one place."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

BAD_BODY_MESSAGE = "Request body is empty or format is invalid"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    job_ids: list[str] | None = field(default=None)
    """Jobs a CreateTask started, for the request log (never sent)."""
    error: tuple[int, str] | None = field(default=None)
    """(errorCode, errorMessage) of a failure answer, for its XML form (never sent)."""


def json_response(
    payload: Any, status: int = 200, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    return Response(status, json.dumps(payload).encode("utf-8"), JSON_TYPE, headers)


def text_response(text: str, status: int = 200, content_type: str = TEXT_TYPE) -> Response:
    return Response(status, text.encode("utf-8"), content_type)


def error_response(
    code: int, message: str, status: int = 200, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    """Commvault's common failure shape ``{"errorCode": N, "errorMessage": "..."}``."""
    answer = json_response({"errorCode": code, "errorMessage": message}, status, headers)
    return dataclasses.replace(answer, error=(code, message))


def access_denied() -> Response:
    """The 401 every API call gets with a missing, unknown or expired token."""
    return error_response(5, "Access Denied", 401)


def bad_body() -> Response:
    """The 400 CreateTask documents for an empty or unparsable body: a bare JSON string."""
    return dataclasses.replace(json_response(BAD_BODY_MESSAGE, 400), error=(400, BAD_BODY_MESSAGE))


def not_found(what: str) -> Response:
    return error_response(404, f"{what} was not found on this CommServe emulator", 404)


def method_not_allowed(method: str, endpoint: str) -> Response:
    return error_response(405, f"Method {method} is not allowed on {endpoint}", 405)


def too_many_requests(headers: tuple[tuple[str, str], ...]) -> Response:
    """The 429 of a spent tenant budget (``Retry-After`` and ``X-RateLimit-*`` headers)."""
    return error_response(429, "Too Many Requests", 429, headers)
