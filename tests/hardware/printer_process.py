"""A network printer (:class:`~tests.hardware.fakes.FakePrinter`) in a process of its own, so
that its threads share no interpreter with the process measured (a benchmark's desk): each job
it takes is reported over a pipe, with the moments its last byte arrived and the sender closed
the connection on ``time.monotonic()`` (CLOCK_MONOTONIC on Linux: one clock for every process
on the host, so they compare with the measuring process's own).

Run: ``python -m tests.hardware.printer_process`` (prints ``port N``, then a line a job).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Job:
    data: bytes
    arrived: float
    """When its last byte arrived (``time.monotonic()``, in the printer's process)."""
    closed: float
    """When the sender closed its connection (``time.monotonic()``, in the printer's process)."""


class PrinterProcess:
    """The printer's process, seen from the measuring one: :meth:`next_job` blocks on the pipe
    (no thread of this process runs meanwhile)."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.hardware.printer_process"],
            stdout=subprocess.PIPE,
            stdin=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        assert self._proc.stdout is not None
        self._fd = self._proc.stdout.fileno()
        self._pending = b""
        word, _, port = self._line(30).partition(" ")
        assert word == "port" and port.isdigit(), f"the printer's process said {word} {port}"
        self.port = int(port)

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}?timeout=1"

    def _line(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._fd], [], [], left)[0]:
                raise RuntimeError("the printer's process said nothing in time")
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise RuntimeError("the printer's process stopped")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode()

    def next_job(self, timeout: float = 15) -> Job:
        """The next job the printer took, once its sender has closed the connection."""
        arrived, closed, data = self._line(timeout).split(" ")
        return Job(bytes.fromhex(data), float(arrived), float(closed))

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()  # the printer's process stops at the end of its input
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def main() -> None:
    from tests.hardware.fakes import FakePrinter

    said = threading.Lock()  # (two connections may end at once)

    def report(job: bytes, arrived: float, closed: float) -> None:
        with said:
            sys.stdout.write(f"{arrived!r} {closed!r} {job.hex()}\n")
            sys.stdout.flush()

    printer = FakePrinter(on_job=report)
    print(f"port {printer.port}", flush=True)
    sys.stdin.read()  # until the measuring process closes it (or stops)
    printer.close()


if __name__ == "__main__":
    main()
