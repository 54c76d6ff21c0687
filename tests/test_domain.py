"""Pure domain rules: needs, codes, business days, percentages (estimates: test_call_order)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oss_desk.clock import FixedClock, format_instant, parse_instant, read_instant
from oss_desk.domain.calendar import business_day, elapsed_text, parse_hours
from oss_desk.domain.codes import parse_service_code, parse_ticket_ref
from oss_desk.domain.needs import describe_need, parse_needs
from oss_desk.domain.stats import pct, percentile
from oss_desk.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bsl", ("bsl",)),
        (" BSL , Wheelchair ", ("bsl", "wheelchair")),
        ("interpreter:Polish", ("interpreter:polish",)),
        ("interpreter: Portuguese  (Brazil) ", ("interpreter:portuguese (brazil)",)),
        ("interpreter:Tiếng Việt", ("interpreter:tiếng việt",)),  # a language the staff speak
        (
            "large-print,collect-in-person,hearing-loop,private-room",
            ("collect-in-person", "hearing-loop", "large-print", "private-room"),
        ),
        ("bsl,bsl", ("bsl",)),
        ("", ()),
    ],
)
def test_needs_parse(text: str, expected: tuple[str, ...]) -> None:
    assert parse_needs(text, spoken={"tiếng việt"}) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("wheelchairs", "unknown need 'wheelchairs'"),
        ("interpreter", "names the language"),
        ("interpreter:", "names the language"),
        ("interpreter:p0lish", "is not a language known here"),
        # A name typed for a language: kept for good in the event log, shown on desks.
        ("interpreter:Zzname Zedd", "'zzname zedd' is not a language known here: give its"),
        ("interpreter:british sign", "is not a language known here"),
        ("interpreter:polish,interpreter:urdu", "one interpreter language"),
        ("bsl,,wheelchair", "stray comma"),
        ("x" * 10_000, "unknown need 'xxxxxxxx"),
        ("bsl\x00", r"unknown need 'bsl\?'"),
    ],
)
def test_needs_reject(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_needs(text, spoken={"tiếng việt"})


def test_need_descriptions() -> None:
    assert describe_need("interpreter:polish") == "Interpreter (Polish)"
    assert describe_need("bsl") == "BSL interpreter"


@pytest.mark.parametrize(
    ("text", "code", "ident"),
    [
        ("C012", "C012", None),
        ("c12", "C012", None),
        ("C-7", "C007", None),
        ("42", None, 42),
        ("#42", None, 42),
        ("b1000", "B1000", None),
    ],
)
def test_ticket_refs(text: str, code: str | None, ident: int | None) -> None:
    ref = parse_ticket_ref(text)
    assert ref.code == code
    assert ref.id == ident


@pytest.mark.parametrize("text", ["", "C", "CC12", "C000", "12C", "C 1 2", "'; DROP TABLE x"])
def test_bad_ticket_refs(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_ticket_ref(text)


def test_service_codes() -> None:
    assert parse_service_code(" c ") == "C"
    for bad in ("", "CC", "1", "é"):
        with pytest.raises(InvalidInput):
            parse_service_code(bad)


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        ("2026-03-28T23:59:59Z", "2026-03-28"),  # GMT, the night the clocks go forward
        ("2026-03-29T00:00:00Z", "2026-03-29"),
        ("2026-03-29T01:30:00Z", "2026-03-29"),  # 02:30 BST
        ("2026-03-29T23:00:00Z", "2026-03-30"),  # 00:00 BST on the 30th
        ("2026-06-15T23:30:00Z", "2026-06-16"),  # 00:30 BST: UTC still says the 15th
        ("2026-10-24T23:00:00Z", "2026-10-25"),  # 00:00 BST on the night they go back
        ("2026-10-25T00:30:00Z", "2026-10-25"),  # 01:30 BST
        ("2026-10-25T01:30:00Z", "2026-10-25"),  # 01:30 GMT, the repeated hour
        ("2026-10-25T23:59:59Z", "2026-10-25"),
        ("2026-10-26T00:00:00Z", "2026-10-26"),
    ],
)
def test_business_day_is_the_london_date(instant: str, day: str) -> None:
    assert business_day(parse_instant(instant), "Europe/London") == day


@pytest.mark.parametrize(
    ("since", "now", "shown"),
    [
        ("2026-12-04T10:00:00Z", "2026-12-04T10:00:59Z", "0 min"),
        ("2026-12-04T10:00:00Z", "2026-12-04T10:59:59Z", "59 min"),
        ("2026-12-04T10:00:00Z", "2026-12-04T11:00:00Z", "1 h 0 min"),
        ("2026-12-04T09:00:00Z", "2026-12-04T11:05:00Z", "2 h 5 min"),
        # closed last night: the day it began, not 1,083 minutes
        ("2026-12-03T17:00:00Z", "2026-12-04T11:03:00Z", "since Thu"),
        ("2026-06-15T23:30:00Z", "2026-06-16T08:00:00Z", "8 h 30 min"),  # 00:30 BST: same day
        ("2026-06-15T22:30:00Z", "2026-06-16T08:00:00Z", "since Mon"),  # 23:30 BST the 15th
        ("2026-11-20T17:00:00Z", "2026-12-04T11:03:00Z", "over a week"),
    ],
)
def test_how_long_a_desk_has_been_in_its_state(since: str, now: str, shown: str) -> None:
    assert elapsed_text(parse_instant(since), parse_instant(now), "Europe/London") == shown


def test_instants_round_trip_and_sort_as_text() -> None:
    a = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert format_instant(a) == "2026-01-02T03:04:05.678Z"
    assert read_instant(format_instant(a)) == a.replace(microsecond=678000)
    later = parse_instant("2026-01-02T04:04:05+01:00")
    assert format_instant(later) == "2026-01-02T03:04:05.000Z"
    with pytest.raises(InvalidInput, match="no UTC offset"):
        parse_instant("2026-01-02T03:04:05")
    with pytest.raises(InvalidInput, match="not an ISO 8601"):
        parse_instant("yesterday")
    with pytest.raises(InvalidInput):
        FixedClock(datetime(2026, 1, 1))  # noqa: DTZ001


INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2099, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(INSTANTS, INSTANTS)
def test_format_instant_orders_like_time(a: datetime, b: datetime) -> None:
    fa, fb = format_instant(a), format_instant(b)
    assert len(fa) == len(fb) == 24
    if a.replace(microsecond=a.microsecond // 1000 * 1000) < b.replace(
        microsecond=b.microsecond // 1000 * 1000
    ):
        assert fa < fb


def test_opening_hours() -> None:
    hours = parse_hours("09:00-17:00")
    assert hours is not None and str(hours) == "09:00-17:00"
    assert parse_hours("closed") is None
    for bad in ("9-5", "17:00-09:00", "09:00"):
        with pytest.raises(InvalidInput):
            parse_hours(bad)


def test_pct_rounds_half_up_to_one_place() -> None:
    assert pct(1, 3) == 33.3
    assert pct(2, 3) == 66.7
    assert pct(1, 8) == 12.5
    assert pct(1, 16) == 6.3  # 6.25 rounds up, not to even
    assert pct(0, 0) is None
    assert pct(5, 5) == 100.0


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == 5.0
    assert percentile(values, 90) == 9.0
    assert percentile(values, 100) == 10.0
    assert percentile([], 50) is None
