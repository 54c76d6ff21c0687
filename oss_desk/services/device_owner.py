"""Who owns the devices now, as a desk that queues a print job needs to know it.

A ticket's print job is handed to the owner of the devices in the transaction that issues the
ticket when that owner is alive (:func:`oss_desk.domain.delivery.hand_over_to`): its printer
lane then sends the job the moment the ticket's commit can be seen, without a durable claim of
its own in between. The heartbeat is read in the caller's write transaction, so an owner that
takes over after it is never skipped: a job handed to the one before is adopted by the new one.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.delivery import PRINT_LEASE_SECONDS, PrintRequest, WorkerState, hand_over_to
from oss_desk.storage.lease import Heartbeat, lock_held, read_heartbeat
from oss_desk.storage.print_bell import expect_print


def state_of(beat: Heartbeat | None, db: Path, real_now: datetime | None = None) -> WorkerState:
    """The owner of the devices as ``beat`` (its heartbeat row) and the lease of ``db`` on this
    host tell it (real time, even under OSS_DESK_NOW)."""
    return WorkerState(held=lock_held(db), seen_seconds=_seen(beat, real_now))


def _seen(beat: Heartbeat | None, real_now: datetime | None = None) -> float | None:
    """Seconds since the owner's last heartbeat (None: none runs)."""
    if beat is None or beat.stopped_at is not None:
        return None
    now = real_now or datetime.now(UTC)
    return max(0.0, (now - read_instant(beat.seen_at)).total_seconds())


LEASE_LOOK_FRESH = 0.01
"""Seconds a look at the device lease made before a write transaction stays good in it: a desk
that waited longer for its turn to write looks again (an owner that died meanwhile is not
handed the job, to be printed by the next one marked COPY)."""


@dataclass(frozen=True, slots=True)
class PrintPlan:
    """What a print job's row needs that is known before its write transaction, worked out
    outside it (a desk issuing a ticket holds the write lock less): its times, and whether a
    process holds the device lease (a look at the lease file, good for
    :data:`LEASE_LOOK_FRESH`). The heartbeat is read inside: an owner that took over
    meanwhile is never skipped."""

    created_at: str
    lease_until: str
    held: bool | None
    looked_at: float
    """When the lease was looked at (``time.monotonic()``)."""


def plan_print(db: Path, now: datetime) -> PrintPlan:
    """The :class:`PrintPlan` of a job queued at ``now`` on ``db`` (before the transaction)."""
    lease_until = now + timedelta(seconds=PRINT_LEASE_SECONDS)
    held = lock_held(db)
    return PrintPlan(format_instant(now), format_instant(lease_until), held, time.monotonic())


def live_owner(
    conn: sqlite3.Connection, db: Path, plan: PrintPlan, *, printer_waited_on: bool = False
) -> str | None:
    """The token of the owner of the devices of ``db`` when a print job queued now is handed to
    it (read with ``conn``, inside the transaction that queues the job); else None (as when its
    printer is ``printer_waited_on``: :func:`~oss_desk.domain.delivery.hand_over_to`)."""
    beat = read_heartbeat(conn)
    if beat is None or beat.stopped_at is not None:
        return None
    fresh = time.monotonic() - plan.looked_at <= LEASE_LOOK_FRESH
    held = plan.held if fresh else lock_held(db)
    state = WorkerState(held=held, seen_seconds=_seen(beat))
    return hand_over_to(state, beat.owner, printer_waited_on=printer_waited_on)


def queue_print(
    conn: sqlite3.Connection,
    db: Path,
    job: PrintRequest,
    now: datetime,
    plan: PrintPlan | None = None,
) -> int:
    """Queue ``job`` in the caller's write transaction on ``db`` (the job's id), handed to
    the live owner of the devices when there is one (:func:`live_owner`): its lane sends it
    the moment this transaction's commit can be seen. ``plan``: made before the transaction
    (else now). A job for a printer whose queued jobs wait for its next try is neither handed
    over nor tried now: it waits for that try, after them (one try for all, in their order). A
    job handed over is also announced to its printer's lane
    (:mod:`oss_desk.storage.print_bell`), which connects and asks the printer how it is while
    this transaction commits.

    Nothing is drawn here: a ticket's paper is drawn by the lane once the commit can be seen,
    in the worker's process (measured with the speed table's TCP printer row, drawing it here
    made the issue's transaction longer by about as much as the lane took to draw it after, and
    on a busy host the whole way to the printer no shorter)."""
    from oss_desk.storage.outbox import queue_print_job  # on first print: not in a first frame
    from oss_desk.storage.print_state import next_try_waited

    plan = plan or plan_print(db, now)
    waited = next_try_waited(conn, job.printer_url, plan.created_at)
    owner = live_owner(conn, db, plan, printer_waited_on=waited is not None)
    if owner is not None:  # the rest of the transaction is this job's row: nearly its commit
        expect_print(db, job.printer_url)
    return queue_print_job(
        conn,
        job,
        created_at=plan.created_at,
        owner=owner,
        lease_until=plan.lease_until,
        due_at=waited,
    )
