"""The daily rollup behind the monthly trend (schema/0008_daily_rollup.sql): on generated
history the figures with it are exactly those counted live from the event log, rows are only
ever written for closed days of the session's own database, and rows counted against another
target (or by another version) are recounted."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.devtools.history import HistoryOptions, HistoryResult, generate
from oss_desk.domain.tally import DayTally
from oss_desk.render.json import monthly_json
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session, open_session
from oss_desk.storage.rollup import ROLLUP_VERSION
from oss_desk.worker.run import DeviceWorker

from .conftest import Cli

END = date(2026, 11, 20)  # a Friday, the last generated day
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # noon on it (GMT): the day is still open
SITES = ("town-hall", "north-office")
MONTHS = ("2026-11", "2026-06", "2026-01")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> HistoryResult:
    db = tmp_path_factory.mktemp("rollup") / "history.sqlite"
    result = generate(
        db,
        HistoryOptions(years=1, sites=2, visits_per_day=8, seed=5, end=END),
        clock=FixedClock(NOW),
    )
    assert result.first_day == RECORDS_BEGIN
    return result


def _copy(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


def _as_another_office(path: Path) -> Path:
    """Make a copy another office: its own office id and site ids (a copy of an office already
    in a report is refused, as are two offices with one site id)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        sites = [row[0] for row in conn.execute("SELECT id FROM sites")]
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for site in sites:
            for table in tables:
                columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
                if "site_id" in columns:
                    conn.execute(
                        f'UPDATE "{table}" SET site_id = ? WHERE site_id = ?', [f"{site}-b", site]
                    )
            conn.execute("UPDATE sites SET id = ? WHERE id = ?", [f"{site}-b", site])
            conn.execute(
                "UPDATE config_snapshots SET document = replace(document, ?, ?)",
                [f'"{site}"', f'"{site}-b"'],
            )
        conn.execute("UPDATE office_identity SET uuid = lower(hex(randomblob(16)))")
        for _, sql in triggers:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
    return path


@pytest.fixture
def db(generated: HistoryResult, tmp_path: Path) -> Path:
    return _copy(generated.path, tmp_path / "office.sqlite")


def _session(
    db: Path, now: datetime = NOW, desk: str | None = None, person: str = "sam"
) -> Session:
    return open_session(db=db, clock=FixedClock(now), person=person, desk_id=desk)


@pytest.fixture
def session(db: Path) -> Iterator[Session]:
    s = _session(db)
    yield s
    s.close()


def _live(session: Session, month: str, site: str | None = None, **kw: Any) -> dict[str, Any]:
    with ReportService(session, rollup=False, **kw) as reports:
        return monthly_json(reports.monthly(month, site))


def _rolled(session: Session, month: str, site: str | None = None, **kw: Any) -> dict[str, Any]:
    with ReportService(session, **kw) as reports:
        return monthly_json(reports.monthly(month, site))


