"""Pydantic models of the Commvault requests and answers this project uses.

Requests serialize to exactly the JSON of Commvault's "Oracle Backup" page (``to_wire``).
Answers are parsed leniently where Commvault adds fields (``extra="ignore"``) and strictly
where we depend on a field: ``taskId`` must be an integer and ``jobIds`` a non-empty list of
strings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

ORACLE_APP_NAME = "Oracle"
ORACLE_APPLICATION_ID = 22

BackupLevel = Literal["Full", "Incremental"]


class _Request(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object Commvault expects: camelCase keys, unset optional fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True)


class _Answer(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


# --- CreateTask request -------------------------------------------------------------------


class Association(_Request):
    """One Oracle subclient to back up; Commvault starts one job per association."""

    client_name: str
    instance_name: str
    subclient_name: str = "default"
    backupset_name: str = "default"
    app_name: str = ORACLE_APP_NAME
    application_id: int = ORACLE_APPLICATION_ID


class SubTaskType(_Request):
    sub_task_type: str = "BACKUP"
    operation_type: str = "BACKUP"


class OracleOptions(_Request):
    cumulative: bool


class BackupOptions(_Request):
    backup_level: BackupLevel
    oracle_options: OracleOptions | None = None


class CommonOptions(_Request):
    notify_user_on_job_completion: bool = False
    job_description: str | None = None


class BackupSubTaskOptions(_Request):
    backup_opts: BackupOptions
    common_opts: CommonOptions


class SubTask(_Request):
    sub_task: SubTaskType = SubTaskType()
    options: BackupSubTaskOptions


class TaskInfo(_Request):
    task: dict[str, Any] = Field(default_factory=dict)
    associations: list[Association] = Field(min_length=1)
    sub_tasks: list[SubTask] = Field(min_length=1)


class CreateTaskRequest(_Request):
    """The body of ``POST CreateTask`` for an Oracle backup."""

    task_info: TaskInfo

    @classmethod
    def oracle_backup(
        cls,
        associations: list[Association],
        *,
        level: BackupLevel,
        cumulative: bool = False,
        notify_on_completion: bool = False,
        job_description: str | None = None,
    ) -> CreateTaskRequest:
        """An Oracle backup of ``associations``; ``cumulative`` applies to incrementals only."""
        oracle = OracleOptions(cumulative=cumulative) if level == "Incremental" else None
        options = BackupSubTaskOptions(
            backup_opts=BackupOptions(backup_level=level, oracle_options=oracle),
            common_opts=CommonOptions(
                notify_user_on_job_completion=notify_on_completion,
                job_description=job_description,
            ),
        )
        return cls(
            task_info=TaskInfo(associations=associations, sub_tasks=[SubTask(options=options)])
        )


# --- Answers --------------------------------------------------------------------------------


class CreateTaskResponse(_Answer):
    """``{"taskId": 58798, "jobIds": ["3400891"]}``: one job id per association."""

    task_id: StrictInt
    job_ids: list[StrictStr] = Field(min_length=1)


class LoginResponse(_Answer):
    user_name: StrictStr
    token: StrictStr = Field(min_length=1)


class RenewTokenResponse(_Answer):
    token: StrictStr = Field(min_length=1)


class SubclientEntity(_Answer):
    client_name: str = ""
    instance_name: str = ""
    subclient_name: str = ""
    backupset_name: str = ""
    client_id: int | None = None
    subclient_id: int | None = None


class JobUser(_Answer):
    """``jobSummary.userName``: ``{"userName": "admin", "userId": 1}``, the user who started it."""

    user_name: str = ""


class JobSummary(_Answer):
    """The ``jobSummary`` of ``GET Job/{id}`` and ``POST Jobs``, fields as cvpysdk reads them.

    ``job_description`` is None when the summary has no ``jobDescription`` at all (a
    CommServe may leave it out of listings), and ``""`` when the job has none.
    """

    job_id: StrictInt
    status: StrictStr
    percent_complete: float = 0.0
    job_start_time: int = 0
    job_end_time: int = 0
    last_update_time: int = 0
    job_elapsed_time: int = 0
    pending_reason: str = ""
    backup_level_name: str = ""
    app_type_name: str = ""
    job_description: str | None = None
    user: JobUser = Field(default_factory=JobUser, alias="userName")
    size_of_application: int = 0
    size_of_media_on_disk: int = 0
    subclient: SubclientEntity = SubclientEntity()
    job_type: str = ""
    is_aged: bool = False
    """True once the job's data has aged out of retention: no restore point any more."""


class JobEnvelope(_Answer):
    job_summary: JobSummary


class JobListResponse(_Answer):
    """``GET Job/{id}`` and ``POST Jobs``; ``totalRecordsWithoutPaging`` is 0 for an unseen job."""

    total_records_without_paging: int = 0
    jobs: list[JobEnvelope] = Field(default_factory=list)


class JobGeneralInfo(_Answer):
    """``job.jobDetail.generalInfo`` of ``POST JobDetails``; ``description`` is None when
    the answer has none (UNCERTAIN on a real CommServe: docs/emulator.md)."""

    description: str | None = None
    job_started_by: str = ""
    job_started_from: str = ""
    """``"Scheduled"`` for a job a schedule started, ``"Interactive"`` for one sent by API."""


class JobDetail(_Answer):
    general_info: JobGeneralInfo = Field(default_factory=JobGeneralInfo)


class JobDetailsJob(_Answer):
    job_detail: JobDetail = Field(default_factory=JobDetail)


class JobDetailsResponse(_Answer):
    """``POST JobDetails``: ``{"job": {"jobDetail": {"generalInfo": {...}, ...}}}``."""

    job: JobDetailsJob


class ClientEntity(_Answer):
    client_id: StrictInt
    client_name: StrictStr


class ClientRecord(_Answer):
    client_entity: ClientEntity


class ClientProperties(_Answer):
    client: ClientRecord


class ClientListResponse(_Answer):
    client_properties: list[ClientProperties] = Field(default_factory=list)


class InstanceEntity(_Answer):
    client_name: str = ""
    instance_name: str = ""
    app_name: str = ""
    application_id: int | None = None


class InstanceProperties(_Answer):
    instance: InstanceEntity


class InstanceListResponse(_Answer):
    """``GET Instance?clientId=``: the client's instances, with their agent."""

    instance_properties: list[InstanceProperties] = Field(default_factory=list)


# --- Error shapes ---------------------------------------------------------------------------


class ErrorCodeAnswer(_Answer):
    """``{"errorCode": 587207178, "errorMessage": "..."}``, often with HTTP 200."""

    error_code: StrictInt
    error_message: str = ""


class ErrListEntry(_Answer):
    error_code: int = 0
    err_log_message: str = ""


class ErrListAnswer(_Answer):
    """``{"errList": [{"errLogMessage": "...", "errorCode": N}]}``: a failed login, and others."""

    err_list: list[ErrListEntry] = Field(min_length=1)


class NestedError(_Answer):
    error_code: int = 0
    err_log_message: str = ""
    err_list: list[ErrListEntry] = Field(default_factory=list)


class NestedErrorAnswer(_Answer):
    """``{"error": {"errList": [...]}}`` (JobDetails) or ``{"error": {"errLogMessage": ...}}``."""

    error: NestedError


class ErrorsAnswer(_Answer):
    """``{"errors": [{"errList": [...]}]}``: a refused job action."""

    errors: list[ErrListAnswer] = Field(min_length=1)
