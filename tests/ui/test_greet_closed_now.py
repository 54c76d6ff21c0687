"""Meet-and-greet says the office is closed, and why (trial 11, C3): on a local closure day
(or a bank holiday, a Saturday, outside the opening hours) the desk still issues tickets, but
nothing on it said the office was closed. The line at the top of the screen (the one that says
a team leader closed the day) now says why, from the one rule
(:func:`oss_desk.domain.workdays.closed_now`) in the desk's snapshot; on an 80-column terminal
too, where the top bar has no room for it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from oss_desk.clock import FixedClock
from oss_desk.services.queue.day_end import close_now
from oss_desk.ui.screens.greet import GreetScreen

from ..conftest import MONDAY_0930, site_toml
from .conftest import AppFactory, acting, office_db, until

CLOSED = site_toml().replace(
    'name = "Civic Centre"\n', 'name = "Civic Centre"\nclosures = ["2026-11-23"]\n'
)
STILL = ". Tickets are still issued."


def top_line(app: object) -> str | None:
    """The line at the top of meet-and-greet, as shown (None: not shown)."""
    screen = getattr(app, "screen", None)
    assert isinstance(screen, GreetScreen)
    line = screen.query_one("#day-closed", Static)
    return str(line.render()) if line.display else None


@pytest.mark.parametrize(
    ("later", "said"),
    [
        (timedelta(0), "Office closed now: a local closure day" + STILL),  # Monday's closure
        (timedelta(days=5), "Office closed now: a Saturday" + STILL),
        (
            timedelta(days=1, hours=8),
            "Office closed now: outside the opening hours 09:00-17:00" + STILL,
        ),
        (timedelta(days=1), None),  # Tuesday 09:30: open, nothing said
    ],
)
async def test_the_top_line_says_why_the_office_is_closed(
    migrated: Path, tmp_path: Path, make_app: AppFactory, later: timedelta, said: str | None
) -> None:
    db = office_db(migrated, tmp_path, CLOSED)
    app = make_app(db, "greet-1", clock=FixedClock(MONDAY_0930 + later))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.pause()
        assert top_line(app) == said


async def test_a_day_closed_by_hand_says_that_first(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """On the closure day a team leader then closes the day: no tickets at all, said so."""
    db = office_db(migrated, tmp_path, CLOSED)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.pause()
        assert top_line(app) == "Office closed now: a local closure day" + STILL
        with acting(db) as session:
            close_now(session)
        said = "Day closed: no tickets or check-ins until a team leader reopens it"
        await until(lambda: top_line(app) == said, timeout=30)
