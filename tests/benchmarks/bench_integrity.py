"""Integrity benchmarks: what the file-identity check and the event log's hash chain cost the
queue cycle, beside a bare durable SQLite transaction measured in the same run; `db check` on
generated history (3 years x 3 offices); the chain's share of generating that history.

Run: .venv/bin/python -m tests.benchmarks integrity        (add --quick for a smoke run)

The cycle is measured twice, in alternating blocks: as it runs (both checks on), and with both
switched off for the measurement only (Store.check_file does nothing; events get a constant hash
without reading the head). The difference is their cost.
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from oss_desk.services import dbops
from oss_desk.storage import chain
from oss_desk.storage.database import Store, open_store
from oss_desk.storage.maintenance import connect_file

from .bench_core import bare_insert, cycles, site
from .bench_reports import history, quick_history


@contextlib.contextmanager
def integrity_off() -> Iterator[None]:
    """For the A/B measurement only: no identity check, no chain computation."""
    check, append = Store.check_file, chain.append

    def no_check(self: Store, *, saving: bool = False) -> None:
        return None

    def unchained(conn: Any, row: Any) -> int:
        cur = conn.execute(
            f"INSERT INTO events ({chain.COLUMN_LIST.replace('id, ', '', 1)}, hash) "
            f"VALUES ({', '.join('?' * len(chain.COLUMNS))})",
            [*row, bytes(32)],
        )
        return int(cur.lastrowid or 0)

    Store.check_file = no_check  # type: ignore[method-assign]
    chain.append = unchained
    try:
        yield
    finally:
        Store.check_file = check  # type: ignore[method-assign]
        chain.append = append


AT = "2026-11-23T10:00:00.000Z"


def bare_block(folder: Path, n: int) -> list[float]:
    """One-row insert transactions on the bare database (WAL, synchronous=FULL), timed."""
    import sqlite3

    conn = sqlite3.connect(folder / "bare.sqlite", timeout=15, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    times = []
    try:
        for i in range(n):
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (at, v) VALUES (?, ?)", [AT, str(i)])
            conn.execute("COMMIT")
            times.append(time.perf_counter() - t0)
    finally:
        conn.close()
    return times


def micro(fn: Callable[[], Any], n: int) -> float:
    """Median seconds of ``fn`` over ``n`` calls (in batches of 100)."""
    batches = []
    for _ in range(max(1, n // 100)):
        t0 = time.perf_counter()
        for _ in range(100):
            fn()
        batches.append((time.perf_counter() - t0) / 100)
    return statistics.median(batches)


def cycle_cost(quick: bool) -> None:
    # The smoke run: 2 short blocks of each, one bare insert to make its table, no warm-up.
    blocks, per_block, warm = (2, 5, 0) if quick else (8, 120, 20)
    micro_calls = 100 if quick else 20_000
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db = site(tmp, 4)
        bare_db = tmp / "bare"
        bare_db.mkdir()
        bare_insert(bare_db, max(1, warm))  # makes its table, warms up
        cycles(db, warm)  # warm up
        on: list[float] = []
        off: list[float] = []
        bare: list[float] = []
        for _ in range(blocks):  # alternating, so that the machine's load falls on both
            on += cycles(db, per_block)[0]
            with integrity_off():
                off += cycles(db, per_block)[0]
            bare += bare_block(bare_db, per_block)
        store = open_store(db)
        try:
            check = micro(store.check_file, micro_calls)
            conn = store.conn
            last = chain.head(conn)
            row = conn.execute(
                f"SELECT {chain.COLUMN_LIST} FROM events WHERE id = ?", [last[0]]
            ).fetchone()
            head = micro(lambda: chain.head(conn), micro_calls)
            link = micro(lambda: chain.link(last[1], row), micro_calls)
            per_cycle = (
                conn.execute(
                    "SELECT count(*) FROM events WHERE kind IN "
                    "('arrived', 'ticket_issued', 'called', 'serving', 'finished')"
                ).fetchone()[0]
                / conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
            )
        finally:
            store.close()
    p50_on, p50_off, p50_bare = (statistics.median(x) for x in (on, off, bare))
    n = len(on)
    print("Queue cycle (issue + call next + finish: 3 durable transactions), 1 process")
    print(f"  cycles:                        {n} with, {len(off)} without, alternating blocks")
    print(f"  cycle p50, as it runs:         {p50_on * 1000:.2f} ms")
    print(f"  cycle p50, both switched off:  {p50_off * 1000:.2f} ms")
    print(
        f"  their cost:                    {(p50_on - p50_off) * 1000:+.2f} ms per cycle "
        f"({(p50_on / p50_off - 1) * 100:+.1f}%; noise on a shared machine is larger)"
    )
    print(f"  bare durable transaction p50:  {p50_bare * 1000:.2f} ms (one-row insert, WAL, FULL)")
    print(
        f"  ratio cycle / bare:            {p50_on / p50_bare:.2f}x  "
        f"(per transaction {p50_on / 3 / p50_bare:.2f}x; goal: the cycle within 3x)"
    )
    checks = 6  # before BEGIN IMMEDIATE and after COMMIT, three transactions
    cpu = checks * check + per_cycle * (head + link)
    print(f"  identity check (one stat):     {check * 1e6:.1f} us, {checks} a cycle")
    print(
        f"  chain per event:               {(head + link) * 1e6:.1f} us (read the head "
        f"{head * 1e6:.1f}, hash {link * 1e6:.1f}), {per_cycle:.1f} events a cycle"
    )
    print(
        f"  both, computed:                {cpu * 1e6:.0f} us a cycle = "
        f"{cpu / p50_on * 100:.2f}% of it; an issue alone: "
        f"{(2 * check + 2 * (head + link)) / (p50_on / 3) * 100:.2f}% (goal: under 5%)"
    )


def check_cost(quick: bool) -> None:
    meta = quick_history(2) if quick else history(3, 3, 300)
    db = Path(meta["db"])
    title = "3 weeks x 2 sites (quick)" if quick else "3 years x 3 sites x ~300 a day"
    print(f"db check on generated history: {title}")
    print(
        f"  database:                      {db.stat().st_size / 1e9:.2f} GB, "
        f"{meta['rows']['events']:,} events ({'cached' if meta['cached'] else 'made now'})"
    )
    conn = connect_file(db, readonly=True)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        integrity_s, integrity_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        found = chain.verify(conn)
        chain_s, chain_cpu = time.perf_counter() - t0, time.process_time() - c0
        rows = conn.execute(f"SELECT {chain.COLUMN_LIST} FROM events ORDER BY id LIMIT 200000")
        sample = rows.fetchall()
    finally:
        conn.close()
    assert found.ok, found.problem
    t0, c0 = time.perf_counter(), time.process_time()
    whole = dbops.check(db)
    whole_s, whole_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert whole.ok, whole.problems
    each = chain_s / found.events * 1e6
    assert integrity == "ok"
    print(
        f"  PRAGMA integrity_check alone:  {integrity_s:.1f} s, cpu {integrity_cpu:.1f} s (the "
        "floor: SQLite's own check)"
    )
    print(
        f"  the hash chain alone:          {chain_s:.1f} s, cpu {chain_cpu:.1f} s ({each:.1f} us"
        f" an event; cpu {chain_cpu / found.events * 1e6:.1f} us)"
    )
    print(
        f"  db check (both, and the rest): {whole_s:.1f} s, cpu {whole_cpu:.1f} s "
        f"({whole_s / integrity_s:.1f}x the integrity check alone; the chain is checked in a "
        "second thread beside it)"
    )
    encode_new, encode_old = chain._row_encoder(), chain._encode
    for label, encode in (("one encoder", encode_new), ("an encoder per event", encode_old)):
        c0 = time.process_time()
        previous = chain.GENESIS
        for row in sample:
            previous = chain._sha256(previous + encode(row).encode("ascii")).digest()
        cpu_each = (time.process_time() - c0) / len(sample) * 1e6
        print(
            f"  hashing, {label + ':':21s} cpu {cpu_each:.2f} us an event ({len(sample):,} events)"
        )
    t0 = time.perf_counter()
    for _ in chain.link_rows(chain.GENESIS, sample):
        pass
    per_event = (time.perf_counter() - t0) / len(sample)
    share = per_event * meta["rows"]["events"]
    print(
        f"  generating it took:            {meta['seconds']:.0f} s; hashing its events: "
        f"{share:.1f} s of that ({share / meta['seconds'] * 100:.0f}%, {per_event * 1e6:.1f} us "
        "an event)"
    )


def main(quick: bool = False) -> None:
    cycle_cost(quick)
    print()
    check_cost(quick)
