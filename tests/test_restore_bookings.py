"""A restore names the bookings made after the backup (review: a booking whose confirmation
had been emailed vanished with the restore, its slot free again, and the restore said nothing
of it, only of ticket codes): each with its time and the messages the resident already has,
to rebook. Against a loopback SMTP server, with the real device worker's pass."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant

from .appointments_site import NOW, make_office, service_at
from .conftest import Cli
from .hardware.fakes import COVER_OPEN, FakePrinter
from .messaging import SmtpServer
from .test_appointment_message_unsure import worker_pass


def test_a_restore_lists_the_bookings_made_after_the_backup_and_what_was_sent(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, printer: FakePrinter
) -> None:
    """... and the slip printed for one (review: a resident holding a printed slip was said to
    have been sent nothing), or that may have printed for another."""
    db = make_office(tmp_path, smtp_url=smtp.url, printer=printer.url)
    cli = Cli(db, monkeypatch)
    now = format_instant(NOW)
    made = cli("db", "backup", "--json", now=now)
    assert made.code == 0, made.err
    backup = made.json()["path"]
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock)
    emailed = svc.book("C", NOW + timedelta(days=3), channel="email", email="a@example.org")
    worker_pass(db, clock)  # the confirmation goes
    assert len(smtp.mailbox.messages) == 1
    slip = svc.book("C", NOW + timedelta(days=3, hours=2), channel="slip")
    worker_pass(db, clock)  # the slip prints: the printer confirms it
    printer.before_answer = lambda: printer.replies.update(COVER_OPEN)  # opened as it prints
    unsure = svc.book("C", NOW + timedelta(days=3, hours=3), channel="slip")
    worker_pass(db, clock)  # the slip went, then the printer said its cover was open
    assert len(printer.jobs) == 2
    later = svc.book("C", NOW + timedelta(days=3, hours=1), channel="email", email="b@example.org")
    session.close()

    restored = cli("db", "restore", backup, "--yes", now=now)
    assert restored.code == 0, restored.err
    lines = restored.out.splitlines()
    at = lines.index(next(x for x in lines if "bookings made after the backup" in x))
    assert lines[at].startswith(
        "4 bookings made after the backup are not in the restored database (the slots free "
        "again), only in office.sqlite.before-restore-"
    ), lines[at]
    assert lines[at + 1 : at + 5] == [
        f"  {emailed.ref} Thu 26 Nov 10:00, confirmation emailed: rebook it",
        f"  {later.ref} Thu 26 Nov 11:00, nothing sent to the resident yet: rebook it",
        f"  {slip.ref} Thu 26 Nov 12:00, slip printed: rebook it",
        f"  {unsure.ref} Thu 26 Nov 13:00, slip may have printed: rebook it",
    ]
    assert cli("appointment", "show", emailed.ref, now=now).code != 0  # gone, as said

    again = cli("db", "restore", backup, "--yes", "--json", now=now).json()
    assert again["bookings_only_in_kept"] == []  # the replaced database was the backup itself


def test_one_event_after_the_backup_is_said_as_one(cli: Cli) -> None:
    made = cli("db", "backup", "--json")
    assert made.code == 0, made.err
    found = cli("--user", "tl", "resident", "find", "--phone", "07700 900123")  # one event
    assert found.code == 0, found.err
    restored = cli("db", "restore", made.json()["path"], "--yes")
    assert restored.code == 0, restored.err
    (line,) = [x for x in restored.out.splitlines() if x.startswith("The replaced database had")]
    assert line.startswith("The replaced database had 1 event newer than the backup (the newest"), (
        line
    )
    assert "): it is not in the restored database, only in office.sqlite.before-restore-" in line
