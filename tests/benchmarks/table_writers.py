"""The speed table's rows about writing: a burst of tickets from many processes, paced writers,
the queue cycle in one process (time and WAL pages) and call next as the day fills. Each beside
a floor measured in the same run, turn about."""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock
from oss_desk.domain.stats import percentile
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from tests.benchmarks.bench_core import NOW, site
from tests.benchmarks.bench_table import Row, median, ms

CTX = multiprocessing.get_context("fork")


def p99(values: list[float]) -> float:
    found = percentile(values, 99)
    assert found is not None
    return found


# Processes that write on a signal ----------


def bare_db(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, at TEXT, v TEXT)")
    conn.close()


class BareWriter:
    """One durable one-row transaction per operation (WAL, synchronous=FULL): the floor."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.conn.execute("PRAGMA synchronous = FULL")

    def op(self, _: int) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO t (at, v) VALUES (?, ?)", ["2026-11-23T10:00:00.000Z", "x"])
        self.conn.execute("COMMIT")


def _pool_child(make: Callable[[int], Any], index: int, go: Any, orders: Any, results: Any) -> None:
    """Wait for each order (a round), do it, report (index, what it found)."""
    worker = make(index)
    results.put((index, "ready"))
    while True:
        order = orders[index].get()
        if order is None:
            return
        go.wait(60)
        results.put((index, order(worker)))


class Pool:
    """``n`` processes, each with its own connection, released together for each round."""

    def __init__(self, n: int, make: Callable[[int], Any]) -> None:
        self.n = n
        self.go = CTX.Barrier(n + 1)
        self.orders = [CTX.SimpleQueue() for _ in range(n)]
        self.results: Any = CTX.SimpleQueue()
        self.procs = [
            CTX.Process(
                target=_pool_child, args=(make, i, self.go, self.orders, self.results), daemon=True
            )
            for i in range(n)
        ]
        for p in self.procs:
            p.start()
        for _ in range(n):
            self.results.get()

    def round(self, order: Callable[[Any], Any]) -> list[Any]:
        for queue in self.orders:
            queue.put(order)
        self.go.wait(60)
        return [value for _, value in (self.results.get() for _ in range(self.n))]

    def close(self) -> None:
        for queue in self.orders:
            queue.put(None)
        for p in self.procs:
            p.join(10)


# A burst: 64 tickets at once ----------


def _issuer(db: Path) -> Callable[[int], QueueService]:
    def make(index: int) -> QueueService:
        session = open_session(db=db, clock=FixedClock(NOW), person="bench", desk_id="greet-1")
        return QueueService(session)

    return make


class Burst:
    """Each process issues ``per`` tickets flat out from ``start``: their commit times."""

    def __init__(self, per: int, start: float) -> None:
        self.per, self.start = per, start

    def __call__(self, queue: QueueService) -> list[float]:
        while time.time() < self.start:
            time.sleep(0.0005)
        done = []
        for _ in range(self.per):
            queue.issue("C", print_ticket=False)
            done.append(time.time())
        return done


def burst(pool: Pool, total: int) -> tuple[float, float]:
    """(tickets per second, seconds until the last ticket) of one burst."""
    start = time.time() + 0.05
    found = pool.round(Burst(total // pool.n, start))
    commits = [t for times in found for t in times]
    last = max(commits) - start
    return len(commits) / last, last


# Paced writers ----------


class Paced:
    """Each writer does issue, call next, finish (or three bare transactions) for ``seconds``,
    a random pause (mean ``gap``) before each; the latencies of call next (or of each)."""

    def __init__(self, seconds: float, gap: float, start: float) -> None:
        self.seconds, self.gap, self.start = seconds, gap, start

    def __call__(self, worker: Any) -> list[float]:
        rng = random.Random()
        while time.time() < self.start:
            time.sleep(0.001)
        end = self.start + self.seconds
        found: list[float] = []
        while time.time() < end:
            for step in range(3):
                time.sleep(rng.uniform(0, 2 * self.gap))
                t0 = time.perf_counter()
                worker.op(step)
                if step == 1 or isinstance(worker, BareWriter):
                    found.append(time.perf_counter() - t0)
        return found


class DeskWriter:
    def __init__(self, db: Path, desk: str) -> None:
        session = open_session(db=db, clock=FixedClock(NOW), person="bench", desk_id=desk)
        self.queue = QueueService(session)
        self.desk = desk
        self.called: int | None = None

    def op(self, step: int) -> None:
        if step == 0:
            self.queue.issue("C", print_ticket=False)
        elif step == 1:
            called = self.queue.call_next(self.desk)
            self.called = called.id if called is not None else None
        elif self.called is not None:
            self.queue.finish(self.called, "resolved")


def bursts(quick: bool) -> list[Row]:
    rounds, pause = (1, 0.0) if quick else (7, 0.2)
    rows = []
    with tempfile.TemporaryDirectory(prefix="speed-table-") as name:
        tmp = Path(name)
        many_db, few_db = site(folder(tmp, "many"), 16), site(folder(tmp, "few"), 2)
        many, few = Pool(16, _issuer(many_db)), Pool(2, _issuer(few_db))
        try:
            if not quick:  # the smoke run only shows that each burst is measured
                burst(many, 64), burst(few, 64)  # warm up
            found: dict[str, list[tuple[float, float]]] = {"many": [], "few": []}
            for _ in range(rounds):
                found["many"].append(burst(many, 64))
                time.sleep(pause)
                found["few"].append(burst(few, 64))
                time.sleep(pause)
        finally:
            many.close()
            few.close()
        rate = median([r for r, _ in found["many"]])
        floor = median([r for r, _ in found["few"]])
        lasts = [last for _, last in found["many"]]
        rows.append(
            Row(
                "64 tickets issued at once by 16 processes",
                f"median {rate:.0f} /s, the last ticket after {ms(median(lasts))} "
                f"(worst {ms(max(lasts))}; {rounds} bursts)",
                f"the same 64 from 2 processes {floor:.0f} /s "
                f"(last after {ms(median([last for _, last in found['few']]))})",
                rate / floor,
                ">= 0.25x, every ticket within 300 ms",
                rate >= 0.25 * floor and median(lasts) <= 0.3,
            )
        )
        rows.append(paced(tmp, quick))
    return rows


def folder(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.mkdir()
    return path


def paced(tmp: Path, quick: bool) -> Row:
    writers, gap = (4, 0.1) if quick else (30, 0.1)  # the smoke run: a few writers show it runs
    seconds, rounds = (1.0, 1) if quick else (8.0, 3)
    db = site(folder(tmp, "paced"), writers)
    bare_path = tmp / "bare.sqlite"
    bare_db(bare_path)
    ours = Pool(writers, lambda i: DeskWriter(db, f"desk-{i + 1}"))
    bare = Pool(writers, lambda i: BareWriter(bare_path))
    found: dict[str, list[float]] = {"ours": [], "bare": []}
    try:
        for _ in range(rounds):
            for key, pool in (("ours", ours), ("bare", bare)):
                lat = pool.round(Paced(seconds, gap, time.time() + 0.1))
                found[key].append(p99([x for r in lat for x in r]))
    finally:
        ours.close()
        bare.close()
    mine, floor = median(found["ours"]), median(found["bare"])
    return Row(
        "30 writers paced, call-next p99",
        f"median p99 {ms(mine)} ({rounds} rounds of {seconds:.0f} s; {writers} processes, "
        f"issue, call next, finish, a pause of mean {gap * 1000:.0f} ms before each)",
        f"bare durable transaction p99 {ms(floor)} ({writers} processes, same pauses)",
        mine / floor,
        "< 25 ms",
        mine < 0.025,
    )


# One process: the cycle, its WAL pages, and call next as the day grows ----------


def wal_frames(db: Path) -> int:
    wal = Path(f"{db}-wal")
    size = wal.stat().st_size if wal.exists() else 0
    return max(0, (size - 32) // (4096 + 24))


def frames_by_tree(conn: sqlite3.Connection, db: Path, before: int) -> Counter[str]:
    """Which table or index each WAL frame written since frame ``before`` belongs to."""
    owners = {int(p): str(n) for n, p in conn.execute("SELECT name, pageno FROM dbstat")}
    found: Counter[str] = Counter()
    with open(f"{db}-wal", "rb") as wal:
        wal.seek(32 + before * (4096 + 24))
        while header := wal.read(24):
            if len(header) < 24:
                break
            page = int.from_bytes(header[:4], "big")
            found[owners.get(page, "other")] += 1
            wal.seek(4096, 1)
    return found


class Ticking:
    """A clock a millisecond on at each reading, from ``NOW``: each action records its own
    instant, as at a real desk. A stopped clock writes every timestamp byte for byte as before,
    and SQLite leaves a page whose row did not change unwritten (a finish's desk, its
    ``state_since``), so the cycle's pages would be under-counted."""

    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


