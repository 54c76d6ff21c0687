"""A desk in a browser (``oss-desk serve``) never offers Ctrl+Q: there it is the browser's key
(Firefox quits outright, every tab with it). It says what a browser user can do instead (close
the tab), in F1 help and in the "database replaced" dialog; a terminal desk keeps Ctrl+Q."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from oss_desk.errors import DatabaseGone
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import HelpScreen
from oss_desk.ui.dialogs.blocked import DatabaseBlocked
from oss_desk.ui.screens.greet import GreetScreen

from .conftest import AppFactory, settled, until

TAB = "Close this browser tab to close the desk."


class BrowserDesk(OssDeskApp):
    """The desk app as `oss-desk serve` runs it (textual-serve's web driver)."""

    @property
    def is_web(self) -> bool:
        return True


def about(screen: HelpScreen) -> str:
    return str(screen.query_one("#about Static", Static).render())


@pytest.mark.parametrize("served", [True, False], ids=["browser", "terminal"])
async def test_f1_says_how_to_close_the_desk_where_it_runs(
    office: Path, make_app: AppFactory, served: bool
) -> None:
    app = make_app(office, "greet-1", app_class=BrowserDesk if served else OssDeskApp)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None and isinstance(app.screen, GreetScreen))
        assert ("ctrl+q" in app.screen.active_bindings) is not served
        await pilot.press("f1")
        await until(lambda: isinstance(app.screen, HelpScreen) and bool(app.screen.query("#about")))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {key for key, _, _ in help_screen.rows}
        quits = {description for _, description, _ in help_screen.rows if description == "Quit"}
        if served:
            assert TAB in about(help_screen)
            assert not quits and "^q" not in keys
        else:
            assert TAB not in about(help_screen)
            assert quits == {"Quit"} and "^q" in keys


async def test_ctrl_q_does_not_close_a_browser_desk(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1", app_class=BrowserDesk)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None and isinstance(app.screen, GreetScreen))
        await pilot.press("ctrl+q", "ctrl+c", "f1")
        await until(lambda: isinstance(app.screen, HelpScreen))  # the key after it was read
        await settled(pilot)
        assert app.is_running and app.return_code is None
        assert not any("quit" in n.message.lower() for n in app._notifications)


async def test_the_blocked_browser_desk_offers_no_ctrl_q(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1", app_class=BrowserDesk)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        app.block(DatabaseGone("gone"))
        await until(
            lambda: isinstance(app.screen, DatabaseBlocked) and bool(app.screen.query(".hint"))
        )
        hint = str(app.screen.query_one(".hint", Static).render())
        assert TAB in hint and "Ctrl+Q" not in hint
        assert "ctrl+q" not in app.screen.active_bindings  # nor on its key bar
        await pilot.press("ctrl+q", "escape")
        await settled(pilot)
        assert app.is_running and isinstance(app.screen, DatabaseBlocked)


@pytest.mark.parametrize("served", [True, False], ids=["browser-tab-closed", "terminal-ctrl-q"])
async def test_closing_the_desk_logs_its_person_out_in_a_browser_too(
    office: Path, make_app: AppFactory, served: bool
) -> None:
    """A browser desk has no Ctrl+Q: closing its tab is how it is left (textual-serve sends
    quit, which the web driver makes an ExitApp). That logs the adviser out as Ctrl+Q does in a
    terminal, so the desk does not stay open in the call order with nobody at it."""
    from textual import messages

    from .conftest import rows

    def logged_in() -> list[tuple[object, ...]]:
        return rows(office, "SELECT person FROM desk_sessions WHERE desk_id = 'desk-1'")

    app = make_app(office, "desk-1", app_class=BrowserDesk if served else OssDeskApp)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: bool(logged_in()))
        await until(lambda: app.snapshot is not None and app.snapshot.desk("desk-1") is not None)
        await until(lambda: app.snapshot.desk("desk-1").login is not None)  # type: ignore[union-attr]
        if served:
            app.post_message(messages.ExitApp())  # what textual-serve's "quit" becomes
        else:
            await pilot.press("ctrl+q")
        await until(lambda: not app.is_running)
    assert logged_in() == []
