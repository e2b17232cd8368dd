"""The duplicate guard: one request, one job per database, never two (docs/duplicate-guard.md).
``rules`` decides over plain values; ``listing``, ``search`` and ``start`` are the I/O."""
