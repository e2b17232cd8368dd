"""Every job the emulator knows, indexed so that no request scans the history.

Jobs are kept by id, and in partitions (all jobs, per client, per subclient) that hold their
ids in id order, their active ids, and their finished jobs ordered by end time (aged jobs
apart). Counting the jobs of a category ended within a look-up time is then a few bisects;
a page is read from the id lists in order, or from the end-time slice; ``GET Job/{id}`` is
a dictionary look-up.

Settling (noticing that a job has ended) is done from a heap of known end times for the
jobs that wait for nothing and were never paused; the few others (queued behind another
job, paused, resumed) are settled in id order on each refresh, after the heap, so queues
still resolve forward. Not thread-safe: the state lock guards it.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from commvault_emulator.jobs import Job, settle

ALL, ACTIVE, FINISHED = 0, 1, 2


@dataclass
class Partition:
    ids: list[int] = field(default_factory=list)
    """Every job id that is not aged, ascending."""
    aged_ids: list[int] = field(default_factory=list)
    active: set[int] = field(default_factory=set)
    ends: list[tuple[float, int]] = field(default_factory=list)
    """(end time, job id) of finished jobs that are not aged, ascending."""
    aged_ends: list[tuple[float, int]] = field(default_factory=list)

    def count(self, category: int, cutoff: float | None, show_aged: bool) -> int:
        """Jobs of ``category`` (finished ones ended at or after ``cutoff``, when given)."""
        total = len(self.active) if category != FINISHED else 0
        if category != ACTIVE:
            for ends in (self.ends, self.aged_ends) if show_aged else (self.ends,):
                start = 0 if cutoff is None else bisect.bisect_left(ends, (cutoff, -1))
                total += len(ends) - start
        return total


def _remove_sorted(items: list[int], value: int) -> None:
    index = bisect.bisect_left(items, value)
    if index < len(items) and items[index] == value:
        del items[index]


def _remove_end(ends: list[tuple[float, int]], job: Job) -> None:
    if job.ended_at is None:
        return
    index = bisect.bisect_left(ends, (job.ended_at, job.job_id))
    if index < len(ends) and ends[index] == (job.ended_at, job.job_id):
        del ends[index]


@dataclass
class JobFilter:
    """What a job listing asks for, in the store's terms."""

    category: int = ALL
    cutoff: float | None = None
    """Finished jobs that ended before this instant are left out (None: no limit)."""
    client_ids: set[int] | None = None
    subclient_id: int | None = None
    entity: dict[str, int] = field(default_factory=dict)
    """Entity ids no index covers (instanceId, backupsetId, applicationId)."""
    show_aged: bool = False
    descending: bool = True
    offset: int = 0
    limit: int | None = None


