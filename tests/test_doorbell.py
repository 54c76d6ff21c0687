"""A process hears another process's commit at once: the doorbell watches the WAL file (real
SQLite files, real processes; the `sqlite3` module stands for a writer that knows nothing of
oss-desk)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from oss_desk.storage.doorbell import Doorbell, wal_path

CTX = multiprocessing.get_context("fork")


def _commit(db: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("INSERT INTO t VALUES (1)")
    conn.close()


def _open_wal(tmp_path: Path) -> tuple[Path, sqlite3.Connection]:
    db = tmp_path / "office.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    return db, conn  # kept open: the WAL file stays while a connection is open


def test_a_commit_in_another_process_rings(tmp_path: Path) -> None:
    db, conn = _open_wal(tmp_path)
    bell = Doorbell.for_commits(db)
    try:
        assert bell.fd is not None, "inotify is available on the test machine"
        assert not bell.wait(0.05)  # nothing committed
        conn.execute("SELECT count(*) FROM t").fetchone()
        assert not bell.wait(0.05)  # reading does not ring
        proc = CTX.Process(target=_commit, args=(db,))
        proc.start()
        assert bell.wait(20)
        proc.join(20)
        assert proc.exitcode == 0
        bell.drain()  # (a commit may write the file more than once)
        assert not bell.wait(0.05)  # drained: the next wait sleeps again
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        bell.close()
        conn.close()


def test_no_wal_file_no_bell(tmp_path: Path) -> None:
    """Nothing to watch (no connection has the database open in WAL mode): the poll is all
    there is, and waiting on the bell just says it did not ring."""
    db = tmp_path / "office.sqlite"
    assert not wal_path(db).exists()
    bell = Doorbell.for_commits(db)
    assert bell.fd is None
    started = time.monotonic()
    assert not bell.wait(0.05)
    assert not bell.drain()
    assert time.monotonic() - started < 5


def _issue(db: Path) -> None:
    from oss_desk.services.queue import QueueService
    from oss_desk.services.session import open_session

    session = open_session(db=db, person="greeter")
    try:
        QueueService(session).issue("C", print_ticket=False)
    finally:
        session.close()


def test_an_oss_desk_commit_rings_the_lock_file_once_it_can_be_seen(tmp_path: Path) -> None:
    """The WAL file rings a moment before its commit can be seen; oss-desk's writers also ring
    the write lock file after COMMIT, so one look after that ring finds the change (no settling
    looks needed). A writer that knows nothing of oss-desk does not ring it (the WAL still does)."""
    from oss_desk.storage.writelock import lock_path

    from .conftest import make_db

    db = make_db(tmp_path)
    _issue(db)  # the lock file exists from the first write on
    reader = sqlite3.connect(db, isolation_level=None)
    bell = Doorbell(lock_path(db))
    try:
        assert bell.fd is not None, "inotify is available on the test machine"
        before = reader.execute("SELECT count(*) FROM tickets").fetchone()[0]
        bell.drain()
        proc = CTX.Process(target=_issue, args=(db,))
        proc.start()
        assert bell.wait(20)
        assert reader.execute("SELECT count(*) FROM tickets").fetchone()[0] == before + 1
        proc.join(20)
        assert proc.exitcode == 0
        bell.drain()
        other = CTX.Process(target=_commit_elsewhere, args=(db,))
        other.start()
        other.join(20)
        assert other.exitcode == 0
        assert not bell.wait(0.1)  # the sqlite3 module wrote: only the WAL file knows
    finally:
        bell.close()
        reader.close()


def _commit_elsewhere(db: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("CREATE TABLE IF NOT EXISTS scratch (x)")
    conn.execute("INSERT INTO scratch VALUES (1)")
    conn.close()


def test_the_printer_lanes_bell_hears_rings_not_wal_writes(tmp_path: Path) -> None:
    """The device worker's printer lanes listen with ``Doorbell.for_rings``: a commit still on
    its way (its WAL frames being written) does not wake them (a lane woken then finds nothing,
    and takes a processor from the desk committing); the ring after an oss-desk commit does."""
    from oss_desk.storage.writelock import lock_path

    from .conftest import make_db

    db = make_db(tmp_path)
    _issue(db)  # the lock file exists from the first write on
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("SELECT count(*) FROM tickets").fetchone()  # the WAL file stays meanwhile
    rings = Doorbell.for_rings(db)
    wal = Doorbell(wal_path(db))
    try:
        assert rings.fd is not None and wal.fd is not None, "inotify on the test machine"
        _commit_elsewhere(db)  # WAL frames written and synced, no ring
        assert wal.wait(0)  # (events are queued by the write itself: no waiting needed)
        assert not rings.wait(0)
        _issue(db)
        assert rings.wait(0)
        assert lock_path(db).exists()
    finally:
        rings.close()
        wal.close()
        reader.close()


def test_a_write_that_changed_nothing_does_not_ring(tmp_path: Path) -> None:
    """A write transaction that changed no row (a worker's lane finding nothing to claim, after
    every change) commits nothing anyone could see: it rings nobody (each ring wakes every desk
    and lane of the office to look)."""
    from oss_desk.storage.database import open_store

    from .conftest import make_db

    db = make_db(tmp_path)
    _issue(db)
    store = open_store(db)
    rings = Doorbell.for_rings(db)
    try:
        with store.write() as conn:
            conn.execute("UPDATE tickets SET status = 'done' WHERE id = -1")
        assert not rings.wait(0)
        with store.write() as conn:
            conn.execute("UPDATE tickets SET recalls = recalls WHERE id = 1")
        assert rings.wait(0)
    finally:
        rings.close()
        store.close()


def test_drain_reads_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What rang is taken in one read: reading on until nothing is left would race the WAL
    writes of a commit still on its way (one event each), taking a processor from the desk
    committing for the whole commit."""
    import os

    db, conn = _open_wal(tmp_path)
    bell = Doorbell(wal_path(db))
    reads: list[int] = []
    real_read = os.read

    def counted(fd: int, size: int) -> bytes:
        reads.append(fd)
        return real_read(fd, size)

    try:
        for _ in range(3):
            _commit(db)
        monkeypatch.setattr(os, "read", counted)
        assert bell.drain()
        assert reads == [bell.fd]
        assert not bell.wait(0)  # all of it was taken
    finally:
        bell.close()
        conn.close()
