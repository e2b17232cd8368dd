"""The emulated databases' SCN: rising steadily with time, as a busy database's does."""

from __future__ import annotations

SCN_PER_SECOND = 40
SCN_EPOCH = 1_700_000_000.0
SCN_BASE = 2_150_000


def scn_at(epoch: float) -> int:
    """The SCN at an instant (epoch seconds)."""
    return SCN_BASE + int(max(0.0, epoch - SCN_EPOCH) * SCN_PER_SECOND)