def _rows(db: Path) -> list[tuple[Any, ...]]:
    """(site, day, visits, seen, seen within 15 minutes, finished, finished first contact,
    version) of every stored day, from the tally each row holds."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT site_id, business_day, tally, version FROM daily_rollup ORDER BY 1, 2"
        ).fetchall()
    finally:
        conn.close()
    found = []
    for site, day, text, version in rows:
        tally = DayTally.from_plain(json.loads(text), site, day).visits
        found.append(
            (
                site,
                day,
                tally.arrivals.total,
                len(tally.waits_ms),
                sum(w <= 15 * 60_000 for w in tally.waits_ms),
                tally.finished,
                tally.finished_first_contact,
                version,
            )
        )
    return found


A_YEAR_BEFORE = "2025-12-01"
"""The first day a November 2026 report asks for, made on the 20th with the month still going
on: its trend's twelve months (December 2025 to November 2026). Repeat contact is compared with
the same days a year before (1 to 20 November 2025), which are before the records begin, so
no day of November 2025 is asked for."""
RECORDS_BEGIN = "2025-11-21"
"""The first day of the year of history (a year back from ``END``): the office's records begin
then, and the rollup keeps no row for a day before them."""
FIRST_ROLLED = max(A_YEAR_BEFORE, RECORDS_BEGIN)


def _days(first: str, last: str) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days + 1


def test_the_trend_with_the_rollup_is_exactly_the_live_one(
    session: Session, db: Path, generated: HistoryResult
) -> None:
    assert _rows(db) == []
    for month in MONTHS:
        for site in (None, *SITES):
            live = _live(session, month, site)
            assert _rolled(session, month, site) == live, (month, site)  # counting and storing
            assert _rolled(session, month, site) == live, (month, site)  # read back
            assert live["trend"][-1]["visits"] > 0
            assert live["trend"][-1]["within_15_min_pct"] is not None
    rows = _rows(db)
    # Every day of every site from the oldest trend month (or the office's first day, when it
    # opened later: never a row for a day before it existed) to yesterday, none for today.
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        # The first recorded day (appointments are booked before the first opening day).
        opened = str(conn.execute("SELECT min(business_day) FROM events").fetchone()[0])
    finally:
        conn.close()
    assert "2025-02-01" < opened <= generated.first_day
    first = opened
    assert {r[0] for r in rows} == set(SITES)
    assert min(r[1] for r in rows) == first
    assert max(r[1] for r in rows) == "2026-11-19"
    assert len(rows) == len(SITES) * _days(first, "2026-11-19")
    assert {r[7] for r in rows} == {ROLLUP_VERSION}
    # ... and each holds what the generator itself counted for that site and day.
    for site, day, visits, seen, within, finished, first_contact, _ in rows:
        counted = generated.figures.get((site, day))
        if counted is None:
            assert (visits, seen, within, finished, first_contact) == (0, 0, 0, 0, 0)
        else:
            assert (visits, seen, within, finished, first_contact) == (
                counted.visits,
                counted.seen,
                counted.seen_within_target,
                counted.finished,
                counted.finished_first_contact,
            ), (site, day)


def test_today_is_never_rolled_up_and_counts_live(db: Path, session: Session) -> None:
    before = _rolled(session, "2026-11")
    assert max(r[1] for r in _rows(db)) == "2026-11-19"
    desk = _session(db, NOW, desk="greet-1", person="chloe")
    try:
        QueueService(desk).issue("C", print_ticket=False)  # a visit arriving today
    finally:
        desk.close()
    after = _rolled(session, "2026-11")
    assert after == _live(session, "2026-11")
    assert after["trend"][-1]["visits"] == before["trend"][-1]["visits"] + 1
    assert max(r[1] for r in _rows(db)) == "2026-11-19"

    # The next day (a Saturday), the Friday is over: it is rolled up, with the new visit, who
    # was still waiting when the office closed (closed then, and counted as a miss).
    saturday = _session(db, NOW + timedelta(days=1))
    try:
        closed = _rolled(saturday, "2026-11")
        assert closed == _live(saturday, "2026-11")
    finally:
        saturday.close()
    assert closed["trend"] == [*after["trend"][:-1], closed["trend"][-1]]
    assert closed["visits"] == after["visits"]
    assert (closed["closed_unseen"], closed["not_yet_seen"]) == (
        after["closed_unseen"] + 1,
        after["not_yet_seen"] - 1,
    )
    friday = [r for r in _rows(db) if r[1] == "2026-11-20"]
    assert len(friday) == 2
    assert sum(r[2] for r in friday) == after["by_day"]["2026-11-20"]
    assert max(r[1] for r in _rows(db)) == "2026-11-20"


def test_a_day_is_closed_only_once_it_is_over_at_every_site(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE sites SET timezone = 'America/New_York' WHERE id = 'north-office'")
    conn.commit()
    conn.close()
    # 03:00 UTC on Saturday: Saturday in London, still Friday evening in New York.
    night = _session(db, datetime(2026, 11, 21, 3, tzinfo=UTC))
    try:
        assert _rolled(night, "2026-11") == _live(night, "2026-11")
    finally:
        night.close()
    assert max(r[1] for r in _rows(db)) == "2026-11-19"
    # 05:00 UTC: Saturday in New York too.
    morning = _session(db, datetime(2026, 11, 21, 5, tzinfo=UTC))
    try:
        assert _rolled(morning, "2026-11") == _live(morning, "2026-11")
    finally:
        morning.close()
    assert max(r[1] for r in _rows(db)) == "2026-11-20"


def test_a_read_only_database_is_reported_on_and_never_written(session: Session, db: Path) -> None:
    session.store.conn.execute("PRAGMA query_only = ON")  # SQLite refuses every write
    live = _live(session, "2026-11")
    assert _rolled(session, "2026-11") == live
    assert _rows(db) == []
    session.store.conn.execute("PRAGMA query_only = OFF")
    assert _rolled(session, "2026-11") == live
    assert len(_rows(db)) == len(SITES) * _days(FIRST_ROLLED, "2026-11-19")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_included_databases_are_counted_but_never_written(
    session: Session, db: Path, generated: HistoryResult, tmp_path: Path
) -> None:
    bare = _as_another_office(_copy(generated.path, tmp_path / "bare.sqlite"))  # no rows yet
    # The same other office without the rollup table (made another office once: it rewrites
    # every row's site, a few seconds each time).
    older = _copy(bare, tmp_path / "older.sqlite")
    _rolled(session, "2026-11")
    filled = _as_another_office(_copy(db, tmp_path / "filled.sqlite"))  # with rollup rows
    conn = sqlite3.connect(older)
    conn.execute("DROP TABLE daily_rollup")
    conn.commit()
    conn.close()
    # The office's own visits in each month, counted live once: every copy holds the same.
    alone = {
        month: _live(session, month)["trend"][-1]["visits"] for month in ("2026-11", "2026-06")
    }
    for other in (bare, filled, older):
        digest = _digest(other)
        for month in ("2026-11", "2026-06"):
            live = _live(session, month, include=[other])
            assert _rolled(session, month, include=[other]) == live, (other.name, month)
            assert live["trend"][-1]["visits"] == 2 * alone[month]
        assert _digest(other) == digest, other.name
    assert _rows(bare) == []


def test_rows_of_another_target_or_version_are_recounted(session: Session, db: Path) -> None:
    at_15 = _rolled(session, "2026-11")
    session.settings = session.settings.model_copy(
        update={"queue": session.settings.queue.model_copy(update={"target_minutes": 10})}
    )
    # The rows hold raw waits, so another target needs no recount: the same rows, other shares.
    rows = _rows(db)
    at_10 = _rolled(session, "2026-11")
    assert at_10 == _live(session, "2026-11")
    assert [m["within_15_min_pct"] for m in at_10["trend"]] != [
        m["within_15_min_pct"] for m in at_15["trend"]
    ]
    assert _rows(db) == rows

    # A row left by another version of the computation (or tampered with) is not trusted.
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE daily_rollup SET tally = json_set(tally, '$.no_shows', 1000), version = ?"
        " WHERE business_day = ?",
        [ROLLUP_VERSION + 1, "2026-10-05"],
    )
    # ... and days missing for one site only are counted again.
    conn.execute(
        "DELETE FROM daily_rollup WHERE site_id = 'north-office' AND business_day LIKE '2026-03-%'"
    )
    conn.commit()
    conn.close()
    assert _rolled(session, "2026-11") == at_10
    rows = _rows(db)
    assert len(rows) == len(SITES) * _days(FIRST_ROLLED, "2026-11-19")
    assert {r[7] for r in rows} == {ROLLUP_VERSION}


def test_db_check_and_purge_pass_with_the_rollup(
    session: Session, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rolled(session, "2026-11")
    rows = _rows(db)
    cli = Cli(db, monkeypatch)
    assert cli("db", "check", now="2026-11-20T12:00:00Z").code == 0
    purged = cli("db", "purge", now="2026-11-20T12:00:00Z")
    assert purged.code == 0, purged.err
    assert _rows(db) == rows  # nothing personal there: purge leaves the counts alone
    # The CLI's monthly report reads them back.
    shown = cli(
        "report", "monthly", "--month", "2026-11", "--format", "json", now="2026-11-20T12:00:00Z"
    )
    assert shown.code == 0, shown.err
    assert shown.json()["trend"] == _live(session, "2026-11")["trend"]


def test_the_worker_stores_the_days_that_ended(db: Path) -> None:
    DeviceWorker(lambda: _session(db)).run_once()
    rows = _rows(db)
    assert max(r[1] for r in rows) == "2026-11-19"
    # Every day of the records that ended (a report asks only for its months' days).
    assert len(rows) == len(SITES) * _days(RECORDS_BEGIN, "2026-11-19")
    same_day = _session(db)
    try:
        assert ReportService(same_day).fill_rollup() == 0  # nothing new
    finally:
        same_day.close()
    saturday = _session(db, NOW + timedelta(days=1))
    try:
        assert ReportService(saturday).fill_rollup() == len(SITES)  # Friday, at both offices
        assert _rolled(saturday, "2026-11") == _live(saturday, "2026-11")
    finally:
        saturday.close()
    assert max(r[1] for r in _rows(db)) == "2026-11-20"
