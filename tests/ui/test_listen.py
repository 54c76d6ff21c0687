"""The desk's commit listener stays still while the desk's own change is on its way (its own
WAL writes ring several times, each a wake-up of the event loop in the middle of the
transaction) and hears, at once on resuming, what another process committed meanwhile. Real
SQLite files and a real second process."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
from pathlib import Path

from oss_desk.storage.doorbell import Doorbell
from oss_desk.ui.listen import FOLLOW_UPS, CommitListener

from .conftest import until

CTX = multiprocessing.get_context("fork")


def _commit(db: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("INSERT INTO t VALUES (1)")
    conn.close()


def _commit_elsewhere(db: Path) -> None:
    proc = CTX.Process(target=_commit, args=(db,))
    proc.start()
    proc.join(20)
    assert proc.exitcode == 0


async def test_a_paused_listener_sleeps_through_commits_and_hears_them_on_resuming(
    tmp_path: Path,
) -> None:
    db = tmp_path / "office.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    looks: list[int] = []
    listener = CommitListener(lambda: looks.append(1))
    try:
        assert listener.start(Doorbell.for_commits(db)), "inotify on the test machine"
        _commit_elsewhere(db)
        await until(lambda: len(looks) == 1 + len(FOLLOW_UPS))  # heard: a look, then more
        listener.pause()
        _commit_elsewhere(db)
        await asyncio.sleep(0.3)  # the event loop runs; nothing wakes it for the bell
        assert len(looks) == 1 + len(FOLLOW_UPS)
        listener.resume()
        assert len(looks) == 2 + len(FOLLOW_UPS)  # what rang meanwhile: looked at at once
        await until(lambda: len(looks) == 2 * (1 + len(FOLLOW_UPS)))
        heard = len(looks)
        _commit_elsewhere(db)  # listening again
        await until(lambda: len(looks) > heard)
        listener.resume()  # resuming twice (or without a pause) changes nothing
        listener.pause()
        listener.pause()
        listener.resume()
    finally:
        listener.stop()
        conn.close()
    assert not listener.listening
