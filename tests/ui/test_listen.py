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
    quiet_after = max(FOLLOW_UPS) + 0.2  # the last follow-up look of a ring has been made
    try:
        assert listener.start(Doorbell.for_commits(db)), "inotify on the test machine"
        _commit_elsewhere(db)
        await until(lambda: len(looks) >= 1 + len(FOLLOW_UPS))  # heard: a look, then more
        await asyncio.sleep(quiet_after)
        heard = len(looks)
        with listener.held():
            with listener.held():  # holds nest
                _commit_elsewhere(db)
            await asyncio.sleep(quiet_after)  # the event loop runs; the bell wakes nothing
            assert len(looks) == heard
        assert len(looks) == heard + 1  # what rang meanwhile: looked at on leaving, at once
        await asyncio.sleep(quiet_after)
        assert len(looks) == heard + 1 + len(FOLLOW_UPS)  # and the follow-ups of a ring
        heard = len(looks)
        _commit_elsewhere(db)  # listening again
        await until(lambda: len(looks) > heard)
        await asyncio.sleep(quiet_after)
        heard = len(looks)
        with listener.held():
            pass  # nothing rang meanwhile: nothing to look at
        await asyncio.sleep(quiet_after)
        assert len(looks) == heard
    finally:
        listener.stop()
        conn.close()
    assert not listener.listening
