"""Never a duplicate where the CommServe's job listings show no job description.

The emulator leaves ``jobDescription`` out of job summaries (``omit_job_description``), and
also out of job details (``omit_details_description``): the two CommServes the duplicate
guard must also be right on. Each test ends with a count of the jobs the emulator holds.
"""

from __future__ import annotations

import time

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import start_backup as start_outside_job
from emulator_support import wait_for
from guard_support import SALES, backup, new_process_start, no_sleep
from pulumi_commvault.commvault.backups import (
    JobDecisions,
    MarkedJobIndex,
    start_backup,
)
from pulumi_commvault.commvault.client import CommvaultClient
from pulumi_commvault.commvault.errors import UnrecognisedJobsError
from pulumi_commvault.commvault.guard import rules
from pulumi_commvault.commvault.guard.listing import Visibility
from pulumi_commvault.commvault.guard.rules import fits
from pulumi_commvault.commvault.models import JobSummary, SubclientEntity
from pulumi_commvault.commvault.restore_models import RestorePoint
from pulumi_commvault.commvault.restores import Instance, RestoreRequest, start_restore


def hide_descriptions(emulator: EmulatorProcess, *, in_details_too: bool) -> None:
    emulator.control.job_defaults(
        omit_job_description=True, omit_details_description=in_details_too
    )


def job_count(emulator: EmulatorProcess) -> int:
    return len(emulator.control.jobs())


@pytest.mark.parametrize("in_details_too", [False, True], ids=["listings", "everywhere"])
def test_a_lost_create_task_answer_adopts_the_job_it_started(
    fast_client: CommvaultClient, emulator: EmulatorProcess, in_details_too: bool
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=in_details_too)
    emulator.control.inject("CreateTask", "lose_answer")

    [job] = new_process_start(fast_client, backup("lost-1"))

    [listed] = emulator.control.jobs()
    assert job == f"{listed['jobId']} adopted"
    assert emulator.control.count("CreateTask") == 1


def test_where_listings_hide_descriptions_a_rerun_adopts_the_job_by_its_details(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=False)
    [first] = new_process_start(fast_client, backup("rerun-1"))
    start_outside_job(emulator)  # same database, level and user, no marker

    [again] = new_process_start(fast_client, backup("rerun-1"))

    assert again == f"{first} adopted"
    assert emulator.control.count("CreateTask") == 2  # ours once, and the outside job
    assert job_count(emulator) == 2


def test_where_listings_hide_descriptions_a_rerun_of_another_request_starts_its_own_job(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=False)
    [first] = new_process_start(fast_client, backup("request-a"))

    [other] = new_process_start(fast_client, backup("request-b"))

    assert not other.endswith("adopted")
    assert other != first
    assert job_count(emulator) == 2


def test_where_no_description_shows_a_lost_answer_adopts_the_one_job_started_in_its_window(
    fast_client: CommvaultClient, emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "CLOCK_SKEW_S", 0)  # clocks agree: the emulator is local
    emulator.control.job_defaults(seconds=0.2)
    hide_descriptions(emulator, in_details_too=True)
    earlier = start_outside_job(emulator)  # same database, level and user, before the send
    wait_for(emulator, earlier, "Completed", timeout_s=10)
    time.sleep(2.1)  # job start times are whole seconds
    emulator.control.job_defaults(seconds=5)
    emulator.control.inject("CreateTask", "lose_answer")
    # Before the send, the earlier job could be an interrupted run's: the user said it is not.
    decided = JobDecisions(start_new=frozenset({"window-1"}))

    [job] = new_process_start(fast_client, backup("window-1"), decisions=decided)

    assert job.endswith(" adopted")
    assert not job.startswith(earlier)
    assert emulator.control.count("CreateTask") == 2  # the outside job's, and ours once
    assert job_count(emulator) == 2


