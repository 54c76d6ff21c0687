"""The team leader's F7 (find a ticket) tells a visit's story for a complaint: the very lines
``ticket show`` prints under the ticket's line (one list of lines, ``services.visit_story``):
how long the resident waited by the reports' rule, how, why and by whom it ended, and what
happened step by step."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog
from oss_desk.ui.screens.leader import LeaderScreen

from ..conftest import MONDAY_0930, Cli
from .conftest import AppFactory, acting, pressed_to, until


async def test_the_leaders_f7_tells_what_happened_to_a_visit(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with acting(office) as session:  # C001 came at 09:14 and left unseen at 09:30
        QueueService(session).cancel("C001", reason="left")
    shown = Cli(office, monkeypatch)(
        "--user", "tl", "ticket", "show", "C001", now=MONDAY_0930.isoformat()
    )
    told = [line.removeprefix("  ") for line in shown.out.splitlines()[1:]]
    assert "Waited:    16 min, then gone unseen: over the 15-min target (a miss)" in told, told
    assert "Ended:     cancelled (left), 09:30 by Team Leader at greet-1" in told, told
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pressed_to(pilot, LeaderScreen, "f4", timeout=30)
        await pressed_to(pilot, LookUpDialog, "f7", timeout=30)
        dialog = await pressed_to(pilot, TicketDialog, *"c001", "enter", timeout=30)
        lines = dialog.lines
        assert lines[: len(lines) - len(told)][0].startswith("Service:")
        assert lines[len(lines) - len(told) :] == told  # the same lines as the command line's
