"""A refused connection: at once before the CommServe ever answered, retried once it has.

Before the first answer, a refused connection (or a host name that does not resolve) means
a wrong ``url`` or a CommServe that is down: the user hears it at once instead of after a
minute of backoff. After an answer, the same failure is a CommServe restarting, and the
client waits for it. Both are shown by bringing a CommServe up on the port while the
client's backoff runs.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import EMULATOR_TOKEN
from pulumi_commvault import CommvaultClient, ConnectionFailedError
from pulumi_commvault.commvault.transport import RetryPolicy

#: Backoffs of 0.5, 1, 2 and 4 s: 7.5 s in which a CommServe started on the port is found.
PATIENT = RetryPolicy(attempts=4, backoff_factor_s=0.5, backoff_max_s=4.0, jitter_s=0.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def emulator_on(port: int) -> EmulatorProcess:
    return EmulatorProcess(token=EMULATOR_TOKEN, extra_args=["--port", str(port)])


@pytest.fixture
def started_later() -> Iterator[list[EmulatorProcess]]:
    """Emulators a test starts in the background; all stopped at the end."""
    started: list[EmulatorProcess] = []
    yield started
    for process in started:
        process.stop()


def start_in_background(port: int, started: list[EmulatorProcess]) -> threading.Thread:
    def start() -> None:
        started.append(emulator_on(port).start())

    thread = threading.Thread(target=start)
    thread.start()
    return thread


def test_a_refused_connection_before_the_commserve_ever_answered_is_not_retried(started_later):
    port = free_port()
    client = CommvaultClient(
        f"http://127.0.0.1:{port}/commandcenter/api", token=EMULATOR_TOKEN, retry=PATIENT
    )
    starting = start_in_background(port, started_later)
    try:
        with pytest.raises(ConnectionFailedError, match="Connection refused") as caught:
            client.who_am_i()
    finally:
        starting.join()
    assert not caught.value.request_sent
    # Had it retried, it would have found the emulator that came up meanwhile.
    assert client.who_am_i()


def test_an_unknown_host_name_is_not_retried_either():
    client = CommvaultClient(
        "http://no-such-commserve.invalid/commandcenter/api", token="t0k3n-x", retry=PATIENT
    )
    with pytest.raises(ConnectionFailedError, match="Failed to resolve") as caught:
        client.who_am_i()
    assert not caught.value.request_sent


def test_a_refused_connection_after_the_commserve_answered_is_retried_until_it_is_back(
    started_later,
):
    port = free_port()
    first = emulator_on(port).start()
    client = CommvaultClient(first.url, token=EMULATOR_TOKEN, retry=PATIENT)
    try:
        assert client.who_am_i()
    finally:
        first.stop()

    starting = start_in_background(port, started_later)
    try:
        assert client.who_am_i()  # refused at first, then the restarted CommServe answers
    finally:
        starting.join()
