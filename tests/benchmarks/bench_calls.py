"""Call import benchmarks: a month's export imported, then the month's call patterns.

Run: .venv/bin/python -m tests.benchmarks calls
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.calls import CallImportService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.storage.calls import call_patterns


def export(path: Path, calls: int) -> None:
    rng = random.Random(1)
    start = datetime(2026, 10, 1, 8, 0)  # noqa: DTZ001 - local wall times, as exports have
    lines = ["Call ID,Call Start,Queue Time,Answered,Talk Time"]
    for i in range(calls):
        wall = start + timedelta(days=rng.randrange(31), seconds=rng.randrange(9 * 3600))
        answered = rng.random() < 0.85
        talk = str(rng.randrange(30, 900)) if answered else ""
        lines.append(
            f"{i},{wall:%d/%m/%Y %H:%M:%S},{rng.randrange(600)},{'Y' if answered else 'N'},{talk}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(quick: bool = False) -> None:
    calls = 500 if quick else 60_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "calls.sqlite"
        clock = FixedClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
        initialise(db, clock=clock, demo_dir=folder)
        path = folder / "october.csv"
        export(path, calls)
        session = open_session(db=db, clock=clock, person="bench")
        try:
            began = time.perf_counter()
            result = CallImportService(session).import_file(
                path, mapping=["call_id=Call ID", "talk_seconds=Talk Time"]
            )
            took = time.perf_counter() - began
        finally:
            session.close()
        print(
            f"Call import: {result.imported} calls in {took:.2f} s "
            f"({result.imported / took:,.0f} calls/s)   goal: a month's export in seconds"
        )
        conn = sqlite3.connect(db)
        try:
            runs = []
            for _ in range(5):
                began = time.perf_counter()
                figures = call_patterns(conn, "2026-10-01", "2026-10-31", None)
                runs.append(time.perf_counter() - began)
        finally:
            conn.close()
        assert figures is not None and figures.total == result.imported
        print(f"Call patterns of the month: {min(runs) * 1000:.1f} ms   goal: under 100 ms")
