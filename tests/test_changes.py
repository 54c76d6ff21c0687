"""Change detection between processes with PRAGMA data_version."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.storage.changes import ChangeFeed

from .conftest import MONDAY_0930, ROOT


def test_own_writes_need_force_and_other_connections_are_seen(db_path: Path) -> None:
    mine = open_session(db=db_path, clock=FixedClock(MONDAY_0930), person="a")
    other = open_session(db=db_path, clock=FixedClock(MONDAY_0930), person="b")
    try:
        feed = ChangeFeed(mine.store)
        assert feed.poll() is None
        own = QueueService(mine).issue("C").ticket
        assert feed.poll() is None  # a connection does not see its own commits this way...
        forced = feed.poll(force=True)  # ...so it refreshes itself after its writes
        assert forced is not None and forced.ticket_ids == {own.id}
        theirs = QueueService(other).issue("B").ticket
        seen = feed.poll()
        assert seen is not None
        assert seen.ticket_ids == {theirs.id}
        assert [e.kind for e in seen.events] == ["arrived", "ticket_issued"]
        assert feed.poll() is None
        QueueService(other).set_desk_status("desk-2", "break")
        status = feed.poll()
        assert status is not None and status.desk_ids == {"desk-2"}
    finally:
        mine.close()
        other.close()


WATCHER = textwrap.dedent(
    """
    import sys
    from oss_desk.storage.database import open_store
    from oss_desk.storage.changes import ChangeFeed
    feed = ChangeFeed(open_store(sys.argv[1]))
    print("ready", flush=True)
    changes = feed.wait(timeout=120, interval=0.01)
    print(sorted(changes.ticket_ids) if changes else None, flush=True)
    """
)


def test_another_process_waiting_for_a_change_sees_the_ticket(db_path: Path) -> None:
    """How soon it sees it is measured beside a floor in the benchmarks (`core`: change
    detection between processes); a bound on the clock here failed on a loaded machine."""
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(db_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert watcher.stdout is not None
    assert watcher.stdout.readline().strip() == "ready"
    session = open_session(db=db_path, clock=FixedClock(MONDAY_0930), person="greeter")
    try:
        ticket = QueueService(session).issue("C").ticket
    finally:
        session.close()
    ids = watcher.stdout.readline()
    watcher.wait(timeout=10)
    assert ids.strip() == f"[{ticket.id}]"


@pytest.mark.parametrize("hear_ring", [True, False])
def test_wait_hears_another_process_commit_long_before_its_next_poll(
    db_path: Path, hear_ring: bool
) -> None:
    """The doorbell: polls 60 s apart, and a ticket issued by another process (the real command
    line) still ends the wait at once; also for a feed that listens to the WAL file only (the
    device worker's change watcher: it hears the commit being written, then looks until the
    commit can be seen)."""
    import threading

    mine = open_session(db=db_path, clock=FixedClock(MONDAY_0930), person="a")
    feed = ChangeFeed(mine.store, hear_ring=hear_ring)
    result: list[subprocess.CompletedProcess[str]] = []

    def issue() -> None:
        result.append(
            subprocess.run(
                [sys.executable, "-m", "oss_desk", "ticket", "issue", "--service", "C"],
                capture_output=True,
                text=True,
                env={
                    **os.environ,
                    "OSS_DESK_DB": str(db_path),
                    "OSS_DESK_NOW": MONDAY_0930.isoformat(),
                },
                cwd=ROOT,
                timeout=60,
            )
        )

    other = threading.Thread(target=issue)
    try:
        assert feed.wait(timeout=0.01, interval=60) is None  # the bell is set up, nothing new
        started = time.monotonic()
        other.start()
        changes = feed.wait(timeout=120, interval=60)
        assert time.monotonic() - started < 55  # not the next poll: the commit itself
        other.join(60)
        assert result and result[0].returncode == 0, result[0].stderr if result else None
        assert changes is not None and len(changes.ticket_ids) == 1
    finally:
        feed.close()
        mine.close()


def test_a_feed_that_hears_the_ring_does_not_settle_after_a_commit_it_has_seen(
    db_path: Path,
) -> None:
    """The rest of a commit already seen (its WAL writes after the ring, or its ring after the
    look) rings again: a feed that hears the ring looks once more, then waits for the next
    ring or poll; it does not look every few milliseconds for a quarter of a second, as a
    feed on the WAL file alone must (the device worker's watcher did that after every commit,
    about 50 looks a ticket)."""
    mine = open_session(db=db_path, clock=FixedClock(MONDAY_0930), person="a")
    other = open_session(db=db_path, clock=FixedClock(MONDAY_0930), person="b")
    looks: list[str] = []
    try:
        for hear_ring, most in ((True, 3), (False, None)):
            feed = ChangeFeed(mine.store, hear_ring=hear_ring)
            assert feed.wait(timeout=0, interval=60) is None  # the bell is set up
            QueueService(other).issue("C")
            assert feed.poll() is not None  # seen; its rings are still to be read
            looks.clear()
            mine.store.conn.set_trace_callback(looks.append)
            try:
                assert feed.wait(timeout=0.2, interval=60) is None
            finally:
                mine.store.conn.set_trace_callback(None)
                feed.close()
            polls = looks.count("PRAGMA data_version")
            if most is not None:
                assert polls <= most
            else:
                assert polls > 3  # the WAL alone: it settles (what the ring spares)
    finally:
        mine.close()
        other.close()
