"""``python -m commvault_emulator``: the same as the ``commvault-emulator`` command."""

from commvault_emulator.cli import main

raise SystemExit(main())
