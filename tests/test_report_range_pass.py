"""The day tallies of a range come from set-based passes (each visit's facts for the whole range
at once, storage/reports.py): they must be exactly what counting each visit on its own gives,
and a range must be exactly its days counted one by one.

The reference here is the way the reports counted before: one correlated query a visit for its
facts (the appointment's booked start, its first attended call, its first call, its resolution at
meet-and-greet and how it ended), each visit then counted by the domain's one rule
(VisitTally.count_visit). Checked on the scripted scorecard day (walk-outs before and after 15
minutes, a no-show, early and late check-ins, a visit dealt with at meet-and-greet, a ticket
left at closing) and on generated history at two sites.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.devtools.history import HistoryOptions, generate
from oss_desk.domain.standards import VisitFacts
from oss_desk.domain.tally import DayTally, VisitTally
from oss_desk.storage.reports import DayKey, day_tallies

from .conftest import Cli
from .test_scorecard_day import monday

__all__ = ["monday"]  # the scripted day's fixture, used below


def _ms(column: str) -> str:
    return f"CAST(round((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER)"


ONE_VISIT_AT_A_TIME = f"""
SELECT a.site_id, a.business_day, {_ms("a.at")},
  (SELECT {_ms("ap.starts_at")} FROM appointments ap WHERE ap.visit_id = a.visit_id
    ORDER BY ap.id LIMIT 1),
  (SELECT {_ms("min(c.at)")} FROM events c
    WHERE c.visit_id = a.visit_id AND c.kind = 'called'
      AND NOT EXISTS (SELECT 1 FROM events x WHERE x.visit_id = a.visit_id
                      AND x.kind IN ('no_show', 'cancelled') AND x.ticket_id = c.ticket_id)),
  (SELECT {_ms("min(c.at)")} FROM events c WHERE c.visit_id = a.visit_id AND c.kind = 'called'),
  (SELECT {_ms("f.at")} FROM events f
    WHERE f.visit_id = a.visit_id AND f.kind = 'finished' AND f.ticket_id IS NULL),
  (SELECT x.kind FROM events x WHERE x.visit_id = a.visit_id
    AND x.kind IN ('finished', 'no_show', 'cancelled') ORDER BY x.at DESC, x.id DESC LIMIT 1),
  (SELECT coalesce(json_extract(x.data, '$.reason'), '') FROM events x
    WHERE x.visit_id = a.visit_id AND x.kind IN ('finished', 'no_show', 'cancelled')
    ORDER BY x.at DESC, x.id DESC LIMIT 1),
  (SELECT {_ms("x.at")} FROM events x WHERE x.visit_id = a.visit_id
    AND x.kind IN ('finished', 'no_show', 'cancelled') ORDER BY x.at DESC, x.id DESC LIMIT 1)
FROM events a
WHERE a.business_day BETWEEN ? AND ? AND a.kind = 'arrived'
"""


def one_visit_at_a_time(conn: sqlite3.Connection, first: str, last: str) -> dict[DayKey, Any]:
    """Each (site, day)'s visits counted the reference way, as comparable plain data."""
    found: dict[DayKey, VisitTally] = {}
    for (
        site,
        day,
        arrived,
        booked,
        attended,
        first_call,
        quick,
        kind,
        reason,
        ended_ms,
    ) in conn.execute(ONE_VISIT_AT_A_TIME, [first, last]):
        seen = min((t for t in (attended, quick) if t is not None), default=None)
        found.setdefault((site, day), VisitTally()).count_visit(
            VisitFacts(
                arrived_ms=arrived,
                booked_ms=booked,
                seen_ms=seen,
                first_call_ms=first_call,
                ended=kind,
                ended_reason=(reason or None) if kind == "cancelled" else None,
                ended_ms=ended_ms,
            )
        )
    return {key: visits_of(t) for key, t in found.items()}


def visits_of(t: VisitTally) -> dict[str, Any]:
    """What each visit's counting decides (raw waits as sorted lists: order is not a figure)."""
    return {
        "waits_ms": sorted(t.waits_ms),
        "walk_outs_ms": sorted(t.walk_outs_ms),
        "closed_ms": sorted(t.closed_ms),
        "issued_in_error": t.issued_in_error,
        "not_yet": t.not_yet,
        "appointment_waits_ms": sorted(t.appointment_waits_ms),
        "late_check_ins": t.late_check_ins,
    }


def plain(days: dict[DayKey, DayTally]) -> dict[DayKey, Any]:
    """Every figure of each day's tally, raw lists sorted."""
    out = {}
    for key, tally in days.items():
        data = tally.plain()
        for name in ("waits_ms", "walk_outs_ms", "closed_ms", "appointment_waits_ms"):
            data[name] = sorted(data[name])
        data["served"] = sorted([*row[:-1], sorted(row[-1])] for row in data["served"])
        out[key] = data
    return out


def assert_range_is_its_visits_and_its_days(db: Path, first: date, last: date) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        whole = day_tallies(conn, first.isoformat(), last.isoformat(), None)
        reference = one_visit_at_a_time(conn, first.isoformat(), last.isoformat())
        assert {k: visits_of(t.visits) for k, t in whole.items() if k in reference} == reference
        assert all(t.visits.arrivals.total == 0 for k, t in whole.items() if k not in reference)
        one_by_one: dict[DayKey, DayTally] = {}
        day = first
        while day <= last:
            one_by_one.update(day_tallies(conn, day.isoformat(), day.isoformat(), None))
            day += timedelta(days=1)
        assert plain(whole) == plain(one_by_one)
        # One site of the range: that site's days, the same.
        sites = sorted({site for site, _day in whole})
        for site in sites:
            alone = day_tallies(conn, first.isoformat(), last.isoformat(), site)
            assert plain(alone) == {k: v for k, v in plain(whole).items() if k[0] == site}
        return sum(len(v["waits_ms"]) + len(v["walk_outs_ms"]) for v in reference.values())
    finally:
        conn.close()


def test_the_scripted_day_counts_as_visit_by_visit(monday: Cli) -> None:
    counted = assert_range_is_its_visits_and_its_days(
        monday.db, date(2026, 11, 22), date(2026, 11, 24)
    )
    assert counted == 9  # six seen and three walk-outs (tests/test_scorecard_day.py)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("range-pass") / "history.sqlite"
    generate(
        db,
        HistoryOptions(years=1, sites=2, visits_per_day=30, seed=7, end=date(2026, 3, 31), weeks=3),
        clock=FixedClock(datetime(2026, 4, 15, 12, tzinfo=UTC)),
    )
    return db


def test_generated_history_counts_as_visit_by_visit(history: Path) -> None:
    counted = assert_range_is_its_visits_and_its_days(history, date(2026, 3, 9), date(2026, 3, 31))
    assert counted > 500
