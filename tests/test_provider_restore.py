"""OracleRestoreProvider called as the engine calls it, against the emulator; and the
freshness of OracleBackupTrigger's recorded restore points on read."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

import pytest
from pulumi.output import Unknown

from commvault_emulator.process import EmulatorProcess
from emulator_support import start_backup, wait_for
from pulumi_commvault.provider import (
    OracleBackupTriggerProvider,
    OracleRestoreProvider,
    RestoreFailedError,
)
from pulumi_commvault.runtime import cancellation, settings

SERIALIZED = "c2VyaWFsaXplZCBwcm92aWRlcg=="


def inputs(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "client_name": "oradb01",
        "instance_name": "ORCL",
        "latest": True,
        "destination_client_name": "oradb02",
        "destination_instance_name": "SALES",
        "timeout_minutes": 1.0,
        "request_name": "proj/dev/restore",
        "__provider": SERIALIZED,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture
def provider(provider_env: None) -> OracleRestoreProvider:
    return OracleRestoreProvider()


@pytest.fixture
def backed_up(emulator: EmulatorProcess) -> str:
    emulator.control.job_defaults(seconds=0.2)
    job_id = start_backup(emulator)
    wait_for(emulator, job_id, "Completed", timeout_s=10)
    emulator.control.clear_requests()
    return job_id


def restore_jobs(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    return [j for j in emulator.control.jobs() if j["jobType"] == "Restore"]


def job_reads_after_the_create_task(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    """The job reads (``Job``/``Jobs``) the emulator answered after the CreateTask."""
    records = emulator.control.requests()
    sent = next(r["seq"] for r in records if r["endpoint"] == "CreateTask")
    return [r for r in records if r["seq"] > sent and r["endpoint"] in ("Job", "Jobs")]


def failures(provider: OracleRestoreProvider, **overrides: Any) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in provider.check({}, inputs(**overrides)).failures]


# --- check: every bad input named, no call -----------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"latest": None}, "from_backup", "give one restore point"),
        ({"scn": "12x"}, "scn", "is not an SCN"),
        ({"latest": None, "scn": "42", "point_in_time": "2026-01-01T00:00:00Z"}, "scn", "only one"),
        ({"latest": None, "point_in_time": "yesterday"}, "point_in_time", "not an ISO 8601"),
        ({"latest": None, "backup_job_ids": ["12", "abc"]}, "backup_job_ids", "not a job id"),
        ({"destination_instance_name": None}, "destination_instance_name", "out-of-place"),
        (
            {"destination_client_name": None, "destination_instance_name": None},
            "confirm_overwrite",
            "set confirm_overwrite='oradb01/ORCL'",
        ),
        (
            {
                "destination_client_name": "oradb01",
                "destination_instance_name": "ORCL",
                "confirm_overwrite": "oradb02/SALES",
            },
            "confirm_overwrite",
            "got 'oradb02/SALES'",
        ),
        ({"client_name": None}, "client_name", "required"),
        ({"colour": "blue"}, "colour", "unknown input"),
    ],
)
def test_check_names_the_bad_field_without_calling_the_api(
    provider: OracleRestoreProvider,
    emulator: EmulatorProcess,
    overrides: dict[str, Any],
    field: str,
    words: str,
) -> None:
    found = failures(provider, **overrides)
    assert [f for f, _ in found] == [field], found
    assert words in found[0][1]
    assert emulator.control.requests() == []


def test_check_accepts_in_place_with_the_right_confirmation_in_any_case(
    provider: OracleRestoreProvider,
) -> None:
    found = failures(
        provider,
        destination_client_name=None,
        destination_instance_name=None,
        confirm_overwrite="ORADB01/orcl",
    )
    assert found == []


def test_check_lets_unknown_values_pass_in_preview(provider: OracleRestoreProvider) -> None:
    assert failures(provider, latest=None, from_backup=Unknown(), client_name=None) == []


def test_check_from_backup_with_no_job_of_the_source_names_from_backup(
    provider: OracleRestoreProvider,
) -> None:
    jobs = [{"job_id": "5", "client_name": "oradb02", "instance_name": "SALES"}]
    found = failures(provider, latest=None, from_backup=jobs)
    assert found == [("from_backup", "it recorded no backup job of oradb01/ORCL")]


# --- create / update / read / delete -----------------------------------------------------


def test_create_runs_one_restore_and_records_the_point(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    jobs = [{"job_id": backed_up, "client_name": "oradb01", "instance_name": "ORCL"}]
    news = provider.check({}, inputs(latest=None, from_backup=jobs)).inputs
    result = provider.create(news)
    outs = result.outs
    assert emulator.control.count("CreateTask") == 1
    (job,) = restore_jobs(emulator)
    assert outs["job_id"] == str(job["jobId"])
    assert outs["jobs"][0]["status"] == "Completed"
    assert outs["restore_point"]["backup_job_ids"] == [backed_up]
    assert outs["restore_point"]["destination"] == "oradb02/SALES"
    assert job["request"]["taskInfo"]["subTasks"][0]["options"]["restoreOptions"]["jobIds"] == [
        backed_up
    ]


def test_a_latest_restore_records_the_backup_jobs_it_resolved_to(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    outs = provider.create(provider.check({}, inputs()).inputs).outs

    assert outs["restore_point"]["kind"] == "latest"
    assert outs["restore_point"]["backup_job_ids"] == [backed_up]


def test_a_retry_after_a_failed_wait_adopts_the_running_restore(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    emulator.control.next_jobs(seconds=4)
    news = provider.check({}, inputs(timeout_minutes=0.02)).inputs
    with pytest.raises(RestoreFailedError, match="adopts it instead of starting another"):
        provider.create(news)
    outs = provider.create(provider.check({}, inputs()).inputs).outs
    assert outs["jobs"][0]["adopted"] is True
    assert len(restore_jobs(emulator)) == 1


def test_a_failed_restore_fails_with_the_job_status_and_reason(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    emulator.control.next_jobs(outcome="Failed")
    with pytest.raises(RestoreFailedError) as caught:
        provider.create(provider.check({}, inputs()).inputs)
    (job,) = restore_jobs(emulator)
    assert f"restore job {job['jobId']} ended Failed: Error Code" in str(caught.value)


def test_a_cancelled_update_ends_the_restore_wait_saying_the_job_runs_on(
    provider: OracleRestoreProvider,
    emulator: EmulatorProcess,
    backed_up: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cancellation, "requested", threading.Event())  # this test's Ctrl-C
    emulator.control.next_jobs(seconds=60)

    def ctrl_c_once_the_restore_job_runs() -> None:
        deadline = time.monotonic() + 30
        while not restore_jobs(emulator) and time.monotonic() < deadline:
            time.sleep(0.05)
        cancellation.request()  # what the engine's Cancel calls

    pressing = threading.Thread(target=ctrl_c_once_the_restore_job_runs, daemon=True)
    pressing.start()
    with pytest.raises(RestoreFailedError) as caught:
        provider.create(provider.check({}, inputs()).inputs)
    pressing.join()

    (job,) = restore_jobs(emulator)
    assert job["endedAt"] is None
    assert str(caught.value) == (
        "Oracle restore of oradb01/ORCL onto oradb02/SALES from the latest backup: stopped "
        "waiting because the update was cancelled (Ctrl-C); restore job "
        f"{job['jobId']} keeps running in Commvault and nothing was lost: run `pulumi up` "
        "again, which adopts the running job instead of starting another"
    )
    monkeypatch.setattr(cancellation, "requested", threading.Event())  # the re-run's process
    rerun = provider.create(provider.check({}, inputs(wait_for_completion=False)).inputs).outs
    assert rerun["job_id"] == str(job["jobId"])
    assert rerun["jobs"][0]["adopted"] is True
    assert emulator.control.count("CreateTask") == 1


def test_a_restore_wait_keeps_to_the_read_budget(
    provider: OracleRestoreProvider,
    emulator: EmulatorProcess,
    backed_up: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMMVAULT_MAX_READS_PER_HOUR", "900")  # a read every 4 s at most
    settings.forget()
    emulator.control.next_jobs(seconds=5.0)
    outs = provider.create(provider.check({}, inputs()).inputs).outs
    assert outs["jobs"][0]["status"] == "Completed"
    # The first is the read-back of the job just started (once per process, where its marker
    # shows); the watcher's reads come after it, wider apart than its own 3 s between rounds.
    times = [r["time"] for r in job_reads_after_the_create_task(emulator)][1:]
    assert len(times) >= 2
    assert min(b - a for a, b in itertools.pairwise(times)) >= 3.9


@pytest.mark.parametrize("value", ["0", "many"])
def test_a_bad_read_budget_fails_the_restore_before_anything_is_sent(
    provider: OracleRestoreProvider,
    emulator: EmulatorProcess,
    backed_up: str,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    monkeypatch.setenv("COMMVAULT_MAX_READS_PER_HOUR", value)
    settings.forget()
    with pytest.raises(RestoreFailedError) as caught:
        provider.create(provider.check({}, inputs()).inputs)
    assert "commvault:maxReadsPerHour" in str(caught.value)
    assert "COMMVAULT_MAX_READS_PER_HOUR" in str(caught.value)
    assert emulator.control.requests() == []


def test_a_destination_that_is_not_oracle_is_named_and_nothing_is_sent(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    bad = inputs(
        destination_client_name="filesrv01", destination_instance_name="DefaultInstanceName"
    )
    with pytest.raises(RestoreFailedError, match="nothing was sent: destination_instance_name: "):
        provider.create(provider.check({}, bad).inputs)
    assert emulator.control.count("CreateTask") == 0


def test_an_unknown_backup_job_is_named_and_nothing_is_sent(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    bad = inputs(latest=None, backup_job_ids=["424242"])
    with pytest.raises(RestoreFailedError, match="backup_job_ids: job 424242 is no restore point"):
        provider.create(provider.check({}, bad).inputs)
    assert emulator.control.count("CreateTask") == 0


def test_a_dead_backup_given_by_from_backup_is_named_as_from_backup_and_nothing_is_sent(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    recorded = [{"job_id": "424242", "client_name": "oradb01", "instance_name": "ORCL"}]
    bad = inputs(latest=None, client_name=None, instance_name=None, from_backup=recorded)
    with pytest.raises(RestoreFailedError, match="from_backup: job 424242 is no restore point"):
        provider.create(provider.check({}, bad).inputs)
    assert emulator.control.count("CreateTask") == 0


def test_a_point_in_time_before_the_first_backup_is_named_and_nothing_is_sent(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    bad = inputs(latest=None, point_in_time="2020-01-01T00:00:00Z")
    with pytest.raises(RestoreFailedError, match=r"point_in_time: .* before the first restorable"):
        provider.create(provider.check({}, bad).inputs)
    assert emulator.control.count("CreateTask") == 0


def test_update_runs_again_only_when_the_restore_changed(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    olds = provider.create(provider.check({}, inputs(triggers=["w1"])).inputs).outs
    same = provider.check({}, inputs(triggers=["w1"], timeout_minutes=2.0)).inputs
    assert provider.diff("id", olds, same).changes is True
    provider.update("id", olds, same)
    assert len(restore_jobs(emulator)) == 1
    changed = provider.check({}, inputs(triggers=["w2"])).inputs
    outs = provider.update("id", olds, changed).outs
    assert len(restore_jobs(emulator)) == 2
    assert outs["history"][0]["job_ids"] == olds["job_ids"]


def test_read_and_delete_never_start_a_restore(
    provider: OracleRestoreProvider, emulator: EmulatorProcess, backed_up: str
) -> None:
    outs = provider.create(provider.check({}, inputs()).inputs).outs
    emulator.control.clear_requests()
    read = provider.read("id", outs)
    assert read.outs["jobs"][0]["known_to_commserve"] is True
    provider.delete("id", outs)
    assert emulator.control.count("CreateTask") == 0
    assert len(restore_jobs(emulator)) == 1


# --- freshness of OracleBackupTrigger's restore points -------------------------------------


def test_trigger_read_marks_aged_and_pruned_jobs_not_restorable_with_a_warning(
    provider_env: None, emulator: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.control.job_defaults(seconds=0.2)
    trigger = OracleBackupTriggerProvider()
    props = {
        "databases": [
            {"client_name": "oradb01", "instance_name": "ORCL"},
            {"client_name": "oradb02", "instance_name": "SALES"},
        ],
        "timeout_minutes": 1.0,
        "request_name": "p/s/snap",
    }
    outs = trigger.create(trigger.check({}, props).inputs).outs
    fresh = trigger.read("id", outs).outs
    assert [j["restorable"] for j in fresh["jobs"]] == [True, True]
    assert fresh["jobs"][0]["restorable_reason"] == "finished well"
    aged, pruned = outs["job_ids"]
    emulator.control.age_job(aged)
    emulator.control.prune_job(pruned)
    capsys.readouterr()
    emulator.control.clear_requests()
    stale = trigger.read("id", outs).outs
    assert [(j["restorable"], j["restorable_reason"]) for j in stale["jobs"]] == [
        (False, "aged out of retention"),
        (False, "unknown to the CommServe (pruned or never existed)"),
    ]
    lines, warnings = capsys.readouterr()
    assert f"warning: backup job {aged} of oradb01/ORCL is no longer restorable: aged" in warnings
    assert f"no longer knows backup job {pruned} of oradb02/SALES/default" in lines
    assert emulator.control.count("CreateTask") == 0
    assert stale["job_ids"] == outs["job_ids"]
