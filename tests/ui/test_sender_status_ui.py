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
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.bars import StatusBar

from ..appointments_site import NOW, service_at
from ..messaging import free_port
from ..test_messages import at, deliver
from .conftest import AppFactory, appointments_office, until

BOARD = "ascii+serial:///dev/pts/0?baudrate=9600&address=01"


def worker_found(db: Path, url: str, kind: str, status: str) -> None:
    """A device worker owns the devices now (its lock held by the test) and found the device
    at ``url`` (a ``kind``) to be ``status``."""
    conn = sqlite3.connect(db)
    now = format_instant(datetime.now(UTC))
    take_over(conn, owner="w", role="service", pid=1, host="h", now=now)
    record_device(conn, url=url, kind=kind, status=status, detail=None, now=now)
    conn.commit()
    conn.close()


async def test_the_team_leader_sees_the_mail_server_down(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    # Nothing listens on the mail server's port: it is down.
    url = f"smtp://127.0.0.1:{free_port()}?starttls=off"
    db = appointments_office(migrated, tmp_path, smtp_url=url, extra=f'[board]\nurl = "{BOARD}"\n')
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    assert deliver(db, NOW) == (0, 0)  # the worker's try: refused, to be tried again
    lock = WorkerLock.acquire(db)
    assert lock is not None
    try:
        worker_found(db, BOARD, "board", "ok")
        app = make_app(db, "desk-1", person="tl", clock=FixedClock(NOW))
        async with app.run_test(size=(160, 30)) as pilot:
            await until(lambda: app.snapshot is not None)
            # An adviser's desk says nothing of it: the team leader sees to it.
            bar = app.screen.query_one(StatusBar)
            await until(lambda: "Printer:" in str(bar.render()))
            assert "Email" not in str(bar.render())
            await pilot.press("f4")
            await until(lambda: isinstance(app.screen, LeaderScreen))
            bar = app.screen.query_one(StatusBar)
            said = (
                "Email: cannot reach the mail server (connection refused) since 10:00 (1 waiting)"
            )
            await until(lambda: said in str(bar.render()), timeout=10)
            # At 80 columns it stays in sight, whole, beside the desk's (no) printer and the
            # board (it was cut: "Email: not sen…").
            await pilot.resize_terminal(80, 30)
            await until(lambda: "Email: not sending, 1" in str(bar.render()), timeout=10)
            assert "…" not in str(bar.render()), str(bar.render())
    finally:
        lock.release()
