"""Report benchmarks: the daily and monthly figures (with the 12-month trend) over a year of
demo history, on one office and on two (``--include``, read-only); then, on generated history,
the daily summary of a 1,000-visit day and the monthly dashboard over 3 years x 3 offices (about
740,000 visits): first with the daily rollup emptied (the run that counts and stores the closed
days), then warm, and without the rollup; and what the report indexes cost the queue cycle.

Run: .venv/bin/python -m tests.benchmarks reports        (add --quick for a smoke run)

The big database is made once by ``oss-desk history generate`` and kept under the temporary
folder, named by the generator version, the schema (a hash of schema/) and the seed, so reruns
start at once (delete it to measure generation again). Times are wall-clock, with the process's
CPU time beside them: on a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock
from oss_desk.devtools.history import GENERATOR_VERSION, HistoryOptions, generate
from oss_desk.domain.reports import DailyReport, MonthlyReport
from oss_desk.services.demo import populate
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session, open_session
from oss_desk.services.site import initialise
from oss_desk.storage.migrations import schema_files
from oss_desk.storage.queue import active_tickets, find_ticket_by_code
from oss_desk.storage.rollup import clear_rollup

END = date(2026, 10, 30)  # a Friday: the history is the same whenever the benchmark runs
NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)
DEMO_NOW = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
SEED = 20261122
CACHE = Path(tempfile.gettempdir()) / "oss-desk-bench"
ROOT = Path(__file__).resolve().parents[2]


def history(years: int, sites: int, per_day: int, weeks: int | None = None) -> dict[str, Any]:
    """The cached database of these options (made if missing) and its generation summary."""
    span = f"{weeks}w" if weeks else f"{years}y"
    schema = hashlib.sha256("".join(sql for _name, sql in schema_files()).encode()).hexdigest()[:8]
    name = f"history-v{GENERATOR_VERSION}-schema{schema}-seed{SEED}-{span}-{sites}s-{per_day}"
    db, meta = CACHE / f"{name}.sqlite", CACHE / f"{name}.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    # One maker at a time: the suite runs benchmark groups in parallel processes that may ask
    # for the same history (one would remove the file the other is writing).
    with (CACHE / f"{name}.lock").open("a") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX)
        if db.exists() and meta.exists():
            return {**json.loads(meta.read_text()), "db": str(db), "cached": True}
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        result = generate(
            db,
            HistoryOptions(
                years=years, sites=sites, visits_per_day=per_day, seed=SEED, end=END, weeks=weeks
            ),
            clock=FixedClock(NOW),
        )
        summary = result.summary()
        meta.write_text(json.dumps(summary))
    return {**summary, "cached": False}


QUICK_PER_DAY = 30
"""Visits a day of the quick pass's histories (three weeks, one or two sites): one history made
for every benchmark that reads one, and a size that shows each runs, not how fast."""


def quick_history(sites: int) -> dict[str, Any]:
    """The quick pass's history of ``sites`` sites: three weeks at ``QUICK_PER_DAY``."""
    return history(1, sites, QUICK_PER_DAY, weeks=3)


def timed(fn: Callable[[], Any], runs: int) -> tuple[str, Any]:
    """ "first X ms, warm Y ms (cpu Z ms)": the first run, then the median of the others (wall
    and CPU), and the last result."""
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    warm = statistics.median(walls[1:] or walls)
    cpu = statistics.median(cpus[1:] or cpus)
    return f"{walls[0]:.1f} ms first, {warm:.1f} ms warm (cpu {cpu:.1f} ms)", result


def visits(report: DailyReport | MonthlyReport) -> int:
    return report.figures.visits


def busiest_day(session: Session, month: str) -> tuple[str, int]:
    row = session.store.conn.execute(
        "SELECT business_day, count(*) FROM visits WHERE business_day LIKE ? "
        "GROUP BY business_day ORDER BY 2 DESC LIMIT 1",
        [f"{month}-%"],
    ).fetchone()
    return row[0], row[1]


