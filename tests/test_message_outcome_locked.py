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


def notes_of(db: Path, table: str) -> list[Path]:
    """The notes in place beside ``db`` for sends of ``table`` (not one still being written)."""
    found = db.parent.glob(f"{db.name}.accepted.{table}.*")
    return [path for path in found if not path.name.endswith(".tmp")]


def locked_until_noted(db: Path, table: str, noted: list[bool]) -> Callable[[], None]:
    """Another process's hold on the database (``BEGIN IMMEDIATE``) from the moment it is
    called until the send's note is beside it (the worker's write of its outcome refused), at
    most a minute: whether the note came is appended to ``noted``. A condition, not a length
    of time, so that on a loaded machine the refusal is neither missed nor waited for long."""

    def hold() -> None:
        blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")

        def release() -> None:
            deadline = time.monotonic() + 60
            while not notes_of(db, table) and time.monotonic() < deadline:
                time.sleep(0.02)
            noted.append(bool(notes_of(db, table)))
            blocker.execute("ROLLBACK")
            blocker.close()

        threading.Thread(target=release, daemon=True).start()

    return hold


QUICK_BUSY = "0.3"
"""The busy timeout of the worker passes that meet the held database (:func:`oss_desk_quick`):
a write waits at most 0.3 s for the lock (0.6 s with its turn), and the provider's state and
then the message's outcome are each refused in under a second of the hold."""
QUICK_PAUSE = """
import sys
from oss_desk.domain import worker_faults
worker_faults.RESTART_SECONDS = 1.0
from oss_desk.cli import main
main(sys.argv[1:])
"""
"""``oss-desk ARGS`` whose lanes, after a fault of the database, first pause 1 s before they
write or open it again (in service 2 s: :func:`oss_desk.domain.worker_faults.database_pause`):
the same writes refused and taken, sooner."""
HELD = 1.5
"""How long another process holds the database as the provider answers, for a worker at
:data:`QUICK_BUSY` and :data:`QUICK_PAUSE`: past the wait of its first writes (0.6 s, with 0.9 s
to spare on a loaded machine), so the outcome's first write is refused and noted; over before
the lane writes it again after its 1 s pause (1.6 s in), which is taken."""


def oss_desk(
    db: Path, *args: str, minutes: int = 0, now: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``oss-desk ARGS`` in a process of its own, its writes waiting at most 1 s for a lock (2 s
    in all, with its turn), at ``now`` (default: ``minutes`` after NOW)."""
    return _oss_desk(db, args, "1", now or format_instant(NOW + timedelta(minutes=minutes)), "")


def oss_desk_quick(
    db: Path, *args: str, now: str | None = None
) -> subprocess.CompletedProcess[str]:
    """:func:`oss_desk` with its writes waiting at most :data:`QUICK_BUSY` for a lock and its
    lanes' first pause after a fault 1 s (:data:`QUICK_PAUSE`): a hold of :data:`HELD` refuses
    its first writes (at NOW where ``now`` is None)."""
    return _oss_desk(db, args, QUICK_BUSY, now or format_instant(NOW), QUICK_PAUSE)


def _oss_desk(
    db: Path, args: tuple[str, ...], busy: str, now: str, script: str
) -> subprocess.CompletedProcess[str]:
    """``oss-desk ARGS`` in a process of its own (``script``: Python that runs the entry point
    with its arguments, instead of ``-m oss_desk``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": now, "OSS_DESK_BUSY_TIMEOUT": busy}
    entry = ["-c", script] if script else ["-m", "oss_desk"]
    return subprocess.run(
        [sys.executable, *entry, *args],
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
    """The running worker (``oss-desk worker``, its writes waiting at most :data:`QUICK_BUSY`
    for a lock, its lanes' first pause after a fault 1 s: :data:`QUICK_PAUSE`) at ``now`` until
    ``done`` (at most a minute), then stopped (SIGTERM); what it logged."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": now, "OSS_DESK_BUSY_TIMEOUT": QUICK_BUSY}
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-c", QUICK_PAUSE, "worker"], env=env, stdout=out, stderr=out
        )
    try:
        until(done)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
    return log.read_text()


@pytest.mark.parametrize("held", [HELD, 4.5])
def test_an_email_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, smtp: SmtpServer, held: float
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    # The server has the message and answers 250 while another process holds the database
    # longer than the worker's writes wait (the mail server's state, then the outcome, each
    # refused after the busy timeout), so its outcome's first write is refused. HELD (0.3 s:
    # refused 0.6 s in): the hold ends before the lane writes it again after its pause (1 s,
    # QUICK_PAUSE); 4.5 s (1 s: refused 2 s in): as the lane's second write, after its 2 s
    # pause, is waiting for the lock.
    # HELD: held until the send is noted (its first write refused), at most a minute.
    noted: list[bool] = []
    quick = held == HELD
    hold = locked_until_noted(db, "messages", noted) if quick else locked_for(db, held)
    smtp.mailbox.before_reply = hold
    first = (oss_desk_quick if quick else oss_desk)(db, "worker", "--once")
    assert first.returncode == 0, first.stderr
    assert noted == ([True] if quick else []), first.stderr
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
    smtp.mailbox.before_reply = locked_for(db, HELD)
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


def recorded_sent_then_not_again(
    db: Path, table: str, first_at: str, later_at: str, noted: list[bool]
) -> None:
    """The worker's pass at ``first_at`` records the message of ``table`` sent (the database
    locked while the provider accepted it, until its first write was refused and the send
    noted: ``noted``, from :func:`locked_until_noted`); its pass at ``later_at`` finds nothing
    to send."""
    first = oss_desk_quick(db, "worker", "--once", now=first_at)
    assert first.returncode == 0, first.stderr
    assert noted == [True], first.stderr
    assert rows(db, f"SELECT status, last_error FROM {table}") == [("sent", None)]
    again = oss_desk_here(db, "worker", "--once", now=later_at)
    assert again.returncode == 0, again.stderr


def test_a_report_email_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = office(tmp_path, smtp.url)
    sent = Cli(db, monkeypatch)("report", "send", "daily", "--date", "2026-11-23", now=EVENING)
    assert sent.code == 0, sent.err
    noted: list[bool] = []
    smtp.mailbox.before_reply = locked_until_noted(db, "report_mails", noted)
    recorded_sent_then_not_again(db, "report_mails", EVENING, "2026-11-23T18:00:00Z", noted)
    assert len(smtp.mailbox.messages) == 1


def test_a_referral_email_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail = f'[email]\nsmtp_url = "{smtp.url}"\nfrom_address = "desk@test.example"\n'
    db = make_followups_office(tmp_path, extra=mail)
    refer(Cli(db, monkeypatch), "--send-by", "email", "--email", "resident@example.org")
    noted: list[bool] = []
    smtp.mailbox.before_reply = locked_until_noted(db, "followup_messages", noted)
    # After its lease would have run out (15 minutes): nothing left mid-send to go again.
    recorded_sent_then_not_again(db, "followup_messages", REFERRED, "2026-11-23T10:30:00Z", noted)
    assert len(smtp.mailbox.messages) == 1
