"""A board added by ``oss-desk init`` while the device worker runs is driven at once, and one
taken away is let go (an IT administrator's trial: the worker read the board once at start, so
a board added later showed no call until the worker was restarted, while doctor said the worker
was running and the port opened). The real worker process, the board on a pty."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import ROOT, make_db, run_cli_process, site_toml
from .hardware.fakes import Pty


def until(ok: Callable[[], bool], limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while not ok():
        assert time.monotonic() < deadline, f"not within {limit} s: {what}"
        time.sleep(0.05)


def test_a_board_added_and_taken_away_by_init_is_followed_without_a_restart(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, site_toml())  # no board yet
    config = tmp_path / "site.toml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT))
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"], env=env, stderr=out, stdout=out
        )
    desk = open_session(db=db, person="ben", desk_id="desk-1")
    board = Pty()
    try:
        queue = QueueService(desk)
        queue.issue("C")
        assert queue.call_next("desk-1") is not None
        until(lambda: "worker" in log.read_text(errors="replace"), 30, "the worker started")
        config.write_text(
            site_toml(extra=f'\n[board]\nurl = "ascii+serial://{board.path}"\npoll_seconds = 0.2\n')
        )
        loaded = run_cli_process("init", "--config", str(config), env={"OSS_DESK_DB": str(db)})
        assert loaded.returncode == 0, loaded.stderr
        # The call made before the board was configured is shown on it: no restart.
        assert b"C001" in board.read(b"C001", timeout=20)

        config.write_text(site_toml())  # the board taken away
        loaded = run_cli_process("init", "--config", str(config), env={"OSS_DESK_DB": str(db)})
        assert loaded.returncode == 0, loaded.stderr
        until(
            lambda: "board: none configured now" in log.read_text(errors="replace"),
            20,
            "the worker let the board go",
        )
        assert worker.poll() is None  # still running, its other lanes untouched
    finally:
        board.close()
        desk.close()
        worker.terminate()
        worker.wait(20)
