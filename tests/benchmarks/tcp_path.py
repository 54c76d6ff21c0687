"""Where the speed table's TCP printer row spends its time, step by step.

The row runs from the desk's ``issue`` until the printer's process saw the connection close.
Here the same office, the same ``oss-desk worker`` in its own process and the same printer
process run the row's tickets, and each step is stamped on the host's monotonic clock (one
clock for every process): in the desk (its write transaction's ``BEGIN`` and ``COMMIT``, the
word to the printer's lane that a job is coming, the issue's return), in the worker (its
printer lane woken, the connection opened and the printer asked ahead of the job, the job read
and checked, the ticket drawn and rendered to bytes, the bytes written, the printer's answer
read and the line closed, the outcome committed) and in the printer (the last byte, the
close). It prints each step's median time from the issue's start, and the synchronous send of
the same bytes (the row's floor) beside them.

The worker runs this module with ``--worker``: it wraps a few of the worker's functions to
stamp them (nothing else changes), then runs ``oss-desk worker``.

Run: ``python -m tests.benchmarks.tcp_path [--tickets N]``
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

MARKS = "BENCH_TCP_MARKS"
"""The file each process appends its stamps to (``<monotonic ns> <step>`` a line)."""

WORKER_STEPS = (
    ("oss_desk.worker.run", "DeviceWorker", "_sleep", "lane asleep", "lane woken"),
    ("oss_desk.worker.printing_steps", "ReadyLinks", "open", "desk's word heard", None),
    ("oss_desk.worker.printing_steps", None, "_open_and_ask", "connecting ahead", "asked ahead"),
    ("oss_desk.worker.printing", "PrintDelivery", "deliver_next", "job looked for", None),
    ("oss_desk.worker.printing", "PrintDelivery", "_render", "drawing", "drawn and rendered"),
    ("oss_desk.hardware.printers", None, "read_status", "reading the answer asked ahead", None),
    ("oss_desk.worker.printing", "PrintDelivery", "_over", "writing the bytes", None),
    ("oss_desk.worker.printing", None, "confirm_and_close", "reading the job's answer", "closed"),
    ("oss_desk.worker.printing", "PrintDelivery", "_settle", "recording", "recorded"),
)
"""(module, class or None, function, step at its start, step at its end or None)."""


class Marks:
    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def __call__(self, step: str) -> None:
        os.write(self._fd, f"{time.monotonic_ns()} {step}\n".encode())

    def wrap(self, owner: Any, name: str, start: str, end: str | None) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def stamped(*args: Any, **kwargs: Any) -> Any:
            self(start)
            try:
                return original(*args, **kwargs)
            finally:
                if end is not None:
                    self(end)

        setattr(owner, name, stamped)


def run_worker() -> None:
    """``oss-desk worker`` with its printer lane's steps stamped."""
    import importlib

    marks = Marks(os.environ[MARKS])
    for module, cls, name, start, end in WORKER_STEPS:
        loaded = importlib.import_module(module)
        marks.wrap(getattr(loaded, cls) if cls else loaded, name, start, end)
    from oss_desk.cli import main

    sys.argv = ["oss-desk", "worker"]
    main()


def _desk_marks(marks: Marks) -> None:
    """Stamp the desk's transaction and its word to the printer's lane (this process)."""
    import oss_desk.services.device_owner as owner
    from oss_desk.storage import faults

    run = faults.DecodingConnection._run

    def stamped(conn: Any, statement: Callable[..., Any], *args: Any) -> Any:
        sql = args[0] if args and isinstance(args[0], str) else ""
        step = sql.split()[0] if sql.startswith(("BEGIN IMMEDIATE", "COMMIT")) else None
        if step is not None:
            marks(f"desk {step}")
        try:
            return run(conn, statement, *args)
        finally:
            if step is not None:
                marks(f"desk {step} done")

    faults.DecodingConnection._run = stamped  # type: ignore[method-assign,assignment]
    marks.wrap(owner, "expect_print", "desk tells the lane a job comes", None)


def measure(tickets: int) -> None:
    from oss_desk.hardware.printers import open_transport
    from oss_desk.services.queue import QueueService
    from oss_desk.services.session import open_session
    from tests.benchmarks import table_devices
    from tests.hardware.printer_process import PrinterProcess

    rng = random.Random(9)
    folder = Path(tempfile.mkdtemp(prefix="tcp-path-"))
    path = folder / "marks"
    os.environ[MARKS] = str(path)
    marks = Marks(str(path))
    _desk_marks(marks)
    printer = PrinterProcess()
    starts: list[tuple[int, int, int]] = []
    floor: list[float] = []
    try:
        db = table_devices.office(folder, printer.url)
        proc = table_devices.worker(db, command=("-m", "tests.benchmarks.tcp_path", "--worker"))
        session = open_session(db=db, person="bench", desk_id="greet-1")
        transport = open_transport(printer.url)
        try:
            queue = QueueService(session)
            for _ in range(tickets):
                time.sleep(rng.uniform(0.05, 0.25))  # any phase of the worker's polls
                started = time.monotonic_ns()
                queue.issue("C")
                marks("desk issue returned")
                job = printer.next_job()
                starts.append((started, int(job.arrived * 1e9), int(job.closed * 1e9)))
                time.sleep(rng.uniform(0.05, 0.25))
                sent = time.monotonic()
                transport.send(job.data)
                floor.append(printer.next_job().closed - sent)
        finally:
            session.close()
            proc.terminate()
            proc.wait(15)
    finally:
        printer.close()
    report(path, starts, floor)


def report(path: Path, starts: list[tuple[int, int, int]], floor: list[float]) -> None:
    stamps = sorted(
        (int(ns), step)
        for ns, _, step in (line.partition(" ") for line in path.read_text().splitlines())
    )
    after: dict[str, list[float]] = defaultdict(list)
    for started, arrived, closed in starts:
        firsts: dict[str, int] = {}
        for ns, step in stamps:
            if started <= ns <= closed:
                firsts.setdefault(step, ns)
        # The lane's first wake after the commit is the one that finds the job.
        committed = firsts.get("desk COMMIT done")
        woken = [ns for ns, s in stamps if s == "lane woken" and committed and committed <= ns]
        if woken and woken[0] <= closed:
            firsts["lane woken after the commit"] = woken[0]
        firsts.pop("lane woken", None)
        firsts["printer: last byte"] = arrived
        firsts["printer: line closed"] = closed
        for step, ns in firsts.items():
            after[step].append((ns - started) / 1e6)
    print(f"{len(starts)} tickets; median ms from the issue's start (steps seen in most of them):")
    for step, values in sorted(after.items(), key=lambda kv: statistics.median(kv[1])):
        if len(values) >= len(starts) // 2:
            print(f"  {statistics.median(values):7.2f}  {step}")
    print(f"floor, a synchronous send of the same bytes: {statistics.median(floor) * 1000:.2f} ms")


def main() -> None:
    if "--worker" in sys.argv[1:]:
        run_worker()
        return
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.tcp_path")
    parser.add_argument("--tickets", type=int, default=30)
    measure(parser.parse_args().tickets)


if __name__ == "__main__":
    main()
