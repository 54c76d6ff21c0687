"""On a break the adviser's key bar says B brings them back, as the panel does ("On a break · B:
back"); a new user's trial found it still reading "b Break" there."""

from __future__ import annotations

from pathlib import Path

from oss_desk.domain.models import DeskStatus
from oss_desk.ui.widgets.key_bar import KeyBar
from oss_desk.ui.widgets.panel_text import PanelText

from .conftest import AppFactory, adviser_desk, staffed, until


async def test_on_a_break_the_key_bar_says_b_back_as_the_panel_does(
    counter_office: Path, make_app: AppFactory
) -> None:
    app = make_app(counter_office, "desk-1", person="ben")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        bar = screen.query_one(KeyBar)

        def keys() -> str:
            return str(bar.render())

        await until(lambda: "b Break" in keys())
        await pilot.press("b")
        await until(lambda: screen.my_status() is DeskStatus.BREAK)
        await until(lambda: "b Back" in keys())
        assert "b Break" not in keys()
        panel = str(screen.query_one("#now-info", PanelText).render())
        assert "B: back" in panel, panel  # the panel and the key bar say the same
        await pilot.press("b")
        await until(lambda: screen.my_status() is DeskStatus.OPEN)
        await until(lambda: "b Break" in keys() and "b Back" not in keys())
