"""``--rate-limit reads=R,writes=W,period=S``: a tenant's budgets, 429s and their counters."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from commvault_emulator.process import EmulatorProcess
from emulator_support import api_session, backup_body, own_emulator, refused_flags

READS, WRITES, PERIOD = 4, 2, 60


@pytest.fixture(scope="module")
def limited_process() -> Iterator[EmulatorProcess]:
    flags = f"reads={READS},writes={WRITES},period={PERIOD}"
    yield from own_emulator("--rate-limit", flags, job_seconds=0.1)


@pytest.fixture
def limited(limited_process: EmulatorProcess) -> EmulatorProcess:
    limited_process.control.reset()
    return limited_process


def _read(emulator: EmulatorProcess) -> requests.Response:
    return api_session().get(f"{emulator.url}/Job/1", timeout=10)


def _write(emulator: EmulatorProcess) -> requests.Response:
    return api_session().post(f"{emulator.url}/CreateTask", json=backup_body(), timeout=10)


def test_rate_limit_is_off_by_default(emulator: EmulatorProcess) -> None:
    answers = [_read(emulator).status_code for _ in range(30)]

    assert set(answers) == {200}
    assert emulator.control.rate_limit()["enabled"] is False


def test_reads_past_the_budget_get_429_with_the_documented_headers(
    limited: EmulatorProcess,
) -> None:
    assert [_read(limited).status_code for _ in range(READS)] == [200] * READS

    refused = _read(limited)

    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == str(READS)
    assert refused.headers["X-RateLimit-Period"] == str(PERIOD)
    assert 1 <= int(refused.headers["Retry-After"]) <= PERIOD
    assert refused.json() == {"errorCode": 429, "errorMessage": "Too Many Requests"}
    counters = limited.control.rate_limit()["reads"]
    assert (counters["limit"], counters["used"], counters["rejected"]) == (READS, READS, 1)


def test_writes_have_their_own_budget(limited: EmulatorProcess) -> None:
    for _ in range(READS):
        _read(limited)
    assert _read(limited).status_code == 429

    writes = [_write(limited) for _ in range(WRITES + 1)]

    assert [w.status_code for w in writes] == [200] * WRITES + [429]
    assert writes[-1].headers["X-RateLimit-Limit"] == str(WRITES)
    assert len(limited.control.jobs()) == WRITES
    counters = limited.control.rate_limit()
    assert (counters["writes"]["used"], counters["writes"]["rejected"]) == (WRITES, 1)
    assert counters["reads"]["rejected"] == 1


def test_refused_calls_show_in_the_request_log(limited: EmulatorProcess) -> None:
    for _ in range(READS + 2):
        _read(limited)

    logged = [(r["status"], r["fault"]) for r in limited.control.requests()]

    assert logged[-2:] == [(429, "rate_limit"), (429, "rate_limit")]


def test_resetting_the_counters_lets_calls_through_again(limited: EmulatorProcess) -> None:
    for _ in range(READS):
        _read(limited)
    assert _read(limited).status_code == 429

    counters = limited.control.reset_rate_limit()

    assert (counters["reads"]["used"], counters["reads"]["rejected"]) == (0, 0)
    assert _read(limited).status_code == 200


def test_the_budget_refills_after_the_period(emulator: EmulatorProcess) -> None:
    emulator.control.set_rate_limit(reads=1, writes=1, period=0.5)
    assert [_read(emulator).status_code for _ in range(2)] == [200, 429]

    time.sleep(0.6)

    assert _read(emulator).status_code == 200


def test_control_plane_turns_the_limit_on_and_off(emulator: EmulatorProcess) -> None:
    shown = emulator.control.set_rate_limit(reads=1, writes=5, period=30)
    assert (shown["enabled"], shown["period_seconds"], shown["reads"]["limit"]) == (True, 30, 1)
    assert [_read(emulator).status_code for _ in range(2)] == [200, 429]

    emulator.control.clear_rate_limit()

    assert _read(emulator).status_code == 200
    assert emulator.control.rate_limit()["enabled"] is False


def test_reset_restores_the_command_line_budgets(limited: EmulatorProcess) -> None:
    limited.control.clear_rate_limit()
    limited.control.reset()

    assert limited.control.rate_limit()["reads"]["limit"] == READS


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("reads=x,writes=1,period=1", "reads must be a whole number"),
        ("reads=1,writes=1", "period missing"),
        ("reads=1,writes=1,period=0", "period must be a number of seconds > 0"),
        ("reads=1,writes=1,period=5,burst=3", "'burst=3' is not reads=N"),
    ],
)
def test_a_bad_rate_limit_flag_is_refused_naming_the_part(value: str, message: str) -> None:
    assert message in refused_flags("--rate-limit", value)
