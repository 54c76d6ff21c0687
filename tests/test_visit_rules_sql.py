"""The rules of the 15-minute figure are written once, in the domain, and read two ways.

:data:`~oss_desk.domain.standards.VISIT_ENDS` (what became of a visit and how long it waited),
:data:`~oss_desk.domain.standards.CLOCK_STARTS` (when the clock starts) and
:data:`~oss_desk.domain.standards.CHECKED_IN_BY_BOOKED` (whose wait counts for appointment
punctuality) are read in Python visit by visit (:meth:`VisitTally.count_visit`, as the history
generator and an older copy's reference count) and spelt as SQL by
:mod:`oss_desk.storage.reports_visits`, which the reports use to add up hundreds of thousands of
visits per site and day in SQLite. For arbitrary visits (waits of exactly 15:00 and a
millisecond either side, missing check-ins, appointments early, on time and late, walk-outs,
no-shows, the office closed, tickets issued in error, visits still open) both give the same
tallies: the same counts and the same raw waits, so the same percentages and percentiles.

The figures' one-pass counts (:func:`count_within`, :func:`count_punctual`,
:func:`count_missed_walk_outs`) are likewise held to the rules one wait at a time.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from oss_desk.domain.standards import (
    CLOSED_REASONS,
    VisitFacts,
    count_missed_walk_outs,
    count_punctual,
    count_within,
    missed_walk_out,
    punctual,
)
from oss_desk.domain.tally import DayTally, VisitTally
from oss_desk.domain.wait_target import within_target
from oss_desk.storage.reports_visits import FACT_COLUMNS, count_ended_visits

T0 = 1_795_000_000_000
"""An instant (epoch ms) in 2026."""
TARGET_MS = 15 * 60_000
EDGES = (0, 1, 59_999, 60_000, 299_999, 300_000, 300_001, TARGET_MS - 1, TARGET_MS, TARGET_MS + 1)
"""Offsets at the boundaries: the same instant, a millisecond, a minute, the 5 minutes of
punctuality and the 15 minutes of the target, just under, exactly and just over."""

offset = st.one_of(
    st.sampled_from(EDGES),
    st.sampled_from(EDGES).map(lambda ms: -ms),
    st.integers(min_value=-3 * TARGET_MS, max_value=4 * TARGET_MS),
)

none_or_offset = st.none() | offset
"""An offset or none, made once: a strategy made again at each draw cost most of the test's
time (hypothesis works out each new strategy before drawing from it)."""


@st.composite
def visits(draw: st.DrawFn) -> tuple[str, str, VisitFacts]:
    """One visit's facts around an arrival: any of them missing, any end."""
    arrived = T0 + draw(st.integers(min_value=0, max_value=8 * 3_600_000))

    def maybe(after: int) -> int | None:
        ms = draw(none_or_offset)
        return None if ms is None else after + ms

    ended = draw(st.sampled_from((None, "finished", "no_show", "cancelled")))
    reason = draw(st.sampled_from((None, "left", "error", *CLOSED_REASONS)))
    facts = VisitFacts(
        arrived_ms=arrived,
        booked_ms=maybe(arrived),
        seen_ms=maybe(arrived),
        first_call_ms=maybe(arrived),
        ended=ended,
        ended_reason=reason if ended == "cancelled" else draw(st.sampled_from((None, reason))),
        ended_ms=None if ended is None else maybe(arrived),
    )
    site = draw(st.sampled_from(("north", "south")))
    day = draw(st.sampled_from(("2026-11-23", "2026-11-24")))
    return site, day, facts


def _in_python(rows: list[tuple[str, str, VisitFacts]]) -> dict[tuple[str, str], VisitTally]:
    days: dict[tuple[str, str], VisitTally] = {}
    for site, day, facts in rows:
        days.setdefault((site, day), VisitTally()).count_visit(facts)
    return days


