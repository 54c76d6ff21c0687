"""The pure arithmetic of the reports: percentages, percentiles, minutes, RAG status, notice
buckets, months, and tallies from several offices adding up."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oss_desk.domain.stats import (
    busiest,
    last_months,
    median,
    month_bounds,
    month_days,
    ms_to_minutes,
    notice_bucket,
    parse_month,
    pct,
    percentile,
    rag_status,
    same_weekday_before,
    wait_summary,
)
from oss_desk.domain.tally import AppointmentTally, Arrivals, DayTally, VisitTally
from oss_desk.errors import InvalidInput


@pytest.mark.parametrize(
    ("value", "target", "rule", "expected"),
    [
        (80.1, 80, "over", "green"),
        (80.0, 80, "over", "amber"),  # "over 80%": 80% itself is not met
        (70.0, 80, "over", "amber"),
        (69.9, 80, "over", "red"),
        (80.0, 80, "at_least", "green"),
        (79.9, 80, "at_least", "amber"),
        (70.0, 80, "at_least", "amber"),
        (69.9, 80, "at_least", "red"),
        (100.0, 100, "at_least", "green"),
        (90.0, 100, "at_least", "amber"),
        (None, 80, "over", "none"),
        (50.0, None, "monitored", "none"),
    ],
)
def test_rag_status(value: float | None, target: float | None, rule: str, expected: str) -> None:
    assert rag_status(value, target, rule, 10) == expected


def test_amber_points_setting_moves_the_line() -> None:
    assert rag_status(75.0, 80, "at_least", 5) == "amber"
    assert rag_status(74.9, 80, "at_least", 5) == "red"
    assert rag_status(79.9, 80, "at_least", 0) == "red"


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(0, "0"), (1, "1"), (2, "2"), (3, "3-4"), (4, "3-4"), (5, "5+"), (30, "5+")],
)
def test_notice_buckets(days: int, bucket: str) -> None:
    assert notice_bucket(days) == bucket


def test_percentiles_and_minutes() -> None:
    assert median([]) is None and percentile([], 90) is None
    assert median([3, 1, 2]) == 2 and median([1, 2, 3, 4]) == 2.5
    values = [float(v) for v in range(1, 11)]  # nearest rank: ceil(0.9 * 10) = 9th
    assert percentile(values, 90) == 9
    assert percentile([float(v) for v in range(1, 12)], 90) == 10  # ceil(9.9) = 10th
    assert percentile([5], 90) == 5
    assert ms_to_minutes(90_000) == 1.5
    assert ms_to_minutes(3_000) == 0.1  # 0.05 minutes rounds half up
    assert ms_to_minutes(2_999) == 0.0
    assert ms_to_minutes(None) is None
    assert wait_summary([60_000, 120_000, 180_000, 900_000]) == (2.5, 15.0)
    assert wait_summary([]) == (None, None)
    assert pct(1, 3) == 33.3 and pct(2, 3) == 66.7 and pct(1, 8) == 12.5 and pct(0, 0) is None


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=200))
def test_nearest_rank_is_a_member_with_enough_below(values: list[int]) -> None:
    p90 = percentile([float(v) for v in values], 90)
    assert p90 in values
    assert sum(v <= p90 for v in values) >= math.ceil(0.9 * len(values))
    assert sum(v < p90 for v in values) < math.ceil(0.9 * len(values))


def test_months() -> None:
    assert parse_month(" 2026-10 ") == "2026-10"
    for bad in ("2026-13", "2026-00", "26-10", "2026-1", "October", "2026-10-01", ""):
        with pytest.raises(InvalidInput, match="is not a month"):
            parse_month(bad)
    assert month_bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert len(month_days("2026-10")) == 31
    trend = last_months("2026-10", 12)
    assert trend[0] == "2025-11" and trend[-1] == "2026-10" and len(trend) == 12
    assert last_months("2026-01", 2) == ["2025-12", "2026-01"]
    assert same_weekday_before(date(2026, 10, 5), 2) == [date(2026, 9, 28), date(2026, 9, 21)]


def test_busiest_takes_the_earliest_on_a_tie() -> None:
    assert busiest({"09": 3, "10": 5, "11": 5}) == "10"
    assert busiest({"09": 0, "10": 0}) is None
    assert busiest({}) is None


def test_tallies_add_up_raw_data() -> None:
    one = VisitTally(
        arrivals=Arrivals(Counter({("2026-10-01", "hq", 9, "C", "walk_in"): 2})),
        no_shows=1,
        waits_ms=[60_000],
        outcomes=Counter(resolved=1),
        served={("hq", "desk-1", "ana"): [300_000]},
        needs=Counter(bsl=1),
    )
    two = VisitTally(
        arrivals=Arrivals(Counter({("2026-10-01", "north", 9, "C", "appointment"): 1})),
        waits_ms=[1_200_000, 1_800_000],
        outcomes=Counter(referred=2),
        quick_visits=1,
        still_waiting=2,
    )
    both = one.merge(two)
    assert both.arrivals.total == 3 and both.arrivals.by(2) == {"09": 3}
    assert both.arrivals.by(4) == {"walk_in": 2, "appointment": 1}
    assert both.waits_ms == [60_000, 1_200_000, 1_800_000]
    assert (both.finished, both.finished_first_contact) == (3, 1)
    # The combined share is 1 of 3 (33.3%), not the mean of 100% and 0%.
    assert pct(both.finished_first_contact, both.finished) == 33.3
    assert (both.no_shows, both.quick_visits, both.still_waiting) == (1, 1, 2)
    appts = AppointmentTally(booked=2, council_notice=Counter({0: 1})).merge(
        AppointmentTally(booked=1, kept=1, council_notice=Counter({0: 1, 3: 1}), breaches=1)
    )
    assert (appts.booked, appts.kept, appts.breaches) == (3, 1, 1)
    assert appts.council_notice == Counter({0: 2, 3: 1})
    # Merging leaves both tallies as they were.
    assert one.waits_ms == [60_000] and two.waits_ms == [1_200_000, 1_800_000]
    day = DayTally(one, appts)  # one site-day's
    assert DayTally.from_plain(day.plain(), "hq", "2026-10-01") == day  # stored and read back


def test_call_figures_of_several_offices_add_up() -> None:
    from datetime import date

    from oss_desk.domain.call_figures import CallHour
    from oss_desk.domain.calls import CallCounts, CallFigures, call_figures

    hq = CallCounts(
        total=100,
        answered=80,
        abandoned=20,
        answered_wait_seconds=80 * 30,
        by_hour={8: 10, 9: 90},
        by_day={"2026-10-01": 100},
        answered_waits={(8, 30): 10, (9, 30): 70},
        abandoned_by_hour={9: 20},
        talk_seconds=80 * 200,
        talked=80,
    )
    north = CallCounts(
        total=50,
        answered=20,
        abandoned=30,
        answered_wait_seconds=20 * 120,
        by_hour={9: 50},
        by_day={"2026-10-02": 50},
        answered_waits={(9, 20): 5, (9, 160): 15},
        abandoned_by_hour={9: 30},
        talk_seconds=20 * 400,
        talked=20,
    )
    first, last = date(2026, 10, 1), date(2026, 10, 3)
    assert call_figures(CallCounts(), first, last) is None
    assert call_figures(hq + north, first, last) == CallFigures(
        total=150,
        answered=100,
        abandoned=50,
        answered_pct=66.7,  # 100 of 150, not the mean of 80% and 40%
        average_wait_seconds=48.0,  # (80 * 30 + 20 * 120) / 100
        by_hour={"08": 10, "09": 140},
        by_day={"2026-10-01": 100, "2026-10-02": 50, "2026-10-03": 0},
        answered_within={"20": 5, "45": 85},
        answered_within_pct={"20": 3.3, "45": 56.7},  # of all 150 calls
        abandoned_pct=33.3,
        average_talk_seconds=240.0,  # (80 * 200 + 20 * 400) / 100
        hours={
            "08": CallHour(
                calls=10,
                answered=10,
                abandoned=0,
                abandoned_pct=0.0,
                within_pct={"20": 0.0, "45": 100.0},
            ),
            "09": CallHour(
                calls=140,
                answered=90,
                abandoned=50,
                abandoned_pct=35.7,
                within_pct={"20": 3.6, "45": 53.6},
            ),
        },
    )
