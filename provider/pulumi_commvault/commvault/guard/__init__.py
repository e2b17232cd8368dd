"""The duplicate guard: one request, one job per database, never two (docs/duplicate-guard.md).

``rules`` decides over plain values; ``commvault.backups`` (listing, sends) and
``commvault.recognition`` (reading job details) are the I/O around it.
"""
