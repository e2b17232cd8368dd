"""Turns an HTTP answer into JSON or into the one typed error that explains it.

Commvault reports failures in several shapes, often with HTTP 200: ``errorCode`` and
``errorMessage``, ``errList``, ``{"error": ...}``, ``{"errors": [...]}``, a bare JSON string.
Proxies answer HTML. All of them end here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from .errors import (
    AlreadyRunningError,
    AuthenticationError,
    CommvaultError,
    HTMLAnswerError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnexpectedAnswerError,
)
from .models import ErrListAnswer, ErrorCodeAnswer, ErrorsAnswer, NestedErrorAnswer

_NOT_FOUND_WORDS = re.compile(r"not found|no eligible|does not exist|doesn't exist|unknown", re.I)
#: The CommServe's words for "a job already runs for this subclient" (read here, once).
_RUNNING_WORDS = re.compile(r"already running", re.I)
_TITLE = re.compile(r"<title>(.*?)</title>", re.I | re.S)
_EXCERPT_CHARS = 200

M = TypeVar("M", bound=BaseModel)


def server_error(body: Any) -> tuple[int, str] | None:
    """The ``(errorCode, message)`` a Commvault error body carries, or None if it is no error."""
    if not isinstance(body, dict):
        return None
    for shape in (ErrorCodeAnswer, ErrListAnswer, NestedErrorAnswer, ErrorsAnswer):
        try:
            parsed = shape.model_validate(body)
        except ValidationError:
            continue
        found = _first_error(parsed)
        if found is not None:
            return found
    return None


def _first_error(parsed: BaseModel) -> tuple[int, str] | None:
    if isinstance(parsed, ErrorCodeAnswer):
        return (parsed.error_code, parsed.error_message) if parsed.error_code else None
    if isinstance(parsed, ErrListAnswer):
        entries = parsed.err_list
    elif isinstance(parsed, ErrorsAnswer):
        entries = [entry for group in parsed.errors for entry in group.err_list]
    elif isinstance(parsed, NestedErrorAnswer):
        if parsed.error.err_log_message and not parsed.error.err_list:
            return (parsed.error.error_code or -1, parsed.error.err_log_message)
        entries = parsed.error.err_list
    else:
        return None
    failing = [e for e in entries if e.error_code or e.err_log_message]
    if not failing:
        return None
    return (
        failing[0].error_code,
        "; ".join(e.err_log_message for e in failing if e.err_log_message),
    )


def decode(
    response: requests.Response,
    *,
    commserve: str,
    operation: str,
    redact: Callable[[str], str],
    refused_as: type[CommvaultError] = InvalidRequestError,
) -> Any:
    """The JSON of a successful answer; a typed error for anything else.

    A refusal (a 4xx other than 401, or an error in a 200 body) is ``refused_as``: an
    ``InvalidRequestError`` (``NotFoundError`` when it names something unknown), or the
    endpoint's own meaning of a refusal, such as ``AuthenticationError`` for ``POST Login``.
    """

    def fail(failure: tuple[type[CommvaultError], str]) -> CommvaultError:
        kind, detail = failure
        return kind(redact(detail), commserve=commserve, operation=operation, status_code=status)

    status = response.status_code
    text = response.text
    unreadable = _unreadable(response, text)
    if unreadable:
        raise fail(unreadable)
    if status == 429:
        raise RateLimitedError(
            redact(f"the CommServe is rate limiting calls: {_excerpt(text) or 'no body'}"),
            retry_after_s=_retry_after(response),
            commserve=commserve,
            operation=operation,
        )
    failed = _failed_or_empty(status, text)
    if failed:
        raise fail(failed)
    try:
        body = json.loads(text)
    except ValueError:
        raise fail((UnexpectedAnswerError, f"the answer is not JSON: {_excerpt(text)}")) from None
    refusal = _refusal(body, status, text, refused_as)
    if refusal:
        raise fail(refusal)
    return body


Failure = tuple[type[CommvaultError], str]


def _unreadable(response: requests.Response, text: str) -> Failure | None:
    """A token refused, or an HTML page where JSON was expected."""
    if response.status_code == 401:
        return AuthenticationError, f"the CommServe refused the token: {_excerpt(text)}"
    if _looks_like_html(response):
        return (
            HTMLAnswerError,
            f"expected JSON but got an HTML page ({_html_title(text)}); "
            "is a proxy or load balancer answering instead of the CommServe?",
        )
    return None


def _failed_or_empty(status: int, text: str) -> Failure | None:
    if status >= 500:
        return ServerError, f"the CommServe failed: {_excerpt(text) or 'no body'}"
    if text.strip():
        return None
    if status >= 400:
        return InvalidRequestError, "the CommServe refused the request with an empty body"
    return UnexpectedAnswerError, "the CommServe sent an empty answer"


def _refusal(body: Any, status: int, text: str, refused_as: type[CommvaultError]) -> Failure | None:
    """What a readable answer refused: the endpoint's own meaning, not found, or a refusal."""
    error = server_error(body)
    if refused_as is not InvalidRequestError and (status >= 400 or error):
        message = body if isinstance(body, str) else (error[1] if error else _excerpt(text))
        return refused_as, f"the CommServe refused it: {message}"
    if status == 404 or (error and _NOT_FOUND_WORDS.search(error[1])):
        return NotFoundError, f"not found: {error[1] if error else _excerpt(text)}"
    if status >= 400:
        message = body if isinstance(body, str) else (error[1] if error else _excerpt(text))
        refused = AlreadyRunningError if _RUNNING_WORDS.search(message) else InvalidRequestError
        return refused, f"the CommServe refused the request: {message}"
    if error:
        code, message = error
        refused = AlreadyRunningError if _RUNNING_WORDS.search(message) else InvalidRequestError
        return refused, f"the CommServe answered error {code}: {message}"
    return None


def parse(
    model: type[M], body: Any, *, commserve: str, operation: str, redact: Callable[[str], str]
) -> M:
    """Validate an answer against its model; a mismatch is an ``UnexpectedAnswerError``."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'answer'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        raise UnexpectedAnswerError(
            redact(
                f"the answer does not have the documented shape ({problems}): "
                f"{_excerpt(json.dumps(body))}"
            ),
            commserve=commserve,
            operation=operation,
        ) from None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _looks_like_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return "html" in content_type.lower() or response.text.lstrip()[:1] == "<"


def _html_title(text: str) -> str:
    match = _TITLE.search(text)
    return f"title {match.group(1).strip()!r}" if match else _excerpt(text)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT_CHARS else flat[:_EXCERPT_CHARS] + "..."
