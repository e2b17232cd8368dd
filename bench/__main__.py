"""Every bench in turn, then ``docs/performance.md``: ``.venv/bin/python -m bench``.

Each bench can be run on its own: ``python -m bench.<name>``; see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import time

from . import (
    api_economy,
    emulator_capacity,
    emulator_history,
    fleet_snapshot,
    plugin_overhead,
    provider_memory,
    report,
    trigger_overhead,
)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    benches = [trigger_overhead, plugin_overhead, fleet_snapshot, api_economy, provider_memory]
    benches.append(emulator_history)
    benches.append(emulator_capacity)  # last: it compares with the others' request rates
    started = time.monotonic()
    for bench in benches:
        print(f"\n=== {bench.__name__} ===", flush=True)
        bench.main([])
    report.main()
    print(f"all benches: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
