"""Before opening time, and all day on a day the office does not open (a weekend, a bank
holiday, a local closure), the display board, the waiting-room screen and the resident's view
(F10) say so: "Opens at 09:00" before the doors open, "Office closed" on a day they do not,
never "Please take a ticket" with an empty queue shown as open (a fault hunt: at 08:45 on a
Monday, and all Saturday, the board invited residents to take a ticket). A bilingual office
says it in Welsh first. Read from a real pty board driven by the real device worker, on one
clock, and from the screen's state and the desk's preview."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.closed_day import OFFICE_CLOSED_TEXT, OPENS_TEXT, ClosedDay, not_open_text
from oss_desk.services.queue.day_end import close_now
from oss_desk.services.session import open_session

from .conftest import make_db, site_toml
from .test_board_office_closed import board_on, seen

MONDAY_0845 = datetime(2026, 11, 23, 8, 45, tzinfo=UTC)  # the office opens at 09:00
WELSH = 'name = "Civic Centre"\nlanguage = "cy+en"\n'


def test_before_opening_the_board_says_when_the_office_opens(tmp_path: Path) -> None:
    with board_on(tmp_path, site_toml()) as (frames, db, clock):
        clock.set(MONDAY_0845)
        assert frames.until("Opens at 09:00") == ["Opens at 09:00", "", ""]
        reader = open_session(db=db, person="tl", clock=clock)
        try:
            assert seen(reader) == (["Opens at 09:00"], ["Opens at 09:00"])
            clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # the doors open
            assert frames.until("Please take a ticket") == ["Please take a ticket", "", ""]
            assert seen(reader) == ([], ["Please take a ticket"])
        finally:
            reader.close()


def test_a_day_closed_by_hand_before_opening_says_office_closed(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml(extra='\n[board]\nurl = "ascii+serial:///dev/null"\n'))
    leader = open_session(db=db, person="tl", clock=FixedClock(MONDAY_0845))
    try:
        close_now(leader)
        assert seen(leader) == (["Office closed"], ["Office closed"])
    finally:
        leader.close()


@pytest.mark.parametrize(
    "day",
    [
        datetime(2026, 11, 28, 10, 0, tzinfo=UTC),  # a Saturday
        datetime(2026, 12, 25, 10, 0, tzinfo=UTC),  # Christmas Day, a Friday
        datetime(2026, 12, 28, 10, 0, tzinfo=UTC),  # Boxing Day's substitute, a Monday
        datetime(2026, 11, 25, 10, 0, tzinfo=UTC),  # the office's local closure day
    ],
)
def test_a_day_the_office_does_not_open_says_office_closed_all_day(
    tmp_path: Path, day: datetime
) -> None:
    toml = site_toml().replace(
        'name = "Civic Centre"\n', 'name = "Civic Centre"\nclosures = ["2026-11-25"]\n'
    )
    with board_on(tmp_path, toml) as (frames, db, clock):
        clock.set(day)
        assert frames.until("Office closed") == ["Office closed", "", ""]
        reader = open_session(db=db, person="tl", clock=clock)
        try:
            assert seen(reader) == (["Office closed"], ["Office closed"])
        finally:
            reader.close()


def test_summer_time_says_the_office_s_own_opening_time(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml(extra='\n[board]\nurl = "ascii+serial:///dev/null"\n'))
    at = FixedClock(datetime(2026, 6, 1, 7, 30, tzinfo=UTC))  # Monday 08:30 in London (BST)
    reader = open_session(db=db, person="tl", clock=at)
    try:
        assert seen(reader) == (["Opens at 09:00"], ["Opens at 09:00"])
        at.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))  # 09:00 in London
        assert seen(reader) == ([], ["Please take a ticket"])
    finally:
        reader.close()


def test_a_welsh_office_says_when_it_opens_in_welsh_first(tmp_path: Path) -> None:
    toml = site_toml().replace('name = "Civic Centre"\n', WELSH)
    with board_on(tmp_path, toml) as (frames, db, clock):
        clock.set(MONDAY_0845)
        assert frames.until("Yn agor am 09:00") == ["Yn agor am 09:00", "Opens at 09:00", ""]
        reader = open_session(db=db, person="tl", clock=clock)
        try:
            assert seen(reader) == (["Yn agor am 09:00", "Opens at 09:00"], ["Yn agor am 09:00"])
            clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # Saturday
            assert frames.until("Ar gau") == ["Ar gau", "Office closed", ""]
        finally:
            reader.close()


def test_the_rule_closed_by_hand_and_the_day_over_come_before_the_opening_time() -> None:
    """The one rule (``domain.closed_day.not_open_text``), asked of instants alone."""
    opens = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    closes = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    by_hand = ClosedDay("hq", "2026-11-23", MONDAY_0845, "tl")
    assert not_open_text(None, MONDAY_0845, opens, closes) == OPENS_TEXT
    assert not_open_text(by_hand, MONDAY_0845, opens, closes) == OFFICE_CLOSED_TEXT
    assert not_open_text(None, opens, opens, closes) is None
    assert not_open_text(None, closes, opens, closes) == OFFICE_CLOSED_TEXT
    assert not_open_text(None, MONDAY_0845, None, closes) == OFFICE_CLOSED_TEXT
