"""Confirmations, reminders and notices through a real SMTP server and a local GOV.UK Notify."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Timezone

from oss_desk.clock import FixedClock, format_instant
from oss_desk.services.session import open_session
from oss_desk.worker.messages import MessageDelivery

from .appointments_site import NOW, make_office, service_at
from .cli_here import run_cli_here
from .conftest import Cli, CliResult
from .messaging import API_KEY, NotifyServer, SmtpServer, qr_shown

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def rows(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def deliver(db: Path, when: datetime) -> tuple[int, int]:
    """One pass of the worker's message delivery at ``when``: (sent, failed)."""
    session = open_session(db=db, clock=FixedClock(when), person="worker")
    try:
        report = MessageDelivery(session).deliver_due()
        return report.sent, report.failed
    finally:
        session.close()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def ics_of(message: EmailMessage) -> Calendar:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


# SMTP -----------------------------------------------------------------------------------------


def test_confirmation_has_checklist_reference_and_a_london_ics(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    # In summer (BST), so an .ics that wrote UTC as local time would be an hour out.
    june = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # Monday 10:00 BST
    db = make_office(tmp_path, now=june, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(june))
    appt = svc.book(
        "C",
        "2026-06-03T10:00:00+01:00",
        channel="email",
        email="resident@example.org",
        name="Ann Other",
    )
    session.close()
    assert deliver(db, june) == (1, 0)
    (mail,) = smtp.mailbox.messages
    assert mail["To"] == "resident@example.org"
    assert mail["Subject"] == "Your appointment is booked: Wednesday 3 June 2026 at 10:00"
    text = text_of(mail)
    for expected in (
        "When:   Wednesday 3 June 2026 at 10:00",
        "Where:  Civic Centre, Market Street, Testtown",
        "  - Your bill",
        "  - Photo ID",
        f"Booking reference: {appt.ref}",
    ):
        assert expected in text
    assert "Ann Other" not in str(mail["X-OSS-Desk-Reference"])
    calendar = ics_of(mail)
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == datetime(2026, 6, 3, 10, 0, tzinfo=LONDON)
    assert str(start.tzinfo) == "Europe/London"
    assert start.astimezone(UTC) == datetime(2026, 6, 3, 9, 0, tzinfo=UTC)
    assert event.decoded("dtend") - start == timedelta(minutes=20)
    assert calendar.walk("VTIMEZONE"), "the invitation carries its timezone"
    # The whole zone, as icalendar's add_missing_timezones writes it, before the event (it is
    # made once per zone, not for every invitation).
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone.to_ical() == Timezone.from_tzid("Europe/London").to_ical()
    assert calendar.subcomponents[0] is zone
    assert appt.ref in str(event.get("description"))
    # Nothing is sent twice.
    assert deliver(db, june + timedelta(minutes=5)) == (0, 0)
    assert len(smtp.mailbox.messages) == 1


def book_by_email(cli: Cli, *more: str, email: str = "resident@example.org") -> CliResult:
    """A Council Tax appointment on 26 November at 11:00, its messages by email (to
    ``email``)."""
    return cli(
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2026-11-26T11:00:00Z",
        "--channel",
        "email",
        "--email",
        email,
        *more,
        now=format_instant(NOW),
    )


def test_reminder_goes_out_at_its_due_time_exactly_once(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    cli = Cli(db, monkeypatch)
    booked = book_by_email(cli, "--json")
    assert booked.code == 0, booked.err
    ref = booked.json()["ref"]
    first = cli("worker", "--once", "--json", now=format_instant(NOW))
    assert first.code == 0, first.err
    assert first.json()["messages_sent"] == 1  # the confirmation
    # Thursday's reminder is due 2 working days before, at 09:00: Tuesday 24th.
    early = cli("worker", "--once", "--json", now="2026-11-24T08:59:00Z")
    assert early.json()["messages_sent"] == 0
    for now in ("2026-11-24T09:00:00Z", "2026-11-24T09:00:00Z", "2026-11-24T12:00:00Z"):
        cli("worker", "--once", now=now)
    subjects = [m["Subject"] for m in smtp.mailbox.messages]
    assert subjects == [
        "Your appointment is booked: Thursday 26 November 2026 at 11:00",
        "Reminder of your appointment: Thursday 26 November 2026 at 11:00",  # one colon
    ]
    reminder = smtp.mailbox.messages[1]
    assert "Please bring:" in text_of(reminder) and ref in text_of(reminder)
    assert reminder["Date"] == "Tue, 24 Nov 2026 09:00:00 +0000"  # a known zone, UTC


def test_two_workers_at_once_send_each_message_once(tmp_path: Path, smtp: SmtpServer) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    for hour in (11, 12, 14):
        svc.book("C", at(26, hour), channel="email", email=f"r{hour}@example.org")
    session.close()
    # The confirmations just after booking, the reminders when due (a reminder already due when
    # a late confirmation went out would be covered by it: tests/test_message_fates.py).
    for now in ("2026-11-23T10:01:00Z", "2026-11-24T09:00:00Z"):
        env = {**_env(db), "OSS_DESK_NOW": now}
        procs = [_worker_process(env) for _ in range(2)]
        outcomes = [p.communicate(timeout=60) for p in procs]
        codes = sorted(p.returncode for p in procs)
        # One ran; the other (if it overlapped) was told a worker is already running.
        assert codes[0] == 0
        if codes[1] != 0:
            assert any("already running" in err for _, err in outcomes)
        # And once more afterwards (in this process: no other is running): all sent already.
        once_here(db, now)
    references = [str(m["X-OSS-Desk-Reference"]) for m in smtp.mailbox.messages]
    assert len(references) == 6 and len(set(references)) == 6  # 3 confirmations, 3 reminders


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env["OSS_DESK_DB"] = str(db)
    return env


def once_here(db: Path, now: str) -> None:
    """``oss-desk worker --once`` at ``now``, through the entry point in the test's own process
    (tests/cli_here.py): a pass after the processes the test is about have ended."""
    done = run_cli_here("worker", "--once", env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": now})
    assert done.returncode == 0, done.stderr


def _worker_process(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "worker", "--once"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_worker_killed_while_sending_does_not_send_twice(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    smtp.mailbox.stall_rcpt = 30
    env = {**_env(db), "OSS_DESK_NOW": format_instant(NOW)}
    worker = _worker_process(env)
    try:
        assert smtp.mailbox.rcpt_seen.wait(30), "the worker never reached the mail server"
        assert rows(db, "SELECT status, attempts FROM messages WHERE kind = 'confirmation'") == [
            ("sending", 1)
        ]
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert smtp.mailbox.messages == []  # killed before the server accepted it
    smtp.mailbox.stall_rcpt = 0
    # The next worker (a restart) finds the message it was sending and sends it, once.
    for _ in range(2):
        once_here(db, format_instant(NOW))
    assert len(smtp.mailbox.messages) == 1
    assert rows(db, "SELECT status, attempts FROM messages WHERE kind = 'confirmation'") == [
        ("sent", 2)
    ]


def test_cancelled_and_moved_bookings_get_only_their_notice(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    cancelled = svc.book("C", at(26, 11), channel="email", email="one@example.org")
    moved = svc.book("C", at(26, 12), channel="email", email="two@example.org")
    session.close()
    assert deliver(db, NOW) == (2, 0)  # both confirmations
    later = NOW + timedelta(hours=1)
    svc, session = service_at(db, FixedClock(later))
    svc.cancel(cancelled.ref, by="resident")
    svc.move(moved.ref, at(30, 14))  # Monday 30th: its reminder is due Thursday 26th 09:00
    session.close()
    # Nothing waits to be sent for the old times, whatever the clock says.
    for when in (later, at(24, 9), at(25, 9), at(26, 9), at(26, 12)):
        deliver(db, when)

    def subjects(appointment_id: int) -> list[str]:
        return [
            str(m["Subject"]).split(":")[0]
            for m in smtp.mailbox.by_reference(f"oss-{appointment_id}-")
        ]

    assert subjects(cancelled.id) == ["Your appointment is booked", "Your appointment is cancelled"]
    assert subjects(moved.id) == [
        "Your appointment is booked",
        "Your appointment has changed",
        "Reminder of your appointment",
    ]
    change = smtp.mailbox.by_reference(f"oss-{moved.id}-cha")[0]
    assert "Monday 30 November 2026 at 14:00" in text_of(change)
    assert ics_of(change).walk("VEVENT")[0].decoded("sequence") == 2
    cancel = smtp.mailbox.by_reference(f"oss-{cancelled.id}-can")[0]
    assert ics_of(cancel).walk("VEVENT")[0]["status"] == "CANCELLED"
    statuses = rows(
        db, "SELECT kind, status FROM messages WHERE appointment_id = ? ORDER BY id", cancelled.id
    )
    assert statuses == [
        ("confirmation", "sent"),
        ("reminder", "cancelled"),
        ("cancellation", "sent"),
    ]


def test_the_change_notice_gives_the_time_the_resident_last_heard_of(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    """The change notice says what changed: the old time beside the new. Two moves before the
    first notice went: the old time is the one the resident was told (the booked one), not the
    one in between that nobody told them of."""
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    appt = svc.book("C", at(26, 11), channel="email", email="one@example.org")
    session.close()
    assert deliver(db, NOW) == (1, 0)  # the confirmation: Thursday 26th at 11:00
    svc, session = service_at(db, FixedClock(NOW + timedelta(hours=1)))
    svc.move(appt.ref, at(30, 14))
    svc.move(appt.ref, at(30, 15), by="council")
    session.close()
    deliver(db, NOW + timedelta(hours=1))
    (change,) = smtp.mailbox.by_reference(f"oss-{appt.id}-cha")
    body = text_of(change).replace("\r\n", "\n")
    assert "When:   Monday 30 November 2026 at 15:00\n" in body
    assert "Was:    Thursday 26 November 2026 at 11:00\n" in body
    # Moved again once that notice went: the next one says the time it told them.
    svc, session = service_at(db, FixedClock(NOW + timedelta(hours=2)))
    svc.move(appt.ref, at(30, 16))
    session.close()
    deliver(db, NOW + timedelta(hours=2))
    later = smtp.mailbox.by_reference(f"oss-{appt.id}-cha")[-1]
    assert "Was:    Monday 30 November 2026 at 15:00\n" in text_of(later).replace("\r\n", "\n")
    # A confirmation says no "Was".
    (confirmation,) = smtp.mailbox.by_reference(f"oss-{appt.id}-con")
    assert "Was:" not in text_of(confirmation)


def test_mail_server_down_is_retried_and_said_on_the_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, smtp_url="smtp://127.0.0.1:9?starttls=off")
    svc, session = service_at(db, FixedClock(NOW))
    appt = svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    assert deliver(db, NOW) == (0, 0)
    ((status, attempts, error),) = rows(
        db, "SELECT status, attempts, last_error FROM messages WHERE kind = 'confirmation'"
    )
    assert (status, attempts) == ("pending", 1)
    assert error == "cannot reach the mail server (connection refused)"
    assert "resident@example.org" not in str(error)
    # `appointment show` says it is being tried again and why, not "pending, due" a time
    # already past (trial 11, P5).
    shown = Cli(db, monkeypatch)(
        "appointment", "show", appt.ref, now=format_instant(NOW + timedelta(minutes=1))
    )
    assert shown.code == 0, shown.err
    (line,) = [x for x in shown.out.splitlines() if "confirmation by email" in x]
    assert line.startswith(
        "  confirmation by email: waiting to send again (tried once, last try: cannot reach "
        "the mail server"
    ), line
    assert line.endswith("; first due Mon 23 Nov 10:00)"), line


# GOV.UK Notify ---------------------------------------------------------------------------------


def notify_office(tmp_path: Path, notify: NotifyServer) -> Path:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    return make_office(tmp_path, notify_url=notify.url, key_file=str(key))


def book_text(db: Path, phone: str = "07700 900123") -> int:
    svc, session = service_at(db, FixedClock(NOW))
    appt = svc.book("C", at(26, 11), channel="text", phone=phone, name="Ann Other")
    session.close()
    return appt.id


def message_row(db: Path, appointment_id: int, kind: str = "confirmation") -> tuple[object, ...]:
    (row,) = rows(
        db,
        "SELECT status, attempts, last_error FROM messages WHERE appointment_id = ? AND kind = ?",
        appointment_id,
        kind,
    )
    return row


def test_notify_sends_texts_and_emails_with_templates(tmp_path: Path, notify: NotifyServer) -> None:
    db = notify_office(tmp_path, notify)
    text_id = book_text(db)
    svc, session = service_at(db, FixedClock(NOW))
    email = svc.book("H", at(24, 9), channel="email", email="resident@example.org")
    session.close()
    assert deliver(db, NOW) == (2, 0)
    sms, mail = notify.state.sent
    assert sms["type"] == "sms" and sms["phone_number"] == "+447700900123"
    assert sms["template_id"] == "22222222-2222-2222-2222-222222222222"
    # Booked by text, the resident has no email or slip that says what to bring: the text does.
    assert "Bring: Your bill; Photo ID." in sms["personalisation"]["body"]
    assert "See your email or slip" not in sms["personalisation"]["body"]
    # A text carries no image: the reference in words is what the resident shows or says (the
    # QR code is in the emails our mail server sends: see the test of the booking's QR below).
    text_ref = rows(db, "SELECT ref FROM appointments WHERE id = ?", text_id)[0][0]
    assert f"Ref {text_ref}." in sms["personalisation"]["body"]
    assert f"Booking reference: {email.ref}" in mail["personalisation"]["body"]
    assert mail["type"] == "email" and mail["email_address"] == "resident@example.org"
    assert mail["template_id"] == "11111111-1111-1111-1111-111111111111"
    assert "Proof of address" in mail["personalisation"]["body"]
    # The service on a phone's lock screen is its neutral label only.
    assert "homelessness" not in mail["personalisation"]["body"]
    for sent, appointment_id in ((sms, text_id), (mail, email.id)):
        reference = sent["reference"]
        assert reference.startswith(f"oss-{appointment_id}-con-")
        for private in ("7700", "resident", "Ann", "Other"):
            assert private not in reference
    events = rows(db, "SELECT kind, data FROM events WHERE kind = 'reminder_sent'")
    assert len(events) == 2 and all("7700" not in str(d) for _, d in events)


def test_a_reminder_by_text_says_what_to_bring(tmp_path: Path, notify: NotifyServer) -> None:
    """A resident booked by text (no email, no slip) is told the checklist in the reminder
    too, never pointed to an email or slip that never went."""
    db = notify_office(tmp_path, notify)
    text_id = book_text(db)  # Thursday 26th at 11:00
    assert deliver(db, NOW) == (1, 0)  # the confirmation
    ((due,),) = rows(
        db, "SELECT due_at FROM messages WHERE appointment_id = ? AND kind = 'reminder'", text_id
    )
    assert deliver(db, datetime.fromisoformat(str(due))) == (1, 0)
    headings = [sent["personalisation"]["heading"] for sent in notify.state.sent]
    assert headings == ["Your appointment is booked", "Reminder of your appointment"]
    for body in (sent["personalisation"]["body"] for sent in notify.state.sent):
        assert "Bring: Your bill; Photo ID." in body, body
        assert "See your email or slip" not in body


def test_the_change_text_gives_the_old_time(tmp_path: Path, notify: NotifyServer) -> None:
    db = notify_office(tmp_path, notify)
    text_id = book_text(db)  # Thursday 26th at 11:00
    svc, session = service_at(db, FixedClock(NOW))
    svc.move(text_id, at(30, 14))
    session.close()
    deliver(db, NOW)
    (sms,) = [m for m in notify.state.sent if m["reference"].startswith(f"oss-{text_id}-cha")]
    body = sms["personalisation"]["body"]
    assert "Monday 30 November 2026 at 14:00" in body
    assert "Was Thursday 26 November 2026 at 11:00." in body


@pytest.mark.parametrize("answer", ["429", "500"])
def test_notify_rate_limit_and_server_errors_are_retried(
    tmp_path: Path, notify: NotifyServer, answer: str
) -> None:
    db = notify_office(tmp_path, notify)
    appointment_id = book_text(db)
    notify.state.script = [answer, answer]
    assert deliver(db, NOW) == (0, 0)
    status, attempts, error = message_row(db, appointment_id)
    assert (status, attempts) == ("pending", 1) and answer in str(error)
    assert deliver(db, NOW) == (0, 0)  # not due again yet: it backs off
    assert deliver(db, NOW + timedelta(minutes=1)) == (0, 0)  # the second answer
    assert deliver(db, NOW + timedelta(minutes=10)) == (1, 0)
    assert len(notify.state.sent) == 1
    assert message_row(db, appointment_id)[:2] == ("sent", 3)
    posts = [r for r in notify.state.requests if r.startswith("POST")]
    assert len(posts) == 3
    if answer == "500":  # a 5xx may have got through: looked up before each resend
        assert sum(r.startswith("GET /v2/notifications?") for r in notify.state.requests) == 2


def test_notify_timeout_is_looked_up_and_never_sent_twice(
    tmp_path: Path, notify: NotifyServer
) -> None:
    db = notify_office(tmp_path, notify)
    appointment_id = book_text(db)
    notify.state.script = ["timeout"]  # Notify takes it, but answers after the 1 s timeout
    assert deliver(db, NOW) == (0, 0)
    assert message_row(db, appointment_id)[:2] == ("pending", 1)
    assert len(notify.state.sent) == 1
    assert deliver(db, NOW + timedelta(minutes=10)) == (1, 0)
    assert len(notify.state.sent) == 1, "sent again after a timeout"
    assert notify.state.requests[-1].startswith("GET /v2/notifications?")
    assert message_row(db, appointment_id)[:2] == ("sent", 2)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [("400", "check the template and the number"), ("403", "refused the key")],
)
def test_notify_refusals_fail_with_an_alert(
    tmp_path: Path, notify: NotifyServer, answer: str, reason: str
) -> None:
    db = notify_office(tmp_path, notify)
    appointment_id = book_text(db)
    notify.state.script = [answer]
    assert deliver(db, NOW) == (0, 1)
    status, attempts, error = message_row(db, appointment_id)
    assert (status, attempts) == ("failed", 1) and reason in str(error)
    assert deliver(db, NOW + timedelta(hours=1)) == (0, 0)  # never retried
    assert notify.state.sent == []
    alerts = rows(db, "SELECT kind, status, detail FROM device_status WHERE kind = 'notify'")
    assert alerts == [("notify", "failed", error)]
    failed = rows(db, "SELECT data FROM events WHERE kind = 'reminder_failed'")
    assert len(failed) == 1 and reason in str(failed[0][0])


def test_a_wrong_api_key_is_an_alert_not_a_crash(tmp_path: Path, notify: NotifyServer) -> None:
    key = tmp_path / "notify.key"
    key.write_text("not-a-key")
    db = make_office(tmp_path, notify_url=notify.url, key_file=str(key))
    appointment_id = book_text(db)
    assert deliver(db, NOW) == (0, 1)
    assert "Notify's format" in str(message_row(db, appointment_id)[2])


def test_the_demo_mailbox_is_an_mbox_any_mail_client_opens(tmp_path: Path) -> None:
    import mailbox

    box_path = tmp_path / "mailbox.mbox"
    db = make_office(tmp_path, smtp_url=f"capture://{box_path}")
    svc, session = service_at(db, FixedClock(NOW))
    for hour in (11, 12):
        svc.book("C", at(26, hour), channel="email", email=f"r{hour}@example.org")
    session.close()
    assert deliver(db, NOW) == (2, 0)
    messages = list(mailbox.mbox(box_path))
    assert [m["To"] for m in messages] == ["r11@example.org", "r12@example.org"]
    assert all(str(m["Subject"]).startswith("Your appointment is booked") for m in messages)


def test_the_running_worker_starts_a_sending_lane_with_the_first_message(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker holds no thread (nor database connection) for a way of sending that nothing
    waits for; the first message queued for it starts its lane, and it is sent."""
    import threading
    import time

    from oss_desk.worker.run import DeviceWorker

    db = make_office(tmp_path, smtp_url=smtp.url)
    worker = DeviceWorker(lambda: open_session(db=db, clock=FixedClock(NOW), person="worker"))
    worker.start()
    try:
        time.sleep(0.3)  # its lanes are running
        names = {t.name for t in threading.enumerate()}
        assert "oss-desk-changes" in names
        assert not names & {"oss-desk-smtp", "oss-desk-notify", "oss-desk-referral-messages"}
        booked = book_by_email(Cli(db, monkeypatch))
        assert booked.code == 0, booked.err
        deadline = time.monotonic() + 30
        while not smtp.mailbox.messages:
            assert time.monotonic() < deadline, "the confirmation was never sent"
            time.sleep(0.02)
        assert "oss-desk-smtp" in {t.name for t in threading.enumerate()}
        assert "booked" in str(smtp.mailbox.messages[0]["Subject"])
    finally:
        worker.join()


def test_the_emails_that_give_a_time_show_the_booking_qr_the_slip_has(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    """Trial 9, C4: only the printed slip carried the booking's QR code. The confirmation, the
    change notice and the reminder (each tells the resident when to come) show it in their
    HTML part, an inline PNG beside the reference in words; the plain text part keeps the
    reference for text-only readers, the invitation stays attached, and the cancellation shows
    none. Read from the image, the code holds what the slip's holds (``OSSD-A:`` and the
    reference, no name), and checks the resident in (scanned at F2:
    tests/ui/test_checkin_box.py)."""
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    kept = svc.book("C", at(26, 11), channel="email", email="one@example.org", name="Ann Other")
    cancelled = svc.book("C", at(26, 12), channel="email", email="two@example.org")
    slip_code = svc.slip(kept).qr
    session.close()
    assert slip_code == f"OSSD-A:{kept.ref}"
    assert deliver(db, NOW) == (2, 0)
    later = NOW + timedelta(hours=1)
    svc, session = service_at(db, FixedClock(later))
    svc.move(kept.ref, at(26, 14))
    svc.cancel(cancelled.ref, by="resident")
    session.close()
    for when in (later, at(25, 9), at(26, 9)):
        deliver(db, when)

    def sent(reference: str) -> EmailMessage:
        (mail,) = smtp.mailbox.by_reference(reference)
        return mail

    for kind in ("con", "cha", "rem"):
        mail = sent(f"oss-{kept.id}-{kind}")
        assert qr_shown(mail) == slip_code, kind
        assert f"Booking reference: {kept.ref}" in text_of(mail)  # for text-only readers
        html = mail.get_body(preferencelist=("html",))
        assert html is not None
        page = str(html.get_content())
        assert f"Booking reference: {kept.ref}" in page
        assert "Show this code at the desk when you arrive." in page
        assert "Ann Other" not in page and "one@example.org" not in page
        if kind != "rem":
            assert ics_of(mail).walk("VEVENT")  # still attached
    assert qr_shown(sent(f"oss-{cancelled.id}-con")) == f"OSSD-A:{cancelled.ref}"
    cancel = sent(f"oss-{cancelled.id}-can")
    assert qr_shown(cancel) is None and cancel.get_content_type() == "multipart/mixed"
    # The code a phone reads from the email checks the resident in, as the slip's does.
    svc, session = service_at(db, FixedClock(at(26, 13, 50)))
    ticket = svc.check_in(qr_shown(sent(f"oss-{kept.id}-rem")) or "")
    assert svc.find(kept.ref).ticket_id == ticket.id
    session.close()


@pytest.mark.parametrize("answer", ["500", "timeout"])
def test_worker_once_keeps_the_notify_librarys_log_lines_off_stderr(
    tmp_path: Path, notify: NotifyServer, answer: str
) -> None:
    """A fault hunt: `worker --once` printed the Notify client library's raw lines ("API POST
    request on http://... failed with 503 'Request failed'", after a timeout Notify never
    answered 503) before its summary. Its summary alone is on stderr now."""
    db = notify_office(tmp_path, notify)
    appointment_id = book_text(db)
    notify.state.script = [answer]
    env = {**_env(db), "OSS_DESK_NOW": "2026-11-23T10:01:00Z"}
    done = subprocess.run(
        [sys.executable, "-m", "oss_desk", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert message_row(db, appointment_id)[:2] == ("pending", 1)  # it was tried
    assert "API POST request" not in done.stderr and "failed with" not in done.stderr
    assert done.stderr == "", done.stderr
    assert "messages sent 0, to retry 1" in done.stdout
