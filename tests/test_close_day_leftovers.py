"""A day closed by hand also closes the tickets an earlier day left open (no worker ran at its
closing time, nobody arrived since): those close as that day's own close would have closed
them, at its closing time and by nobody, and the close's line names them apart with their day
(a review's finding: Tuesday's close by hand closed Monday's leftovers "by Amina Shah", as if
by hand on Tuesday, in one undated count). Real SQLite files and the real commands."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.closed_day import day_closed_said
from oss_desk.services.queue.day_end import left_open_now
from oss_desk.services.session import open_session

from .conftest import Cli, make_db, rows, site_toml

TUESDAY_0905 = datetime(2026, 11, 24, 9, 5, tzinfo=UTC)


def test_an_earlier_days_leftovers_close_as_at_its_own_closing_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    leader = ("--user", "tl")
    for minute in (0, 1):  # Monday: two residents left waiting, no worker at 17:00
        issued = cli(*leader, "ticket", "issue", "--service", "C", now=f"2026-11-23T13:0{minute}Z")
        assert issued.code == 0, issued.err
    # The question says so before (asked at a terminal; here, of the service the command asks).
    session = open_session(db=cli.db, clock=FixedClock(TUESDAY_0905), person="tl")
    try:
        question = left_open_now(session).question()
    finally:
        session.close()
    assert question.startswith(
        'Close the day now? 2 tickets will be closed as "office closed": 2 waiting, 0 called '
        "and not come to a desk (2 left from an earlier day, closed as at its own closing time).\n"
    )
    closing = cli(*leader, "desks", "close-day", "--yes", now="2026-11-24T09:05:00Z")
    assert closing.code == 0, closing.err
    assert closing.out == (
        "Day closed: 2 tickets left from Mon 23 Nov (C001, C002), closed as office closed, as "
        "at that day's closing time\n"
    )
    assert (
        rows(
            cli.db,
            "SELECT business_day, at, json_extract(data, '$.automatic') FROM events"
            " WHERE kind = 'cancelled' ORDER BY id",
        )
        == [("2026-11-23", "2026-11-23T17:00:00.000Z", 1)] * 2
    )
    shown = cli(*leader, "ticket", "show", "1", now="2026-11-24T09:06:00Z")
    assert shown.code == 0, shown.err
    assert "closed at close of day (office closed), 17:00" in shown.out
    last = shown.out.rstrip().splitlines()[-1].strip()
    assert last == "17:00  C001 closed at close of day (office closed)"  # by nobody
    # The reopen is as ever: its close closed none of today's tickets, so it names none.
    reopened = cli(*leader, "desks", "reopen-day", now="2026-11-24T09:10:00Z")
    assert reopened.out == (
        "Day reopened (it was closed by Team Leader at 09:05): tickets and check-ins again\n"
    )


def test_the_close_names_todays_tickets_and_each_earlier_days_apart() -> None:
    tuesday = date(2026, 11, 24)
    closed = [
        ("2026-11-20", "B004"),
        ("2026-11-23", "C019"),
        ("2026-11-24", "C001"),
        ("2026-11-23", "W005"),
    ]
    assert day_closed_said(closed, tuesday) == (
        "Day closed: 1 ticket closed as office closed (C001), and 1 left from Fri 20 Nov "
        "(B004), and 2 left from Mon 23 Nov (C019, W005), closed as at each day's closing time"
    )
    assert day_closed_said(closed[2:3], tuesday, codes=False) == (
        "Day closed: 1 ticket closed as office closed"
    )
    assert day_closed_said(closed[1:], tuesday, codes=False) == (
        "Day closed: 1 ticket closed as office closed, and 2 left from Mon 23 Nov, closed as "
        "at that day's closing time"
    )
