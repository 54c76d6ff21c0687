"""A process hears another process's commit at once: the doorbell watches the WAL file (real
SQLite files, real processes; the `sqlite3` module stands for a writer that knows nothing of
oss-desk)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

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
