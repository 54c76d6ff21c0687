"""``doctor``'s checks of the device worker and its print jobs.

The worker is what drives the printers, the board, reminders and the emailed reports. Running
means the desks' rule (``oss_desk.domain.delivery``): a process holds the device lease on this
host and has beaten lately in this very database. When none does, a desk app stands in within a
second of the lease coming free (``worker.take_over``, on by default); when nothing can (the
setting is off, or no desk app is open), the check fails: monitoring on doctor's exit code sees
a worker service that died overnight.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from oss_desk.clock import Clock, read_instant
from oss_desk.domain.delivery import (
    HEARTBEAT_SECONDS,
    TAKEOVER_POLL_SECONDS,
    WorkerState,
    holder_said,
)
from oss_desk.domain.device_faults import said_with
from oss_desk.domain.worker_faults import (
    BLIP_SAID,
    FAULT_SPAN_SECONDS,
    keeps_failing,
    recovered,
)
from oss_desk.services.delivery import (
    ATTENTION_HOURS,
    printer_label,
    recent_jobs_needing_answer,
    recent_jobs_retrying,
    ticket_is_over,
    worker_state,
)
from oss_desk.services.doctor_checks import Check, fail, ok, warn
from oss_desk.storage.database import Store
from oss_desk.storage.lease import WorkerLock, lock_held, read_heartbeat
from oss_desk.storage.maintenance import write_lock_held

UNDRIVEN = "nothing drives the printers, the board, reminders or the emailed reports"
START_IT = "start the service (`systemctl start oss-desk-worker`, or `oss-desk worker`)"


def worker_before_upgrade(path: Path) -> Check:
    """A database not upgraded yet: a worker on it is the older release's, to stop first."""
    if lock_held(path):
        return fail(
            "worker",
            f"{holder_said(WorkerLock.holder(path))} holds the worker lock (the older "
            "release's worker, or a desk): stop it before `oss-desk init`",
        )
    return ok("worker", "none running (nothing stops `oss-desk init` upgrading it)")


def worker(
    path: Path, store: Store, *, take_over: bool, alone: bool, disk_full: bool = False
) -> Check:
    """Running means both: a process holds the device lease on this host, and it has written
    its heartbeat into this very database lately (a worker left running across a `db restore
    --force` holds the lease but works on the replaced file). The rule is the desks' rule
    (``oss_desk.domain.delivery``): they agree. ``take_over``: ``worker.take_over`` (whether a
    desk app stands in when no worker runs); ``alone``: no other process had the database
    open as doctor began (an open desk app has it open: its standby may be about to take
    over, and is waited for); ``disk_full``: the disk holding the database has (nearly) no
    room left (the ``disk space`` check failed): a worker that has not worked lately is then
    waiting for room, which a restart cannot give (a new worker refuses to start)."""
    state = worker_state(store)
    if take_over and not alone and not state.alive and not state.held:
        # An open desk app's standby takes the free lease within a second.
        state = _stand_in(path, store, state)
    beat = read_heartbeat(store.conn)
    seen = read_instant(beat.seen_at) if beat is not None else None
    if state.alive and beat is not None and beat.owner is None:
        return fail(
            "worker",
            f"process {beat.pid} on {beat.host} is a worker of an older oss-desk release (it "
            "records no owner): it cannot work on this database; stop it and start this "
            "release's worker",
        )
    if state.alive and beat is not None and beat.failing and keeps_failing(beat.lane_faults):
        return fail(
            "worker",
            f"process {beat.pid} on {beat.host} is running but failing: {beat.failing} (its log "
            "says more: journalctl -u oss-desk-worker)",
        )
    if state.alive and beat is not None:
        who = f"{holder_said(beat.pid, beat.role)} on {beat.host}"
        running = f"running ({who}, heartbeat {state.seen_seconds:.0f} s ago)"
        if beat.failing and recovered(beat.lane_faults):  # each lane worked since its fault
            return ok("worker", f"{running}, {beat.failing}")
        if beat.failing:  # a blip, not a lane that keeps failing
            return warn("worker", f"{running}, with {beat.failing}; {BLIP_SAID}")
        return ok("worker", running)
    last = f" (last seen {seen:%Y-%m-%d %H:%M:%S}Z)" if seen else ""
    if state.held:
        # It holds the lease, so no desk app can stand in: nothing is delivered.
        stuck = (
            f"{holder_said(WorkerLock.holder(path))} holds the worker lock but has not worked on "
            f"this database lately{last}"
        )
        if not disk_full and write_lock_held(path):
            return _waiting_for_the_lock(path, seen, state.seen_seconds)
        if disk_full:  # waiting for room: a restart cannot help (a new worker refuses)
            return fail(
                "worker",
                f"{stuck}: the disk holding it is full (see disk space): {UNDRIVEN} until there "
                "is room; free space there and it carries on by itself (a restart cannot help: "
                "a worker does not start on a full disk)",
            )
        return fail(
            "worker", f"{stuck}: {UNDRIVEN}; restart it (systemctl restart oss-desk-worker)"
        )
    why = (
        "no desk app is open to stand in (one opened on this host runs it while none runs)"
        if take_over
        else "with worker.take_over = false no desk app runs it"
    )
    first = "; free space on the database's disk first (see disk space)" if disk_full else ""
    return fail("worker", f"not running{last}; {why}: {UNDRIVEN}; {START_IT}{first}")


