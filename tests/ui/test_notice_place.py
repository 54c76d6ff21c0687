"""At 80x24 a notification never covers the status line or the keys: a new user's trial found
the toasts over the status bar and the right half of the key bar for seconds, stacked."""

from __future__ import annotations

from pathlib import Path

from textual.widget import Widget

from oss_desk.ui.widgets.bars import StatusBar
from oss_desk.ui.widgets.key_bar import KeyBar

from .conftest import AppFactory, adviser_desk, call_next, until


def notices(screen: Widget) -> list[Widget]:
    """The notifications drawn on ``screen`` (Textual's toasts)."""
    return [w for w in screen.query("*") if type(w).__name__ == "Toast"]


async def test_notifications_stack_above_the_status_line_and_the_keys(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pilot.press("r", "r")  # each recall says so: two notifications, stacked
        await until(lambda: len(notices(screen)) >= 2 and all(n.region for n in notices(screen)))
        await pilot.pause()
        bars = [screen.query_one(StatusBar), screen.query_one(KeyBar)]
        keys = bars[1]
        assert keys.region.height == 3  # 80 columns: the key bar's three lines
        for notice in notices(screen):
            assert screen.region.contains_region(notice.region), notice.region
            for bar in bars:
                assert not notice.region.overlaps(bar.region), (notice.region, bar.region)
