"""Reading a job listing request: ``POST Jobs`` (cvpysdk's body) and ``GET Job?clientId=..``.

Filters: category (0 all, 1 active, 2 finished), finished jobs that ended within
``completedJobLookupTime`` seconds (absent or 0: no limit), clients by id or name, entity ids
(``jobFilter.entity`` or query parameters), job types (``Backup`` or ``4``: every emulated
job is a backup), aged jobs only with ``showAgedJobs``. Paging: sorted by jobId, descending
when ``sortDirection`` is 1. ``to_filter`` turns it into the job store's indexed filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commvault_emulator.integers import require_int
from commvault_emulator.jobstore import JobFilter, JobStore

CATEGORIES = {"all": 0, "active": 1, "finished": 2}
ENTITY_KEYS = ("clientId", "instanceId", "backupsetId", "subclientId", "applicationId")


@dataclass
class JobQuery:
    category: int = 0
    lookup_s: float = 0.0
    client_ids: set[int] = field(default_factory=set)
    client_names: set[str] = field(default_factory=set)
    entity: dict[str, int] = field(default_factory=dict)
    job_types: list[Any] = field(default_factory=list)
    descending: bool = True
    offset: int = 0
    limit: int | None = None
    show_aged: bool = False


def _category(value: Any) -> int:
    if isinstance(value, str) and value.strip().casefold() in CATEGORIES:
        return CATEGORIES[value.strip().casefold()]
    category = require_int(value, "category")
    if category not in (0, 1, 2):
        raise ValueError("category must be 0 (all), 1 (active) or 2 (finished)")
    return category


def _object(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object")
    return value


def query_from_body(body: Any) -> JobQuery:
    """The query of a ``POST Jobs`` body; raises ``ValueError`` on a malformed one."""
    body = _object(body, "the body")
    paging = _object(body.get("pagingConfig"), "pagingConfig")
    job_filter = _object(body.get("jobFilter"), "jobFilter")
    query = JobQuery(category=_category(body.get("category", 0)))
    query.descending = require_int(paging.get("sortDirection", 1), "sortDirection") == 1
    query.offset = max(0, require_int(paging.get("offset", 0), "offset"))
    if paging.get("limit") is not None:
        query.limit = max(0, require_int(paging["limit"], "limit"))
    query.lookup_s = float(require_int(job_filter.get("completedJobLookupTime", 0), "lookup time"))
    clients = job_filter.get("clientList") or []
    if not isinstance(clients, list):
        raise ValueError("clientList must be an array")
    for item in clients:
        item = _object(item, "a clientList entry")
        if item.get("clientId") is not None:
            query.client_ids.add(require_int(item["clientId"], "clientId"))
        elif isinstance(item.get("clientName"), str):
            query.client_names.add(item["clientName"].casefold())
    entity = _object(job_filter.get("entity"), "entity")
    query.entity = {k: require_int(entity[k], k) for k in ENTITY_KEYS if entity.get(k) is not None}
    query.show_aged = job_filter.get("showAgedJobs") is True
    types = job_filter.get("jobTypeList") or []
    query.job_types = types if isinstance(types, list) else [types]
    return query


def query_from_params(params: dict[str, str]) -> JobQuery:
    """The query of ``GET Job?clientId=..&subclientId=..&jobCategory=Active&jobFilter=Backup``."""
    query = JobQuery(category=_category(params.get("jobcategory", "all") or "all"))
    query.lookup_s = float(require_int(params.get("completedjoblookuptime", 0) or 0, "lookup time"))
    for key in ENTITY_KEYS:
        if params.get(key.casefold()):
            query.entity[key] = require_int(params[key.casefold()], key)
    query.show_aged = params.get("showagedjobs", "").strip().casefold() == "true"
    if params.get("jobfilter"):
        query.job_types = [t for t in params["jobfilter"].split(",") if t.strip()]
    query.offset = max(0, require_int(params.get("offset", 0) or 0, "offset"))
    if params.get("limit"):
        query.limit = max(0, require_int(params["limit"], "limit"))
    return query


def _is_backup_type(value: Any) -> bool:
    # UNCERTAIN: 4 as the numeric job type of a backup.
    return str(value).strip().casefold() in ("backup", "4")


def to_filter(query: JobQuery, store: JobStore, now: float) -> JobFilter | None:
    """The store's filter for ``query``; None when nothing can match."""
    if query.job_types and not any(_is_backup_type(t) for t in query.job_types):
        return None
    entity = dict(query.entity)
    client_ids: set[int] | None = None
    if query.client_ids or query.client_names:
        client_ids = query.client_ids | store.client_ids_named(query.client_names)
    if "clientId" in entity:
        wanted = {entity.pop("clientId")}
        client_ids = wanted if client_ids is None else client_ids & wanted
    return JobFilter(
        category=query.category,
        cutoff=now - query.lookup_s if query.lookup_s > 0 else None,
        client_ids=client_ids,
        subclient_id=entity.pop("subclientId", None),
        entity=entity,
        show_aged=query.show_aged,
        descending=query.descending,
        offset=query.offset,
        limit=query.limit,
    )
