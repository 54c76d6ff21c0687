"""Core benchmarks: the queue cycle against bare SQLite, 16-process contention, change detection.

Run: .venv/bin/python -m tests.benchmarks core        (add --quick for a smoke run)
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock
from oss_desk.domain.stats import percentile as nearest_rank
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.storage.queue import active_tickets

from ..migrated import copy_of, unstamp

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def percentile(values: list[float], q: float) -> float:
    result = nearest_rank(values, q)
    assert result is not None
    return result


_MIGRATED: list[Path] = []
"""This process's database with every migration applied and no office loaded (made on first
use, in a folder removed when the process exits, then only copied: :func:`site`)."""
_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []


def _migrated() -> Path:
    if not _MIGRATED:
        folder = tempfile.TemporaryDirectory(prefix="bench-migrated-")
        db = Path(folder.name) / "migrated.sqlite"
        initialise(db, clock=FixedClock(NOW))
        unstamp(db)
        _MIGRATED.append(db)
        _FOLDERS.append(folder)  # kept (and removed at exit) with the file
    return _MIGRATED[0]


def site(tmp: Path, desks: int) -> Path:
    """An office of ``desks`` adviser desks and a greeter, from a copy of a migrated database
    (creating the schema is most of what a new one costs; set-up, not measured): as
    ``oss-desk init --config`` on a database with its schema and no office yet, with the
    office id, the resident secret and the file's stamps made afresh (as tests/conftest.py's
    ``make_db``, which tests/test_make_db.py compares row for row with one made afresh)."""
    config = tmp / "site.toml"
    lines = [
        '[access]\nuser_override = "anyone"\nname_unlisted = true\n',  # many people, one login
        '[[sites]]\nid = "hq"\nname = "HQ"\n',
        '[[services]]\ncode = "C"\nname = "Council Tax"\n',
        '[[services]]\ncode = "B"\nname = "Benefits"\n',
        '[[desks]]\nid = "greet-1"\nkind = "meet-and-greet"\n',
    ]
    lines += [f'[[desks]]\nid = "desk-{i}"\n' for i in range(1, desks + 1)]
    lines.append("[queue]\nstaffed_desks_only = false\n")
    config.write_text("\n".join(lines))
    db = tmp / "bench.sqlite"
    copy_of(_migrated(), db)
    initialise(db, clock=FixedClock(NOW), config_path=config)
    return db


def bare_insert(tmp: Path, n: int) -> list[float]:
    """A single-row insert transaction with the same durability pragmas (WAL, FULL)."""
    conn = sqlite3.connect(tmp / "bare.sqlite", timeout=15, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT NOT NULL, v TEXT NOT NULL)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (at, v) VALUES (?, ?)", ["2026-11-23T10:00:00.000Z", str(i)])
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    conn.close()
    return times


def cycles(db: Path, n: int) -> tuple[list[float], list[float]]:
    """issue + call next + finish, each its own durable transaction, as a desk does them."""
    clock = FixedClock(NOW)
    session = open_session(db=db, clock=clock, person="bench", desk_id="desk-1")
    queue = QueueService(session)
    cycle_times, op_times = [], []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            queue.issue("C")
            t1 = time.perf_counter()
            called = queue.call_next("desk-1")
            t2 = time.perf_counter()
            assert called is not None
            queue.finish(called.id, "resolved")
            t3 = time.perf_counter()
            cycle_times.append(t3 - t0)
            op_times += [t1 - t0, t2 - t1, t3 - t2]
    finally:
        session.close()
    return cycle_times, op_times


CONTENDER = textwrap.dedent(
    """
    import sys, time, json
    from datetime import datetime, UTC
    from oss_desk.clock import FixedClock
    from oss_desk.services.queue import QueueService
    from oss_desk.services.session import open_session
    import random
    db, desk, seconds, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    gap = float(sys.argv[5])  # mean think time between operations (0: flat out)
    rng = random.Random(desk)
    session = open_session(db=db, clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=UTC)),
                           desk_id=desk, person=desk)
    q = QueueService(session)
    while time.time() < start_at:
        time.sleep(0.001)
    lat, called, issued = [], [], []
    end = time.time() + seconds
    def timed(fn, *args):
        if gap:
            time.sleep(rng.uniform(0, 2 * gap))
        t0 = time.perf_counter()
        result = fn(*args)
        lat.append(time.perf_counter() - t0)
        return result
    while time.time() < end:
        issued.append(timed(q.issue, "C").ticket.code)
        c = timed(q.call_next, desk)
        if c is not None:
            called.append(c.id)
            timed(q.finish, c.id, "resolved")
    print(json.dumps({"lat": lat, "called": called, "issued": issued}))
    """
)


def contention(tmp: Path, processes: int, seconds: float, gap: float = 0.0) -> dict[str, Any]:
    import json

    db = site(tmp, processes)
    start_at = time.time() + 0.4 * processes  # every process imported and connected by then
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CONTENDER,
                str(db),
                f"desk-{i}",
                str(seconds),
                str(start_at),
                str(gap),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(1, processes + 1)
    ]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    return contention_summary(db, results, seconds)


def contention_summary(db: Path, results: list[Any], seconds: float) -> dict[str, Any]:
    latencies = [x for r in results for x in r["lat"]]
    called = [x for r in results for x in r["called"]]
    issued = [x for r in results for x in r["issued"]]
    conn = sqlite3.connect(db)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return {
        "ops": len(latencies),
        "ops_per_s": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
        "duplicate_codes": len(issued) - len(set(issued)),
        "double_calls": len(called) - len(set(called)),
        "integrity": integrity,
    }


def _contender(desk: str, seconds: float, pipe: Any) -> None:
    """:data:`CONTENDER`'s work in a forked process, round after round: told a database and a
    pace, it connects, says it is ready, is told when to start, and answers what it did."""
    import random

    while (order := pipe.recv()) is not None:
        db, gap = order
        rng = random.Random(desk)
        session = open_session(db=db, clock=FixedClock(NOW), desk_id=desk, person=desk)
        q = QueueService(session)
        pipe.send("ready")
        start_at = pipe.recv()
        while time.time() < start_at:
            time.sleep(0.001)
        lat: list[float] = []
        called: list[int] = []
        issued: list[str] = []
        end = time.time() + seconds

        def timed(
            fn: Any, *args: Any, lat: list[float] = lat, rng: Any = rng, gap: float = gap
        ) -> Any:
            if gap:
                time.sleep(rng.uniform(0, 2 * gap))
            t0 = time.perf_counter()
            result = fn(*args)
            lat.append(time.perf_counter() - t0)
            return result

        while time.time() < end:
            issued.append(timed(q.issue, "C").ticket.code)
            c = timed(q.call_next, desk)
            if c is not None:
                called.append(c.id)
                timed(q.finish, c.id, "resolved")
        session.close()
        pipe.send({"lat": lat, "called": called, "issued": issued})


class Contenders:
    """The 16 desk processes of :func:`contention` for the quick run: forked once from this
    process (its imports already done) for both rounds, a new database each, and each round
    started once every process says it is ready rather than at a moment far enough ahead for
    16 interpreters to have started, imported and connected."""

    def __init__(self, processes: int, seconds: float) -> None:
        import multiprocessing

        self.processes, self.seconds = processes, seconds
        context = multiprocessing.get_context("fork")
        self.pipes = []
        self.procs = []
        for i in range(1, processes + 1):
            mine, theirs = context.Pipe()
            proc = context.Process(target=_contender, args=(f"desk-{i}", seconds, theirs))
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)

    def round(self, tmp: Path, gap: float) -> dict[str, Any]:
        db = site(tmp, self.processes)
        for pipe in self.pipes:
            pipe.send((str(db), gap))
        for pipe in self.pipes:
            assert pipe.poll(60) and pipe.recv() == "ready", "a desk process did not connect"
        start_at = time.time() + 0.05
        for pipe in self.pipes:
            pipe.send(start_at)
        results = []
        for pipe in self.pipes:
            assert pipe.poll(120), "a desk process did not answer"
            results.append(pipe.recv())
        return contention_summary(db, results, self.seconds)

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(None)
        for proc in self.procs:
            proc.join(30)


WATCHER = textwrap.dedent(
    """
    import sys, time
    from oss_desk.storage.database import open_store
    from oss_desk.storage.changes import ChangeFeed
    feed = ChangeFeed(open_store(sys.argv[1]))
    interval = float(sys.argv[2])
    print("ready", flush=True)
    for line in sys.stdin:
        changes = feed.wait(timeout=10, interval=interval)
        print(time.time(), flush=True)
    """
)


def change_latency(tmp: Path, n: int, interval: float) -> list[float]:
    """A second process polls every ``interval`` s; time from commit to it noticing."""
    db = site(tmp, 2)
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(db), str(interval)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert watcher.stdin is not None and watcher.stdout is not None
    assert watcher.stdout.readline().strip() == "ready"
    session = open_session(db=db, clock=FixedClock(NOW), person="bench")
    queue = QueueService(session)
    lags = []
    import random

    rng = random.Random(7)
    try:
        for _ in range(n):
            watcher.stdin.write("go\n")
            watcher.stdin.flush()
            time.sleep(rng.uniform(0.01, 0.12))  # commit at a random moment of the poll cycle
            queue.issue("B")
            committed = time.time()
            seen = float(watcher.stdout.readline())
            lags.append(max(0.0, seen - committed))
    finally:
        session.close()
        watcher.stdin.close()
        watcher.wait(timeout=10)
    return lags


def queue_view(tmp: Path, waiting: int, runs: int) -> tuple[float, float]:
    """Median seconds of the live queue (read, places, estimates, people ahead) with
    ``waiting`` residents waiting at 10 desks (2 busy, some tickets sent to a desk, some
    appointments), and of the same read alone (its floor)."""
    db = site(tmp, 10)
    clock = FixedClock(NOW)
    session = open_session(db=db, clock=clock, person="bench")
    try:
        queue = QueueService(session)
        for desk in ("desk-1", "desk-2"):
            queue.call(queue.issue("C", print_ticket=False).ticket.id, desk)
        for i in range(waiting):
            sent = f"desk-{i % 10 + 1}" if i % 7 == 0 else None
            queue.issue("CB"[i % 2], priority=int(i % 11 == 0), assigned_desk=sent)
        day = session.today(session.site(None))
        views, reads = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            entries = queue.queue()
            views.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with session.store.read() as conn:
                active_tickets(conn, site_id="hq", business_day=day)
            reads.append(time.perf_counter() - t0)
        assert sum(1 for e in entries if e.position is not None) == waiting
        return statistics.median(views), statistics.median(reads)
    finally:
        session.close()


def main(quick: bool = False) -> None:
    # The smoke run: no warm-up, 20 cycles, 2 reads of 40 waiting, half-second contention
    # rounds, 3 commits watched.
    n, warm = (20, 0) if quick else (1000, 20)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db = site(tmp, 4)
        cycles(db, warm)  # warm up
        bare = bare_insert(tmp, n)
        cycle_times, op_times = cycles(db, n)
        bare_p50 = statistics.median(bare)
        cyc_p50 = statistics.median(cycle_times)
        op_p50 = statistics.median(op_times)
        print("Queue cycle (issue + call next + finish, 3 durable transactions), 1 process")
        print(f"  cycles:               {n}")
        cyc_p99 = percentile(cycle_times, 99)
        print(f"  cycle p50 / p99:      {cyc_p50 * 1000:.2f} / {cyc_p99 * 1000:.2f} ms")
        print(f"  cycles per second:    {n / sum(cycle_times):.0f}")
        op_p99, bare_p99 = percentile(op_times, 99), percentile(bare, 99)
        print(f"  operation p50 / p99:  {op_p50 * 1000:.2f} / {op_p99 * 1000:.2f} ms")
        print(
            f"  bare insert p50/p99:  {bare_p50 * 1000:.2f} / {bare_p99 * 1000:.2f} ms"
            "  (one-row BEGIN IMMEDIATE insert, WAL, synchronous=FULL)"
        )
        print(f"  ratio cycle / bare:   {cyc_p50 / bare_p50:.2f}x   (goal: at most 3x)")
        print(f"  ratio operation/bare: {op_p50 / bare_p50:.2f}x")
    print("\nLive queue (places, estimated waits, people ahead), 10 desks, median")
    for waiting in (40,) if quick else (40, 150, 400):
        with tempfile.TemporaryDirectory() as name:
            view, read = queue_view(Path(name), waiting, 2 if quick else 30)
        print(
            f"  {waiting:3d} waiting:          {view * 1000:.2f} ms, the read alone "
            f"{read * 1000:.2f} ms ({view / read:.1f}x)"
        )
    seconds = 0.5 if quick else 8.0
    contenders = Contenders(16, seconds) if quick else None
    for gap, title in (
        (0.0, "flat out (saturation: about 6,000 times an office's peak)"),
        (0.05, "one operation every 50 ms on average each (about 800 times the peak)"),
    ):
        with tempfile.TemporaryDirectory() as name:
            if contenders is None:
                result = contention(Path(name), 16, seconds, gap)
            else:
                result = contenders.round(Path(name), gap)
        print(f"\n16 desk processes, issue + call next + finish for {seconds:g} s, {title}")
        print(f"  operations:           {result['ops']} ({result['ops_per_s']:.0f} per second)")
        print(
            f"  p50 / p99 / max:      {result['p50_ms']:.1f} / {result['p99_ms']:.1f} / "
            f"{result['max_ms']:.1f} ms"
        )
        print(f"  duplicate codes:      {result['duplicate_codes']}   (goal: 0)")
        print(f"  double calls:         {result['double_calls']}   (goal: 0)")
        print(f"  integrity_check:      {result['integrity']}")
    if contenders is not None:
        contenders.close()
    with tempfile.TemporaryDirectory() as name:
        samples = 3 if quick else 100
        lags = change_latency(Path(name), samples, 0.1)
        print(f"\nChange detection between two processes (poll every 100 ms), {samples} commits")
        p50, p95 = percentile(lags, 50) * 1000, percentile(lags, 95) * 1000
        print(
            f"  p50 / p95 / max:      {p50:.0f} / {p95:.0f} / {max(lags) * 1000:.0f} ms"
            "   (goal: p95 under 250 ms)"
        )
