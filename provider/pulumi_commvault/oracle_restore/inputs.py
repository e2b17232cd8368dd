"""The inputs of ``OracleRestore``, declared once: type, default, doc, what a change does.

``RestoreInputs`` is the declaration; ``OracleRestoreArgs``, validation and
which changes run a new restore (``DECLARED``, from the ``NEW_JOB`` fields), the
inputs echoed as outputs (``INPUT_NAMES``) and the README's table all come from it.

Guards checked here, with no API call (so preview catches them): exactly one restore point;
``point_in_time`` an ISO 8601 time, ``scn`` a whole number; a destination given as client and
instance together; in place only with ``confirm_overwrite`` equal to ``client/instance``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from .. import job_inputs as shared
from ..commvault.restore_models import RestorePoint
from ..commvault.restores import Instance, RestoreRequest
from ..declarations import NEW_JOB
from ..validation import InputError, canonical

POINT_INPUTS = ("from_backup", "backup_job_ids", "point_in_time", "scn", "latest")


class RestoreInputs(BaseModel):
    """What an ``OracleRestore`` restores, where to, and how it waits."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    client_name: Annotated[
        str | None,
        NEW_JOB,
        Field(
            min_length=1,
            description="The Commvault client of the source database (whose backups are "
            "restored); taken from `from_backup` when that backed up one database.",
        ),
    ] = None
    instance_name: Annotated[
        str | None,
        NEW_JOB,
        Field(min_length=1, description="The source Oracle instance (SID), as Commvault names it."),
    ] = None
    from_backup: Annotated[
        list[dict[str, Any]] | None,
        NEW_JOB,
        Field(
            description="Restore point: an `OracleBackupTrigger`; the jobs it recorded for the "
            "source database are restored (its `jobs` output)."
        ),
    ] = None
    backup_job_ids: Annotated[
        list[str] | None,
        NEW_JOB,
        Field(min_length=1, description="Restore point: these Commvault backup job ids."),
    ] = None
    point_in_time: Annotated[
        str | None,
        NEW_JOB,
        Field(
            description="Restore point: an ISO 8601 time (UTC unless it has an offset), "
            "e.g. `2026-03-01T14:30:00Z`."
        ),
    ] = None
    scn: Annotated[
        str | None,
        NEW_JOB,
        Field(description="Restore point: an Oracle SCN (a whole number)."),
    ] = None
    latest: Annotated[
        StrictBool,
        NEW_JOB,
        Field(description="Restore point: the latest restorable backup (say so explicitly)."),
    ] = False
    destination_client_name: Annotated[
        str | None,
        NEW_JOB,
        Field(
            min_length=1,
            description="Out of place: the client to restore onto (with "
            "`destination_instance_name`); unset means in place.",
        ),
    ] = None
    destination_instance_name: Annotated[
        str | None,
        NEW_JOB,
        Field(min_length=1, description="Out of place: the Oracle instance to restore onto."),
    ] = None
    confirm_overwrite: Annotated[
        str | None,
        Field(
            description="In place only, required: the destination as `client/instance`, a "
            "guard against restoring over the wrong database."
        ),
    ] = None
    recover: Annotated[
        StrictBool,
        NEW_JOB,
        Field(
            description="Recover the database after restoring (Commvault's `oracleOpt.recover`)."
        ),
    ] = True
    description: shared.Description = None
    triggers: Annotated[
        shared.Triggers,
        Field(description="Any values; when one changes, `pulumi up` runs the restore again."),
    ] = None
    wait_for_completion: Annotated[
        shared.WaitForCompletion, Field(description="Wait until the restore job has finished.")
    ] = True
    timeout_minutes: Annotated[
        shared.TimeoutMinutes,
        Field(
            description="How long to wait (more than 0, at most 7 days); the operation fails "
            "after it, and the job keeps running."
        ),
    ] = 60.0
    request_name: shared.RequestName = ""

    @field_validator("backup_job_ids", mode="before")
    @classmethod
    def _job_ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_whole_number_text(v, "a job id") for v in value]
        return value

    @field_validator("scn", mode="before")
    @classmethod
    def _scn_as_text(cls, value: Any) -> Any:
        return None if value is None else _whole_number_text(value, "an SCN")

    @field_validator("point_in_time")
    @classmethod
    def _iso_time(cls, value: str | None) -> str | None:
        if value is not None:
            parse_time(value)
        return value

    @model_validator(mode="after")
    def _guards(self) -> RestoreInputs:
        given = [name for name in POINT_INPUTS if getattr(self, name) not in (None, False)]
        if not given:
            raise ValueError(
                "from_backup: give one restore point: from_backup, backup_job_ids, "
                "point_in_time, scn, or latest=True"
            )
        if len(given) > 1:
            raise ValueError(
                f"{given[1]}: give only one restore point ({' and '.join(given)} are both set)"
            )
        if self.from_backup is None:
            if self.client_name is None:
                raise ValueError("client_name: required (the source database's client)")
            if self.instance_name is None:
                raise ValueError("instance_name: required (the source database's instance)")
        elif (self.client_name is None) != (self.instance_name is None):
            missing = "instance_name" if self.instance_name is None else "client_name"
            raise ValueError(f"{missing}: give client_name and instance_name together")
        if (self.destination_client_name is None) != (self.destination_instance_name is None):
            missing = (
                "destination_instance_name"
                if self.destination_instance_name is None
                else "destination_client_name"
            )
            raise ValueError(
                f"{missing}: an out-of-place restore names the destination's client and "
                "instance; leave both unset to restore in place"
            )
        source = self.source()
        if source is not None and self.destination().same_as(source):
            expected = str(self.destination())
            if (self.confirm_overwrite or "").strip().lower() != expected.lower():
                got = f" (got {self.confirm_overwrite!r})" if self.confirm_overwrite else ""
                raise ValueError(
                    f"confirm_overwrite: an in-place restore overwrites {expected}; set "
                    f"confirm_overwrite={expected!r} to confirm{got}"
                )
        return self

    def source(self) -> Instance | None:
        """The source database; from ``from_backup`` when not given (None if that is unclear)."""
        if self.client_name is not None and self.instance_name is not None:
            return Instance(self.client_name, self.instance_name)
        named = {
            (str(r.get("client_name")), str(r.get("instance_name"))) for r in self.from_backup or []
        }
        if len(named) == 1:
            client, instance = named.pop()
            return Instance(client, instance)
        return None

    def destination(self) -> Instance:
        if self.destination_client_name is not None and self.destination_instance_name is not None:
            return Instance(self.destination_client_name, self.destination_instance_name)
        source = self.source()
        return source if source is not None else Instance("", "")

    def restore_point(self) -> RestorePoint:
        """The restore point; raises ``InputError`` when ``from_backup`` holds no usable job."""
        if self.backup_job_ids is not None:
            return RestorePoint(kind="jobs", job_ids=tuple(self.backup_job_ids))
        if self.point_in_time is not None:
            return RestorePoint(kind="time", time=parse_time(self.point_in_time))
        if self.scn is not None:
            return RestorePoint(kind="scn", scn=int(self.scn))
        if self.from_backup is not None:
            return RestorePoint(kind="jobs", job_ids=self._recorded_jobs())
        return RestorePoint()

    def _recorded_jobs(self) -> tuple[str, ...]:
        source = self.source()
        if source is None:
            names = sorted(
                {f"{r.get('client_name')}/{r.get('instance_name')}" for r in self.from_backup or []}
            )
            reason = (
                f"it backed up several databases ({', '.join(names)}): set client_name and "
                "instance_name to choose one"
                if names
                else "it recorded no backup job yet"
            )
            raise InputError([("from_backup", reason)])
        ids = tuple(
            str(r["job_id"])
            for r in self.from_backup or []
            if r.get("job_id") is not None
            and Instance(str(r.get("client_name")), str(r.get("instance_name"))).same_as(source)
        )
        if not ids:
            raise InputError([("from_backup", f"it recorded no backup job of {source}")])
        return ids

    def identity(self) -> dict[str, Any]:
        """What is restored, where, how: equal identities mean the same restore request."""
        point = self.restore_point()
        return {
            "source": str(self.source()).lower(),
            "destination": str(self.destination()).lower(),
            "point": point.model_dump(mode="json"),
            "recover": self.recover,
            "triggers": canonical(self.triggers),
        }

    def restore_request(self, previous_job_ids: list[str]) -> RestoreRequest:
        source = self.source()
        if source is None:
            raise InputError([("client_name", "required (the source database's client)")])
        return RestoreRequest(
            source=source,
            destination=self.destination(),
            point=self.restore_point(),
            marker=request_marker(self, previous_job_ids),
            recover=self.recover,
            description=self.description,
        )


