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

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now
from oss_desk.services.session import open_session
from oss_desk.worker.rounds import close_day
from oss_desk.worker.run import DeviceWorker

from .conftest import make_db, site_toml
from .hardware.fakes import Pty
from .test_board_put_back import Frames

IDLE = ["Please take a ticket", "", ""]
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
        assert after_the_call(frames) == IDLE


def test_the_workers_close_at_closing_time_clears_the_board(tmp_path: Path) -> None:
    with called_at_four(tmp_path) as (frames, _desk, clock, db):
        clock.set(datetime(2026, 11, 23, 17, 5, tzinfo=UTC))  # closed at 17:00
        worker = open_session(db=db, person="worker", clock=clock, host=True)
        try:
            assert close_day(worker) == 2  # the worker's own step, as at closing time
        finally:
            worker.close()
        assert after_the_call(frames) == IDLE


def test_a_call_left_up_leaves_the_board_when_the_day_turns(tmp_path: Path) -> None:
    """A desk left open across midnight, its resident still being served (close of day leaves
    them with their adviser): yesterday's call leaves the board within a poll."""
    with called_at_four(tmp_path) as (frames, desk, clock, _db):
        desk.start("C001")
        clock.set(datetime(2026, 11, 24, 0, 1, tzinfo=UTC))
        assert after_the_call(frames) == IDLE
