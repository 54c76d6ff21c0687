"""F1 at 80x24: the words about the screen are cut off there; the keys that scroll read them to
the end at once (trial 8, P8: Home, Down and End did nothing, only Tab then PgDn showed the
rest), Tab goes to the keys, where Home and End go to the first and last, and the hint says
so. Pilot, a real database."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from oss_desk.ui.dialogs import HelpScreen
from oss_desk.ui.screens.adviser import AdviserScreen

from .conftest import AppFactory, pressed_to, settled, until


def last_line_shown(about: VerticalScroll) -> bool:
    return about.scroll_y + about.scrollable_content_region.height >= about.virtual_size.height


async def test_the_help_s_words_read_to_the_end_by_keyboard(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        help = await pressed_to(pilot, HelpScreen, "f1")
        about = help.query_one("#about", VerticalScroll)
        await until(lambda: about.max_scroll_y > 0)  # cut off at 80x24
        assert not last_line_shown(about)
        hint = help.query_one(".hint", Static)
        await until(lambda: app.focused is about)  # cut off: the words have the keys
        assert "scroll the words · Tab: the keys" in str(hint.render())
        await pilot.press("end")
        await until(lambda: last_line_shown(about))
        await pilot.press("home")
        await until(lambda: about.scroll_y == 0)
        await pilot.press("pagedown", "down")
        await until(lambda: about.scroll_y > 0)

        keys = help.query_one("#keys", DataTable)
        await pilot.press("tab")
        await until(lambda: app.focused is keys)
        await until(lambda: "scroll the keys · Tab: the words" in str(hint.render()))
        await pilot.press("end")
        await until(lambda: keys.cursor_row == keys.row_count - 1)
        await pilot.press("home")
        await until(lambda: keys.cursor_row == 0)
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, AdviserScreen))
        await pressed_to(pilot, HelpScreen, "f1")
        await pressed_to(pilot, AdviserScreen, "f1")  # F1 closes it too


async def test_help_whose_words_fit_opens_on_the_keys(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        help = await pressed_to(pilot, HelpScreen, "f1")
        await until(lambda: help.laid_out)
        await settled(pilot)  # the look at whether the words are cut off has been taken
        assert help.query_one("#about", VerticalScroll).max_scroll_y == 0
        assert app.focused is help.query_one("#keys")


async def test_the_appointments_key_promises_only_what_the_role_allows(
    office: Path, make_app: AppFactory
) -> None:
    """An appointments adviser's trial: F1 said F5 was for "book, check in, move, cancel" to an
    adviser, whose role may book and check in but not move or cancel a booking."""
    app = make_app(office, "desk-1", person="ben")  # an adviser
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        help = await pressed_to(pilot, HelpScreen, "f1")
        (more,) = [more for key, _, more in help.rows if key == "f5"]
        assert more == (
            "Appointments: the day and week grid; book, and check in, move or cancel as your "
            "role allows"
        )


def test_the_adviser_help_words_say_every_letter_key() -> None:
    """F1's words at the adviser desk say what each of its letter keys does (a new adviser's
    trial: C, O, K and B were in the key list only, and H "read the notes back")."""
    import re

    from textual.binding import Binding

    letters = [
        b.key
        for b in AdviserScreen.BINDINGS
        if isinstance(b, Binding) and len(b.key) == 1 and b.key.isalpha()
    ]
    assert set("ncrqsfxupatohbzk") <= set(letters)
    for letter in letters:
        assert re.search(rf"\b{letter.upper()} [a-z]", AdviserScreen.HELP), letter
    assert "notes back" not in AdviserScreen.HELP
