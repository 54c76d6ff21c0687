"""Trial 7's desk findings: F8 to a desk someone else is at leaves the terminal where it was
(C4); F10 with no board configured says so and draws no empty board (P6)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList, Static

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import ChoiceDialog, InfoDialog, ResidentViewDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.widgets.bars import TopBar

from ..conftest import MONDAY_0930
from .conftest import AppFactory, rows, settled, until
from .test_counter_ui import counter_office as counter_office  # the fixture


def logins(db: Path) -> dict[str, str]:
    return {
        str(desk): str(person)
        for desk, person in rows(db, "SELECT desk_id, person FROM desk_sessions")
    }


async def test_a_refused_move_leaves_the_terminal_at_its_own_desk(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="dev", desk_id="desk-2")
    try:
        QueueService(session).log_in("desk-2")
    finally:
        session.close()
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, AdviserScreen))
        await until(lambda: logins(db) == {"desk-1": "ben", "desk-2": "dev"})
        await pilot.press("f8")
        await until(lambda: isinstance(app.screen, ChoiceDialog))
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("desk-2")
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, InfoDialog))
        assert isinstance(app.screen, InfoDialog)
        assert str(app.screen.heading) == "Desk 2 is in use"
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, AdviserScreen))
        await settled(pilot)
        assert app.adviser_desk_id == "desk-1"
        top = app.screen.query_one(TopBar)._parts
        assert top is not None and top[2] == "Desk 1"
        assert logins(db) == {"desk-1": "ben", "desk-2": "dev"}
        await pilot.press("ctrl+q")
    # Closing the desk app from there logs its person out of their own desk.
    assert logins(db) == {"desk-2": "dev"}
    assert rows(db, "SELECT status FROM desks WHERE id = 'desk-1'") == [("closed",)]


async def test_the_residents_view_without_a_board_says_so_and_draws_no_board(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f10")
        await until(lambda: isinstance(app.screen, ResidentViewDialog))
        board = app.screen.query_one("#board-lines", Static)
        assert str(board.render()) == "No display board is configured."


async def test_ctrl_r_while_the_ticket_waits_to_print_adds_no_paper(
    office: Path, make_app: AppFactory
) -> None:
    """No device worker runs here: the ticket's print job waits. Ctrl+R says so and queues no
    second job (the resident would get two tickets when the printer is back)."""
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("c", "enter")
        await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(1,)])
        await pilot.press("ctrl+r")
        await until(lambda: said(app, "C003 is still waiting to print (job 1)"))
        await settled(pilot)
        assert rows(office, "SELECT count(*) FROM print_jobs") == [(1,)]


def said(app: OssDeskApp, words: str) -> bool:
    return any(words in n.message for n in app._notifications)
