"""The subcommands of ``commvault-oracle``: backup, status, wait, restore.

Each returns an ``Exit`` code; failures raise ``CliFailure`` (or a ``CommvaultError``, which
``__init__.main`` turns into a code). The restore rules are the resource's: the arguments are
validated by ``RestoreInputs``, the declaration ``OracleRestore`` uses.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from ..commvault.backups import BackupRequest, Database, JobDecisions, MarkedJobIndex, start_backup
from ..commvault.client import CommvaultClient
from ..commvault.journal import SendJournal
from ..commvault.models import JobSummary
from ..commvault.pre_change import jobs_of_urn
from ..commvault.restorability import adoption_rule
from ..commvault.restores import (
    Instance,
    RestoreCheckError,
    RestoreFields,
    adoptable_restore,
    check_restore,
    instance_failures,
    restorable,
    start_restore,
)
from ..commvault.waiting import job_statuses, wait_for_jobs
from ..commvault.watcher import client_ids_of_jobs, finished
from ..runtime.settings import state_dir
from .display import Display, job_fields
from .exit_codes import CliFailure, Exit, worst
from .verdicts import is_backup, verdict

__all__ = ["CliFailure", "backup", "restore", "status", "wait"]

#: ``RestoreInputs`` field -> the argument that sets it, so messages name what the user typed.
RESTORE_ARGUMENTS = {
    "client_name": "SOURCE",
    "instance_name": "SOURCE",
    "from_backup": "a restore point (--backup-job-ids, --point-in-time, --scn or --latest)",
    "backup_job_ids": "--backup-job-ids",
    "point_in_time": "--point-in-time",
    "scn": "--scn",
    "latest": "--latest",
    "destination_client_name": "--to",
    "destination_instance_name": "--to",
    "confirm_overwrite": "--confirm-overwrite",
    "timeout_minutes": "--timeout-minutes",
    "description": "--description",
}
CLI_FIELDS = RestoreFields(
    source_client="SOURCE",
    source_instance="SOURCE",
    destination_client="--to",
    destination_instance="--to",
    job_ids="--backup-job-ids",
    point_in_time="--point-in-time",
    scn="--scn",
)


def _marker(kind: str, identity: Any, request_id: str | None) -> tuple[str, str]:
    request_id = request_id or datetime.now(UTC).date().isoformat()
    text = json.dumps({"kind": kind, "identity": identity, "request": request_id}, sort_keys=True)
    return "cli-" + hashlib.sha256(text.encode()).hexdigest()[:16], request_id


def _decisions(args: argparse.Namespace, marker: str) -> JobDecisions:
    """``--adopt-job`` / ``--new-job``: what the user decided about jobs the guard could not
    tell from this request's."""
    ids = [j.strip() for given in args.adopt_job for j in given.split(",")]
    bad = [j for j in ids if not j.isdigit()]
    if bad:
        raise CliFailure(Exit.BAD_INPUT, f"--adopt-job: {bad[0]!r} is not a job id")
    return JobDecisions(
        adopt=frozenset(ids),
        start_new=frozenset({marker}) if args.new_job else frozenset(),
        insist=True,
    )


def _split(text: str, what: str, parts: tuple[int, ...]) -> list[str]:
    pieces = [p.strip() for p in text.split("/")]
    if len(pieces) not in parts or not all(pieces):
        shape = "client/instance" + ("[/subclient]" if 3 in parts else "")
        raise CliFailure(Exit.BAD_INPUT, f"{what}: {text!r} is not {shape}")
    return pieces


def _wait(
    client: CommvaultClient,
    display: Display,
    job_ids: list[str],
    timeout_minutes: float,
    known: dict[str, JobSummary] | None = None,
) -> dict[str, JobSummary]:
    """Wait through the job watcher the provider uses (``known``: summaries already read);
    on Ctrl-C, the document names the jobs still unfinished before the interrupt ends it."""
    latest = dict(known or {})
    client_ids = None
    if known and len(job_ids) > 1:
        client_ids = client_ids_of_jobs(
            client, [(j, s.subclient.client_name) for j, s in known.items()]
        )
    with display.progress(job_ids) as show:

        def on_progress(summary: JobSummary) -> None:
            latest[str(summary.job_id)] = summary
            show(summary)

        try:
            return wait_for_jobs(
                client,
                job_ids,
                timeout_s=timeout_minutes * 60,
                on_progress=on_progress,
                client_ids=client_ids,
            )
        except KeyboardInterrupt:
            unfinished = [j for j in job_ids if j not in latest or not finished(latest[j])]
            display.put(job_ids_unfinished=unfinished)
            raise


