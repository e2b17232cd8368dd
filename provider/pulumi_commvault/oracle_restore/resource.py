"""``OracleRestore``: a Commvault restore of an Oracle database, run by ``pulumi up``.

    staging = OracleRestore("refresh-staging",
        client_name="oradb01", instance_name="ORCL", latest=True,
        destination_client_name="oradb02", destination_instance_name="SALES",
        triggers=[week])

Creating the resource runs one restore job and, by default, waits for it. A change of the
restore (its point, source, destination, ``recover``, ``triggers``) runs it again; preview,
a no-op ``up``, ``refresh`` and ``destroy`` never start one. An in-place restore needs
``confirm_overwrite="<client>/<instance>"``; ``from_backup`` takes an ``OracleBackupTrigger``
(its recorded jobs, and the restore depends on it).

The class and its typed ``OracleRestoreArgs`` are generated from the inputs' declaration
into ``typed_api.py``.
"""

from __future__ import annotations

from ..typed_api import OracleRestore, OracleRestoreArgs

__all__ = ["OracleRestore", "OracleRestoreArgs"]
