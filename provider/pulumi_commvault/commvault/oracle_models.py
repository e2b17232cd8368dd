"""Answers of the Oracle reads a DBA makes: RMAN logs, backup pieces, an instance's id.

Shapes: Commvault's Terraform provider (``handler/OracleMsg.go``: ``MsgFetchRMANLogsResponse``,
``MsgOracleBackupPiece``, ``MsgOracleInstanceResp``). ``jobId``, ``backupLevel`` and the SCN
range of a piece are optional: not every CommServe may send them (docs/emulator.md).
"""

from __future__ import annotations

from pydantic import Field

from .models import _Answer

MAX_LOG_CHARS = 256 * 1024
"""The most of an RMAN log the client keeps: the head, where RMAN stops at its first error."""


class RmanLog(_Answer):
    """``GET Job/{id}/RMANLogs``."""

    log_content: str = ""
    error_string: str = ""


class BackupPiece(_Answer):
    """One ``backupPieces[]`` entry: a backup the instance can be restored from."""

    backup_piece_name: str = ""
    tag: str = ""
    start_time: int = 0
    end_time: int = 0
    backup_type: str = ""
    size: int = 0
    backup_level: str = ""
    job_id: int | None = None
    start_scn: int | None = Field(default=None, alias="startSCN")
    end_scn: int | None = Field(default=None, alias="endSCN")


class BackupPiecesResponse(_Answer):
    backup_pieces: list[BackupPiece] = Field(default_factory=list)


class OracleInstanceRef(_Answer):
    client_name: str = ""
    client_id: int = 0
    instance_name: str = ""
    instance_id: int = 0
    app_name: str = ""


class OracleInstanceProps(_Answer):
    instance: OracleInstanceRef


class OracleInstancesResponse(_Answer):
    """``GET instance?clientName=&appName=Oracle``."""

    instance_properties: list[OracleInstanceProps] = Field(default_factory=list)
