"""Reports mode (F6) charts, read from what plotext draws: weeks before the office's records
begin are not drawn as weeks of no arrivals (the office here was set up on Monday 23 November
2026: its records begin that day, and the daily report says "no records" for the Mondays
before, in text, JSON and on screen; tests/test_records_begin.py relates every presentation to
the one rule); the 12-month chart draws both of its series where their figures
are equal, so the legend's * and + are both on the chart; and F1 says what each standard of
the report shown counts, and where the quarterly and annual reports are."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from oss_desk.clock import FixedClock
from oss_desk.domain.reports import NO_RECORDS, MonthlyReport
from oss_desk.domain.scorecard import FIGURE_DEFINITIONS
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import HelpScreen
from oss_desk.ui.screens.reports import DEFINITIONS_TITLE, ReportsScreen

from ..conftest import MONDAY_0930, Cli, site_toml
from ..report_fixtures import monthly_fixture
from ..report_values import monthly_report
from .conftest import AppFactory, acting, kept_notices, office_db, pressed_to, until

NOW = MONDAY_0930 + timedelta(weeks=1)  # Monday 30 November 2026


def office(migrated: Path, tmp_path: Path) -> Path:
    db = office_db(migrated, tmp_path, site_toml())
    for when in (MONDAY_0930, NOW - timedelta(minutes=20)):
        with acting(db, clock=when) as session:
            QueueService(session).issue("C", print_ticket=False)
    return db


def drawn(screen: ReportsScreen, chart: str) -> list[str]:
    plot = screen.query_one(f"#{chart}", PlotextPlot)
    rendered = plot.render()
    assert isinstance(rendered, Text)
    return rendered.plain.splitlines()


def test_the_daily_report_says_no_records_before_the_first_visit(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(migrated, tmp_path), monkeypatch)
    day = cli("report", "daily", "--json", now=NOW.isoformat()).json()
    assert [(w["date"], w["recorded"]) for w in day["previous_weeks"]] == [
        ("2026-11-23", True),
        ("2026-11-16", False),
        ("2026-11-09", False),
        ("2026-11-02", False),
    ]
    text = cli("report", "daily", now=NOW.isoformat()).out
    assert f"    2026-11-02  {NO_RECORDS}\n" in text


async def test_weeks_before_the_records_are_not_drawn_as_empty_weeks(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    app = make_app(office(migrated, tmp_path), "greet-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6")
        await until(lambda: isinstance(app.screen, ReportsScreen) and app.screen.data is not None)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        chart = "\n".join(drawn(screen, "report-chart-trend"))
        assert "since records began" in chart
        assert "11-23" in chart and "11-30" in chart
        for before in ("11-02", "11-09", "11-16"):
            assert before not in chart


async def test_both_series_of_the_twelve_months_show_when_equal(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    app = make_app(office_db(migrated, tmp_path, site_toml()), "greet-1")
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6", "m")
        await until(
            lambda: (
                isinstance(app.screen, ReportsScreen) and isinstance(app.screen.data, MonthlyReport)
            )
        )
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        report = monthly_report(monthly_fixture())
        same = tuple(
            replace(m, within_15_min_pct=80.3, first_contact_resolution_pct=80.3)
            for m in report.trend
        )
        screen.data = replace(report, trend=same)
        screen.shown = ("month", report.month)
        screen.draw()
        await pilot.pause()
        lines = drawn(screen, "report-chart-trend")
        body = [line for line in lines[1:] if "┤" in line or "│" in line]
        assert body, lines
        assert any("*" in line for line in body), "\n".join(lines)
        assert any("+" in line for line in body), "\n".join(lines)


async def test_f1_on_the_reports_says_what_each_standard_counts(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    app = make_app(office(migrated, tmp_path), "greet-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6", "m")
        await until(
            lambda: (
                isinstance(app.screen, ReportsScreen) and isinstance(app.screen.data, MonthlyReport)
            )
        )
        screen = app.screen
        assert isinstance(screen, ReportsScreen) and screen.data is not None
        standards = screen.data.standards
        help_screen = await pressed_to(pilot, HelpScreen, "f1")
        about = help_screen.about
        assert "oss-desk report daily, monthly, quarterly, annual" in about
        keys = {s.key for s in standards}
        assert {"ringbacks_in_time", "unequal_service", "repeat_contact"} <= keys
        for s in standards:
            assert s.definition and f"{s.label}: {s.definition}" in about, s.key
        for key in ("no_shows", "appointments", "service_time"):
            assert FIGURE_DEFINITIONS[key] in about


def figures_text(screen: ReportsScreen) -> str:
    """What F6's figures say, as plain text at the width of its figures box."""
    box = screen.query_one("#report-figures-box")
    console = Console(width=box.size.width, record=True, color_system=None, file=io.StringIO())
    console.print(screen.query_one("#report-figures", Static).content)
    return console.export_text()