def cycle(queue: QueueService) -> None:
    queue.issue("C", print_ticket=False)
    called = queue.call_next("desk-1")
    assert called is not None
    queue.finish(called.id, "resolved")


def bare_tx(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t (at, v) VALUES (?, ?)", ["2026-11-23T10:00:00.000Z", "x"])
    conn.execute("COMMIT")


def bare_txs(conn: sqlite3.Connection, n: int) -> None:
    for _ in range(n):
        bare_tx(conn)


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


ACTIONS = ("issue", "call next", "finish")


def pages(
    session: Session,
    queue: QueueService,
    bare: sqlite3.Connection,
    bare_path: Path,
    count: int = 20,
) -> tuple[dict[str, Counter[str]], float]:
    """WAL frames of each acknowledged action of ``count`` cycles, by table or index; and those
    of one bare transaction (per ``count`` of them)."""
    db, conn = session.store.path, session.store.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    bare.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    found: dict[str, Counter[str]] = {action: Counter() for action in ACTIONS}
    for _ in range(count):
        before = wal_frames(db)
        queue.issue("C", print_ticket=False)
        found["issue"] += frames_by_tree(conn, db, before)
        before = wal_frames(db)
        called = queue.call_next("desk-1")
        assert called is not None
        found["call next"] += frames_by_tree(conn, db, before)
        before = wal_frames(db)
        queue.finish(called.id, "resolved")
        found["finish"] += frames_by_tree(conn, db, before)
    before = wal_frames(bare_path)
    for _ in range(count):
        bare_tx(bare)
    return found, (wal_frames(bare_path) - before) / count


class Wide:
    """The cycle's writes without its work: three durable transactions, one per acknowledged
    action, each writing as many pages as that action does (one row into each of as many
    tables), so the row shows what the design's three commits and their pages cost alone."""

    def __init__(self, path: Path, frames: list[int]) -> None:
        self.frames = frames
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        for i in range(max(frames)):
            self.conn.execute(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, at TEXT, v TEXT)")

    def run(self) -> None:
        for tables in self.frames:
            self.conn.execute("BEGIN IMMEDIATE")
            for i in range(tables):
                self.conn.execute(
                    f"INSERT INTO t{i} (at, v) VALUES (?, ?)",
                    ["2026-11-23T10:00:00.000Z", "x"],
                )
            self.conn.execute("COMMIT")


def per_action(found: dict[str, Counter[str]], count: int = 20) -> str:
    """Pages per action (of ``count`` cycles) and, in each, by table or index (the largest
    first)."""
    return "; ".join(
        f"{action} {sum(trees.values()) / count:.1f}: "
        + ", ".join(f"{tree} {n / count:.1f}" for tree, n in trees.most_common())
        for action, trees in found.items()
    )


def cycles(quick: bool) -> list[Row]:
    # The smoke run: no warm-up, 10 cycles timed, the pages of 3 counted.
    blocks, per, warm, counted = (1, 10, 0, 3) if quick else (12, 60, 20, 20)
    with tempfile.TemporaryDirectory(prefix="speed-table-") as name:
        tmp = Path(name)
        db = site(tmp, 4)
        bare_path = tmp / "bare.sqlite"
        bare_db(bare_path)
        bare = sqlite3.connect(bare_path, isolation_level=None)
        bare.execute("PRAGMA synchronous = FULL")
        session = open_session(db=db, clock=Ticking(), person="bench", desk_id="desk-1")
        queue = QueueService(session)
        wide: Wide | None = None
        try:
            timed(lambda: cycle(queue), warm)
            first, _ = pages(session, queue, bare, bare_path, counted)
            wide = Wide(
                tmp / "wide.sqlite", [round(sum(t.values()) / counted) for t in first.values()]
            )
            timed(wide.run, warm)
            ours: list[float] = []
            floor: list[float] = []
            three: list[float] = []  # one bare durable transaction per acknowledged action
            same: list[float] = []  # and each as many pages as the action writes
            for _ in range(blocks):
                ours += timed(lambda: cycle(queue), per)
                floor += timed(lambda: bare_tx(bare), per)
                three += timed(lambda: bare_txs(bare, 3), per)
                same += timed(wide.run, per)
            found, bare_frames = pages(session, queue, bare, bare_path, counted)
        finally:
            session.close()
            bare.close()
            if wide is not None:
                wide.conn.close()
        total: Counter[str] = sum(found.values(), Counter())
        frames = sum(total.values()) / counted
        trees = ", ".join(f"{k} {v / counted:.1f}" for k, v in total.most_common())
        one = median(floor)
        rows = [
            Row(
                "issue + call next + finish, one process",
                f"median {ms(median(ours))}, {frames:.1f} WAL pages written "
                f"({blocks * per} cycles)",
                f"one bare durable transaction {ms(one)}, {bare_frames:.0f} page",
                median(ours) / one,
                "<= 3x",
                median(ours) <= 3 * one,
                note=f"pages per cycle: {trees}; per action: {per_action(found, counted)};"
                f" three bare durable transactions, one per acknowledged action, take"
                f" {ms(median(three))} = {median(three) / one:.2f}x one; three writing the"
                f" actions' pages ({', '.join(map(str, wide.frames))} tables) take"
                f" {ms(median(same))} = {median(same) / one:.2f}x one: the cycle is"
                f" {median(ours) / median(three):.2f}x the first,"
                f" {median(ours) / median(same):.2f}x the second",
            )
        ]
        rows.append(growing_day(tmp, quick))
    return rows


def _day_of(tmp: Path, tickets: int) -> Path:
    """An office whose day already holds ``tickets`` finished tickets and 10 waiting."""
    db = site(folder(tmp, f"day-{tickets}"), 4)
    session = open_session(db=db, clock=FixedClock(NOW), person="bench", desk_id="desk-1")
    try:
        queue = QueueService(session)
        with session.store.write():
            for i in range(tickets):
                code = "CB"[i % 2]
                queue.issue(code, print_ticket=False)
                called = queue.call_next("desk-1")
                assert called is not None
                queue.finish(called.id, "resolved")
            for i in range(10):
                queue.issue("CB"[i % 2], print_ticket=False)
    finally:
        session.close()
    return db


def growing_day(tmp: Path, quick: bool) -> Row:
    small, big = (20, 100) if quick else (1000, 5000)
    blocks, per = (1, 10) if quick else (10, 30)
    dbs = {n: _day_of(tmp, n) for n in (small, big)}
    sessions = {
        n: open_session(db=db, clock=FixedClock(NOW), person="bench", desk_id="desk-1")
        for n, db in dbs.items()
    }
    found: dict[int, list[float]] = {small: [], big: []}
    try:
        for _ in range(blocks):
            for n, session in sessions.items():
                queue = QueueService(session)
                for _ in range(per):
                    t0 = time.perf_counter()
                    called = queue.call_next("desk-1")
                    found[n].append(time.perf_counter() - t0)
                    assert called is not None
                    queue.finish(called.id, "resolved")
                    queue.issue(called.service, print_ticket=False)
    finally:
        for session in sessions.values():
            session.close()
    a, b = statistics.median(found[small]), statistics.median(found[big])
    return Row(
        "call next as the day grows 1,000 -> 5,000 tickets",
        f"{small:,} tickets {ms(a)} -> {big:,} tickets {ms(b)} (medians of "
        f"{blocks * per} calls each, 10 waiting)",
        "-",
        b / a,
        "flat (<= 1.1x)",
        b <= 1.1 * a,
    )
