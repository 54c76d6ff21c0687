"""A new user's trial of the demo (round 8): what meet-and-greet and the team leader's screen say
after a ticket is finished and after the day is closed by hand."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from oss_desk.services.queue import QueueService
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import ConfirmDialog, HelpScreen, OutcomeDialog
from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.screens.reports import ReportsScreen
from oss_desk.ui.widgets.key_bar import KeyBar

from ..conftest import site_toml
from .conftest import AppFactory, acting, kept_notices, office_db, pressed_to, rows, until
from .test_close_day_ui import close_by_hand


def issued_info(app: OssDeskApp) -> str:
    screen = app.screen
    assert isinstance(screen, GreetScreen)
    return str(screen.query_one("#issued-info", Static).render())


async def test_greet_says_only_the_ticket_s_current_state_or_its_history(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Issued on F2, called, served and finished on F3: back on F2 the panel no longer says
    "waiting" (the state it had when issued) and names the code once."""
    office = office_db(migrated, tmp_path, site_toml())
    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pressed_to(pilot, GreetScreen, "f2", timeout=30)
        await pilot.press("c", "enter")
        await until(lambda: "nobody ahead" in issued_info(app), timeout=30)
        assert issued_info(app).startswith("C001: nobody ahead")
        assert issued_info(app).count("C001") == 1
        await pressed_to(pilot, AdviserScreen, "f3", timeout=30)
        await pilot.press("n")
        await until(lambda: rows(office, "SELECT status FROM tickets") == [("called",)])
        await pressed_to(pilot, GreetScreen, "f2", timeout=30)
        await until(lambda: "called to Desk 1" in issued_info(app), timeout=30)
        await pressed_to(pilot, AdviserScreen, "f3", timeout=30)
        await pilot.press("s")
        await until(lambda: rows(office, "SELECT status FROM tickets") == [("serving",)])
        await pressed_to(pilot, OutcomeDialog, "f", timeout=30)
        await pilot.press("1")
        await until(lambda: rows(office, "SELECT status FROM tickets") == [("done",)])
        await until(lambda: isinstance(app.screen, AdviserScreen), timeout=30)
        await pressed_to(pilot, GreetScreen, "f2", timeout=30)
        await until(lambda: "no longer in the queue" in issued_info(app), timeout=30)
        shown = issued_info(app)
        assert "waiting" not in shown and "called" not in shown
        assert shown.startswith("C001: issued 09:30, no longer in the queue")
        assert shown.count("C001") == 1


async def test_greet_follows_a_ticket_moved_to_another_service(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    office = office_db(migrated, tmp_path, site_toml())
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.press("c", "enter")
        await until(lambda: issued_info(app).startswith("C001: nobody ahead"), timeout=30)
        with acting(office, desk=None) as session:
            QueueService(session).transfer("C001", service="W")
        await until(lambda: issued_info(app).startswith("C001: moved to W001, "), timeout=30)


def figures_line(app: OssDeskApp) -> str:
    screen = app.screen
    assert isinstance(screen, LeaderScreen)
    return str(screen.query_one("#figures", Static).render())


def key_bar_words(app: OssDeskApp) -> str:
    return " ".join(str(item) for item in app.screen.query_one(KeyBar).items())


async def test_a_closed_day_is_shown_on_the_leader_s_screen_and_at_meet_and_greet(
    office: Path, make_app: AppFactory
) -> None:
    """After E: the leader's top line says who closed the day and when, E reads "Reopen the
    day" on the key bar and in F1 help, and meet-and-greet shows a standing line; reopened,
    all three go back."""
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        greet = app.screen
        assert isinstance(greet, GreetScreen)
        assert not greet.query_one("#day-closed", Static).display
        await pressed_to(pilot, LeaderScreen, "f4", timeout=30)
        await until(lambda: "Close the day" in key_bar_words(app), timeout=30)
        assert "Day closed" not in figures_line(app)
        await pressed_to(pilot, ConfirmDialog, "e", timeout=30)
        await pilot.press("y")
        await until(lambda: "Day closed by Team Leader at 09:30" in figures_line(app), timeout=30)
        await until(lambda: "Reopen the day" in key_bar_words(app), timeout=30)
        assert "Close the day" not in key_bar_words(app)
        help_screen = await pressed_to(pilot, HelpScreen, "f1", timeout=30)
        keys = [(key, words) for key, words, _ in help_screen.rows]
        assert ("e", "Reopen the day") in keys and ("e", "Close the day") not in keys
        await pressed_to(pilot, LeaderScreen, "escape", timeout=30)
        await pressed_to(pilot, GreetScreen, "f2", timeout=30)
        line = greet.query_one("#day-closed", Static)
        await until(lambda: bool(line.display), timeout=30)
        assert str(line.render()) == (
            "Day closed: no tickets or check-ins until a team leader reopens it"
        )
        await pressed_to(pilot, LeaderScreen, "f4", timeout=30)
        await pressed_to(pilot, ConfirmDialog, "e", timeout=30)
        await pilot.press("y")
        await until(lambda: "Close the day" in key_bar_words(app), timeout=30)
        assert "Day closed" not in figures_line(app)
        await pressed_to(pilot, GreetScreen, "f2", timeout=30)
        await until(lambda: not line.display, timeout=30)


async def test_f7_says_a_ticket_was_closed_at_close_of_day(
    office: Path, make_app: AppFactory
) -> None:
    close_by_hand(office)
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pressed_to(pilot, LookUpDialog, "f7", timeout=30)
        dialog = await pressed_to(pilot, TicketDialog, "c", "0", "0", "1", "enter", timeout=30)
        assert "Status:    closed at close of day (office closed)" in dialog.lines


async def test_the_reports_screen_stops_at_today(office: Path, make_app: AppFactory) -> None:
    """] past today (or this month) says there are no figures yet and stays where it is; [
    before the day the office's records begin (it was set up today) says so and stays."""
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.press("f6")
        await until(
            lambda: (
                isinstance(app.screen, ReportsScreen) and app.screen.shown == ("day", "2026-11-23")
            ),
            timeout=30,
        )
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("left_square_bracket")
        said = "The day 2026-11-22 is before this office's records begin (2026-11-23)"
        await until(lambda: said in told, timeout=30)
        await until(lambda: not screen.workers, timeout=30)
        assert screen.shown == ("day", "2026-11-23")
        await pilot.press("right_square_bracket")
        said = "The day 2026-11-24 is in the future: no figures yet"
        await until(lambda: said in told, timeout=30)
        assert screen.day is not None and screen.day.isoformat() == "2026-11-23"
        await pilot.press("m")
        await until(lambda: screen.shown == ("month", "2026-11"), timeout=30)
        await pilot.press("right_square_bracket")
        said = "The month 2026-12 is in the future: no figures yet"
        await until(lambda: said in told, timeout=30)
        assert screen.month == "2026-11" and screen.shown == ("month", "2026-11")
