"""An office's older copy included in a council-wide monthly report (review 14, 1): a year of
generated history at one office, its copy as schema/0049 to 0055 kept it (an office's nightly
backup or replica not migrated since), and the same copy older still (no ``visit_facts``: read
from its events alone), each included read-only in the monthly report (with its 12-month trend)
of an office of its own; beside them, the copy as migrated. The figures must be the same.

Before the fix the 0049 copy was read from its events, in a query that scanned the range's
visit ends again for each arrival: the report never finished (more than 12 minutes).

Run: .venv/bin/python -m tests.benchmarks included        (add --quick for a smoke run)
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.reports import MonthlyReport
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session
from tests.appointments_site import make_office
from tests.benchmarks.bench_reports import END, NOW, history, quick_history
from tests.test_visit_facts import keep_by_the_rule_before_0056

BOUND_S = 60.0
"""A generous bound on the monthly report including an older copy of a year's history."""


def _older(db: Path, target: Path, *, events_only: bool) -> Path:
    shutil.copy(db, target)
    conn = sqlite3.connect(target)
    try:
        if events_only:
            conn.execute("DROP TABLE visit_facts")
            conn.commit()
        else:
            keep_by_the_rule_before_0056(conn)
    finally:
        conn.close()
    target.chmod(0o444)
    return target


def main(quick: bool = False) -> None:
    meta = quick_history(1) if quick else history(1, 1, 400)
    month = END.isoformat()[:7]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        here = make_office(tmp, now=NOW)
        migrated = tmp / "migrated.sqlite"
        shutil.copy(meta["db"], migrated)
        copies = {
            "the copy migrated (schema/0056 on)": migrated,
            "a copy kept before schema/0056": _older(
                Path(meta["db"]), tmp / "before-0056.sqlite", events_only=False
            ),
            "a copy without visit_facts (events)": _older(
                Path(meta["db"]), tmp / "events.sqlite", events_only=True
            ),
        }
        print(f"Monthly report {month} (12-month trend), {meta['visits']:,} visits included")
        session = open_session(db=here, clock=FixedClock(NOW), person="bench")
        reports: list[MonthlyReport] = []
        try:
            for label, copy in copies.items():
                t0, c0 = time.perf_counter(), time.process_time()
                with ReportService(session, include=[copy]) as both:
                    reports.append(both.monthly(month))
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                print(f"  including {label}: {wall:.2f} s (cpu {cpu:.2f} s)")
                if not quick:
                    assert wall < BOUND_S, f"{label}: {wall:.1f} s (bound {BOUND_S:.0f} s)"
        finally:
            session.close()
        assert all(report == reports[0] for report in reports), "the figures differ"
        print("  the same figures from each")
