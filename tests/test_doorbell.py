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
