"""A report email that failed for good is on the team leader's screen (trial 36): F4's status
line counts it and A, the leader's "seen to", names it and acknowledges it. Before, A said "No
alerts" while `alerts list` listed it. The real desk app (Pilot), a real database file, the
worker's report-email lane against a port nobody listens on."""

from __future__ import annotations

from pathlib import Path

from oss_desk.clock import FixedClock, read_instant
from oss_desk.services.mailed_reports import ReportMailer
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.ui.screens.leader import LeaderScreen

from ..messaging import free_port
from ..test_report_send import MONDAY_EVENING, deliver, office
from .conftest import AppFactory, acting, pressed_to, rows, said, settled, until

NEXT_EVENING = "2026-11-24T18:05:00Z"


async def test_the_leaders_a_names_a_failed_report_email_and_acknowledges_it(
    tmp_path: Path, make_app: AppFactory
) -> None:
    db = office(tmp_path, f"smtp://127.0.0.1:{free_port()}?starttls=off")
    with acting(db, clock=read_instant(MONDAY_EVENING)) as session:
        ReportMailer(session).daily("2026-11-23")
    assert deliver(db, MONDAY_EVENING).retried == 1
    assert deliver(db, "2026-11-24T18:00:00Z").failed == 1  # past messages.notice_hours
    app = make_app(db, "greet-1", clock=FixedClock(read_instant(NEXT_EVENING)))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None and bool(app.snapshot.alerts))
        await pressed_to(pilot, LeaderScreen, "f4")
        dialog = await pressed_to(pilot, ConfirmDialog, "a")
        question = str(dialog.heading)
        assert question.startswith("Seen to (the report sent again or not needed)?\n")
        assert "daily report email for 2026-11-23" in question
        assert "resident" not in question
        await pressed_to(pilot, LeaderScreen, "y")
        await until(lambda: said(app, "Alerts acknowledged"))
        await settled(pilot)
    assert rows(db, "SELECT status, acknowledged_by FROM report_mails") == [("failed", "tl")]
