"""The dynamic providers behind ``OracleBackupTrigger`` and ``OracleRestore``.

Their module path and class names are part of every stack's state (each provider is
pickled by reference as ``pulumi_commvault.provider.OracleBackupTriggerProvider`` or
``pulumi_commvault.provider.OracleRestoreProvider``): keep them stable. Each resource's
provider lives in its own module over the shared ``base``; the provider objects hold nothing
(the CommServe settings and the HTTP client live at module level in ``runtime.settings`` and
``runtime.connections``).
"""

from __future__ import annotations

from .backup import BackupTriggerCore, BackupTriggerError, OracleBackupTriggerProvider
from .base import PROVIDER_WORKERS, DynamicProvider, ResourceCore
from .restore import OracleRestoreProvider, RestoreCore, RestoreFailedError

# Pickled by reference under this module's path, as every earlier release did.
OracleBackupTriggerProvider.__module__ = __name__
OracleRestoreProvider.__module__ = __name__

__all__ = [
    "PROVIDER_WORKERS",
    "BackupTriggerCore",
    "BackupTriggerError",
    "DynamicProvider",
    "OracleBackupTriggerProvider",
    "OracleRestoreProvider",
    "ResourceCore",
    "RestoreCore",
    "RestoreFailedError",
]
