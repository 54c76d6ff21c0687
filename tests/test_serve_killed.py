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

from .browser_desks import site_with_logins, start_server
from .conftest import MONDAY_0930

pytestmark = pytest.mark.slow


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
                message = await ws.receive(timeout=60)  # the desk has drawn its screen
                assert message.type == aiohttp.WSMsgType.BINARY
                # The tab stays open while its server is killed.
                until(lambda: logged_in(db, "desk-1") == [("ben",)], 60, "Ben logged in")
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
