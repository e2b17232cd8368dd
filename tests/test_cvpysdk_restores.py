"""cvpysdk 11.44, unmodified, restores through the emulator: ``OracleInstance.restore()``
latest, to a point in time and out of place (each browses with ``POST Instance/DBBrowse``
first), and the job reads a DBA makes next: task details, events, resubmit, last backup."""

from __future__ import annotations

from typing import Any

import pytest

from commvault_emulator.process import EmulatorProcess
from cvpysdk_support import (  # noqa: F401 (fixtures)
    cvpysdk_emulator,
    emulator_for_cvpysdk,
    not_found_paths,
    oracle_subclient,
    password_login,
)

pytestmark = pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")


def _backed_up(emulator: EmulatorProcess) -> tuple[Any, Any]:
    """(the ORCL instance, its finished full backup job), through cvpysdk."""
    subclient = oracle_subclient(password_login(emulator))
    job = subclient.backup("full")
    assert job.wait_for_completion() is True
    commcell = password_login(emulator)
    instance = commcell.clients.get("oradb01").agents.get("oracle").instances.get("ORCL")
    return instance, job


def _emulated_job(emulator: EmulatorProcess, job_id: str) -> dict[str, Any]:
    (restore,) = [j for j in emulator.control.jobs() if j["jobId"] == int(job_id)]
    return restore


def test_restore_latest_browses_then_restores_from_the_latest_backup(
    emulator: EmulatorProcess,
) -> None:
    instance, backup = _backed_up(emulator)

    job = instance.restore()

    assert job.wait_for_completion() is True
    assert "SYSTEM" in instance.tablespaces
    restore = _emulated_job(emulator, job.job_id)
    assert restore["jobType"] == "Restore"
    assert restore["restoredFrom"] == [str(backup.job_id)]
    assert emulator.control.count("DBBrowse") >= 1
    assert not_found_paths(emulator) == []


def test_restore_to_a_point_in_time_restores_the_backup_that_covers_it(
    emulator: EmulatorProcess,
) -> None:
    instance, backup = _backed_up(emulator)
    point = int(_emulated_job(emulator, backup.job_id)["endedAt"])

    job = instance.restore(oracle_options={"recoverFrom": 4, "recoverTime": {"time": point}})

    assert job.wait_for_completion() is True
    restore = _emulated_job(emulator, job.job_id)
    assert restore["restorePoint"]["kind"] == "time"
    assert restore["restorePoint"]["time"] == point
    assert restore["restoredFrom"] == [str(backup.job_id)]


def test_restore_out_of_place_runs_on_the_destination_instance(emulator: EmulatorProcess) -> None:
    instance, _backup = _backed_up(emulator)

    job = instance.restore(destination_client="oradb02", destination_instance="SALES")

    assert job.wait_for_completion() is True
    assert job.client_name == "oradb02"


def test_task_details_events_resubmit_and_last_backup_time(emulator: EmulatorProcess) -> None:
    _instance, backup = _backed_up(emulator)

    assert backup.task_details["associations"][0]["instanceName"] == "ORCL"
    assert [e["jobId"] for e in backup.get_events()] == [int(backup.job_id)] * 2
    again = backup.resubmit()
    assert int(again.job_id) > int(backup.job_id)
    assert again.wait_for_completion() is True
    subclient = oracle_subclient(password_login(emulator))
    assert subclient.last_backup_time != 0
    assert not_found_paths(emulator) == []
