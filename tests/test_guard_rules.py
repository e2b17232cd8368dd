"""The duplicate guard's rules (docs/duplicate-guard.md) as one table: each row one rule, over
plain values, no emulator. What a request was sent, what the CommServe shows, what this
machine recorded and what the user named -> the jobs it adopts, or the stop and its jobs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from guard_support import ORCL, SALES, backup
from pulumi_commvault.commvault.guard.rules import (
    NO_DECISIONS,
    JobDecisions,
    OwnJob,
    UnmarkedJob,
    Verdict,
    Window,
    judge,
)
from pulumi_commvault.commvault.job_status import JobOutcome, classify
from pulumi_commvault.commvault.journal import OtherSend, Send
from pulumi_commvault.commvault.marking import Database
from pulumi_commvault.commvault.models import JobSummary

SENT = 1_000_000.0
TAG = "[pulumi-commvault:rule]"
ARCHIVE = Database("oradb01", "ORCL", "archivelog")


def job(
    job_id: int,
    status: str = "Running",
    *,
    db: Database = ORCL,
    started: float = SENT + 5,
    level: str = "Full",
    user: str = "admin",
    aged: bool = False,
) -> JobSummary:
    return JobSummary.model_validate(
        {
            "job_id": job_id,
            "status": status,
            "job_start_time": int(started),
            "backup_level_name": level,
            "job_type": "Backup",
            "userName": {"userName": user},
            "is_aged": aged,
            "subclient": {
                "client_name": db.client_name,
                "instance_name": db.instance_name,
                "subclient_name": db.subclient_name,
            },
        }
    )


def marked(summary: JobSummary) -> OwnJob:
    return OwnJob(str(summary.job_id), summary)


def recorded(summary: JobSummary, sent_at: float = SENT) -> OwnJob:
    return OwnJob(str(summary.job_id), summary, sent_at)


def unmarked(summary: JobSummary, description: str | None = None, by: str = "") -> UnmarkedJob:
    return UnmarkedJob(summary, by, description)


def running_or_finished_well(summary: JobSummary) -> bool:
    """What the provider and CLI pass: the status only; aging is the rules' own concern."""
    return classify(summary.status) in (JobOutcome.ACTIVE, JobOutcome.SUCCEEDED)


@dataclass(frozen=True)
class Case:
    own: tuple[OwnJob, ...] = ()
    unmarked: tuple[UnmarkedJob, ...] = ()
    window: Window | None = None
    decisions: JobDecisions = NO_DECISIONS
    databases: tuple[Database, ...] = (ORCL,)
    adopted: tuple[int, ...] = ()
    stop: tuple[int, ...] = ()
    refused: tuple[str, ...] = ()
    passed_over: tuple[int, ...] = ()
    not_reused: tuple[str, ...] = ()
    twins: tuple[OtherSend, ...] = ()


LOST = Window(SENT, SENT + 10)
#: Another request of this machine, same database, whose answer was lost a second later.
TWIN = OtherSend("twin", Send(SENT + 1, SENT + 11))

