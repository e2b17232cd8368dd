"""The provider widens the thread pool it runs on, so it serves more than 4 calls at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from pulumi_commvault.sdk_internals import widen_current_pool


def test_a_pool_widened_from_inside_runs_more_calls_at_once_than_its_limit():
    together = threading.Barrier(8, timeout=10)
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert pool.submit(widen_current_pool, 8).result() is True
        # Eight calls that each wait for the other seven: they pass only if all run at once.
        calls = [pool.submit(together.wait) for _ in range(8)]
        assert sorted(call.result() for call in calls) == list(range(8))


def test_outside_a_pool_thread_nothing_is_widened():
    assert widen_current_pool(8) is False


def test_a_pool_is_never_narrowed():
    with ThreadPoolExecutor(max_workers=32) as pool:
        assert pool.submit(widen_current_pool, 8).result() is True
        assert pool._max_workers == 32
