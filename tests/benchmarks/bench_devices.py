"""Device benchmarks: bytes per ticket, issue to the last byte at a printer, call to the board.

Run: .venv/bin/python -m tests.benchmarks devices

The printer is a loopback TCP printer that answers status requests; the board is a real pty. A
device worker runs in its own process (as in production), polling the change feed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.printouts import TicketPrintout
from oss_desk.domain.stats import percentile
from oss_desk.hardware.templates import render
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.hardware.fakes import FakePrinter, Pty  # noqa: E402

WORKER = textwrap.dedent(
    """
    import sys
    from oss_desk.services.session import open_session
    from oss_desk.services.worker import DeviceWorker
    DeviceWorker(lambda: open_session(db=sys.argv[1], person="worker")).run_forever()
    """
)


def pct(values: list[float], q: float) -> float:
    result = percentile(values, q)
    assert result is not None
    return result


def show(values: list[float], goal: str) -> None:
    median, p90, top = statistics.median(values), pct(values, 90), max(values)
    figures = f"median {median * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, max {top * 1000:.0f} ms"
    print(f"  {figures}   {goal}")


def ticket_bytes() -> dict[str, int]:
    base = dict(
        council="Example Borough Council",
        site="Town Hall One Stop Shop",
        code="C012",
        label="Council Tax",
        issued="09:41",
        ahead=3,
        estimate_minutes=12,
        qr="OSSD-T:town-hall:2026-11-23:C012",
    )
    return {
        "native QR (TM-T88V)": len(render(TicketPrintout(**base))),  # type: ignore[arg-type]
        "native QR, large print": len(render(TicketPrintout(**base, large_print=True))),  # type: ignore[arg-type]
        "raster QR (POS-5890, 58 mm)": len(render(TicketPrintout(**base), "POS-5890")),  # type: ignore[arg-type]
        "text only (TM-U220, impact)": len(render(TicketPrintout(**base), "TM-U220")),  # type: ignore[arg-type]
    }


def office(tmp: Path, printer_url: str, board_path: str) -> Path:
    config = tmp / "site.toml"
    config.write_text(
        f"""
[access]
user_override = "anyone"  # acts as many people from one login

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
[board]
url = "ascii+serial://{board_path}"
"""
    )
    db = tmp / "office.sqlite"
    initialise(db, clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=UTC)), config_path=config)
    return db


def main(quick: bool = False) -> None:
    sizes = ticket_bytes()
    print("Bytes per queue ticket")
    for label, count in sizes.items():
        print(
            f"  {label:24s} {count:6d} bytes"
            + ("   (goal: under 400)" if "native QR (" in label else "")
        )
    samples = 8 if quick else 40
    printer = FakePrinter()
    board = Pty()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db = office(tmp, printer.url, board.path)
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stderr=subprocess.DEVNULL,
        )
        session = open_session(db=db, person="bench", desk_id="greet-1")
        try:
            board.read(b"\x03", timeout=15)  # the worker is up and has drawn the board
            queue = QueueService(session)
            print_lags: list[float] = []
            for _ in range(samples):
                printer.job_arrived.clear()
                before = len(printer.jobs)
                started = time.perf_counter()
                queue.issue("C")
                assert printer.job_arrived.wait(10), "the worker printed nothing"
                while len(printer.jobs) == before:
                    time.sleep(0.0005)
                print_lags.append(time.perf_counter() - started)
                time.sleep(0.03)
            desk = open_session(db=db, person="bench", desk_id="desk-1")
            adviser = QueueService(desk)
            board_lags: list[float] = []
            for _ in range(samples):
                called = adviser.call_next("desk-1")
                assert called is not None
                started = time.perf_counter()
                board.read(f"{called.code} -> Desk 1".encode(), timeout=10)
                board_lags.append(time.perf_counter() - started)
                adviser.finish(called.id, "resolved")
                board.read_for(0.05)
            desk.close()
        finally:
            session.close()
            worker.terminate()
            worker.wait(10)
            printer.close()
            board.close()
    print(f"\nIssue to the last byte at a loopback printer (worker running), {samples} tickets")
    show(print_lags, "(goal: median under 150 ms)")
    print(f"\nCall to the board frame written (pty), {samples} calls")
    show(board_lags, "(goal: median under 200 ms)")
