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
from oss_desk.storage.database import open_store
from oss_desk.storage.facts_check import backfill_sql
from oss_desk.storage.migrations import schema_dir
from oss_desk.storage.reports import day_tallies
from oss_desk.storage.reports_facts import FactsKept, facts_kept

from .appointments_site import make_office
from .conftest import Cli
from .test_report_range_pass import plain
from .test_scorecard_day import DAY, EMAIL, at, monday, ok

__all__ = ["monday"]  # the scripted day's fixture, used below


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
        copy.executescript(backfill_sql(copy))
        assert _rows(copy) == kept
        arrivals = copy.execute("SELECT count(*) FROM events WHERE kind = 'arrived'").fetchone()
        assert sum(1 for row in kept if row[2] is not None) == arrivals[0]
        return len(kept)
    finally:
        copy.close()


def keep_by_the_rule_before_0056(conn: sqlite3.Connection) -> None:
    """The database as 0049 to 0055 kept it (an office's copy not migrated since): 0049's view
    and trigger, and every visit's row by its rule (a served resident's calls no contact once
    the ticket was closed)."""
    with conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0056_visit_calls_reached_desk'")
        conn.execute("DROP TRIGGER visit_facts_reached")
        conn.execute(
            "CREATE TRIGGER visit_facts_gone AFTER INSERT ON events WHEN 0 BEGIN SELECT 1; END"
        )
        conn.executescript(
            (schema_dir() / "0049_visit_facts_call_put_back.sql").read_text(encoding="utf-8")
        )
        conn.execute(
            "UPDATE visit_facts SET attended_ms = (SELECT CAST(round((julianday(min(at))"
            " - 2440587.5) * 86400000.0) AS INTEGER) FROM visit_calls c"
            " WHERE c.visit_id = visit_facts.visit_id AND NOT put_back AND NOT gone)"
        )


def assert_tallies_are_the_events(db: Path, tmp_path: Path, first: str, last: str) -> None:
    """The day tallies from ``visit_facts`` equal those from the event log alone, and those
    from a copy's ``visit_facts`` kept by the contact rule before schema/0056 (read with the
    visits that rule differs on worked out again)."""
    older = _copy(db, tmp_path / "older.sqlite")
    conn = sqlite3.connect(older)
    conn.execute("DROP TABLE visit_facts")
    conn.commit()
    conn.close()
    kept_before = _copy(db, tmp_path / "kept-before-0056.sqlite")
    conn = sqlite3.connect(kept_before)
    keep_by_the_rule_before_0056(conn)
    conn.close()
    new, old = sqlite3.connect(db), sqlite3.connect(older)
    before = sqlite3.connect(f"file:{kept_before}?mode=ro", uri=True)
    try:
        assert facts_kept(new) is FactsKept.CURRENT and facts_kept(old) is FactsKept.NONE
        assert facts_kept(before) is FactsKept.OLDER_CONTACT
        from_rows = day_tallies(new, first, last, None)
        assert sum(t.visits.arrivals.total for t in from_rows.values()) > 0
        assert plain(from_rows) == plain(day_tallies(old, first, last, None))
        assert plain(from_rows) == plain(day_tallies(before, first, last, None))
        for site in sorted({site for site, _day in from_rows}):
            assert plain(day_tallies(new, first, last, site)) == plain(
                day_tallies(old, first, last, site)
            )
            assert plain(day_tallies(new, first, last, site)) == plain(
                day_tallies(before, first, last, site)
            )
        assert verify(new).ok
    finally:
        new.close()
        old.close()
        before.close()


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
        conn.execute(
            "DELETE FROM _sqlite_migrations WHERE name IN"
            " ('0024_visit_facts', '0028_visit_facts_report_indexes', '0030_visit_facts_contact',"
            " '0031_visit_facts_covering', '0033_closed_days_no_show_taken_back',"
            " '0049_visit_facts_call_put_back', '0056_visit_calls_reached_desk')"
        )
        conn.commit()
    finally:
        conn.close()
    open_store(copy, migrate=True).close()  # what `oss-desk init` does
    session = open_session(db=copy, clock=FixedClock(datetime(2026, 4, 15, 12, tzinfo=UTC)))
    try:
        assert _rows(session.store.conn) == kept
    finally:
        session.close()


