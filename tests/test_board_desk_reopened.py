"""A resident back at a desk that closed and opened again since their call (resumed there by a
team leader, or a no-show taken back to it) is expected there: the board and the waiting-room
screen list the call again, the same list (a sibling of the walk in
test_board_follows_every_change.py, on a real database file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import make_db, site_toml
from .test_board_follows_every_change import ROWS, Ticking, shown, updates


@pytest.mark.parametrize("back", ["resumed", "no-show taken back"])
def test_a_desk_closed_and_reopened_before_the_resident_is_back_lists_them(
    tmp_path: Path, back: str
) -> None:
    """Desk 1 called C001; then the desk the resident comes back to closed and opened again
    (Desk 4, where the team leader resumes them after Desk 1 parked them; or Desk 1 itself,
    after marking them a no-show it then takes back). The resident is expected there, so the
    board and the screen list the call (the close hid it: the call came before the close, and
    coming back to the desk was not counted as being placed there)."""
    capture = tmp_path / "board.txt"
    extra = f'\n[board]\nurl = "ascii+capture://{capture}?rows={ROWS}"\n'
    db = make_db(tmp_path, site_toml(extra=extra))
    clock = Ticking()
    ben = open_session(db=db, person="ben", desk_id="desk-1", clock=clock)
    tl = open_session(db=db, person="tl", desk_id="greet-1", clock=clock)
    try:
        desk1, leader = QueueService(ben), QueueService(tl)
        for _ in range(2):
            desk1.issue("C", print_ticket=False)
        desk = "desk-4" if back == "resumed" else "desk-1"
        steps: list[tuple[str, Callable[[], object]]] = [
            ("Desk 1 calls the next", lambda: desk1.call_next("desk-1")),  # C001
        ]
        if back == "resumed":
            steps += [
                ("Desk 1 starts serving", lambda: desk1.start("C001")),
                ("Desk 1 parks", lambda: desk1.park("C001", "document")),
            ]
        else:
            steps.append(("Desk 1 marks a no-show", lambda: desk1.no_show("C001")))
        steps += [
            (f"{desk} closes", lambda: leader.set_desk_status(desk, "closed")),
            (f"{desk} opens", lambda: leader.set_desk_status(desk, "open")),
        ]
        if back == "resumed":
            steps.append(("The leader resumes at Desk 4", lambda: leader.resume("C001", desk)))
        else:
            steps.append(("Desk 1 takes the no-show back", lambda: desk1.undo_no_show("C001")))
        for what, step in steps:
            before, queued = shown(ben), updates(ben)
            step()
            after = shown(ben)
            board, screen = after
            assert board == screen, what
            if after != before:
                assert updates(ben) > queued, f"{what}: the screen changed, the board was not told"
        where = "C001 Desk 4" if back == "resumed" else "C001 Desk 1"
        assert shown(ben) == ([where], [where]), back
    finally:
        ben.close()
        tl.close()
