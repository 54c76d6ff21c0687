"""`ticket issue` failing after its ticket was committed: the closed-now line stored a year of
bank holidays not yet stored in a write of its own, and when that write could not be made (a
lock held past the busy timeout) the command exited 75 "nothing was saved" and printed no ticket,
so a kiosk issued a second one. The line is best effort after the commit. A real process holds
the writers' turn from the moment the ticket is in the database."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, make_db, run_cli_process, site_toml

HOLDER = r"""
import fcntl, os, sqlite3, sys, time
db = sys.argv[1]
conn = sqlite3.connect(db, isolation_level=None)
print("ready", flush=True)
while conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0:
    time.sleep(0.001)
lock = os.open(db + ".write.lock", os.O_RDWR | os.O_CREAT)
fcntl.flock(lock, fcntl.LOCK_EX)  # the writers' turn, as every oss-desk writer takes it
conn.execute("BEGIN IMMEDIATE")  # and SQLite's own write lock
print("held", flush=True)
sys.stdin.read()  # until the test lets go
conn.execute("ROLLBACK")
"""


def test_a_ticket_saved_is_printed_even_when_the_bank_holidays_cannot_be_stored_after_it(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, site_toml())
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM bank_holidays")  # upgraded without loading its configuration
    conn.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline() == "ready\n"
        issued = run_cli_process(
            "ticket",
            "issue",
            "--service",
            "C",
            "--no-print",
            "--json",
            env={
                "OSS_DESK_DB": str(db),
                "OSS_DESK_NOW": "2026-12-25T10:00:00Z",
                "OSS_DESK_BUSY_TIMEOUT": "0.5",
            },
        )
        assert holder.stdout.readline() == "held\n"  # the turn was taken after the commit
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert issued.returncode == 0, issued.stderr
    ticket = json.loads(issued.stdout)
    assert ticket["code"] == "C001"
    assert ticket["office_closed"] == "a bank holiday (Christmas Day)"  # worked out all the same
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM bank_holidays").fetchone()[0]
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    conn.close()
    assert stored == 0  # its write could not be made: left for a later command
    assert tickets == 1  # one ticket, and the resident holds it