def _in_sql(rows: list[tuple[str, str, VisitFacts]]) -> dict[tuple[str, str], VisitTally]:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"CREATE TABLE given (site_id, business_day, {', '.join(FACT_COLUMNS)})")
        values: list[tuple[Any, ...]] = [
            (site, day, *(getattr(facts, name) for name in FACT_COLUMNS))
            for site, day, facts in rows
        ]
        conn.executemany(f"INSERT INTO given VALUES ({', '.join('?' * 9)})", values)
        days: dict[tuple[str, str], VisitTally] = {}

        def tally_of(site: str | None, day: str) -> VisitTally:
            return days.setdefault((site or "", day), VisitTally())

        count_ended_visits(conn, "WITH facts AS (SELECT * FROM given)", {}, tally_of)
        return days
    finally:
        conn.close()


def _plain(days: dict[tuple[str, str], VisitTally]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for key, tally in days.items():
        data = DayTally(visits=tally).plain()
        for name in ("waits_ms", "walk_outs_ms", "closed_ms", "appointment_waits_ms"):
            data[name] = sorted(data[name])
        out[key] = data
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(visits(), max_size=40))
def test_the_sql_path_counts_every_visit_as_python_does(
    rows: list[tuple[str, str, VisitFacts]],
) -> None:
    assert _plain(_in_sql(rows)) == _plain(_in_python(rows))


def test_the_boundaries_by_hand() -> None:
    """Worked by hand: seen at exactly 15:00 (within), a walk-out at 15:00 (left before) and at
    15:00.001 (a miss), an appointment checked in early and seen 5:00 after the booked time
    (punctual, its wait from the booked time), one checked in late (counted on its own), a
    ticket left at closing, one issued in error and one still open."""
    rows = [
        ("north", "2026-11-23", VisitFacts(T0, seen_ms=T0 + TARGET_MS, ended="finished")),
        (
            "north",
            "2026-11-23",
            VisitFacts(T0, ended="cancelled", ended_reason="left", ended_ms=T0 + TARGET_MS),
        ),
        (
            "north",
            "2026-11-23",
            VisitFacts(
                T0, first_call_ms=T0 + TARGET_MS + 1, ended="no_show", ended_ms=T0 + TARGET_MS + 9
            ),
        ),
        (
            "north",
            "2026-11-23",
            VisitFacts(T0, booked_ms=T0 + 600_000, seen_ms=T0 + 900_000, ended="finished"),
        ),
        (
            "north",
            "2026-11-23",
            VisitFacts(T0 + 60_000, booked_ms=T0, seen_ms=T0 + 120_000, ended="finished"),
        ),
        (
            "north",
            "2026-11-23",
            VisitFacts(
                T0, ended="cancelled", ended_reason="office_closed", ended_ms=T0 + 3_600_000
            ),
        ),
        (
            "north",
            "2026-11-23",
            VisitFacts(T0, ended="cancelled", ended_reason="error", ended_ms=T0 + 5),
        ),
        ("north", "2026-11-23", VisitFacts(T0, first_call_ms=T0 + 7)),
    ]
    for days in (_in_sql(rows), _in_python(rows)):
        tally = days[("north", "2026-11-23")]
        assert sorted(tally.waits_ms) == [60_000, 300_000, TARGET_MS]
        assert sorted(tally.walk_outs_ms) == [TARGET_MS, TARGET_MS + 1]
        assert tally.closed_ms == [3_600_000]
        assert tally.appointment_waits_ms == [300_000]
        assert (tally.late_check_ins, tally.issued_in_error, tally.not_yet) == (1, 1, 1)
        assert count_within(tally.waits_ms, TARGET_MS) == 3
        assert count_missed_walk_outs(tally.walk_outs_ms, TARGET_MS) == 1
        assert count_punctual(tally.appointment_waits_ms, 300_000) == 1


@given(st.lists(offset), offset)
def test_the_one_pass_counts_are_the_rules(waits: list[int], limit: int) -> None:
    assert count_within(waits, limit) == sum(within_target(w, limit) for w in waits)
    assert count_missed_walk_outs(waits, limit) == sum(missed_walk_out(w, limit) for w in waits)
    assert count_punctual(waits, limit) == sum(punctual(w, 0, limit) for w in waits)
