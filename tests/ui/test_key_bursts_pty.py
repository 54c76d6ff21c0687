"""Keys written to the real desk's terminal in one write (as a scanner, a paste or tmux's
send-keys does) reach it in the order typed, each once: the real `oss-desk desk` in a real
pseudo-terminal, the burst in one ``os.write``, the outcome read back from the database."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ..appointments_site import NOW
from ..conftest import rows
from .conftest import appointments_office
from .test_counter_ui import one_ticket

pytestmark = pytest.mark.slow

ESCAPES = re.compile(
    rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)


class Desk:
    """``oss-desk desk`` on the slave side of a pseudo-terminal (120x36); what it draws is
    read all along (a terminal that is not read would stop the app), escapes removed."""

    def __init__(self, db: Path, desk: str, person: str, home: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "xdg"),
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
            "OSS_DESK_NOW": NOW.isoformat(),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "oss_desk",
                "--db",
                str(db),
                "--user",
                person,
                "desk",
                "--desk",
                desk,
            ],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.drawn = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.drawn += chunk

    def text(self) -> str:
        return ESCAPES.sub(b"", bytes(self.drawn)).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        until(lambda: text in self.text(), timeout, f"{text!r} never drawn:\n{self.text()[-1500:]}")

    def type(self, keys: str) -> None:
        """The whole burst in one write."""
        assert os.write(self.master, keys.encode()) == len(keys.encode())

    def close(self) -> None:
        self.type("\x11")  # Ctrl+Q
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def until(condition: Callable[[], bool], timeout: float, why: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(why)
        time.sleep(0.05)


@pytest.fixture
def office(migrated: Path, tmp_path: Path) -> Path:
    """The appointments office (email set up: a booking can be confirmed), two residents
    waiting for Council Tax."""
    db = one_ticket(
        one_ticket(appointments_office(migrated, tmp_path, smtp_url="smtp://127.0.0.1:9"))
    )
    return db


@pytest.fixture
def desk(office: Path, tmp_path: Path) -> Iterator[Desk]:
    running = Desk(office, "desk-1", "bob", tmp_path)
    try:
        running.wait_for("Desk 1 · Bob Adviser · open")  # logged in: its keys act
        yield running
    finally:
        running.close()


def status(db: Path, ticket: int) -> object:
    found = rows(db, "SELECT status FROM tickets WHERE id = ?", ticket)
    return found[0][0] if found else None


def test_a_burst_in_a_real_terminal_books_field_by_field_then_rates_then_calls(
    office: Path, desk: Desk
) -> None:
    """Trial 8, P3, as tmux sent it: in the booking form, Enter on the slot, a name, Tab, an
    email with a typo taken back, Tab, a mobile and Ctrl+S, in one write; then on the rating
    prompt "4 n" in one write: rated 4, and the next resident called."""
    desk.type("n")
    until(lambda: status(office, 1) == "called", 20, "N called nobody")
    desk.type("sf4")  # start, finish: needs an appointment (the booking form opens)
    desk.wait_for("Free slots (")
    desk.type("\rBob\tann@example.orgx\x7f\t07700900123\x13")
    until(lambda: status(office, 1) == "done", 20, f"not booked:\n{desk.text()[-1500:]}")
    assert rows(office, "SELECT name, email, phone FROM appointment_contacts") == [
        ("Bob", "ann@example.org", "+447700900123")  # the mobile as stored
    ]
    desk.wait_for("The resident's own rating of this visit?")
    time.sleep(0.7)  # past the prompt's double-tap guard (a rating key at once is ignored)
    desk.type("4n")
    until(lambda: status(office, 2) == "called", 20, "N called nobody after the rating")
    until(lambda: rows(office, "SELECT rating FROM visit_ratings") == [(4,)], 10, "not rated")
    assert "not a key here" not in desk.text()


def test_a_no_show_and_the_next_call_in_one_write(office: Path, desk: Desk) -> None:
    """X, y (a no-show) and N in one write: the dialog X opens takes the y, and N calls the
    next once the no-show is saved."""
    desk.type("n")
    until(lambda: status(office, 1) == "called", 20, "N called nobody")
    desk.type("xyn")
    until(lambda: status(office, 2) == "called", 20, f"N lost:\n{desk.text()[-1500:]}")
    assert status(office, 1) == "no_show"
    desk.wait_for("U takes it back")
