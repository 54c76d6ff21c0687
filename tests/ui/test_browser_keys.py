"""A browser desk (``oss-desk serve``) offers no key a browser keeps for itself: Ctrl+N (a new
window) and Ctrl+T (a new tab) never reach the page, so there Text me and Contrast take Alt and
a letter, on the key bar, in F1 (which says why) and in the palette; a terminal desk keeps its
Ctrl keys."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import DataTable, Input, OptionList, TextArea

import oss_desk.ui
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.commands import DeskCommands
from oss_desk.ui.dialogs import HelpScreen
from oss_desk.ui.dialogs.scorecard import MobileDialog
from oss_desk.ui.modes import BROWSER_KEYS, BROWSER_TAKES
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.widgets.key_bar import KeyBar

from .conftest import AppFactory, pressed_to, rows, settled, until
from .test_browser_close import BrowserDesk, about
from .test_turn_text_ui import texting_office

TAKEN = {key.lower() for key in BROWSER_TAKES}


def test_every_key_a_browser_keeps_has_another_in_a_browser_desk() -> None:
    """Every binding of the desk app on Ctrl+N, Ctrl+T or Ctrl+W has a browser desk's key, and
    that key is not one a browser keeps."""
    bound: dict[str, str] = {}
    for module in pkgutil.walk_packages(oss_desk.ui.__path__, "oss_desk.ui."):
        for value in vars(importlib.import_module(module.name)).values():
            for binding in getattr(value, "BINDINGS", None) or []:
                if isinstance(binding, Binding) and binding.id is not None:
                    bound[binding.id] = binding.key
    on_taken = {bid for bid, keys in bound.items() if TAKEN & set(keys.split(","))}
    assert on_taken == {"app.contrast", "greet.text"}
    assert on_taken <= BROWSER_KEYS.keys()
    # ... and none a browser keeps, nor one the desk or a text box takes already
    instead = set(BROWSER_KEYS.values())
    assert not TAKEN & instead
    assert not instead & {k for keys in bound.values() for k in keys.split(",")}
    for widget in (Input, TextArea, OptionList, DataTable):
        taken = {k for b in Binding.make_bindings(widget.BINDINGS) for k in b.key.split(",")}
        assert not instead & taken


@pytest.mark.parametrize("served", [True, False], ids=["browser", "terminal"])
async def test_text_me_and_contrast_take_keys_the_browser_passes_on(
    migrated: Path, tmp_path: Path, make_app: AppFactory, served: bool
) -> None:
    """Meet-and-greet at 80x24 (texts set up): the key bar shows the keys the desk takes,
    they work, the other desk's keys do nothing, and F1 lists them (a browser desk says why)."""
    db = texting_office(migrated, tmp_path)
    app = make_app(db, "greet-1", app_class=BrowserDesk if served else OssDeskApp)
    contrast, text_me = ("^l", "^o") if served else ("^t", "^n")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None and isinstance(app.screen, GreetScreen))
        bar = app.screen.query_one(KeyBar)
        await until(lambda: f"{contrast} Contrast" in str(bar.render()))
        shown = str(bar.render())
        assert f"{text_me} Text me" in shown
        assert ("^t" in shown or "^n" in shown) is not served
        await pilot.press("c", "enter")
        await until(lambda: rows(db, "SELECT count(*) FROM tickets") == [(1,)])
        await pressed_to(pilot, MobileDialog, "ctrl+o" if served else "ctrl+n")
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, GreetScreen))
        await pilot.press("ctrl+n" if served else "ctrl+o")  # the other desk's key: not here
        await settled(pilot)
        assert isinstance(app.screen, GreetScreen)
        names = [name for name, _, _ in DeskCommands(app.screen)._entries()]
        assert f"Contrast ({contrast})" in names and f"Text me ({text_me})" in names  # Ctrl+P
        theme = app.theme
        await pilot.press("ctrl+l" if served else "ctrl+t")
        await until(lambda: app.theme != theme)
        await pilot.press("ctrl+t" if served else "ctrl+l")  # the other desk's key: not here
        await settled(pilot)
        assert app.theme != theme
        await pilot.press("f1")
        await until(lambda: isinstance(app.screen, HelpScreen) and bool(app.screen.query("#about")))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {words: key for key, words, _ in help_screen.rows}
        assert (keys["Contrast"], keys["Text me"]) == (contrast, text_me)
        line = (
            "In a browser, Ctrl+N, Ctrl+T and Ctrl+W belong to the browser: use Ctrl+O (Text me), "
            "Ctrl+L (Contrast), or Ctrl+P."
        )
        assert (line in about(help_screen)) is served
