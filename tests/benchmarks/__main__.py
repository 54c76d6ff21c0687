"""Run the benchmarks and print their figures.

.venv/bin/python -m tests.benchmarks            # all of them (the speed table first)
.venv/bin/python -m tests.benchmarks table      # one: here, the speed table alone
.venv/bin/python -m tests.benchmarks startup    # the table's start-up rows alone
.venv/bin/python -m tests.benchmarks --quick    # a fast smoke run (used by the test suite)
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sqlite3
import time

BENCHMARKS = {
    "table": "tests.benchmarks.bench_table",
    "startup": "tests.benchmarks.bench_startup",
    "core": "tests.benchmarks.bench_core",
    "desk": "tests.benchmarks.bench_desk",
    "devices": "tests.benchmarks.bench_devices",
    "appointments": "tests.benchmarks.bench_appointments",
    "dbops": "tests.benchmarks.bench_dbops",
    "calls": "tests.benchmarks.bench_calls",
    "reports": "tests.benchmarks.bench_reports",
    "annual": "tests.benchmarks.bench_annual",
    "included": "tests.benchmarks.bench_included",
    "serve": "tests.benchmarks.bench_serve",
    "screen": "tests.benchmarks.bench_screen",
    "integrity": "tests.benchmarks.bench_integrity",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="which to run")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    # "startup" repeats the table's first rows: run on its own only when named.
    names = args.names or [name for name in BENCHMARKS if name != "startup"]
    print(
        f"oss-desk benchmarks: Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        f", {platform.machine()}, {time.strftime('%Y-%m-%d %H:%M')}"
        + (" (quick)" if args.quick else "")
    )
    for name in names:
        print(f"\n=== {name} ===")
        module = importlib.import_module(BENCHMARKS[name])
        started = time.perf_counter()
        module.main(quick=args.quick)
        print(f"({name}: {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