def parse_time(text: str) -> datetime:
    """An ISO 8601 time, UTC when it names no offset; ``ValueError`` saying what is wrong."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 time; write e.g. 2026-03-01T14:30:00Z"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _whole_number_text(value: Any, what: str) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not {what}: give a whole number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{value!r} is not {what}: give a positive whole number")
    return text


def _from_backup_failures(inputs: RestoreInputs) -> list[tuple[str, str]]:
    """A ``from_backup`` that recorded no job of the source (no API call)."""
    if inputs.from_backup is None:
        return []
    try:
        inputs.restore_point()
    except InputError as exc:
        return exc.failures
    return []


DECLARED = shared.Declared(
    RestoreInputs, whole_model_field="inputs", more_failures=_from_backup_failures
)
INPUT_NAMES = DECLARED.names
#: The validated inputs (None while some are not known yet) and ``(field, reason)`` for
#: each bad one, including a ``from_backup`` that recorded no job of the source.
check_inputs = DECLARED.check


def request_marker(inputs: RestoreInputs, previous_job_ids: list[str]) -> str:
    """Unique to this restore request, the same each time it is retried (see backups)."""
    return shared.marker_of(
        {
            "kind": "restore",
            "name": inputs.request_name,
            "restore": inputs.identity(),
            "after": sorted(previous_job_ids),
        }
    )