def report_figures(title: str, meta: dict[str, Any], runs: int, goal_daily: float) -> None:
    db = Path(meta["db"])
    # No integrity check on opening: on a 1.5 GB file it alone takes seconds.
    session = open_session(db=db, clock=FixedClock(NOW), person="bench", check=False)
    try:
        reports = ReportService(session)
        print(title)
        origin = "cached" if meta["cached"] else "made now"
        print(
            f"  database:             {meta['visits']:,} visits, {meta['events']:,} events, "
            f"{len(meta['sites'])} sites, {meta['first_day']} to {meta['last_day']}"
        )
        print(
            f"  size / generation:    {db.stat().st_size / 1e6:,.0f} MB / {meta['seconds']} s"
            f" ({origin})"
        )
        day, _visits = busiest_day(session, END.isoformat()[:7])
        shown, figures = timed(lambda: reports.daily(day), runs)
        print(
            f"  daily, all sites:     {shown}  ({day}, "
            f"{visits(figures)} visits; goal: under {goal_daily:.0f} ms)"
        )
        site = meta["sites"][0]
        shown, figures = timed(lambda: reports.daily(day, site), runs)
        print(f"  daily, one site:      {shown}  ({site}, {visits(figures)} visits)")
        monthly = getattr(reports, "monthly", None)
        if monthly is None:
            print("  monthly dashboard:    not measured (ReportService.monthly does not exist yet)")
        else:
            month = END.isoformat()[:7]
            with session.store.write() as conn:
                clear_rollup(conn)  # the first run counts the trend's closed days and stores them
            shown, figures = timed(lambda: monthly(month), runs)
            print(
                f"  monthly, all sites:   {shown}  ({month}, "
                f"{visits(figures):,} visits, 12-month trend; goal: under 1000 ms)"
            )
            shown, figures = timed(lambda: monthly(month, site), runs)
            print(f"  monthly, one site:    {shown}  ({site})")
            live = ReportService(session, rollup=False)
            shown, _figures = timed(lambda: live.monthly(month), max(2, runs // 2))
            print(f"  monthly, no rollup:   {shown}  (the whole trend from the event log)")
    finally:
        session.close()


# The event indexes before schema/0007_report_indexes.sql widened them.
NARROW_INDEXES = (
    "DROP INDEX events_day",
    "CREATE INDEX events_day ON events (business_day, kind, site_id)",
    "DROP INDEX events_visit",
    "CREATE INDEX events_visit ON events (visit_id, kind, at)",
    "DROP INDEX appointments_ticket",
    "DROP INDEX tickets_by_day",
    "DROP INDEX appointments_by_day",
)


def index_cost(
    meta: dict[str, Any], cycles: int, title: str, dropped: tuple[str, ...] = NARROW_INDEXES
) -> None:
    """CPU time of a queue cycle (issue, call next, finish) on a copy of ``meta``'s database
    without and with the indexes of 0007 (``dropped`` undoes them); fsync off, so that the
    index work is not hidden by the disk."""
    print(f"{title} (best of 5 x {cycles}, synchronous=OFF)")
    with tempfile.TemporaryDirectory(dir=CACHE) as name:
        results: dict[str, float] = {}
        for label, narrow in (("before 0007", True), ("with 0007", False)) * 2:
            db = Path(name) / "copy.sqlite"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copy(meta["db"], db)
            session = open_session(
                db=db, clock=FixedClock(NOW), person="bench", desk_id="desk-1", check=False
            )
            try:
                if narrow:
                    with session.store.write() as conn:
                        for sql in dropped:
                            conn.execute(sql)
                session.store.conn.execute("PRAGMA synchronous = OFF")
                queue = QueueService(session)
                best = []
                for _ in range(5):
                    c0 = time.process_time()
                    for _ in range(cycles):
                        queue.issue("C", print_ticket=False)
                        called = queue.call_next("desk-1")
                        assert called is not None
                        queue.finish(called.id, "resolved")
                    best.append((time.process_time() - c0) / cycles * 1000)
            finally:
                session.close()
            results[label] = min([*best, results.get(label, 1e9)])
        old, new = results["before 0007"], results["with 0007"]
        print(f"  before 0007:          {old:.3f} ms")
        print(f"  with 0007:            {new:.3f} ms  ({(new / old - 1) * 100:+.1f}%)")


def median_ms(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def demo_year(quick: bool) -> None:
    """A year of demo history made through the real queue engine (the reports helper's)."""
    # The smoke run: 2 opening days (the Friday reported on among them) at 10 a day.
    days, per_day, repeat = (2, 10, 1) if quick else (250, 300, 5)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = tmp / "office.sqlite"
        clock = FixedClock(DEMO_NOW)
        initialise(db, clock=clock, demo_dir=tmp)
        session = open_session(db=db, clock=clock, person="bench")
        started = time.perf_counter()
        summary = populate(session, days=days, visitors_per_day=per_day, waiting=0)
        print(
            f"History: {summary.visits} visits over {summary.days} opening days "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        # The second office: the same demo history at an office of its own (a copy of this
        # one would be refused: it is the same office).
        north = tmp / "north"
        north.mkdir()
        demo = (ROOT / "oss_desk" / "data" / "demo-site.toml").read_text(encoding="utf-8")
        config = north / "site.toml"
        config.write_text(
            demo.replace('id = "town-hall"', 'id = "north-office"').replace(
                "{demo_dir}", str(north)
            ),
            encoding="utf-8",
        )
        copy = north / "north.sqlite"
        initialise(copy, clock=clock, config_path=config)
        other = open_session(db=copy, clock=clock, person="bench")
        populate(other, days=days, visitors_per_day=per_day, waiting=0)
        other.close()
        reports = ReportService(session)
        ms, daily = median_ms(lambda: reports.daily("2026-11-20"), repeat)
        print(f"Daily report (with 4 weeks before): {ms:.1f} ms ({visits(daily)} visits)")
        ms, _ = median_ms(lambda: reports.daily("2026-11-20", compare_weeks=0), repeat)
        print(f"Daily running figures (desk app): {ms:.1f} ms")
        ms, monthly = median_ms(lambda: reports.monthly("2026-11"), repeat)
        print(f"Monthly report (with 12-month trend): {ms:.1f} ms ({visits(monthly)} visits)")
        with ReportService(session, include=[copy]) as both:
            ms, combined = median_ms(lambda: both.monthly("2026-11"), repeat)
        print(f"Monthly report over two offices: {ms:.1f} ms ({visits(combined)} visits)")
        session.close()


def live_queue(meta: dict[str, Any]) -> None:
    """What a desk reads after each change (the live queue), and a ticket found by its code."""
    session = open_session(db=Path(meta["db"]), clock=FixedClock(NOW), check=False)
    try:
        print("Desk reads on 3 years of history (the last day's queue)")
        day = END.isoformat()
        shown, found = timed(
            lambda: active_tickets(session.store.conn, site_id="town-hall", business_day=day), 20
        )
        print(f"  live queue query:     {shown}  ({len(found)} tickets)")
        shown, found = timed(
            lambda: find_ticket_by_code(
                session.store.conn, business_day=day, service="C", number=12
            ),
            20,
        )
        print(f"  ticket by code:       {shown}  ({len(found)} found)")
    finally:
        session.close()


def main(quick: bool = False) -> None:
    demo_year(quick)
    print()
    if quick:
        meta = quick_history(2)
        report_figures("Reports on 3 weeks x 2 sites (quick)", meta, 3, 100)
        return
    day = history(1, 1, 700, weeks=2)
    report_figures("Reports on a 1,000-visit day (2 weeks x 1 site x ~1,000 a day)", day, 7, 100)
    print()
    index_cost(day, 400, "Queue cycle CPU, 2 weeks of history, before and with 0007")
    print()
    big = history(3, 3, 300)
    report_figures("Reports on 3 years x 3 sites x ~300 a day", big, 5, 100)
    print()
    index_cost(
        big,
        100,
        "Queue cycle CPU, 3 years of history, before and with 0007",
        NARROW_INDEXES,
    )
    print()
    live_queue(big)
