"""A failed or killed restore fails ``OracleRestore``'s create with the RMAN error of its
job in the one line, read once from ``GET Job/{id}/RMANLogs``."""

from __future__ import annotations

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import start_backup, wait_for
from pulumi_commvault.provider import OracleRestoreProvider, RestoreFailedError
from test_provider_restore import inputs, restore_jobs


@pytest.fixture
def restore_provider(provider_env: None, emulator: EmulatorProcess) -> OracleRestoreProvider:
    emulator.control.job_defaults(seconds=0.2)
    wait_for(emulator, start_backup(emulator), "Completed", timeout_s=10)
    emulator.control.clear_requests()
    return OracleRestoreProvider()


@pytest.mark.parametrize(
    ("outcome", "error", "expected"),
    [
        ("Failed", "ORA-19870: error while restoring backup piece", "ORA-19870: error while"),
        ("Killed", None, "ORA-01013: user requested cancel of current operation"),
    ],
)
def test_a_restore_that_did_not_complete_names_its_rman_error(
    restore_provider: OracleRestoreProvider,
    emulator: EmulatorProcess,
    outcome: str,
    error: str | None,
    expected: str,
) -> None:
    emulator.control.next_jobs(outcome=outcome, error=error)
    with pytest.raises(RestoreFailedError) as caught:
        restore_provider.create(restore_provider.check({}, inputs()).inputs)
    (job,) = restore_jobs(emulator)
    message = str(caught.value)
    assert f"restore job {job['jobId']} ended {outcome}: " in message
    assert f"RMAN log of job {job['jobId']}: RMAN-03009: failure of restore command" in message
    assert expected in message
    assert "\n" not in message
    assert emulator.control.count("RMANLogs") == 1
