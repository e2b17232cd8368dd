"""``python -m pulumi_commvault.cli``: the same as ``commvault-oracle``."""

import sys

from . import main

sys.exit(main())
