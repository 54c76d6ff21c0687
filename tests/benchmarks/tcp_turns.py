"""The speed table's TCP printer row, one device worker against another, ticket by ticket.

On a shared machine two runs of the row differ by a millisecond or more (the load moves between
them), more than most changes to the printer's lane gain or lose. Here each checkout named runs
its own `oss-desk worker` over an office database of its own, with a printer process of its own,
and one desk (this process, this checkout's code) issues a ticket at each office in turn, after
the row's pauses: both see the same moments of load. Each ticket's time is split where the desk's
issue returned: the issue (its durable commit; the worker's reaction to the desk's word that a
job is coming falls in it) and after it (the lane reads, draws and sends the job; the printer
answers; the connection closes). A synchronous send of the same bytes, between rounds, is the
row's floor.

Run: ``python -m tests.benchmarks.tcp_turns CHECKOUT CHECKOUT [--tickets N]`` (a checkout: a
folder holding ``oss_desk``, such as a worktree, or ``git archive`` of a commit unpacked).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from oss_desk.hardware.printers import open_transport
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from tests.benchmarks.table_devices import office, worker
from tests.hardware.printer_process import PrinterProcess


@dataclass
class Office:
    """One checkout's office: its database, worker and printer, and the figures of its tickets."""

    name: str
    closed: list[float] = field(default_factory=list)
    issued: list[float] = field(default_factory=list)

    def after(self) -> list[float]:
        return [c - i for c, i in zip(self.closed, self.issued, strict=True)]


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.2f} ms"


def turns(checkouts: list[Path], tickets: int) -> None:
    rng = random.Random(9)
    offices = [Office(f"{n}:{c.name}") for n, c in enumerate(checkouts, 1)]
    floor: list[float] = []
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tcp-turns-")))
        desks = []
        for n, checkout in enumerate(checkouts):
            printer = PrinterProcess()
            stack.callback(printer.close)
            (folder / str(n)).mkdir()
            db = office(folder / str(n), printer.url)
            proc = worker(db, root=checkout)
            stack.callback(proc.wait, 15)
            stack.callback(proc.terminate)
            session = open_session(db=db, person="bench", desk_id="greet-1")
            stack.callback(session.close)
            desks.append((QueueService(session), printer))
        transport = open_transport(desks[0][1].url)
        for turn in range(tickets):
            order = list(zip(offices, desks, strict=True))
            for at, (queue, printer) in order if turn % 2 == 0 else order[::-1]:
                time.sleep(rng.uniform(0.05, 0.25))  # any phase of the worker's polls
                started = time.monotonic()
                queue.issue("C")
                at.issued.append(time.monotonic() - started)
                job = printer.next_job()
                at.closed.append(job.closed - started)
            time.sleep(rng.uniform(0.05, 0.25))
            started = time.monotonic()
            transport.send(job.data)
            floor.append(desks[0][1].next_job().closed - started)
    print(f"floor (a synchronous send of the same bytes): {_ms(floor)}; {tickets} tickets each")
    for at in offices:
        ratio = statistics.median(at.closed) / statistics.median(floor)
        print(
            f"{at.name}: closed {_ms(at.closed)} ({ratio:.2f}x the floor); "
            f"issue returned {_ms(at.issued)}, then {_ms(at.after())} to the close"
        )
    first = offices[0]
    for other in offices[1:]:
        gaps = [o - f for o, f in zip(other.closed, first.closed, strict=True)]
        print(f"{other.name} minus {first.name}, ticket by ticket: median {_ms(gaps)}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.tcp_turns")
    parser.add_argument("checkouts", nargs="+", type=Path, help="folders holding oss_desk")
    parser.add_argument("--tickets", type=int, default=100, help="tickets at each office")
    args = parser.parse_args()
    missing = [c for c in args.checkouts if not (c / "oss_desk").is_dir()]
    if missing:
        parser.error(f"no oss_desk in {', '.join(map(str, missing))}")
    turns([c.resolve() for c in args.checkouts], args.tickets)


if __name__ == "__main__":
    main()
