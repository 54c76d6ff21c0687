"""A bilingual office's board names the desks in Welsh too, as the tickets, texts and screens do
(a Welsh office's trial: the board said "Desk 3" only). Read from a real pty board (the generic
ASCII protocol, 2 x 20) driven by the real device worker."""

from __future__ import annotations

import time
from pathlib import Path

from oss_desk.services.printouts import resident_view
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.run import DeviceWorker

from .conftest import MONDAY_0930, make_db, site_toml
from .hardware.fakes import Pty
from .test_board_follows_every_change import Ticking
from .test_board_put_back import Frames


def welsh_office(tmp_path: Path, board_url: str) -> Path:
    toml = site_toml(
        extra=f'\n[board]\nurl = "{board_url}"\npoll_seconds = 0.3\npage_seconds = 0.4\n'
    )
    toml = toml.replace('name = "Civic Centre"\n', 'name = "Civic Centre"\nlanguage = "cy+en"\n')
    toml = toml.replace('name = "Desk 1"\n', 'name = "Desk 1"\nname_cy = "Desg 1"\n')
    return make_db(tmp_path, toml)


def test_the_board_names_the_desk_in_welsh_then_in_english_in_turn(tmp_path: Path) -> None:
    board = Pty()
    db = welsh_office(tmp_path, f"ascii+serial://{board.path}")
    clock = Ticking(MONDAY_0930)  # the office open (after closing time the board says so)
    worker = DeviceWorker(
        lambda: open_session(db=db, person="worker", clock=clock), poll_interval=0.02
    )
    desk = open_session(db=db, person="ben", desk_id="desk-1", clock=clock)
    worker.start()
    try:
        frames = Frames(board)
        assert frames.next() == ["Cymerwch docyn", "Please take a ticket"]
        queue = QueueService(desk)
        queue.issue("C", print_ticket=False)
        queue.issue("B", print_ticket=False)
        called = time.monotonic()  # before the board is sent any of the pages below
        assert queue.call_next("desk-1").code == "C001"  # type: ignore[union-attr]
        # "C001 -> Desg 1 / Desk 1" does not fit 20 columns: the Welsh page, then the English.
        welsh = frames.until("C001 -> Desg 1")
        assert welsh == ["C001 -> Desg 1", ""]
        assert frames.next() == ["C001 -> Desk 1", ""]
        assert frames.next() == ["C001 -> Desg 1", ""]
        # Each page stays up (page_seconds 0.4): the third page cannot have come sooner than two
        # pages' time after the call. Read late, it only looks later: never a false failure (a
        # bound from the reading of one page to the next failed when the first was read late).
        assert time.monotonic() - called >= 2 * 0.4
        # Desk 2 has no Welsh name: it is said as it is on both pages.
        queue.finish("C001", "resolved")
        room = open_session(db=db, person="dev", desk_id="desk-2", clock=clock)
        try:
            assert QueueService(room).call_next("desk-2").code == "B001"  # type: ignore[union-attr]
        finally:
            room.close()
        pages = {tuple(frames.until("B001 -> Desk 2")) for _ in range(2)}
        assert pages == {
            ("B001 -> Desk 2", "C001 -> Desg 1"),
            ("B001 -> Desk 2", "C001 -> Desk 1"),
        }
        # The desk's preview of the board shows the Welsh page, then the English one.
        view = resident_view(desk, None)
        assert [line.rstrip() for line in view.board_lines] == ["B001 -> Desk 2", "C001 -> Desg 1"]
        assert [line.rstrip() for line in view.board_turns] == ["B001 -> Desk 2", "C001 -> Desk 1"]
    finally:
        worker.join()
        desk.close()
        board.close()


def test_an_english_office_board_is_one_page(tmp_path: Path) -> None:
    """Nothing turns where the desks have no second name: each change is one frame."""
    board = Pty()
    db = make_db(
        tmp_path,
        site_toml(extra=f'\n[board]\nurl = "ascii+serial://{board.path}"\npoll_seconds = 5\n'),
    )
    clock = Ticking(MONDAY_0930)  # the office open (after closing time the board says so)
    worker = DeviceWorker(
        lambda: open_session(db=db, person="worker", clock=clock), poll_interval=0.02
    )
    desk = open_session(db=db, person="ben", desk_id="desk-1", clock=clock)
    worker.start()
    try:
        frames = Frames(board)
        assert frames.next() == ["Please take a ticket", ""]
        queue = QueueService(desk)
        queue.issue("C", print_ticket=False)
        queue.call_next("desk-1")
        assert frames.until("C001 -> Desk 1") == ["C001 -> Desk 1", ""]
        assert board.read_for(1.5) == b""  # no page turned
    finally:
        worker.join()
        desk.close()
        board.close()


def test_a_desk_s_welsh_board_name_is_on_the_board_only(tmp_path: Path) -> None:
    """A room whose Welsh name is too long for a row (a trial's finding: "H001 -> Ystafell gyf"
    on the board, and the only way out shortened the Welsh name on slips, texts and the screen
    too): its ``board_name_cy`` is on the board's Welsh page, its ``name_cy`` everywhere else."""
    from oss_desk.services.screen import screen_state

    room = (
        '[[desks]]\nid = "room-9"\nname = "Interview room 9"\nkind = "interview-room"\n'
        'board_name = "Room 9"\nname_cy = "Ystafell gyfweld 9"\nboard_name_cy = "Ystafell 9"\n'
    )
    toml = site_toml(extra='\n[board]\nurl = "ascii+serial:///dev/ttyUSB9?baudrate=9600"\n')
    toml = toml.replace('name = "Civic Centre"\n', 'name = "Civic Centre"\nlanguage = "cy+en"\n')
    db = make_db(tmp_path, toml + room)
    desk = open_session(db=db, person="ben", desk_id="room-9")
    try:
        queue = QueueService(desk)
        queue.issue("H", print_ticket=False)
        assert queue.call_next("room-9").code == "H001"  # type: ignore[union-attr]
        view = resident_view(desk, None)
        screen = screen_state(desk)
    finally:
        desk.close()
    assert [line.rstrip() for line in view.board_lines] == ["H001 -> Ystafell 9", ""]
    assert [line.rstrip() for line in view.board_turns] == ["H001 -> Room 9", ""]
    assert screen["calls"][0]["desk"] == ["Ystafell gyfweld 9", "Room 9"]
