"""The check-in at meet-and-greet (F2) by the QR code of the booking's confirmation email, and the
check-in box that follows the ticket's printing (trial 9, C4 and P7). Real SQLite, a real SMTP
server (aiosmtpd), the code read from the email's image, and the real print delivery."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Static

from oss_desk.clock import FixedClock
from oss_desk.services.appointments import AppointmentService
from oss_desk.ui.dialogs.appointments import ChecklistDialog
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.worker.printing import PrintDelivery

from ..appointments_site import NOW
from ..messaging import SmtpServer, qr_shown
from ..test_messages import deliver
from .conftest import AppFactory, acting, appointments_office, pressed_to, rows, until
from .test_ticket_scan import scan_keys


async def test_the_check_in_box_follows_the_print_state_the_screen_behind_shows(
    migrated: Path, tmp_path: Path, make_app: AppFactory, smtp: SmtpServer
) -> None:
    """The resident shows the QR code of their confirmation email; scanned at F2, it checks
    them in (as a slip's does: tests/ui/test_trial4_desk.py). The check-in box said "Ticket
    handed to the printer worker (job 31)" while the line behind it already said "printed": it
    said the job's state once, when it was queued. It now says the state the screen behind
    says, from the same snapshots, and changes with it while it is open."""
    office = appointments_office(
        migrated, tmp_path, smtp_url=smtp.url, printer=f"capture://{tmp_path}/greet.bin"
    )
    with acting(office, clock=NOW) as session:
        start = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
        appt = AppointmentService(session).book(
            "C", start, channel="email", email="resident@example.org"
        )
    assert deliver(office, NOW) == (1, 0)
    (confirmation,) = smtp.mailbox.messages
    code = qr_shown(confirmation)  # what a phone's screen shows the desk's scanner
    assert code == f"OSSD-A:{appt.ref}"
    app = make_app(office, clock=FixedClock(NOW), scan_pause=5.0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, GreetScreen)
        await until(lambda: app.snapshot is not None)
        box = await pressed_to(pilot, ChecklistDialog, *scan_keys(code))
        ((ticket, job),) = rows(office, "SELECT ticket_id, id FROM print_jobs")
        assert rows(office, "SELECT ticket_id FROM appointments") == [(ticket,)]  # checked in

        def behind() -> str:
            """The print state on the line under the ticket shown large (behind the box)."""
            return str(screen.query_one("#issued-info", Static).render()).split("  ·  ")[-1]

        def in_box() -> str:
            return str(box.query_one("#checklist-lines", Static).render()).splitlines()[2]

        await until(lambda: behind() == "waiting to print")
        assert in_box() == f"Ticket waiting to print (job {job})"
        with acting(office, person="worker", desk=None, clock=NOW) as worker:
            assert PrintDelivery(worker, owner="w").deliver_due().printed == 1
        await until(lambda: behind() != "waiting to print")
        assert behind() == "printed"  # a capture file: every byte written is the job printed
        await until(lambda: in_box() == f"Ticket printed (job {job})")
        assert app.screen is box  # still open: it changed while the resident stood there
