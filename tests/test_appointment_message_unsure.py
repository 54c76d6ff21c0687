"""An appointment message (confirmation, reminder, change, cancellation) no longer needed after
a try that may have reached the provider is never recorded "cancelled" (certainly not sent)
on a guess: as turn texts are, it is looked up at Notify first, when its turn comes after the
look-up wait. Found: it was sent; not found: cancelled; Notify not answering the look-up: it
"may have been sent", recorded and said so by ``appointment show``. By email (no look-up at
a mail server) a message the server may have accepted is said to have maybe been sent. Against
a loopback Notify and a loopback SMTP server (tests/messaging.py), with the real device
worker's passes on a fixed clock, and the booking changed by the command line in between."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.sending import look_up_wait
from oss_desk.services.session import open_session
from oss_desk.worker.rounds import WorkerReport
from oss_desk.worker.run import DeviceWorker

from .appointments_site import NOW, make_office, service_at
from .conftest import Cli, rows
from .messaging import API_KEY, NotifyServer, SmtpServer
from .test_delivery_messages import db_extra
from .test_notify_uncertain import gets, posts, slow_office
from .test_turn_texts import PHONES

WAIT = look_up_wait(3.0)  # slow_office: notify.timeout = 3


def worker_pass(db: Path, clock: FixedClock) -> WorkerReport:
    """One pass of the real device worker (``worker --once``) at the clock's time."""
    return DeviceWorker(lambda: open_session(db=db, clock=clock, person="worker")).run_once()


def confirmation(db: Path) -> tuple[str, str, str | None]:
    ((reference, status, error),) = rows(
        db, "SELECT reference, status, last_error FROM messages WHERE kind = 'confirmation'"
    )
    return str(reference), str(status), error


def show_line(cli: Cli, ref: str, kind: str, now: str) -> str:
    shown = cli("appointment", "show", ref, now=now)
    assert shown.code == 0, shown.err
    (line,) = [x for x in shown.out.splitlines() if x.startswith(f"  {kind} by ")]
    return line


def looking_up(cli: Cli, ref: str, now: str) -> str | None:
    """What ``appointment show --json`` says of the confirmation waiting for its look-up."""
    shown = cli("appointment", "show", ref, "--json", now=now).json()
    (message,) = [m for m in shown["messages"] if m["kind"] == "confirmation"]
    said: str | None = message["looking_up"]
    return said


def due(line: str) -> str:
    """The due time a text line of ``appointment show`` ends with ("... (due Mon 23 Nov 10:00)")."""
    return line.rsplit("(due ", 1)[1].rstrip(")")


@pytest.mark.parametrize(
    ("change", "mode", "look_up", "recorded"),
    [
        ("cancel", "slow", "200", "sent"),
        ("cancel", "lost", "200", "cancelled"),
        ("cancel", "lost", "500", "uncertain"),
        ("move", "slow", "200", "sent"),
    ],
)
def test_a_confirmation_dropped_after_an_unanswered_try_is_looked_up_first(
    tmp_path: Path,
    notify: NotifyServer,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
    mode: str,
    look_up: str,
    recorded: str,
) -> None:
    """The confirmation's request goes to Notify, which does not answer within the timeout;
    the resident then cancels (or the council moves the booking) from the command line. The
    change does not settle the confirmation as "not sent" then (it did: recorded cancelled
    while the resident had it); the worker, once the look-up wait is over, asks Notify and
    records what it says, and never sends it again."""
    db = slow_office(tmp_path, notify)
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock)
    appt = svc.book("C", NOW + timedelta(days=3), channel="text", phone=PHONES["bob"], name="Bob")
    session.close()
    notify.state.script = [mode]
    assert worker_pass(db, clock).messages_retried == 1  # no answer within 3 s
    reference, status, _ = confirmation(db)
    assert status == "pending"
    notify.state.release.set()
    notify.state.wait_for(f"{'ACCEPTED' if mode == 'slow' else 'LOST'} ref={reference}")
    cli = Cli(db, monkeypatch)
    at = NOW + timedelta(seconds=5)
    if change == "cancel":
        done = cli("--user", "tl", "appointment", "cancel", appt.ref, "--by", "resident",
                   now=at.isoformat())  # fmt: skip
    else:
        new = (NOW + timedelta(days=4)).isoformat()
        done = cli("--user", "tl", "appointment", "move", appt.ref, "--start", new,
                   "--by", "council", now=at.isoformat())  # fmt: skip
    assert done.code == 0, done.err
    assert confirmation(db)[1] == "pending"  # not settled on a guess
    waiting = show_line(cli, appt.ref, "confirmation", at.isoformat())
    assert "may have reached the resident" in waiting and "Notify is asked" in waiting, waiting
    assert waiting.endswith(f"{looking_up(cli, appt.ref, at.isoformat())} (due {due(waiting)})")
    notify.state.look_up_script = [look_up]
    clock.set(NOW + timedelta(seconds=WAIT + 1))
    worker_pass(db, clock)
    _, status, error = confirmation(db)
    assert status == recorded, error
    assert len(posts(notify, reference)) == 1  # never sent again
    found = "failed=500" if look_up == "500" else f"found={int(mode == 'slow')}"
    assert gets(notify, reference) == [f"GET ref={reference} {found}"]
    later = (NOW + timedelta(minutes=10)).isoformat()
    line = show_line(cli, appt.ref, "confirmation", later)
    assert looking_up(cli, appt.ref, later) is None  # settled: nothing waits for a look-up
    if recorded == "sent":
        assert "confirmation by text: sent " in line, line
    elif recorded == "cancelled":
        assert "not sent, no longer needed" in line, line
    else:
        assert "may have been sent" in line and "could not be asked" in line, line
        assert "not sent" not in line, line
    assert rows(db, "SELECT count(*) FROM events WHERE kind = 'reminder_sent'") == [
        (int(recorded == "sent") + int(change == "cancel") + int(change == "move"),)
    ]


