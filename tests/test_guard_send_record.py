"""This machine's record of what it sent: a re-run's evidence where no job description shows.

The emulator shows descriptions nowhere (``omit_job_description`` and
``omit_details_description``). Each test ends with a count of the jobs the emulator holds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from unittest.mock import ANY

import pytest

from commvault_emulator.process import EmulatorProcess
from emulator_support import association, wait_for
from emulator_support import start_backup as start_outside_job
from guard_support import ORCL, SALES, backup, new_process_start
from pulumi_commvault.commvault.backups import JobDecisions
from pulumi_commvault.commvault.client import CommvaultClient
from pulumi_commvault.commvault.errors import (
    InvalidRequestError,
    UnknownDecisionError,
    UnrecognisedJobsError,
)
from pulumi_commvault.commvault.journal import SendJournal


@pytest.fixture
def nowhere(emulator: EmulatorProcess) -> EmulatorProcess:
    emulator.control.job_defaults(
        seconds=30, omit_job_description=True, omit_details_description=True
    )
    return emulator


@pytest.fixture
def journal(tmp_path: Path) -> SendJournal:
    return SendJournal(tmp_path / "state")


def test_a_rerun_on_the_machine_that_sent_the_request_adopts_its_job(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    [first] = new_process_start(fast_client, backup("again-1"), journal=journal)

    [again] = new_process_start(fast_client, backup("again-1"), journal=journal)

    assert again == f"{first} adopted"
    assert [s.job_ids for s in journal.request(fast_client.base_url, "again-1").sends()] == [
        (first,)
    ]
    assert len(nowhere.control.jobs()) == 1


def test_a_send_cut_off_by_a_killed_process_lets_its_rerun_adopt_the_job_started_meanwhile(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    # What a process killed mid-send leaves: a send recorded, no answer, and the job it started.
    journal.request(fast_client.base_url, "killed-1").record_send(time.time(), timeout_s=35)
    started_meanwhile = start_outside_job(nowhere)

    [again] = new_process_start(fast_client, backup("killed-1"), journal=journal)

    assert again == f"{started_meanwhile} adopted"
    assert len(nowhere.control.jobs()) == 1


def test_a_new_request_starts_its_job_beside_finished_jobs_it_cannot_tell_apart(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    nowhere.control.job_defaults(seconds=0.2)
    finished = start_outside_job(nowhere)  # same database, level and user: an earlier backup
    wait_for(nowhere, finished, "Completed", timeout_s=10)

    notices: list[str] = []

    [job] = new_process_start(fast_client, backup("fresh-1"), journal=journal, notices=notices)

    assert not job.endswith("adopted")
    assert f"started job {job} for request fresh-1;" in notices[0]
    assert notices[0] == (
        f"started job {job} for request fresh-1; finished job {finished} fits it too, but no "
        "job descriptions show and this machine has no record of sending it, so they were "
        "assumed to belong to other requests. If an interrupted run on another machine "
        "started one, that one is a restore point as well"
    )
    assert len(nowhere.control.jobs()) == 2


def test_without_a_record_a_new_request_stops_at_a_running_job_it_cannot_tell_apart(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    running = start_outside_job(nowhere)

    with pytest.raises(UnrecognisedJobsError) as stopped:
        new_process_start(fast_client, backup("busy-1"), journal=journal)

    assert stopped.value.job_ids == [running]
    assert "this machine has no record of an earlier run sending this request" in str(stopped.value)
    assert len(nowhere.control.jobs()) == 1


def test_a_recorded_job_that_started_before_its_send_is_not_adopted(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    nowhere.control.job_defaults(seconds=0.2)
    older = start_outside_job(nowhere)
    wait_for(nowhere, older, "Completed", timeout_s=10)
    # A record naming an id that a rebuilt CommServe at the same address gave another job.
    journal.request(fast_client.base_url, "reused-1").record_send_end(time.time() + 600, [older])

    [job] = new_process_start(fast_client, backup("reused-1"), journal=journal)

    assert not job.endswith("adopted")
    assert len(nowhere.control.jobs()) == 2


def test_a_send_the_commserve_refused_is_withdrawn_from_the_record(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    nowhere.control.inject("CreateTask", "status", status=400)

    with pytest.raises(InvalidRequestError):
        new_process_start(fast_client, backup("refused-1"), journal=journal)

    assert journal.request(fast_client.base_url, "refused-1").sends() == []
    assert len(nowhere.control.jobs()) == 0


def test_one_stop_names_every_databases_jobs_and_one_id_each_settles_it(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    on_orcl = start_outside_job(nowhere)
    on_sales = start_outside_job(nowhere, assoc=association("oradb02", "SALES"))

    with pytest.raises(UnrecognisedJobsError) as stopped:
        new_process_start(fast_client, backup("two-db-1", ORCL, SALES), journal=journal)

    assert sorted(stopped.value.job_ids) == sorted([on_orcl, on_sales])
    assert sorted(stopped.value.suggested) == sorted([on_orcl, on_sales])
    assert stopped.value.which == f"jobs {', '.join(stopped.value.job_ids)}"

    decided = JobDecisions(adopt=frozenset({on_orcl, on_sales}))
    adopted = new_process_start(
        fast_client, backup("two-db-1", ORCL, SALES), journal=journal, decisions=decided
    )

    assert adopted == [f"{on_orcl} adopted", f"{on_sales} adopted"]
    assert len(nowhere.control.jobs()) == 2


def test_an_unwritable_state_directory_warns_once_naming_the_variable_and_backups_still_start(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the directory should be")
    notices: list[str] = []
    journal = SendJournal(blocker / "state", notice=notices.append)

    new_process_start(fast_client, backup("unwritable-1"), journal=journal)
    new_process_start(fast_client, backup("unwritable-2", SALES), journal=journal)

    assert len(notices) == 1
    assert notices[0].startswith(f"cannot record what this run sends in {blocker / 'state'}")
    assert "set COMMVAULT_STATE_DIR to a writable directory" in notices[0]
    assert len(nowhere.control.jobs()) == 2


def test_the_record_holds_no_credential(
    nowhere: EmulatorProcess, demo_user: tuple[str, str], tmp_path: Path
) -> None:
    journal = SendJournal(tmp_path / "state")
    username, password = demo_user
    with CommvaultClient(nowhere.url, username=username, password=password) as client:
        [job_id] = new_process_start(client, backup("secret-1"), journal=journal)

    [written] = [json.loads(p.read_text()) for p in (tmp_path / "state").glob("*.json")]
    assert written == {
        "commserve": nowhere.url,
        "marker": "secret-1",
        "sends": [{"sent_at": ANY, "until": ANY, "job_ids": [job_id]}],
        "databases": ["oradb01/orcl/default"],
    }
    assert password not in json.dumps(written)


def test_an_unreadable_record_counts_as_none_and_the_next_send_replaces_it(
    tmp_path: Path,
) -> None:
    journal = SendJournal(tmp_path)
    journal.request("https://cs.example.com", "m-1").record_send(time.time(), timeout_s=35)
    [record] = tmp_path.glob("*.json")
    record.write_text("{cut off mid-wri")

    assert journal.request("https://cs.example.com", "m-1").sends() == []
    journal.request("https://cs.example.com", "m-1").record_send_end(time.time(), ["7"])
    assert [s.job_ids for s in journal.request("https://cs.example.com", "m-1").sends()] == [("7",)]


def test_sends_older_than_the_guards_look_back_are_forgotten(tmp_path: Path) -> None:
    journal = SendJournal(tmp_path)
    two_days_ago = time.time() - 2 * 24 * 3600
    journal.request("https://cs.example.com", "old-1").record_send_end(two_days_ago, ["7"])

    assert journal.request("https://cs.example.com", "old-1").sends() == []
    assert journal.request("https://other.example.com", "old-1").sends() == []


def test_two_jobs_named_to_adopt_for_one_database_stop_again_saying_so(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    both = {start_outside_job(nowhere), start_outside_job(nowhere)}

    with pytest.raises(UnrecognisedJobsError) as stopped:
        new_process_start(
            fast_client,
            backup("both-1"),
            journal=journal,
            decisions=JobDecisions(adopt=frozenset(both)),
        )

    assert set(stopped.value.job_ids) == both
    assert "more than one job was named to adopt for the same database" in str(stopped.value)
    assert len(nowhere.control.jobs()) == 2


def test_a_finished_job_named_to_adopt_is_adopted_on_a_machine_with_no_record(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    nowhere.control.job_defaults(seconds=0.2)
    finished = start_outside_job(nowhere)
    wait_for(nowhere, finished, "Completed", timeout_s=10)
    decided = JobDecisions(adopt=frozenset({finished}), insist=True)

    [job] = new_process_start(fast_client, backup("late-1"), journal=journal, decisions=decided)

    assert job == f"{finished} adopted"
    [send] = journal.request(fast_client.base_url, "late-1").sends()
    assert send.job_ids == (finished,)  # a re-run here adopts it without being told
    assert len(nowhere.control.jobs()) == 1


def test_a_job_this_machine_recorded_for_another_request_is_never_a_candidate(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    [other] = new_process_start(fast_client, backup("other-1"), journal=journal)

    [job] = new_process_start(fast_client, backup("mine-1"), journal=journal)

    assert not job.endswith("adopted")
    assert job != other
    assert len(nowhere.control.jobs()) == 2


def test_a_job_named_for_one_database_is_kept_in_the_advice_for_the_other(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    on_orcl = start_outside_job(nowhere)
    on_sales = start_outside_job(nowhere, assoc=association("oradb02", "SALES"))
    decided = JobDecisions(adopt=frozenset({on_orcl}))

    with pytest.raises(UnrecognisedJobsError) as stopped:
        new_process_start(
            fast_client, backup("half-1", ORCL, SALES), journal=journal, decisions=decided
        )

    assert stopped.value.job_ids == [on_sales]
    assert stopped.value.suggested == [on_orcl, on_sales]
    assert "none of them" not in str(stopped.value)
    assert len(nowhere.control.jobs()) == 2


def test_a_wrong_id_the_cli_insists_on_is_refused_naming_the_jobs_that_may_be(
    fast_client: CommvaultClient, nowhere: EmulatorProcess, journal: SendJournal
) -> None:
    running = start_outside_job(nowhere)
    decided = JobDecisions(adopt=frozenset({"99"}), insist=True)

    with pytest.raises(UnknownDecisionError) as refused:
        new_process_start(fast_client, backup("wrong-1"), journal=journal, decisions=decided)

    assert str(refused.value).startswith("job 99 cannot be adopted: it is no job of this request's")
    assert f"the jobs that may be this request's are job {running}: Backup Full of oradb01" in str(
        refused.value
    )
    assert len(nowhere.control.jobs()) == 1
