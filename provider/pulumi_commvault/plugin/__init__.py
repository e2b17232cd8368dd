"""The provider plugin ``pulumi-resource-commvault``: ``commvault:oracle:BackupTrigger`` and
``commvault:oracle:Restore`` for every Pulumi language (YAML, TypeScript, Go, C#, ...).

A second front end to the same cores as the dynamic ``OracleBackupTrigger`` and
``OracleRestore`` (``provider/``): ``server`` speaks the engine's provider protocol,
``marshal`` turns its ``Struct`` properties into the cores' plain dicts and back, ``schema``
describes the resources from their inputs' one declaration, ``engine_link`` carries log
lines to a resource's row and the engine's Cancel to the waits.
"""
