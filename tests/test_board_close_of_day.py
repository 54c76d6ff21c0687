"""Close of day takes its closed tickets' calls off the display board at once (a fault hunt:
the board kept "C001 -> Desk 1" after the day closed, until the next call or a worker
restart), by the team leader's close, the worker's own close at closing time, and when the
day turns at midnight with a call still up. Read from a real pty board driven by the real
device worker, on one clock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Ticket
from oss_desk.services.printouts import board_state
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now, reopen_now
from oss_desk.services.screen import screen_state
from oss_desk.services.session import Session, open_session
from oss_desk.worker.rounds import close_day
from oss_desk.worker.run import DeviceWorker

from .conftest import make_db, site_toml
from .hardware.fakes import Pty
from .test_board_put_back import Frames

CLOSED = ["Office closed", "", ""]  # the day over: no "take a ticket" (test_board_office_closed)
CALLED = ["C001 -> Desk 1", "", ""]


def after_the_call(frames: Frames) -> list[str]:
    """The board's next frame that is not the call again (the lane may send the same frame
    twice, as it starts and as it is told of the call): what the close put up."""
    while (lines := frames.next()) == CALLED:
        pass
    return lines


@contextlib.contextmanager
def called_at_four(tmp_path: Path) -> Iterator[tuple[Frames, QueueService, FixedClock, Path]]:
    """Monday 16:00: C001 called to Desk 1 and on the board; C002 waiting."""
    board = Pty()
    url = f"ascii+serial://{board.path}?rows=3"
    db = make_db(tmp_path, site_toml(extra=f'\n[board]\nurl = "{url}"\npoll_seconds = 0.3\n'))
    clock = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    worker = DeviceWorker(
        lambda: open_session(db=db, person="worker", clock=clock), poll_interval=0.02
    )
    desk = QueueService(open_session(db=db, person="ben", desk_id="desk-1", clock=clock))
    worker.start()
    try:
        frames = Frames(board)
        desk.issue("C", print_ticket=False)
        desk.issue("C", print_ticket=False)
        assert desk.call_next("desk-1").code == "C001"  # type: ignore[union-attr]
        assert frames.until("C001 -> Desk 1") == CALLED
        yield frames, desk, clock, db
    finally:
        worker.join()
        desk.s.close()
        board.close()


def test_the_team_leaders_close_of_day_clears_the_board(tmp_path: Path) -> None:
    with called_at_four(tmp_path) as (frames, _desk, clock, db):
        leader = open_session(db=db, person="tl", clock=clock)
        try:
            assert [t.code for t in close_now(leader)] == ["C001", "C002"]
        finally:
            leader.close()
        assert after_the_call(frames) == CLOSED


def test_the_workers_close_at_closing_time_clears_the_board(tmp_path: Path) -> None:
    with called_at_four(tmp_path) as (frames, _desk, clock, db):
        clock.set(datetime(2026, 11, 23, 17, 5, tzinfo=UTC))  # closed at 17:00
        worker = open_session(db=db, person="worker", clock=clock, host=True)
        try:
            assert close_day(worker) == 2  # the worker's own step, as at closing time
        finally:
            worker.close()
        assert after_the_call(frames) == CLOSED


def test_a_call_left_up_leaves_the_board_when_the_day_turns(tmp_path: Path) -> None:
    """A desk left open across midnight, its resident still being served (close of day leaves
    them with their adviser): yesterday's call leaves the board within a poll."""
    with called_at_four(tmp_path) as (frames, desk, clock, _db):
        desk.start("C001")
        clock.set(datetime(2026, 11, 24, 0, 1, tzinfo=UTC))
        assert after_the_call(frames) == ["Opens at 09:00", "", ""]  # not open yet


def listed(session: Session) -> tuple[list[str], list[str]]:
    """The calls the board's next frame and the waiting-room screen list, newest first."""
    board = [f"{call.code} -> {call.desk}" for call in board_state(session, "hq", 3).calls]
    screen = [f"{call['code']} -> {call['desk'][0]}" for call in screen_state(session)["calls"]]
    return board, screen


