"""A desk issuing a printed ticket works out what it can before its turn to write: the look at
the device lease (a file lock) is made before the write lock is taken, not while holding it.
The lease file is made a FIFO here, so the look blocks where it is made (opening a FIFO waits
for its other end) and the test can see whether the desk holds the write lock meanwhile."""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import format_instant
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.tickets import Issued
from oss_desk.services.session import open_session
from oss_desk.storage.lease import WorkerLock, take_over
from oss_desk.storage.writelock import lock_path

from .conftest import make_db, rows, site_toml


def _in_function(thread: threading.Thread, name: str) -> bool:
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == name:
            return True
        frame = frame.f_back
    return False


def _write_lock_free(db: Path) -> bool:
    """Nobody holds the write lock (a look with a lock of our own, let go at once)."""
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # (lets the lock go, if it was taken)
    return True


def test_the_device_lease_is_looked_at_before_the_turn_to_write(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{tmp_path / 'p.escpos'}"))
    session = open_session(db=db, person="tl", desk_id="greet-1")
    try:
        with session.store.write() as conn:  # an owner's heartbeat, as a running worker keeps
            now = format_instant(datetime.now(UTC))
            take_over(conn, owner="w1", role="service", pid=os.getpid(), host="h", now=now)
        lease = WorkerLock.path_for(db)
        lease.unlink(missing_ok=True)
        os.mkfifo(lease)
        issued: list[Issued] = []

        def issue() -> None:
            at_desk = open_session(db=db, person="tl", desk_id="greet-1")
            try:
                issued.append(QueueService(at_desk).issue("C"))
            finally:
                at_desk.close()

        desk = threading.Thread(target=issue)
        desk.start()
        writer: int | None = None
        try:
            deadline = time.monotonic() + 20
            while not _in_function(desk, "lock_held"):
                assert desk.is_alive() and time.monotonic() < deadline, "the lease not looked at"
                time.sleep(0.005)
            # The desk waits on the lease's look: it must not hold the write lock meanwhile.
            assert _write_lock_free(db)
        finally:
            while writer is None:  # the look's other end: it goes on (and any look after it)
                try:
                    writer = os.open(lease, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:
                    time.sleep(0.005)
            desk.join(20)
            os.close(writer)
        assert len(issued) == 1 and issued[0].print_job is not None
        # No process holds the lease: the job waits for an owner, not handed to "w1".
        assert rows(db, "SELECT status, owner FROM print_jobs") == [("pending", None)]
    finally:
        session.close()
