"""A burst of calls reaches the waiting-room screen whole.

The screen's state lists the newest call and ``previous`` before it; when more calls than that
are made between two reads (eight desks calling in the same instant), the next state the
screens are sent still carries every one of them, so each is shown and announced; the page
lists only ``previous`` under the newest. Real database, the real screen server's build.
"""

from __future__ import annotations

import json
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.screen.server import ScreenServer
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, make_db, site_toml


def calls_in(state: bytes) -> list[str]:
    return [call["code"] for call in json.loads(state)["calls"]]


def test_every_call_of_a_burst_is_in_the_next_state(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml(desks=8))
    clock = FixedClock(MONDAY_0930)
    server = ScreenServer(lambda: open_session(db=db, clock=clock, host=True))
    first = json.loads(server._build())
    assert first["calls"] == [] and first["previous"] == 5
    greet = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
    try:
        queue = QueueService(greet)
        for _ in range(20):
            queue.issue("C", print_ticket=False)
        called = [queue.call_next(f"desk-{i}") for i in range(1, 9)]
        burst = calls_in(server._build())
        assert sorted(burst) == sorted(t.code for t in called if t is not None)
        assert len(burst) == 8  # more than the 6 a quiet state lists
        # Quiet again: back to the newest and five before it.
        assert len(calls_in(server._build())) == 6
        first_call = called[0]
        assert first_call is not None
        queue.finish(first_call.id, "resolved")
        queue.call_next("desk-1")
        after = calls_in(server._build())
        assert len(after) == 6 and after[0] not in burst
    finally:
        greet.close()
        server._close()