def _judge(display: Display, summaries: dict[str, JobSummary | None]) -> Exit:
    """Show each job and its verdict; the exit code the worst of them earns."""
    codes = []
    jobs = []
    for job_id, summary in summaries.items():
        judged = verdict(summary)
        codes.append(judged.code)
        fields = job_fields(summary, job_id)
        if summary is None or is_backup(summary):
            fields.update(
                zip(("restorable", "restorable_reason"), restorable(summary), strict=True)
            )
        jobs.append(fields)
        display.line(_job_line(job_id, summary, fields))
        if judged.code is Exit.TIMED_OUT:
            display.error(f"job {job_id}: {judged.reason}: `commvault-oracle wait {job_id}`")
        elif judged.code is not Exit.SUCCESS:
            display.error(f"job {job_id}: {judged.reason}")
    display.put(jobs=jobs)
    return worst(codes)


def _job_line(job_id: str, summary: JobSummary | None, fields: dict[str, Any]) -> str:
    if summary is None:
        return f"job {job_id}: unknown to the CommServe"
    extra = f", restorable: {fields['restorable_reason']}" if "restorable" in fields else ""
    return (
        f"job {job_id}: {summary.job_type or 'Job'} {summary.status} "
        f"{summary.percent_complete:.0f}%{extra}"
    )


def backup(client: CommvaultClient, args: argparse.Namespace, display: Display) -> Exit:
    databases = []
    for text in args.databases:
        parts = _split(text, "DATABASE", (2, 3))
        databases.append(Database(*parts))
    keys = sorted(db.key for db in databases)
    if len(set(keys)) != len(keys):
        raise CliFailure(Exit.BAD_INPUT, "DATABASE: a database is listed more than once")
    marker, request_id = _marker(
        "backup", {"databases": keys, "level": args.level}, args.request_id
    )
    request = BackupRequest(
        databases=tuple(databases),
        level="Full" if args.level == "full" else "Incremental",
        marker=marker,
        description=args.description,
    )

    decisions = _decisions(args, marker)
    _check_databases(client, databases)
    display.put(request_id=request_id, request_marker=marker)
    started = start_backup(
        client,
        request,
        adoptable=adoption_rule(accept_completed_with_errors=False),
        index=MarkedJobIndex(notice=display.warning),
        decisions=decisions,
        journal=SendJournal(state_dir(), notice=display.warning),
    )
    display.put(
        job_ids=[j.job_id for j in started],
        adopted=[j.job_id for j in started if j.adopted],
        # as started; waiting replaces them with what became of them
        jobs=[{"job_id": j.job_id, "database": str(j.database)} for j in started],
    )
    for job in started:
        adopted = " (adopted: already started for this request)" if job.adopted else ""
        display.line(f"backup of {job.database}: job {job.job_id}{adopted}")
    if not args.wait:
        return Exit.SUCCESS
    return _judge(
        display, dict(_wait(client, display, [j.job_id for j in started], args.timeout_minutes))
    )


def _check_databases(client: CommvaultClient, databases: list[Database]) -> None:
    """Refuse, before anything is sent, a database whose client or instance the CommServe
    does not have (or that is no Oracle instance): restore's check, naming DATABASE."""
    client_ids = client.client_ids()
    failures = [
        failure
        for db in databases
        for failure in instance_failures(
            client,
            client_ids,
            Instance(db.client_name, db.instance_name),
            ("DATABASE", "DATABASE"),
            "database",
        )
    ]
    if failures:
        raise CliFailure(Exit.BAD_INPUT, f"nothing was sent: {RestoreCheckError(failures)}")


def _job_ids(values: list[str], what: str) -> list[str]:
    """Job ids given one by one, separated by commas or spaces, or as a JSON list (what
    ``pulumi stack output NAME --json`` prints)."""
    ids = [piece for value in values for piece in _pieces(value)]
    bad = [i for i in ids if not i.isdigit()]
    if bad or not ids:
        raise CliFailure(Exit.BAD_INPUT, f"{what}: {', '.join(bad) or 'none'} is not a job id")
    return ids


def _pieces(value: str) -> list[str]:
    if value.strip().startswith("["):
        try:
            listed = json.loads(value)
        except ValueError:
            return [value]
        return [str(v) for v in listed] if isinstance(listed, list) else [value]
    return value.replace(",", " ").split()


def status(client: CommvaultClient, args: argparse.Namespace, display: Display) -> Exit:
    job_ids = _status_job_ids(client, args)
    if not job_ids:
        display.error(f"no pre-change backup of {args.urn} in the last 7 days")
        return Exit.UNKNOWN_JOB
    display.put(job_ids=job_ids)
    summaries = job_statuses(client, job_ids)
    code = _judge(display, {j: summaries.get(j) for j in job_ids})
    if code is Exit.UNKNOWN_JOB:
        display.error(UNKNOWN_HINT)
    return code


