"""A call put back in the queue (the resident did not hear it) leaves the board at once, so a
resident coming back to read it is not sent to a desk now calling others (trial 4, C10). Read
from a real pty board (the generic ASCII protocol) driven by the real device worker."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from oss_desk.services.queue import QueueService
from oss_desk.services.screen import screen_state
from oss_desk.services.session import Session, open_session
from oss_desk.worker.run import DeviceWorker

from .conftest import MONDAY_0930, make_db, site_toml
from .hardware.fakes import Pty
from .test_board_follows_every_change import Ticking


class Frames:
    """The frames a board receives (``STX addr text ETX``), each as its lines."""

    def __init__(self, board: Pty) -> None:
        self.board = board
        self.pending = b""

    def next(self, timeout: float = 5.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while b"\x03" not in self.pending:
            left = deadline - time.monotonic()
            assert left > 0, f"no frame; got {self.pending!r}"
            self.pending += self.board.read_for(min(left, 0.05))
        frame, _, self.pending = self.pending.partition(b"\x03")
        text = frame[frame.index(b"\x02") + 3 :]  # after STX and the address
        return [line.rstrip() for line in text.decode("ascii").split("\r")]

    def until(self, first: str) -> list[str]:
        """The next frame whose first line is ``first``."""
        while (lines := self.next())[0] != first:
            pass
        return lines


@contextlib.contextmanager
def two_desks_calling(
    tmp_path: Path, tickets: int
) -> Iterator[tuple[Frames, QueueService, QueueService, Session]]:
    """A real pty board (three rows) and the device worker; ``tickets`` C tickets issued,
    C001 called to Desk 1 and C002 to Desk 2, both on the board; and Desk 1's session."""
    board = Pty()
    url = f"ascii+serial://{board.path}?rows=3"
    db = make_db(tmp_path, site_toml(extra=f'\n[board]\nurl = "{url}"\npoll_seconds = 0.3\n'))
    clock = Ticking(MONDAY_0930)  # the office open (after closing time the board says so)
    worker = DeviceWorker(
        lambda: open_session(db=db, person="worker", clock=clock), poll_interval=0.02
    )
    ben = open_session(db=db, person="ben", desk_id="desk-1", clock=clock)
    dev = open_session(db=db, person="dev", desk_id="desk-2", clock=clock)
    worker.start()
    try:
        frames = Frames(board)
        desk1, desk2 = QueueService(ben), QueueService(dev)
        for _ in range(tickets):
            desk1.issue("C", print_ticket=False)
        assert desk1.call_next("desk-1").code == "C001"  # type: ignore[union-attr]
        frames.until("C001 -> Desk 1")
        assert desk2.call_next("desk-2").code == "C002"  # type: ignore[union-attr]
        assert frames.until("C002 -> Desk 2") == ["C002 -> Desk 2", "C001 -> Desk 1", ""]
        yield frames, desk1, desk2, ben
    finally:
        worker.join()
        ben.close()
        dev.close()
        board.close()


def test_a_call_put_back_leaves_the_board_at_once(tmp_path: Path) -> None:
    with two_desks_calling(tmp_path, tickets=3) as (frames, desk1, desk2, _ben):
        # Desk 1's resident did not come: put back in the queue. The board drops the call now.
        desk1.recycle("C001")
        assert frames.next() == ["C002 -> Desk 2", "", ""]
        # Called again, to whichever desk is free: the board sends them there.
        desk2.finish("C002", "resolved")
        assert desk2.call_next("desk-2").code == "C001"  # type: ignore[union-attr]
        assert frames.until("C001 -> Desk 2") == ["C001 -> Desk 2", "C002 -> Desk 2", ""]
        # Seen, then parked (gone to fetch a document): the call leaves the board at once too
        # (found by a new user's trial: the board kept it until the next call).
        desk2.start("C001")
        desk2.park("C001", "document")
        assert frames.next() == ["C002 -> Desk 2", "", ""]


def test_a_no_show_a_closed_desk_and_a_call_sent_elsewhere_leave_at_once(tmp_path: Path) -> None:
    """trial12 C3: the board kept `C001 -> Desk 2` after the resident was marked a no-show, its
    desk closed, or the resident was sent to another desk, until the next call pushed it off.
    Each now leaves with its own update; a resident served and finished keeps their call."""
    with two_desks_calling(tmp_path, tickets=4) as (frames, desk1, desk2, ben):
        desk1.no_show("C001")  # did not come: their call leaves at once
        assert frames.next() == ["C002 -> Desk 2", "", ""]
        desk2.finish("C002", "resolved")  # served: the call stays among the previous calls
        assert desk1.call_next("desk-1").code == "C003"  # type: ignore[union-attr]
        assert frames.until("C003 -> Desk 1") == ["C003 -> Desk 1", "C002 -> Desk 2", ""]
        assert [c["code"] for c in screen_state(ben)["calls"]] == ["C003", "C002"]
        desk2.set_desk_status("desk-2", "closed")  # nobody at Desk 2 now
        assert frames.next() == ["C003 -> Desk 1", "", ""]
        # The waiting-room screen's calls come from the same place: Desk 2's call is gone.
        assert [c["code"] for c in screen_state(ben)["calls"]] == ["C003"]
        desk1.transfer("C003", desk_id="desk-3")  # sent to another desk, waiting for it
        assert frames.next() == ["Please take a ticket", "", ""]


def test_a_no_show_taken_back_and_a_parked_resident_resumed_come_back_at_once(
    tmp_path: Path,
) -> None:
    """Busy-counter trial: Desk 2 marked C004 a no-show, then took it back ("C004 is back:
    called here again"); the waiting-room screen listed the call again at once, the board only
    at the next call. Each call coming back to the list now redraws the board with it."""
    with two_desks_calling(tmp_path, tickets=3) as (frames, desk1, desk2, ben):
        desk2.no_show("C002")
        assert frames.next() == ["C001 -> Desk 1", "", ""]
        desk2.undo_no_show("C002")  # the resident turned up: called at Desk 2 again
        assert frames.next() == ["C002 -> Desk 2", "C001 -> Desk 1", ""]
        assert [c["code"] for c in screen_state(ben)["calls"]] == ["C002", "C001"]
        # Parked (gone to fetch a document), then back at the desk: the call comes back too.
        desk1.start("C001")
        desk1.park("C001", "document")
        assert frames.next() == ["C002 -> Desk 2", "", ""]
        desk1.resume("C001")
        assert frames.next() == ["C002 -> Desk 2", "C001 -> Desk 1", ""]
        assert [c["code"] for c in screen_state(ben)["calls"]] == ["C002", "C001"]
