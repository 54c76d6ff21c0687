"""Building the demo waits for the disk only where it must (engineers' notes, round 11: the demo
took about 14 s to build). Its hundreds of past confirmations and reminders went each into the
virtual mailbox with a sync of their own, and those sent after the history each claimed and
recorded in a commit of its own, every one waiting for the disk; the demo's virtual phone
imported Notify's client (requests, JWT, cryptography) for each text it only writes to a file.

What the process asks of the disk is read with strace (``fsync``/``fdatasync`` on each file),
from real processes on real files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.demo import populate
from oss_desk.services.session import open_session

from .conftest import ROOT, make_db

SYNC = re.compile(r"\b(?:fsync|fdatasync)\(\d+<([^>]*)>\)\s+=\s+0")
NOW = "2026-11-27T11:00:00Z"  # a Friday morning: the office is open


def _syncs(args: list[str], tmp_path: Path, env: dict[str, str]) -> Counter[str]:
    """Run ``python args`` under strace: how many times each file was synced."""
    trace = tmp_path / "syncs.txt"
    full = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full.update(env, PYTHONPATH=str(ROOT))
    strace = ["strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync", "-o", str(trace)]
    done = subprocess.run(
        [*strace, sys.executable, *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return Counter(m[1] for m in SYNC.finditer(trace.read_text(encoding="utf-8")))


@pytest.fixture(autouse=True)
def _strace() -> None:
    if subprocess.run(["strace", "-V"], capture_output=True).returncode != 0:
        pytest.fail("strace is missing: apt-get install strace")


def test_the_demo_build_syncs_its_mailbox_once_and_its_past_messages_in_one_commit(
    tmp_path: Path,
) -> None:
    db = tmp_path / "demo" / "oss-desk-demo.sqlite"
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg"), "OSS_DESK_NOW": NOW}
    # One day of history: the two weeks' bookings ahead send most of the messages whatever the
    # length of the history, and their commits are what is counted.
    synced = _syncs(
        ["-m", "oss_desk", "--db", str(db), "demo", "--no-app", "--days", "1"], tmp_path, env
    )
    mailbox = db.parent / "mailbox.mbox"
    sent = mailbox.read_bytes().count(b"\nFrom MAILER-DAEMON ") + 1
    assert sent > 50  # the past appointments' confirmations and reminders
    assert synced[str(mailbox)] == 1, synced
    # The database: its set-up (each migration a transaction of its own), the history, the
    # messages sent after it, the clock; not a commit for each of those messages.
    wal = str(db) + "-wal"
    assert synced[wal] + synced[str(db)] < sent // 2, synced


SEND_TEXTS = """
import sys
from oss_desk.config_delivery import NotifySettings
from oss_desk.services.messages import Composed
from oss_desk.services.senders import NotifySender

phone = sys.argv[1]
sender = NotifySender(NotifySettings(base_url="capture://" + phone))
message = Composed(heading="h", subject="s", body="b", sms="Your appointment", ics=None)
for n in range(3):
    sender.send("text", "07700900123", message, f"ref-{n}")
assert "notifications_python_client" not in sys.modules, "Notify's client was imported"
"""


def test_the_demo_phone_writes_texts_without_importing_notify_s_client(tmp_path: Path) -> None:
    phone = tmp_path / "texts.txt"
    done = subprocess.run(
        [sys.executable, "-c", SEND_TEXTS, str(phone)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert phone.read_text(encoding="utf-8").count("Your appointment") == 3


def test_a_free_desk_in_the_demo_history_asks_to_call_next_only_when_someone_waits(
    tmp_path: Path,
) -> None:
    """Minute by minute each free desk of the simulated days called next, mostly to call
    nobody: nearly five calls of the queue's statement for every resident called. Now it asks
    only when someone is waiting (or a day is left to close); what it makes is the same (the
    demo's contents were compared whole, rows and events, when this was changed)."""
    db = make_db(tmp_path)  # the demo site, nothing simulated yet
    session = open_session(db=db, clock=FixedClock(datetime(2026, 11, 27, 11, tzinfo=UTC)))
    statements: list[str] = []
    try:
        session.store.conn.set_trace_callback(statements.append)
        populate(session, days=3)
        session.store.conn.set_trace_callback(None)
        called = session.store.conn.execute(
            "SELECT count(*) FROM events WHERE kind = 'called'"
        ).fetchone()[0]
    finally:
        session.close()
    tries = sum(1 for s in statements if s.startswith("UPDATE tickets SET status = 'called'"))
    assert called > 100
    assert tries < 2.5 * called, (tries, called)  # 1938 tries for 408 called before; 709 now