def _status_job_ids(client: CommvaultClient, args: argparse.Namespace) -> list[str]:
    """The JOBs given, or with ``--urn`` the jobs of that resource's pre-change backups."""
    if args.urn is None:
        if not args.job_ids:
            raise CliFailure(Exit.BAD_INPUT, "status: give JOB ids, or --urn URN")
        return _job_ids(args.job_ids, "JOB")
    if args.job_ids:
        raise CliFailure(Exit.BAD_INPUT, "status: give JOB ids or --urn URN, not both")
    return jobs_of_urn(client, args.urn)


UNKNOWN_HINT = (
    "a job the CommServe does not show was pruned, never existed, or is another CommServe's: "
    "check the id against COMMVAULT_URL"
)


def wait(client: CommvaultClient, args: argparse.Namespace, display: Display) -> Exit:
    job_ids = _job_ids(args.job_ids, "JOB")
    display.put(job_ids=job_ids)
    known = job_statuses(client, job_ids)
    unknown = [j for j in job_ids if j not in known]
    if unknown:
        _judge(display, {j: known.get(j) for j in job_ids})
        display.error(f"not waiting: {UNKNOWN_HINT}")
        return Exit.UNKNOWN_JOB
    return _judge(display, dict(_wait(client, display, job_ids, args.timeout_minutes, known)))


def _restore_inputs(args: argparse.Namespace) -> dict[str, Any]:
    client_name, instance_name = _split(args.source, "SOURCE", (2,))
    props: dict[str, Any] = {
        "client_name": client_name,
        "instance_name": instance_name,
        "recover": not args.no_recover,
        "timeout_minutes": args.timeout_minutes,
    }
    if args.to:
        props["destination_client_name"], props["destination_instance_name"] = _split(
            args.to, "--to", (2,)
        )
    if args.backup_job_ids is not None:
        props["backup_job_ids"] = _job_ids([args.backup_job_ids], "--backup-job-ids")
    optional = {
        "point_in_time": args.point_in_time,
        "scn": args.scn,
        "confirm_overwrite": args.confirm_overwrite,
        "description": args.description,
    }
    props.update({k: v for k, v in optional.items() if v is not None})
    if args.latest:
        props["latest"] = True
    return props


def restore(client: CommvaultClient, args: argparse.Namespace, display: Display) -> Exit:
    # The resource's declaration judges the arguments; it imports the Pulumi SDK, so only here.
    from ..oracle_restore.inputs import check_inputs

    props = _restore_inputs(args)
    inputs, failures = check_inputs(props)
    if failures or inputs is None:
        text = "; ".join(
            f"{RESTORE_ARGUMENTS.get(field, field)}: {reason}" for field, reason in failures
        )
        raise CliFailure(Exit.BAD_INPUT, text.replace("confirm_overwrite=", "--confirm-overwrite "))
    marker, request_id = _marker("restore", inputs.identity(), args.request_id)
    request = dataclasses.replace(inputs.restore_request([]), marker=marker)
    try:
        check_restore(client, request, CLI_FIELDS)
    except RestoreCheckError as exc:
        raise CliFailure(Exit.BAD_INPUT, f"nothing was sent: {exc}") from None
    decisions = _decisions(args, marker)
    display.put(request_id=request_id, request_marker=marker)
    started = start_restore(
        client,
        request,
        index=MarkedJobIndex(notice=display.warning),
        adoptable=adoptable_restore,
        decisions=decisions,
        journal=SendJournal(state_dir(), notice=display.warning),
    )
    adopted = " (adopted: already started for this request)" if started.adopted else ""
    display.line(
        f"restore of {request.source} onto {request.destination} from "
        f"{request.point.describe()}: job {started.job_id}{adopted}"
    )
    display.put(
        job_ids=[started.job_id],
        adopted=[started.job_id] if started.adopted else [],
        restore_point={
            "kind": request.point.kind,
            "described": request.point.describe(),
            "source": str(request.source),
            "destination": str(request.destination),
            "in_place": request.in_place,
        },
    )
    if started.adopted:
        _say_whether_restored_now(client, display, started.job_id, request_id)
    if not args.wait:
        return Exit.SUCCESS
    return _judge(display, dict(_wait(client, display, [started.job_id], args.timeout_minutes)))


def _say_whether_restored_now(
    client: CommvaultClient, display: Display, job_id: str, request_id: str
) -> None:
    """A re-run that adopts a restore job which already ended restored nothing now: say so,
    and how to restore again (a new request id), so a runbook's second rollback misleads no one."""
    summary = job_statuses(client, [job_id]).get(job_id)
    if summary is None or not finished(summary):
        display.put(restored_now=True)
        return
    display.put(restored_now=False)
    display.warning(
        f"nothing was restored now: restore job {job_id} of this request (--request-id "
        f"{request_id}) already ended {summary.status}; to restore again, run the same command "
        "with a new --request-id (e.g. --request-id "
        f"{request_id}-2)"
    )
