"""A browser tab closed fast (engineers' notes, round 11): whenever the tab goes (while its desk
process starts, at the desk's first frame, or while the log-in the desk makes on entering is
still on its way to the database) its person is not left logged in to the desk, as after a
normal close.

The real server, a real websocket opening a desk (as Chromium's does), real processes; the
office's write lock held by the test makes the log-in wait, as a busy office does."""

from __future__ import annotations

import asyncio
import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import ClientConnectionResetError
from textual_serve.download_manager import DownloadManager

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise
from oss_desk.storage.writelock import lock_path
from oss_desk.ui.serve import DeskProcess

from . import test_serve_browser
from .authproxy import auth_proxy
from .browser_desks import (
    CSI,
    PASSWORDS,
    Served,
    Tab,
    signed_in,
    site_with_logins,
    start_server,
    stop_server,
)
from .conftest import MONDAY_0930
from .procs import waiting_for_lock
from .test_serve_killed import logged_in, until

pytestmark = pytest.mark.slow

# Debian's Chromium, headless, for the one test that uses it (the others run event loops).
browser = pytest.fixture(name="browser")(test_serve_browser.launched)


async def _open_and_close(served: Served, close_when: Callable[[bytes], bool]) -> None:
    """Open Desk 1 as Ben and close the socket as soon as ``close_when(what it sent)``."""
    async with aiohttp.ClientSession() as client:
        ws = await client.ws_connect(
            served.url + "/ws/desk-1?width=120&height=36", headers={"X-Remote-User": "ben.login"}
        )
        drawn = b""
        deadline = time.monotonic() + 60
        while not close_when(CSI.sub(b"", drawn)):
            assert time.monotonic() < deadline, "the desk never got that far"
            try:
                message = await ws.receive(timeout=0.2)
            except TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                drawn += message.data
        await ws.close()


def _following(served: Served) -> Callable[[], str]:
    """The server's log read as it comes (a thread adds its lines to ``served.lines``): what
    it has logged so far."""
    out = served.process.stdout
    assert out is not None

    def read() -> None:
        for line in out:
            served.lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    return lambda: "".join(served.lines)


@pytest.fixture
def office(tmp_path: Path) -> Path:
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=site_with_logins(tmp_path))
    return db


CLOSED_AT: dict[str, Callable[[bytes], bool]] = {
    "while-starting": lambda _: True,
    "at-first-frame": lambda drawn: b"Adviser desk" in drawn,
}
"""When the tab goes: at once (its desk process still starting), or at the desk's first frame."""


def test_a_tab_closed_fast_leaves_nobody_logged_in(office: Path, tmp_path: Path) -> None:
    """Each way of closing fast, one after the other on one server (each had a server and an
    office of its own): after each, the desk process has ended and nobody is logged in."""
    served = start_server(office, tmp_path)
    try:
        for closed_at, close_when in CLOSED_AT.items():
            asyncio.run(_open_and_close(served, close_when))
            until(
                lambda: served.desk_processes() == {},
                30,
                f"the closed tab's desk process ended ({closed_at})",
            )
            assert logged_in(office, "desk-1") == [], closed_at
    finally:
        stop_server(served)


def test_a_tab_closed_while_its_log_in_waits_for_the_database_logs_out_after_it(
    office: Path, tmp_path: Path, browser: Any
) -> None:
    """The desk logs its person in when its first live data comes; a Chromium tab closed
    before that log-in reached the database: the desk saw nobody to log out, and the log-in
    then went through after it had closed, leaving Ben logged in to a desk nobody had open."""
    served = start_server(office, tmp_path, env={"OSS_DESK_BUSY_TIMEOUT": "60"})
    lock = lock_path(office)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the desk's log-in waits its turn
        with auth_proxy(served.port, PASSWORDS) as proxy:
            context = signed_in(browser, "ben.login")
            tab = Tab(context, proxy.url + "/", focus=False)
            tab.wait_for("Desk 1 · closed")
            (pid,) = served.desk_processes()
            until(lambda: waiting_for_lock(pid, lock), 30, "the desk's log-in waits")
            logged = _following(served)
            tab.page.close()
            # The race: the desk's app has seen its tab close and left the desk (it saw nobody
            # logged in to it) while its log-in still waits for the lock; only then is the
            # lock let go, and the log-in goes through after the app has closed.
            closed = f"desk process {pid}: its app has closed"
            until(lambda: closed in logged(), 30, "the closed tab's app has closed")
            assert waiting_for_lock(pid, lock)
            fcntl.flock(fd, fcntl.LOCK_UN)
            until(lambda: served.desk_processes() == {}, 30, "the closed tab's desk ended")
            context.close()
        assert logged_in(office, "desk-1") == []
    finally:
        os.close(fd)
        stop_server(served)


# A desk process as textual-serve sees one: its prelude, then packets (a kind, a 4-byte size, the
# data). This one waits for the server's "quit", draws one more frame, then says it has exited.
DRAWS_AFTER_QUIT = r"""
import json, sys
out, data = sys.stdout.buffer, b""
out.write(b"__GANGLION__\n")
out.flush()
while b'"quit"' not in data:
    chunk = sys.stdin.buffer.read1(4096)
    if not chunk:
        break
    data += chunk
for kind, payload in ((b"D", b"a last frame"), (b"M", json.dumps({"type": "exit"}).encode())):
    out.write(kind + len(payload).to_bytes(4, "big") + payload)
out.flush()
"""


def test_a_desk_that_draws_after_its_tab_went_is_still_heard_to_close(tmp_path: Path) -> None:
    """The tab has gone (its websocket refuses every write, as aiohttp's does once closing) and
    the desk, told to quit, draws one more frame before its app exits: the server still hears
    the app's exit ("its app has closed"). textual-serve stopped reading a desk's output at the
    first frame it could not send, so the exit that followed was never heard (the log never
    said it; a desk still drawing could fill its pipe and wait on it until killed), as a loaded
    computer showed: a frame drawn in the moment between the tab closing and the quit."""
    heard: list[str] = []

    async def tab_gone(_: bytes | str) -> None:
        raise ClientConnectionResetError("Cannot write to closing transport")

    async def close() -> None:
        heard.append("closed")

    async def run() -> int | None:
        desk = DeskProcess(
            [sys.executable, "-c", DRAWS_AFTER_QUIT],
            login="ben.login",
            write_bytes=tab_gone,
            write_str=tab_gone,
            close=close,
            download_manager=DownloadManager(),
        )
        await desk.start(80, 24)
        await asyncio.wait_for(desk.stop(), 30)
        await desk.finish()
        return desk.returncode

    assert asyncio.run(run()) == 0
    assert heard == ["closed"]
