"""A message the mail server accepted while another process held the database: recorded "sent"
once the database takes it, never "failed" for the lock and never sent a second time."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant

from .appointments_site import NOW, make_office, service_at
from .cli_here import run_cli_here
from .conftest import Cli
from .followups_site import make_office as make_followups_office
from .messaging import SmtpServer
from .test_followup_messages import NOW as REFERRED
from .test_followup_messages import refer
from .test_messages import at, rows
from .test_report_send import MONDAY_EVENING as EVENING
from .test_report_send import office


def locked_for(db: Path, seconds: float) -> Callable[[], None]:
    """Another process's hold on the database (``BEGIN IMMEDIATE``) for ``seconds``, from the
    moment it is called."""

    def hold() -> None:
        blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")

        def release() -> None:
            blocker.execute("ROLLBACK")
            blocker.close()

        threading.Timer(seconds, release).start()

    return hold


def oss_desk(
    db: Path, *args: str, minutes: int = 0, now: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``oss-desk ARGS`` in a process of its own, its writes waiting at most 1 s for a lock (2 s
    in all, with its turn), at ``now`` (default: ``minutes`` after NOW)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {
        "OSS_DESK_DB": str(db),
        "OSS_DESK_NOW": now or format_instant(NOW + timedelta(minutes=minutes)),
        "OSS_DESK_BUSY_TIMEOUT": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "oss_desk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def oss_desk_here(
    db: Path, *args: str, minutes: int = 0, now: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``oss-desk ARGS`` as :func:`oss_desk` runs it, with the same environment, but through the
    entry point in the test's own process (tests/cli_here.py: no second start-up of Python and
    oss-desk). For the passes where no other process holds the database and no signal is sent:
    what they prove is their output and their effect on the database, not the process."""
    env = {
        "OSS_DESK_DB": str(db),
        "OSS_DESK_NOW": now or format_instant(NOW + timedelta(minutes=minutes)),
        "OSS_DESK_BUSY_TIMEOUT": "1",
    }
    return run_cli_here(*args, env=env)


def until(done: Callable[[], bool], seconds: float = 60) -> None:
    """Poll ``done`` until it is true or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.2)


def run_worker(db: Path, log: Path, now: str, done: Callable[[], bool]) -> str:
    """The running worker (``oss-desk worker``, its writes waiting at most 1 s for a lock) at
    ``now`` until ``done`` (at most a minute), then stopped (SIGTERM); what it logged."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": now, "OSS_DESK_BUSY_TIMEOUT": "1"}
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"], env=env, stdout=out, stderr=out
        )
    try:
        until(done)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
    return log.read_text()


@pytest.mark.parametrize("held", [2.6, 4.5])
def test_an_email_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, smtp: SmtpServer, held: float
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    # The server has the message and answers 250 while another process holds the database
    # longer than the worker's writes wait (2.6 s: its outcome's first write is refused; 4.5 s:
    # its second too).
    smtp.mailbox.before_reply = locked_for(db, held)
    first = oss_desk(db, "worker", "--once")
    assert first.returncode == 0, first.stderr
    assert rows(db, "SELECT status, last_error FROM messages WHERE kind = 'confirmation'") == [
        ("sent", None)
    ]
    # A later pass (a restart) finds nothing left mid-send: the resident has it once.
    again = oss_desk_here(db, "worker", "--once", minutes=5)
    assert again.returncode == 0, again.stderr
    assert len(smtp.mailbox.messages) == 1
    # The mail server's state, found as the database was locked, is kept and written with the
    # outcome: doctor says what the worker found (it said "not tried yet (unknown)").
    doctor = oss_desk_here(db, "doctor", minutes=5).stdout
    (email,) = [line for line in doctor.splitlines() if line[6:].startswith("email smtp ")]
    assert email.endswith("; the worker last found: ok"), doctor
    alerts = oss_desk_here(db, "alerts", "list", minutes=5)
    assert alerts.returncode == 0, alerts.stderr
    assert "failed" not in alerts.stdout and "try again" not in alerts.stdout, alerts.stdout
    assert str(db) not in alerts.stdout


def test_the_running_worker_records_it_sent_once_the_database_takes_it(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    smtp.mailbox.before_reply = locked_for(db, 4.5)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    confirmation = "SELECT status, last_error FROM messages WHERE kind = 'confirmation'"
    said = run_worker(
        db,
        tmp_path / "worker.log",
        format_instant(NOW),
        lambda: rows(db, confirmation) == [("sent", None)],
    )
    assert rows(db, confirmation) == [("sent", None)], said
    assert "message 1: sent, not recorded yet" in said
    assert "failed" not in said
    assert len(smtp.mailbox.messages) == 1


def recorded_sent_then_not_again(db: Path, table: str, first_at: str, later_at: str) -> None:
    """The worker's pass at ``first_at`` records the message of ``table`` sent (the database
    locked while the provider accepted it); its pass at ``later_at`` finds nothing to send."""
    first = oss_desk(db, "worker", "--once", now=first_at)
    assert first.returncode == 0, first.stderr
    assert rows(db, f"SELECT status, last_error FROM {table}") == [("sent", None)]
    again = oss_desk_here(db, "worker", "--once", now=later_at)
    assert again.returncode == 0, again.stderr


def test_a_report_email_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = office(tmp_path, smtp.url)
    sent = Cli(db, monkeypatch)("report", "send", "daily", "--date", "2026-11-23", now=EVENING)
    assert sent.code == 0, sent.err
    smtp.mailbox.before_reply = locked_for(db, 4.5)
    recorded_sent_then_not_again(db, "report_mails", EVENING, "2026-11-23T18:00:00Z")
    assert len(smtp.mailbox.messages) == 1


def test_a_referral_email_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail = f'[email]\nsmtp_url = "{smtp.url}"\nfrom_address = "desk@test.example"\n'
    db = make_followups_office(tmp_path, extra=mail)
    refer(Cli(db, monkeypatch), "--send-by", "email", "--email", "resident@example.org")
    smtp.mailbox.before_reply = locked_for(db, 4.5)
    # After its lease would have run out (15 minutes): nothing left mid-send to go again.
    recorded_sent_then_not_again(db, "followup_messages", REFERRED, "2026-11-23T10:30:00Z")
    assert len(smtp.mailbox.messages) == 1