def test_an_email_the_mail_server_may_have_accepted_is_never_said_not_sent(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mail server took the confirmation's DATA and did not answer in time; the booking is
    then cancelled. A mail server cannot be asked what became of a message: it may have been
    sent, and is recorded and said so (it was recorded cancelled)."""
    smtp.mailbox.data_delay = 1.5
    db = make_office(tmp_path, smtp_url=smtp.url)
    db_extra(db, "[email]\nreply_timeout = 0.5\ndata_timeout = 0.5\n")
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock)
    appt = svc.book("C", NOW + timedelta(days=3), channel="email", email="r@example.org")
    session.close()
    assert worker_pass(db, clock).messages_retried == 1
    assert rows(db, "SELECT kind, status, unconfirmed FROM messages ORDER BY id") == [
        ("confirmation", "pending", 1),
        ("reminder", "pending", 0),
    ]
    smtp.mailbox.data_delay = 0.0
    cli = Cli(db, monkeypatch)
    at = (NOW + timedelta(minutes=1)).isoformat()
    done = cli("--user", "tl", "appointment", "cancel", appt.ref, "--by", "resident", now=at)
    assert done.code == 0, done.err
    assert confirmation(db)[1] == "uncertain"
    line = show_line(cli, appt.ref, "confirmation", at)
    assert "may have been sent" in line and "mail server" in line, line
    assert "not sent" not in line, line
    clock.set(NOW + timedelta(minutes=5))
    worker_pass(db, clock)  # the cancellation notice goes; the confirmation never again
    assert len(smtp.mailbox.by_reference(confirmation(db)[0])) == 1
    shown = cli("appointment", "show", appt.ref, "--json", now=at).json()
    (first,) = [m for m in shown["messages"] if m["kind"] == "confirmation"]
    assert first["status"] == "uncertain"


def sms_posts(notify: NotifyServer, kind: str) -> list[str]:
    """Notify's POST lines for the booking's messages of ``kind`` (``con``, ``rem``)."""
    return [line for line in notify.state.log if line.startswith("POST") and f"-{kind}-" in line]


@pytest.mark.parametrize("then", ["sent", "failed"])
def test_a_reminder_never_goes_before_its_confirmation(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch, then: str
) -> None:
    """Booked on Monday at 10:00 for Thursday: the reminder falls due on Tuesday at 09:00, while
    the confirmation, refused by Notify (429) since Monday, waits for its next try. The
    reminder waits for it (it went: the resident got the reminder first, or alone). Sent then,
    the confirmation says all the reminder would have: the reminder is not sent. Failed for
    good (Notify's 400), the reminder goes, the one message the resident gets."""
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    db = make_office(tmp_path, notify_url=notify.url, key_file=str(key))
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock)
    appt = svc.book("C", NOW + timedelta(days=3), channel="text", phone=PHONES["bob"], name="Bob")
    session.close()
    due = rows(db, "SELECT due_at FROM messages WHERE kind = 'reminder'")
    assert due == [("2026-11-24T09:00:00.000Z",)]
    notify.state.script = ["429"]
    assert worker_pass(db, clock).messages_retried == 1
    tuesday = NOW + timedelta(hours=23)  # 09:00 on Tuesday
    notify.state.script = ["429"]
    clock.set(tuesday - timedelta(seconds=10))
    assert worker_pass(db, clock).messages_retried == 1  # the confirmation: next try 09:00:20
    clock.set(tuesday + timedelta(seconds=10))
    worker_pass(db, clock)
    assert sms_posts(notify, "rem") == []  # the reminder waits for the confirmation
    cli = Cli(db, monkeypatch)
    line = show_line(cli, appt.ref, "reminder", clock.now().isoformat())
    assert "waits for the confirmation" in line, line
    notify.state.script = ["201" if then == "sent" else "400"]
    clock.set(tuesday + timedelta(seconds=25))
    worker_pass(db, clock)
    assert confirmation(db)[1] == then
    clock.set(tuesday + timedelta(minutes=5))
    worker_pass(db, clock)
    ((status, error),) = rows(db, "SELECT status, last_error FROM messages WHERE kind = 'reminder'")
    if then == "sent":
        assert (status, sms_posts(notify, "rem")) == ("cancelled", []), error
        assert len(sms_posts(notify, "con")) == 3
    else:
        assert status == "sent", error
        assert len(sms_posts(notify, "rem")) == 1
