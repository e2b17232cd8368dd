"""Twins: two requests of this machine back up the same database. One job, one request: a job
is adopted (and recorded) for at most one of them, even when both CreateTask answers are
lost where no job description shows."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import start_backup as start_outside_job
from emulator_support import wait_for
from guard_support import adopt_running_or_good, backup, new_process_start, no_sleep
from pulumi_commvault.commvault.backups import MarkedJobIndex, start_backup
from pulumi_commvault.commvault.client import CommvaultClient
from pulumi_commvault.commvault.errors import CommvaultError, UnrecognisedJobsError
from pulumi_commvault.commvault.guard.rules import NO_DECISIONS, JobDecisions
from pulumi_commvault.commvault.journal import SendJournal


@pytest.fixture
def nowhere(emulator: EmulatorProcess) -> EmulatorProcess:
    emulator.control.job_defaults(
        seconds=30, omit_job_description=True, omit_details_description=True
    )
    return emulator


def twins_at_once(
    client: CommvaultClient,
    journal: SendJournal,
    markers: tuple[str, str],
    decisions: JobDecisions = NO_DECISIONS,
) -> dict[str, str | CommvaultError]:
    """Both requests started side by side, as one provider process runs two resources."""
    index = MarkedJobIndex(notice=lambda _text: None)
    ends: dict[str, str | CommvaultError] = {}

    def run(marker: str) -> None:
        try:
            [job] = start_backup(
                client,
                backup(marker),
                adoptable=adopt_running_or_good,
                index=index,
                journal=journal,
                decisions=decisions,
                sleep=no_sleep,
            )
            ends[marker] = f"{job.job_id}{' adopted' if job.adopted else ''}"
        except CommvaultError as exc:
            ends[marker] = exc

    threads = [threading.Thread(target=run, args=(m,)) for m in markers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ends


@pytest.mark.parametrize(
    ("lost", "markers"),
    [
        pytest.param(2, ("twin-a", "twin-b"), id="both answers lost: each adopts its own job"),
        pytest.param(1, ("one-a", "one-b"), id="one answer lost: no stop"),
    ],
)
def test_lost_answers_each_twin_ends_with_its_own_job(
    fast_client: CommvaultClient,
    nowhere: EmulatorProcess,
    tmp_path: Path,
    lost: int,
    markers: tuple[str, str],
) -> None:
    nowhere.control.inject("CreateTask", "lose_answer", count=lost)
    journal = SendJournal(tmp_path / "state")

    ends = twins_at_once(fast_client, journal, markers)

    jobs = {str(j["jobId"]) for j in nowhere.control.jobs()}
    assert len(jobs) == 2
    assert sorted(str(e).split()[0] for e in ends.values()) == sorted(jobs)
    assert nowhere.control.count("CreateTask") == 2  # one send a twin, none again


def test_a_rerun_of_twins_whose_answers_were_lost_adopts_one_job_each_without_asking(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, tmp_path: Path
) -> None:
    # What a first run that lost both answers leaves: each twin's send recorded without an
    # answer, and the two jobs the sends started, in send order.
    journal = SendJournal(tmp_path / "state")
    orcl = ["oradb01/orcl/default"]
    url = fast_client.base_url
    for marker in ("rerun-a", "rerun-b"):
        sent_at = time.time()
        journal.request(url, marker, orcl).record_send(sent_at, timeout_s=35)
        start_outside_job(nowhere)
        journal.request(url, marker, orcl).record_send_end(sent_at)
    first, second = sorted(str(j["jobId"]) for j in nowhere.control.jobs())

    rerun = SendJournal(tmp_path / "state")  # a new process: read from the directory
    [b] = new_process_start(fast_client, backup("rerun-b"), journal=rerun)
    [a] = new_process_start(fast_client, backup("rerun-a"), journal=rerun)

    assert (a, b) == (f"{first} adopted", f"{second} adopted")
    assert len(nowhere.control.jobs()) == 2


def test_one_job_named_to_adopt_for_both_twins_goes_to_one_and_the_other_is_not_offered_it(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, tmp_path: Path
) -> None:
    named, other = start_outside_job(nowhere), start_outside_job(nowhere)
    journal = SendJournal(tmp_path / "state")

    ends = twins_at_once(
        fast_client, journal, ("named-a", "named-b"), JobDecisions(adopt=frozenset({named}))
    )

    adopted = [e for e in ends.values() if isinstance(e, str)]
    [stopped] = [e for e in ends.values() if isinstance(e, UnrecognisedJobsError)]
    assert adopted == [f"{named} adopted"]
    assert stopped.job_ids == [other]  # the job the twin holds is never offered again
    assert nowhere.control.count("CreateTask") == 2  # the two outside jobs only


def test_twins_that_cannot_tell_stop_with_one_advice_that_gives_each_its_own_job(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, tmp_path: Path
) -> None:
    nowhere.control.job_defaults(seconds=0.2)
    stranger = start_outside_job(nowhere)  # just before: a third job in both windows,
    wait_for(nowhere, stranger, "Completed")  # finished, so no first look stops at it
    nowhere.control.job_defaults(seconds=30)
    # Each answer is held 2 s before it is lost, so both sends are surely in flight together
    # (on a loaded machine one twin could otherwise look before the other has sent).
    nowhere.control.inject("CreateTask", "lose_answer", count=2, delay_seconds=2.0)
    journal = SendJournal(tmp_path / "state")

    stops = twins_at_once(fast_client, journal, ("stuck-a", "stuck-b"))

    assert all(isinstance(e, UnrecognisedJobsError) for e in stops.values())
    advice = {tuple(e.suggested) for e in stops.values() if isinstance(e, UnrecognisedJobsError)}
    [suggested] = advice  # both stops give the same advice
    assert stranger not in suggested
    assert len(suggested) == 2

    again = twins_at_once(
        fast_client,
        SendJournal(tmp_path / "state"),  # the re-run: a new process on the same machine
        ("stuck-a", "stuck-b"),
        JobDecisions(adopt=frozenset(suggested)),
    )

    assert sorted(str(e) for e in again.values()) == sorted(f"{j} adopted" for j in suggested)
    assert nowhere.control.count("CreateTask") == 3  # the stranger's and one per twin