def test_where_no_description_shows_two_jobs_in_a_lost_answers_window_stop_it_naming_both(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=True)
    outside = start_outside_job(emulator)  # same database, level and user, just before
    emulator.control.inject("CreateTask", "lose_answer")
    # Before the send, the outside job could be an interrupted run's: the user said it is not.
    decided = JobDecisions(start_new=frozenset({"two-1"}))

    with pytest.raises(UnrecognisedJobsError) as stopped:
        new_process_start(fast_client, backup("two-1"), decisions=decided)

    ids = {str(job["jobId"]) for job in emulator.control.jobs()}
    assert outside in ids
    assert len(ids) == 2
    assert set(stopped.value.job_ids) == ids
    message = str(stopped.value)
    assert message.startswith("Job ")
    assert "more than one such job started while the request was being sent" in message
    for job_id in ids:
        assert f"job {job_id}: backup full of oradb01/orcl/default, " in message.lower()
    assert emulator.control.count("CreateTask") == 2  # never sent again


def test_where_no_description_shows_a_rerun_stops_naming_the_job_it_cannot_tell(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=True)
    [first] = new_process_start(fast_client, backup("thin-1"))

    with pytest.raises(UnrecognisedJobsError) as stopped:
        new_process_start(fast_client, backup("thin-1"))

    assert stopped.value.job_ids == [first]
    assert stopped.value.marker == "thin-1"
    assert "this machine has no record of an earlier run sending this request" in str(stopped.value)
    assert ", by admin" in str(stopped.value)
    assert job_count(emulator) == 1


def test_a_rerun_told_to_adopt_the_job_adopts_it(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=True)
    [first] = new_process_start(fast_client, backup("adopt-1"))

    decided = JobDecisions(adopt=frozenset({first}))
    [again] = new_process_start(fast_client, backup("adopt-1"), decisions=decided)

    assert again == f"{first} adopted"
    assert job_count(emulator) == 1


def test_a_rerun_told_to_start_anew_starts_one_job(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=True)
    [first] = new_process_start(fast_client, backup("anew-1"))

    decided = JobDecisions(start_new=frozenset({"anew-1"}))
    [again] = new_process_start(fast_client, backup("anew-1"), decisions=decided)

    assert not again.endswith("adopted")
    assert again != first
    assert job_count(emulator) == 2


def test_a_rerun_after_a_failed_job_takes_a_new_backup_without_asking(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=0.2, outcome="Failed")
    hide_descriptions(emulator, in_details_too=True)
    [failed] = new_process_start(fast_client, backup("failed-1"))
    wait_for(emulator, failed, "Failed", timeout_s=10)
    emulator.control.job_defaults(outcome="Completed")

    [again] = new_process_start(fast_client, backup("failed-1"))

    assert again != failed
    assert not again.endswith("adopted")
    assert job_count(emulator) == 2


def test_jobs_of_the_resources_earlier_backups_and_other_levels_are_never_candidates(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=True)
    [earlier] = new_process_start(fast_client, backup("earlier-1"))
    new_process_start(fast_client, backup("incremental-1", level="Incremental"))
    new_process_start(fast_client, backup("sales-1", SALES))

    [job] = new_process_start(fast_client, backup("next-1"), exclude=[earlier])

    assert not job.endswith("adopted")
    assert job_count(emulator) == 4


def test_what_every_summary_carries_decides_whether_a_job_could_be_the_requests() -> None:
    request = backup("fits-1")
    entity = SubclientEntity(client_name="ORADB01", instance_name="orcl", subclient_name="")

    def job(**fields: object) -> JobSummary:
        shown = {"job_type": "Backup", "backup_level_name": "Full", "subclient": entity}
        return JobSummary.model_validate({"job_id": 1, "status": "Running", **shown, **fields})

    assert fits(request, job(userName={"userName": "admin"}), "Admin")
    assert fits(request, job(), "admin")  # no user shown: not ruled out
    assert not fits(request, job(userName={"userName": "dba2"}), "admin")
    assert not fits(request, job(backup_level_name="Incremental"), "admin")
    assert not fits(request, job(job_type="Restore"), "admin")
    other = SubclientEntity(client_name="oradb01", instance_name="ORCL", subclient_name="arch")
    assert not fits(request, job(subclient=other), "admin")


