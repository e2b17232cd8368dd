"""Commvault backups of Oracle databases, taken as part of a Pulumi deployment.

``OracleBackupTrigger`` is the Pulumi resource; ``pulumi_commvault.commvault`` the Commvault
API client it uses (``CommvaultClient`` and its errors are also importable from here).
"""

from ._version import __version__
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
    TLSFailedError,
    UnexpectedAnswerError,
    WaitTimeoutError,
)

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
    "TLSFailedError",
    "UnexpectedAnswerError",
    "WaitTimeoutError",
    "__version__",
]
