"""What becomes of an appointment's message that has not gone: due and never delivered, it has
failed (alerted until someone acknowledges it), whatever happened to the booking afterwards; a
booking that changed before the message mattered no longer needs it, and nothing says the
council cancelled it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .appointments_site import make_office
from .conftest import Cli, rows
from .messaging import SmtpServer
from .test_delivery_messages import db_extra

BOOKED = "2026-11-24T10:20:00Z"  # Tuesday, no device worker running
STARTS = "2026-11-24T11:00:00+00:00"


def booked(
    tmp_path: Path,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    at: str = BOOKED,
    extra: str = "",
) -> tuple[Cli, str]:
    db = make_office(tmp_path, smtp_url=smtp.url)
    if extra:
        db_extra(db, extra)
    cli = Cli(db, monkeypatch)
    made = cli(
        "--user", "mg", "appointment", "book", "--service", "C", "--start", STARTS,
        "--channel", "email", "--email", "third@example.test", "--json", now=at,
    )  # fmt: skip
    assert made.code == 0, made.err
    return cli, str(made.json()["ref"])


def progress(cli: Cli, ref: str, now: str) -> str:
    shown = cli("appointment", "show", ref, now=now)
    assert shown.code == 0, shown.err
    (line,) = [x for x in shown.out.splitlines() if "confirmation by email:" in x]
    return line


def test_a_confirmation_never_sent_before_the_appointment_has_failed_after_the_no_show(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, ref = booked(tmp_path, smtp, monkeypatch)
    late = cli("alerts", "list", "--json", now="2026-11-24T10:40:00Z").json()
    assert [(a["kind"], a["alert"]) for a in late] == [("confirmation", "late")]
    # The worker comes back after the appointment: the round marks the no-show too.
    round_ = cli("worker", "--once", now="2026-11-24T11:30:00Z")
    assert round_.code == 0, round_.err
    assert rows(cli.db, "SELECT status FROM appointments") == [("no_show",)]
    assert rows(cli.db, "SELECT kind, status FROM messages") == [("confirmation", "failed")]
    assert smtp.mailbox.messages == []  # too late to be of use: not sent now
    listed = cli("alerts", "list", "--json", now="2026-11-24T11:31:00Z").json()
    assert [(a["kind"], a["alert"], a["appointment_ref"]) for a in listed] == [
        ("confirmation", "failed", ref)
    ]
    line = progress(cli, ref, "2026-11-24T11:31:00Z")
    assert "failed" in line and "not delivered before the appointment" in line, line
    assert "cancelled" not in line
    assert cli("--user", "tl", "alerts", "ack", "--all", now="2026-11-24T11:32:00Z").code == 0
    assert cli("alerts", "list", "--json", now="2026-11-24T11:33:00Z").json() == []


def test_marked_a_no_show_before_the_worker_returns_the_confirmation_still_failed(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, ref = booked(tmp_path, smtp, monkeypatch)
    marked = cli("--user", "tl", "appointment", "no-show", ref, now="2026-11-24T11:20:00Z")
    assert marked.code == 0, marked.err
    assert rows(cli.db, "SELECT kind, status FROM messages") == [("confirmation", "failed")]
    listed = cli("alerts", "list", "--json", now="2026-11-24T11:21:00Z").json()
    assert [(a["kind"], a["alert"]) for a in listed] == [("confirmation", "failed")]
    events = rows(cli.db, "SELECT data FROM events WHERE kind = 'reminder_failed'")
    assert len(events) == 1 and "not delivered before the appointment" in str(events[0][0])


def test_cancelled_before_it_mattered_it_is_not_needed_and_nobody_is_alerted(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, ref = booked(tmp_path, smtp, monkeypatch)
    gone = cli("appointment", "cancel", ref, "--by", "resident", now="2026-11-24T10:25:00Z")
    assert gone.code == 0, gone.err
    assert cli("worker", "--once", now="2026-11-24T11:30:00Z").code == 0
    statuses = dict(rows(cli.db, "SELECT kind, status FROM messages"))
    assert statuses["confirmation"] == "cancelled"
    assert [
        a["kind"] for a in cli("alerts", "list", "--json", now="2026-11-24T11:31:00Z").json()
    ] in (
        [],
        ["cancellation"],
    )
    line = progress(cli, ref, "2026-11-24T11:31:00Z")
    assert "not sent, no longer needed: the appointment was cancelled" in line, line


def test_checked_in_early_the_reminder_is_not_needed_after_the_start(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminder = '[appointments]\nreminders = ["1 hours before"]\n'
    cli, ref = booked(tmp_path, smtp, monkeypatch, at="2026-11-23T07:00:00Z", extra=reminder)
    assert cli("worker", "--once", now="2026-11-23T07:01:00Z").code == 0  # confirmation sent
    # The worker is down when the reminder falls due (10:00); the resident comes at 10:30.
    came = cli("--user", "mg", "appointment", "check-in", ref, now="2026-11-24T10:30:00Z")
    assert came.code == 0, came.err
    assert cli("worker", "--once", now="2026-11-24T11:05:00Z").code == 0
    unsent = rows(cli.db, "SELECT kind, status, last_error FROM messages WHERE status != 'sent'")
    assert unsent == [("reminder", "cancelled", "the resident came")], unsent
    assert cli("alerts", "list", "--json", now="2026-11-24T11:06:00Z").json() == []


def test_a_late_confirmation_covers_the_reminder_already_due(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker is down from the booking (the evening before, 21:00) until after the reminder
    fell due (10:00):
    its round at 10:15 sends the confirmation, which says all the reminder would (the checklist
    too), and settles the reminder as covered by it; the resident gets one email, not two in the
    same second (faults 17, P5). `appointment show` says why the reminder was not sent."""
    reminder = '[appointments]\nreminders = ["1 hours before"]\n'
    cli, ref = booked(tmp_path, smtp, monkeypatch, at="2026-11-23T21:00:00Z", extra=reminder)
    ran = cli("worker", "--once", "--json", now="2026-11-24T10:15:00Z")
    assert ran.code == 0, ran.err
    assert (ran.json()["messages_sent"], ran.json()["messages_failed"]) == (1, 0)
    (mail,) = smtp.mailbox.messages
    assert "Your bill" in str(mail) and "Photo ID" in str(mail)  # what to bring: said once
    assert rows(cli.db, "SELECT kind, status FROM messages ORDER BY id") == [
        ("confirmation", "sent"),
        ("reminder", "cancelled"),
    ]
    shown = cli("appointment", "show", ref, now="2026-11-24T10:16:00Z")
    (line,) = [x for x in shown.out.splitlines() if "reminder by email:" in x]
    assert (
        "not sent, no longer needed: the confirmation went out when this reminder was due or "
        "shortly before, and said all it would have" in line
    ), line
    assert cli("alerts", "list", "--json", now="2026-11-24T10:16:00Z").json() == []
    # A worker on time, the booking made three hours before the reminder: the confirmation
    # says it all, and the reminder would be the same message again (trial 12, C7).
    (tmp_path / "b").mkdir()
    cli2, _ = booked(tmp_path / "b", smtp, monkeypatch, at="2026-11-24T07:00:00Z", extra=reminder)
    assert cli2("worker", "--once", now="2026-11-24T07:01:00Z").code == 0
    assert cli2("worker", "--once", now="2026-11-24T10:01:00Z").code == 0
    assert rows(cli2.db, "SELECT kind, status FROM messages ORDER BY id") == [
        ("confirmation", "sent"),
    ]
    assert len(smtp.mailbox.messages) == 2
    # Booked the day before: both, each when due.
    (tmp_path / "c").mkdir()
    cli3, _ = booked(tmp_path / "c", smtp, monkeypatch, at="2026-11-23T07:00:00Z", extra=reminder)
    assert cli3("worker", "--once", now="2026-11-23T07:01:00Z").code == 0
    assert cli3("worker", "--once", now="2026-11-24T10:01:00Z").code == 0
    assert rows(cli3.db, "SELECT kind, status FROM messages ORDER BY id") == [
        ("confirmation", "sent"),
        ("reminder", "sent"),
    ]
    assert len(smtp.mailbox.messages) == 4
