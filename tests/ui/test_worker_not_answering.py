"""A device worker that holds the lease but stopped answering (``kill -STOP``): every desk says
the worker is not answering and what the devices are doing is unknown, and keeps the time since
its last heartbeat current while nothing else changes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.clock import format_instant
from oss_desk.storage.lease import WorkerLock, take_over
from oss_desk.ui.widgets.bars import StatusBar

from .conftest import AppFactory, until


async def test_a_stopped_worker_is_not_answering_and_the_devices_unknown(
    office: Path, make_app: AppFactory
) -> None:
    lock = WorkerLock.acquire(office)
    assert lock is not None
    try:
        conn = sqlite3.connect(office)
        last = format_instant(datetime.now(UTC) - timedelta(seconds=16))
        take_over(conn, owner="w", role="service", pid=1, host="h", now=last)
        conn.commit()
        conn.close()
        app = make_app(office, "greet-1")
        async with app.run_test(size=(160, 36), notifications=True):
            await until(lambda: app.snapshot is not None)
            bar = app.screen.query_one(StatusBar)
            said = "state unknown, device worker not answering (last heartbeat 15 s ago)"
            await until(lambda: said in str(bar.render()))
            assert "not responding" not in str(bar.render())
            assert bar.has_class("-fault")
            # Nothing is written meanwhile: the desk still keeps the count current.
            later = "device worker not answering (last heartbeat 20 s ago)"
            await until(lambda: later in str(bar.render()), timeout=8)
    finally:
        lock.release()
