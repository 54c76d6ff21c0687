"""The real `oss-desk demo` in a real terminal (tmux), driven key by key as a person would."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from ..conftest import ROOT

pytestmark = pytest.mark.slow


def require_tmux() -> None:
    """These tests fail, never skip, without tmux: tests/system-deps.sh installs it."""
    assert shutil.which("tmux"), "tmux is not installed: run `sh tests/system-deps.sh`"


class Terminal:
    def __init__(self, command: str, env: dict[str, str], size: tuple[int, int]) -> None:
        require_tmux()
        self.name = f"oss-desk-test-{uuid.uuid4().hex[:8]}"
        # Its own tmux server (socket), so nobody else's tmux use can disturb it.
        self.tmux = ["tmux", "-L", self.name]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                f"cd {shlex.quote(str(ROOT))} && env {exports} {command}; sleep 30",
            ],
            check=True,
            # A clean environment for the new tmux server: nothing of pytest's (COLUMNS and
            # LINES, for one, would fix the app's size whatever the pane's).
            env={
                "PATH": os.environ.get("PATH", ""),
                "HOME": env.get("HOME", "/tmp"),
                "LANG": "C.UTF-8",
                "TERM": env.get("TERM", "xterm-256color"),
            },
        )

    def keys(self, *keys: str) -> None:
        """Type ``keys``, a moment apart (after the last, the caller waits for what it shows)."""
        for n, key in enumerate(keys):
            if n:
                time.sleep(0.15)
            subprocess.run([*self.tmux, "send-keys", "-t", self.name, key], check=True)

    def screen(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def wait_gone(self, text: str, key: str, tries: int = 4) -> None:
        """Press ``key`` until ``text`` leaves the screen (a loaded machine can take a key while
        a screen is still being pushed)."""
        for _ in range(tries):
            self.keys(key)
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline:
                if text not in self.screen():
                    return
                time.sleep(0.05)
        raise AssertionError(f"{text!r} stayed on the screen:\n{self.screen()}")

    def wait_for_demo(self, text: str, timeout: float = 20, build: float = 300) -> str:
        """Wait for the demo's first screen: ``timeout`` seconds once its build has left the
        screen. The build says on the screen that it is under way; it takes a minute or so on
        a loaded machine (38 s with --days 1 at a load of 20), which the desk's wait is not for.
        ``build`` bounds a build that never ends."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            if "Building the demo office" in shown and time.monotonic() < start + build:
                deadline = time.monotonic() + timeout  # still building, and saying so
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False)


def test_demo_issue_call_finish(tmp_path: Path) -> None:
    oss_desk = Path(sys.executable).parent / "oss-desk"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "OSS_DESK_NOW": "2026-11-22T10:00:00Z",  # a Sunday: a quiet office, so codes are known
    }
    term = Terminal(f"{oss_desk} demo --days 1 --waiting 0", env, (100, 30))
    try:
        term.wait_for_demo("Meet and greet")
        term.wait_for("Issue")
        # Meet and greet: Council Tax, issue.
        term.keys("c", "Enter")
        # (The code shows at once; its place follows with the next snapshot.) On a Sunday nobody
        # is logged in to a desk yet, and the screen says so rather than guess a wait.
        shown = term.wait_for("no open desk serves this now")
        assert "C001:" in shown
        # To the adviser desk (entering it logs Ben in): call next, start, finish as resolved.
        term.keys("F3")
        term.wait_for("Adviser desk")
        term.wait_for("Desk 1 · Ben Walker · open")
        # Under a loaded machine the first key can land while the screen is still switching:
        # press again if nothing happened (a second press on a called desk changes nothing).
        for attempt in range(3):
            term.keys("n")
            try:
                shown = term.wait_for("called 0 min ago", timeout=8)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        assert "C001  Council Tax" in shown
        # The demo runs the device worker itself: the ticket was printed on the virtual printer
        # and the virtual board shows the call. F10 shows both as the resident sees them.
        # The worker is a moment behind the desk: look again until the board has the call.
        for _ in range(40):
            term.keys("F10")
            shown = term.wait_for("What the resident sees")
            if "C001 -> Desk 1" in shown and "C 0 0 1" in shown:
                break
            term.wait_gone("What the resident sees", "Escape")
            time.sleep(0.25)
        assert "C001 -> Desk 1" in shown
        # The demo's ticket carries its phone page (screen.public_url): scanned, it shows the
        # resident's place on `oss-desk screen`.
        assert "C 0 0 1" in shown and "Scan to see your place on your phone" in shown
        term.wait_gone("What the resident sees", "Escape")
        paper = tmp_path / "data" / "oss-desk" / "demo" / "printer-greet-1.escpos"
        deadline = time.monotonic() + 10
        while not (paper.exists() and b"C001" in paper.read_bytes()):
            assert time.monotonic() < deadline, "the demo printer never printed C001"
            time.sleep(0.1)
        term.keys("s")
        term.wait_for("serving for 0 min")
        term.keys("f")
        term.wait_for("what was the outcome?")
        term.keys("1")
        shown = term.wait_for("C001 finished: resolved")
        term.wait_for("N: call next")
        # The team leader sees the day's figures move.
        term.keys("F4")
        shown = term.wait_for("first contact")
        assert "arrivals 1" in shown and "first contact 100.0%" in shown
    finally:
        term.close()


