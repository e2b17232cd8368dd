"""The duplicate guard: it looks only among the request's clients' Oracle backups, once per
process for the same clients, and never stops looking silently."""

from __future__ import annotations

import threading

import pytest

from guard_support import ORCL, SALES, backup
from pulumi_commvault.commvault.backups import (
    Database,
    GuardIncompleteError,
    GuardScope,
    MarkedJobIndex,
    start_backup,
)
from pulumi_commvault.commvault.guard import listing
from pulumi_commvault.commvault.models import CreateTaskRequest


def unrelated_jobs(client, database: Database, count: int, *, description: str = "") -> None:
    """Jobs of other requests (or none): what a busy CommServe holds besides ours."""
    for _ in range(count):
        request = CreateTaskRequest.oracle_backup(
            [database.association()], level="Full", job_description=description or None
        )
        client.create_task(request)


def adopt_anything(_summary) -> bool:
    return True


def test_jobs_of_other_clients_do_not_cost_the_guard_a_page(client, emulator):
    emulator.control.job_defaults(seconds=0.2)
    [earlier] = start_backup(client, backup("busy-1"), adoptable=adopt_anything)
    unrelated_jobs(client, SALES, 25, description="[pulumi-commvault:someone-else]")
    index = MarkedJobIndex(GuardScope(page_size=10))

    [job] = start_backup(client, backup("busy-1"), adoptable=adopt_anything, index=index)

    assert (job.job_id, job.adopted) == (earlier.job_id, True)
    assert index.listings == 1  # 26 jobs in all, 10 a page: oradb02's were never listed


def test_the_guard_pages_through_every_job_of_the_clients_it_must_see(client, emulator):
    emulator.control.job_defaults(seconds=0.2)
    [earlier] = start_backup(client, backup("deep-1"), adoptable=adopt_anything)
    unrelated_jobs(client, ORCL, 7)
    index = MarkedJobIndex(GuardScope(page_size=3))

    [job] = start_backup(client, backup("deep-1"), adoptable=adopt_anything, index=index)

    assert (job.job_id, job.adopted) == (earlier.job_id, True)
    assert index.listings == 3


def test_a_guard_that_cannot_see_every_job_says_so_and_starts_none(client, emulator):
    unrelated_jobs(client, ORCL, 5)
    before = emulator.control.count("CreateTask")
    index = MarkedJobIndex(GuardScope(page_size=2, max_pages=2))

    with pytest.raises(GuardIncompleteError) as caught:
        start_backup(client, backup("bounded-1"), adoptable=adopt_anything, index=index)

    assert emulator.control.count("CreateTask") == before
    message = str(caught.value)
    assert "cannot rule out" in message
    assert "no backup was started" in message


def test_resources_backing_up_the_same_clients_share_one_look_up(client, emulator):
    index = MarkedJobIndex()
    emulator.control.clear_requests()
    for n in range(4):
        start_backup(
            client, backup(f"shared-{n}", ORCL, SALES), adoptable=adopt_anything, index=index
        )
    assert emulator.control.count("Jobs") == 1
    assert index.listings == 1


def test_requests_arriving_during_a_listing_wait_for_it_and_list_their_clients_once(
    client, emulator
):
    index = MarkedJobIndex()
    client.client_ids()
    emulator.control.clear_requests()
    emulator.control.inject("Jobs", "delay", count=1, delay_seconds=0.5)
    first = threading.Thread(
        target=start_backup,
        args=(client, backup("first", ORCL)),
        kwargs={"adoptable": adopt_anything, "index": index},
    )
    first.start()
    while emulator.control.count("Jobs") == 0:
        threading.Event().wait(0.02)
    later = [
        threading.Thread(
            target=start_backup,
            args=(client, backup(f"later-{n}", SALES)),
            kwargs={"adoptable": adopt_anything, "index": index},
        )
        for n in range(3)
    ]
    for thread in later:
        thread.start()
    for thread in [first, *later]:
        thread.join()
    assert index.listings == 2  # oradb01, then oradb02 once for the three requests
    assert emulator.control.count("CreateTask") == 4


def test_clients_announced_before_their_creates_are_listed_with_the_first(client, emulator):
    index = MarkedJobIndex()
    index.expect(["ORADB02"])
    emulator.control.clear_requests()
    start_backup(client, backup("announced-1", ORCL), adoptable=adopt_anything, index=index)
    start_backup(client, backup("announced-2", SALES), adoptable=adopt_anything, index=index)
    assert emulator.control.count("Jobs") == 1


def test_on_a_busy_commserve_the_first_look_up_of_several_clients_lists_only_theirs(
    client, emulator, monkeypatch
):
    monkeypatch.setattr(listing, "PROBE_PAGE_SIZE", 3)
    emulator.control.job_defaults(seconds=0.2)
    earlier = start_backup(client, backup("busy-probe", ORCL, SALES), adoptable=adopt_anything)
    unrelated_jobs(client, SALES, 4)  # more recent Oracle backups than the probe's page holds
    index = MarkedJobIndex()
    index.expect(["oradb01", "oradb02"])

    jobs = start_backup(
        client, backup("busy-probe", ORCL, SALES), adoptable=adopt_anything, index=index
    )

    assert [j.adopted for j in jobs] == [True, True]
    assert [j.job_id for j in jobs] == [j.job_id for j in earlier]
    assert index.listings == 2  # the probe (full), then the two clients' own listing
