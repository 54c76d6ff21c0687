"""A browser desk ends with its server, however the server ends: ``oss-desk serve`` killed with
SIGKILL (no chance to tell its tabs' desk processes to quit) takes them with it, and each logs
its person out as a closed tab does, so no desk is left shown open with nobody at it (trial 6,
C4: the desk process lived on, logged in, after ``kill -9`` of its server).

The real server, a real websocket opening a desk, real processes and signals."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise

from .browser_desks import CSI, site_with_logins, start_server
from .conftest import MONDAY_0930

pytestmark = pytest.mark.slow

OPEN = "Desk 1 · Ben Walker · open"
"""The desk's heading once its person is logged in and the desk shows it."""


def logged_in(db: Path, desk: str) -> list[tuple[str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT person FROM desk_sessions WHERE desk_id = ?", [desk]).fetchall()
    finally:
        conn.close()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended (its parent, gone, cannot reap it at once)


def until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not in {timeout} s: {what}"
        time.sleep(0.05)


def test_a_server_killed_takes_its_desks_with_it_and_logs_them_out(tmp_path: Path) -> None:
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=site_with_logins(tmp_path))
    served = start_server(db, tmp_path)
    desk_pid = 0
    try:

        async def open_tab() -> None:
            async with aiohttp.ClientSession() as client:
                ws = await client.ws_connect(
                    served.url + "/ws/desk-1", headers={"X-Remote-User": "ben.login"}
                )
                # The desk has drawn itself open, its person logged in (as the trial's desk,
                # open a while); the tab stays open while its server is killed.
                drawn = b""
                deadline = time.monotonic() + 60
                while OPEN not in CSI.sub(b"", drawn).decode("utf-8", "replace"):
                    assert time.monotonic() < deadline, "the desk never showed itself open"
                    message = await ws.receive(timeout=60)
                    if message.type == aiohttp.WSMsgType.BINARY:
                        drawn += message.data
                assert logged_in(db, "desk-1") == [("ben",)]
                (pid,) = served.desk_processes()
                nonlocal desk_pid
                desk_pid = pid
                os.kill(served.process.pid, signal.SIGKILL)
                served.process.wait(timeout=10)
                await ws.close()

        asyncio.run(open_tab())
        until(lambda: not alive(desk_pid), 30, f"desk process {desk_pid} ended")
        until(lambda: logged_in(db, "desk-1") == [], 30, "Ben logged out of desk-1")
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait()
        if desk_pid and alive(desk_pid):
            os.kill(desk_pid, signal.SIGKILL)


def test_a_desk_app_stopped_by_its_dead_server_s_pipe_still_logs_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app may stop on a write to its dead server's pipe before the kernel's signal comes
    (the pipe breaks first): whatever ended it, a browser desk logs its person out as it
    closes; a resident at the desk keeps them (as leaving does); a desk app that is no browser
    desk (a terminal's) is left alone."""
    from oss_desk.services.browser_desks import SERVER_PID_ENV, leave_browser_desk
    from oss_desk.services.queue import QueueService
    from oss_desk.services.session import open_session

    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=site_with_logins(tmp_path))
    clock = FixedClock(MONDAY_0930)
    ben = open_session(db=db, clock=clock, person="ben", desk_id="desk-1")
    greet = open_session(db=db, clock=clock, person="chloe", desk_id="greet-1")
    try:
        QueueService(ben).log_in("desk-1")
        monkeypatch.delenv(SERVER_PID_ENV, raising=False)  # a terminal's desk app
        assert not leave_browser_desk(ben, "desk-1")
        assert logged_in(db, "desk-1") == [("ben",)]
        monkeypatch.setenv(SERVER_PID_ENV, str(os.getppid() + 1))  # its server has gone
        issued = QueueService(greet).issue("C", print_ticket=False).ticket
        QueueService(ben).call(issued.id, "desk-1")
        assert not leave_browser_desk(ben, "desk-1")  # a resident is at the desk
        assert logged_in(db, "desk-1") == [("ben",)]
        QueueService(ben).finish(issued.id, "resolved")
        assert leave_browser_desk(ben, "desk-1")
        assert logged_in(db, "desk-1") == []
    finally:
        ben.close()
        greet.close()