def _waiting_for_the_lock(path: Path, seen: datetime | None, seen_seconds: float | None) -> Check:
    """A worker that has not beaten because another process holds the database's write lock:
    it carries on by itself once the lock is let go, and a restart cannot help (a new worker
    waits for the same lock). A warning while that is recent; held for longer than a lane's
    faults are said (5 minutes), it fails: nothing is delivered until that process lets go."""
    last = f", last worked on it at {seen:%Y-%m-%d %H:%M:%S}Z" if seen else ""
    who = holder_said(WorkerLock.holder(path))
    waiting = (
        f"waiting for the database: another process holds its write lock (the worker, {who}{last})"
    )
    if seen_seconds is not None and seen_seconds < FAULT_SPAN_SECONDS:
        return warn("worker", f"{waiting}; it carries on once the lock is let go (no restart)")
    return fail(
        "worker",
        f"{waiting}: {UNDRIVEN} meanwhile; find the process holding it (a restart of the "
        "worker cannot help)",
    )


def _stand_in(path: Path, store: Store, state: WorkerState) -> WorkerState:
    """The worker state once a standby has had time to take the free lease
    (it tries every :data:`TAKEOVER_POLL_SECONDS`): the same state when none did."""
    deadline = time.monotonic() + 2 * TAKEOVER_POLL_SECONDS + 0.5
    taken = False
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = worker_state(store)
        if now.alive:
            return now
        if now.held and not taken:  # taken: its first heartbeat follows (a busy host: a while)
            taken, deadline = True, time.monotonic() + HEARTBEAT_SECONDS
    return worker_state(store)


def print_jobs(store: Store, clock: Clock) -> Check:
    """Print jobs that failed or may not have printed, not yet answered at their desk, and
    those waiting for another try: each said with its count. Those of tickets now over are
    said apart (no desk will ask about them, no reprint can help), never as waiting."""
    now: datetime = clock.now()
    found = recent_jobs_needing_answer(store.conn, now)
    jobs = [job for job in found if not ticket_is_over(job)]
    over = len(found) - len(jobs)
    of_over = f"{over} failed or unconfirmed of {'a ticket' if over == 1 else 'tickets'} now over"
    aside = f"; also {of_over} (no desk will ask)" if over else ""
    retrying, reason = recent_jobs_retrying(store.conn, now)
    waiting = said_with(f"{retrying} waiting for another try", reason) if retrying else ""
    if not jobs:
        hours = f"in the last {ATTENTION_HOURS} hours"
        none = f"none to see to {hours} ({of_over}: no desk will ask)" if over else ""
        none = none or f"none failed or unconfirmed {hours}"
        if retrying:
            return warn("print jobs", f"{waiting}; {none}")
        return ok("print jobs", none)
    latest = jobs[-1]
    what = f"ticket {latest.code}" if latest.code else latest.kind.replace("_", " ")
    where = f" at {latest.desk_id}" if latest.desk_id else ""
    state = "may not have printed" if latest.status == "uncertain" else "failed"
    said = (
        f"{what}{where} {state} on {printer_label(latest.printer_url)}: "
        f"{latest.reason or 'no reason recorded'}"
    )
    if retrying:  # both kinds: each with its count
        return warn(
            "print jobs",
            f"{len(jobs)} failed or unconfirmed and {waiting}; the latest: {said}{aside}",
        )
    more = f" ({len(jobs)} in all)" if len(jobs) > 1 else ""
    return warn("print jobs", f"{said}{more}{aside}")


__all__ = ["print_jobs", "worker", "worker_before_upgrade"]