RULES = {
    "a running job carrying the marker is adopted": Case(own=(marked(job(1)),), adopted=(1,)),
    "a finished-well job carrying the marker is adopted": Case(
        own=(marked(job(1, "Completed")),), adopted=(1,)
    ),
    "a failed job carrying the marker is not: a new job is sent, saying why": Case(
        own=(marked(job(1, "Failed")),), not_reused=("1: failed (Failed)",)
    ),
    "a killed job carrying the marker is not: a new job is sent, saying why": Case(
        own=(marked(job(1, "Killed")),), not_reused=("1: failed (Killed)",)
    ),
    "an aged job carrying the marker is not: a new job is sent, saying why": Case(
        own=(marked(job(1, "Completed", aged=True)),), not_reused=("1: aged out of retention",)
    ),
    "an aged job this machine recorded is not: a new job is sent, saying why": Case(
        own=(recorded(job(1, "Completed", aged=True)),), not_reused=("1: aged out of retention",)
    ),
    "a recorded job no longer shown (pruned) is not: a new job is sent, saying why": Case(
        own=(OwnJob("1", None, SENT),),
        not_reused=("1: unknown to the CommServe (pruned or never existed)",),
    ),
    "completed with errors is adopted only where the request accepts it": Case(
        own=(marked(job(1, "Completed w/ one or more errors")),),
        not_reused=("1: Completed w/ one or more errors, which this request does not accept",),
    ),
    "a dead earlier job beside a live one of the same database is not named": Case(
        own=(marked(job(2)), marked(job(1, "Failed"))), adopted=(2,)
    ),
    "the newest of a database's own jobs is adopted": Case(
        own=(marked(job(2)), marked(job(1))), adopted=(2,)
    ),
    "a recorded answer's job is adopted by id": Case(
        own=(recorded(job(1, "Completed")),), adopted=(1,)
    ),
    "a recorded job that started before its send is another (a reused id)": Case(
        own=(recorded(job(1, "Completed", started=SENT - 3600)),)
    ),
    "each database gets its own job": Case(
        own=(marked(job(1)), marked(job(2, db=SALES))), databases=(ORCL, SALES), adopted=(1, 2)
    ),
    "details showing the marker adopt the job": Case(
        unmarked=(unmarked(job(1), TAG),), window=LOST, adopted=(1,)
    ),
    "details showing another description rule the job out": Case(
        unmarked=(unmarked(job(1), "[pulumi-commvault:other]"),), window=LOST
    ),
    "a job a schedule started is no request's": Case(
        unmarked=(unmarked(job(1), by="Scheduled"),), window=LOST
    ),
    "after a lost answer, the one job started in its window is adopted": Case(
        unmarked=(unmarked(job(1)),), window=LOST, adopted=(1,)
    ),
    "after a lost answer, a job started outside its window is not": Case(
        unmarked=(unmarked(job(1, started=SENT - 3600)),), window=LOST
    ),
    "a queued job that shows no start time cannot be ruled out by time": Case(
        unmarked=(unmarked(job(1, "Waiting", started=0)),), window=LOST, adopted=(1,)
    ),
    "after a lost answer, several jobs in its window stop it": Case(
        unmarked=(unmarked(job(2)), unmarked(job(1))), window=LOST, stop=(2, 1)
    ),
    "with no send known, a running job that fits stops it": Case(
        unmarked=(unmarked(job(1)),), stop=(1,)
    ),
    "with no send known, a finished job that fits is another's: sent, and named": Case(
        unmarked=(unmarked(job(1, "Completed")),), passed_over=(1,)
    ),
    "a job the user named to adopt is adopted, finished too": Case(
        unmarked=(unmarked(job(1, "Completed")),),
        decisions=JobDecisions(adopt=frozenset({"1"})),
        adopted=(1,),
        passed_over=(1,),
    ),
    "a request the user said to start anew sends": Case(
        unmarked=(unmarked(job(1)),), decisions=JobDecisions(start_new=frozenset({"rule"}))
    ),
    "two jobs named for one database stop again": Case(
        unmarked=(unmarked(job(2)), unmarked(job(1))),
        decisions=JobDecisions(adopt=frozenset({"1", "2"})),
        stop=(2, 1),
    ),
    "an id the CLI insists on that is no candidate is refused": Case(
        unmarked=(unmarked(job(1)),),
        decisions=JobDecisions(adopt=frozenset({"9"}), insist=True),
        refused=("9",),
    ),
    "a job of another subclient is not the request's": Case(
        unmarked=(unmarked(job(1, db=ARCHIVE)),), window=LOST
    ),
    "a database with its own job is not stopped by unmarked ones": Case(
        own=(marked(job(3)),), unmarked=(unmarked(job(2)), unmarked(job(1))), adopted=(3,)
    ),
    "twins' lost answers: the earlier send has the lower job id": Case(
        unmarked=(unmarked(job(2)), unmarked(job(1))), window=LOST, twins=(TWIN,), adopted=(1,)
    ),
    "twins' lost answers: the later send has the higher job id": Case(
        unmarked=(unmarked(job(2)), unmarked(job(1))),
        window=Window(SENT + 2, SENT + 12),
        twins=(TWIN,),
        adopted=(2,),
    ),
    "twins' lost answers with more jobs than sends stop it": Case(
        unmarked=(unmarked(job(3)), unmarked(job(2)), unmarked(job(1))),
        window=LOST,
        twins=(TWIN,),
        stop=(3, 2, 1),
    ),
    "a twin whose send was long before the window pairs nothing": Case(
        unmarked=(unmarked(job(2)), unmarked(job(1))),
        window=LOST,
        twins=(OtherSend("twin", Send(SENT - 3600, SENT - 3590)),),
        stop=(2, 1),
    ),
    "a dead unmarked job is never adopted, even in the window": Case(
        unmarked=(unmarked(job(1, "Failed")),), window=LOST
    ),
}


@pytest.mark.parametrize("case", list(RULES.values()), ids=list(RULES))
def test_guard_rule(case: Case) -> None:
    request = backup("rule", *case.databases)
    verdict: Verdict = judge(
        request,
        case.own,
        case.unmarked,
        window=case.window,
        decisions=case.decisions,
        adoptable=running_or_finished_well,
        twins={ORCL.key: case.twins},
    )
    adopted = tuple(
        verdict.adopt[db.key].job_id for db in case.databases if db.key in verdict.adopt
    )
    assert adopted == case.adopted
    stopped = (
        [j.job_id for group in verdict.stop.jobs.values() for j in group] if verdict.stop else []
    )
    assert tuple(stopped) == case.stop
    assert tuple(verdict.refused) == case.refused
    assert tuple(s.job_id for s in verdict.passed_over) == case.passed_over
    assert tuple(f"{d.job_id}: {d.why}" for d in verdict.not_reused) == case.not_reused
