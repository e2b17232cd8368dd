"""``OracleRestore``: restore an Oracle database from its Commvault backups."""
