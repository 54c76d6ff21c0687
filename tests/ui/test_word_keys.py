"""Review 17, 1: Option+Left and Option+Right in a Mac browser, and Alt+Backspace, send ESC b,
ESC f and ESC DEL, the bytes of Esc then B, F or Backspace typed fast. In a text box they are
the word keys (the box stays open, what was typed kept); anywhere else they are Esc, then the
key (Esc then F at the adviser desk closes a box, then finishes)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from oss_desk.ui.dialogs import OutcomeDialog, TextDialog
from oss_desk.ui.reader import DeskParser, EscPair

from .conftest import AppFactory, adviser_desk, call_next, until


def read_together(character: str) -> EscPair:
    """The one key the desk's reader gives for ESC and ``character`` read together."""
    (pair,) = DeskParser().feed("\x1b" + character)
    assert isinstance(pair, EscPair)
    return pair


async def test_option_left_moves_a_word_in_a_text_box_and_elsewhere_is_esc_then_the_key(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pilot.press("o")  # a note: a text box
        await until(lambda: isinstance(app.screen, TextDialog) and bool(app.screen.query(Input)))
        note = app.screen
        box = note.query_one(Input)
        await pilot.press(*"late bus")
        await until(lambda: box.value == "late bus")
        app.post_message(read_together("b"))  # Option+Left: a word left, the box still open
        await until(lambda: box.cursor_position == 5)
        assert app.screen is note and box.value == "late bus"
        app.post_message(read_together("\x7f"))  # Alt+Backspace: the word before goes
        await until(lambda: box.value == "bus")
        assert app.screen is note
        await pilot.press("escape")
        await until(lambda: app.screen is screen)
        # At the desk, no text box: Esc (nothing open to close), then F finishes.
        app.post_message(read_together("f"))
        await until(lambda: isinstance(app.screen, OutcomeDialog))


def test_a_plain_key_read_with_esc_is_not_a_pair() -> None:
    keys = [e for e in DeskParser().feed("\x1b3") if isinstance(e, events.Key)]
    assert [type(k) for k in keys] == [events.Key, events.Key]
