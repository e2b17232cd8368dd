"""Commvault backups of Oracle databases, taken as part of a Pulumi deployment, and restores.

``OracleBackupTrigger`` and ``OracleRestore`` are the Pulumi resources;
``pulumi_commvault.commvault`` the Commvault API client they use (``CommvaultClient`` and
its errors are also importable from here).
"""

from .backup_trigger.resource import DatabaseArgs, OracleBackupTrigger, OracleBackupTriggerArgs
from .commvault import (
    AmbiguousCreateError,
    AuthenticationError,
    CommvaultClient,
    CommvaultError,
    ConnectionFailedError,
    InvalidRequestError,
    JobFailedError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnexpectedAnswerError,
    WaitTimeoutError,
)
from .oracle_restore.resource import OracleRestore, OracleRestoreArgs

__all__ = [
    "AmbiguousCreateError",
    "AuthenticationError",
    "CommvaultClient",
    "CommvaultError",
    "ConnectionFailedError",
    "DatabaseArgs",
    "InvalidRequestError",
    "JobFailedError",
    "NotFoundError",
    "OracleBackupTrigger",
    "OracleBackupTriggerArgs",
    "OracleRestore",
    "OracleRestoreArgs",
    "RateLimitedError",
    "ServerError",
    "UnexpectedAnswerError",
    "WaitTimeoutError",
]