def _contact(db: Path) -> dict[str, tuple[int | None, int | None, int | None]]:
    """Each ticket code's visit: (booked_ms, first_call_ms, attended_ms) from its row."""
    conn = sqlite3.connect(db)
    try:
        return {
            code: (booked, first_call, attended)
            for code, booked, first_call, attended in conn.execute(
                "SELECT t.service_code || printf('%03d', t.number), f.booked_ms,"
                " f.first_call_ms, f.attended_ms"
                " FROM tickets t JOIN visit_facts f ON f.visit_id = t.visit_id"
            )
        }
    finally:
        conn.close()


def _ms(hhmm: str) -> int:
    return int(datetime.fromisoformat(at(hhmm)).timestamp() * 1000)


@pytest.fixture
def turns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A day whose visits make the booked start and the first attended call differ from the
    obvious: a visit transferred and then not there when called again; a no-show taken back;
    an appointment checked in early."""
    cli = Cli(make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin"), monkeypatch)
    booked = ok(
        cli, "08:00", "appointment", "book", "--service", "C", "--start", at("11:00"), *EMAIL
    )
    ok(cli, "09:00", "ticket", "issue", "--service", "W")  # W001
    ok(cli, "09:05", "ticket", "call", "W001", "--desk", "desk-1")
    ok(cli, "09:06", "ticket", "start", "W001")
    ok(cli, "09:10", "ticket", "transfer", "W001", "--service", "H")  # H001, the same visit
    ok(cli, "09:20", "ticket", "call", "H001", "--desk", "desk-1")
    ok(cli, "09:22", "ticket", "no-show", "H001")
    ok(cli, "09:30", "ticket", "issue", "--service", "W")  # W002
    ok(cli, "09:35", "ticket", "call", "W002", "--desk", "desk-1")
    ok(cli, "09:36", "ticket", "no-show", "W002")
    ok(cli, "09:37", "ticket", "undo-no-show", "W002")
    ok(cli, "10:40", "appointment", "check-in", booked["ref"])
    ok(cli, "11:02", "ticket", "call", "C001", "--desk", "room-1")
    return cli


def test_the_booked_start_and_first_attended_call_are_kept(turns: Cli, tmp_path: Path) -> None:
    """schema/0030: the transferred visit's attended call is its first ticket's (the second
    ticket was a no-show); a no-show taken back is attended at its call (schema/0033: the
    resident came after all); the appointment holder's booked start is kept from the
    check-in; and every value equals the migrations' backfill from the events."""
    rows = _contact(turns.db)
    assert rows["W001"] == rows["H001"] == (None, _ms("09:05"), _ms("09:05"))
    assert rows["W002"] == (None, _ms("09:35"), _ms("09:35"))
    assert rows["C001"] == (_ms("11:00"), _ms("11:02"), _ms("11:02"))
    assert_rows_are_the_events(turns.db, tmp_path)
    assert_tallies_are_the_events(turns.db, tmp_path, DAY, DAY)


def test_an_appointment_moved_or_unlinked_after_check_in_moves_its_visit_row(
    turns: Cli, tmp_path: Path
) -> None:
    """The booked start follows the appointment row (a later correction of its start, or its
    link to the visit taken away), as the backfill would compute it."""
    conn = sqlite3.connect(turns.db)
    try:
        with conn:
            conn.execute(
                "UPDATE appointments SET starts_at = ? WHERE visit_id IS NOT NULL", [at("10:45")]
            )
        assert _contact(turns.db)["C001"][0] == _ms("10:45")
        assert_rows_are_the_events(turns.db, tmp_path)
        with conn:
            conn.execute("UPDATE appointments SET visit_id = NULL")
        assert _contact(turns.db)["C001"][0] is None
        assert_rows_are_the_events(turns.db, tmp_path)
    finally:
        conn.close()
