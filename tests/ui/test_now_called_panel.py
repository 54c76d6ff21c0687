"""The "now called" panel's shortcuts give Textual's own answers: the called ticket's code in
block letters, its lines built directly, is the very strips Textual makes of the same text
(colours, bold, the offsets a selection uses), in every theme and for codes of every width; a
line that fits is as high as Textual would make it."""

from __future__ import annotations

import random

from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Static

from oss_desk.ui.screens.adviser import unwrapped_height
from oss_desk.ui.theme import THEMES
from oss_desk.ui.widgets.big_code import BigCode

CODES = ["----", "C001", "W123", "A1", "X", "", "APPT12", "C-7", "c009", "Q999", "ZZZZZZZZZZ"]


class TextualWay(BigCode):
    """The same widget, every line made by Textual from :meth:`BigCode.render`."""

    def render_line(self, y: int) -> Strip:
        return super(BigCode, self).render_line(y)


class Codes(App[None]):
    CSS = "BigCode { color: $accent; margin: 0 0 1 2; } #narrow { max-width: 12; }"

    def compose(self) -> ComposeResult:
        yield BigCode(id="direct")
        yield TextualWay(id="textual")
        yield BigCode(id="narrow")


def lines(widget: BigCode) -> list[Strip]:
    widget.refresh()
    return widget.render_lines(widget.region.reset_offset)


async def test_block_letters_are_drawn_as_textual_draws_them() -> None:
    app = Codes()
    async with app.run_test(size=(80, 24)) as pilot:
        for council in THEMES:
            app.register_theme(council)
        for theme in [*(t.name for t in THEMES), "textual-light"]:
            app.theme = theme
            for code in CODES:
                direct, textual = app.query_one("#direct", BigCode), app.query_one(TextualWay)
                direct.code = textual.code = app.query_one("#narrow", BigCode).code = code
                await pilot.pause()
                assert direct.size == textual.size
                shown = [list(strip) for strip in lines(direct)]
                assert shown == [list(strip) for strip in lines(textual)], (theme, code)
                narrow = app.query_one("#narrow", BigCode)  # no room: the plain code, as before
                if len(code) > 2:
                    assert code in "".join(s.text for s in lines(narrow)), code


class Panel(App[None]):
    CSS = "Static { height: auto; }"

    def compose(self) -> ComposeResult:
        yield Static(id="line")


WORDS = [
    "C001",
    "Council Tax",
    "arrived 09:14,",
    "waited",
    "12 min",
    "·",
    "é",
    "漢字",
    "  ",
    "x" * 30,
]


async def test_a_panel_line_that_fits_takes_the_lines_textual_gives_it() -> None:
    """The "now called" panel asks how high a line will be without wrapping it when every line
    fits: the answer is Textual's own, for text of any width, styles and lines."""
    rng = random.Random(20)
    app = Panel()
    answered = 0
    async with app.run_test(size=(80, 24)):
        line = app.query_one("#line", Static)
        for _ in range(400):
            text = Text()
            for _ in range(rng.randint(1, 8)):
                choice = rng.random()
                if choice < 0.15:
                    text.append("\n")
                else:
                    text.append(rng.choice(WORDS) + " ", style=rng.choice(["", "bold", "dim"]))
            width = rng.randint(4, 60)
            ours = unwrapped_height(text, width)
            line.update(text)
            if ours is not None:
                answered += 1
                assert ours == line.get_content_height(line.size, line.size, width), (text, width)
        assert unwrapped_height("plain words", 40) is None  # not Text: Textual answers
        called = Text("C001  Council Tax\narrived 09:14, waited 3 min")
        assert unwrapped_height(called, 37) == 2
    assert answered > 100
