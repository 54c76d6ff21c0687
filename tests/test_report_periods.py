"""Quarterly and annual reports on a generated year at two offices: counts are the sums of their
months (and of the generator's own count of every day); percentages and percentiles are worked
out from every visitor's own wait, never averaged from the months' figures; the stored days
(the rollup) give exactly what the event log gives."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.devtools.history import HistoryOptions, HistoryResult, generate
from oss_desk.render.json import monthly_json, range_json
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session, open_session

END = date(2026, 3, 31)  # the last day of the financial year 2025/26
NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)
YEAR = ("2025-04-01", "2026-03-31")
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]

COUNTS = (
    "visits",
    "walk_ins",
    "appointment_visits",
    "served",
    "quick_visits",
    "no_shows",
    "seen",
    "seen_within_target",
    "walked_out_after_target",
    "left_before_target",
    "closed_unseen",
    "measured",
    "issued_in_error",
    "finished",
    "finished_first_contact",
    "appointments_seen_on_time",
    "appointments_punctual",
    "appointments_checked_in_late",
    "appointments_booked",
    "appointments_kept",
    "appointments_no_show",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> HistoryResult:
    db = tmp_path_factory.mktemp("periods") / "history.sqlite"
    return generate(
        db,
        HistoryOptions(years=1, sites=2, visits_per_day=12, seed=11, end=END),
        clock=FixedClock(NOW),
    )


@pytest.fixture(scope="module")
def session(generated: HistoryResult) -> Iterator[Session]:
    s = open_session(db=generated.path, clock=FixedClock(NOW), person="sam")
    yield s
    s.close()


def half_up(part: int, whole: int) -> float | None:
    if not whole:
        return None
    value = Fraction(100 * part, whole)
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def minutes(ms: float) -> float:
    return float((Decimal(ms) / 60000).quantize(Decimal("0.1"), ROUND_HALF_UP))


def nearest_rank(values: list[int], q: int) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered) / 100)) - 1]


def _months(session: Session) -> dict[str, dict[str, Any]]:
    with ReportService(session) as reports:
        return {m: monthly_json(reports.monthly(m)) for m in MONTHS}


def test_the_year_is_the_sum_of_its_months_and_of_its_days(
    session: Session, generated: HistoryResult
) -> None:
    with ReportService(session) as reports:
        year = range_json(reports.annual("2025"))
    with ReportService(session, rollup=False) as live:
        assert range_json(live.annual("2025")) == year  # stored days = the event log
    assert (year["first_day"], year["last_day"]) == YEAR
    months = _months(session)
    for key in COUNTS:
        assert year[key] == sum(m[key] for m in months.values()), key
    for outcome, n in year["outcomes"].items():
        assert n == sum(m["outcomes"].get(outcome, 0) for m in months.values()), outcome
    for flag in ("urgent", "repeat_contact", "assisted_digital", "avoidable"):
        assert year["flags"][flag]["total"] == sum(
            m["flags"][flag]["total"] for m in months.values()
        )
    assert year["satisfaction"]["answers"] == sum(
        m["satisfaction"]["answers"] for m in months.values()
    )
    assert [m["month"] for m in year["months"]] == MONTHS
    assert [m["visits"] for m in year["months"]] == [m["visits"] for m in months.values()]

    # The generator's own count of every day of the year (it never asks the reports).
    days = [f for (_site, day), f in generated.figures.items() if YEAR[0] <= day <= YEAR[1]]
    within = sum(f.seen_within_target for f in days)
    measured = sum(f.seen + f.walked_out_after_target + f.closed_unseen for f in days)
    assert (year["visits"], year["seen"], year["seen_within_target"], year["measured"]) == (
        sum(f.visits for f in days),
        sum(f.seen for f in days),
        within,
        measured,
    )
    assert year["finished_first_contact"] == sum(f.finished_first_contact for f in days)

    # Percentages from the year's own counts: not the mean of the months' percentages.
    assert year["within_15_min_pct"] == half_up(within, measured)
    monthly_mean = statistics.mean(m["within_15_min_pct"] for m in months.values())
    assert round(monthly_mean, 1) != year["within_15_min_pct"]  # the test can tell them apart
    assert year["first_contact_resolution_pct"] == half_up(
        sum(f.finished_first_contact for f in days), sum(f.finished for f in days)
    )

    # Percentiles from every visitor's wait in the year: not a median of monthly medians.
    waits = [w for f in days for w in f.seen_waits_ms]
    assert len(waits) == year["seen"]
    assert year["wait_median_minutes"] == minutes(statistics.median(waits))
    assert year["wait_p90_minutes"] == minutes(nearest_rank(waits, 90))
    assert year["wait_p90_minutes"] != statistics.median(
        m["wait_p90_minutes"] for m in months.values()
    )


def test_a_quarter_is_the_sum_of_its_months(session: Session) -> None:
    months = _months(session)
    with ReportService(session) as reports:
        calendar = range_json(reports.quarterly("2025-Q4"))
        ours = range_json(reports.quarterly("2025/26-Q3"))
    assert calendar == ours  # October to December 2025, named two ways
    assert (calendar["key"], calendar["first_day"], calendar["last_day"]) == (
        "2025-Q4",
        "2025-10-01",
        "2025-12-31",
    )
    assert calendar["label"] == "Q3 2025/26 (October to December 2025)"
    chosen = [months[m] for m in ("2025-10", "2025-11", "2025-12")]
    for key in COUNTS:
        assert calendar[key] == sum(m[key] for m in chosen), key
    assert calendar["within_15_min_pct"] == half_up(
        sum(m["seen_within_target"] for m in chosen), sum(m["measured"] for m in chosen)
    )
    # The quarter before, beside it: July to September, its counts the sum of those months.
    before = calendar["previous"]
    assert (before["first_day"], before["last_day"]) == ("2025-07-01", "2025-09-30")
    assert before["visits"] == sum(months[m]["visits"] for m in ("2025-07", "2025-08", "2025-09"))


def test_a_quarter_typed_wrongly_is_one_line() -> None:
    from oss_desk.domain.periods import parse_quarter
    from oss_desk.errors import InvalidInput

    for bad in ("2025-Q5", "2025/27-Q1", "Q3", "２０２５-Q1"):
        with pytest.raises(InvalidInput) as caught:
            parse_quarter(bad)
        assert "\n" not in caught.value.message
