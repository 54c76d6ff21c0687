"""The demo's simulated past never reaches a real server: with the README's
``OSS_DESK_EMAIL__SMTP_URL`` set, ``oss-desk demo`` still sends the confirmations and reminders of
the appointments it made "days ago" to its own mailbox and phone (then, and later when they fall
due), raising no alert; an appointment booked in the demo afterwards follows the environment
(someone trying their mail server with the demo); the ready message, and the one of a demo
opened again, says where they go."""

from __future__ import annotations

import mailbox
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, Cli
from .messaging import SmtpServer

BUILT = "2026-12-04T11:00:00Z"


def pending_due(db: Path, now: str) -> int:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT count(*) FROM messages WHERE status = 'pending' AND due_at <= ?", [now]
        ).fetchone()
    finally:
        conn.close()
    return int(row[0])


def test_the_demos_past_goes_to_its_mailbox_whatever_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer
) -> None:
    monkeypatch.delenv("OSS_DESK_NOW", raising=False)
    db = tmp_path / "demo" / "oss-desk-demo.sqlite"
    box = db.parent / "mailbox.mbox"
    cli = Cli(db, monkeypatch)
    env = {"OSS_DESK_EMAIL__SMTP_URL": smtp.url}
    built = cli("--db", str(db), "demo", "--no-app", "--days", "1", now=BUILT, env=env)
    assert built.code == 0, built.err
    assert smtp.mailbox.messages == []  # the build has sent what it sends: none to the server
    built_with = len(mailbox.mbox(box))
    assert built_with > 100  # the past's confirmations and reminders: the demo's own mailbox

    # The demo's worker, a minute later: the reminders of its past still due (this afternoon's
    # appointments, booked days ago) go to its mailbox too; a booking made now in the demo
    # goes to the mail server the environment names.
    due = pending_due(db, "2026-12-04T11:02:00.000Z")
    assert due > 0
    slots = cli("appointment", "slots", "--service", "C", "--date", "2026-12-07", "--json")
    start = slots.json()[0]["start"]
    booked = cli(
        *("appointment", "book", "--service", "C", "--start", start),
        *("--email", "trying@example.com", "--json"),
        now="2026-12-04T11:01:00Z",
        env=env,
    )
    assert booked.code == 0, booked.err
    worked = cli("worker", "--once", now="2026-12-04T11:02:00Z", env=env)
    assert worked.code == 0, worked.err
    assert smtp.mailbox.arrived.wait(10)
    assert [str(m["To"]) for m in smtp.mailbox.messages] == ["trying@example.com"]
    assert len(mailbox.mbox(box)) > built_with
    assert pending_due(db, "2026-12-04T11:02:00.000Z") == 0
    # The ready message says so.
    assert f"go to its own mailbox and phone: {box}, " in built.out, built.out
    assert f"emails to smtp://127.0.0.1:{smtp.port}." in built.out, built.out
    alerts = cli("alerts", "list", "--json", now="2026-12-04T11:02:00Z", env=env)
    assert alerts.code == 0 and alerts.json() == [], alerts.out
    failed = sqlite3.connect(db)
    try:
        found = failed.execute("SELECT count(*) FROM messages WHERE status = 'failed'")
        assert found.fetchone() == (0,)
    finally:
        failed.close()

    # ``oss-desk demo`` over a demo with work in it opens it again (the desk app, closed here
    # at once): what it prints says where messages go, as the environment is now (another
    # server than when it was built). The same demo: each build costs seconds.
    assert cli("--db", str(db), "ticket", "issue", "--service", "C").code == 0  # work in it
    quit_file = tmp_path / "quit"
    quit_file.touch()  # the desk app closes as soon as it is up
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    server = "smtp://127.0.0.1:2525"
    env.update(
        PYTHONPATH=str(ROOT),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        OSS_DESK_EMAIL__SMTP_URL=f"{server}?starttls=off",
    )
    opened = subprocess.run(
        [
            *(sys.executable, "-m", "tests.desk_probe", str(tmp_path / "out"), str(quit_file)),
            *("--", "--db", str(db), "demo"),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert opened.returncode == 0, opened.stderr
    assert "Opening the demo again as it was left" in opened.stdout, opened.stdout
    assert f"go to its own mailbox and phone: {box}, " in opened.stdout, opened.stdout
    assert f"emails to {server}." in opened.stdout, opened.stdout
