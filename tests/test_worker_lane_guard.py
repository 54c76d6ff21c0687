"""A lane's pause after a fault of the database doubles up to a minute while the outage goes on,
and starts again from 2 s once the lane has recovered (round 14: it stayed at a minute for the
rest of the worker's life, so the next unrelated fault, hours later, waited a minute)."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest

from oss_desk.domain.worker_faults import FAULT_SPAN_SECONDS, database_pause
from oss_desk.storage.faults import describe_sqlite_error
from oss_desk.worker.lane_faults import LaneFaults
from oss_desk.worker.lane_guard import LaneGuard


class _Waits(threading.Event):
    """The worker's stop event, on a clock of the test's own: a wait passes its time at once."""

    def __init__(self, now: list[float]) -> None:
        super().__init__()
        self.now = now
        self.pauses: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.pauses.append(timeout)
        self.now[0] += timeout
        return self.is_set()


def _write_refused(db: Path) -> None:
    """A lane's write to ``db``, refused at once while another process holds its write lock
    (as the lane would see it: the database's own words)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise describe_sqlite_error(exc, db) from None
    finally:
        conn.close()


def test_the_database_pause_doubles_then_starts_again_once_the_lane_has_recovered(
    tmp_path: Path,
) -> None:
    db = tmp_path / "office.sqlite"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # the write turn held elsewhere: every write is refused
    now = [0.0]
    stop = _Waits(now)
    runs: list[str] = []

    def lane() -> None:
        """Refused seven times in a row; then it runs well for longer than the fault span, and is
        refused once more; then the worker stops."""
        runs.append("run")
        if len(runs) == 8:
            now[0] += FAULT_SPAN_SECONDS + 1  # hours of good work, say
        if len(runs) == 9:
            stop.set()
            return
        _write_refused(db)

    errors: list[str] = []
    guard = LaneGuard(stop, LaneFaults(), errors, lambda exc: None, clock=lambda: now[0])
    try:
        guard(lane)()
    finally:
        holder.close()
    assert errors == ["StorageBusy"] * 8
    assert stop.pauses == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 2.0]


def test_the_pause_rule() -> None:
    assert database_pause(None, 0.0) == 2.0
    assert database_pause(2.0, 1.0) == 4.0
    assert database_pause(60.0, FAULT_SPAN_SECONDS - 1) == 60.0
    assert database_pause(60.0, FAULT_SPAN_SECONDS) == 2.0


def test_the_log_says_once_that_the_worker_tries_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Trial 19: "... (nothing was saved): try again; the worker waits 2 s and tries again"
    said it twice (the first, advice to a person at a desk)."""
    db = tmp_path / "office.sqlite"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    now = [0.0]
    stop = _Waits(now)

    def lane() -> None:
        if stop.pauses:
            stop.set()
            return
        _write_refused(db)

    guard = LaneGuard(stop, LaneFaults(), [], lambda exc: None, clock=lambda: now[0])
    try:
        with caplog.at_level(logging.WARNING, logger="oss_desk.worker"):
            guard(lane)()
    finally:
        holder.close()
    (said,) = [r.getMessage() for r in caplog.records]
    assert said.startswith("database locked: another process held "), said
    assert said.endswith(" (nothing was saved); the worker waits 2 s and tries again"), said
