"""A CommServe REST API emulator for the Oracle backup slice of Commvault's API.

Run it with ``commvault-emulator`` or ``python -m commvault_emulator``; drive it from tests
with ``commvault_emulator.process.EmulatorProcess``. See ``docs/emulator.md``.
"""
