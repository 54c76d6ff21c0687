"""Device benchmarks: bytes per ticket, issue to the last byte at a printer with 4 desks
issuing, takeover after the owner of the devices exits, a 6 KB serial job against its line
time, and a call to the board.

Run: .venv/bin/python -m tests.benchmarks devices

Printers are loopback TCP printers that answer status requests; the serial printer is a real
pty that takes bytes at line speed; the board is a real pty. The device worker runs in its own
process (``oss-desk worker``, as in production). Each figure is shown beside a floor measured
in the same run.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock
from oss_desk.domain.delivery import line_seconds
from oss_desk.domain.printouts import TicketPrintout
from oss_desk.domain.stats import percentile
from oss_desk.hardware.printers import open_transport
from oss_desk.hardware.templates import render
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.worker.printing import PrintDelivery

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.hardware.fakes import FakePrinter, Pty, SerialPrinter  # noqa: E402

DESKS = 4


def pct(values: list[float], q: float) -> float:
    result = percentile(values, q)
    assert result is not None
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def show(values: list[float], goal: str) -> None:
    print(
        f"  median {ms(statistics.median(values))}, p95 {ms(pct(values, 95))}, "
        f"max {ms(max(values))}   {goal}"
    )


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


def office(tmp: Path, printers: list[str], board_path: str) -> Path:
    desks = "".join(
        f'\n[[desks]]\nid = "greet-{n + 1}"\nkind = "meet-and-greet"\nprinter = "{url}"\n'
        for n, url in enumerate(printers)
    )
    config = tmp / "site.toml"
    config.write_text(
        f"""
[access]
user_override = "anyone"  # acts as many people from one login
name_unlisted = true  # and as people not on the staff list

[[sites]]
id = "hq"
name = "Civic Centre"
[[services]]
code = "C"
name = "Council Tax"
{desks}
[[desks]]
id = "desk-1"
name = "Desk 1"
[board]
url = "ascii+serial://{board_path}"
[queue]
staffed_desks_only = false
"""
    )
    db = tmp / "office.sqlite"
    initialise(db, clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=UTC)), config_path=config)
    return db


def worker_process(db: Path, ready: bool = False) -> subprocess.Popen[bytes]:
    """``oss-desk worker`` in its own process (``ready``: return once it waits for the lease)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "worker"],
        env=env,
        stderr=subprocess.PIPE if ready else subprocess.DEVNULL,
    )
    if ready:
        assert proc.stderr is not None
        while b"taking over the devices when free" not in proc.stderr.readline():
            assert proc.poll() is None, "the worker stopped"
    return proc


def _issuer(db: str, desk: str, rounds: int, start: Any, done: Any, queue: Any) -> None:
    """A desk process: each round it issues one ticket at the same moment as the others."""
    session = open_session(db=db, person="bench", desk_id=desk)
    service = QueueService(session)
    stamps: list[float] = []
    for _ in range(rounds):
        start.wait(60)
        stamps.append(time.time())
        service.issue("C")
        done.wait(60)
    session.close()
    queue.put((desk, stamps))


def issue_to_last_byte(
    tmp: Path, rounds: int, board_samples: int, sends: int = 20
) -> tuple[list[float], list[float], list[float]]:
    """4 desk processes issue a ticket at the same moment, each to its own printer, round
    after round: the time from the issue to the ticket's last byte at its printer. The floor is
    a bare send of the same ticket over the same transport (connect, status, bytes,
    confirmation), with no database and no worker."""
    printers = [FakePrinter() for _ in range(DESKS)]
    board = Pty()
    try:
        db = office(tmp, [p.url for p in printers], board.path)
        worker = worker_process(db)
        try:
            board.read(b"\x03", timeout=30)  # the worker is up and has drawn the board
            context = multiprocessing.get_context("fork")
            start, done = context.Barrier(DESKS + 1), context.Barrier(DESKS + 1)
            results: Any = context.Queue()
            procs = [
                context.Process(
                    target=_issuer,
                    args=(str(db), f"greet-{n + 1}", rounds, start, done, results),
                )
                for n in range(DESKS)
            ]
            for proc in procs:
                proc.start()
            for round_ in range(1, rounds + 1):
                start.wait(60)
                deadline = time.monotonic() + 30
                while any(len(p.jobs) < round_ for p in printers):
                    assert time.monotonic() < deadline, "the worker did not print everything"
                    time.sleep(0.002)
                time.sleep(0.05)  # the desks pause between rounds (a busy morning)
                done.wait(60)
            issued = dict(results.get(timeout=60) for _ in procs)
            for proc in procs:
                proc.join(30)
            board_lags = board_calls(db, board, board_samples)
        finally:
            worker.terminate()
            worker.wait(15)
        lags: list[float] = []
        offset = time.time() - time.monotonic()  # arrivals are monotonic, issues wall clock
        for n, printer in enumerate(printers):
            stamps = issued[f"greet-{n + 1}"]
            assert len(printer.arrivals) == len(stamps)
            lags += [
                arrived + offset - at for arrived, at in zip(printer.arrivals, stamps, strict=True)
            ]
        data = render(TicketPrintout("Council", "Civic Centre", "C001", "Council Tax", "10:00"))
        transport = open_transport(printers[0].url)
        floors = []
        for _ in range(sends):
            started = time.perf_counter()
            transport.send(data)
            floors.append(time.perf_counter() - started)
        return lags, floors, board_lags
    finally:
        for p in printers:
            p.close()
        board.close()


