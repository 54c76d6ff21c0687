"""UK working days per nation, the council's notice rule, and reminders across the clock changes.

The expected dates are the published GOV.UK bank holidays, written out by hand.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.reminders import parse_schedule
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput
from oss_desk.services.session import open_session
from oss_desk.worker.messages import MessageDelivery

from .appointments_site import make_office, service_at
from .messaging import SmtpServer

LONDON = ZoneInfo("Europe/London")
D = date.fromisoformat

# (day, working in England and Wales, in Scotland, in Northern Ireland)
WORKING_DAY_TABLE = [
    # Christmas 2026: Friday 25th; Boxing Day on Saturday, observed Monday 28th.
    ("2026-12-24", True, True, True),
    ("2026-12-25", False, False, False),
    ("2026-12-28", False, False, False),
    ("2026-12-29", True, True, True),
    ("2026-12-31", True, True, True),
    # New Year 2027: Friday 1st; Scotland's 2 January holiday falls on Saturday, so Monday 4th.
    ("2027-01-01", False, False, False),
    ("2027-01-04", True, False, True),
    ("2027-01-05", True, True, True),
    # New Year 2026: Scotland also has Friday 2 January.
    ("2026-01-02", True, False, True),
    # Easter 2026: Good Friday 3 April everywhere; Easter Monday not in Scotland.
    ("2026-04-02", True, True, True),
    ("2026-04-03", False, False, False),
    ("2026-04-06", False, True, False),
    ("2026-04-07", True, True, True),
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    ("2027-03-26", False, False, False),
    ("2027-03-29", False, True, False),
    # The nations' own days.
    ("2026-11-30", True, False, True),  # St Andrew's Day
    ("2026-03-17", True, True, False),  # St Patrick's Day
    ("2026-07-13", True, True, False),  # Battle of the Boyne (observed)
    ("2026-08-03", True, False, True),  # Scotland's summer holiday
    ("2026-08-31", False, True, False),  # the late summer holiday elsewhere
    # Weekends are never working days.
    ("2026-11-28", False, False, False),
]


@pytest.mark.parametrize(("day", "eng", "sct", "nir"), WORKING_DAY_TABLE)
def test_working_days_by_nation(day: str, eng: bool, sct: bool, nir: bool) -> None:
    wanted = {"ENG": eng, "WLS": eng, "SCT": sct, "NIR": nir}
    for nation, working in wanted.items():
        assert WorkingDays.of(nation).is_working_day(D(day)) is working, (nation, day)


# (nation, from, working days to add, expected)
COUNTING_TABLE = [
    ("ENG", "2026-12-29", -2, "2026-12-23"),  # back over Christmas and Boxing Day
    ("ENG", "2026-12-23", 2, "2026-12-29"),
    ("SCT", "2027-01-05", -2, "2026-12-30"),  # back over 4 Jan and 1 Jan
    ("ENG", "2027-01-05", -2, "2026-12-31"),
    ("NIR", "2027-01-05", -2, "2026-12-31"),
    ("ENG", "2026-04-07", -1, "2026-04-02"),  # back over the Easter weekend
    ("WLS", "2026-04-07", -1, "2026-04-02"),
    ("SCT", "2026-04-07", -1, "2026-04-06"),
    ("NIR", "2026-04-07", -1, "2026-04-02"),
    ("NIR", "2026-03-18", -1, "2026-03-16"),
    ("SCT", "2026-12-01", -1, "2026-11-27"),
]


@pytest.mark.parametrize(("nation", "start", "count", "expected"), COUNTING_TABLE)
def test_counting_working_days(nation: str, start: str, count: int, expected: str) -> None:
    assert WorkingDays.of(nation).add(D(start), count) == D(expected)


def test_local_closures_and_a_saturday_office() -> None:
    staff_day = WorkingDays.of("ENG", closures=["2026-12-24"])
    assert not staff_day.is_working_day(D("2026-12-24"))
    assert staff_day.holiday(D("2026-12-24")) == "local closure"
    assert staff_day.add(D("2026-12-29"), -1) == D("2026-12-23")
    saturdays = WorkingDays.of("ENG", weekdays=[0, 1, 2, 3, 4, 5])
    assert saturdays.is_working_day(D("2026-11-28"))
    # Boxing Day itself: not a bank holiday, Monday 28th is (GOV.UK; test_substitute_...).
    assert saturdays.is_working_day(D("2026-12-26"))


# (nation, cancelled at (local), appointment day, working days of notice)
NOTICE_TABLE = [
    ("ENG", "2026-11-23 10:00", "2026-11-24", 1),  # Monday morning for Tuesday
    ("ENG", "2026-11-23 17:30", "2026-11-24", 0),  # Monday evening for Tuesday: a breach
    ("ENG", "2026-11-24 09:00", "2026-11-24", 0),  # the same day
    ("ENG", "2026-11-27 12:00", "2026-11-30", 1),  # Friday lunchtime for Monday
    ("ENG", "2026-11-27 18:00", "2026-11-30", 0),  # Friday evening for Monday
    ("ENG", "2026-11-28 10:00", "2026-11-30", 0),  # Saturday for Monday
    ("ENG", "2026-11-27 18:00", "2026-12-01", 1),  # Friday evening for Tuesday
    ("SCT", "2026-11-27 18:00", "2026-12-01", 0),  # ... but St Andrew's Day in Scotland
    ("ENG", "2026-12-24 18:00", "2026-12-29", 0),  # Christmas Eve evening for the 29th
    ("ENG", "2026-12-23 12:00", "2026-12-29", 2),
    ("SCT", "2026-12-31 18:00", "2027-01-05", 0),  # Hogmanay evening for the 5th
    ("ENG", "2026-12-31 18:00", "2027-01-05", 1),  # Monday 4th counts in England
    ("ENG", "2026-04-02 18:00", "2026-04-07", 0),  # over Easter
    ("SCT", "2026-04-02 18:00", "2026-04-07", 1),  # Easter Monday is a working day
]


@pytest.mark.parametrize(("nation", "cancelled", "day", "notice"), NOTICE_TABLE)
def test_notice_rule(nation: str, cancelled: str, day: str, notice: int) -> None:
    when = datetime.fromisoformat(cancelled)
    assert WorkingDays.of(nation).notice(when, D(day), time(17)) == notice


# Reminders across the clock changes -----------------------------------------------------------

# (rule, appointment (UTC), reminder due (UTC))
REMINDER_TABLE = [
    # Tuesday 31 March 2026 10:00 BST; 2 working days before is Friday 27th, 09:00 GMT.
    ("2 working days before at 09:00", "2026-03-31T09:00Z", "2026-03-27T09:00Z"),
    # Tuesday 27 October 2026 10:00 GMT; 2 working days before is Friday 23rd, 09:00 BST.
    ("2 working days before at 09:00", "2026-10-27T10:00Z", "2026-10-23T08:00Z"),
    # Monday 30 March 10:00 BST; 24 hours of real time before is 10:00 BST on Sunday.
    ("24 hours before", "2026-03-30T09:00Z", "2026-03-29T09:00Z"),
    # Monday 26 October 10:00 GMT; 24 hours before is 11:00 BST on Sunday (real elapsed time).
    ("24 hours before", "2026-10-26T10:00Z", "2026-10-25T10:00Z"),
    # Tuesday 29 December: back over Christmas.
    ("2 working days before at 09:00", "2026-12-29T10:00Z", "2026-12-23T09:00Z"),
    ("1 working day before at 16:30", "2026-04-07T09:00Z", "2026-04-02T15:30Z"),
]


@pytest.mark.parametrize(("rule", "start", "due"), REMINDER_TABLE)
def test_reminder_due_times(rule: str, start: str, due: str) -> None:
    appointment = datetime.fromisoformat(start)
    expected = datetime.fromisoformat(due)
    got = parse_schedule(rule).due(appointment, "Europe/London", WorkingDays.of("ENG"))
    assert got == expected


@pytest.mark.parametrize("text", ["two days before", "2 working days before at 25:00", "soon"])
def test_reminder_schedule_refusals(text: str) -> None:
    with pytest.raises(InvalidInput, match="reminder"):
        parse_schedule(text)


def test_a_reminder_over_the_october_clock_change_is_sent_at_09_00_london(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    booked_at = datetime(2026, 10, 19, 9, 0, tzinfo=UTC)  # Monday 10:00 BST
    db = make_office(tmp_path, now=booked_at, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(booked_at))
    appt = svc.book("C", "2026-10-27T10:00:00Z", channel="email", email="r@example.org")
    session.close()
    conn = sqlite3.connect(db)
    (due,) = conn.execute(
        "SELECT due_at FROM messages WHERE appointment_id = ? AND kind = 'reminder'", [appt.id]
    ).fetchone()
    conn.close()
    assert due == "2026-10-23T08:00:00.000Z"

    def deliver(when: datetime) -> int:
        session = open_session(db=db, clock=FixedClock(when), person="worker")
        try:
            return MessageDelivery(session).deliver_due().sent
        finally:
            session.close()

    assert deliver(booked_at) == 1  # the confirmation
    assert deliver(datetime(2026, 10, 23, 7, 59, tzinfo=UTC)) == 0
    assert deliver(datetime(2026, 10, 23, 8, 0, tzinfo=UTC)) == 1
    reminder = smtp.mailbox.messages[-1]
    assert str(reminder["Subject"]).endswith("Tuesday 27 October 2026 at 10:00")
    sent = datetime(2026, 10, 23, 8, 0, tzinfo=UTC).astimezone(LONDON)
    assert (sent.hour, sent.minute) == (9, 0)
