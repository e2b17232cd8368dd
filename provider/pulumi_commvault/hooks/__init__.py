"""Pre-change backups the engine asks for: ``oracle_backup_hook`` makes Pulumi resource
hooks that back up Oracle databases before a bound resource is updated, replaced or
deleted, and wait until the backup finished well."""

from __future__ import annotations

from .binding import OracleBackupHook
from .factory import HookInputError, oracle_backup_hook
from .run import HookBackupFailed
from .support import HooksUnsupported

__all__ = [
    "HookBackupFailed",
    "HookInputError",
    "HooksUnsupported",
    "OracleBackupHook",
    "oracle_backup_hook",
]
