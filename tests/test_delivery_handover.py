"""A ticket's print job handed to the live owner of the devices in the issuing transaction: its
lane sends it at once (no durable claim of its own before the first byte), and whatever is
killed when, the ticket is never lost and never printed twice without COPY."""

from __future__ import annotations

import fcntl
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.errors import StorageBusy
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from oss_desk.storage.lease import WorkerLock, take_over
from oss_desk.storage.print_start import marks_path
from oss_desk.storage.writelock import lock_path
from oss_desk.worker.printing import PrintDelivery
from oss_desk.worker.run import DeviceWorker

from .appointments_site import NOW as APPOINTMENTS_NOW
from .appointments_site import make_office, service_at
from .conftest import MONDAY_0930, ROOT, make_db, rows, site_toml
from .escpos_decoder import decode, text_lines
from .hardware.fakes import PAPER_OUT, FakePrinter
from .printing_checks import paper_in_prints_once_without_copy
from .procs import stop

CODE = re.compile(r"C\d{3}")


def _copies(printer: FakePrinter) -> dict[str, list[tuple[bool, bool]]]:
    """Per ticket, each copy that reached the printer: (says COPY, whole: down to its last
    line, the privacy note, which a narrow printer wraps before its last word)."""
    found: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for job in printer.jobs:
        lines = text_lines(decode(job))
        code = next((line for line in lines if CODE.fullmatch(line)), None)
        if code is not None:
            whole = bool(lines) and lines[-1].endswith("details.")
            found[code].append(("COPY" in lines[:1], whole))
    return dict(found)


JOB = "SELECT status, owner, attempts, started_at IS NOT NULL FROM print_jobs ORDER BY id"


def until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not in {timeout} s: {what}"
        time.sleep(0.01)


def office(tmp_path: Path, url: str) -> Path:
    return make_db(
        tmp_path, site_toml(greet_printer=url, extra="\n[printing]\nretry_seconds = 0.05\n")
    )


def desk(db: Path, clock: FixedClock | None = None) -> Session:
    return open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")


def own_devices(db: Path, owner: str) -> WorkerLock:
    """This process owns the devices as ``owner`` (the lease held, the take-over recorded)."""
    lock = WorkerLock.acquire(db)
    assert lock is not None
    session = open_session(db=db, person="worker", host=True)
    try:
        with session.store.write() as conn:
            now = format_instant(datetime.now(UTC))
            take_over(conn, owner=owner, role="test", pid=os.getpid(), host="here", now=now)
    finally:
        session.close()
    return lock


@contextmanager
def handed_to_owner(
    tmp_path: Path, printer: FakePrinter
) -> Iterator[tuple[Path, FixedClock, Session, Session]]:
    """An office whose devices this process owns as "owner-1": its database, the clock, a
    meet-and-greet desk's session and the worker's (closed, and the lease let go, after)."""
    db = office(tmp_path, printer.url)
    clock = FixedClock(MONDAY_0930)
    session = desk(db, clock)
    lock = own_devices(db, "owner-1")
    worker = open_session(db=db, clock=clock, person="worker", host=True)
    try:
        yield db, clock, session, worker
    finally:
        worker.close()
        session.close()
        lock.release()


def worker_process(
    db: Path, log: Path | None = None, env: dict[str, str] | None = None, script: str = ""
) -> subprocess.Popen[bytes]:
    """`oss-desk worker` in its own process (its log to ``log``, if given; ``env``: settings of
    its own; ``script``: Python that runs the CLI with its arguments, instead of ``-m
    oss_desk``); returns once it owns the devices and has begun its notes of the jobs it starts
    to send (so a test that stops it at once never stops it between the two: under load it once
    did, and then its notes were rightly "not known")."""
    given = env or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT), **given)
    entry = ["-c", script] if script else ["-m", "oss_desk"]
    with open(log or os.devnull, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, *entry, "worker"], env=env, stderr=stderr)
    until(
        lambda: (
            rows(db, "SELECT pid FROM worker_heartbeat WHERE stopped_at IS NULL") == [(proc.pid,)]
        ),
        what="the worker owns the devices",
    )
    until(
        lambda: marks_path(db, str(proc_owner(db, proc.pid))).exists(),
        what="the worker has begun its notes of the jobs it starts to send",
    )
    return proc


def proc_owner(db: Path, pid: int) -> str | None:
    found = rows(db, "SELECT owner FROM worker_heartbeat WHERE pid = ? AND stopped_at IS NULL", pid)
    return str(found[0][0]) if found else None


def freeze(proc: subprocess.Popen[bytes], db: Path) -> None:
    """Stop ``proc`` (SIGSTOP) at a moment it holds no write lock, so desks can still write."""
    for _ in range(500):
        stop(proc.pid)  # stopped indeed, before the lock is looked at
        if write_lock_free(db):
            return
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError("the worker always held the write lock")


