"""``appointment slots`` says which days a bank holiday or closure shuts (an appointments
adviser's trial, finding 4): searched from Christmas Day for one day it printed only "No free
slots in that period."; for a week it skipped to Tue 29 Dec without a word. Each such day is
now said where it falls, in the words a booking on it is refused with. Real SQLite, the real
command."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from .appointments_site import make_office
from .conftest import Cli

MONDAY_BEFORE = "2026-12-21T10:00:00+00:00"
CHRISTMAS = "Fri 25 Dec is a bank holiday (Christmas Day): the office is closed"
BOXING_DAY = "Mon 28 Dec is a bank holiday (Boxing Day (observed)): the office is closed"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    db = make_office(tmp_path, now=datetime(2026, 12, 21, 10, 0, tzinfo=UTC))
    return Cli(db, monkeypatch)


def slots(cli: Cli, *args: str) -> list[str]:
    done = cli("--user", "tl", "appointment", "slots", "--service", "C", *args, now=MONDAY_BEFORE)
    assert done.code == 0, done.err
    return done.out.splitlines()


def test_a_search_of_a_bank_holiday_says_so(cli: Cli, tmp_path: Path) -> None:
    assert slots(cli, "--date", "2026-12-25", "--days", "1") == [
        CHRISTMAS,
        "No free slots in that period.",
    ]
    booked = cli("--user", "tl", "appointment", "book", "--service", "C", "--start",
                 "2026-12-25T10:00:00+00:00", "--channel", "slip", "--print-to",
                 f"capture://{tmp_path}/slips.bin", now=MONDAY_BEFORE)  # fmt: skip
    assert booked.err == f"oss-desk: {CHRISTMAS}; choose another day\n"  # the same words


def test_the_days_skipped_are_said_where_they_fall(cli: Cli) -> None:
    found = slots(cli, "--date", "2026-12-24", "--limit", "200")
    christmas, boxing = found.index(CHRISTMAS), found.index(BOXING_DAY)
    assert found[christmas - 1].startswith("Thu 24 Dec ")  # after Christmas Eve's slots
    assert found[christmas + 1] == BOXING_DAY  # the weekend is closed every week: not said
    assert found[boxing + 1].startswith("Tue 29 Dec 09:00 ")
    assert sum("bank holiday" in line for line in found) == 2
    # Cut by --limit before Christmas: nothing is said of the days not reached.
    assert not any("bank holiday" in line for line in slots(cli, "--date", "2026-12-24"))
    # --json stays one list of the slots.
    done = cli("--user", "tl", "appointment", "slots", "--service", "C", "--date", "2026-12-25",
               "--days", "1", "--json", now=MONDAY_BEFORE)  # fmt: skip
    assert done.json() == []


def test_a_search_past_the_booking_horizon_says_how_far_ahead_bookings_open(
    cli: Cli, tmp_path: Path
) -> None:
    """A new-user trial: `slots --date` past the horizon said only "No free slots in that
    period." while `book` on that day said "appointments can be booked up to 56 days ahead":
    both now say the latter. 56 days from Mon 21 Dec is Mon 15 Feb."""
    horizon = "appointments can be booked up to 56 days ahead"
    for date, days in (("2027-03-01", "7"), ("2027-02-16", "1")):
        assert slots(cli, "--date", date, "--days", days) == [
            f"No free slots in that period: {horizon}."
        ]
    booked = cli("--user", "tl", "appointment", "book", "--service", "C", "--start",
                 "2027-03-01T10:00:00+00:00", "--channel", "slip", "--print-to",
                 f"capture://{tmp_path}/slips.bin", now=MONDAY_BEFORE)  # fmt: skip
    assert booked.err == f"oss-desk: {horizon}\n"  # the same words
    # Up to the horizon itself, the search finds its slots and says nothing of it.
    found = slots(cli, "--date", "2027-02-15", "--days", "3")
    assert found[0].startswith("Mon 15 Feb 09:00 ") and horizon not in "\n".join(found)


def test_a_malformed_start_is_said_before_the_slip_printer(cli: Cli) -> None:
    """A new-user trial: `book --start 09/12/2026 --channel slip` at a terminal with no desk
    printer complained of the slip first; fixing that, the date was refused next. The time is
    read first now: one line, exit 2, about --start."""
    booked = cli("--user", "tl", "appointment", "book", "--service", "C", "--start",
                 "09/12/2026", "--channel", "slip", now=MONDAY_BEFORE)  # fmt: skip
    assert booked.code == 2 and booked.err.count("\n") == 1, booked.err
    assert "--start" in booked.err and "slip" not in booked.err, booked.err
