"""The desk never goes back to showing an older state than it has shown: a look at the device
worker that was under way while a newer snapshot came keeps that newer snapshot, and a refresh
the desk waits for (after its own write) returns only once a snapshot taken after it was asked
for is on screen (a key handled next is judged against that, never against an older one)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.clock import format_instant
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.queue import QueueService
from oss_desk.storage.lease import WorkerLock, take_over
from oss_desk.ui.app import OssDeskApp

from .conftest import AppFactory, acting, settled, until


@contextmanager
def worker_not_answering(db: Path) -> Iterator[Callable[[int], None]]:
    """A device worker that holds the lease and last beat 16 s ago (the desk says "not
    answering (last heartbeat 15 s ago)"); what it gives sets how many seconds ago its last
    heartbeat was."""

    def beat_ago(seconds: int) -> None:
        conn = sqlite3.connect(db)
        last = format_instant(datetime.now(UTC) - timedelta(seconds=seconds))
        take_over(conn, owner="w", role="service", pid=1, host="h", now=last)
        conn.commit()
        conn.close()

    lock = WorkerLock.acquire(db)
    assert lock is not None
    try:
        beat_ago(16)
        yield beat_ago
    finally:
        lock.release()


@contextmanager
def database_thread_held(app: OssDeskApp) -> Iterator[None]:
    """The desk's database thread busy (as with a long read) until the block ends: what the
    desk sends it meanwhile waits, in order."""
    gate = threading.Event()
    app.runner.submit(lambda _session: gate.wait(15))
    try:
        yield
    finally:
        gate.set()


def issue_elsewhere(db: Path) -> None:
    """Another desk issues a ticket (a fifth resident waiting)."""
    with acting(db) as session:
        QueueService(session).issue("C", print_ticket=False)


def waiting_shown(app: OssDeskApp) -> list[int]:
    """How many tickets the desk shows, at each snapshot it is given from now on."""
    shown: list[int] = []

    def seen(snapshot: DeskSnapshot | None) -> None:
        if snapshot is not None:
            shown.append(len(snapshot.queue))

    app.follow_snapshot(app.screen, seen)
    return shown


async def test_a_device_check_under_way_keeps_the_newer_snapshot(
    office: Path, make_app: AppFactory
) -> None:
    with worker_not_answering(office) as beat_ago:
        app = make_app(office, "greet-1")
        async with app.run_test(size=(160, 36)) as pilot:
            await until(lambda: app.snapshot is not None and len(app.snapshot.queue) == 4)
            shown = waiting_shown(app)
            with database_thread_held(app):
                await asyncio.sleep(0.2)  # what was sent before is back
                issue_elsewhere(office)
                beat_ago(26)  # the desk's next look at the worker says "25 s ago"
                refresh = asyncio.create_task(app.refresh_data())
                await asyncio.sleep(0)  # its snapshot sent first: it comes first
                check = asyncio.create_task(app._check_devices())
                await asyncio.sleep(0.2)
            await refresh
            await check
            await settled(pilot)
            assert shown[-1] == 5
            assert shown == sorted(shown), shown  # never back to four


async def test_an_awaited_refresh_returns_with_a_snapshot_taken_after_it_was_asked(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(160, 36)):
        await until(lambda: app.snapshot is not None and len(app.snapshot.queue) == 4)
        with database_thread_held(app):
            first = asyncio.create_task(app.refresh_data())
            await asyncio.sleep(0)  # a refresh under way, its snapshot sent
            issue_elsewhere(office)
            asked = asyncio.create_task(app.refresh_data())  # the way after_write asks
            await asyncio.sleep(0.2)
        await asked
        snapshot = app.snapshot
        assert snapshot is not None
        assert len(snapshot.queue) == 5
        await first
