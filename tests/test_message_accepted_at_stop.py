"""An email the mail server accepted while another process holds the database, and the worker
is stopped (SIGTERM) before it can record it: noted beside the database as it stops, recorded
"sent" by the next owner, never sent a second time."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.storage.accepted_notes import note_path

from .appointments_site import NOW, make_office, service_at
from .conftest import Cli
from .followups_site import make_office as make_followups_office
from .messaging import NotifyServer, SmtpServer
from .test_followup_messages import NOW as REFERRED
from .test_followup_messages import refer
from .test_message_outcome_locked import QUICK_BUSY, oss_desk_here
from .test_messages import at, rows
from .test_text_outcome_locked import referred_by_text

CONFIRMATION = "SELECT status, last_error FROM messages WHERE kind = 'confirmation'"
QUICK_GRACE = """
import sys
from oss_desk.services import outcome_writes
outcome_writes.STOP_GRACE_SECONDS = 1.0
from oss_desk.cli import main
main(sys.argv[1:])
"""
"""``oss-desk ARGS`` whose worker, stopped, tries an outcome's write again for 1 s (in service
3 s: :data:`~oss_desk.services.outcome_writes.STOP_GRACE_SECONDS`): what the stop does is the
same, sooner."""


def booked_office(tmp_path: Path, smtp: SmtpServer) -> Path:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    return db


class Replies(Protocol):
    """A provider's fake (the mail server's mailbox, Notify's state): what it runs once it has
    a message and before it answers."""

    before_reply: Callable[[], None] | None


def stopped_while_locked(
    db: Path,
    smtp: SmtpServer | Replies,
    log: Path,
    release_after_stop: float | None,
    now: str = "",
    what: str = "messages",
) -> tuple[int, float]:
    """A running worker sends the confirmation; the database is held (``BEGIN IMMEDIATE``) from
    the moment the server accepts it; once the worker says it is waiting to record it, SIGTERM.
    The hold ends ``release_after_stop`` seconds after the signal (None: once the worker has
    exited); stopped, the worker tries the write again for 1 s (:data:`QUICK_GRACE`).
    ``smtp``: the mail server, or another provider's fake. The worker runs at ``now`` (default:
    NOW); ``what``: the table of its send (the appointment messages by default). Its exit code
    and how long it took to stop."""
    holder: list[sqlite3.Connection] = []

    def hold() -> None:
        blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        holder.append(blocker)

    def release() -> None:
        holder[0].execute("ROLLBACK")
        holder[0].close()

    server = smtp.mailbox if isinstance(smtp, SmtpServer) else smtp
    server.before_reply = hold
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": now or format_instant(NOW)}
    env["OSS_DESK_BUSY_TIMEOUT"] = QUICK_BUSY  # its writes refused 0.6 s into the hold
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-c", QUICK_GRACE, "worker"], env=env, stdout=out, stderr=out
        )
    timer = None
    try:
        deadline = time.monotonic() + 60
        while "not recorded yet" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        said = log.read_text()
        assert what != "messages" or "message 1: sent, not recorded yet" in said, said
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        if release_after_stop is not None:
            timer = threading.Timer(release_after_stop, release)
            timer.start()
        code = worker.wait(60)
        took = time.monotonic() - started
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if timer is not None:
            timer.join()
        elif holder:
            release()
        server.before_reply = None
    return code, took


def test_an_accepted_email_left_unrecorded_as_the_worker_stops_is_never_sent_again(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    db = booked_office(tmp_path, smtp)
    log = tmp_path / "worker.log"
    code, took = stopped_while_locked(db, smtp, log, release_after_stop=None)
    said = log.read_text()
    assert code == 0, said
    assert took < 10, said  # inside the worker's own stop budget for its lanes
    assert "message 1: sent and not recorded yet: noted beside the database" in said, said
    assert note_path(db, "messages", 1).exists()
    assert rows(db, "SELECT status FROM messages WHERE kind = 'confirmation'") == [("sending",)]
    # doctor says what waits beside the database, and that the next worker records it.
    (line,) = [x for x in oss_desk_here(db, "doctor").stdout.splitlines() if "sends noted" in x]
    assert line.startswith("warn  sends noted: 1 send the provider accepted while the database")
    assert "the next worker records it sent, never sends it again" in line, line
    # The next owner, long after the lease ran out, records it sent and sends nothing; its
    # pass counts it sent, as any other (it said "messages sent 0").
    again = oss_desk_here(db, "worker", "--once", "--json", minutes=20)
    assert again.returncode == 0, again.stderr
    assert rows(db, CONFIRMATION) == [("sent", None)], again.stderr
    assert json.loads(again.stdout)["messages_sent"] == 1, again.stdout
    assert len(smtp.mailbox.messages) == 1
    assert not note_path(db, "messages", 1).exists()
    assert "sends noted" not in oss_desk_here(db, "doctor", minutes=20).stdout
    later = oss_desk_here(db, "worker", "--once", minutes=40)
    assert later.returncode == 0, later.stderr
    assert len(smtp.mailbox.messages) == 1
    # A note whose message is recorded already (its worker ended before removing it) is named
    # as left over, not as waiting.
    note_path(db, "messages", 1).write_text('{"status": "sent"}')
    said = oss_desk_here(db, "doctor", minutes=40).stdout
    left = (
        "ok    sends noted: 1 note left over, of sends recorded already or no longer in their "
        "rows (the next worker to start removes it; they can be deleted)"
    )
    assert f"{left}: {note_path(db, 'messages', 1).name}" in said, said


def test_the_stopping_worker_records_it_itself_when_the_database_frees_in_time(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    db = booked_office(tmp_path, smtp)
    log = tmp_path / "worker.log"
    code, _ = stopped_while_locked(db, smtp, log, release_after_stop=0.5)  # inside its 1 s
    said = log.read_text()
    assert code == 0, said
    assert rows(db, CONFIRMATION) == [("sent", None)], said
    assert not note_path(db, "messages", 1).exists()  # recorded: no note left behind
    again = oss_desk_here(db, "worker", "--once", minutes=20)
    assert again.returncode == 0, again.stderr
    assert len(smtp.mailbox.messages) == 1


def test_a_restore_takes_the_replaced_database_s_notes_with_its_kept_copy(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    """A note speaks of the rows of the database it was left beside: restored from a backup
    made before, the note stayed for ever and could speak for a restored row of the same id
    handed over at the same moment (a stopped clock), recorded sent though never accepted.
    It now goes with the copy kept of the replaced database."""
    db = booked_office(tmp_path, smtp)
    backup = tmp_path / "before.sqlite"
    assert oss_desk_here(db, "db", "backup", "--to", str(backup)).returncode == 0
    code, _ = stopped_while_locked(db, smtp, tmp_path / "worker.log", release_after_stop=None)
    assert code == 0 and note_path(db, "messages", 1).exists()
    restored = oss_desk_here(db, "db", "restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert not note_path(db, "messages", 1).exists()
    (kept,) = tmp_path.glob(f"{db.name}.before-restore-*.accepted.messages.1")
    assert '"status": "sent"' in kept.read_text() or '"status":"sent"' in kept.read_text()


def test_a_note_never_speaks_for_another_send_with_the_same_row_and_hand_over(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    """A note named the row's id and hand-over stamp only: another message in that row (a
    database put back from elsewhere, its clock stopped as in training) handed over at the
    same moment was recorded sent from it though that message was never accepted. A note now
    names the send's own reference."""
    db = booked_office(tmp_path, smtp)
    code, _ = stopped_while_locked(db, smtp, tmp_path / "worker.log", release_after_stop=None)
    assert code == 0 and note_path(db, "messages", 1).exists()
    with sqlite3.connect(db) as conn:  # another message now holds row 1, handed over then too
        conn.execute("UPDATE messages SET reference = 'oss-a1-other-0000' WHERE id = 1")
    again = oss_desk_here(db, "worker", "--once", minutes=20)
    assert again.returncode == 0, again.stderr
    # Not taken as sent: it may not have gone, so by mail it is sent again (same Message-ID).
    assert rows(db, CONFIRMATION) == [
        ("pending", "the worker stopped while waiting for the reply: it may have been accepted")
    ], again.stderr
    later = oss_desk_here(db, "worker", "--once", minutes=40)
    assert later.returncode == 0, later.stderr
    assert rows(db, CONFIRMATION) == [("sent", None)], later.stderr
    assert len(smtp.mailbox.messages) == 2


