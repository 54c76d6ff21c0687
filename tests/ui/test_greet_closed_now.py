"""Meet-and-greet's top line says the office is closed, and why (trial 11, C3): on a local
closure day (or a bank holiday, a Saturday, outside the opening hours) the desk still issues
tickets, but its top line said only where and who, as on any open day. The reason comes from
the one rule (:func:`oss_desk.domain.workdays.closed_now`), with the desk's snapshot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.widgets.bars import TopBar

from ..conftest import MONDAY_0930, make_db, site_toml
from .conftest import AppFactory, until

CLOSED = site_toml().replace(
    'name = "Civic Centre"\n', 'name = "Civic Centre"\nclosures = ["2026-11-23"]\n'
)


@pytest.mark.parametrize(
    ("later", "said"),
    [
        (timedelta(0), "Meet and greet · Closed now: a local closure day"),  # Monday's closure
        (timedelta(days=5), "Meet and greet · Closed now: a Saturday"),
        (timedelta(days=1, hours=8), "Meet and greet · Closed now: outside its opening hours"),
        (timedelta(days=1), None),  # Tuesday 09:30: open, nothing said
    ],
)
async def test_the_top_line_says_why_the_office_is_closed(
    tmp_path: Path, make_app: AppFactory, later: timedelta, said: str | None
) -> None:
    db = make_db(tmp_path, CLOSED)
    app = make_app(db, "greet-1", clock=FixedClock(MONDAY_0930 + later))
    async with app.run_test(size=(160, 36)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.pause()
        assert isinstance(app.screen, GreetScreen)
        shown = str(app.screen.query_one(TopBar).render())
    assert shown.startswith("Civic Centre · Meet and greet"), shown
    if said is None:
        assert "Closed" not in shown, shown
    else:
        assert said in shown, shown
