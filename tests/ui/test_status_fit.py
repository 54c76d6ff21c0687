"""The desk's status bar keeps every device's state in sight at 120 and at 80 columns, however
many print jobs failed: failures are summed up ("2 not printed"), the detail is in the question
the desk asks about each, and entries are never cut mid-word."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.device_faults import PRINTER_SILENT
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.ui.widgets.bars import StatusBar

from ..conftest import MONDAY_0930, site_toml
from .conftest import AppFactory, acting, office_db, until
from .test_delivery_ui import _worker_alive

PRINTER = "tcp://127.0.0.1:9?timeout=1"
BOARD = "ascii+serial:///dev/pts/0?baudrate=9600&address=01"


def _office(migrated: Path, tmp_path: Path) -> Path:
    """Five waiting, all long over target; the greeter's printer did not answer for two of
    their tickets; the board's port is not there."""
    extra = f'\n[board]\nurl = "{BOARD}"\n'
    db = office_db(migrated, tmp_path, site_toml(greet_printer=PRINTER, extra=extra))
    with acting(db) as session:
        queue = QueueService(session)
        for service in "CCBWC":
            queue.issue(service)
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE print_jobs SET status = 'failed', last_error = ? WHERE id IN (1, 2)",
        [PRINTER_SILENT],
    )
    now = format_instant(datetime.now(UTC))
    conn.execute(
        "INSERT INTO device_status (url, kind, status, detail, checked_at) VALUES "
        "(?, 'printer', 'unreachable', 'connection refused', ?), "
        "(?, 'board', 'offline', 'the board''s port /dev/pts/0 is not there', ?)",
        [PRINTER, now, BOARD, now],
    )
    conn.commit()
    conn.close()
    return db


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (
            120,
            "Desk: open   Waiting: 5   Over 15 min: 5   Printer: unreachable, 3 to print   "
            "Check: 2 not printed   Board: offline",
        ),
        (80, "Desk: open  Waiting: 5  Printer: unreachable, 3  Check: 2  Board: offline"),
    ],
)
async def test_every_device_stays_in_sight(
    migrated: Path, tmp_path: Path, make_app: AppFactory, width: int, expected: str
) -> None:
    db = _office(migrated, tmp_path)
    lock = _worker_alive(db)
    try:
        app = make_app(db, "greet-1", clock=FixedClock(MONDAY_0930.replace(hour=10)))
        async with app.run_test(size=(width, 30)) as pilot:
            # The desk asks about each job, with its reason in plain words.
            await until(lambda: isinstance(app.screen, ConfirmDialog))
            assert isinstance(app.screen, ConfirmDialog)
            assert str(app.screen.heading) == (
                "Ticket C001 was not printed (the printer did not answer). Reprint it?"
            )
            bar = app.screen_stack[-2].query_one(StatusBar)
            await until(lambda: "Board:" in str(bar.render()))
            await pilot.pause()
            line = str(bar.render())
            assert line == expected, line
            assert len(line) <= width - 2
    finally:
        lock.release()