def test_an_accepted_referral_email_left_unrecorded_as_the_worker_stops_is_never_sent_again(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A referral's email went the same way, and was left with no note: the next owner found
    it handed over and mailed it again (the resident had it twice). Now it is noted too."""
    mail = f'[email]\nsmtp_url = "{smtp.url}"\nfrom_address = "desk@test.example"\n'
    db = make_followups_office(tmp_path, extra=mail)
    refer(Cli(db, monkeypatch), "--send-by", "email", "--email", "resident@example.org")
    log = tmp_path / "worker.log"
    code, _ = stopped_while_locked(db, smtp, log, release_after_stop=None, now=REFERRED)
    said = log.read_text()
    assert code == 0, said
    assert "referral message 1: sent and not recorded yet: noted beside the database" in said
    assert note_path(db, "followup_messages", 1).exists()
    # The next owner, after the lease ran out (15 minutes), records it sent and sends nothing.
    again = oss_desk_here(db, "worker", "--once", "--json", now="2026-11-23T10:30:00Z")
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT status, last_error FROM followup_messages") == [("sent", None)]
    assert json.loads(again.stdout)["messages_sent"] == 1, again.stdout
    assert len(smtp.mailbox.messages) == 1
    assert not note_path(db, "followup_messages", 1).exists()


def test_an_accepted_referral_text_left_unrecorded_as_the_worker_stops_is_recorded_from_its_note(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By text the same: noted as the worker stops, recorded sent by the next owner from the
    note (no look-up needed), never sent again."""
    db = referred_by_text(tmp_path, notify, monkeypatch)
    log = tmp_path / "worker.log"
    code, _ = stopped_while_locked(db, notify.state, log, release_after_stop=None, now=REFERRED)
    assert code == 0, log.read_text()
    assert note_path(db, "followup_messages", 1).exists(), log.read_text()
    # The next owner, after the lease ran out, waits the look-up wait (Notify's request may
    # still be on its way), then records it sent from the note.
    first = oss_desk_here(db, "worker", "--once", now="2026-11-23T10:30:00Z")
    assert first.returncode == 0, first.stderr
    again = oss_desk_here(db, "worker", "--once", "--json", now="2026-11-23T10:31:00Z")
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT status, last_error FROM followup_messages") == [("sent", None)]
    assert json.loads(again.stdout)["messages_sent"] == 1, again.stdout
    assert len(notify.state.sent) == 1
    assert not note_path(db, "followup_messages", 1).exists()
