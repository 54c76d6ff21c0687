"""What a desk is told about delivery: a ticket that may not have printed is asked about at the
desk that issued it; the team leader sees messages not sent until someone says they are seen to."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.delivery import HEARTBEAT_SECONDS
from oss_desk.services.session import open_session
from oss_desk.storage.lease import WorkerLock, beat, take_over
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.bars import StatusBar
from oss_desk.worker.printing import PrintDelivery

from ..appointments_site import NOW, service_at
from ..conftest import MONDAY_0930
from ..escpos_decoder import decode, text_lines
from .conftest import AppFactory, acting, appointments_office, pressed_to, rows, until


class WorkerAlive:
    """The owner of the devices, as desks see it: it holds the lease and beats at a worker's
    pace until released. Beaten once, it went stale 15 s on (three missed beats), and a test
    that a busy machine stretched past that saw "device worker not answering"."""

    def __init__(self, db: Path) -> None:
        lock = WorkerLock.acquire(db)
        assert lock is not None
        self._lock, self._db, self._stop = lock, db, threading.Event()
        self._write(
            lambda conn, now: take_over(conn, owner="w", role="service", pid=1, host="h", now=now)
        )
        self._thread = threading.Thread(target=self._beating, daemon=True)
        self._thread.start()

    def _write(self, change: Callable[[sqlite3.Connection, str], object]) -> None:
        conn = sqlite3.connect(self._db, timeout=30)
        try:
            change(conn, format_instant(datetime.now(UTC)))
            conn.commit()
        finally:
            conn.close()

    def _beating(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self._write(
                lambda conn, now: beat(conn, pid=1, host="h", started_at=now, now=now, owner="w")
            )

    def release(self) -> None:
        self._stop.set()
        self._thread.join(60)
        self._lock.release()


def _worker_alive(db: Path) -> WorkerAlive:
    return WorkerAlive(db)


async def issued_and_failed(pilot: Any, app: Any, office: Path) -> None:
    """C003 issued at meet-and-greet, its print job then failed (connection refused): the
    desk asks about it."""
    await pilot.press("c", "enter")
    await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(1,)])
    conn = sqlite3.connect(office)
    conn.execute("UPDATE print_jobs SET status = 'failed', last_error = 'connection refused'")
    conn.commit()
    conn.close()
    await until(lambda: isinstance(app.screen, ConfirmDialog))


async def test_may_not_have_printed_is_asked_and_the_reprint_says_copy(
    office: Path, make_app: AppFactory, tmp_path: Path
) -> None:
    lock = _worker_alive(office)
    app = make_app(office, "greet-1")
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: app.snapshot is not None)
            await pilot.press("c", "enter")
            await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(1,)])
            # The worker sent it all, and the printer never confirmed it.
            conn = sqlite3.connect(office)
            conn.execute(
                "UPDATE print_jobs SET status = 'uncertain', started_at = '2026-11-23T09:30:00Z',"
                " sent_at = '2026-11-23T09:30:01Z', last_error = 'the printer did not confirm'"
            )
            conn.commit()
            conn.close()
            await until(lambda: isinstance(app.screen, ConfirmDialog))
            assert isinstance(app.screen, ConfirmDialog)
            assert str(app.screen.heading) == (
                "Ticket C003 may not have printed. Reprint it (it will say COPY)?"
            )
            await pilot.press("y")
            await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(2,)])
            bar = app.screen.query_one(StatusBar)
            await until(lambda: "may not have printed" not in str(bar.render()))
            assert rows(office, "SELECT acknowledged_by FROM print_jobs WHERE id = 1") == [("tl",)]
        worker = open_session(db=office, clock=FixedClock(MONDAY_0930), person="worker")
        # The reprint was handed to the running owner of the devices ("w") as it was queued.
        assert PrintDelivery(worker, owner="w").deliver_due().printed == 1
        worker.close()
        lines = text_lines(decode((tmp_path / "greet-printer.bin").read_bytes()))
        assert lines[0] == "COPY" and "C003" in lines
    finally:
        lock.release()


async def test_a_question_answered_at_another_desk_goes_away_and_frees_the_keys(
    office: Path, make_app: AppFactory
) -> None:
    """The same question is asked wherever the ticket's desk is open; once one desk answers it,
    it leaves the others by itself, saying why it may have gone, and their next key acts on
    their own screen (it stayed up, swallowing an adviser's keys, and an answer there said
    "Invalid input")."""
    from oss_desk.domain.models import Actor
    from oss_desk.services.delivery import answer_job

    lock = _worker_alive(office)
    app = make_app(office, "greet-1")
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: app.snapshot is not None)
            screen = app.screen
            await issued_and_failed(pilot, app, office)
            assert isinstance(app.screen, ConfirmDialog)
            assert str(app.screen.heading) == (
                "Ticket C003 was not printed (connection refused). Reprint it?"
            )
            # Another terminal at the same desk answers it: leave it.
            with acting(office, desk=None) as other:
                answer_job(other, Actor("tl", "greet-1"), 1, reprint=False)
            await until(lambda: app.screen is screen)
            said = (
                "No answer needed",
                "Ticket C003: no answer needed now (answered at a desk, a later copy was made, "
                "or the ticket is over)",
            )
            await until(lambda: said in [(n.title, n.message) for n in app._notifications])
            await pilot.press("c", "enter")  # the next key is the desk's own again
            await until(lambda: rows(office, "SELECT count(*) FROM tickets") == [(6,)])
            assert rows(office, "SELECT count(*) FROM print_jobs") == [(2,)]  # no reprint
    finally:
        lock.release()


async def test_reprint_answered_for_a_ticket_now_over_says_why_and_asks_no_more(
    office: Path, make_app: AppFactory
) -> None:
    """C003's print failed and, while the desk asked "Reprint it?", the ticket was cancelled
    at another terminal: the question goes away by itself, saying no answer is needed now (no
    copy that could never print is queued), and is not asked again. Doctor still counts the
    failed job: it did fail."""
    from oss_desk.domain.delivery import NO_ANSWER_NEEDED
    from oss_desk.services.queue import QueueService

    lock = _worker_alive(office)
    app = make_app(office, "greet-1")
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: app.snapshot is not None)
            screen = app.screen
            await issued_and_failed(pilot, app, office)
            with acting(office, desk=None) as other:
                QueueService(other).cancel("C003", reason="left")
            said = ("No answer needed", f"Ticket C003: {NO_ANSWER_NEEDED}")
            await until(lambda: said in [(n.title, n.message) for n in app._notifications])
            assert app.screen is screen
            assert rows(office, "SELECT count(*), status FROM print_jobs") == [(1, "failed")]
            await pilot.press("c", "enter")  # the desk carries on; nothing asked again
            await until(lambda: rows(office, "SELECT count(*) FROM tickets") == [(6,)])
            assert app.screen is screen
    finally:
        lock.release()


async def test_the_team_leader_sees_messages_not_sent_until_acknowledged(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = appointments_office(migrated, tmp_path, smtp_url="smtp://127.0.0.1:9?starttls=off")
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", "2026-11-24T11:00:00Z", channel="email", email="r@example.org")
    session.close()
    conn = sqlite3.connect(db)  # the worker gave up on it (the mail server was down all day)
    conn.execute("UPDATE messages SET status = 'failed', last_error = 'not delivered in time'")
    conn.commit()
    conn.close()
    at = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    app = make_app(db, None, clock=at)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LeaderScreen, "f4")
        bar = app.screen.query_one(StatusBar)
        await until(lambda: "1 confirmation for today not sent" in str(bar.render()))
        assert bar.has_class("-fault")
        await pressed_to(pilot, ConfirmDialog, "a")
        await pilot.press("y")
        acknowledged = "SELECT count(*) FROM messages WHERE acknowledged_by = 'tl'"
        await until(lambda: rows(db, acknowledged) == [(1,)])
        # The leader's own bar (a key hold may be over the screen as the question closes).
        await until(lambda: "not sent" not in str(bar.render()))


async def test_the_team_leader_sees_a_message_that_may_have_been_sent_until_acknowledged(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Today's confirmation, no longer wanted after a try the mail server may have taken
    (recorded 'uncertain', as the worker records it): the team leader's status line says it
    may have been sent, and A (seen to) clears it."""
    db = appointments_office(migrated, tmp_path, smtp_url="smtp://127.0.0.1:9?starttls=off")
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", "2026-11-24T11:00:00Z", channel="email", email="r@example.org")
    session.close()
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE messages SET status = 'uncertain', last_error = 'the appointment was cancelled;"
        " an earlier try may have reached the mail server' WHERE kind = 'confirmation'"
    )
    conn.commit()
    conn.close()
    at = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    app = make_app(db, None, clock=at)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LeaderScreen, "f4")
        bar = app.screen.query_one(StatusBar)
        await until(lambda: "1 confirmation for today may have been sent" in str(bar.render()))
        await pressed_to(pilot, ConfirmDialog, "a")
        await pilot.press("y")
        acknowledged = "SELECT count(*) FROM messages WHERE acknowledged_by = 'tl'"
        await until(lambda: rows(db, acknowledged) == [(1,)])
        await until(
            lambda: "may have been sent" not in str(app.screen.query_one(StatusBar).render())
        )
