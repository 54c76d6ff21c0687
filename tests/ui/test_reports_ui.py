"""Reports mode (F6): the figures shown are the report service's, it moves between days and
months, follows the live queue, and looks the same every time (snapshots, fixed clock and data).
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from oss_desk.clock import FixedClock
from oss_desk.domain.reports import DailyReport, MonthlyReport
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session
from oss_desk.ui.screens import reports as reports_screen
from oss_desk.ui.screens.reports import ReportsScreen

from ..conftest import MONDAY_0930, site_toml
from .conftest import AppFactory, acting, office_db, settled, until

OUTCOMES = ["resolved", "resolved", "signposted", "referred", "resolved", "callback"]


@pytest.fixture
def history(migrated: Path, tmp_path: Path) -> Path:
    """Five Mondays of visits (today and the four before), fixed by a seeded pattern."""
    db = office_db(migrated, tmp_path, site_toml())
    for weeks_back in range(4, -1, -1):
        day_start = MONDAY_0930 - timedelta(weeks=weeks_back, minutes=30)  # 09:00
        clock = FixedClock(day_start)
        greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
        desk = open_session(db=db, clock=clock, person="ben", desk_id="desk-1")
        try:
            queue, calling = QueueService(greet), QueueService(desk)
            visits = 6 + 2 * (4 - weeks_back)
            for i in range(visits):
                clock.set(day_start + timedelta(minutes=7 * i))
                queue.issue("CBW"[i % 3], needs="bsl" if i == 2 else None, print_ticket=False)
            for i in range(visits - 2 if weeks_back == 0 else visits):
                clock.set(day_start + timedelta(minutes=7 * i + 4 + 3 * (i % 5)))
                ticket = calling.call_next("desk-1")
                assert ticket is not None
                clock.set(clock.now() + timedelta(minutes=6))
                calling.finish(ticket.id, OUTCOMES[i % len(OUTCOMES)])
        finally:
            greet.close()
            desk.close()
    return db


async def shown(pilot: Pilot[None], period: str, key: str) -> None:
    app = pilot.app
    await until(
        lambda: isinstance(app.screen, ReportsScreen) and app.screen.shown == (period, key),
        timeout=10,
    )
    await settled(pilot)


def shown_report(screen: ReportsScreen) -> DailyReport | MonthlyReport | None:
    return screen.data


async def test_reports_mode_shows_the_services_figures_and_moves(
    history: Path, make_app: AppFactory
) -> None:
    app = make_app(history, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6")
        await shown(pilot, "day", "2026-11-23")
        screen = app.screen
        assert isinstance(screen, ReportsScreen) and screen.data is not None
        with acting(history, desk=None) as session:
            expected = ReportService(session).daily("2026-11-23")
            month = ReportService(session).monthly("2026-11")
        assert shown_report(screen) == expected
        assert expected.figures.visits == 14 and len(expected.previous_weeks) == 4
        heading = str(screen.query_one("#report-heading").render())
        assert "Daily footfall summary" in heading and "Monday 23 November 2026" in heading
        await pilot.press("left_square_bracket")
        await shown(pilot, "day", "2026-11-22")
        await pilot.press("m")
        await shown(pilot, "month", "2026-11")
        assert shown_report(screen) == month
        assert "Monthly dashboard" in str(screen.query_one("#report-heading").render())
        await pilot.press("left_square_bracket")
        await shown(pilot, "month", "2026-10")
        assert isinstance(screen.data, MonthlyReport) and screen.data.month == "2026-10"
        await pilot.press("t", "d")
        await shown(pilot, "day", "2026-11-23")


async def test_todays_summary_follows_the_live_queue(
    history: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports_screen, "LIVE_REFRESH_SECONDS", 0.1)
    app = make_app(history, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6")
        await shown(pilot, "day", "2026-11-23")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        with acting(history) as other:
            QueueService(other).issue("C", print_ticket=False)
        await until(
            lambda: screen.data is not None and screen.data.figures.visits == 15, timeout=10
        )


def _reports_before(keys: tuple[str, ...], wanted: tuple[str, str]):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        await until(lambda: app.snapshot is not None)  # type: ignore[attr-defined]
        for key in keys:
            await pilot.press(key)
        await until(
            lambda: isinstance(app.screen, ReportsScreen) and app.screen.shown == wanted,
            timeout=10,
        )
        await settled(pilot)  # its loading done and drawn (not a fixed pause)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_reports_day_snapshot(snap_compare, history: Path, make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(history, "greet-1")
    assert snap_compare(
        app, terminal_size=size, run_before=_reports_before(("f6",), ("day", "2026-11-23"))
    )


def test_reports_month_snapshot(snap_compare, history: Path, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(history, "greet-1")
    assert snap_compare(
        app,
        terminal_size=(120, 36),
        run_before=_reports_before(("f6", "m"), ("month", "2026-11")),
    )


async def test_the_office_s_wait_target_is_the_one_on_screen(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """An office that set a 20-minute target sees 20 minutes in the standard's name and in the
    trend chart's title, never the council's usual 15."""
    toml = site_toml().replace("[queue]\n", "[queue]\ntarget_minutes = 20\n")
    db = office_db(migrated, tmp_path, toml)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6", "m")
        await shown(pilot, "month", "2026-11")
        await settled(pilot)
        svg = app.export_screenshot()
        text = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
        assert "Seen within 20 min" in text and "within 20 min, + first contact" in text
        assert "15 min" not in text