def write_lock_free(db: Path) -> bool:
    with open(lock_path(db), "a+b") as turn:
        try:
            fcntl.flock(turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(turn, fcntl.LOCK_UN)
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()
    return True


def owner_of(db: Path) -> str:
    ((owner,),) = rows(db, "SELECT owner FROM worker_heartbeat")
    return str(owner)


def test_no_job_is_handed_to_an_owner_that_is_not_alive(tmp_path: Path) -> None:
    """Nobody owns the devices, the owner stepped down, or its heartbeat is stale: the job
    waits unclaimed for whoever owns them next. Alive: it is claimed (its first attempt,
    started, on this computer's boot) for that owner as it is queued."""
    db = office(tmp_path, "tcp://127.0.0.1:9?timeout=1")
    session = desk(db)
    queue = QueueService(session)
    try:
        queue.issue("C")
        lock = own_devices(db, "owner-1")
        try:
            queue.issue("C")
            stale = format_instant(datetime.now(UTC) - timedelta(minutes=5))
            with session.store.write() as conn:
                conn.execute("UPDATE worker_heartbeat SET seen_at = ?", [stale])
            queue.issue("C")
            with session.store.write() as conn:
                conn.execute(
                    "UPDATE worker_heartbeat SET seen_at = ?", [format_instant(datetime.now(UTC))]
                )
            queue.issue("C")
            with session.store.write() as conn:
                conn.execute("UPDATE worker_heartbeat SET stopped_at = seen_at")
            queue.issue("C")
        finally:
            lock.release()
        with session.store.write() as conn:
            conn.execute("UPDATE worker_heartbeat SET stopped_at = NULL")
        queue.issue("C")  # a fresh heartbeat, but the lease is free: the owner is gone
        pending = ("pending", None, 0, 0)
        handed = ("printing", "owner-1", 1, 1)
        assert rows(db, JOB) == [pending, handed, pending, handed, pending, pending]
        assert rows(db, "SELECT boot IS NOT NULL FROM print_jobs ORDER BY id") == [
            (0,),
            (1,),
            (0,),
            (1,),
            (0,),
            (0,),
        ]
    finally:
        session.close()


def test_a_handed_job_prints_at_once_and_once_without_copy(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """`oss-desk worker` in its own process, stopped (SIGSTOP) while a ticket is issued: the
    committed job is already claimed for it and started. Let go, it prints the ticket once,
    whole, not marked COPY, confirmed; a second ticket too."""
    db = office(tmp_path, printer.url)
    session = desk(db)
    proc = worker_process(db)
    try:
        owner = owner_of(db)
        freeze(proc, db)
        try:
            first = QueueService(session).issue("C").ticket
            assert rows(db, JOB) == [("printing", owner, 1, 1)]
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        until(lambda: len(printer.closings) == 1, what="the first ticket")
        second = QueueService(session).issue("C").ticket
        until(lambda: len(printer.closings) == 2, what="the second ticket")
        until(lambda: rows(db, "SELECT DISTINCT status FROM print_jobs") == [("done",)])
        copies = _copies(printer)
        assert copies == {first.code: [(False, True)], second.code: [(False, True)]}, copies
        assert rows(db, "SELECT attempts, printed_at IS NOT NULL FROM print_jobs") == [
            (1, 1),
            (1, 1),
        ]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        session.close()


@pytest.mark.parametrize("restarted", [False, True])
def test_an_owner_killed_before_sending_leaves_the_job_printed_once(
    tmp_path: Path, printer: FakePrinter, restarted: bool
) -> None:
    """The job was handed to a worker that is killed (kill -9) before it sent a byte: the next
    owner adopts it and prints it once, as the original (the dead owner's notes of the jobs it
    began to send do not name it, on the boot it was handed on: nothing left), and its log says
    so (faults 17, P4: it printed the resident's only ticket marked COPY, "the worker stopped
    mid-job"). Had the computer restarted since (the job's boot is not this one: a note written
    without fsync may have been lost), it prints marked COPY, saying that is not known. Never
    lost, never twice."""
    db = office(tmp_path, printer.url)
    session = desk(db)
    first = worker_process(db)
    log = tmp_path / "second-worker.log"
    try:
        freeze(first, db)
        ticket = QueueService(session).issue("C").ticket
        assert rows(db, JOB) == [("printing", owner_of(db), 1, 1)]
        first.kill()
        first.wait(15)
        assert printer.jobs == []
        if restarted:
            with sqlite3.connect(db) as conn:
                conn.execute("UPDATE print_jobs SET boot = 'an earlier boot'")
        second = worker_process(db, log)
        try:
            until(lambda: rows(db, "SELECT status FROM print_jobs") == [("done",)])
            until(lambda: len(printer.jobs) == 1, what="the printer kept the ticket")
            assert _copies(printer) == {ticket.code: [(restarted, True)]}
            assert printer.connections >= 1
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(15)
        said = log.read_text(encoding="utf-8")
        if restarted:
            assert (
                "and the computer restarted since: whether any of it reached the printer "
                "is not known; printing it again (marked COPY)" in said
            ), said
        else:
            assert (
                "job 1 will be tried again: the worker that had it stopped before sending "
                "any of it; printing it now, not marked COPY" in said
            ), said
        assert "stopped mid-job" not in said
    finally:
        session.close()


def test_an_owner_killed_waiting_for_a_silent_printer_leaves_the_original(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """faults 17, P4 as found: the printer does not answer its status question; the owner its
    ticket was handed to is killed while it waits for the answer. Nothing of the job left: the
    printer, answering again, gets the ticket once from the next owner, not marked COPY."""
    printer.behaviour = "silent"
    db = office(tmp_path, printer.url)
    session = desk(db)
    first = worker_process(db)
    try:
        until(lambda: printer.connections >= 1, what="the worker's first look at the printer")
        asked = printer.connections
        ticket = QueueService(session).issue("C").ticket
        until(lambda: printer.connections > asked, what="the lane asks the printer")
        first.kill()  # while its lane waits (a second) for the silent printer's answer
        first.wait(15)
        printer.behaviour = "ok"
        second = worker_process(db)
        try:
            until(lambda: rows(db, "SELECT status FROM print_jobs") == [("done",)])
            until(lambda: len(printer.jobs) == 1, what="the printer kept the ticket")
            assert _copies(printer) == {ticket.code: [(False, True)]}
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(15)
    finally:
        session.close()


def test_kill_9s_while_handed_jobs_print(tmp_path: Path) -> None:
    """A slow printer (a 6 KB ticket takes 0.15 s); each ticket is handed to a running
    `oss-desk worker` that is killed (kill -9) somewhere in the job. Every ticket comes out
    whole at least once (or, cut short twice, waits for its desk's answer); at most one copy
    of each is not marked COPY."""
    slow = FakePrinter(rate=40_000)
    try:
        db = office(tmp_path, slow.url + "&profile=ZJ-5870")
        session = desk(db)
        queue = QueueService(session)
        rng = random.Random(20)
        codes = []
        try:
            for _ in range(4):
                proc = worker_process(db)
                codes.append(queue.issue("C").ticket.code)
                time.sleep(rng.uniform(0, 0.2))
                proc.kill()
                proc.wait(15)
            last = worker_process(db)
            try:
                until(
                    lambda: (
                        rows(
                            db,
                            "SELECT count(*) FROM print_jobs WHERE status IN "
                            "('pending', 'printing')",
                        )
                        == [(0,)]
                    ),
                    what="every job settled",
                )
            finally:
                last.send_signal(signal.SIGTERM)
                last.wait(15)
        finally:
            session.close()
        copies = _copies(slow)
        # Each is printed or, cut short twice, left for its desk to answer (never a third time).
        settled = rows(db, "SELECT status FROM print_jobs ORDER BY id")
        assert set(settled) <= {("done",), ("uncertain",)} and len(settled) == 4, settled
        for code in codes:
            assert any(whole for _, whole in copies[code]), (code, copies)
            assert sum(not copy for copy, _ in copies[code]) <= 1, (code, copies)
    finally:
        slow.close()


def test_a_handed_job_the_printer_cannot_take_prints_later_without_copy(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """Handed to the owner, the job meets a printer that says paper out: no byte left, so it
    waits as if never started, and prints once, not marked COPY, when paper is in."""
    printer.replies = dict(PAPER_OUT)
    with handed_to_owner(tmp_path, printer) as (db, clock, session, worker):
        QueueService(session).issue("C")
        delivery = PrintDelivery(worker, owner="owner-1")
        report = delivery.deliver_due()
        assert (report.printed, report.retried) == (0, 1), report
        assert rows(db, JOB) == [("pending", None, 1, 0)]
        assert printer.jobs == []
        paper_in_prints_once_without_copy(printer, delivery, clock)
        assert rows(db, JOB) == [("done", None, 2, 1)]


def test_an_owner_stepping_down_prints_what_was_handed_to_it(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """Jobs handed to an owner whose lanes have stopped are printed as it steps down (once,
    not marked COPY), not left for the next owner to print marked COPY; after that no job is
    handed to it."""
    db = office(tmp_path, printer.url)
    session = desk(db)
    lock = own_devices(db, "owner-1")
    try:
        worker = DeviceWorker(
            lambda: open_session(db=db, person="worker", host=True), owner="owner-1"
        )
        queue = QueueService(session)
        first = queue.issue("C").ticket
        assert rows(db, JOB) == [("printing", "owner-1", 1, 1)]
        worker.join()
        assert printer.job_arrived.wait(5)  # (the printer keeps a job once its connection closes)
        assert _copies(printer) == {first.code: [(False, True)]}
        queue.issue("C")
        assert rows(db, JOB) == [("done", None, 1, 1), ("pending", None, 0, 0)]
    finally:
        lock.release()
        session.close()


def test_a_handed_job_sends_without_a_commit_before_its_first_byte(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """The owner's lane sends a handed job with no write of its own before the first byte: the
    printer has the whole ticket while a desk holds the database's write lock (nothing could be
    committed then), and what became of it is recorded once the lock is free."""
    db = office(tmp_path, printer.url)
    session = desk(db)
    lock = own_devices(db, "owner-1")
    done: list[bool] = []

    def lane() -> None:
        worker = open_session(db=db, person="worker", host=True)
        try:
            done.append(PrintDelivery(worker, owner="owner-1").deliver_next(printer.url))
        finally:
            worker.close()

    try:
        ticket = QueueService(session).issue("C").ticket
        blocker = open_session(db=db, person="blocker")
        try:
            with blocker.store.write():
                thread = threading.Thread(target=lane)
                thread.start()
                until(lambda: len(printer.closings) == 1, what="the ticket at the printer")
                assert _copies(printer) == {ticket.code: [(False, True)]}
                assert rows(db, JOB) == [("printing", "owner-1", 1, 1)]
            thread.join(15)
            assert done == [True]
        finally:
            blocker.close()
        assert rows(db, "SELECT status, printed_at IS NOT NULL FROM print_jobs") == [("done", 1)]
    finally:
        session.close()
        lock.release()


def test_an_appointment_slip_is_handed_over_and_printed_once(tmp_path: Path) -> None:
    """A slip queued as an appointment is booked is handed to the live owner like a ticket,
    and its lane prints it once, not marked COPY."""
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    clock = FixedClock(APPOINTMENTS_NOW)
    lock = own_devices(db, "owner-1")
    svc, session = service_at(db, clock)
    worker = open_session(db=db, clock=clock, person="worker", host=True)
    try:
        booked = svc.book("C", datetime(2026, 11, 24, 9, tzinfo=UTC), channel="slip")
        assert rows(db, JOB) == [("printing", "owner-1", 1, 1)]
        assert PrintDelivery(worker, owner="owner-1").deliver_due().printed == 1
        lines = text_lines(decode((tmp_path / "slips.bin").read_bytes()))
        assert booked.ref in lines and "COPY" not in lines, lines
        assert rows(db, "SELECT status, attempts FROM print_jobs") == [("done", 1)]
    finally:
        worker.close()
        session.close()
        lock.release()


@pytest.mark.parametrize("answers", ["at-once", "after-a-moment"])
def test_a_lane_stopped_after_the_printer_confirmed_records_it_and_prints_no_copy(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch, answers: str
) -> None:
    """The ticket went whole to the printer, which confirmed it, then nothing could be recorded
    (the database busy beyond the wait): the lane stops with the job still claimed. Started
    again, it records what the printer said (kept in memory): printed, with no second copy
    (faults 17, W7: it printed it again marked COPY). Whether the printer's answer came with
    the last bytes (one commit for "sent" and "printed") or a moment after (as a printer that
    answers once it has cut the paper, or any printer on a loaded computer: "sent" is committed
    while it is on its way, and that commit is the one the busy database refuses)."""
    monkeypatch.setenv("OSS_DESK_BUSY_TIMEOUT", "0.3")
    if answers == "after-a-moment":
        printer.before_answer = lambda: time.sleep(0.05)  # the printer's own pace
    with handed_to_owner(tmp_path, printer) as (db, clock, session, worker):
        ticket = QueueService(session).issue("C").ticket
        delivery = PrintDelivery(worker, owner="owner-1")
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # (SQLite's own lock: the desk's turn is not taken)
        try:
            with pytest.raises(StorageBusy):
                delivery.deliver_next(printer.url)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert _copies(printer) == {ticket.code: [(False, True)]}
        assert rows(db, JOB) == [("printing", "owner-1", 1, 1)]
        again = PrintDelivery(worker, owner="owner-1")  # the lane started again
        assert again.deliver_next(printer.url)
        assert rows(db, "SELECT status, printed_at IS NOT NULL FROM print_jobs") == [("done", 1)]
        clock.set(MONDAY_0930 + timedelta(seconds=5))
        assert again.deliver_due().printed == 0  # nothing left to print
        assert _copies(printer) == {ticket.code: [(False, True)]}
