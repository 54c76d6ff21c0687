"""The purge's truncating checkpoint (it scrubs the purged details out of the WAL) holds every
writer off while it waits for readers; it waited the whole busy timeout (15 s, up to 600 s), so a
purge run in the day, or meeting a backup's long read, refused desks' keys after their 5 s
(review 19). It now waits at most a second and leaves the rest to the next purge."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from oss_desk.storage.database import open_store
from oss_desk.storage.faults import DESK_WRITE_WAIT_SECONDS, busy_timeout
from oss_desk.storage.maintenance import CHECKPOINT_WAIT_SECONDS, checkpoint_truncate

from .conftest import make_db, site_toml


def test_a_reader_keeps_the_checkpoint_from_finishing_but_not_a_desk_from_writing(
    tmp_path: Path,
) -> None:
    assert CHECKPOINT_WAIT_SECONDS < DESK_WRITE_WAIT_SECONDS
    db = make_db(tmp_path, site_toml())
    store = open_store(db)
    reader = sqlite3.connect(db, isolation_level=None)
    writer = sqlite3.connect(db, isolation_level=None, timeout=DESK_WRITE_WAIT_SECONDS)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM desks").fetchone()  # holds an older snapshot
        writer.execute("UPDATE desks SET status = 'break' WHERE id = 'desk-1'")
        done: list[tuple[bool, float]] = []

        def checkpoint() -> None:  # on a connection of its own thread, the busy timeout's
            conn = sqlite3.connect(db, isolation_level=None, timeout=busy_timeout())
            try:
                started = time.monotonic()
                done.append((checkpoint_truncate(conn), time.monotonic() - started))
                after = conn.execute("PRAGMA busy_timeout").fetchone()[0]
                assert after == round(busy_timeout() * 1000)  # put back
            finally:
                conn.close()

        thread = threading.Thread(target=checkpoint)
        thread.start()
        time.sleep(0.2)  # the checkpoint is waiting for the reader, the writers held off
        started = time.monotonic()
        writer.execute("UPDATE desks SET status = 'open' WHERE id = 'desk-1'")  # a desk's key
        waited = time.monotonic() - started
        thread.join(30)
        ((finished, took),) = done
        assert not finished  # the reader kept it from truncating: the next purge tries again
        assert took < DESK_WRITE_WAIT_SECONDS, took
        assert waited < DESK_WRITE_WAIT_SECONDS, waited
    finally:
        reader.close()
        writer.close()
        store.close()
