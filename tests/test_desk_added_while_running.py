"""A desk added (or renamed) with ``oss-desk init --config`` while the office runs is named to
residents at once, on the board and the waiting-room screen, as the desk apps name it: the
device worker's board lane and the screen server take the new configuration when ``init``
loads it, without a restart (trial 6, W3: both showed ``H001 -> room-2`` until restarted).

A real pty board driven by the real device worker, the real screen server's state, and the
configuration loaded by ``init`` as an office would.
"""

from __future__ import annotations

import json
from pathlib import Path

from oss_desk.clock import SystemClock
from oss_desk.screen.server import ScreenServer
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.worker.run import DeviceWorker

from .conftest import make_db, site_toml
from .hardware.fakes import Pty
from .test_board_put_back import Frames

ROOM_2 = """
[[desks]]
id = "room-2"
name = "Interview room 2"
board_name = "Room 2"
kind = "interview-room"
services = ["H"]
"""


def test_a_desk_added_while_running_is_named_on_the_board_and_the_screen(
    tmp_path: Path,
) -> None:
    board = Pty()
    url = f"ascii+serial://{board.path}?rows=2"
    toml = site_toml(extra=f'\n[board]\nurl = "{url}"\npoll_seconds = 0.3\n')
    db = make_db(tmp_path, toml)
    clock = SystemClock()  # the worker's and the desks' clock
    worker = DeviceWorker(lambda: open_session(db=db, person="worker"), poll_interval=0.02)
    screen = ScreenServer(lambda: open_session(db=db, clock=clock, host=True))
    ben = open_session(db=db, person="ben", desk_id="desk-1")
    worker.start()
    room = None
    try:
        frames = Frames(board)
        QueueService(ben).issue("H", print_ticket=False)
        assert QueueService(ben).call_next("desk-1").code == "H001"  # type: ignore[union-attr]
        frames.until("H001 -> Desk 1")
        assert json.loads(screen._build())["calls"][0]["code"] == "H001"  # the server runs

        # The office adds a room while everything runs.
        config = tmp_path / "site.toml"
        config.write_text(toml + ROOM_2, encoding="utf-8")
        initialise(db, clock=clock, config_path=config)
        room = open_session(db=db, clock=clock, person="ann", desk_id="room-2")
        QueueService(ben).issue("H", print_ticket=False)
        assert QueueService(room).call_next("room-2").code == "H002"  # type: ignore[union-attr]

        assert frames.until("H002 -> Room 2") == ["H002 -> Room 2", "H001 -> Desk 1"]
        screen._changed()  # the server's poll hears the change
        newest = json.loads(screen._build())["calls"][0]
        assert (newest["code"], newest["desk"]) == ("H002", ["Room 2"])
    finally:
        worker.join()
        ben.close()
        if room is not None:
            room.close()
        screen._close()
        board.close()