@pytest.mark.parametrize("one_still_called", [True, False])
def test_close_of_day_takes_every_earlier_call_off_the_board_and_the_screen(
    tmp_path: Path, one_still_called: bool
) -> None:
    """A new-user trial: C001-C003 called and finished at Desk 1, C004 called, the day closed:
    the board went back to "C003 -> Desk 1" and the screen said "Now calling C003" while the
    residents were texted that the office had closed. After the close no call made before it
    is listed, whether or not the close closed a ticket (the finished ones leave too)."""
    with called_at_four(tmp_path) as (frames, desk, clock, db):
        desk.start("C001")
        desk.finish("C001", "resolved")
        for _ in range(2 if one_still_called else 1):  # C003 (and C004); C002 is waiting
            desk.issue("C", print_ticket=False)
        for code in ("C002", "C003"):
            assert called(desk.call_next("desk-1")) == code
            desk.start(code)
            desk.finish(code, "resolved")
        if one_still_called:
            assert called(desk.call_next("desk-1")) == "C004"
            assert frames.until("C004 -> Desk 1")[:2] == ["C004 -> Desk 1", "C003 -> Desk 1"]
        else:
            assert frames.until("C003 -> Desk 1")[:2] == ["C003 -> Desk 1", "C002 -> Desk 1"]
        clock.set(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
        leader = open_session(db=db, person="tl", clock=clock)
        try:
            assert len(close_now(leader)) == (1 if one_still_called else 0)
            assert listed(leader) == ([], [])
        finally:
            leader.close()
        while (lines := frames.next()) != CLOSED:
            assert lines[0] in ("C004 -> Desk 1", "C003 -> Desk 1"), lines  # before the close
        # Reopened, a call after it is listed alone: the close hid only what came before.
        clock.set(datetime(2026, 11, 23, 16, 40, tzinfo=UTC))
        leader = open_session(db=db, person="tl", clock=clock)
        try:
            reopen_now(leader)
            desk.issue("C", print_ticket=False)
            code = called(desk.call_next("desk-1"))
            assert listed(leader) == ([f"{code} -> Desk 1"], [f"{code} -> Desk 1"])
        finally:
            leader.close()
        assert frames.until(f"{code} -> Desk 1") == [f"{code} -> Desk 1", "", ""]


def called(ticket: Ticket | None) -> str:
    assert ticket is not None
    return ticket.code


@pytest.mark.parametrize("one_left_open", [True, False])
def test_closing_time_takes_every_earlier_call_off_the_board_and_the_screen(
    tmp_path: Path, one_left_open: bool
) -> None:
    """A new-user trial: C001 and C002 called and finished at Desk 1 (C003 waiting, or nobody
    left), then closing time passed and the worker's close ran: the board and the screen kept
    "C002 -> Desk 1" until midnight, though a close by hand takes every call off. Closing time
    is the day's close too: no call made before it is listed, whether or not the worker's
    close closed a ticket; an evening event's call after it is listed alone."""
    with called_at_four(tmp_path) as (frames, desk, clock, db):
        desk.start("C001")
        desk.finish("C001", "resolved")
        assert called(desk.call_next("desk-1")) == "C002"
        desk.start("C002")
        desk.finish("C002", "resolved")
        if one_left_open:
            desk.issue("C", print_ticket=False)  # C003, still waiting at closing time
        assert frames.until("C002 -> Desk 1")[:2] == ["C002 -> Desk 1", "C001 -> Desk 1"]
        clock.set(datetime(2026, 11, 23, 17, 5, tzinfo=UTC))  # closed at 17:00
        worker = open_session(db=db, person="worker", clock=clock, host=True)
        try:
            assert close_day(worker) == (1 if one_left_open else 0)
            assert listed(worker) == ([], [])
        finally:
            worker.close()
        while (lines := frames.next()) != CLOSED:  # the office closed: no call, its message
            assert lines[0] == "C002 -> Desk 1", lines  # before closing time was seen
        # An evening event's ticket, called after closing time, is listed alone.
        clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
        desk.issue("C", print_ticket=False)
        code = called(desk.call_next("desk-1"))
        leader = open_session(db=db, person="tl", clock=clock)
        try:
            assert listed(leader) == ([f"{code} -> Desk 1"], [f"{code} -> Desk 1"])
        finally:
            leader.close()
        assert frames.until(f"{code} -> Desk 1") == [f"{code} -> Desk 1", "", ""]
