"""The "now called" panel's shortcuts give Textual's own answers: the called ticket's code in
block letters, its lines built directly, is the very strips Textual makes of the same text
(colours, bold, the offsets a selection uses), in every theme and for codes of every width; a
line that fits is as high as Textual would make it."""

from __future__ import annotations

import random

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from oss_desk.ui.theme import THEMES
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.in_place import unwrapped_height
from oss_desk.ui.widgets.panel_text import PanelText

CODES = ["----", "C001", "W123", "A1", "X", "", "APPT12", "C-7", "c009", "Q999", "ZZZZZZZZZZ"]


class TextualWay(BigCode):
    """The same widget, every line made by Textual from :meth:`BigCode.render`, and put
    together with the widget's style by Textual's styles cache."""

    def render_line(self, y: int) -> Strip:
        return super(BigCode, self).render_line(y)

    def render_lines(self, crop: Region) -> list[Strip]:
        return Widget.render_lines(self, crop)


class Codes(App[None]):
    CSS = "BigCode { color: $accent; margin: 0 0 1 2; } #narrow { max-width: 12; }"

    def compose(self) -> ComposeResult:
        yield BigCode(id="direct")
        yield TextualWay(id="textual")
        yield BigCode(id="narrow")


def lines(widget: BigCode | PanelText) -> list[Strip]:
    """The widget's lines, whole and cropped (as a partial update asks for them)."""
    widget.refresh()
    whole = widget.region.reset_offset
    cropped = Region(1, 1, max(whole.width - 3, 1), max(whole.height - 1, 1))
    return [*widget.render_lines(whole), *widget.render_lines(cropped)]


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


class TextualText(PanelText):
    """The same widget, every line made by Textual and put together by its styles cache."""

    def render_line(self, y: int) -> Strip:
        return super(PanelText, self).render_line(y)

    def render_lines(self, crop: Region) -> list[Strip]:
        return Widget.render_lines(self, crop)


class Texts(App[None]):
    CSS = """
    PanelText { height: auto; min-height: 2; text-style: bold; color: $primary; }
    #narrow, #narrow-textual { width: 12; }
    #framed, #framed-textual { border: round $accent; padding: 0 1; background: $panel; }
    #padded, #padded-textual { padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        yield PanelText(id="direct")
        yield TextualText(id="textual")
        yield PanelText(id="narrow")
        yield TextualText(id="narrow-textual")
        yield PanelText(id="framed")  # not plain: Textual's way throughout
        yield TextualText(id="framed-textual")
        yield PanelText(id="padded")
        yield TextualText(id="padded-textual")


PAIRS = [
    ("#direct", "#textual"),
    ("#narrow", "#narrow-textual"),
    ("#framed", "#framed-textual"),
    ("#padded", "#padded-textual"),
]


async def test_panel_lines_are_drawn_as_textual_draws_them() -> None:
    """The panel's lines, drawn directly when each fits, are Textual's own strips (colours,
    bold, dim, wide characters, the offsets a selection uses) in every theme; lines that do
    not fit are wrapped by Textual, as before."""
    rng = random.Random(7)
    app = Texts()
    direct_drawn = 0
    async with app.run_test(size=(80, 24)) as pilot:
        for council in THEMES:
            app.register_theme(council)
        for theme in [*(t.name for t in THEMES), "textual-light"]:
            app.theme = theme
            for _ in range(40):
                text = Text(style=rng.choice(["", "dim", "bold"]))
                for _ in range(rng.randint(0, 6)):
                    if rng.random() < 0.2:
                        text.append("\n")
                    else:
                        style = rng.choice(["", "bold", "dim", "italic", "reverse", "red on white"])
                        text.append(rng.choice(WORDS) + " ", style=style)
                content: Text | str = text if rng.random() < 0.8 else text.plain
                for pair in PAIRS:
                    ours, textual = (app.query_one(name, PanelText) for name in pair)
                    ours.update(content)
                    textual.update(content)
                await pilot.pause()
                for pair in PAIRS:
                    ours, textual = (app.query_one(name, PanelText) for name in pair)
                    assert ours.size == textual.size
                    shown = [list(strip) for strip in lines(ours)]
                    assert shown == [list(strip) for strip in lines(textual)], (theme, content)
                    direct_drawn += ours._direct_strips() is not None
    assert direct_drawn > 100  # most were drawn directly, not all Textual's way
