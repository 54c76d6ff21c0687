"""The speed table's rows about devices: a ticket issued at a desk until the TCP printer's
connection is closed (beside a synchronous send of the same bytes to the same printer, turn
about), and until its last byte has crossed a 9600-baud serial line (beside the line time of
those bytes). The device worker is `oss-desk worker` in its own process, as in production, and
so is the TCP printer (:mod:`tests.hardware.printer_process`): the measuring process runs the
desk alone."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.delivery import line_seconds
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from tests.benchmarks.bench_table import Row, median, ms
from tests.benchmarks.table_writers import BareWriter, bare_db
from tests.hardware.fakes import SerialPrinter
from tests.hardware.printer_process import PrinterProcess

ROOT = Path(__file__).resolve().parents[2]


def office(tmp: Path, printer_url: str) -> Path:
    config = tmp / "site.toml"
    config.write_text(
        f"""
[access]
user_override = "anyone"  # the benchmark acts as several people from one login
name_unlisted = true
[[sites]]
id = "hq"
name = "Civic Centre"
[[services]]
code = "C"
name = "Council Tax"
[[desks]]
id = "greet-1"
kind = "meet-and-greet"
printer = "{printer_url}"
[[desks]]
id = "desk-1"
name = "Desk 1"
"""
    )
    db = tmp / "office.sqlite"
    initialise(db, clock=FixedClock(datetime.now(UTC)), config_path=config)
    return db


def worker(
    db: Path, root: Path = ROOT, command: tuple[str, ...] = ("-m", "oss_desk", "worker")
) -> subprocess.Popen[bytes]:
    """`oss-desk worker` in its own process (the code of the checkout at ``root``; ``command``:
    the Python arguments that run it); returns once it owns the devices."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(root))
    proc = subprocess.Popen(
        [sys.executable, *command], env=env, stderr=subprocess.DEVNULL, cwd=root
    )
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, "the worker stopped"
        assert time.monotonic() < deadline, "the worker did not start"
        conn = sqlite3.connect(db)
        try:
            row = conn.execute("SELECT pid FROM worker_heartbeat WHERE id = 1").fetchone()
        except sqlite3.Error:
            row = None
        finally:
            conn.close()
        if row is not None and row[0] == proc.pid:
            time.sleep(0.3)  # its lanes are running
            return proc
        time.sleep(0.05)


def _wait_for(items: list[float], count: int, what: str, timeout: float = 15) -> float:
    deadline = time.monotonic() + timeout
    while len(items) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come")
        time.sleep(0.0005)
    return items[count - 1]


def tcp(quick: bool) -> Row:
    from oss_desk.hardware.printers import open_transport

    samples = 2 if quick else 30
    rng = random.Random(9)
    other = random.Random(11)  # the reference's own pauses: the row's and the floor's stay
    # The printer runs in a process of its own: this one runs the desk alone, as a desk's does.
    printer = PrinterProcess()
    try:
        with tempfile.TemporaryDirectory(prefix="speed-table-") as name:
            db = office(Path(name), printer.url)
            proc = worker(db)
            session = open_session(db=db, person="bench", desk_id="greet-1")
            bare_db(Path(name) / "bare.sqlite")
            bare = BareWriter(Path(name) / "bare.sqlite")
            ours: list[float] = []
            last_bytes: list[float] = []
            issued: list[float] = []
            processor: list[float] = []  # the issue's own processor time (this thread's)
            floor: list[float] = []
            durable: list[float] = []
            try:
                queue = QueueService(session)
                transport = open_transport(printer.url)
                for _ in range(samples):
                    time.sleep(rng.uniform(0.05, 0.25))  # any phase of the worker's polls
                    started, ran = time.monotonic(), time.thread_time()
                    queue.issue("C")
                    issued.append(time.monotonic() - started)
                    processor.append(time.thread_time() - ran)
                    job = printer.next_job()
                    ours.append(job.closed - started)
                    last_bytes.append(job.arrived - started)
                    time.sleep(rng.uniform(0.05, 0.25))
                    started = time.monotonic()
                    transport.send(job.data)
                    floor.append(printer.next_job().closed - started)
                    time.sleep(other.uniform(0.05, 0.25))
                    started = time.monotonic()
                    bare.op(0)
                    durable.append(time.monotonic() - started)
            finally:
                bare.conn.close()
                session.close()
                proc.terminate()
                proc.wait(15)
    finally:
        printer.close()
    return Row(
        "TCP printer: issue to connection closed",
        f"median {ms(median(ours))} (last byte at {ms(median(last_bytes))}; {samples} tickets)",
        f"a synchronous send of the same bytes {ms(median(floor))}",
        median(ours) / median(floor),
        "<= 3x",
        median(ours) <= 3 * median(floor),
        "the printer runs in a process of its own, and both times run from the call in the "
        "desk's process until the printer's process saw the connection close, on the host's "
        "monotonic clock; the issue itself, its durable commit included, returned at "
        f"{ms(median(issued))}, {ms(median(processor))} of it on the processor "
        f"({median(issued) / median(floor):.2f}x the send on its own; a "
        "bare durable one-row transaction after the same pause, the least a commit costs here, "
        f"{ms(median(durable))}: no issue and send can take less than "
        f"{(median(durable) + median(floor)) / median(floor):.2f}x the send), and the "
        "connection closed a median "
        f"{ms(median([o - i for o, i in zip(ours, issued, strict=True)]))} after it returned: "
        "that commit hands the job, claimed, to the running worker, whose lane, told by the desk "
        "just before the commit that a job is coming, connects and asks the printer its status "
        "meanwhile; once the commit can be seen the lane reads the "
        "ticket and its place in the queue, draws, renders and sends it, with no commit of its "
        "own before the first byte; 'sent' and 'printed' are committed after the connection "
        "is closed",
    )


def serial(quick: bool) -> Row:
    # The smoke run: one ticket, sent at once (no job before it whose reply could linger).
    samples, pause = (1, (0.0, 0.0)) if quick else (7, (0.3, 0.6))
    baud = 9600
    rng = random.Random(10)
    printer = SerialPrinter(baud)
    try:
        with tempfile.TemporaryDirectory(prefix="speed-table-") as name:
            db = office(Path(name), f"{printer.url}&timeout=2")
            proc = worker(db)
            session = open_session(db=db, person="bench", desk_id="greet-1")
            lags: list[float] = []
            floors: list[float] = []
            try:
                queue = QueueService(session)
                for _ in range(samples):
                    time.sleep(rng.uniform(*pause))  # the last job's reply has gone
                    count = len(printer.job_ends) + 1
                    started = time.monotonic()
                    queue.issue("C")
                    lags.append(_wait_for(printer.job_ends, count, "the job") - started)
                    floors.append(line_seconds(len(printer.jobs[count - 1]), baud))
            finally:
                session.close()
                proc.terminate()
                proc.wait(15)
    finally:
        printer.close()
    size = len(printer.jobs[-1])
    return Row(
        "9600-baud serial printer: issue to last byte",
        f"median {ms(median(lags))} ({samples} tickets of {size} bytes)",
        f"bytes x 10 / baud = {ms(median(floors))}",
        median(lags) / median(floors),
        "<= 1.1x",
        median(lags) <= 1.1 * median(floors),
    )


def printers(quick: bool) -> list[Row]:
    return [tcp(quick), serial(quick)]


def main(quick: bool = False) -> None:
    """The printer rows alone: ``python -m tests.benchmarks.table_devices [--quick]``."""
    for row in printers(quick):
        print("\n".join(row.lines()), flush=True)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
