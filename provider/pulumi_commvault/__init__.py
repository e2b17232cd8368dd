"""Commvault backups of Oracle databases, taken as part of a Pulumi deployment.

``OracleBackupTrigger`` is the Pulumi resource; ``CommvaultClient`` the API client it uses.
"""

from .client import CommvaultClient
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
    UnexpectedAnswerError,
    WaitTimeoutError,
)
from .oracle_backup_trigger import DatabaseArgs, OracleBackupTrigger, OracleBackupTriggerArgs

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
    "RateLimitedError",
    "ServerError",
    "UnexpectedAnswerError",
    "WaitTimeoutError",
]
