"""At the adviser's desk: T, S sends the resident to another service (they keep their place),
and N calls the next resident, not the same one back; with nobody else waiting, N calls them
and the desk says it is the resident it transferred (``domain.queue.passed_over``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.new_code import NewCodeDialog

from ..conftest import site_toml
from .conftest import (
    ADVISERS,
    AppFactory,
    acting,
    call_next,
    four_waiting,
    office_db,
    pressed_to,
    rows,
    said,
    staffed,
    until,
)


async def transferred_to_waste(pilot: Any, screen: AdviserScreen) -> None:
    """T, S, W: the resident at this desk goes to Waste; the new code's box is shown."""
    app = screen.app
    await pressed_to(pilot, ChoiceDialog, "t")
    await pilot.press("s")
    await until(
        lambda: isinstance(app.screen, ChoiceDialog) and "which service" in str(app.screen.heading)
    )
    await pressed_to(pilot, NewCodeDialog, "w")


async def test_n_after_a_transfer_calls_the_next_resident(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = four_waiting(office_db(migrated, tmp_path, site_toml(extra=ADVISERS)), "CCBW")
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: staffed(screen))
        await call_next(pilot, screen)  # C001, the longest wait
        await transferred_to_waste(pilot, screen)
        # W002 keeps C001's arrival: first in the queue; this desk's list has it last.

        def listed() -> list[str]:
            snapshot = app.snapshot
            assert snapshot is not None
            return [e.ticket.code for e in screen.waiting_entries(snapshot)]

        await until(lambda: listed() == ["C002", "B001", "W001", "W002"])
        await pilot.press("n")  # closes the new code's box and calls
        await until(lambda: (t := screen.my_ticket()) is not None and t.code == "C002")
    assert rows(db, "SELECT status, desk_id FROM tickets WHERE service_code = 'W' ORDER BY id") == [
        ("waiting", None),
        ("waiting", None),
    ]


async def test_n_with_nobody_else_waiting_calls_them_and_says_so(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = office_db(migrated, tmp_path, site_toml(extra=ADVISERS))
    with acting(db) as session:
        QueueService(session).issue("C", print_ticket=False)
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: staffed(screen))
        await call_next(pilot, screen)  # C001
        await transferred_to_waste(pilot, screen)
        await pilot.press("n")
        await until(lambda: (t := screen.my_ticket()) is not None and t.code == "W001")
        await until(
            lambda: said(
                app,
                "W001: the resident this desk transferred; nobody else is waiting for Desk 1",
            )
        )