def takeover(tmp: Path, rounds: int, kill: bool = True) -> tuple[list[float], list[float]]:
    """Two `oss-desk worker` processes: one owns the devices, the other waits. The owner is
    stopped (SIGTERM, as systemd or a closing desk does) or killed -9: the time until the
    other one's heartbeat says it owns them."""
    printer = FakePrinter()
    board = Pty()
    try:
        db = office(tmp, [printer.url], board.path)

        def term() -> tuple[int, int]:
            conn = sqlite3.connect(db)
            try:
                row = conn.execute("SELECT term, pid FROM worker_heartbeat WHERE id = 1").fetchone()
                return (int(row[0]), int(row[1])) if row else (0, 0)
            finally:
                conn.close()

        first = worker_process(db)
        while term()[1] != first.pid:
            time.sleep(0.01)
        procs = [first, worker_process(db, ready=True)]
        closed: list[float] = []
        killed: list[float] = []
        signals = [signal.SIGTERM, signal.SIGKILL] * rounds if kill else [signal.SIGTERM] * rounds
        for sig in signals:
            time.sleep(0.5)  # the standby is waiting for the lease
            owner_term, owner_pid = term()
            owner = next(p for p in procs if p.pid == owner_pid)
            started = time.monotonic()
            owner.send_signal(sig)
            while term()[0] == owner_term:
                time.sleep(0.005)
            (killed if sig == signal.SIGKILL else closed).append(time.monotonic() - started)
            owner.wait(15)
            procs.remove(owner)
            if len(closed) + len(killed) < len(signals):
                procs.append(worker_process(db, ready=True))
        for p in procs:
            p.terminate()
            p.wait(15)
        return closed, killed
    finally:
        printer.close()
        board.close()


def serial_job(baudrate: int, samples: int) -> list[tuple[int, float, float]]:
    """A 6 KB raster ticket (58 mm, no native QR) to a serial printer that takes bytes at line
    speed and answers the status question after the job: (bytes, print time, line time)."""
    found = []
    for _ in range(samples):
        printer = SerialPrinter(baudrate)
        with tempfile.TemporaryDirectory() as name:
            db = office(Path(name), [f"{printer.url}&profile=ZJ-5870&timeout=2"], "/dev/null")
            clock = FixedClock(datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
            desk = open_session(db=db, clock=clock, person="bench", desk_id="greet-1")
            QueueService(desk).issue("C")
            worker = open_session(db=db, clock=clock, person="worker")
            started = time.perf_counter()
            report = PrintDelivery(worker).deliver_due()
            took = time.perf_counter() - started
            assert report.printed == 1, report
            (job,) = printer.jobs
            found.append((len(job), took, line_seconds(len(job), baudrate)))
            worker.close()
            desk.close()
        printer.close()
    return found


def board_calls(db: Path, board: Pty, samples: int) -> list[float]:
    """A call at a desk to its frame written on the (pty) board, the worker running."""
    board.read_for(0.2)
    desk = open_session(db=db, person="bench", desk_id="desk-1")
    greeter = open_session(db=db, person="bench", desk_id="greet-1")
    adviser = QueueService(desk)
    lags: list[float] = []
    for _ in range(samples):
        QueueService(greeter).issue("C", print_ticket=False)
        called = adviser.call_next("desk-1")
        assert called is not None
        started = time.perf_counter()
        board.read(f"{called.code} -> Desk 1".encode(), timeout=10)
        lags.append(time.perf_counter() - started)
        adviser.finish(called.id, "resolved")
        board.read_for(0.05)
    desk.close()
    greeter.close()
    return lags


def main(quick: bool = False) -> None:
    sizes = ticket_bytes()
    print("Bytes per queue ticket")
    for label, count in sizes.items():
        goal = "   (goal: under 400)" if label.startswith("native QR (") else ""
        print(f"  {label:28s} {count:6d} bytes{goal}")
    issue_rounds = 1 if quick else 25
    samples = 2 if quick else 40
    with tempfile.TemporaryDirectory() as name:
        lags, floors, board_lags = issue_to_last_byte(
            Path(name), issue_rounds, samples, 3 if quick else 20
        )
    print(
        f"\nIssue to the last byte at a loopback printer: {DESKS} desk processes each issue a "
        f"ticket at the same moment, {issue_rounds} rounds (a printer each; `oss-desk worker`)"
    )
    show(lags, "(goal: median under 150 ms)")
    floor = statistics.median(floors)
    print(f"  floor (the ticket sent straight to its printer, no worker): median {ms(floor)}")
    rounds = 1 if quick else 5
    with tempfile.TemporaryDirectory() as name:
        closed, killed = takeover(Path(name), rounds, kill=not quick)
    print(
        f"\nTakeover after the owner of the devices exits ({rounds} stopped"
        + (f", {rounds} killed -9)" if killed else ")")
    )
    line = f"  stopped: median {ms(statistics.median(closed))}, max {ms(max(closed))}"
    if killed:
        line += f"; killed -9: median {ms(statistics.median(killed))}, max {ms(max(killed))}"
    print(line + "   (goal: under 10 s; a standby tries every 1 s)")
    print(
        "\nA 58 mm raster ticket (about 6 KB) to a serial printer at line speed (pty), vs the line"
    )
    # The smoke run: one job at the fastest standard rate (0.6 s of line time).
    for baud in (115200,) if quick else (9600, 19200, 38400):
        found = serial_job(baud, 1 if quick else 3)
        size = found[0][0]
        took = statistics.median(t for _, t, _ in found)
        floor = found[0][2]
        print(
            f"  {baud:6d} baud, {size} bytes: median {took:.2f} s against the line's "
            f"{floor:.2f} s (bytes x 10 / baud): x{took / floor:.2f}"
        )
    print(f"\nCall to the board frame written (pty), {samples} calls")
    show(board_lags, "(goal: median under 200 ms)")
