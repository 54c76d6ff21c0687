"""Who owns the devices now, as a desk that queues a print job needs to know it.

A ticket's print job is handed to the owner of the devices in the transaction that issues the
ticket when that owner is alive (:func:`oss_desk.domain.delivery.hand_over_to`): its printer
lane then sends the job the moment the ticket's commit can be seen, without a durable claim of
its own in between. The heartbeat is read in the caller's write transaction, so an owner that
takes over after it is never skipped: a job handed to the one before is adopted by the new one.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.delivery import PRINT_LEASE_SECONDS, PrintRequest, WorkerState, hand_over_to
from oss_desk.storage.lease import Heartbeat, lock_held, read_heartbeat


def state_of(beat: Heartbeat | None, db: Path, real_now: datetime | None = None) -> WorkerState:
    """The owner of the devices as ``beat`` (its heartbeat row) and the lease of ``db`` on this
    host tell it (real time, even under OSS_DESK_NOW)."""
    now = real_now or datetime.now(UTC)
    seen = None
    if beat is not None and beat.stopped_at is None:
        seen = max(0.0, (now - read_instant(beat.seen_at)).total_seconds())
    return WorkerState(held=lock_held(db), seen_seconds=seen)


def live_owner(conn: sqlite3.Connection, db: Path) -> str | None:
    """The token of the owner of the devices of ``db`` when a print job queued now is handed to
    it (read with ``conn``, inside the transaction that queues the job); else None."""
    beat = read_heartbeat(conn)
    if beat is None or beat.stopped_at is not None:
        return None
    return hand_over_to(state_of(beat, db), beat.owner)


def queue_print(conn: sqlite3.Connection, db: Path, job: PrintRequest, now: datetime) -> int:
    """Queue ``job`` in the caller's write transaction on ``db`` (the job's id), handed to
    the live owner of the devices when there is one (:func:`live_owner`): its lane sends it
    the moment this transaction's commit can be seen."""
    from oss_desk.storage.outbox import queue_print_job  # on first print: not in a first frame

    return queue_print_job(
        conn,
        job,
        created_at=format_instant(now),
        owner=live_owner(conn, db),
        lease_until=format_instant(now + timedelta(seconds=PRINT_LEASE_SECONDS)),
    )
