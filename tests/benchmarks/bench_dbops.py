"""Backup benchmarks: the online backup API against VACUUM INTO, idle and with 4 desks writing.

Run: .venv/bin/python -m tests.benchmarks dbops        (add --quick for a smoke run)

Databases: the demo office (15 days of history, as `oss-desk demo` builds it) and a bigger one
(the demo's event log grown to a million rows, several years of a busy office). Each
backup goes through ``oss_desk.services.backups.backup`` (copy, verify with integrity_check and
row counts, fsync, rename). While 4 desk processes issue, call and finish tickets flat out, the
slowest of their transactions during the backup shows what a backup costs the desks.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock
from oss_desk.services import backups
from oss_desk.services.demo import populate
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
_CTX = multiprocessing.get_context("fork")


def demo_db(tmp: Path, days: int, per_day: int = 120) -> Path:
    db = tmp / "office.sqlite"
    initialise(db, clock=FixedClock(NOW), demo_dir=tmp)
    session = open_session(db=db, clock=FixedClock(NOW), person="bench", desk_id="greet-1")
    try:
        populate(session, days=days, visitors_per_day=per_day)
    finally:
        session.close()
    return db


def grow(db: Path, events: int) -> None:
    """Copies of the event log's rows (detached from visits) until it holds ``events`` rows."""
    conn = sqlite3.connect(db)
    try:
        while (have := conn.execute("SELECT count(*) FROM events").fetchone()[0]) < events:
            conn.execute(
                "INSERT INTO events (at, business_day, local_hour, site_id, kind, actor, desk_id,"
                " service_code, outcome, data) SELECT at, business_day, local_hour, site_id, kind,"
                " actor, desk_id, service_code, outcome, data FROM events LIMIT ?",
                [events - have],
            )
            conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _writer(db: str, desk: str, stop: Any, start: Any, out: Any) -> None:
    session = open_session(db=db, clock=FixedClock(NOW), person=desk, desk_id=desk)
    queue = QueueService(session)
    worst = 0.0
    count = 0
    try:
        if (busy := queue.current_ticket(desk)) is not None:  # the demo's adviser, busy now
            queue.finish(busy.id, "resolved")
        while not stop.is_set():
            t0 = time.perf_counter()
            queue.issue("C", print_ticket=False)
            ticket = queue.call_next(desk)
            if ticket is not None:
                queue.finish(ticket.id, "resolved")
            took = (time.perf_counter() - t0) / 3
            if start.is_set():
                worst = max(worst, took)
                count += 1
    finally:
        session.close()
        out.put((worst, count))


def measure(db: Path, method: str, writers: int, alone: float = 0.0) -> dict[str, float]:
    """A backup with ``writers`` desks writing (``method`` "none" and ``alone`` seconds: the
    desks alone, for comparison)."""
    stop, start, out = _CTX.Event(), _CTX.Event(), _CTX.Queue()
    procs = [
        _CTX.Process(target=_writer, args=(str(db), f"desk-{i}", stop, start, out))
        for i in range(1, writers + 1)
    ]
    for p in procs:
        p.start()
    time.sleep(1.0 if writers else 0)
    start.set()
    seconds, size = alone, 0
    if method == "none":
        time.sleep(alone)
    else:
        session = open_session(db=db, clock=FixedClock(NOW), person="bench", check=False)
        try:
            folder = db.parent / "bench-backups"
            folder.mkdir(exist_ok=True)  # a backup destination must exist
            result = backups.backup(session, to=f"{folder}/", method=method)
            seconds, size = result.seconds, result.bytes
        finally:
            session.close()
    stop.set()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return {
        "seconds": seconds,
        "bytes": size,
        "worst_ms": max((w for w, _ in results), default=0.0) * 1000,
        "ops": sum(n for _, n in results),
    }


def report(label: str, db: Path, writers_list: tuple[int, ...]) -> None:
    size = db.stat().st_size
    events = sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0]
    print(f"{label}: {size / (1 << 20):.1f} MiB, {events} events")
    for writers in writers_list:
        took = 0.0
        for method in ("backup-api", "vacuum"):
            r = measure(db, method, writers)
            took = max(took, r["seconds"])
            load = f"{writers} desks writing" if writers else "idle"
            extra = (
                f", slowest desk transaction {r['worst_ms']:.0f} ms over {r['ops']:.0f} cycles"
                if writers
                else ""
            )
            print(
                f"  {method:10s} {load:16s} {r['seconds']:.2f} s (copy + verify), "
                f"{r['bytes'] / (1 << 20):.1f} MiB{extra}"
            )
        if writers:
            r = measure(db, "none", writers, alone=took)
            print(
                f"  (no backup) {writers} desks writing for {took:.2f} s: slowest desk transaction "
                f"{r['worst_ms']:.0f} ms over {r['ops']:.0f} cycles (this machine's own noise)"
            )


def main(quick: bool = False) -> None:
    with tempfile.TemporaryDirectory() as name:
        db = demo_db(Path(name), *((1, 20) if quick else (15, 120)))
        print("Backups (oss-desk db backup: copy, integrity_check, row counts, fsync, rename)")
        report("  demo database", db, (0,) if quick else (0, 4))
        if not quick:
            grow(db, 1_000_000)
            report("  bigger database", db, (0, 4))
