"""``visit_facts`` (schema/0024_visit_facts.sql): one row per visit kept by triggers on the event
log, read by the reports instead of the events.

- The rows the triggers keep (event by event, as the desks and the history generator's bulk
  inserts write them) are exactly the rows the migration's backfill computes from the events at
  once (the same statement an existing database gets when it is migrated).
- The day tallies read from the rows are exactly the day tallies read from the event log (a copy
  of the database without the table is read the old way, as an office's older copy is).
- The event log's hash chain is untouched.

Checked on the scripted scorecard day (walk-outs before and after 15 minutes, a no-show, early
and late check-ins, meet-and-greet, a ticket left at closing, flags) and on generated history.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.devtools.history import HistoryOptions, generate
from oss_desk.services.session import open_session
from oss_desk.storage.chain import verify
from oss_desk.storage.migrations import schema_dir
from oss_desk.storage.reports import day_tallies
from oss_desk.storage.reports_facts import has_visit_facts

from .conftest import Cli
from .test_report_range_pass import plain
from .test_scorecard_day import monday

__all__ = ["monday"]  # the scripted day's fixture, used below

BACKFILL_MARK = "INSERT INTO visit_facts\nSELECT"


def _backfill_sql() -> str:
    """The migration's statement that computes every visit's row from its events."""
    text = (schema_dir() / "0024_visit_facts.sql").read_text(encoding="utf-8")
    return text[text.index(BACKFILL_MARK) :]


def _rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT * FROM visit_facts ORDER BY visit_id").fetchall()


def _copy(db: Path, target: Path) -> Path:
    source = sqlite3.connect(db)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return target


def assert_rows_are_the_events(db: Path, tmp_path: Path) -> int:
    """The triggers' rows equal the backfill's; returns how many visits."""
    copy = sqlite3.connect(_copy(db, tmp_path / "recomputed.sqlite"))
    try:
        kept = _rows(copy)
        copy.execute("DELETE FROM visit_facts")
        copy.execute(_backfill_sql())
        assert _rows(copy) == kept
        arrivals = copy.execute("SELECT count(*) FROM events WHERE kind = 'arrived'").fetchone()
        assert sum(1 for row in kept if row[2] is not None) == arrivals[0]
        return len(kept)
    finally:
        copy.close()


def assert_tallies_are_the_events(db: Path, tmp_path: Path, first: str, last: str) -> None:
    """The day tallies from ``visit_facts`` equal those from the event log alone."""
    older = _copy(db, tmp_path / "older.sqlite")
    conn = sqlite3.connect(older)
    conn.execute("DROP TABLE visit_facts")
    conn.commit()
    conn.close()
    new, old = sqlite3.connect(db), sqlite3.connect(older)
    try:
        assert has_visit_facts(new) and not has_visit_facts(old)
        from_rows = day_tallies(new, first, last, None)
        assert sum(t.visits.arrivals.total for t in from_rows.values()) > 0
        assert plain(from_rows) == plain(day_tallies(old, first, last, None))
        for site in sorted({site for site, _day in from_rows}):
            assert plain(day_tallies(new, first, last, site)) == plain(
                day_tallies(old, first, last, site)
            )
        assert verify(new).ok
    finally:
        new.close()
        old.close()


def test_the_scripted_day_rows_are_its_events(monday: Cli, tmp_path: Path) -> None:
    assert assert_rows_are_the_events(monday.db, tmp_path) >= 9  # the nine counted visits
    assert_tallies_are_the_events(monday.db, tmp_path, "2026-11-22", "2026-11-24")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("visit-facts") / "history.sqlite"
    generate(
        db,
        HistoryOptions(
            years=1, sites=2, visits_per_day=30, seed=11, end=date(2026, 3, 31), weeks=3
        ),
        clock=FixedClock(datetime(2026, 4, 15, 12, tzinfo=UTC)),
    )
    return db


def test_generated_history_rows_are_its_events(history: Path, tmp_path: Path) -> None:
    assert assert_rows_are_the_events(history, tmp_path) > 500
    assert_tallies_are_the_events(history, tmp_path, "2026-03-09", "2026-03-31")


def test_a_database_migrated_before_the_table_gets_its_rows(history: Path, tmp_path: Path) -> None:
    """An office's database from before 0024, migrated: every visit's row computed from its
    events, the same rows the triggers keep."""
    copy = _copy(history, tmp_path / "before.sqlite")
    conn = sqlite3.connect(copy)
    try:
        kept = _rows(conn)
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'visit_facts_%'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("DROP TABLE visit_facts")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0024_visit_facts'")
        conn.commit()
    finally:
        conn.close()
    session = open_session(db=copy, clock=FixedClock(datetime(2026, 4, 15, 12, tzinfo=UTC)))
    try:
        assert _rows(session.store.conn) == kept
    finally:
        session.close()
