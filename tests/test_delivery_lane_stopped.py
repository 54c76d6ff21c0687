"""A printer's lane stopped in its worker, in order (not killed), after it took a print job and
before what became of the job was recorded: the database busy beyond the wait as the printer
answered, then the worker stopped (SIGTERM) or the lane started again; or the database still
locked as the worker stops (a lane outlives the stop, the worker cannot step down), or as a
`worker --once` pass ends: what was known is noted for the next owner. What the lane knew is
recorded: a ticket the printer confirmed is printed, not printed again; one of which no byte
left waits to print as the original, not marked COPY. Never lost, never twice unmarked.

A real `oss-desk worker` process (a `--once` pass in this process), a network printer on a
loopback socket, the database's lock held by the test (as a desk or a backup holding it too
long)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.rounds import PRINTING, WorkerReport
from oss_desk.worker.run import DeviceWorker

from .conftest import ROOT, Cli, rows
from .hardware.fakes import HEALTHY, PAPER_OUT, FakePrinter
from .test_delivery_handover import JOB, _copies, desk, freeze, office, until, worker_process

BUSY = {"OSS_DESK_BUSY_TIMEOUT": "0.3"}
QUICK_STOP = """
import sys
from oss_desk.worker import run as worker
stop = worker.DeviceWorker.join
worker.DeviceWorker.join = lambda self, timeout=10.0: stop(self, min(timeout, 0.5))
from oss_desk.cli import run
sys.exit(run(sys.argv[1:]))
"""
"""``oss-desk ARGS`` whose worker, stopped, gives each lane 0.5 s to finish its step (in
service 5 s)."""
NOT_RECORDED = "job 1: what became of it could not be recorded now"


def said(log: Path) -> str:
    return log.read_text(encoding="utf-8") if log.exists() else ""


def stop_in_order(proc: subprocess.Popen[bytes], log: Path) -> str:
    """SIGTERM: the worker stops its lanes and steps down; returns its log."""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0, said(log)
    return said(log)


def locked_as_it_answers(printer: FakePrinter, db: Path) -> list[sqlite3.Connection]:
    """As ``printer`` answers (once it has cut the paper: 50 ms), another process takes the
    database's lock and holds it; returns those holders, for the test to let go."""
    held: list[sqlite3.Connection] = []

    def database_locked_as_it_answers() -> None:
        blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        held.append(blocker)
        time.sleep(0.05)  # the printer's own pace: it answers once it has cut the paper

    printer.before_answer = database_locked_as_it_answers
    return held


