"""``worker --once`` interrupted while it waits for a locked database to take a sent message's
outcome (a review: it waited up to 5 minutes without a word, the operator pressed Ctrl+C, and
the confirmation the mail server had accepted was mailed a second time an hour later). The note
beside the database is now left at the first fault, so an interrupt, a SIGTERM or a kill -9
during the waits loses nothing. The real command, aiosmtpd, a second process holding the lock."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from oss_desk.clock import format_instant
from oss_desk.storage.accepted_notes import note_path

from .appointments_site import NOW
from .messaging import SmtpServer
from .test_message_accepted_at_stop import booked_office
from .test_message_outcome_locked import oss_desk
from .test_messages import rows


def test_worker_once_interrupted_while_the_database_is_locked_never_sends_twice(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    db = booked_office(tmp_path, smtp)
    holder: list[sqlite3.Connection] = []

    def hold() -> None:  # the database is held from the moment the server has the message
        conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        holder.append(conn)

    smtp.mailbox.before_reply = hold
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": format_instant(NOW)}
    env["OSS_DESK_BUSY_TIMEOUT"] = "1"
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        once = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker", "--once"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 60
        note = note_path(db, "messages", 1)  # in place: not its temporary file, still being written
        while not note.exists():
            assert time.monotonic() < deadline, log.read_text()
            assert once.poll() is None, log.read_text()
            time.sleep(0.05)
        once.send_signal(signal.SIGINT)  # Ctrl+C: the operator gives up waiting
    finally:
        for conn in holder:  # then the lock goes (its stepping down may wait for it)
            conn.execute("ROLLBACK")
            conn.close()
        smtp.mailbox.before_reply = None
        try:
            code = once.wait(60)
        finally:
            if once.poll() is None:
                once.kill()
    # Interrupted (130), or, when the signal met the write the freed lock let through, done
    # with the outcome recorded (0): either way the message went once and is recorded sent.
    assert code in (0, 130), log.read_text()
    assert len(smtp.mailbox.messages) == 1
    # An hour on, past every lease and retry: recorded sent from the note, never mailed again.
    later = oss_desk(db, "worker", "--once", minutes=90)
    assert later.returncode == 0, later.stderr
    assert rows(db, "SELECT status FROM messages WHERE kind = 'confirmation'") == [("sent",)]
    assert len(smtp.mailbox.messages) == 1
