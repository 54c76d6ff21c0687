"""Ticks and radio choices show by a mark, not by colour alone (Textual draws the same X or dot
in both states and changes only its colour)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import RadioSet

from oss_desk.ui.dialogs import MarkedRadioButton, TickList


class Marks(App[None]):
    def compose(self) -> ComposeResult:
        yield TickList(("Photo ID", "id"), ("Proof of address", "address"), id="ticks")
        with RadioSet(id="channel"):
            yield MarkedRadioButton("Email", id="email")
            yield MarkedRadioButton("Text", id="text")


def _line(widget: Widget, y: int = 0) -> str:
    return str(widget.render_line(y).text)


async def test_ticked_and_chosen_show_a_mark() -> None:
    app = Marks()
    async with app.run_test(size=(60, 12)) as pilot:
        ticks = app.query_one(TickList)
        ticks.focus()
        await pilot.pause()
        assert TickList.TICKED not in _line(ticks, 0) + _line(ticks, 1)
        await pilot.press("space")  # ticks the highlighted first line
        await pilot.pause()
        assert _line(ticks, 0).startswith(f"\u2590{TickList.TICKED}\u258c")
        assert TickList.TICKED not in _line(ticks, 1)
        email = app.query_one("#email", MarkedRadioButton)
        text = app.query_one("#text", MarkedRadioButton)
        assert "\u25cf" not in str(email.render()) and "\u25cf" not in str(text.render())
        text.value = True
        await pilot.pause()
        assert "\u25cf" in str(text.render()) and "\u25cf" not in str(email.render())
