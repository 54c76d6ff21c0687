"""doctor does not call a worker "running" whose lanes fail on every pass (trial 10 W1): its
heartbeat thread kept beating while every other lane failed on the configuration it could not
read and restarted every 2 s."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.errors import ConfigError
from oss_desk.services.session import Session, open_session
from oss_desk.storage.database import open_store
from oss_desk.storage.lease import WorkerLock, read_heartbeat
from oss_desk.worker.run import DeviceWorker

from .conftest import MONDAY_0930, make_db, run_cli_process


def test_doctor_says_a_worker_whose_lanes_keep_failing_is_failing(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    clock = FixedClock(MONDAY_0930)

    def lanes_cannot_read_it() -> Session:
        # The start and the heartbeat read it; every other lane fails on it, each time.
        if threading.current_thread().name not in ("MainThread", "oss-desk-heartbeat"):
            raise ConfigError(f"the configuration stored in {db}: council.x: unknown setting")
        return open_session(db=db, clock=clock, person="worker")

    lock = WorkerLock.acquire(db)
    assert lock is not None
    worker = DeviceWorker(lanes_cannot_read_it)
    worker.start()
    try:
        store = open_store(db)
        try:
            deadline = time.monotonic() + 20
            beat = read_heartbeat(store.conn)
            while (beat is None or not beat.failing) and time.monotonic() < deadline:
                time.sleep(0.1)
                beat = read_heartbeat(store.conn)
        finally:
            store.close()
        assert beat is not None and beat.failing, "the heartbeat never said the faults"
        found = run_cli_process("--db", str(db), "doctor")
        (line,) = [x for x in found.stdout.splitlines() if " worker: " in x]
        assert line.startswith("fail  worker: "), line
        assert "running but failing: " in line and "faults in the last minute" in line
        assert "ConfigError: the configuration stored in" in line
        assert found.returncode == 1
    finally:
        worker.join()
        lock.release()
