"""``python -m pulumi_commvault.plugin``: the same as ``pulumi-resource-commvault``."""

from .server import main

main()
