"""What one queue cycle (issue, call next, finish) writes: every index it updates is one that a
query reads, so no acknowledged action pays for an index nobody uses.

The trees are read as the speed table's cycle row reads them (``python -m tests.benchmarks
table``): each WAL frame the cycle's commits appended, by the table or index its page belongs
to (SQLite's ``dbstat``), on a real database file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

from .conftest import TRAINING

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
PAGE = 4096
WAL_HEADER = 32

READ_BY = {
    "sqlite_autoindex_tickets_1": "UNIQUE (site, service, day, number): no number twice",
    "tickets_by_day": "a day's tickets of a site (the screen), a ticket by its code",
    "tickets_call_order": "call next and the live queue (tests/test_query_plans.py)",
    "tickets_at_desk": "the live queue, a desk's ticket (tests/test_query_plans.py)",
    "tickets_visit": "a visit's tickets (finish: is any still open)",
    "tickets_finished": "the estimated wait: a service's recent service times",
    "events_day": "the reports' counts by day and kind",
    "events_visit": "a visit's story, the rollup's triggers",
    "events_one_arrival": "UNIQUE: one arrival a visit",
    "events_one_finish": "UNIQUE: one finish a visit",
    "visit_facts_day": "the reports' arrivals (tests/test_query_plans.py)",
    "visit_facts_finish": "the reports' finishes (tests/test_query_plans.py)",
    "visit_facts_served": "the reports' service times (tests/test_query_plans.py)",
}
"""Each index a cycle writes, and what reads it."""


def office(tmp_path: Path) -> Path:
    config = tmp_path / "site.toml"
    config.write_text(
        TRAINING + '[[sites]]\nid = "hq"\nname = "HQ"\n'
        '[[services]]\ncode = "C"\nname = "Council Tax"\n'
        '[[desks]]\nid = "greet-1"\nkind = "meet-and-greet"\n'
        '[[desks]]\nid = "desk-1"\n'
        "[queue]\nstaffed_desks_only = false\n"
    )
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(NOW), config_path=config)
    return db


def trees_written(conn: sqlite3.Connection, db: Path) -> set[str]:
    """The tables and indexes of the pages in the WAL's frames (``conn``: open on ``db``, so
    that the WAL is still there)."""
    owners = {int(p): str(n) for n, p in conn.execute("SELECT name, pageno FROM dbstat")}
    found = set()
    with open(f"{db}-wal", "rb") as wal:
        wal.seek(WAL_HEADER)
        while len(header := wal.read(24)) == 24:
            found.add(owners.get(int.from_bytes(header[:4], "big"), "other"))
            wal.seek(PAGE, 1)
    return found


def test_every_index_a_queue_cycle_writes_is_read_by_a_query(tmp_path: Path) -> None:
    db = office(tmp_path)
    session = open_session(db=db, clock=FixedClock(NOW), person="lead", desk_id="desk-1")
    try:
        queue = QueueService(session)
        session.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for _ in range(5):
            queue.issue("C", print_ticket=False)
            called = queue.call_next("desk-1")
            assert called is not None
            queue.finish(called.id, "resolved")
        conn = session.store.conn
        tables = {
            str(r[0]) for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        }
        # Page 1 (sqlite_schema: its header counts the file's pages) is written as the file
        # grows; "other": pages no tree holds (the free list).
        indexes = trees_written(conn, db) - tables - {"sqlite_schema", "other"}
    finally:
        session.close()
    assert indexes <= set(READ_BY), sorted(indexes - set(READ_BY))
    assert "visits" in tables and "tickets_call_order" in indexes  # the cycle was seen
