"""The board and the waiting-room screen list the same calls ("Previous calls are the same
list", README), and the board redraws only on a queued update: so every change at the counter
that changes the screen's list must queue one, or the board lags until the next call (the
busy-counter trial: a no-show taken back). Walked over every action that moves a call, on a
real database file; the frames themselves are read from a pty in test_board_put_back.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.domain.models import Ticket, TicketStatus
from oss_desk.services.printouts import board_state
from oss_desk.services.queue import QueueService
from oss_desk.services.screen import screen_state
from oss_desk.services.session import Session, open_session

from .conftest import make_db, site_toml

ROWS = 4


def shown(session: Session) -> tuple[list[str], list[str]]:
    """The calls (code and desk) the board's next frame and the waiting-room screen list,
    newest first."""
    board = [f"{call.code} {call.desk}" for call in board_state(session, "hq", ROWS).calls]
    screen = [f"{call['code']} {call['desk'][0]}" for call in screen_state(session)["calls"]]
    return board, screen[:ROWS]


def called(ticket: Ticket | None) -> str:
    assert ticket is not None
    return ticket.code


def updates(session: Session) -> int:
    (count,) = session.store.conn.execute("SELECT count(*) FROM board_updates").fetchone()
    return int(count)


class Ticking:
    """A clock a tenth of a second on at every reading: residents arrive one after another, as
    they do at a counter. On the real clock a fast machine issued C002 and C003 in the same
    millisecond, and C002 sent to Benefits (B001, keeping C002's arrival) then followed C003 by
    its newer row (CI): the walk below expects arrival order."""

    def __init__(self, start: datetime | None = None) -> None:
        self.at = start or datetime.now(UTC)

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=100)
        return self.at


def test_every_change_to_the_listed_calls_redraws_the_board(tmp_path: Path) -> None:
    capture = tmp_path / "board.txt"
    extra = f'\n[board]\nurl = "ascii+capture://{capture}?rows={ROWS}"\n'
    db = make_db(tmp_path, site_toml(extra=extra))
    clock = Ticking()
    ben = open_session(db=db, person="ben", desk_id="desk-1", clock=clock)
    dev = open_session(db=db, person="dev", desk_id="desk-2", clock=clock)
    tl = open_session(db=db, person="tl", desk_id="greet-1", clock=clock)
    try:
        desk1, desk2, leader = QueueService(ben), QueueService(dev), QueueService(tl)
        for _ in range(8):
            desk1.issue("C", print_ticket=False)
        held: list[str] = []  # the code Desk 1 calls last
        steps: list[tuple[str, Callable[[], object]]] = [
            ("Desk 1 calls the next", lambda: desk1.call_next("desk-1")),  # C001
            ("Desk 2 calls the next", lambda: desk2.call_next("desk-2")),  # C002
            ("Desk 1 recalls", lambda: desk1.recall("C001")),
            ("Desk 1 marks a no-show", lambda: desk1.no_show("C001")),
            ("Desk 1 takes the no-show back", lambda: desk1.undo_no_show("C001")),
            ("Desk 1 starts serving", lambda: desk1.start("C001")),
            ("Desk 1 parks", lambda: desk1.park("C001", "document")),
            ("Desk 1 resumes", lambda: desk1.resume("C001")),
            ("Desk 1 finishes", lambda: desk1.finish("C001", "resolved")),
            ("Desk 2 puts its call back", lambda: desk2.recycle("C002")),
            ("Desk 2 calls the next", lambda: desk2.call_next("desk-2")),  # C002 again
            ("Desk 2 transfers to a service", lambda: desk2.transfer("C002", service="B")),
            ("Desk 1 calls the next", lambda: desk1.call_next("desk-1")),  # B001 (was C002)
            ("Desk 1 sends to a desk", lambda: desk1.transfer("B001", desk_id="desk-3")),
            ("Desk 2 calls a chosen one", lambda: desk2.call("C005", "desk-2")),
            ("Desk 2 cancels", lambda: desk2.cancel("C005")),
            ("Desk 2 calls the next", lambda: desk2.call_next("desk-2")),  # C003
            ("Desk 2 marks a no-show", lambda: desk2.no_show("C003")),
            ("Desk 2 calls the next", lambda: desk2.call_next("desk-2")),  # C004
            # Desk 2 is busy now: C003 goes back to its queue, off the board (no change).
            ("Desk 2 takes the no-show back", lambda: desk2.undo_no_show("C003")),
            ("Desk 1 calls the next", lambda: held.append(called(desk1.call_next("desk-1")))),
            ("Desk 2 finishes", lambda: desk2.finish("C004", "resolved")),
            ("Desk 1 starts serving", lambda: desk1.start(held[0])),
            ("Desk 1 parks", lambda: desk1.park(held[0], "document")),
            # Parked, sent to Desk 3 and called there by its code: one board update (a review:
            # two, the call's and the status change's, as it was called before).
            ("Desk 1 calls C007", lambda: desk1.call("C007", "desk-1")),
            ("Desk 1 parks C007", lambda: desk1.park("C007", "document")),
            ("Desk 1 sends C007 to Desk 3", lambda: desk1.transfer("C007", desk_id="desk-3")),
            ("Desk 3 calls C007", lambda: desk1.call("C007", "desk-3")),
            # Back, at another desk: the board sends nobody to Desk 1 for them.
            ("The leader resumes at Desk 4", lambda: leader.resume(held[0], "desk-4")),
            ("Desk 2 closes", lambda: desk2.set_desk_status("desk-2", "closed")),
        ]
        changed = 0
        for what, step in steps:
            before, queued = shown(ben), updates(ben)
            step()
            after = shown(ben)
            board, screen = after
            assert board == screen, what  # one list, whatever happened
            assert updates(ben) - queued <= 1, f"{what}: the board told twice"
            if after != before:
                changed += 1
                assert updates(ben) > queued, f"{what}: the screen changed, the board was not told"
        assert changed >= 15  # the walk moves calls at almost every step
        listed = shown(ben)[0]
        assert f"{held[0]} Desk 4" in listed and f"{held[0]} Desk 1" not in listed, listed
    finally:
        ben.close()
        dev.close()
        tl.close()


@pytest.mark.parametrize("busy", [False, True])
def test_a_no_show_taken_back_is_listed_where_it_went(tmp_path: Path, busy: bool) -> None:
    """Called at its desk again: back on the board; the desk busy since: waiting, not listed."""
    extra = f'\n[board]\nurl = "ascii+capture://{tmp_path / "b.txt"}?rows={ROWS}"\n'
    db = make_db(tmp_path, site_toml(extra=extra))
    ben = open_session(db=db, person="ben", desk_id="desk-1")
    try:
        desk1 = QueueService(ben)
        for _ in range(2):
            desk1.issue("C", print_ticket=False)
        desk1.call_next("desk-1")
        desk1.no_show("C001")
        if busy:
            desk1.call_next("desk-1")
        desk1.undo_no_show("C001")
        board, screen = shown(ben)
        assert board == screen == (["C002 Desk 1"] if busy else ["C001 Desk 1"])
    finally:
        ben.close()


def test_a_no_show_taken_back_after_its_desk_closed_waits_for_any_desk(tmp_path: Path) -> None:
    """A review: taken back after Desk 1 closed, the resident was "called at Desk 1", a closed
    desk nobody could call from, and no other desk could reach them. Back in the queue at their
    place instead, sent to no desk: the next desk to call takes them, and no board lists them."""
    extra = f'\n[board]\nurl = "ascii+capture://{tmp_path / "b.txt"}?rows={ROWS}"\n'
    db = make_db(tmp_path, site_toml(extra=extra))
    clock = Ticking()
    ben = open_session(db=db, person="ben", desk_id="desk-1", clock=clock)
    dev = open_session(db=db, person="dev", desk_id="desk-2", clock=clock)
    try:
        desk1, desk2 = QueueService(ben), QueueService(dev)
        for _ in range(2):
            desk1.issue("C", print_ticket=False)
        desk1.call_next("desk-1")
        desk1.no_show("C001")
        desk1.set_desk_status("desk-1", "closed")
        back = desk1.undo_no_show("C001")
        assert back.ticket.status is TicketStatus.WAITING
        assert back.ticket.desk is None and back.ticket.assigned_desk is None
        board, screen = shown(ben)
        assert board == screen == []
        assert called(desk2.call_next("desk-2")) == "C001"  # at their place, before C002
    finally:
        ben.close()
        dev.close()
