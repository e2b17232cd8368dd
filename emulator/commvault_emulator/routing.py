"""Request paths: the API prefixes, the control plane, the ``Route`` a path resolves to.

The API is served under ``/commandcenter/api/`` and ``/SearchSvc/CVWebService.svc/``; paths
match case-insensitively. The control plane lives under ``/_emulator/`` only: the same words
under an API prefix are an unknown API path.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

API_PREFIXES = ("/commandcenter/api", "/searchsvc/cvwebservice.svc")
DEFAULT_PREFIX = "/commandcenter/api"
CONTROL_PREFIX = "/_emulator"


@dataclass(frozen=True)
class Route:
    endpoint: str
    """The name of an ``endpoints.ENDPOINTS`` entry, or ``Unknown``."""
    params: tuple[str, ...] = ()
    """Path parameters, in path order (an entity id, then a job action)."""


def split_target(target: str) -> tuple[str, dict[str, str]]:
    """The path (unquoted) and query of a request target; query keys lower-cased."""
    parts = urlsplit(target)
    query = {k.casefold(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    return unquote(parts.path), query


def is_control(path: str) -> bool:
    lowered = path.casefold()
    return lowered == CONTROL_PREFIX or lowered.startswith(CONTROL_PREFIX + "/")


def api_relative(path: str) -> str | None:
    """The path relative to the API base, without slashes at either end; None if not API."""
    lowered = path.casefold()
    for prefix in API_PREFIXES:
        if lowered == prefix or lowered.startswith(prefix + "/"):
            return path[len(prefix) :].strip("/")
    return None
