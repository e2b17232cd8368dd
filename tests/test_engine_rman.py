"""A backup the fault control fails fails `pulumi up` (the real CLI) with the RMAN error in
the resource's one line: the first RMAN- and ORA- errors of the failed job's RMAN log."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from commvault_emulator.state import FIRST_JOB_ID
from engine_support import BackupProgram, first_diagnostic

pytestmark = pytest.mark.engine

CHOSEN = "ORA-19502: write error on file, block number 128 (blocksize=8192)"


def test_a_failed_backup_fails_up_with_its_rman_error_in_one_line(deployer, emulator) -> None:
    emulator.control.next_jobs(outcome="Failed", error=CHOSEN)
    deployment = deployer(BackupProgram())

    with pytest.raises(auto.CommandError) as caught:
        deployment.up()

    message = first_diagnostic(deployment.text + "\n" + str(caught.value), "snap")
    assert message.startswith("Oracle backup of oradb01/ORCL/default: "), message
    # Jobs below FIRST_JOB_ID are a busy CommServe's history (COMMVAULT_TEST_HISTORY_JOBS).
    [job] = [j for j in emulator.control.jobs() if j["jobId"] >= FIRST_JOB_ID]
    rman = f"RMAN log of job {job['jobId']}: RMAN-03009: failure of backup command on ch1 channel"
    assert rman in message
    assert CHOSEN in message.split(rman, 1)[1]
    assert "\n" not in message
    assert emulator.control.count("RMANLogs") == 1
