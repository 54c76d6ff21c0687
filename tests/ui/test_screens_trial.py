"""A new user's trial of the desk screens (round 9): the help's key table, the urgent flag,
tables that give back width, and a key typed while the screen changes."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from oss_desk.ui.dialogs import HelpScreen
from oss_desk.ui.keys import DeskBinding
from oss_desk.ui.screens.greet import GreetScreen

from .conftest import AppFactory, until


async def test_greet_help_lists_every_key_the_screen_binds(
    office: Path, make_app: AppFactory
) -> None:
    """F1 at meet-and-greet lists Enter (bound by the service list for the screen) with the
    screen's own keys, the hidden Ctrl+U and Ctrl+G too; its words say what Ctrl+G does."""
    app = make_app(office, "greet-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        screen = app.screen
        assert isinstance(screen, GreetScreen)
        bound = {
            b.id
            for node in (screen, *screen.query("*"))
            for b in type(node).BINDINGS
            if isinstance(b, DeskBinding)
        }
        await pilot.press("f1")
        await until(lambda: isinstance(app.screen, HelpScreen), timeout=30)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        described = {does for _, does, _ in help_screen.rows}
        by_id = {
            b.id: b.description
            for node in (screen, *screen.query("*"))
            for b in type(node).BINDINGS
            if isinstance(b, Binding)
        }
        assert {by_id[i] for i in bound} <= described
        assert "Issue" in described  # Enter
        assert ("⏎", "Issue") in {(key, does) for key, does, _ in help_screen.rows}
        assert "Ctrl+G marks that they came back about the same matter" in help_screen.about
        assert "as come back" not in help_screen.about
