"""The demo's clock runs, in the real `oss-desk demo` in a real terminal (tmux).

Its office is built as of an instant (out of hours, 11:00 on the last opening day; here
OSS_DESK_NOW) and its clock runs on from there: a ticket whose print failed once is printed
when its retry falls due (on a stopped clock the retry was never due: the printer came back and
nothing printed); other commands on its database keep the demo's time (not the real clock's);
left with Ctrl+Q, its clock stops where it was left, and `oss-desk demo` says how to get back
in and opens it again as its people, from there, instead of refusing."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from .test_tmux import Terminal

pytestmark = pytest.mark.slow

FRIDAY = "2026-11-27T10:00:00Z"  # an open morning


def ask(db: Path, sql: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def wait(what: str, condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_the_demo_retries_a_failed_print_and_opens_again_as_it_was_left(tmp_path: Path) -> None:
    oss_desk = Path(sys.executable).parent / "oss-desk"
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
    }
    folder = tmp_path / "data" / "oss-desk" / "demo"
    folder.mkdir(parents=True)
    db = folder / "oss-desk-demo.sqlite"
    paper = folder / "printer-greet-1.escpos"
    paper.mkdir()  # a printer that cannot be written for now: the first try fails
    term = Terminal(
        f"{oss_desk} demo --days 1 --waiting 0", env | {"OSS_DESK_NOW": FRIDAY}, (100, 30)
    )
    try:
        # Its build first (a minute or so on a loaded machine, said on the screen meanwhile).
        term.wait_for_demo("Meet and greet")
        term.wait_for("Issue")
        term.keys("w", "Enter")
        newest = "SELECT printf('%s%03d', t.service_code, t.number), j.attempts, j.status"
        newest += " FROM print_jobs j JOIN tickets t ON t.id = j.ticket_id"
        newest += " ORDER BY j.id DESC LIMIT 1"
        failed = f"SELECT * FROM ({newest}) WHERE attempts >= 1 AND status = 'pending'"
        wait("the print never failed (to be tried again)", lambda: bool(ask(db, failed)))
        code = ask(db, failed)[0][0]
        paper.rmdir()  # the printer is back
        wait(
            f"{code} was never printed",
            lambda: paper.is_file() and str(code).encode() in paper.read_bytes(),
        )
        # The bytes are on paper a moment before the job is recorded done.
        wait("the job was never recorded done", lambda: ask(db, newest)[0][2] == "done")
        # Another terminal's command keeps the demo's time (a Friday), not the real clock's.
        later = ask(db, "SELECT max(at) FROM events")[0][0]
        assert str(later).startswith("2026-11-27T10:0")
        term.keys("C-q")
        shown = term.wait_for("opens it again")
        assert "`oss-desk demo --reset` builds it afresh" in shown
        # Left, with nobody else on it: its clock stands still where it was left.
        wait(
            "the clock never stopped", lambda: ask(db, "SELECT since FROM demo_clock") == [(None,)]
        )
        left = str(ask(db, "SELECT at FROM demo_clock")[0][0])
        assert left.startswith("2026-11-27T10:0")
    finally:
        term.close()
    term = Terminal(f"{oss_desk} demo", env, (100, 30))
    try:
        shown = term.wait_for("Meet and greet")
        shown = term.wait_for("Fri 27 Nov 10:0")  # the demo's day and time, not the real ones
        assert "Chloe Price" in shown  # its people, not this login
        term.keys("C-q")
        term.wait_for("opens it again")
    finally:
        term.close()
