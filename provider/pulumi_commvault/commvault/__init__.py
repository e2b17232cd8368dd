"""The Commvault REST client: one session per CommServe, typed models and errors, jobs.

Nothing here knows about Pulumi; the resources build on it, and it is usable on its own.
"""

from .backups import BackupRequest, Database, StartedJob, start_backup
from .client import CommvaultClient
from .connection import ConnectionSettings, InvalidSettingError
from .errors import (
    AmbiguousCreateError,
    AuthenticationError,
    CommvaultError,
    ConnectionFailedError,
    InvalidRequestError,
    JobFailedError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TLSFailedError,
    UnexpectedAnswerError,
    WaitTimeoutError,
)
from .restore_models import RestorePoint
from .restores import Instance, RestoreCheckError, RestoreRequest, check_restore, start_restore
from .transport import RetryPolicy, Timeouts
from .waiting import wait_for_job, wait_for_jobs
from .watcher import Pacing

__all__ = [
    "AmbiguousCreateError",
    "AuthenticationError",
    "BackupRequest",
    "CommvaultClient",
    "CommvaultError",
    "ConnectionFailedError",
    "ConnectionSettings",
    "Database",
    "Instance",
    "InvalidRequestError",
    "InvalidSettingError",
    "JobFailedError",
    "NotFoundError",
    "Pacing",
    "RateLimitedError",
    "RestoreCheckError",
    "RestorePoint",
    "RestoreRequest",
    "RetryPolicy",
    "ServerError",
    "StartedJob",
    "TLSFailedError",
    "Timeouts",
    "UnexpectedAnswerError",
    "WaitTimeoutError",
    "check_restore",
    "start_backup",
    "start_restore",
    "wait_for_job",
    "wait_for_jobs",
]
