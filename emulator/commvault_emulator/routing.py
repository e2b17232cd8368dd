"""Which endpoint a request path names.

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

# endpoint name -> HTTP methods it answers
METHODS: dict[str, tuple[str, ...]] = {
    "Base": ("GET",),
    "Login": ("POST",),
    "Logout": ("POST",),
    "RenewLoginToken": ("POST",),
    "WhoAmI": ("GET", "POST"),
    "CreateTask": ("POST",),
    "Job": ("GET",),
    "JobDetails": ("POST",),
    "JobAction": ("POST",),
    "Jobs": ("POST",),
    "Client": ("GET",),
    "Instance": ("GET",),
    "Subclient": ("GET",),
    "CommServ": ("GET",),
    "GetId": ("GET",),
}
_SINGLE = {name.casefold(): name for name in METHODS if name not in ("Base", "JobAction")}
_WITH_ID = {"job", "client", "instance", "subclient"}


@dataclass(frozen=True)
class Route:
    endpoint: str
    """One of the ``METHODS`` keys, or ``Unknown``."""
    params: tuple[str, ...] = ()
    """Path parameters: an entity id, then a job action."""


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


def route(rel_path: str) -> Route:
    parts = [p for p in rel_path.split("/") if p]
    lowered = [p.casefold() for p in parts]
    if not parts:
        return Route("Base")
    if len(parts) == 1 and lowered[0] in _SINGLE:
        return Route(_SINGLE[lowered[0]])
    if len(parts) == 2 and lowered[0] in _WITH_ID:
        return Route(_SINGLE[lowered[0]], (parts[1],))
    if len(parts) == 4 and lowered[0] == "job" and lowered[2] == "action":
        return Route("JobAction", (parts[1], lowered[3]))
    return Route("Unknown")
