"""Injected faults: rules that change how the next matching API requests are answered.

A rule names an API-relative path without query (``CreateTask``, ``Job/3400891``; a
trailing ``*`` matches a prefix, e.g. ``Job/*``), matched case-insensitively, optionally a
method, and how many requests it applies to. Rules are tried in the order they were added.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from commvault_emulator.responses import HTML_TYPE, Response, error_response

STATUS = "status"
HTML = "html"
DROP = "drop"
DELAY = "delay"
EXPIRE_TOKEN = "expire_token"  # noqa: S105 - a fault kind, not a secret
LOSE_ANSWER = "lose_answer"
EMPTY = "empty"
ERROR_CODE = "error_code"
KINDS = (STATUS, HTML, DROP, DELAY, EXPIRE_TOKEN, LOSE_ANSWER, EMPTY, ERROR_CODE)

RATE_LIMIT = "100"
RATE_PERIOD = "3600"  # UNCERTAIN: Commvault SaaS documents "100 writes per hour"; units assumed.

PROXY_ERROR_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def normalize_path(path: str) -> str:
    return path.strip().strip("/").casefold()


@dataclass
class Fault:
    path: str
    kind: str
    remaining: int
    method: str | None = None
    status: int | None = None
    delay_seconds: float = 0.0
    retry_after: float | None = None

    def matches(self, method: str, rel_path: str) -> bool:
        if self.remaining <= 0 or (self.method and self.method != method.upper()):
            return False
        path = normalize_path(rel_path)
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "count": self.remaining,
            "method": self.method,
            "status": self.status,
            "delay_seconds": self.delay_seconds,
            "retry_after": self.retry_after,
        }


def parse_fault(body: Any) -> Fault:
    """A fault rule from its control-plane JSON; raises ``ValueError`` on a bad field."""
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    path, kind = body.get("path"), body.get("kind")
    if not isinstance(path, str):
        raise ValueError("path must be a string, e.g. 'CreateTask' or 'Job/*'")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if kind == LOSE_ANSWER and normalize_path(path) != "createtask":
        raise ValueError("lose_answer applies to CreateTask only")
    count = _number(body, "count", 1)
    status = body.get("status")
    if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
        raise ValueError("status must be an HTTP status code")
    method = body.get("method")
    if method is not None and not isinstance(method, str):
        raise ValueError("method must be a string")
    retry_after = body.get("retry_after")
    return Fault(
        path=normalize_path(path),
        kind=kind,
        remaining=int(count),
        method=method.upper() if method else None,
        status=status,
        delay_seconds=_number(body, "delay_seconds", 0.0),
        retry_after=None if retry_after is None else _number(body, "retry_after", 0.0),
    )


def _number(body: dict[str, Any], key: str, default: float) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key} must be a non-negative number")
    return float(value)


class FaultTable:
    """The active rules. Not thread-safe: the state lock guards it."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, rel_path: str) -> Fault | None:
        """The first rule matching this request, with one use consumed."""
        for fault in self._faults:
            if fault.matches(method, rel_path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def to_list(self) -> list[dict[str, Any]]:
        return [fault.to_dict() for fault in self._faults]


def fault_answer(fault: Fault) -> Response | None:
    """The canned answer of a fault that replaces the real one (None for the others)."""
    if fault.kind == STATUS:
        status = fault.status or 503
        headers: list[tuple[str, str]] = []
        if fault.retry_after is not None:
            headers.append(("Retry-After", str(math.ceil(fault.retry_after))))
        if status == 429:
            headers += [("X-RateLimit-Limit", RATE_LIMIT), ("X-RateLimit-Period", RATE_PERIOD)]
        phrase = _phrase(status)
        return error_response(status, phrase, status, tuple(headers))
    if fault.kind == HTML:
        return Response(fault.status or 502, PROXY_ERROR_PAGE.encode(), HTML_TYPE)
    if fault.kind == EMPTY:
        return Response(fault.status or 200, b"")
    if fault.kind == ERROR_CODE:
        message = "An error was injected by the CommServe emulator's control plane."
        return error_response(2, message, fault.status or 200)
    return None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"
