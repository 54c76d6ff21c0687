"""The delivery rules (one home: ``oss_desk.domain.delivery``) and the outbox's claim, finish
and orphans on a real SQLite file."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oss_desk.clock import FixedClock
from oss_desk.domain.delivery import (
    ALIVE_SECONDS,
    DeviceReading,
    PrintState,
    WorkerState,
    after_cut_short,
    bits_per_byte,
    device_word,
    line_seconds,
    print_backoff,
    print_state,
    serial_timeouts,
)
from oss_desk.domain.message_delivery import (
    AlertKind,
    message_alert,
    message_deadline,
)
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.storage import outbox as o
from oss_desk.storage.lease import WorkerLock, lock_held
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, make_db, site_toml
from .escpos_decoder import decode, text_lines

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_one_alive_rule_for_desks_and_doctor() -> None:
    assert WorkerState(held=True, seen_seconds=1).alive
    assert WorkerState(held=None, seen_seconds=ALIVE_SECONDS).alive  # cannot see the lock
    assert not WorkerState(held=True, seen_seconds=ALIVE_SECONDS + 0.1).alive
    assert not WorkerState(held=False, seen_seconds=0.5).alive  # nobody holds the lease
    assert not WorkerState(held=True, seen_seconds=None).alive
    assert WorkerState(False, 3).describe() == "no device worker running"
    # Holding the lease but silent: the worker is not answering, its devices' state unknown;
    # the time since its heartbeat in steps a desk keeps current (rounded down, never more).
    stopped = "state unknown, device worker not answering (last heartbeat"
    assert WorkerState(True, 19.9).describe() == f"{stopped} 15 s ago)"
    assert WorkerState(True, 20).describe() == f"{stopped} 20 s ago)"
    assert WorkerState(True, 95).describe() == f"{stopped} 1 min ago)"


def test_nothing_is_called_fine_without_a_worker() -> None:
    ok = DeviceReading("ok", None, 2.0)
    assert device_word(ok, WorkerState(True, 1)) == ("ok", False)
    assert device_word(ok, WorkerState(False, 1)) == ("no device worker running", True)
    paper = DeviceReading("paper out", "printer paper out", 1)
    assert device_word(paper, WorkerState(True, 1)) == ("paper out", True)  # said once
    silent = DeviceReading("unreachable", "connection refused", 1)
    assert device_word(silent, WorkerState(True, 1)) == ("unreachable (connection refused)", True)
    assert device_word(DeviceReading("unknown", None, 1), WorkerState(True, 1))[1] is False


def test_print_states_are_named_honestly() -> None:
    assert print_state("pending", False) is PrintState.QUEUED
    assert print_state("printing", False) is PrintState.SENDING
    assert print_state("done", True) is PrintState.PRINTED
    assert print_state("done", False) is PrintState.SENT  # a printer that cannot confirm
    assert print_state("uncertain", False) is PrintState.UNCERTAIN
    assert [after_cut_short(n) for n in (0, 1, 2)] == ["reprint", "uncertain", "uncertain"]


def test_serial_timing_follows_size_and_line_speed() -> None:
    assert bits_per_byte() == 10 and bits_per_byte(7, "E", 1) == 10 and bits_per_byte(8, "E") == 11
    assert line_seconds(6000, 9600) == pytest.approx(6.25)
    write, reply = serial_timeouts(6000, 9600, margin=3)
    assert reply == pytest.approx(9.25) and write == pytest.approx(6.25 * 1.25 + 3)
    # The old fixed 1 s wait for the status reply was shorter than the job itself.
    assert line_seconds(6000, 38400) > 1


@given(st.integers(1, 60_000), st.sampled_from([2400, 9600, 19200, 38400, 115200]))
def test_serial_waits_never_shorter_than_the_line(size: int, baud: int) -> None:
    write, reply = serial_timeouts(size, baud, margin=0.5)
    assert write >= line_seconds(size, baud) and reply >= line_seconds(size, baud)


def test_backoff_doubles_to_a_cap() -> None:
    assert [print_backoff(n) for n in (1, 2, 3, 4, 7)] == [2, 4, 8, 16, 60]


def test_message_horizons_and_alerts() -> None:
    start = T0 + timedelta(days=2)
    assert message_deadline("reminder", T0, start) == start
    assert message_deadline("reminder", T0, start, reminder_until_minutes=30) == start - timedelta(
        minutes=30
    )
    assert message_deadline("confirmation", T0, start) == T0 + timedelta(hours=24)
    soon = T0 + timedelta(hours=3)
    assert message_deadline("cancellation", T0, soon) == soon  # never after the appointment
    deadline = T0 + timedelta(hours=1)
    assert message_alert("pending", deadline, deadline - timedelta(minutes=31)) is None
    assert message_alert("pending", deadline, deadline - timedelta(minutes=29)) is AlertKind.LATE
    assert message_alert("failed", deadline, T0) is AlertKind.FAILED
    assert message_alert("sent", deadline, deadline) is None


# The outbox on a real database -----------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_db(tmp_path, site_toml(greet_printer=f"capture://{tmp_path / 'paper.bin'}"))


def test_only_the_owner_that_claimed_a_job_finishes_it(db: Path) -> None:
    session = open_session(
        db=db, clock=FixedClock(MONDAY_0930), person="greeter", desk_id="greet-1"
    )
    QueueService(session).issue("C")
    now = "2026-11-23T09:30:00.000Z"
    conn = session.store.conn
    with session.store.write() as c:
        (job,) = o.claim(c, o.PRINT_JOBS, owner="first", now=now, lane=None)
    assert job["status"] == "printing" and job["attempts"] == 1
    with session.store.write() as c:
        assert o.claim(c, o.PRINT_JOBS, owner="second", now=now) == []  # nothing else due
        assert not o.finish(c, o.PRINT_JOBS, job["id"], owner="second", status="done")
    assert conn.execute("SELECT status FROM print_jobs").fetchall() == [("printing",)]
    # The first owner died; the second adopts what it left.
    with session.store.write() as c:
        (left,) = o.orphans(c, o.PRINT_JOBS, owner="second")
        assert o.adopt(c, o.PRINT_JOBS, left["id"], owner="second")
        assert o.finish(c, o.PRINT_JOBS, left["id"], owner="second", status="uncertain")
    assert conn.execute("SELECT status, owner FROM print_jobs").fetchall() == [("uncertain", None)]
    with pytest.raises(ValueError, match="cannot set"):
        o.finish(conn, o.PRINT_JOBS, 1, owner="x", status="done", payload="{}")
    session.close()


def test_a_job_cut_short_is_printed_again_once_and_says_copy(
    db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker died after bytes of a job left but before the last one did: the next owner
    prints it again by itself, once, marked COPY; cut short again, the desk is asked."""
    clock = FixedClock(MONDAY_0930)
    desk = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
    QueueService(desk).issue("C")

    def die_mid_job() -> None:
        conn = sqlite3.connect(db)
        conn.execute(
            "UPDATE print_jobs SET status = 'printing', owner = 'dead', "
            "started_at = coalesce(started_at, '2026-11-23T09:30:00.000Z'), sent_at = NULL"
        )
        conn.commit()
        conn.close()

    die_mid_job()
    worker = open_session(db=db, clock=clock, person="worker")
    delivery = PrintDelivery(worker)
    with caplog.at_level(logging.WARNING, logger="oss_desk.worker"):
        assert delivery.recover() == 1
    # One job is one job in the worker's log (trial 17: "took over 1 print jobs").
    assert "took over 1 print job left mid-print (at " in caplog.text, caplog.text
    assert desk.store.conn.execute("SELECT status, auto_reprints FROM print_jobs").fetchall() == [
        ("pending", 1)
    ]
    clock.set(MONDAY_0930 + timedelta(seconds=5))
    assert delivery.deliver_due().printed == 1
    lines = text_lines(decode((tmp_path / "paper.bin").read_bytes()))
    assert lines[0] == "COPY" and "C001" in lines
    die_mid_job()
    assert PrintDelivery(worker).recover() == 1
    ((status, error),) = desk.store.conn.execute("SELECT status, last_error FROM print_jobs")
    assert status == "uncertain" and "already printed again once" in error
    worker.close()
    desk.close()


def test_the_lease_is_exclusive_and_seen_from_outside(tmp_path: Path) -> None:
    db = tmp_path / "office.sqlite"
    assert lock_held(db) is False  # no lock file yet: nothing is created by asking
    assert not WorkerLock.path_for(db).exists()
    lock = WorkerLock.acquire(db)
    assert lock is not None
    try:
        assert WorkerLock.acquire(db) is None
        assert lock_held(db) is True
    finally:
        lock.release()
    assert lock_held(db) is False
