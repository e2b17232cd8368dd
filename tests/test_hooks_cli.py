"""``commvault-oracle status --urn URN`` finds the jobs ``oracle_backup_hook`` took for a
resource by their job description, over real HTTP to the emulator."""

from __future__ import annotations

from cli_support import document, quick_jobs_environment, run_cli
from commvault_emulator.process import EmulatorProcess
from emulator_support import start_backup, wait_for
from pulumi_commvault.commvault.pre_change import pre_change_text

URN = "urn:pulumi:dev::shop::pulumi-python:dynamic/example:SchemaMigration::schema"


def test_status_by_urn_shows_that_resources_pre_change_backups_only(
    emulator: EmulatorProcess,
) -> None:
    env = quick_jobs_environment(emulator)
    ours = [
        start_backup(emulator, description=f"{pre_change_text(URN, op)} [pulumi-commvault:x{i}]")
        for i, op in enumerate(("update", "delete"))
    ]
    start_backup(emulator, description=f"{pre_change_text(URN + '2', 'update')} [x]")
    start_backup(emulator, description="nightly")
    for job_id in ours:
        wait_for(emulator, job_id, "Completed")
    done = run_cli(env, "status", "--urn", URN, "--json")
    assert done.returncode == 0, done.stderr
    assert [j["job_id"] for j in document(done)["jobs"]] == ours


def test_status_by_urn_without_such_jobs_says_so(emulator: EmulatorProcess) -> None:
    env = quick_jobs_environment(emulator)
    start_backup(emulator, description="nightly")
    done = run_cli(env, "status", "--urn", URN)
    assert done.returncode == 7
    assert (
        done.stderr.strip()
        .splitlines()[0]
        .endswith(f"no pre-change backup of {URN} in the last 7 days")
    )


def test_status_needs_job_ids_or_a_urn_not_both(emulator: EmulatorProcess) -> None:
    env = quick_jobs_environment(emulator)
    neither = run_cli(env, "status")
    both = run_cli(env, "status", "3400891", "--urn", URN)
    assert (neither.returncode, both.returncode) == (2, 2)
    assert neither.stderr.strip().splitlines()[0].endswith("status: give JOB ids, or --urn URN")
    assert both.stderr.strip().splitlines()[0].endswith("give JOB ids or --urn URN, not both")
