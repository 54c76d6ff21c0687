"""The follow-ups' working-day clock: due dates and overdue flags across a weekend, Christmas,
Easter in England and Wales, a Scottish bank holiday at a Scottish office and a local closure
day, in the domain and through the real command line with a simulated clock.

Every expected date is worked out by hand in the comments from the published GOV.UK bank
holidays (2026: Good Friday 3 April, Easter Monday 6 April (not in Scotland), St Andrew's Day
Monday 30 November (Scotland), Christmas Friday 25 December, Boxing Day observed Monday 28
December; 2027: New Year's Day Friday 1 January, Scotland's 2 January observed Monday 4 January).
The rule: the clock starts on the day received if that is a working day and it came in before
closing (17:00), else on the next working day; N working days later is the N-th working day
after the start day.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oss_desk.domain.followups import Due, FollowupClock, deadline
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput

from .conftest import Cli
from .followups_site import make_office, run_json

D = date.fromisoformat
CLOSES = {day: time(17, 0) for day in range(5)}


def clock(
    nation: str = "ENG", closures: tuple[str, ...] = (), closing: bool = True
) -> FollowupClock:
    return FollowupClock(WorkingDays.of(nation, closures), CLOSES if closing else {})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)  # a local wall time, as the service passes it


# (nation, closures, received (local), working days, start day, due day)
CASES = [
    # A weekend. Friday 27 November 14:00: the clock starts Friday; +1 is Monday 30.
    ("ENG", (), "2026-11-27T14:00", 1, "2026-11-27", "2026-11-30"),
    # After closing on Friday (17:30) it starts on Monday 30: +1 is Tuesday 1 December.
    ("ENG", (), "2026-11-27T17:30", 1, "2026-11-30", "2026-12-01"),
    # On Saturday: starts Monday 30, due Tuesday 1 December.
    ("ENG", (), "2026-11-28T11:00", 1, "2026-11-30", "2026-12-01"),
    # Christmas. Wednesday 23 December: +5 counts Thu 24 (1), Tue 29 (2), Wed 30 (3),
    # Thu 31 (4), Mon 4 January (5): 25, 28 December and 1 January are bank holidays.
    ("ENG", (), "2026-12-23T10:00", 5, "2026-12-23", "2027-01-04"),
    # ... and +15 goes on: 5, 6, 7, 8 (9), 11 (10), 12, 13, 14, 15 (14), Mon 18 January (15).
    ("ENG", (), "2026-12-23T10:00", 15, "2026-12-23", "2027-01-18"),
    # A ring-back on Christmas Eve afternoon is due by the end of Tuesday 29 December.
    ("ENG", (), "2026-12-24T16:00", 1, "2026-12-24", "2026-12-29"),
    # Easter in England: Thursday 2 April 2026 +1 skips Good Friday 3 and Easter Monday 6.
    ("ENG", (), "2026-04-02T11:00", 1, "2026-04-02", "2026-04-07"),
    ("WLS", (), "2026-04-02T11:00", 1, "2026-04-02", "2026-04-07"),
    # A referral with a 5-day SLA from Wednesday 1 April: Thu 2 (1), Tue 7 (2), Wed 8 (3),
    # Thu 9 (4), Fri 10 (5), in England and in Wales.
    ("ENG", (), "2026-04-01T12:00", 5, "2026-04-01", "2026-04-10"),
    ("WLS", (), "2026-04-01T12:00", 5, "2026-04-01", "2026-04-10"),
    # Scotland works Easter Monday: Thu 2 (1), Mon 6 (2), Tue 7 (3), Wed 8 (4), Thu 9 (5).
    ("SCT", (), "2026-04-01T12:00", 5, "2026-04-01", "2026-04-09"),
    # St Andrew's Day, Monday 30 November 2026, at a Scottish office: a ring-back from Friday 27
    # is due on Tuesday 1 December (an English office: Monday 30).
    ("SCT", (), "2026-11-27T10:00", 1, "2026-11-27", "2026-12-01"),
    ("ENG", (), "2026-11-27T10:00", 1, "2026-11-27", "2026-11-30"),
    # Scotland's Christmas and New Year: from 23 December +5 is Tuesday 5 January (4 January is
    # Scotland's 2 January holiday, observed).
    ("SCT", (), "2026-12-23T10:00", 5, "2026-12-23", "2027-01-05"),
    # A local closure day (Tuesday 24 November): a ring-back from Monday 23 is due Wednesday 25.
    ("ENG", ("2026-11-24",), "2026-11-23T10:00", 1, "2026-11-23", "2026-11-25"),
    # ... and one received on the closure day starts Wednesday 25, due Thursday 26.
    ("ENG", ("2026-11-24",), "2026-11-24T10:00", 1, "2026-11-25", "2026-11-26"),
]


@pytest.mark.parametrize(("nation", "closures", "received", "days", "start", "due"), CASES)
def test_start_and_due_days(
    nation: str, closures: tuple[str, ...], received: str, days: int, start: str, due: str
) -> None:
    c = clock(nation, closures)
    assert c.start_day(at(received)) == D(start)
    assert c.due_day(c.start_day(at(received)), days) == D(due)


def test_midnight_cut_off_counts_the_evening() -> None:
    # day_ends = "midnight": Friday 17:30 still counts as Friday, so +1 is Monday 30.
    c = clock(closing=False)
    assert c.start_day(at("2026-11-27T17:30")) == D("2026-11-27")
    assert c.due_day(D("2026-11-27"), 1) == D("2026-11-30")


@pytest.mark.parametrize(
    ("today", "done", "expected"),
    [
        ("2026-12-28", None, Due.LATER),  # a bank holiday before the due day
        ("2026-12-29", None, Due.TODAY),
        ("2026-12-30", None, Due.OVERDUE),
        (None, "2026-12-29", Due.MET),  # done on the due day itself
        (None, "2026-12-30", Due.LATE),
    ],
)
def test_overdue_flags(today: str | None, done: str | None, expected: Due) -> None:
    # The Christmas Eve ring-back above: due by the end of Tuesday 29 December.
    due = D("2026-12-29")
    assert deadline(due, D(done) if done else None, D(today or "2027-02-01")) is expected


def test_a_due_date_typed_must_be_a_working_day_from_today() -> None:
    c = clock("SCT")
    with pytest.raises(InvalidInput, match="in the past"):
        c.check_due(D("2026-11-20"), D("2026-11-23"))
    with pytest.raises(InvalidInput, match=r"Andrew's Day.*2026-12-01"):
        c.check_due(D("2026-11-30"), D("2026-11-23"))
    assert c.check_due(D("2026-11-23"), D("2026-11-23")) == D("2026-11-23")


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),  # noqa: DTZ001
    st.integers(min_value=0, max_value=20),
    st.sampled_from(["ENG", "WLS", "SCT", "NIR"]),
)
def test_deadlines_always_fall_on_working_days(received: datetime, days: int, nation: str) -> None:
    c = clock(nation, ("2026-11-24", "2027-06-01"))
    start = c.start_day(received)
    due = c.due_day(start, days)
    assert start >= received.date()
    assert c.workdays.is_working_day(start)
    assert c.workdays.is_working_day(due)
    assert c.workdays.between(start, due) == days  # start counted, due not: N days exactly


# Through the command line, with a simulated clock ---------------------------------------------


def test_scottish_office_with_a_closure_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path, nation="SCT", closures=("2026-12-01",)), monkeypatch)
    # Friday 27 November 2026, 10:00 GMT: Monday 30 is St Andrew's Day and Tuesday 1 December a
    # local closure, so the ring-back is due on Wednesday 2 December.
    made = run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        *("--phone", "07700 900123"),
        now="2026-11-27T10:00:00Z",
    )
    assert (made["start_day"], made["due"], made["standing"]) == (
        "2026-11-27",
        "2026-12-02",
        "later",
    )
    # A complaint the same day: with Monday 30 and Tuesday 1 out, +5 is Wed 2 (1), Thu 3 (2),
    # Fri 4 (3), Mon 7 (4), Tue 8 December (5); +15 goes on 9, 10, 11 (8), 14, 15, 16, 17,
    # 18 (13), Mon 21 (14), Tue 22 December (15).
    record = run_json(
        cli,
        *("--user", "tl", "followup", "add", "--kind", "complaint", "--category", "service"),
        now="2026-11-27T10:00:00Z",
    )
    assert (record["ack_due"], record["due"]) == ("2026-12-08", "2026-12-22")

    def standing(ref: str, now: str) -> str:
        shown = run_json(cli, "--user", "tl", "followup", "show", ref, now=now)
        return str(shown["standing"])

    assert standing("CB-0001", "2026-12-01T16:00:00Z") == "later"  # the closure day
    assert standing("CB-0001", "2026-12-02T16:59:00Z") == "due-today"
    assert standing("CB-0001", "2026-12-03T09:00:00Z") == "overdue"
    assert standing("OTR-0001", "2026-12-08T09:00:00Z") == "due-today"
    assert standing("OTR-0001", "2026-12-09T09:00:00Z") == "overdue"
    # The list puts the overdue first: on 9 December both are overdue, the ring-back (due 2
    # December) before the complaint (due to be acknowledged by 8 December).
    listed = run_json(cli, "--user", "tl", "followup", "list", now="2026-12-09T09:00:00Z")
    assert [(f["ref"], f["standing"]) for f in listed] == [
        ("CB-0001", "overdue"),
        ("OTR-0001", "overdue"),
    ]
    # Made on time on its due day (local date), the ring-back's deadline is met.
    run_json(cli, "--user", "ana", "followup", "done", "CB-0001", now="2026-12-02T16:30:00Z")
    shown = run_json(
        cli, "--user", "ana", "followup", "show", "CB-0001", now="2027-01-10T09:00:00Z"
    )
    assert shown["deadlines"] == {"return": "met"}


def test_british_summer_time_decides_the_local_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    # Thursday 2 April 2026 at 15:30 UTC is 16:30 BST: before closing, so it counts as Thursday
    # and is due (Good Friday and Easter Monday skipped) on Tuesday 7 April.
    early = run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        *("--phone", "07700 900123"),
        now="2026-04-02T15:30:00Z",
    )
    assert (early["start_day"], early["due"]) == ("2026-04-02", "2026-04-07")
    # 16:30 UTC is 17:30 BST, after closing: the clock starts Tuesday 7, due Wednesday 8.
    late = run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        *("--phone", "07700 900123"),
        now="2026-04-02T16:30:00Z",
    )
    assert (late["start_day"], late["due"]) == ("2026-04-07", "2026-04-08")
