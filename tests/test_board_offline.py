"""A board that is unplugged: retried with a growing wait, logged once, never called "ok"."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from oss_desk.domain.delivery import BOARD_UNANSWERED
from oss_desk.services.delivery import board_part
from oss_desk.services.desk_view import take_snapshot
from oss_desk.services.queue import QueueService
from oss_desk.services.resident import board_message
from oss_desk.services.session import open_session

from .conftest import ROOT, make_db, run_cli_process, site_toml
from .hardware.fakes import Pty


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return list(conn.execute(sql))


def until(ok: Callable[[], bool], limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while not ok():
        assert time.monotonic() < deadline, f"not within {limit} s: {what}"
        time.sleep(0.02)


def board(db: Path) -> tuple[object, ...] | None:
    found = rows(db, "SELECT status, checked_at, ok_at FROM device_status WHERE kind = 'board'")
    return found[0] if found else None


def test_an_unplugged_board_is_retried_with_backoff_and_never_called_ok(tmp_path: Path) -> None:
    stable = tmp_path / "board-tty"
    plugged = Pty()
    stable.symlink_to(plugged.path)
    db = make_db(
        tmp_path,
        site_toml(extra=f'\n[board]\nurl = "ascii+serial://{stable}"\npoll_seconds = 0.2\n'),
    )
    log = tmp_path / "worker.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT))
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"], env=env, stderr=out, stdout=out
        )
    desk = open_session(db=db, person="ben", desk_id="desk-1")
    try:
        # The board's message with nobody called, as the product says it now ("Please take a
        # ticket", "Opens at 09:00", "Office closed"): a run crossing opening, closing or
        # midnight while the worker starts sees the worker redraw it with the new one.
        shown, deadline = b"", time.monotonic() + 15
        while board_message(desk, "hq").encode() not in shown:
            shown += plugged.read(b"\x03", timeout=max(deadline - time.monotonic(), 0))
        # A frame went out, but a serial board never replies: "sent", not "ok".
        until(lambda: (board(db) or ("",))[0] == "sent", 10, "the board recorded as sent")
        assert board(db) == ("sent", board(db)[1], None)  # type: ignore[index]
        # The desk's status area and doctor say the same: sent, a board does not reply.
        snap = take_snapshot(desk)
        part = board_part(snap.worker, snap.devices.get(snap.board_url or ""))
        assert part.text == f"sent ({BOARD_UNANSWERED})" and not part.fault, part
        checked = run_cli_process("doctor", env={"OSS_DESK_DB": str(db)}).stdout.splitlines()
        (line,) = [x for x in checked if " board " in x]
        assert line.startswith("ok") and BOARD_UNANSWERED in line and "ok (" not in line, line

        plugged.close()
        stable.unlink()  # unplugged: the device is gone
        queue = QueueService(desk)
        queue.issue("C")
        assert queue.call_next("desk-1") is not None  # an update waits for the board
        until(lambda: (board(db) or ("",))[0] == "offline", 10, "the board found offline")
        first = board(db)
        # Each try records when it was made: wait for two more tries (0.2 s, then 0.4, 0.8...).
        seen = {first[1]} if first else set()
        deadline = time.monotonic() + 10
        while len(seen) < 3:
            assert time.monotonic() < deadline, "the board was not tried again"
            now = board(db)
            assert now is not None and now[0] == "offline", now  # never ok while it is gone
            seen.add(now[1])
            time.sleep(0.01)
        text = log.read_text(encoding="utf-8", errors="replace")
        # Logged once for the change, not once per try (it was about 45 lines a second).
        assert text.count("board offline") == 1, text[-2000:]
        # Staff read plain words (the desks' status bar, doctor); the port's own error, with
        # its error numbers, goes to the log only.
        plain = f"the board's port {stable} is not there"
        assert rows(db, "SELECT detail FROM device_status WHERE kind = 'board'") == [(plain,)]
        snap = take_snapshot(desk)
        part = board_part(snap.worker, snap.devices.get(snap.board_url or ""))
        assert part.text == f"offline ({plain})" and part.fault, part
        logged = text.split("board offline: ", 1)[1].splitlines()[0]
        assert logged.startswith(f"the board's port {stable} ") and "[Errno" in logged, logged
        pending = rows(db, "SELECT count(*) FROM board_updates WHERE status = 'pending'")
        assert pending != [(0,)]  # the call is still to be shown

        again = Pty()  # plugged back in: the whole state goes out, and it is "sent" again
        stable.symlink_to(again.path)
        assert b"C001" in again.read(b"C001", timeout=15)
        until(lambda: (board(db) or ("",))[0] == "sent", 10, "the board back as sent")
        again.close()
    finally:
        desk.close()
        worker.terminate()
        worker.wait(20)
