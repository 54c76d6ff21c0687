"""S prints the summary the team leader means (a trial's month end: S on the leader's screen
printed today's summary while the leader had another day, or the month, in front of them). The
leader's key says it prints today's; on Reports (F6), S prints the day shown, and with a month
shown it says a receipt prints a day's summary. The real desk app (Pilot), a real database
file, the summary's print job and its event."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.screens.reports import MONTH_NOT_PRINTED, ReportsScreen

from ..conftest import MONDAY_0930
from .conftest import AppFactory, pressed_to, rows, said, settled, until
from .test_trial5_desks import key_bar_text


def printed(db: Path) -> list[str]:
    """The days whose summary was queued to print, in order (the event each print records)."""
    found = rows(db, "SELECT data FROM events WHERE kind = 'report_printed' ORDER BY id")
    return [json.loads(data)["date"] for (data,) in found]


async def test_s_prints_the_day_on_screen_and_says_which(
    office: Path, make_app: AppFactory
) -> None:
    tuesday = MONDAY_0930 + timedelta(days=1)
    app = make_app(office, "greet-1", person="tl", clock=FixedClock(tuesday))
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LeaderScreen, "f4")
        await until(lambda: "s Print today's summary" in key_bar_text(app))
        # Reports: back to Monday, S prints Monday's summary, and says so.
        await pressed_to(pilot, ReportsScreen, "f6")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await until(lambda: screen.shown == ("day", "2026-11-24"))
        await pilot.press("left_square_bracket")
        await until(lambda: screen.shown == ("day", "2026-11-23"))
        await until(lambda: "s Print this day" in key_bar_text(app))
        dialog = await pressed_to(pilot, ChoiceDialog, "s")
        assert str(dialog.heading).startswith(
            "Print the summary of Monday 23 November 2026 on which desk's printer?"
        )
        await pilot.press("enter")  # the only desk with a printer: greet-1
        await until(lambda: printed(office) == ["2026-11-23"])
        await until(lambda: said(app, "The summary of Monday 23 November 2026 queued for"))
        # The month shown: S is dimmed and says why; nothing is printed.
        await pilot.press("m")
        await until(lambda: screen.shown == ("month", "2026-11"))
        await pilot.press("s")
        await until(lambda: said(app, MONTH_NOT_PRINTED))
        await settled(pilot)
        assert isinstance(app.screen, ReportsScreen)
        # The leader's S: today's, as its key says.
        await pressed_to(pilot, LeaderScreen, "f4")
        await pressed_to(pilot, ChoiceDialog, "s")
        assert str(app.screen.heading).startswith("Print today's summary on which")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(lambda: printed(office) == ["2026-11-23", "2026-11-24"])
