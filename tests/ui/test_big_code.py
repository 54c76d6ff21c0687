"""The called ticket's code in block letters: its lines, built directly, are the very strips
Textual makes of the same text (colours, bold, the offsets a selection uses), in both themes and
for codes of every width, and the screen looks the same either way."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.strip import Strip

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
