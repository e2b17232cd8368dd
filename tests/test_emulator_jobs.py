"""Job lifecycle, plans, queueing, job control, JobDetails and the Jobs listing."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from commvault_emulator.process import EmulatorError, EmulatorProcess
from emulator_support import (
    TIMEOUT_S,
    api_session,
    association,
    backup_body,
    create,
    cvpysdk_jobs_body,
    jobs_query,
    start_backup,
    summary,
    wait_for,
)

SUMMARY_FIELDS = {
    "jobId",
    "status",
    "percentComplete",
    "jobStartTime",
    "jobEndTime",
    "lastUpdateTime",
    "jobElapsedTime",
    "pendingReason",
    "jobType",
    "backupLevelName",
    "appTypeName",
    "currentPhaseName",
    "sizeOfApplication",
    "sizeOfMediaOnDisk",
    "userName",
    "localizedOperationName",
    "opType",
    "isVisible",
    "jobDescription",
    "subclient",
}


def _action(emulator: EmulatorProcess, job_id: str, action: str) -> Any:
    response = api_session().post(f"{emulator.url}/Job/{job_id}/action/{action}", timeout=TIMEOUT_S)
    assert response.status_code == 200
    return response.json()


def _details(emulator: EmulatorProcess, job_id: Any) -> Any:
    response = api_session().post(
        f"{emulator.url}/JobDetails", json={"jobId": job_id, "showAttempt": True}, timeout=TIMEOUT_S
    )
    assert response.status_code == 200
    return response.json()


def test_job_goes_waiting_then_running_then_completed(emulator: EmulatorProcess) -> None:
    started = time.time()
    emulator.control.next_jobs(seconds=2.0)  # Waiting for 0.2 s, then Running
    job_id = start_backup(emulator)
    seen: list[tuple[str, int]] = []
    while not seen or seen[-1][0] != "Completed":
        job = summary(emulator, job_id)
        seen.append((job["status"], job["percentComplete"]))
        time.sleep(0.03)
    statuses = [s for s, _ in seen]
    assert statuses[0] == "Waiting"
    assert "Running" in statuses
    assert statuses.index("Running") > statuses.index("Waiting")
    running = [p for s, p in seen if s == "Running"]
    assert running == sorted(running)
    assert 0 < running[0] < running[-1] < 100
    done = summary(emulator, job_id)
    assert set(done) >= SUMMARY_FIELDS
    assert done["percentComplete"] == 100
    assert done["jobType"] == "Backup"
    assert done["localizedOperationName"] == "Backup"
    assert done["appTypeName"] == "Oracle"
    assert done["isVisible"] is True
    assert done["sizeOfApplication"] > 0
    assert done["sizeOfMediaOnDisk"] > 0
    assert int(started) <= done["jobStartTime"] <= done["jobEndTime"]
    assert done["lastUpdateTime"] >= done["jobStartTime"]
    assert done["pendingReason"] == ""


def test_job_end_time_is_zero_while_running(emulator: EmulatorProcess) -> None:
    emulator.control.next_jobs(seconds=5)
    job = wait_for(emulator, start_backup(emulator), "Running")
    assert job["jobEndTime"] == 0
    assert job["jobStartTime"] > 0


@pytest.mark.parametrize(
    ("outcome", "percent"),
    [
        ("Completed", 100),
        ("Completed w/ one or more errors", 100),
        ("Failed", None),
        ("Killed", None),
    ],
)
def test_next_jobs_outcome_sets_how_the_job_ends(
    emulator: EmulatorProcess, outcome: str, percent: int | None
) -> None:
    emulator.control.next_jobs(seconds=0.2, outcome=outcome)
    job_id = start_backup(emulator)
    job = wait_for(emulator, job_id, outcome)
    if percent is not None:
        assert job["percentComplete"] == percent
    else:
        assert job["percentComplete"] < 100
    reason = _details(emulator, job_id)["job"]["jobDetail"]["progressInfo"]["reasonForJobDelay"]
    assert bool(reason) == (outcome != "Completed")
    assert job["pendingReason"] == reason


def test_next_jobs_count_applies_to_that_many_jobs_then_defaults_return(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.next_jobs(seconds=0.1, outcome="Failed", count=2)
    body = backup_body(
        association(), association("oradb02", "SALES"), association("oradb01", "ORCL", "archivelog")
    )
    answer = create(emulator, body)
    outcomes = [j["outcome"] for j in emulator.control.jobs()]
    seconds = [j["seconds"] for j in emulator.control.jobs()]
    assert len(answer["jobIds"]) == 3
    assert outcomes == ["Failed", "Failed", "Completed"]
    assert seconds == [0.1, 0.1, 1.0]


def test_subclient_jobs_apply_to_every_later_job_on_that_subclient(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.subclient_jobs("ORADB02", "sales", "DEFAULT", seconds=0.1, outcome="Failed")
    first = start_backup(emulator, assoc=association("oradb02", "SALES"))
    other = start_backup(emulator)
    wait_for(emulator, first, "Failed")
    second = start_backup(emulator, assoc=association("oradb02", "SALES"))
    wait_for(emulator, second, "Failed")
    assert [j["outcome"] for j in emulator.control.jobs() if j["jobId"] == int(other)] == [
        "Completed"
    ]


def test_next_jobs_override_wins_over_the_subclient_plan(emulator: EmulatorProcess) -> None:
    emulator.control.subclient_jobs("oradb01", "ORCL", "default", outcome="Failed")
    emulator.control.next_jobs(outcome="Killed")
    start_backup(emulator)
    start_backup(emulator, assoc=association("oradb01", "ORCL", "default"))
    assert [j["outcome"] for j in emulator.control.jobs()] == ["Killed", "Failed"]


def test_job_defaults_change_later_jobs_until_reset(emulator: EmulatorProcess) -> None:
    emulator.control.job_defaults(seconds=0.1, outcome="Completed w/ one or more errors")
    wait_for(emulator, start_backup(emulator), "Completed w/ one or more errors")
    emulator.control.reset()
    start_backup(emulator)
    (job,) = emulator.control.jobs()
    assert (job["seconds"], job["outcome"]) == (1.0, "Completed")


def test_control_rejects_an_unknown_outcome_or_subclient(emulator: EmulatorProcess) -> None:
    with pytest.raises(EmulatorError, match="outcome must be one of"):
        emulator.control.next_jobs(outcome="Exploded")
    with pytest.raises(EmulatorError, match="no subclient"):
        emulator.control.subclient_jobs("oradb01", "ORCL", "ghost", seconds=1)


def test_second_job_on_a_busy_subclient_is_pending_until_the_first_ends(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.job_defaults(seconds=0.6)
    first = start_backup(emulator)
    second = start_backup(emulator)
    other = start_backup(emulator, assoc=association("oradb02", "SALES"))
    queued = summary(emulator, second)
    assert queued["status"] == "Pending"
    assert first in queued["pendingReason"]
    assert queued["jobStartTime"] == 0
    assert summary(emulator, other)["status"] in ("Waiting", "Running")
    done = wait_for(emulator, first, "Completed")
    running = wait_for(emulator, second, "Waiting", "Running")
    assert running["pendingReason"] == ""
    finished = wait_for(emulator, second, "Completed")
    assert finished["jobStartTime"] >= done["jobEndTime"] - 1
    internal = {j["jobId"]: j for j in emulator.control.jobs()}
    first_end = internal[int(first)]["endedAt"]
    assert internal[int(second)]["endedAt"] - first_end == pytest.approx(0.6, abs=0.05)


def test_kill_makes_a_running_job_killed(emulator: EmulatorProcess) -> None:
    emulator.control.next_jobs(seconds=10)
    job_id = start_backup(emulator)
    wait_for(emulator, job_id, "Running")
    assert _action(emulator, job_id, "kill") == {}
    job = summary(emulator, job_id)
    assert job["status"] == "Killed"
    assert job["jobEndTime"] > 0
    assert "killed by user [admin]" in job["pendingReason"]


def test_killing_a_queued_job_does_not_start_the_next_one_early(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.job_defaults(seconds=10)
    first = start_backup(emulator)
    second = start_backup(emulator)
    third = start_backup(emulator)
    _action(emulator, second, "kill")
    assert summary(emulator, second)["status"] == "Killed"
    assert summary(emulator, third)["status"] == "Pending"
    _action(emulator, first, "kill")
    assert wait_for(emulator, third, "Waiting", "Running")["status"] in ("Waiting", "Running")


def test_pause_suspends_a_job_and_resume_continues_it(emulator: EmulatorProcess) -> None:
    emulator.control.next_jobs(seconds=0.6)
    job_id = start_backup(emulator)
    wait_for(emulator, job_id, "Running")
    assert _action(emulator, job_id, "pause") == {}
    paused = summary(emulator, job_id)
    assert paused["status"] == "Suspended"
    time.sleep(0.7)
    still = summary(emulator, job_id)
    assert still["status"] == "Suspended"
    assert still["percentComplete"] == paused["percentComplete"]
    assert _action(emulator, job_id, "resume") == {}
    assert summary(emulator, job_id)["status"] == "Running"
    wait_for(emulator, job_id, "Completed")
    (internal,) = emulator.control.jobs()
    assert internal["endedAt"] - internal["created"] >= 0.6 + 0.7


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        ("finished", "kill", "has already finished with status [Completed]"),
        ("finished", "pause", "has already finished"),
        ("running", "resume", "is not suspended"),
        ("paused", "pause", "is already suspended"),
        ("unknown", "kill", "does not exist"),
        ("running", "explode", "Unsupported job action [explode]"),
    ],
)
def test_job_action_that_cannot_be_done_answers_errors_shape(
    emulator: EmulatorProcess, setup: str, action: str, message: str
) -> None:
    emulator.control.next_jobs(seconds=0.05 if setup == "finished" else 10)
    job_id = start_backup(emulator)
    if setup == "finished":
        wait_for(emulator, job_id, "Completed")
    elif setup == "paused":
        _action(emulator, job_id, "pause")
    elif setup == "unknown":
        job_id = "999999999"
    answer = _action(emulator, job_id, action)
    (error,) = answer["errors"][0]["errList"]
    assert error["errorCode"] == 2
    assert message in error["errLogMessage"]


@pytest.mark.parametrize("job_id", ["999999999", "not-a-number"])
def test_get_unknown_job_answers_zero_records(emulator: EmulatorProcess, job_id: str) -> None:
    response = api_session().get(f"{emulator.url}/Job/{job_id}", timeout=TIMEOUT_S)
    assert response.status_code == 200
    assert response.json() == {"totalRecordsWithoutPaging": 0}


def test_job_details_describes_the_job(emulator: EmulatorProcess) -> None:
    answer = create(emulator, backup_body(description="marker-1"))
    detail = _details(emulator, int(answer["jobIds"][0]))["job"]["jobDetail"]
    assert detail["generalInfo"]["jobId"] == int(answer["jobIds"][0])
    assert detail["generalInfo"]["taskData"]["taskId"] == answer["taskId"]
    assert detail["generalInfo"]["subclient"]["subclientName"] == "default"
    assert detail["generalInfo"]["description"] == "marker-1"
    assert detail["progressInfo"]["state"] in ("Waiting", "Running")
    assert {"startTime", "endTime", "sizeOfApplication"} <= set(detail["detailInfo"])


def test_job_details_of_an_unknown_job_answers_error_list(emulator: EmulatorProcess) -> None:
    answer = _details(emulator, 999999999)
    (error,) = answer["error"]["errList"]
    assert "999999999" in error["errLogMessage"]
    assert isinstance(error["errorCode"], int)


def test_job_details_without_job_id_answers_400(emulator: EmulatorProcess) -> None:
    response = api_session().post(f"{emulator.url}/JobDetails", json={}, timeout=TIMEOUT_S)
    assert response.status_code == 400


def test_jobs_lists_every_job_newest_first_with_summary(emulator: EmulatorProcess) -> None:
    ids = [start_backup(emulator, description=f"tag-{n}") for n in range(3)]
    answer = jobs_query(emulator, cvpysdk_jobs_body())
    assert answer["totalRecordsWithoutPaging"] == 3
    summaries = [j["jobSummary"] for j in answer["jobs"]]
    assert [str(s["jobId"]) for s in summaries] == ids[::-1]
    assert [s["jobDescription"] for s in summaries] == ["tag-2", "tag-1", "tag-0"]
    assert all(s["subclient"]["subclientId"] == 101 for s in summaries)
    assert all(set(s) >= SUMMARY_FIELDS for s in summaries)


def test_jobs_finds_the_job_a_lost_answer_started_by_its_description_marker(
    emulator: EmulatorProcess,
) -> None:
    start_backup(emulator, description="someone else")
    emulator.control.inject("CreateTask", "lose_answer")
    with pytest.raises(requests.ConnectionError):
        create(emulator, backup_body(description="pulumi-commvault:urn:x:42"))
    body = cvpysdk_jobs_body(category=1, clients=[{"clientId": 2}], job_types=["Backup"])
    found = [
        j["jobSummary"]
        for j in jobs_query(emulator, body)["jobs"]
        if "urn:x:42" in j["jobSummary"]["jobDescription"]
    ]
    assert len(found) == 1
    logged = [r for r in emulator.control.requests() if r["endpoint"] == "CreateTask"][-1]
    assert logged["job_ids"] == [str(found[0]["jobId"])]


def test_jobs_category_separates_active_and_finished(emulator: EmulatorProcess) -> None:
    emulator.control.next_jobs(seconds=0.05)
    done = start_backup(emulator)
    wait_for(emulator, done, "Completed")
    emulator.control.next_jobs(seconds=10)
    active = start_backup(emulator, assoc=association("oradb02", "SALES"))
    ids = {
        category: [
            str(j["jobSummary"]["jobId"])
            for j in jobs_query(emulator, cvpysdk_jobs_body(category=category))["jobs"]
        ]
        for category in (0, 1, 2)
    }
    assert ids == {0: [active, done], 1: [active], 2: [done]}


@pytest.mark.parametrize("client", [{"clientId": 3}, {"clientName": "ORADB02"}])
def test_jobs_client_list_filters_by_client_id_or_name(
    emulator: EmulatorProcess, client: dict[str, Any]
) -> None:
    start_backup(emulator)
    wanted = start_backup(emulator, assoc=association("oradb02", "SALES"))
    answer = jobs_query(emulator, cvpysdk_jobs_body(clients=[client]))
    assert answer["totalRecordsWithoutPaging"] == 1
    assert str(answer["jobs"][0]["jobSummary"]["jobId"]) == wanted


def test_jobs_lookup_time_excludes_finished_jobs_that_ended_earlier(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.next_jobs(seconds=0)
    old = start_backup(emulator)
    time.sleep(1.2)
    emulator.control.next_jobs(seconds=0)
    recent = start_backup(emulator)
    emulator.control.next_jobs(seconds=10)
    running = start_backup(emulator, assoc=association("oradb02", "SALES"))
    recent_ids = [
        str(j["jobSummary"]["jobId"])
        for j in jobs_query(emulator, cvpysdk_jobs_body(lookup_s=1))["jobs"]
    ]
    assert recent_ids == [running, recent]
    all_ids = jobs_query(emulator, cvpysdk_jobs_body(lookup_s=3600))["totalRecordsWithoutPaging"]
    assert all_ids == 3
    assert old not in recent_ids


def test_jobs_paging_returns_the_requested_page_and_the_total(emulator: EmulatorProcess) -> None:
    ids = [int(start_backup(emulator)) for _ in range(5)]
    answer = jobs_query(emulator, cvpysdk_jobs_body(limit=2, offset=1))
    assert answer["totalRecordsWithoutPaging"] == 5
    assert [j["jobSummary"]["jobId"] for j in answer["jobs"]] == [ids[3], ids[2]]
    body = cvpysdk_jobs_body(limit=2)
    body["pagingConfig"]["sortDirection"] = 0
    ascending = jobs_query(emulator, body)
    assert [j["jobSummary"]["jobId"] for j in ascending["jobs"]] == ids[:2]


def test_jobs_with_non_backup_job_type_finds_nothing(emulator: EmulatorProcess) -> None:
    start_backup(emulator)
    assert jobs_query(emulator, cvpysdk_jobs_body(job_types=["Restore"])) == {
        "totalRecordsWithoutPaging": 0
    }


def test_jobs_with_a_malformed_body_answers_400(emulator: EmulatorProcess) -> None:
    response = api_session().post(
        f"{emulator.url}/Jobs", json={"category": "sometimes"}, timeout=TIMEOUT_S
    )
    assert response.status_code == 400


def test_get_job_query_form_filters_by_subclient_and_category(emulator: EmulatorProcess) -> None:
    emulator.control.job_defaults(seconds=10)
    start_backup(emulator)
    wanted = start_backup(emulator, assoc=association("oradb01", "ORCL", "archivelog"))
    response = api_session().get(
        f"{emulator.url}/Job?clientId=2&subclientId=102&backupsetId=21&jobFilter=Backup"
        "&jobCategory=Active",
        timeout=TIMEOUT_S,
    )
    answer = response.json()
    assert answer["totalRecordsWithoutPaging"] == 1
    assert str(answer["jobs"][0]["jobSummary"]["jobId"]) == wanted


def test_control_jobs_show_summary_and_internal_fields(emulator: EmulatorProcess) -> None:
    answer = create(emulator, backup_body(level="Incremental", cumulative=True))
    (job,) = emulator.control.jobs()
    assert job["jobId"] == int(answer["jobIds"][0])
    assert job["taskId"] == answer["taskId"]
    assert job["jobSummary"]["jobId"] == job["jobId"]
    assert {"created", "seconds", "outcome", "waitsFor", "pauses", "killedAt", "endedAt"} <= set(
        job
    )


def test_next_jobs_hidden_polls_hide_a_new_job_from_get_job_for_that_many_polls(
    emulator: EmulatorProcess,
) -> None:
    emulator.control.next_jobs(hidden_polls=2)
    job_id = start_backup(emulator)
    url = f"{emulator.url}/Job/{job_id}"
    answers = [api_session().get(url, timeout=TIMEOUT_S).json() for _ in range(3)]
    assert answers[:2] == [{"totalRecordsWithoutPaging": 0}] * 2
    assert answers[2]["totalRecordsWithoutPaging"] == 1


def test_forget_job_makes_it_disappear_and_frees_its_subclient(emulator: EmulatorProcess) -> None:
    emulator.control.job_defaults(seconds=10)
    first = start_backup(emulator)
    second = start_backup(emulator)
    emulator.control.forget_job(first)
    response = api_session().get(f"{emulator.url}/Job/{first}", timeout=TIMEOUT_S)
    assert response.json() == {"totalRecordsWithoutPaging": 0}
    assert summary(emulator, second)["status"] in ("Waiting", "Running")
    with pytest.raises(EmulatorError, match="no job"):
        emulator.control.forget_job(first)
