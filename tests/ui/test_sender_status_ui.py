"""F4: the team leader's status line says when the mail server cannot be reached, as the worker
last found it, beside the printer (team leader's trial, part B, finding 1: it showed only the
printer while every email waited)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock, format_instant
from oss_desk.storage.devices import record_device
from oss_desk.storage.lease import WorkerLock, take_over
from oss_desk.storage.sender_states import record_sender
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.bars import StatusBar

from ..conftest import MONDAY_0930, make_db, site_toml
from .conftest import AppFactory, until

BOARD = "ascii+serial:///dev/pts/0?baudrate=9600&address=01"


async def test_the_team_leader_sees_the_mail_server_down(
    tmp_path: Path, make_app: AppFactory
) -> None:
    email = '\n[email]\nsmtp_url = "smtp://127.0.0.1:9?starttls=off"\n'
    db = make_db(tmp_path, site_toml(extra=f'\n[board]\nurl = "{BOARD}"\n{email}'))
    lock = WorkerLock.acquire(db)
    assert lock is not None
    try:
        conn = sqlite3.connect(db)
        now = format_instant(datetime.now(UTC))
        take_over(conn, owner="w", role="service", pid=1, host="h", now=now)
        down = "cannot reach the mail server (connection refused)"
        at = format_instant(MONDAY_0930.replace(hour=1, minute=13))  # 01:13 GMT
        record_sender(conn, via="smtp", status="retrying", detail=down, now=at)
        record_device(conn, url=BOARD, kind="board", status="ok", detail=None, now=now)
        conn.commit()
        conn.close()
        app = make_app(db, "desk-1", person="tl", clock=FixedClock(MONDAY_0930))
        async with app.run_test(size=(160, 30)) as pilot:
            await until(lambda: app.snapshot is not None)
            # An adviser's desk says nothing of it: the team leader sees to it.
            bar = app.screen.query_one(StatusBar)
            await until(lambda: "Printer:" in str(bar.render()))
            assert "Email" not in str(bar.render())
            await pilot.press("f4")
            await until(lambda: isinstance(app.screen, LeaderScreen))
            bar = app.screen.query_one(StatusBar)
            said = f"Email: {down} since 01:13"
            await until(lambda: said in str(bar.render()), timeout=10)
            # At 80 columns it stays in sight, whole, beside the desk's (no) printer and the
            # board (it was cut: "Email: not sen…").
            await pilot.resize_terminal(80, 30)
            await until(lambda: "Email: not sending" in str(bar.render()), timeout=10)
            assert "…" not in str(bar.render()), str(bar.render())
    finally:
        lock.release()
