"""Report benchmarks: the daily and monthly figures (with the 12-month trend) over a year of
demo history, on one office and on two (``--include``, read-only).

Run: .venv/bin/python -m tests.benchmarks reports        (add --quick for a smoke run)
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock
from oss_desk.services.demo import populate
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

NOW = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main(quick: bool = False) -> None:
    days, per_day, repeat = (20, 60, 2) if quick else (250, 300, 5)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = tmp / "office.sqlite"
        clock = FixedClock(NOW)
        initialise(db, clock=clock, demo_dir=tmp)
        session = open_session(db=db, clock=clock, person="bench")
        started = time.perf_counter()
        summary = populate(session, days=days, visitors_per_day=per_day, waiting=0)
        print(
            f"History: {summary.visits} visits over {summary.days} opening days "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        copy = tmp / "north.sqlite"
        session.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(db, copy)
        reports = ReportService(session)
        ms, daily = timed(lambda: reports.daily("2026-11-20"), repeat)
        print(f"Daily report (with 4 weeks before): {ms:.1f} ms ({daily['visits']} visits)")
        ms, _ = timed(lambda: reports.daily("2026-11-20", compare_weeks=0), repeat)
        print(f"Daily running figures (desk app): {ms:.1f} ms")
        ms, monthly = timed(lambda: reports.monthly("2026-11"), repeat)
        print(f"Monthly report (with 12-month trend): {ms:.1f} ms ({monthly['visits']} visits)")
        with ReportService(session, include=[copy]) as both:
            ms, combined = timed(lambda: both.monthly("2026-11"), repeat)
        print(f"Monthly report over two offices: {ms:.1f} ms ({combined['visits']} visits)")
        session.close()


if __name__ == "__main__":
    main()