def test_a_lane_stopped_after_the_printer_confirmed_records_it_as_the_worker_stops(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """The printer takes the ticket and confirms it a moment later; meanwhile another process
    takes the database's lock, so the lane cannot record it and stops. The worker, stopped in
    order, records it printed (confirmed) as it steps down: one copy, not marked COPY (it was
    left to the next owner to print again marked COPY)."""
    db = office(tmp_path, printer.url)
    held = locked_as_it_answers(printer, db)
    session = desk(db)
    log = tmp_path / "worker.log"
    proc = worker_process(db, log, BUSY)
    try:
        ticket = QueueService(session).issue("C").ticket
        try:
            until(lambda: NOT_RECORDED in said(log), 60, "the lane stopped on the busy database")
        finally:
            for blocker in held:
                blocker.execute("ROLLBACK")
                blocker.close()
        text = stop_in_order(proc, log)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(15)
        session.close()
    assert rows(db, "SELECT status, printed_at IS NOT NULL, auto_reprints FROM print_jobs") == [
        ("done", 1, 0)
    ], text
    assert printer.job_arrived.wait(5)
    assert _copies(printer) == {ticket.code: [(False, True)]}
    assert "could not be recorded when the printer answered" in text, text
    assert "marked COPY" not in text, text


def test_a_lane_stopped_before_any_byte_left_prints_the_original_later(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """The printer says paper out, so nothing of the ticket is sent; the database is busy as
    the lane would record that, so it stops. The worker, stopped in order, records the job
    waiting as it was (not started); the next worker, with paper in, prints it once, not
    marked COPY (it printed the resident's only ticket marked COPY: "stopped mid-job")."""
    printer.replies = dict(PAPER_OUT)
    db = office(tmp_path, printer.url)
    session = desk(db)
    log = tmp_path / "worker.log"
    proc = worker_process(db, log, BUSY)
    try:
        freeze(proc, db)
        try:
            ticket = QueueService(session).issue("C").ticket
            blocker = sqlite3.connect(db, isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        try:
            until(lambda: NOT_RECORDED in said(log), 60, "the lane stopped on the busy database")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        text = stop_in_order(proc, log)
        assert rows(db, JOB) == [("pending", None, 1, 0)], text  # as if never started
        assert printer.jobs == []
        assert "could not be recorded when it was known" in text, text
        printer.replies = dict(HEALTHY)
        second = worker_process(db)
        try:
            until(lambda: rows(db, "SELECT status FROM print_jobs") == [("done",)], 60)
            assert printer.job_arrived.wait(5)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(15)
        session.close()
    assert _copies(printer) == {ticket.code: [(False, True)]}
    assert rows(db, "SELECT auto_reprints FROM print_jobs") == [(0,)]


def test_a_lane_that_outlives_the_stop_leaves_the_printers_answer_to_the_next_owner(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """The printer confirms the ticket a moment after its last byte; meanwhile another process
    takes the database's lock and holds it until the worker, stopped in order (SIGTERM), has
    exited. The lane, waiting for the lock to write the printer's answer, outlives the seconds
    a stop gives each lane, and the worker could not step down either. It notes the answer
    beside the database as it stops; the next owner records the ticket printed: one copy, not
    marked COPY (it printed the ticket again, marked COPY)."""
    db = office(tmp_path, printer.url)
    held = locked_as_it_answers(printer, db)
    session = desk(db)
    log = tmp_path / "worker.log"
    # Each write waits up to 1.5 s for the lock (and up to 1.5 s for its turn): longer than the
    # 0.5 s a stop gives a lane here (QUICK_STOP; in service 5 s, against which 6 s would do),
    # so the lane is still waiting when the worker steps down.
    proc = worker_process(db, log, {"OSS_DESK_BUSY_TIMEOUT": "1.5"}, QUICK_STOP)
    try:
        ticket = QueueService(session).issue("C").ticket
        try:
            assert printer.job_arrived.wait(20), said(log)
            until(lambda: bool(held), 20, "the database locked as the printer answers")
            proc.send_signal(signal.SIGTERM)
            proc.wait(120)
        finally:
            for blocker in held:
                blocker.execute("ROLLBACK")
                blocker.close()
        text = said(log)
        assert rows(db, "SELECT status FROM print_jobs") == [("printing",)], text  # (not written)
        assert "could not record stepping down" in text, text
        second = worker_process(db, tmp_path / "second.log")
        try:
            until(lambda: rows(db, "SELECT status FROM print_jobs") == [("done",)], 60)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(15)
        session.close()
    assert rows(db, "SELECT status, printed_at IS NOT NULL, auto_reprints FROM print_jobs") == [
        ("done", 1, 0)
    ], said(tmp_path / "second.log")
    assert _copies(printer) == {ticket.code: [(False, True)]}
    assert "noted for the next owner" in text, text
    assert "not printed again" in said(tmp_path / "second.log")


def first_pass_leaves_its_answer(db: Path, printer: FakePrinter) -> str:
    """`oss-desk worker --once` (in this process) prints a ticket; the printer confirms it while
    another process holds the database's lock past the busy timeout, until the pass has ended:
    the pass notes the answer for the next owner. Returns the ticket's code."""
    session = desk(db)
    ticket = QueueService(session).issue("C").ticket  # nobody owns the devices: it waits
    held = locked_as_it_answers(printer, db)
    try:
        first = one_pass(db)
    finally:
        printer.before_answer = None
        for blocker in held:
            blocker.execute("ROLLBACK")
            blocker.close()
        session.close()
    assert PRINTING in first.steps_failed
    assert rows(db, "SELECT status FROM print_jobs") == [("printing",)]
    return ticket.code


def one_pass(db: Path) -> WorkerReport:
    opened = lambda: open_session(db=db, person="worker", host=True)  # noqa: E731
    return DeviceWorker(opened, poll_interval=0.01).run_once()


def test_worker_once_leaves_an_answer_it_could_not_write_to_the_next_owner(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next pass (another owner) records the ticket printed, not printed again marked
    COPY."""
    monkeypatch.setenv("OSS_DESK_BUSY_TIMEOUT", "0.3")
    db = office(tmp_path, printer.url)
    code = first_pass_leaves_its_answer(db, printer)
    second = one_pass(db)
    assert second.steps_failed == {}
    assert rows(db, "SELECT status, printed_at IS NOT NULL, auto_reprints FROM print_jobs") == [
        ("done", 1, 0)
    ]
    assert _copies(printer) == {code: [(False, True)]}


def test_worker_once_counts_the_answer_it_records_for_the_owner_before(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next `oss-desk worker --once` records the printer's answer the pass before left, and
    its summary says so: "Printed 1" (it said "Printed 0" while it recorded the ticket)."""
    monkeypatch.setenv("OSS_DESK_BUSY_TIMEOUT", "0.3")
    db = office(tmp_path, printer.url)
    first_pass_leaves_its_answer(db, printer)
    second = Cli(db, monkeypatch)("worker", "--once")
    assert second.code == 0, second.err
    assert second.out.startswith("Printed 1, "), second.out
    assert ", may not have printed 0, failed 0;" in second.out, second.out
    assert rows(db, "SELECT status FROM print_jobs") == [("done",)]


DIES_TAKING_OVER = """
import os
import sys
from oss_desk.storage import outbox
from oss_desk.worker.printing import PrintDelivery

def dies(*_args, **_kwargs):
    os._exit(9)

if sys.argv[1] == "adopting":  # as it adopts the job, before that commits
    adopt = outbox.adopt
    outbox.adopt = lambda conn, box, *a, **k: dies() if box is outbox.PRINT_JOBS else adopt(
        conn, box, *a, **k
    )
else:  # the job adopted (committed), before what became of it is written
    PrintDelivery._write_kept = PrintDelivery._left = dies
from oss_desk.cli import run
sys.exit(run(sys.argv[2:]))
"""
"""`oss-desk ARGS` that dies (os._exit) as it takes over print jobs left mid-print: ARGV[1]
"adopting" or "adopted"."""


@pytest.mark.parametrize("dies", ["adopting", "adopted"])
def test_an_owner_that_dies_taking_over_a_noted_answer_leaves_it_to_the_next(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch, dies: str
) -> None:
    """The pass's answer noted as above; the next owner (its own process) dies as it takes the
    job over: as it adopts it, or once it has and before it writes the answer. The owner after
    it records the ticket printed: one copy, not marked COPY (it read the dying owner's file,
    which named nothing, and printed the ticket again, unmarked: "stopped before sending any of
    it; printing it now, not marked COPY")."""
    monkeypatch.setenv("OSS_DESK_BUSY_TIMEOUT", "0.3")
    db = office(tmp_path, printer.url)
    code = first_pass_leaves_its_answer(db, printer)
    ((noted_by,),) = rows(db, "SELECT owner FROM print_jobs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(tmp_path / "data"))
    command = [sys.executable, "-c", DIES_TAKING_OVER, dies, "worker", "--once"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 9, done.stderr
    ((owner,),) = rows(db, "SELECT owner FROM print_jobs WHERE status = 'printing'")
    assert (owner == noted_by) is (dies == "adopting")  # (adopted: the dead one's)
    third = one_pass(db)
    assert third.steps_failed == {}
    assert rows(db, "SELECT status, printed_at IS NOT NULL, auto_reprints FROM print_jobs") == [
        ("done", 1, 0)
    ]
    assert _copies(printer) == {code: [(False, True)]}
