"""A resident still being served when midnight passes stays at the adviser's desk (faults 17,
W4): the desk shows them, F finishes the visit, and N then calls the new day's next ticket.
Close of day leaves a ticket at a desk with its adviser, so the desk must not lose it from
view when the business day changes under it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.widgets import Static

from oss_desk.clock import FixedClock
from oss_desk.services.desk_view import take_snapshot
from oss_desk.services.queue import QueueService
from oss_desk.ui.widgets.big_code import BigCode

from ..conftest import rows, site_toml
from .conftest import AppFactory, acting, adviser_desk, office_db, settled, until

BEFORE_MIDNIGHT = datetime(2026, 11, 23, 23, 58, tzinfo=UTC)  # a Monday, GMT
AFTER_MIDNIGHT = BEFORE_MIDNIGHT + timedelta(minutes=4)


def served_at_midnight(migrated: Path, tmp_path: Path) -> Path:
    """C001 called to Desk 1 and being served by Ben at 23:58; Q001 waiting from 23:59."""
    db = office_db(migrated, tmp_path, site_toml())
    clock = FixedClock(BEFORE_MIDNIGHT)
    with acting(db, clock=clock) as greet:
        QueueService(greet).issue("C", print_ticket=False)
    with acting(db, "ben", "desk-1", clock=clock) as desk:
        queue = QueueService(desk)
        called = queue.call_next("desk-1")
        assert called is not None and called.code == "C001"
        queue.start(called.id)
    with acting(db, clock=FixedClock(AFTER_MIDNIGHT)) as greet:  # the new day's first
        QueueService(greet).issue("C", print_ticket=False)
    return db


def test_the_snapshot_keeps_the_visit_at_its_desk_past_midnight(
    migrated: Path, tmp_path: Path
) -> None:
    db = served_at_midnight(migrated, tmp_path)
    with acting(db, "ben", "desk-1", clock=FixedClock(AFTER_MIDNIGHT)) as desk:
        snap = take_snapshot(desk)
    assert snap.business_day == "2026-11-24"
    (at_1,) = [d for d in snap.desks if d.desk.id == "desk-1"]
    assert at_1.ticket is not None and (at_1.ticket.code, at_1.ticket.status.value) == (
        "C001",
        "serving",
    )
    assert [e.ticket.code for e in snap.queue] == ["C001"]  # the new day's C001, waiting


async def test_the_adviser_finishes_the_visit_after_midnight_then_calls_the_next(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = served_at_midnight(migrated, tmp_path)
    app = make_app(db, "desk-1", person="ben", clock=FixedClock(AFTER_MIDNIGHT))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await adviser_desk(app)
        assert screen.my_ticket() is not None
        assert screen.query_one(BigCode).code == "C001"
        # Said as yesterday's, beside today's C001 waiting (review 17, 4).
        info = screen.query_one("#now-info", Static)
        await until(lambda: "arrived Mon 23 Nov 23:58," in str(info.content))
        await pilot.press("f", "1")  # finished: resolved
        await until(lambda: rows(db, "SELECT status FROM tickets WHERE id = 1") == [("done",)])
        await settled(pilot)
        await pilot.press("n")
        await until(lambda: rows(db, "SELECT status FROM tickets WHERE id = 2") == [("called",)])