async def test_f6_stops_where_the_records_begin_as_the_cli_refuses(
    migrated: Path, tmp_path: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F6's [ moves back to the day and the month the office's records begin, and no further:
    the day or month before is refused in the CLI's words (the one rule, DateSpan.recorded),
    the screen stays on what it shows and ] moves on from there; the same weekday before the
    records says "no records" on screen as in the CLI."""
    db = office(migrated, tmp_path)
    before = Cli(db, monkeypatch)("report", "daily", "--date", "2026-11-22", now=NOW.isoformat())
    assert before.err.endswith("is before this office's records begin (2026-11-23)\n")
    app = make_app(db, "greet-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6")
        await until(lambda: isinstance(app.screen, ReportsScreen) and app.screen.data is not None)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        said = figures_text(screen)
        assert re.search(rf"2026-11-16 +{NO_RECORDS}", said), said
        assert not re.search(rf"2026-11-23 +{NO_RECORDS}", said), said
        # What each standard counts is last on the screen, and End (the figures have the focus)
        # goes there (trial 8: F1 hid it in a box that Home, Down and End did not scroll).
        assert "Standards  (what each counts: End)" in said
        assert re.search(rf"^{DEFINITIONS_TITLE} *$", said, re.MULTILINE), said
        box = screen.query_one("#report-figures-box", VerticalScroll)
        assert app.focused is box and box.max_scroll_y > 0
        await pilot.press("end")
        await until(lambda: box.scroll_y == box.max_scroll_y)
        await pilot.press("home")
        await until(lambda: box.scroll_y == 0)
        await pilot.press(*["left_square_bracket"] * 7)
        await until(lambda: screen.shown == ("day", "2026-11-23"))
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("left_square_bracket")
        refused = "The day 2026-11-22 is before this office's records begin (2026-11-23)"
        await until(lambda: any(refused in m for m in told))
        await until(lambda: not screen.workers)
        assert screen.shown == ("day", "2026-11-23") and screen.day == date(2026, 11, 23)
        await pilot.press("right_square_bracket")
        await until(lambda: screen.shown == ("day", "2026-11-24"))
        await pilot.press("m")
        await until(lambda: screen.shown == ("month", "2026-11"))
        await pilot.press("left_square_bracket")
        refused = "The month 2026-10 is before this office's records begin (2026-11-23)"
        await until(lambda: any(refused in m for m in told))
        await until(lambda: not screen.workers)
        assert screen.shown == ("month", "2026-11") and screen.month == "2026-11"


async def test_the_twelve_months_mark_a_month_begun_before_the_records(
    migrated: Path, tmp_path: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """November 2026 began before the office's records (23 November): the text report marks
    its figures "(from 23 Nov)", and the desk's 12-month chart says the same above its
    points (it plotted the month as a whole one)."""
    db = office(migrated, tmp_path)
    text = Cli(db, monkeypatch)("report", "monthly", now=NOW.isoformat()).out
    (row,) = [line for line in text.splitlines() if line.startswith("    2026-11 ")]
    assert row.endswith("(from 23 Nov)"), row
    app = make_app(db, "greet-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6", "m")
        await until(
            lambda: (
                isinstance(app.screen, ReportsScreen) and isinstance(app.screen.data, MonthlyReport)
            )
        )
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        title = drawn(screen, "report-chart-trend")[0]
        assert "contact" in title and title.strip().endswith("(from 23 Nov)"), title