@pytest.mark.parametrize(
    ("hide", "state", "noticed"),
    [
        ({}, Visibility.LISTINGS, None),
        ({"in_details_too": False}, Visibility.DETAILS, None),
        (
            {"in_details_too": True},
            Visibility.NOWHERE,
            "shows no job descriptions, in job listings or job details",
        ),
    ],
    ids=["shown", "listings", "everywhere"],
)
def test_the_first_job_a_process_starts_is_read_back_once_to_learn_where_markers_show(
    client: CommvaultClient,
    emulator: EmulatorProcess,
    hide: dict[str, bool],
    state: Visibility,
    noticed: str | None,
) -> None:
    emulator.control.job_defaults(seconds=5)
    if hide:
        hide_descriptions(emulator, **hide)
    notices: list[str] = []
    index = MarkedJobIndex(notice=notices.append)

    for n in range(3):
        start_backup(client, backup(f"seen-{n}"), adoptable=lambda _s: True, index=index)

    assert index.visibility.state is state
    assert emulator.control.count("Job") == 1  # the one read-back, GET Job/{id}
    assert emulator.control.count("JobDetails") == (0 if not hide else 1)
    if noticed is None:
        assert notices == []
    else:
        [notice] = notices
        assert noticed in notice
        assert emulator.url in notice


@pytest.fixture
def backed_up(emulator: EmulatorProcess) -> str:
    """A finished backup of oradb01/ORCL, the restores' source."""
    emulator.control.job_defaults(seconds=0.2)
    job_id = start_outside_job(emulator)
    wait_for(emulator, job_id, "Completed", timeout_s=10)
    return job_id


def restore_onto_sales(marker: str) -> RestoreRequest:
    return RestoreRequest(
        Instance("oradb01", "ORCL"), Instance("oradb02", "SALES"), RestorePoint(), marker=marker
    )


@pytest.mark.usefixtures("backed_up")
def test_where_listings_hide_descriptions_a_rerun_of_a_restore_adopts_its_job(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=False)
    first = start_restore(fast_client, restore_onto_sales("r-rerun-1"), index=MarkedJobIndex())

    again = start_restore(fast_client, restore_onto_sales("r-rerun-1"), index=MarkedJobIndex())

    assert (again.job_id, again.adopted) == (first.job_id, True)
    assert job_count(emulator) == 2  # the backup, and one restore


@pytest.mark.usefixtures("backed_up")
def test_where_no_description_shows_a_rerun_of_a_restore_stops_naming_its_job(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=True)
    first = start_restore(fast_client, restore_onto_sales("r-thin-1"), index=MarkedJobIndex())

    with pytest.raises(UnrecognisedJobsError) as stopped:
        start_restore(fast_client, restore_onto_sales("r-thin-1"), index=MarkedJobIndex())

    assert stopped.value.job_ids == [first.job_id]
    assert str(stopped.value).startswith(f"Job {first.job_id}: Restore of oradb02/SALES")
    assert job_count(emulator) == 2  # the backup, and one restore


@pytest.mark.usefixtures("backed_up")
def test_where_no_description_shows_a_restores_lost_answer_adopts_its_job(
    fast_client: CommvaultClient, emulator: EmulatorProcess
) -> None:
    emulator.control.job_defaults(seconds=5)
    hide_descriptions(emulator, in_details_too=True)
    emulator.control.inject("CreateTask", "lose_answer")

    job = start_restore(fast_client, restore_onto_sales("r-lost-1"), sleep=no_sleep)

    [listed] = [j for j in emulator.control.jobs() if j["jobType"] == "Restore"]
    assert (job.job_id, job.adopted) == (str(listed["jobId"]), True)
    assert emulator.control.count("CreateTask") == 2  # the backup's, and the restore's once
