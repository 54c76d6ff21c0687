"""A new user's trial of the demo (round 8): what meet-and-greet and the team leader's screen say
after a ticket is finished and after the day is closed by hand."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import OutcomeDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.greet import GreetScreen

from ..conftest import MONDAY_0930, make_db, site_toml
from .conftest import AppFactory, rows, until


def issued_info(app: OssDeskApp) -> str:
    screen = app.screen
    assert isinstance(screen, GreetScreen)
    return str(screen.query_one("#issued-info", Static).render())


async def test_greet_says_only_the_ticket_s_current_state_or_its_history(
    tmp_path: Path, make_app: AppFactory
) -> None:
    """Issued on F2, called, served and finished on F3: back on F2 the panel no longer says
    "waiting" (the state it had when issued) and names the code once."""
    office = make_db(tmp_path, site_toml())
    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.press("f2")
        await until(lambda: isinstance(app.screen, GreetScreen), timeout=30)
        await pilot.press("c", "enter")
        await until(lambda: "nobody ahead" in issued_info(app), timeout=30)
        assert issued_info(app).startswith("C001: nobody ahead")
        assert issued_info(app).count("C001") == 1
        await pilot.press("f3")
        await until(lambda: isinstance(app.screen, AdviserScreen), timeout=30)
        await pilot.press("n")
        await until(lambda: rows(office, "SELECT status FROM tickets") == [("called",)])
        await pilot.press("f2")
        await until(lambda: isinstance(app.screen, GreetScreen), timeout=30)
        await until(lambda: "called to Desk 1" in issued_info(app), timeout=30)
        await pilot.press("f3")
        await until(lambda: isinstance(app.screen, AdviserScreen), timeout=30)
        await pilot.press("s")
        await until(lambda: rows(office, "SELECT status FROM tickets") == [("serving",)])
        await pilot.press("f")
        await until(lambda: isinstance(app.screen, OutcomeDialog), timeout=30)
        await pilot.press("1")
        await until(lambda: rows(office, "SELECT status FROM tickets") == [("done",)])
        await until(lambda: isinstance(app.screen, AdviserScreen), timeout=30)
        await pilot.press("f2")
        await until(lambda: isinstance(app.screen, GreetScreen), timeout=30)
        await until(lambda: "no longer in the queue" in issued_info(app), timeout=30)
        shown = issued_info(app)
        assert "waiting" not in shown and "called" not in shown
        assert shown.startswith("C001: issued 09:30, no longer in the queue")
        assert shown.count("C001") == 1


async def test_greet_follows_a_ticket_moved_to_another_service(
    tmp_path: Path, make_app: AppFactory
) -> None:
    office = make_db(tmp_path, site_toml())
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.press("c", "enter")
        await until(lambda: issued_info(app).startswith("C001: nobody ahead"), timeout=30)
        session = open_session(db=office, clock=FixedClock(MONDAY_0930), person="tl")
        try:
            QueueService(session).transfer("C001", service="W")
        finally:
            session.close()
        await until(lambda: issued_info(app).startswith("C001: moved to W001, "), timeout=30)
