"""While the day is over (closed by hand, or past closing time) the display board, the
waiting-room screen and the resident's view (F10) say the office is closed, not "Please take a
ticket" (a fault hunt: after a close of day by hand the board kept inviting residents to take a
ticket while meet-and-greet refused every arrival), and "take a ticket" again after a reopen.
Read from a real pty board driven by the real device worker, on one clock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.printouts import resident_view
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now, reopen_now
from oss_desk.services.screen import screen_state
from oss_desk.services.session import Session, open_session
from oss_desk.worker.run import DeviceWorker

from .conftest import make_db, site_toml
from .hardware.fakes import Pty
from .test_board_put_back import Frames

OPEN = ["Please take a ticket", "", ""]
CLOSED = ["Office closed", "", ""]
MONDAY_1348 = datetime(2026, 11, 23, 13, 48, tzinfo=UTC)  # the office closes at 17:00


@contextlib.contextmanager
def board_on(tmp_path: Path, toml: str) -> Iterator[tuple[Frames, Path, FixedClock]]:
    """A real pty board (three rows) and the device worker, Monday 13:48."""
    board = Pty()
    extra = f'\n[board]\nurl = "ascii+serial://{board.path}?rows=3"\npoll_seconds = 0.3\n'
    db = make_db(tmp_path, toml + extra)
    clock = FixedClock(MONDAY_1348)
    worker = DeviceWorker(
        lambda: open_session(db=db, person="worker", clock=clock), poll_interval=0.02
    )
    worker.start()
    try:
        yield Frames(board), db, clock
    finally:
        worker.join()
        board.close()


def seen(session: Session) -> tuple[list[str], list[str]]:
    """What the waiting-room screen's "now" box says with nobody called, and the first rows of
    the board as the resident's view (F10) draws it."""
    rows = resident_view(session, None).board_lines
    return screen_state(session)["closed"], [row.rstrip() for row in rows[:1]]


def test_a_day_closed_by_hand_says_office_closed_until_it_is_reopened(tmp_path: Path) -> None:
    with board_on(tmp_path, site_toml()) as (frames, db, clock):
        assert frames.until("Please take a ticket") == OPEN
        leader = open_session(db=db, person="tl", clock=clock)
        try:
            assert seen(leader) == ([], ["Please take a ticket"])
            close_now(leader)
            assert frames.until("Office closed") == CLOSED
            assert seen(leader) == (["Office closed"], ["Office closed"])
            clock.set(datetime(2026, 11, 23, 14, 5, tzinfo=UTC))
            reopen_now(leader)
            # No board update is committed by a reopen: the board's next check redraws it.
            assert frames.until("Please take a ticket") == OPEN
            assert seen(leader) == ([], ["Please take a ticket"])
            # A call is shown as ever; the message is for a board with no call on it.
            desk = QueueService(open_session(db=db, person="ben", desk_id="desk-1", clock=clock))
            desk.issue("C", print_ticket=False)
            desk.call_next("desk-1")
            assert frames.until("C001 -> Desk 1") == ["C001 -> Desk 1", "", ""]
            desk.s.close()
        finally:
            leader.close()


def test_closing_time_says_office_closed_with_nothing_left_to_close(tmp_path: Path) -> None:
    """The automatic close at closing time, one rule with the close by hand: nothing was left
    open, so nothing was written, and the board still changes at 17:00 (within a poll)."""
    with board_on(tmp_path, site_toml()) as (frames, db, clock):
        assert frames.until("Please take a ticket") == OPEN
        clock.set(datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC))
        reader = open_session(db=db, person="tl", clock=clock)
        try:
            assert seen(reader) == ([], ["Please take a ticket"])
            clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))
            assert frames.until("Office closed") == CLOSED
            assert seen(reader) == (["Office closed"], ["Office closed"])
            # The next morning, before opening: a new day, that says when it opens
            # (test_board_not_open), then tickets taken again at opening time.
            clock.set(datetime(2026, 11, 24, 8, 45, tzinfo=UTC))
            assert frames.until("Opens at 09:00") == ["Opens at 09:00", "", ""]
            clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
            assert frames.until("Please take a ticket") == OPEN
            assert seen(reader) == ([], ["Please take a ticket"])
        finally:
            reader.close()


def test_a_welsh_office_says_it_is_closed_in_welsh_first(tmp_path: Path) -> None:
    toml = site_toml().replace(
        'name = "Civic Centre"\n', 'name = "Civic Centre"\nlanguage = "cy+en"\n'
    )
    with board_on(tmp_path, toml) as (frames, db, clock):
        assert frames.until("Cymerwch docyn") == ["Cymerwch docyn", "Please take a ticket", ""]
        leader = open_session(db=db, person="tl", clock=clock)
        try:
            close_now(leader)
            assert frames.until("Ar gau") == ["Ar gau", "Office closed", ""]
            assert seen(leader) == (["Ar gau", "Office closed"], ["Ar gau"])
        finally:
            leader.close()
