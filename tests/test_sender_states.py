"""The mail server and Notify as the worker last found them, said to the team leader (their
status line, ``alerts list``, ``doctor``), the way a printer's state is: "Email: cannot reach
the mail server (connection refused) since 10:00 (1 waiting)"; unknown until a try, never ok
(team leader's trial, part B, finding 1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.send_faults import NOT_TRIED, sender_words
from oss_desk.services.desk_view import take_snapshot
from oss_desk.services.session import open_session
from oss_desk.storage.lease import WorkerLock

from .appointments_site import NOW, make_office, service_at
from .conftest import Cli
from .messaging import NotifyServer, SmtpServer, free_port
from .test_delivery_handover import own_devices
from .test_messages import at, book_text, deliver, notify_office


@pytest.fixture
def worker_runs() -> Iterator[Callable[[Path], None]]:
    """This process owns the devices of an office's database (its lease and heartbeat), as a
    running worker does."""
    held: list[WorkerLock] = []
    yield lambda db: held.append(own_devices(db, "test-worker"))
    for lock in held:
        lock.release()


def leader_senders(db: Path, at: datetime = NOW) -> tuple[tuple[str, str, bool], ...]:
    """What the team leader's snapshot says of the senders at ``at``: (label, text, fault)."""
    session = open_session(db=db, clock=FixedClock(at), person="tl", desk_id="greet-1")
    try:
        snap = take_snapshot(session, figures=True)
    finally:
        session.close()
    return tuple((label, words.text, words.fault) for label, words in snap.senders)


def said(db: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    result = Cli(db, monkeypatch)(*args, now=format_instant(NOW + timedelta(minutes=5)))
    assert result.code in (0, 1), result.err
    return result.out.splitlines()


def assert_only_noted(db: Path, monkeypatch: pytest.MonkeyPatch, state: str) -> None:
    """`alerts list` has no alert, and notes the mail server's ``state``; with --json the list
    stays alerts only (nothing to acknowledge here) and the note goes to stderr."""
    assert said(db, monkeypatch, "alerts", "list") == [
        "No alerts: every message was delivered or is on time.",
        f"Note: Email: {state}",
    ]
    noted = Cli(db, monkeypatch)("alerts", "list", "--json", now=format_instant(NOW))
    assert (noted.json(), noted.err) == ([], f"Note: Email: {state}\n")


def test_a_mail_server_down_is_said_from_the_workers_tries_until_it_takes_mail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, worker_runs: Callable[[Path], None]
) -> None:
    port = free_port()  # nothing listens there yet: the mail server is down
    db = make_office(tmp_path, smtp_url=f"smtp://127.0.0.1:{port}?starttls=off")
    worker_runs(db)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    # Before any try it is not known: doctor says so, and nothing calls it ok.
    (email,) = [line for line in said(db, monkeypatch, "doctor") if " email " in line]
    assert email.endswith(f"the worker last found: {NOT_TRIED}"), email
    assert leader_senders(db) == ()

    assert deliver(db, NOW) == (0, 0)  # tried: refused, to be tried again
    down = "cannot reach the mail server (connection refused) since 10:00 (1 waiting)"
    assert leader_senders(db) == (("Email", down, True),)
    assert_only_noted(db, monkeypatch, down)  # a note, not an alert: no deadline at risk yet
    (email,) = [line for line in said(db, monkeypatch, "doctor") if " email " in line]
    assert email.endswith(f"the worker last found: {down}"), email
    # A later try that finds it the same keeps the time it was first found so.
    assert deliver(db, NOW + timedelta(minutes=20)) == (0, 0)
    assert leader_senders(db) == (("Email", down, True),)
    # Still so the next day: the day is said with the time.
    assert leader_senders(db, NOW + timedelta(days=1)) == (
        ("Email", down.replace("since 10:00", "since Mon 23 Nov 10:00"), True),
    )

    server = SmtpServer(port)  # back up
    try:
        assert deliver(db, NOW + timedelta(hours=2)) == (1, 0)
    finally:
        server.stop()
    assert len(server.mailbox.messages) == 1
    # Sent, nothing waiting: nothing on the status line, no note; doctor says ok.
    assert leader_senders(db) == ()
    assert said(db, monkeypatch, "alerts", "list") == [
        "No alerts: every message was delivered or is on time."
    ]
    (email,) = [line for line in said(db, monkeypatch, "doctor") if " email " in line]
    assert email.endswith("the worker last found: ok"), email


def test_with_no_worker_running_the_waiting_messages_are_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, smtp_url=f"smtp://127.0.0.1:{free_port()}?starttls=off")
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    assert deliver(db, NOW) == (0, 0)
    # Nobody is trying now: what the last try found is not claimed as the state now.
    gone = "no device worker running (1 waiting)"
    assert leader_senders(db) == (("Email", gone, True),)
    assert_only_noted(db, monkeypatch, gone)


def test_notify_unreachable_is_said_with_its_own_label(
    tmp_path: Path, notify: NotifyServer, worker_runs: Callable[[Path], None]
) -> None:
    db = notify_office(tmp_path, notify)
    worker_runs(db)
    book_text(db)
    notify.stop()  # Notify cannot be reached
    assert deliver(db, NOW) == (0, 0)
    ((label, text, fault),) = leader_senders(db)
    assert (label, fault) == ("Notify", True)
    assert text == "cannot reach Notify (connection refused) since 10:00 (1 waiting)", text


def test_a_senders_words() -> None:
    assert sender_words(None, None, None, 0).text == NOT_TRIED
    assert not sender_words(None, None, None, 2).fault  # unknown: not called a fault, nor ok
    assert sender_words("ok", None, None, 0).text == "ok"
    words = sender_words("retrying", "cannot reach the mail server (timed out)", "01:13", 2)
    assert words.text == "cannot reach the mail server (timed out) since 01:13 (2 waiting)"
    assert words.short == "cannot reach the mail server since 01:13 (2 waiting)"
    assert words.least == "not sending, 2"
    assert words.fault and words.worth_saying
    # The time goes with the fault, never read as part of a clause after it.
    maybe = sender_words("uncertain", "Notify failed (500): it may have reached Notify", "02:28", 1)
    assert maybe.text == "Notify failed (500) since 02:28: it may have reached Notify (1 waiting)"
    assert maybe.short == "Notify failed since 02:28 (1 waiting)"
    # A fault with nothing waiting holds nothing up: not on the status line.
    assert not sender_words("retrying", "cannot reach Notify", "01:13", 0).worth_saying


def test_a_state_that_cannot_be_kept_never_changes_the_sends_outcome(
    tmp_path: Path, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The mail server took the message: it is sent, whatever happens to keeping its state
    (an exception from there would have the lane try it again, and the resident get two)."""
    from oss_desk.config_delivery import EmailSettings
    from oss_desk.services.messages import Composed
    from oss_desk.services.sender_states import recorder
    from oss_desk.services.senders import SmtpSender

    db = make_office(tmp_path, smtp_url=smtp.url)
    session = open_session(db=db, clock=FixedClock(NOW), person="worker")
    found = recorder(session, "smtp")
    session.close()  # its database cannot be written through it now
    sender = SmtpSender(EmailSettings.model_validate({"smtp_url": smtp.url}), found=found)
    message = Composed("Hello", "Hello", "Hello", "Hello", None)
    assert sender.send("resident@example.org", message, "ref-1") == "<ref-1@localhost>"
    assert len(smtp.mailbox.messages) == 1
    assert "smtp: its state (ok) not recorded" in caplog.text
