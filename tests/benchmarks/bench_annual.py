"""The annual report (``oss-desk report annual``) over generated history: 3 years x 3 offices x
~300 visits a day, beside bare SQL floors over the same rows, measured in the same run.

- cold: the daily rollup emptied, so every day of the year and of the year before (shown beside
  it) is counted from the event log (its visits from ``visit_facts``, the one row per visit that
  triggers keep with the events and appointments: schema/0024 and 0030, added up per site and
  day by SQLite from the indexes of schema/0028 and 0031 alone, each visit's end and wait by
  the domain's rule spelt as SQL), and stored;
- warm: the days read back from the rollup;
- floor (cold): one SQL statement that reads every event row of those two years once (a count
  and the length of each row's data, grouped by kind): what any report built from the event log
  must at least do;
- floor (warm): one statement reading every stored day's tally of those two years, each
  decoded from JSON (the least a report from stored days must do).

Goal: the annual report within 5x of its floor and under 2 s cold. Wall times with the
process's CPU time beside them (on a shared machine the CPU time is the steadier figure).

Run: .venv/bin/python -m tests.benchmarks annual        (add --quick for a smoke run)

Setup: the 3-year history is generated once (``oss-desk history generate``, 3 to 11 minutes on
a 2-core machine, about 1.3 GB) and cached under the temporary folder by schema and seed (see
:mod:`tests.benchmarks.bench_reports`); too slow for CI's smoke run, which uses ``--quick`` (3
weeks at 2 sites, made in seconds).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session
from oss_desk.storage.rollup import clear_rollup

from .bench_reports import NOW, history, quick_history

EVENTS_FLOOR = (
    "SELECT kind, count(*), sum(length(data)) FROM events"
    " WHERE business_day BETWEEN ? AND ? GROUP BY kind"
)
ROLLUP_FLOOR = "SELECT tally FROM daily_rollup WHERE business_day BETWEEN ? AND ?"


CPU: list[float] = []
"""The CPU time (ms) of each run timed by :func:`_times`, in order."""


def _times(run: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    walls, result = [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append((time.perf_counter() - started) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
    return walls, result


def annual(meta: dict[str, Any], year: str, repeat: int) -> None:
    db = Path(meta["db"])
    session = open_session(db=db, clock=FixedClock(NOW), person="bench", check=False)
    try:
        origin = "cached" if meta.get("cached") else "made now"
        print(f"History: {meta['seconds']} s to generate ({origin})")
        print(
            f"Annual report {year} on {meta['visits']:,} visits, {meta['events']:,} events,"
            f" {len(meta['sites'])} sites, {meta['first_day']} to {meta['last_day']}"
            f" (median of {repeat}; ratios to the floor measured in this run)"
        )
        colds, warms, cold_cpu = [], [], []
        report = None
        for _ in range(repeat):
            with session.store.write() as conn:
                clear_rollup(conn)
            with ReportService(session) as reports:
                walls, report = _times(lambda r=reports: r.annual(year), 1)  # type: ignore[misc]
                colds += walls
                cold_cpu.append(CPU[-1])
                walls, _ = _times(lambda r=reports: r.annual(year), 1)  # type: ignore[misc]
                warms += walls
        assert report is not None
        first, last = report.previous.first_day, report.last_day
        conn = session.store.conn
        events_floor, rows = _times(
            lambda: conn.execute(EVENTS_FLOOR, [first, last]).fetchall(), repeat
        )
        floor_cpu = statistics.median(CPU[-repeat:])
        rollup_floor, stored = _times(
            lambda: [json.loads(t) for (t,) in conn.execute(ROLLUP_FLOOR, [first, last])], repeat
        )
        read = sum(n for _kind, n, _size in rows)
        cold, warm = statistics.median(colds), statistics.median(warms)
        floor_cold, floor_warm = statistics.median(events_floor), statistics.median(rollup_floor)
        print(
            f"  annual, cold:         {cold:.0f} ms  (floor {floor_cold:.0f} ms over {read:,}"
            f" events of {first} to {last}: {cold / floor_cold:.1f}x; goal: within 5x, under"
            " 2000 ms)"
        )
        cpu = statistics.median(cold_cpu)
        print(
            f"  cold, CPU time:       {cpu:.0f} ms  (floor {floor_cpu:.0f} ms:"
            f" {cpu / max(floor_cpu, 0.001):.1f}x)"
        )
        print(
            f"  annual, warm:         {warm:.0f} ms  (floor {floor_warm:.1f} ms over"
            f" {len(stored):,} stored days: {warm / max(floor_warm, 0.001):.1f}x)"
        )
        print(
            f"  figures:              {report.figures.visits:,} visits in {report.label},"
            f" {report.previous.visits:,} in {report.previous.label}"
        )
    finally:
        session.close()


def main(quick: bool = False) -> None:
    if quick:
        annual(quick_history(2), "2026", 2)
        return
    annual(history(3, 3, 300), "2025", 5)