def test_demo_counter_day(tmp_path: Path) -> None:
    """The adviser's counter as a person uses it, read off the screen: no-show and undo, start,
    add a service, park and resume, finish with an appointment booked for the visit, transfer
    to a colleague."""
    oss_desk = Path(sys.executable).parent / "oss-desk"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        # A Monday: the demo's advisers are logged in, and no appointment holder has checked
        # in for Ben Walker yet (one who had would be called first: at 10:00 one has).
        "OSS_DESK_NOW": "2026-11-23T09:20:00Z",
    }
    term = Terminal(f"{oss_desk} demo --days 1 --waiting 0", env, (100, 30))
    try:
        term.wait_for_demo("Meet and greet")
        term.wait_for("Issue")
        term.keys("c", "Enter")
        term.wait_for("C001:")
        term.keys("c", "Enter")
        term.wait_for("C002:")
        term.keys("F3")
        term.wait_for("Desk 1 · Ben Walker · open")
        for attempt in range(3):
            term.keys("n")
            try:
                shown = term.wait_for("called 0 min ago", timeout=8)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        assert "C001  Council Tax" in shown
        # No-show: asked first; then taken back.
        term.keys("x")
        term.wait_for("C001: the resident has not come?")
        term.keys("y")
        term.wait_for("U takes it back")
        term.keys("u")
        term.wait_for("C001 is back: called here again")
        term.keys("s")
        term.wait_for("serving for 0 min")
        # Another service in the visit.
        term.keys("a")
        term.wait_for("C001: which other service in this visit?")
        term.keys("w")
        term.wait_for("+ Waste and recycling")
        # Park (fetching a document), then resume.
        term.keys("p")
        term.wait_for("Park C001")
        term.keys("1")
        term.wait_for("C001 parked (fetching a document)")
        term.wait_for("N: call next")
        term.keys("p")
        term.wait_for("C001 is back at the desk")
        term.wait_for("+ Waste and recycling")
        # Finish: Council Tax needs an appointment (booked here), Waste resolved.
        term.keys("f")
        term.wait_for("Finish C001 · Council Tax: what was the outcome?")
        term.keys("4")
        term.wait_for("Finish C001 · Waste and recycling: what was the outcome?")
        term.keys("1")
        term.wait_for("C001 needs an appointment: Council Tax")
        term.wait_for("Free slots (")  # loaded: Enter on an empty list would choose nothing
        term.keys("Enter")  # the first free slot: the name is next (left empty)
        time.sleep(1)
        term.keys("Tab")
        time.sleep(0.5)
        subprocess.run(
            [*term.tmux, "send-keys", "-t", term.name, "-l", "r@example.org"], check=True
        )
        term.wait_for("Email    r@example.org")
        term.keys("C-s")
        shown = term.wait_for("booked for C001's visit")
        term.wait_for("C001 finished: appointment, resolved")
        # Transfer the next resident to a colleague, Dev Patel at Desk 2.
        term.keys("n")
        term.wait_for("C002  Council Tax")
        term.keys("t")
        term.wait_for("Transfer C002 (Council Tax) to:")
        term.keys("p")
        shown = term.wait_for("Send C002 to which colleague?")
        # (The booking's notice beside it may name Ben, the appointment's adviser.)
        names = [line for line in shown.splitlines() if "▊ " in line and "(" in line]
        assert "Dev Patel  (Desk 2)" in shown and not any("Ben Walker" in n for n in names)
        down = next(i for i, line in enumerate(names) if "Dev Patel" in line)
        term.keys(*(["Down"] * down), "Enter")
        term.wait_for("C002 sent to Dev Patel")
    finally:
        term.close()
