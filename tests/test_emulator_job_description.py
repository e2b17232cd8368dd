"""The switch that makes job summaries leave out ``jobDescription`` (flag and control plane)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import (
    api_session,
    cvpysdk_jobs_body,
    jobs_query,
    own_emulator,
    start_backup,
    summary,
)

MARKER = "pulumi-commvault marker 1234"


def _listed(emulator: EmulatorProcess) -> dict[str, object]:
    (job,) = jobs_query(emulator, cvpysdk_jobs_body())["jobs"]
    listed: dict[str, object] = job["jobSummary"]
    return listed


def _details(emulator: EmulatorProcess, job_id: str) -> dict[str, object]:
    answer = api_session().post(
        f"{emulator.url}/JobDetails", json={"jobId": int(job_id)}, timeout=10
    )
    general: dict[str, object] = answer.json()["job"]["jobDetail"]["generalInfo"]
    return general


def test_summaries_show_the_description_by_default(emulator: EmulatorProcess) -> None:
    job_id = start_backup(emulator, description=MARKER)

    assert summary(emulator, job_id)["jobDescription"] == MARKER
    assert _listed(emulator)["jobDescription"] == MARKER


def test_control_plane_switch_leaves_it_out_of_summaries_and_listings(
    emulator: EmulatorProcess,
) -> None:
    job_id = start_backup(emulator, description=MARKER)

    emulator.control.job_defaults(omit_job_description=True)

    assert "jobDescription" not in summary(emulator, job_id)
    assert "jobDescription" not in _listed(emulator)
    assert "jobDescription" not in emulator.control.jobs()[0]["jobSummary"]
    assert _details(emulator, job_id)["description"] == MARKER


def test_the_switch_turns_back_off_and_reset_restores_the_default(
    emulator: EmulatorProcess,
) -> None:
    job_id = start_backup(emulator, description=MARKER)
    emulator.control.job_defaults(omit_job_description=True)
    emulator.control.job_defaults(omit_job_description=False)
    assert summary(emulator, job_id)["jobDescription"] == MARKER

    emulator.control.job_defaults(omit_job_description=True)
    emulator.control.reset()

    assert summary(emulator, start_backup(emulator))["jobDescription"] == ""


@pytest.fixture(scope="module")
def omitting() -> Iterator[EmulatorProcess]:
    yield from own_emulator("--omit-job-description", job_seconds=0.2)


def test_command_line_flag_leaves_it_out_from_the_start(omitting: EmulatorProcess) -> None:
    omitting.control.reset()
    job_id = start_backup(omitting, description=MARKER)

    assert "jobDescription" not in summary(omitting, job_id)
    assert "jobDescription" not in _listed(omitting)


def test_the_details_switch_leaves_it_out_of_job_details_too(emulator: EmulatorProcess) -> None:
    job_id = start_backup(emulator, description=MARKER)

    emulator.control.job_defaults(omit_job_description=True, omit_details_description=True)

    assert "jobDescription" not in summary(emulator, job_id)
    assert "description" not in _details(emulator, job_id)
    emulator.control.reset()
    assert _details(emulator, start_backup(emulator, description=MARKER))["description"] == MARKER


def test_the_details_switch_takes_only_true_or_false(emulator: EmulatorProcess) -> None:
    answer = api_session().post(
        f"{emulator.control.root_url}/_emulator/jobs/defaults",
        json={"omit_details_description": "yes"},
        timeout=10,
    )

    assert answer.status_code == 400
    assert "omit_details_description must be true or false" in answer.text


@pytest.fixture(scope="module")
def omitting_everywhere() -> Iterator[EmulatorProcess]:
    yield from own_emulator(
        "--omit-job-description", "--omit-job-details-description", job_seconds=0.2
    )


def test_both_flags_leave_it_out_of_summaries_and_details_from_the_start(
    omitting_everywhere: EmulatorProcess,
) -> None:
    job_id = start_backup(omitting_everywhere, description=MARKER)

    assert "jobDescription" not in summary(omitting_everywhere, job_id)
    assert "description" not in _details(omitting_everywhere, job_id)
