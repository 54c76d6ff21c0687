"""An email address with letters outside plain A-Z is refused at the desk, while the resident can
still give another; one stored before is said as such when it fails, and a message that fails on
a bug is said in the one wording of an unexpected fault, never as Python's text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.send_faults import NOT_PLAIN_ADDRESS
from oss_desk.domain.unexpected import unexpected_fault
from oss_desk.worker import messages

from .appointments_site import NOW, make_office, service_at
from .conftest import Cli
from .messaging import SmtpServer
from .test_messages import at, book_by_email, deliver, rows

ACCENTED = "rés@exämple.org"


def test_an_address_with_accented_letters_is_refused_at_booking_in_one_line(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    booked = book_by_email(Cli(db, monkeypatch), email=ACCENTED)
    assert booked.code == 2, booked.out
    (line,) = booked.err.strip().splitlines()
    assert line.startswith(f"oss-desk: '{ACCENTED}' cannot be emailed: letters outside plain A-Z")
    assert "(ä é)" in line and "Traceback" not in booked.err
    assert rows(db, "SELECT count(*) FROM appointments") == [(0,)]


def test_an_accented_address_stored_before_fails_in_plain_words(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    appt = svc.book("C", at(26, 11), channel="email", email="res@example.org")
    session.close()
    conn = sqlite3.connect(db)
    with conn:  # as an earlier version, which let it through, stored it
        conn.execute("UPDATE appointment_contacts SET email = ?", [ACCENTED])
    conn.close()
    assert deliver(db, NOW) == (0, 1)
    assert rows(db, "SELECT status, last_error FROM messages WHERE kind = 'confirmation'") == [
        ("failed", NOT_PLAIN_ADDRESS)
    ]
    assert smtp.mailbox.messages == []
    shown = Cli(db, monkeypatch)("appointment", "show", appt.ref, now=format_instant(NOW))
    assert NOT_PLAIN_ADDRESS in shown.out and "codec" not in shown.out, shown.out


def test_a_message_that_fails_on_a_bug_says_where_the_fault_report_is(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oss_desk.paths import log_dir

    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="res@example.org")
    session.close()

    def broken(*args: object) -> None:
        raise KeyError("typed by someone")

    monkeypatch.setattr(messages, "compose", broken)
    assert deliver(db, NOW) == (0, 1)
    (report,) = log_dir().glob("fault-worker-*.txt")
    ((error,),) = rows(db, "SELECT last_error FROM messages WHERE kind = 'confirmation'")
    assert error == unexpected_fault(str(report))
    assert "builtins.KeyError" in report.read_text(encoding="utf-8")
