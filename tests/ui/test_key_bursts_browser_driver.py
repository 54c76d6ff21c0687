"""Review 16, 1, in a browser desk: ``oss-desk serve`` starts each tab's desk with Textual's web
driver (``TEXTUAL_DRIVER``, as textual-serve sets it), which reads the keys from the page with
the same XTerm parser. The real ``oss-desk desk`` under that driver, its keys sent as the
server sends them (one data packet), Esc then F in one packet: Esc closes the box, F finishes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..appointments_site import NOW
from .test_key_bursts_pty import ESCAPES, office, status, until

pytestmark = pytest.mark.slow

__all__ = ["office"]  # the fixture, used here by name

WEB_DRIVER = "textual.drivers.web_driver:WebDriver"
READY = b"__GANGLION__\n"
"""What the web driver writes first; packets follow (a type byte, a 4-byte length, the data)."""


class BrowserDesk:
    """``oss-desk desk`` under Textual's web driver, on pipes, as textual-serve runs it."""

    def __init__(self, db: Path, home: Path) -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "xdg"),
            "LANG": "C.UTF-8",
            "OSS_DESK_NOW": NOW.isoformat(),
            "TEXTUAL_DRIVER": WEB_DRIVER,
            "TEXTUAL_COLOR_SYSTEM": "truecolor",
            "COLUMNS": "120",
            "ROWS": "36",
        }
        argv = ["--db", str(db), "--user", "bob", "desk", "--desk", "desk-1"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.drawn = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        out = self.process.stdout
        assert out is not None
        if out.readline() != READY:
            return
        while (kind := out.read(1)) and len(size := out.read(4)) == 4:
            data = out.read(int.from_bytes(size, "big"))
            if kind == b"D":
                self.drawn += data

    def text(self) -> str:
        return ESCAPES.sub(b"", bytes(self.drawn)).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        until(lambda: text in self.text(), timeout, f"{text!r} never drawn:\n{self.text()[-1500:]}")

    def type(self, keys: str) -> None:
        """The keys in one data packet, as the server sends what the page typed."""
        data = keys.encode()
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"D" + len(data).to_bytes(4, "big") + data)
        stdin.flush()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def desk(office: Path, tmp_path: Path) -> Iterator[BrowserDesk]:
    running = BrowserDesk(office, tmp_path)
    try:
        running.wait_for("Desk 1 · Bob Adviser · open")
        yield running
    finally:
        running.close()


def test_escape_then_f_in_one_packet_closes_the_box_then_finishes(
    office: Path, desk: BrowserDesk
) -> None:
    desk.type("n")
    until(lambda: status(office, 1) == "called", 20, "N called nobody")
    desk.type("x")
    desk.wait_for("the resident has not come?")
    desk.type("\x1bf")
    desk.wait_for("what was the outcome?")
    desk.type("1")
    until(lambda: status(office, 1) == "done", 20, f"not finished:\n{desk.text()[-1500:]}")
