"""Commvault backups of Oracle databases, taken as part of a Pulumi deployment, and restores.

``OracleBackupTrigger`` and ``OracleRestore`` are the Pulumi resources, ``oracle_backup_hook``
a backup the engine takes before a bound resource changes (resource hooks);
``pulumi_commvault.commvault`` the Commvault API client they use (``CommvaultClient`` and
its errors are also importable from here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
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

if TYPE_CHECKING:
    from .backup_trigger.resource import DatabaseArgs, OracleBackupTrigger, OracleBackupTriggerArgs
    from .hooks import OracleBackupHook, oracle_backup_hook
    from .oracle_restore.resource import OracleRestore, OracleRestoreArgs

#: The resources import the Pulumi SDK; they load on first use, so the ``commvault-oracle``
#: command line and the client start without it.
_RESOURCES = {
    "DatabaseArgs": ".backup_trigger.resource",
    "OracleBackupTrigger": ".backup_trigger.resource",
    "OracleBackupTriggerArgs": ".backup_trigger.resource",
    "OracleBackupHook": ".hooks",
    "oracle_backup_hook": ".hooks",
    "OracleRestore": ".oracle_restore.resource",
    "OracleRestoreArgs": ".oracle_restore.resource",
}


def __getattr__(name: str) -> Any:
    if name in _RESOURCES:
        import importlib

        value = getattr(importlib.import_module(_RESOURCES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "OracleBackupHook",
    "OracleBackupTrigger",
    "OracleBackupTriggerArgs",
    "OracleRestore",
    "OracleRestoreArgs",
    "RateLimitedError",
    "ServerError",
    "TLSFailedError",
    "UnexpectedAnswerError",
    "WaitTimeoutError",
    "__version__",
    "oracle_backup_hook",
]
