"""A busy CommServe's past, made at start-up: ``--history-jobs N`` and ``--history-clients M``.

M clients beside the inventory's own (file servers, SQL Servers, VMware hypervisors, Oracle
hosts, in turn), and N backup jobs of their subclients spread over the last
``HISTORY_DAYS`` days, oldest first, with ids just below the first id the API hands out.
Jobs that ended are in every terminal status (mostly ``Completed``); the ones whose run
reaches past now are still running and end on their own. Jobs that ended more than
``AGED_AFTER_DAYS`` ago are aged (listed only with ``showAgedJobs``). The same seed gives
the same history, relative to the instant it is made. History jobs never touch the
inventory's own clients, so a backup there is never queued behind one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from commvault_emulator.inventory import Client, Instance, Inventory, Subclient, Target
from commvault_emulator.jobs import COMPLETED, COMPLETED_WITH_ERRORS, FAILED, KILLED, Job

HISTORY_DAYS = 7.0
AGED_AFTER_DAYS = 5.0  # UNCERTAIN: data aging depends on each storage policy's retention
DEFAULT_CLIENTS = 100
MAX_JOBS = 1_000_000
SEED = 13
HISTORY_USER = "admin"

COMPLETED_WITH_WARNINGS = "Completed w/ one or more warnings"
FAILED_TO_START = "Failed to Start"
COMMITTED = "Committed"
# Terminal statuses and their share of finished jobs. UNCERTAIN: the mix is invented; the
# names are the ones Commvault shows (cvpysdk's Job.is_finished looks for completed,
# killed, committed and failed).
TERMINAL = (
    (COMPLETED, 0.86),
    (COMPLETED_WITH_ERRORS, 0.04),
    (COMPLETED_WITH_WARNINGS, 0.03),
    (FAILED, 0.03),
    (KILLED, 0.02),
    (FAILED_TO_START, 0.01),
    (COMMITTED, 0.01),
)
REASONS = {
    FAILED: "Error Code: [7:75] Description: Failed to back up one or more items (emulated).",
    COMPLETED_WITH_ERRORS: "Error Code: [7:73] Description: Some items were skipped (emulated).",
    COMPLETED_WITH_WARNINGS: "Error Code: [7:78] Description: A warning was raised (emulated).",
    KILLED: "The job was killed by user [admin].",
    FAILED_TO_START: "Error Code: [19:857] Description: The client is not reachable (emulated).",
    COMMITTED: "The job was committed by user [admin] (emulated).",
}


@dataclass(frozen=True)
class Agent:
    prefix: str
    application_id: int
    instance: str
    backupset: str
    subclients: tuple[str, ...]
    levels: tuple[tuple[str, float], ...]
    minutes: tuple[float, float]


AGENTS = (
    Agent(
        "fs",
        33,
        "DefaultInstanceName",
        "defaultBackupSet",
        ("default", "system-state"),
        (("Incremental", 0.8), ("Full", 0.1), ("Synthetic Full", 0.1)),
        (5, 60),
    ),
    Agent(
        "sql",
        81,
        "MSSQLSERVER",
        "defaultBackupSet",
        ("default", "logs"),
        (("Transaction Log", 0.6), ("Differential", 0.3), ("Full", 0.1)),
        (2, 30),
    ),
    Agent(
        "vmw",
        106,
        "VMware",
        "defaultBackupSet",
        ("default", "prod-vms"),
        (("Incremental", 0.85), ("Synthetic Full", 0.15)),
        (10, 90),
    ),
    Agent(
        "ora",
        22,
        "PROD",
        "default",
        ("default", "archivelog"),
        (("Incremental", 0.7), ("Full", 0.3)),
        (10, 60),
    ),
)


def history_clients(count: int, inventory: Inventory) -> list[Client]:
    """``count`` clients with ids above every id of ``inventory``."""
    clients, instances = inventory.clients, [i for c in inventory.clients for i in c.instances]
    next_client = max((c.id for c in clients), default=1) + 1
    next_instance = max((i.id for i in instances), default=10) + 1
    next_backupset = max((i.backupset_id for i in instances), default=20) + 1
    next_subclient = max((s.id for i in instances for s in i.subclients), default=100) + 1
    made = []
    for n in range(count):
        agent = AGENTS[n % len(AGENTS)]
        name = f"{agent.prefix}{n // len(AGENTS) + 1:04d}"
        subclients = []
        for sub in agent.subclients:
            subclients.append(Subclient(sub, next_subclient))
            next_subclient += 1
        instance = Instance(
            agent.instance,
            next_instance,
            agent.application_id,
            agent.backupset,
            next_backupset,
            subclients,
        )
        made.append(Client(name, next_client, f"{name}.example.com", name, [instance]))
        next_client, next_instance, next_backupset = (
            next_client + 1,
            next_instance + 1,
            next_backupset + 1,
        )
    return made


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if roll < total:
            return value
    return choices[-1][0]


def history_jobs(
    count: int, clients: list[Client], now: float, first_job_id: int, first_task_id: int
) -> list[Job]:
    """``count`` jobs of ``clients``' subclients over the last days, in id order."""
    targets = [Target(c, i, s) for c in clients for i in c.instances for s in i.subclients]
    if count <= 0 or not targets:
        return []
    agents = {a.application_id: a for a in AGENTS}
    entities = [t.entity() for t in targets]
    rng = random.Random(SEED)  # noqa: S311 # nosec B311 - a reproducible history, not a secret
    span = HISTORY_DAYS * 86400
    aged_before = now - AGED_AFTER_DAYS * 86400
    jobs = []
    for n in range(count):
        index = rng.randrange(len(targets))
        target, entity = targets[index], entities[index]
        agent = agents[target.instance.application_id]
        created = now - span + (n + rng.random()) * span / count
        seconds = rng.uniform(*agent.minutes) * 60
        job = Job(
            job_id=first_job_id + n,
            task_id=first_task_id + n,
            entity=entity,
            subclient_id=target.subclient.id,
            backup_level=_weighted(rng, agent.levels),
            cumulative=False,
            description="",
            notify=False,
            user_name=HISTORY_USER,
            created=created,
            seconds=seconds,
            outcome=COMPLETED,
        )
        if created + seconds <= now:
            job.outcome = _weighted(rng, TERMINAL)
            ran = 1.0 if job.outcome.startswith(COMPLETED) else rng.uniform(0.05, 0.95)
            job.ended_at = created + seconds * ran
            job.reason = REASONS.get(job.outcome, "")
            job.aged = job.ended_at < aged_before
        jobs.append(job)
    return jobs
