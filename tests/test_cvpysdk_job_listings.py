"""cvpysdk 11.44's ``JobController`` and client list against a busy CommServe's history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commvault_emulator.process import EmulatorProcess
from cvpysdk_support import not_found_paths, password_login
from emulator_support import own_emulator

pytestmark = pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")


@pytest.fixture(scope="module")
def busy() -> Iterator[EmulatorProcess]:
    yield from own_emulator("--history-jobs", "2000", "--history-clients", "12")


def test_cvpysdk_sees_every_history_client_and_the_hypervisors(busy: EmulatorProcess) -> None:
    clients = password_login(busy).clients

    assert len(clients.all_clients) == 3 + 12
    assert set(clients._virtualization_clients) == {"vmw0001", "vmw0002", "vmw0003"}
    assert clients.get("sql0001").agents.all_agents == {"sql server": "81"}
    assert not_found_paths(busy) == []


def test_job_controller_lists_pages_of_the_history(busy: EmulatorProcess) -> None:
    controller = password_login(busy).job_controller

    finished = controller.finished_jobs(lookup_time=48, limit=100)
    active = controller.active_jobs()
    one_client = controller.all_jobs(client_name="fs0001", limit=5)

    assert len(finished) == 100
    assert sorted(finished, reverse=True) == list(finished)
    assert active
    assert {job["status"] for job in active.values()} <= {"Running", "Waiting"}
    assert len(one_client) == 5
    assert {job["client_name"] for job in one_client.values()} == {"fs0001"}
