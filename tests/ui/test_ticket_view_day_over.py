"""The desks' ticket view (F7) of a ticket still waiting once its day's closing time has passed
(close of day not run yet) said "Estimate:  now" (a desk still logged in) above a story saying
it was still waiting when the office closed; it says its day is over and gives no estimate, in
the words `ticket show` uses (``domain.waits.day_over_said``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog

from ..conftest import site_toml
from .conftest import AppFactory, office_db, pressed_to, until

ISSUED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 10:00 in London


async def test_a_ticket_left_waiting_past_closing_has_no_estimate(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = office_db(migrated, tmp_path, site_toml())
    clock = FixedClock(ISSUED)
    session = open_session(db=db, clock=clock, person="tl")
    try:
        queue = QueueService(session)
        queue.log_in("desk-1")  # still logged in at 18:00: a desk that may call it is open
        code = queue.issue("C", print_ticket=False).ticket.code
    finally:
        session.close()
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    app = make_app(db, clock=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LookUpDialog, "f7")
        await pressed_to(pilot, TicketDialog, *code.lower(), "enter")
        shown = list(app.screen.lines)  # type: ignore[attr-defined]
        assert "Estimate:  past closing time: no estimate" in shown, shown
        assert not any(line.startswith("Place:") for line in shown), shown
