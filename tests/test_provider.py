"""OracleBackupTriggerProvider, called directly as the engine calls it, against the emulator."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from emulator_support import wait_until_ended
from fault_scenarios import closed_port_url
from pulumi_commvault.provider import (
    BackupTriggerError,
    OracleBackupTriggerProvider,
    OracleRestoreProvider,
)
from pulumi_commvault.runtime import connections, settings
from pulumi_commvault.runtime.reporting import OperationFailed

SERIALIZED = "c2VyaWFsaXplZCBwcm92aWRlcg=="  # what the engine passes as __provider


def inputs(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "client_name": "oradb01",
        "instance_name": "ORCL",
        "backup_level": "full",
        "triggers": [1.0],
        "timeout_minutes": 2.0,
        "request_name": "proj/dev/snap",
        "__provider": SERIALIZED,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture
def provider(provider_env) -> OracleBackupTriggerProvider:
    return OracleBackupTriggerProvider()


def create_task_count(emulator) -> int:
    return emulator.control.count("CreateTask")


# --- check -------------------------------------------------------------------------------


def test_check_accepts_valid_inputs_without_calling_the_api(provider, emulator):
    result = provider.check({}, inputs())
    assert result.failures == []
    assert result.inputs["client_name"] == "oradb01"
    assert emulator.control.requests() == []


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"client_name": None}, "client_name", "required"),
        ({"client_name": ""}, "client_name", "at least 1"),
        ({"instance_name": None}, "instance_name", "required"),
        ({"client_name": 42.0}, "client_name", "string"),
        ({"backup_level": "differential"}, "backup_level", "'full' or 'incremental'"),
        ({"timeout_minutes": -5.0}, "timeout_minutes", "greater than 0"),
        ({"timeout_minutes": 1e9}, "timeout_minutes", "less than or equal"),
        ({"timeout_minutes": "soon"}, "timeout_minutes", "number"),
        ({"timeout_minutes": "10"}, "timeout_minutes", "number"),  # not read as 10
        ({"wait_for_completion": "yes"}, "wait_for_completion", "boolean"),
        ({"triggers": "abc"}, "triggers", "list"),
        ({"cumulative": True}, "cumulative", "incremental"),
        ({"databases": []}, "databases", "at least 1"),
        (
            {"databases": [{"client_name": "oradb02"}], "client_name": None, "instance_name": None},
            "databases[0].instance_name",
            "required",
        ),
        ({"databases": [{"client_name": "a", "instance_name": "b"}]}, "databases", "not both"),
        (
            {
                "databases": [
                    {"client_name": "a", "instance_name": "b"},
                    {"client_name": "A", "instance_name": "B", "subclient_name": "default"},
                ],
                "client_name": None,
                "instance_name": None,
            },
            "databases",
            "more than once",
        ),
        ({"colour": "blue"}, "colour", "unknown input"),
    ],
)
def test_check_names_the_bad_field_and_the_reason(provider, emulator, overrides, field, reason):
    failures = provider.check({}, inputs(**overrides)).failures
    assert [(f.property, reason in f.reason) for f in failures] == [(field, True)], [
        (f.property, f.reason) for f in failures
    ]
    assert emulator.control.requests() == []


def test_check_tolerates_values_not_known_during_preview(provider):
    failures = provider.check({}, inputs(client_name=Unknown(), triggers=[Unknown()])).failures
    assert failures == []


def test_check_still_judges_the_known_inputs_beside_unknown_ones(provider):
    failures = provider.check({}, inputs(client_name=Unknown(), backup_level="weekly")).failures
    assert [f.property for f in failures] == ["backup_level"]


# --- diff --------------------------------------------------------------------------------


def test_diff_of_identical_inputs_is_no_change_even_if_the_provider_changed(provider):
    olds = inputs(__provider="b2xkIHByb3ZpZGVy", task_id=1, job_ids=["1"])
    assert provider.diff("1", olds, inputs()).changes is False


@pytest.mark.parametrize(
    "change",
    [
        {"triggers": [2.0]},
        {"instance_name": "SALES"},
        {"backup_level": "incremental"},
        {"subclient_name": "archivelog"},
        {"notify_on_completion": True},
    ],
)
def test_diff_reports_a_change_for_backup_inputs_as_an_in_place_update(provider, change):
    result = provider.diff("1", inputs(), inputs(**change))
    assert result.changes is True
    assert result.replaces == []


def test_diff_treats_an_unknown_trigger_as_a_change(provider):
    assert provider.diff("1", inputs(), inputs(triggers=[Unknown()])).changes is True


def test_diff_sees_integral_floats_from_state_as_the_same_triggers(provider):
    assert provider.diff("1", inputs(triggers=[7]), inputs(triggers=[7.0])).changes is False


# --- create / update ---------------------------------------------------------------------


def test_create_waits_and_records_task_jobs_and_final_status(provider, emulator):
    result = provider.create(inputs())
    outs = result.outs
    jobs = emulator.control.jobs()
    assert outs["job_ids"] == [str(j["jobId"]) for j in jobs]
    assert result.id == str(outs["task_id"])
    [job] = outs["jobs"]
    assert job["status"] == "Completed"
    assert job["backup_level"] == "Full"
    assert job["size_bytes"] > 0
    assert job["start_time"]
    assert job["end_time"]
    assert outs["client_name"] == "oradb01"
    assert outs["triggers"] == [1.0]
    assert outs["history"] == []
    assert create_task_count(emulator) == 1


def test_create_without_waiting_records_the_jobs_and_returns_at_once(provider, emulator):
    emulator.control.job_defaults(seconds=30)
    outs = provider.create(inputs(wait_for_completion=False)).outs
    [job] = outs["jobs"]
    assert job["job_id"] == outs["job_ids"][0]
    assert "status" not in job  # not read yet: no status recorded
    # One read, once per process: the job just started, read back to learn where the
    # CommServe shows its marker (the duplicate guard relies on it); no waiting reads.
    [read_back] = [r for r in emulator.control.requests() if r["endpoint"] in ("Job", "Jobs")][1:]
    assert read_back["path"].endswith(f"Job/{job['job_id']}")


def test_a_create_records_its_send_so_a_rerun_where_no_description_shows_adopts_its_job(
    provider, emulator
):
    emulator.control.job_defaults(
        seconds=30, omit_job_description=True, omit_details_description=True
    )
    first = provider.create(inputs(wait_for_completion=False)).outs
    connections.close_all()  # the re-run is a new provider process, on the same machine

    again = provider.create(inputs(wait_for_completion=False)).outs

    journal = connections.journal()
    [send] = journal.request(emulator.url, first["request_marker"]).sends()
    assert list(send.job_ids) == first["job_ids"]
    assert again["job_ids"] == first["job_ids"]
    assert create_task_count(emulator) == 1


def test_create_backs_up_several_databases_with_one_task(provider, emulator):
    dbs = [
        {"client_name": "oradb01", "instance_name": "ORCL"},
        {"client_name": "oradb02", "instance_name": "SALES", "subclient_name": "default"},
    ]
    outs = provider.create(inputs(client_name=None, instance_name=None, databases=dbs)).outs
    assert len(outs["job_ids"]) == 2
    assert [j["client_name"] for j in outs["jobs"]] == ["oradb01", "oradb02"]
    assert {j["status"] for j in outs["jobs"]} == {"Completed"}
    assert create_task_count(emulator) == 1


def test_create_tags_the_job_with_description_and_marker(provider, emulator):
    outs = provider.create(inputs(description="before migration 42")).outs
    [job] = emulator.control.jobs()
    assert job["jobDescription"].startswith("before migration 42 [pulumi-commvault:")
    assert outs["request_marker"] in job["jobDescription"]


def test_failed_job_fails_create_naming_job_and_status_and_a_rerun_backs_up_again(
    provider, emulator
):
    emulator.control.next_jobs(seconds=0.3, outcome="Failed")
    with pytest.raises(BackupTriggerError) as caught:
        provider.create(inputs())
    [failed] = emulator.control.jobs()
    assert str(failed["jobId"]) in str(caught.value)
    assert "Failed" in str(caught.value)
    provider.create(inputs())
    assert create_task_count(emulator) == 2


def test_wait_timeout_fails_create_and_a_rerun_adopts_the_running_job(provider, emulator):
    emulator.control.next_jobs(seconds=4)  # well past the 1.2 s timeout
    with pytest.raises(BackupTriggerError, match="still unfinished"):
        provider.create(inputs(timeout_minutes=0.02))
    outs = provider.create(inputs(timeout_minutes=1.0)).outs
    assert create_task_count(emulator) == 1
    assert outs["jobs"][0]["adopted"] is True
    assert outs["jobs"][0]["status"] == "Completed"


def test_update_with_new_trigger_takes_a_new_backup_and_keeps_history(provider, emulator):
    first = provider.create(inputs()).outs
    second = provider.update("1", {**first, "__provider": SERIALIZED}, inputs(triggers=[2.0])).outs
    assert second["job_ids"] != first["job_ids"]
    assert second["history"][0]["job_ids"] == first["job_ids"]
    assert second["history"][0]["task_id"] == first["task_id"]
    assert create_task_count(emulator) == 2


def test_update_of_only_the_timeout_takes_no_backup_and_keeps_the_jobs(provider, emulator):
    first = provider.create(inputs()).outs
    emulator.control.clear_requests()
    second = provider.update("1", first, inputs(timeout_minutes=30.0)).outs
    assert emulator.control.requests() == []
    assert second["job_ids"] == first["job_ids"]
    assert second["timeout_minutes"] == 30.0


def test_toggling_a_trigger_back_takes_a_new_backup_not_the_old_one(provider, emulator):
    a = provider.create(inputs(triggers=["a"])).outs
    b = provider.update("1", a, inputs(triggers=["b"])).outs
    back = provider.update("1", b, inputs(triggers=["a"])).outs
    assert back["job_ids"] != a["job_ids"]
    assert create_task_count(emulator) == 3


def test_history_is_bounded(provider, emulator):
    emulator.control.job_defaults(seconds=0.05)
    outs = provider.create(inputs(triggers=[0.0], wait_for_completion=False)).outs
    for n in range(1, 24):
        outs = provider.update(
            "1", outs, inputs(triggers=[float(n)], wait_for_completion=False)
        ).outs
    assert len(outs["history"]) == 20


# --- read / delete -----------------------------------------------------------------------


def test_read_refreshes_job_status_without_starting_a_backup(provider, emulator):
    emulator.control.job_defaults(seconds=0.5)
    outs = provider.create(inputs(wait_for_completion=False)).outs
    emulator.control.clear_requests()
    wait_until_ended(emulator, outs["job_ids"][0])  # the emulator's control API: no request
    result = provider.read("58798", outs)
    assert result.id == "58798"
    assert result.outs["jobs"][0]["status"] == "Completed"
    assert {r["endpoint"] for r in emulator.control.requests()} <= {"Job", "Jobs"}


def test_delete_forgets_without_calling_the_api(provider, emulator):
    emulator.control.job_defaults(seconds=30)
    outs = provider.create(inputs(wait_for_completion=False)).outs
    emulator.control.clear_requests()
    provider.delete("1", outs)
    assert emulator.control.requests() == []
    assert emulator.control.jobs()[0]["status"] in ("Waiting", "Running")


def test_delete_kills_running_jobs_only_when_asked(provider, emulator):
    emulator.control.job_defaults(seconds=30)
    outs = provider.create(
        inputs(wait_for_completion=False, cancel_running_jobs_on_delete=True)
    ).outs
    provider.delete("1", outs)
    assert emulator.control.jobs()[0]["status"] == "Killed"


# --- configuration -----------------------------------------------------------------------


def test_configure_reads_the_commvault_namespace_of_the_stack_config(
    emulator, api_token, no_provider_env
):
    provider = OracleBackupTriggerProvider()
    config = Config({"commvault:url": emulator.url, "commvault:authToken": api_token}, "proj")
    provider.configure(ConfigureRequest(config))
    assert provider.create(inputs(wait_for_completion=False)).outs["job_ids"]


def test_missing_url_names_the_config_key_and_the_environment_variable(no_provider_env):
    provider = OracleBackupTriggerProvider()
    provider.configure(ConfigureRequest(Config({}, "proj")))
    with pytest.raises(BackupTriggerError) as caught:
        provider.create(inputs())
    assert "commvault:url" in str(caught.value)
    assert "COMMVAULT_URL" in str(caught.value)


@pytest.mark.parametrize("provider_type", [OracleBackupTriggerProvider, OracleRestoreProvider])
def test_a_missing_url_fails_check_already_so_preview_names_it(no_provider_env, provider_type):
    provider = provider_type()
    provider.configure(ConfigureRequest(Config({}, "proj")))
    with pytest.raises(OperationFailed) as caught:
        provider.check({}, inputs())
    assert str(caught.value).startswith("no CommServe URL: set stack config commvault:url")


def test_missing_credentials_fail_no_check_as_preview_needs_none(emulator, no_provider_env):
    provider = OracleBackupTriggerProvider()
    provider.configure(ConfigureRequest(Config({"commvault:url": emulator.url}, "proj")))
    assert provider.check({}, inputs()).failures == []


def test_missing_credentials_name_the_config_keys_and_variables(emulator, no_provider_env):
    provider = OracleBackupTriggerProvider()
    provider.configure(ConfigureRequest(Config({"commvault:url": emulator.url}, "proj")))
    with pytest.raises(BackupTriggerError) as caught:
        provider.create(inputs())
    for name in (
        "commvault:authToken",
        "COMMVAULT_AUTHTOKEN",
        "commvault:password",
        "COMMVAULT_PASSWORD",
    ):
        assert name in str(caught.value)


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("commvault:usernmae", "did you mean commvault:username?"),
        ("commvault:URL", "did you mean commvault:url?"),
        ("commvault:authtoken", "did you mean commvault:authToken?"),
        ("commvault:config:pasword", "did you mean commvault:password?"),  # the older form
        ("commvault:colour", "is ignored: the settings are commvault:url, "),
        ("commvault:url", None),
        ("commvault:maxReadsPerHour", None),
        ("aws:region", None),
        ("myproject:usernmae", None),
    ],
)
def test_a_commvault_key_that_is_no_setting_is_named_with_the_closest_setting(key, named):
    line = settings.stray_key_line(key)
    if named is None:
        assert line is None
    else:
        assert line is not None
        assert line.startswith(f"{key.replace(':config:', ':')} is not a Commvault setting")
        assert named in line


def test_password_login_from_config_logs_in_once_per_process(emulator, demo_user, no_provider_env):
    provider = OracleBackupTriggerProvider()
    config = Config(
        {
            "commvault:url": emulator.url,
            "commvault:username": demo_user[0],
            "commvault:password": demo_user[1],
        },
        "proj",
    )
    provider.configure(ConfigureRequest(config))
    for trigger in ("a", "b", "c"):
        provider.create(inputs(triggers=[trigger], wait_for_completion=False))
    assert emulator.control.count("Login") == 1


def test_many_creates_in_one_process_list_recent_jobs_once(provider, emulator):
    for n in range(5):
        provider.create(inputs(triggers=[float(n)], wait_for_completion=False))
    assert emulator.control.count("CreateTask") == 5
    assert emulator.control.count("Jobs") == 1
    assert emulator.control.count("Login") == 0


def test_read_of_a_job_the_commserve_no_longer_knows_keeps_its_status_and_warns_naming_it(
    provider, emulator, capsys
):
    outs = provider.create(inputs()).outs
    [job_id] = outs["job_ids"]
    emulator.control.forget_job(job_id)
    capsys.readouterr()

    result = provider.read("58798", outs)

    assert result.outs["jobs"][0]["status"] == "Completed"
    warning = capsys.readouterr().out
    assert warning.startswith("warning: ")
    assert f"no longer knows backup job {job_id} of oradb01/ORCL/default" in warning
    assert "Completed" in warning


def test_a_read_that_cannot_connect_names_the_url_and_how_refresh_takes_a_changed_one(
    provider, emulator, monkeypatch
):
    outs = provider.create(inputs()).outs
    connections.close_all()
    settings.forget()
    monkeypatch.setenv("COMMVAULT_URL", closed_port_url())

    with pytest.raises(BackupTriggerError) as caught:
        provider.read("58798", outs)

    message = str(caught.value)
    assert message.startswith(f"refreshing backup jobs {outs['job_ids'][0]}: ")
    assert "could not connect" in message
    assert "commvault:url" in message
    assert "pulumi refresh --run-program" in message


def test_a_read_budget_from_the_stack_config_paces_the_wait(emulator, api_token, no_provider_env):
    provider = OracleBackupTriggerProvider()
    config = Config(
        {
            "commvault:url": emulator.url,
            "commvault:authToken": api_token,
            "commvault:maxReadsPerHour": "1200",  # a read every 3 s at most
        },
        "proj",
    )
    provider.configure(ConfigureRequest(config))
    emulator.control.job_defaults(seconds=4.0)
    outs = provider.create(inputs()).outs
    assert outs["jobs"][0]["status"] == "Completed"
    # The first is the read-back of the job just started, once per process, like the guard's
    # listing before it: the watcher's reads are paced.
    times = [r["time"] for r in emulator.control.requests() if r["endpoint"] == "Job"][1:]
    assert len(times) >= 2
    assert min(b - a for a, b in itertools.pairwise(times)) >= 2.9


@pytest.mark.parametrize("value", ["0", "-5", "many", "1.5"])
def test_a_bad_read_budget_names_the_config_key_and_the_variable(
    emulator, api_token, no_provider_env, value
):
    provider = OracleBackupTriggerProvider()
    config = Config(
        {
            "commvault:url": emulator.url,
            "commvault:authToken": api_token,
            "commvault:maxReadsPerHour": value,
        },
        "proj",
    )
    provider.configure(ConfigureRequest(config))
    with pytest.raises(BackupTriggerError) as caught:
        provider.create(inputs())
    assert create_task_count(emulator) == 0
    assert "commvault:maxReadsPerHour" in str(caught.value)
    assert "COMMVAULT_MAX_READS_PER_HOUR" in str(caught.value)


def test_the_read_budget_falls_back_to_the_environment(emulator, provider_env, monkeypatch):
    from pulumi_commvault.runtime import settings

    monkeypatch.setenv("COMMVAULT_MAX_READS_PER_HOUR", "900")
    settings.forget()
    assert settings.max_reads_per_hour() == 900
    monkeypatch.delenv("COMMVAULT_MAX_READS_PER_HOUR")
    settings.forget()
    assert settings.max_reads_per_hour() is None


def test_resources_checked_before_their_creates_share_one_guard_look_up(provider, emulator):
    first = inputs(wait_for_completion=False)
    second = inputs(client_name="oradb02", instance_name="SALES", wait_for_completion=False)
    for props in (first, second):
        provider.check({}, props)  # the engine checks every resource before creating any
    for props in (first, second):
        provider.create(props)
    assert emulator.control.count("CreateTask") == 2
    assert emulator.control.count("Jobs") == 1


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("COMMVAULT_ADOPT_JOBS", "3400891,latest", "expected job ids, e.g. 3400891,3400892"),
        ("COMMVAULT_START_NEW_FOR", "a marker!", "expected request markers"),
    ],
)
def test_a_malformed_decision_variable_names_it_and_nothing_is_sent(
    provider, emulator, monkeypatch, variable, value, expected
):
    monkeypatch.setenv(variable, value)
    emulator.control.clear_requests()

    with pytest.raises(BackupTriggerError) as caught:
        provider.create(inputs())

    assert str(caught.value).startswith(f"environment variable {variable}: {expected}")
    assert "unset it or set it to a comma-separated list of them" in str(caught.value)
    assert emulator.control.count("CreateTask") == 0
