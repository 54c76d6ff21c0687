"""Reports mode (F6) names a site that has left the configuration as closed, among the sites
its report covers (review 14, 3): the day the Library was open is still the Library's too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.ui.screens.reports import ReportsScreen

from ..test_site_dropped import MONDAY, WEDNESDAY, office, ok
from .conftest import AppFactory, until
from .test_reports_charts import figures_text


async def test_the_day_a_site_that_left_was_open_names_it_as_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: AppFactory
) -> None:
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    app = make_app(cli.db, "greet-1", clock=FixedClock(datetime(2026, 11, 25, 10, tzinfo=UTC)))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6")

        def heading_on(day: str) -> str | None:
            screen = app.screen
            if not isinstance(screen, ReportsScreen) or screen.shown != ("day", day):
                return None
            return str(screen.query_one("#report-heading").render())

        await until(lambda: heading_on("2026-11-25") is not None, timeout=10)
        assert "   hq" in str(heading_on("2026-11-25")), heading_on("2026-11-25")
        await pilot.press("left_square_bracket", "left_square_bracket")
        await until(lambda: heading_on("2026-11-23") is not None, timeout=10)
        await until(lambda: "hq, library (closed 25 Nov 2026)" in str(heading_on("2026-11-23")))
        screen = app.screen
        assert isinstance(screen, ReportsScreen) and screen.data is not None
        assert screen.data.figures.by_site == {"hq": 0, "library": 1}


async def test_a_desk_that_left_is_named_in_f6_as_the_cli_reports_name_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: AppFactory
) -> None:
    """F6's desks table named a desk that left the configuration by its id ("lib-1") where the
    command line's reports name it as the records last had it ("Library desk")."""
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "desks", "login", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "call-next", "--desk", "lib-1", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "finish", "C001", "--outcome", "resolved", now=MONDAY)
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    said = ok(cli, "report", "daily", "--date", "2026-11-23", now=WEDNESDAY)
    assert "Library desk" in said and "lib-1" not in said
    app = make_app(cli.db, "greet-1", clock=FixedClock(datetime(2026, 11, 25, 10, tzinfo=UTC)))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f6")
        await until(lambda: isinstance(app.screen, ReportsScreen) and app.screen.shown is not None)
        await pilot.press("left_square_bracket", "left_square_bracket")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await until(lambda: screen.shown == ("day", "2026-11-23"), timeout=10)
        desks = figures_text(screen).split("Desks", 1)[1].split("Advisers", 1)[0]
        assert "Library desk" in desks and "lib-1" not in desks, desks
