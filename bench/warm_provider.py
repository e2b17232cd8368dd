"""The dynamic provider process with ``pulumi_commvault`` imported before it serves.

Bench only, for the ``trigger-warm`` diagnostic of ``bench.trigger_overhead``: the stock
provider process imports ``pulumi_commvault`` (requests, pydantic and the models, about
0.35 s) when the engine's first call unpickles the provider, while the engine waits. Here
that import happens before the process prints its port, so the difference between
``trigger`` and ``trigger-warm`` in the resource phase is what the import costs a
``pulumi up``.

    <python> -u -m bench.warm_provider <engine args>   (through ``launcher``)
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pulumi_commvault.provider  # noqa: F401 - the import being moved up front


def launcher(directory: Path) -> Path:
    """An interpreter for ``PULUMI_PYTHON_CMD`` that runs this module instead of the code
    ``pulumi-resource-pulumi-python`` hands it (``-u -c <code>`` or ``-u -m pulumi.dynamic``)."""
    path = directory / "warm-python"
    path.write_text(
        "#!/bin/sh\n"
        'while [ "$1" = -u ]; do shift; done\n'
        'case "$1" in -c|-m) shift 2 ;; esac\n'
        f'exec "{sys.executable}" -u -m bench.warm_provider "$@"\n'
    )
    path.chmod(0o755)
    return path


if __name__ == "__main__":
    sys.argv[0] = "pulumi.dynamic"
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
