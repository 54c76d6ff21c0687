"""Writers take turns on ``<database>.write.lock`` (real processes, real kill -9)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.session import Session, open_session
from oss_desk.storage.writelock import WriteLock, lock_path

from .conftest import MONDAY_0930
from .procs import waiting_for_lock

CTX = multiprocessing.get_context("fork")


def _hold(db: Path, ready: Any, release: Any) -> None:
    lock = WriteLock(db)
    assert lock.acquire(5)
    ready.set()
    release.wait(30)
    lock.release()


def _queue_up(db: Path, index: int, queued: Any, order: Path) -> None:
    lock = WriteLock(db)
    queued.set()
    assert lock.acquire(30)
    with order.open("a") as turns:  # written before the turn is let go: in the turns' order
        turns.write(f"{index}\n")
    time.sleep(0.02)  # hold it a moment: the next one must wait for this one
    lock.release()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "office.sqlite"
    path.write_bytes(b"")
    return path


def holder(db: Path) -> tuple[Any, Any, Any]:
    ready, release = CTX.Event(), CTX.Event()
    proc = CTX.Process(target=_hold, args=(db, ready, release))
    proc.start()
    assert ready.wait(10)
    return proc, release, ready


def test_a_writer_waits_its_turn_and_gives_up_at_the_timeout(db: Path) -> None:
    proc, release, _ = holder(db)
    try:
        mine = WriteLock(db)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            mine.acquire(0.3)
        assert 0.25 < time.monotonic() - started < 3
        release.set()
        assert mine.acquire(5)  # the place kept in the queue is taken, not doubled
        other = WriteLock(db)
        with pytest.raises(TimeoutError):
            other.acquire(0.1)  # really held by us
        mine.release()
        assert other.acquire(1)
        other.release()
    finally:
        release.set()
        proc.join(10)


def test_kill_9_of_the_holder_frees_the_lock_at_once(db: Path) -> None:
    proc, _, _ = holder(db)
    mine = WriteLock(db)
    with pytest.raises(TimeoutError):
        mine.acquire(0.1)
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    started = time.monotonic()
    assert mine.acquire(5)
    assert time.monotonic() - started < 1
    mine.release()


def test_waiters_get_their_turn_in_the_order_they_came(db: Path) -> None:
    proc, release, _ = holder(db)
    order = db.with_name("turns.txt")
    waiters = []
    try:
        for index in range(5):
            queued = CTX.Event()
            waiter = CTX.Process(target=_queue_up, args=(db, index, queued, order))
            waiter.start()
            waiters.append(waiter)
            assert queued.wait(10) and waiter.pid is not None
            deadline = time.monotonic() + 30  # in the kernel's queue before the next one comes
            while not waiting_for_lock(waiter.pid, lock_path(db)):
                assert time.monotonic() < deadline, f"waiter {index} never queued for the lock"
                time.sleep(0.01)
        release.set()
        for waiter in waiters:
            waiter.join(30)
            assert waiter.exitcode == 0
        assert order.read_text().split() == ["0", "1", "2", "3", "4"]
    finally:
        release.set()
        proc.join(10)
        for waiter in waiters:
            waiter.join(10)


def test_two_threads_of_one_process_take_turns(db: Path) -> None:
    """The second thread's turn comes with the release (a wait in the kernel's queue, no
    polling); how soon is for the benchmarks (a bound on the clock here failed on a loaded
    machine), so it may wait far longer here than any turn takes."""
    first, second = WriteLock(db), WriteLock(db)
    assert first.acquire(1)
    got: list[bool] = []

    def other() -> None:
        assert second.acquire(120)
        got.append(True)
        second.release()

    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(0.2)
    assert got == []  # still waiting: the lock belongs to the open file, not the process
    first.release()
    thread.join(120)
    assert got == [True]


def test_without_a_usable_lock_file_writes_go_on(db: Path) -> None:
    """A lock file that cannot be opened (here: a link to a folder that is not there): SQLite's
    own lock is the only one left."""
    lock_path(db).symlink_to(db.parent / "missing" / "office.sqlite.write.lock")
    assert WriteLock(db).acquire(1) is False


# The database's writes take their turn -----------------------------------------------------------


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_every_write_transaction_waits_its_turn(db_path: Path) -> None:
    """A process holding the turn (an oss-desk writer mid-transaction) holds every other write
    back; past the busy timeout the write is refused as busy and nothing is written; killed -9,
    it frees the turn at once; the turn is given back after a transaction that failed."""
    from oss_desk.errors import StorageBusy
    from oss_desk.services.queue import QueueService

    proc, release, _ = holder(db_path)
    session = open_session(db=db_path, clock=FixedClock(MONDAY_0930), person="a")
    try:
        session.store.conn.execute("PRAGMA busy_timeout = 300")
        with pytest.raises(StorageBusy):
            QueueService(session).issue("C")
        assert rows(db_path, "SELECT count(*) FROM tickets") == [(0,)]
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        assert QueueService(session).issue("C").ticket.code == "C001"
        with pytest.raises(RuntimeError):
            fail_mid_transaction(session)
        assert rows(db_path, "SELECT status FROM tickets") == [("waiting",)]  # rolled back...
        other = WriteLock(db_path)
        assert other.acquire(1)  # ...and the turn given back
        other.release()
        other.close()
    finally:
        if proc.is_alive():
            release.set()
            proc.join(10)
        session.close()


def fail_mid_transaction(session: Session) -> None:
    with session.store.write() as conn:
        conn.execute("UPDATE tickets SET status = 'cancelled'")
        raise RuntimeError("a fault mid-transaction")