class JobStore:
    def __init__(self) -> None:
        self.by_id: dict[int, Job] = {}
        self._all = Partition()
        self._clients: dict[int, Partition] = {}
        self._subclients: dict[int, Partition] = {}
        self._client_ids_by_name: dict[str, set[int]] = {}
        self._subclient_owner: dict[int, int] = {}
        self._due: list[tuple[float, int]] = []
        self._end_unknown: set[int] = set()
        """Active jobs whose end is not known in advance (queued or paused)."""

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, job_id: int) -> Job | None:
        return self.by_id.get(job_id)

    def _partitions(self, job: Job) -> tuple[Partition, ...]:
        client_id = job.entity["clientId"]
        return (
            self._all,
            self._clients.setdefault(client_id, Partition()),
            self._subclients.setdefault(job.subclient_id, Partition()),
        )

    def add(self, job: Job) -> None:
        """A new job; its id must be above every id the store holds."""
        self.load([job])

    def load(self, jobs: Iterable[Job]) -> None:
        """Add jobs in ascending id order, each above every id already held. Finished ones
        (a history) go to the end-time lists, which are sorted once at the end."""
        unsorted: dict[int, list[tuple[float, int]]] = {}
        for job in jobs:
            self.by_id[job.job_id] = job
            name = job.entity["clientName"].casefold()
            self._client_ids_by_name.setdefault(name, set()).add(job.entity["clientId"])
            self._subclient_owner[job.subclient_id] = job.entity["clientId"]
            for partition in self._partitions(job):
                (partition.aged_ids if job.aged else partition.ids).append(job.job_id)
                if job.ended_at is None:
                    partition.active.add(job.job_id)
                else:
                    ends = partition.aged_ends if job.aged else partition.ends
                    ends.append((job.ended_at, job.job_id))
                    unsorted[id(ends)] = ends
            if job.ended_at is None:
                self._track(job)
        for ends in unsorted.values():
            ends.sort()

    def _track(self, job: Job) -> None:
        """Schedule an active job for settling: by its end time when it is known."""
        if not job.waits_for and not job.pauses and job.killed_at is None:
            heapq.heappush(self._due, (job.created + job.seconds, job.job_id))
        else:
            self._end_unknown.add(job.job_id)

    def paused(self, job: Job) -> None:
        """A job was paused: its end is no longer known in advance (nor after a resume)."""
        if job.ended_at is None:
            self._end_unknown.add(job.job_id)

    def _finished(self, job: Job) -> None:
        """Move a job that has just ended from the active sets to the end-time lists."""
        self._end_unknown.discard(job.job_id)
        if job.ended_at is None:
            return
        for partition in self._partitions(job):
            if job.job_id in partition.active:
                partition.active.discard(job.job_id)
                ends = partition.aged_ends if job.aged else partition.ends
                bisect.insort(ends, (job.ended_at, job.job_id))

    def refresh(self, now: float) -> None:
        """Settle every job that has ended by ``now``."""
        while self._due and self._due[0][0] <= now:
            _, job_id = heapq.heappop(self._due)
            job = self.by_id.get(job_id)
            if job is None or job.ended_at is not None or job_id in self._end_unknown:
                continue
            settle(job, now)
            self._finished(job)
        for job_id in sorted(self._end_unknown):
            job = self.by_id[job_id]
            settle(job, now)
            if job.ended_at is not None:
                self._finished(job)

    def ended(self, job: Job) -> None:
        """A job was ended from outside (killed): index it as finished."""
        self._finished(job)

    def remove(self, job_id: int) -> Job | None:
        job = self.by_id.pop(job_id, None)
        if job is None:
            return None
        self._end_unknown.discard(job_id)
        for partition in self._partitions(job):
            _remove_sorted(partition.aged_ids if job.aged else partition.ids, job_id)
            partition.active.discard(job_id)
            _remove_end(partition.aged_ends if job.aged else partition.ends, job)
        return job

    def age(self, job_id: int) -> Job | None:
        """Age a job's data out of retention: listings show it only with ``showAgedJobs``."""
        job = self.by_id.get(job_id)
        if job is None or job.aged:
            return job
        for partition in self._partitions(job):
            _remove_sorted(partition.ids, job_id)
            bisect.insort(partition.aged_ids, job_id)
            if job.ended_at is not None and job.job_id not in partition.active:
                _remove_end(partition.ends, job)
                bisect.insort(partition.aged_ends, (job.ended_at, job_id))
        job.aged = True
        return job

    def active_on(self, subclient_id: int) -> list[Job]:
        partition = self._subclients.get(subclient_id)
        if partition is None:
            return []
        return [self.by_id[i] for i in sorted(partition.active)]

    def ended_on_client(self, client_id: int, since: float) -> list[Job]:
        """The client's finished jobs (not aged) that ended at or after ``since``, oldest end
        first: a bisect into its partition, never a scan of the history."""
        partition = self._clients.get(client_id)
        if partition is None:
            return []
        start = bisect.bisect_left(partition.ends, (since, -1))
        return [self.by_id[job_id] for _, job_id in partition.ends[start:]]

    def ended_on_subclient(self, subclient_id: int) -> Iterator[Job]:
        """The subclient's finished jobs (not aged), latest end first."""
        partition = self._subclients.get(subclient_id)
        ends = partition.ends if partition is not None else []
        return (self.by_id[job_id] for _, job_id in reversed(ends))

    def active_jobs(self) -> list[Job]:
        return [self.by_id[i] for i in sorted(self._all.active)]

    def all_jobs(self) -> list[Job]:
        """Every job in id order (the control plane's listing; scans by nature)."""
        return [self.by_id[i] for i in sorted(self.by_id)]

    def client_ids_named(self, names: set[str]) -> set[int]:
        return {i for name in names for i in self._client_ids_by_name.get(name, set())}

    # Listing --------------------------------------------------------------------------

    def select(self, query: JobFilter) -> tuple[int, list[Job]]:
        """(how many jobs match, the requested page of them)."""
        partitions = self._chosen(query)
        if not partitions:
            return 0, []
        end = None if query.limit is None or query.limit == 0 else query.offset + query.limit
        if not query.entity:
            total = sum(p.count(query.category, query.cutoff, query.show_aged) for p in partitions)
            page_ids = list(itertools.islice(self._ordered(partitions, query), query.offset, end))
            return total, [self.by_id[i] for i in page_ids]
        matching = [
            job
            for job in (self.by_id[i] for i in self._ordered(partitions, query))
            if all(job.entity.get(k) == v for k, v in query.entity.items())
        ]
        return len(matching), matching[query.offset : end]

    def _chosen(self, query: JobFilter) -> list[Partition]:
        """The smallest set of partitions that holds every job the query can match."""
        if query.subclient_id is not None:
            partition = self._subclients.get(query.subclient_id)
            if partition is None:
                return []
            owner = self._subclient_owner.get(query.subclient_id)
            if query.client_ids is not None and owner not in query.client_ids:
                return []
            return [partition]
        if query.client_ids is not None:
            return [self._clients[c] for c in sorted(query.client_ids) if c in self._clients]
        return [self._all]

    def _ordered(self, partitions: list[Partition], query: JobFilter) -> Iterator[int]:
        """The matching ids of the partitions, in the query's order, lazily where it can."""
        if query.category == ACTIVE:
            ids = sorted(i for p in partitions for i in p.active)
            return iter(reversed(ids) if query.descending else ids)
        if query.cutoff is not None:
            found = [] if query.category == FINISHED else [i for p in partitions for i in p.active]
            for partition in partitions:
                for ends in (
                    (partition.ends, partition.aged_ends) if query.show_aged else (partition.ends,)
                ):
                    start = bisect.bisect_left(ends, (query.cutoff, -1))
                    found.extend(job_id for _, job_id in ends[start:])
            found.sort(reverse=query.descending)
            return iter(found)
        lists = [p.ids for p in partitions]
        if query.show_aged:
            lists += [p.aged_ids for p in partitions]
        merged: Iterator[int] = (
            heapq.merge(*(reversed(ids) for ids in lists), reverse=True)
            if query.descending
            else heapq.merge(*lists)
        )
        if query.category == FINISHED:
            active = set().union(*(p.active for p in partitions))
            return (i for i in merged if i not in active)
        return merged
