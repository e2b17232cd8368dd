"""``OracleBackupTrigger``: its inputs (declared once, in ``inputs``), state and resource."""
