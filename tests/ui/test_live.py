"""Live: other desks' changes appear within half a second, updated by key, cursor kept."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from oss_desk.services.queue import QueueService
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.queue_table import QueueTable

from ..conftest import MONDAY_0930, ROOT
from .conftest import AppFactory, acting, until


async def test_change_at_another_desk_updates_rows_by_key(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1")
    app.poll_interval = 0.15  # the production setting
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 4)
        table.focus()
        await pilot.press("down")
        assert table.selected_key() == "2"
        kept = {key.value: row for key, row in table.rows.items()}
        with acting(office, person="x", desk=None) as other:
            # A checked-in appointment: priority, so it goes to the top of the queue.
            ticket = QueueService(other).issue("C", priority=1).ticket
        # Heard without a key pressed here (how soon: the benchmarks' "another desk's change
        # seen" figure, not a bound here, which a loaded machine breaks).
        await until(lambda: table.row_count == 5)
        assert table.get_row_index(str(ticket.id)) == 0
        # The cursor stayed on the same resident although a row arrived above it...
        assert table.selected_key() == "2"
        # ...and the existing rows were updated in place, not rebuilt.
        now = {key.value: row for key, row in table.rows.items()}
        for key, row in kept.items():
            assert now[key] is row


CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from oss_desk.services.runner import SessionRunner
    from oss_desk.services.session import open_session
    from oss_desk.ui.app import OssDeskApp
    from oss_desk.ui.widgets.queue_table import QueueTable

    async def main():
        runner = SessionRunner(lambda: open_session(db=sys.argv[1], desk_id="desk-1"))
        runner.start()
        app = OssDeskApp(runner, desk_id="desk-1")  # the production poll interval
        async with app.run_test(size=(120, 36), notifications=True):
            while app.snapshot is None:
                await asyncio.sleep(0.01)
            print("ready", flush=True)
            code = (await asyncio.to_thread(sys.stdin.readline)).strip()
            table = app.screen.query_one(QueueTable)
            while not any(str(cells[1]) == code for cells in table._cells.values()):
                await asyncio.sleep(0.002)
            print(time.time(), flush=True)
        runner.close()

    asyncio.run(main())
    """
)


async def test_two_desk_app_processes(office: Path, make_app: AppFactory) -> None:
    """A ticket issued at one desk app appears at another desk app process within a second (in
    about 0.1-0.2 s on a quiet machine; 0.52 s was seen with three test workers on 2 cores: how
    fast is the benchmarks' row "a change visible at another desk", against a bare poller)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(office)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OSS_DESK_NOW": "2026-11-23T09:30:00Z"},
    )
    assert child.stdout is not None and child.stdin is not None
    try:
        line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), timeout=30)
        assert line.strip() == "ready"
        app = make_app(office, "greet-1")
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: app.snapshot is not None)
            child.stdin.write("W002\n")
            child.stdin.flush()
            await pilot.press("w")
            pressed = time.time()  # the commit happens after this, so this bound is strict
            await pilot.press("enter")
            await until(lambda: app.screen.query_one(BigCode).code == "W002")
            seen = float(await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), 10))
        assert seen - pressed < 1.0
    finally:
        child.kill()
        child.wait()


async def test_another_process_commit_is_heard_without_the_poll(
    office: Path, make_app: AppFactory
) -> None:
    """The doorbell: with the poll an hour apart, a ticket issued by another process (the real
    command line) is still on this desk's screen at once; and the bell is stopped on exit."""
    app = make_app(office, "desk-1")
    app.poll_interval = 3600.0
    async with app.run_test(size=(120, 36)):
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 4 and app._listener.listening, timeout=10)
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "oss_desk", "ticket", "issue", "--service", "C"],
            capture_output=True,
            text=True,
            env={**os.environ, "OSS_DESK_DB": str(office), "OSS_DESK_NOW": MONDAY_0930.isoformat()},
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        await until(lambda: table.row_count == 5, timeout=10)
    assert not app._listener.listening
