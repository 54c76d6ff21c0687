"""A ticket's network printer is reached while the ticket is written: the desk rings the
printer's lane before it takes its turn to write, the lane connects and asks the printer how it
is meanwhile, and the job goes out on that line once its commit can be seen. A line no job
came for carries only the status question and is closed (`oss-desk worker` in its own process,
printers on loopback sockets, real SQLite files)."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

from oss_desk.hardware.printer_link import STATUS_QUESTIONS
from oss_desk.services.queue import QueueService
from oss_desk.storage.doorbell import PrinterBell, ring_printer
from oss_desk.storage.writelock import lock_path
from oss_desk.worker.printing_lines import READY_SECONDS

from .conftest import rows
from .escpos_decoder import decode, text_lines
from .hardware.fakes import FakePrinter
from .test_delivery_handover import desk, office, until, worker_process


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(15)


def test_the_printer_is_reached_while_the_ticket_is_written(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """The desk's write turn is held up (another writer has it): the printer has been reached
    and asked already, before the ticket exists; once the ticket is committed it prints once,
    over that same line, confirmed."""
    db = office(tmp_path, printer.url)
    proc = worker_process(db)
    # Its lane asked the idle printer how it is once as it started (the next time is 30 s on).
    until(lambda: rows(db, "SELECT count(*) FROM device_status") == [(1,)], 20, "first poll")
    before = printer.connections
    issued: list[str] = []

    def issue() -> None:
        session = desk(db)
        try:
            issued.append(QueueService(session).issue("C").ticket.code)
        finally:
            session.close()

    try:
        with open(lock_path(db), "a+b") as turn:
            fcntl.flock(turn, fcntl.LOCK_EX)  # another writer's turn
            thread = threading.Thread(target=issue)
            thread.start()
            try:
                until(lambda: printer.connections == before + 1, 10, "the printer reached")
                assert rows(db, "SELECT count(*) FROM tickets") == [(0,)]
                assert printer.jobs == []
            finally:
                fcntl.flock(turn, fcntl.LOCK_UN)
            thread.join(20)
        until(lambda: len(printer.jobs) == 1, 20, "the ticket printed")
        assert issued and issued[0] in text_lines(decode(printer.jobs[0]))
        until(
            lambda: (
                rows(db, "SELECT status, printed_at IS NOT NULL FROM print_jobs") == [("done", 1)]
            ),
            20,
            "printed, confirmed",
        )
        assert printer.connections == before + 1  # the line opened ahead carried the job
    finally:
        _stop(proc)


class _Listener:
    """A printer's raw port that answers every DLE EOT question 'all well' and notes what each
    connection carried and when it was closed."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.url = f"tcp://127.0.0.1:{self.server.getsockname()[1]}?timeout=1"
        self.carried: list[bytes] = []
        self.closed: list[float] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                got = b""
                while data := conn.recv(4096):
                    got += data
                    conn.sendall(b"\x12" * data.count(b"\x10\x04"))
                self.carried.append(got)
                self.closed.append(time.monotonic())

    def close(self) -> None:
        self.server.close()


def test_a_line_no_ticket_came_for_is_closed_having_carried_only_the_question(
    tmp_path: Path,
) -> None:
    """A desk rang for a ticket that was never committed (refused, say): the lane's line to the
    printer carried the status question alone and is closed within about READY_SECONDS, so
    no connection is held between tickets."""
    listener = _Listener()
    db = office(tmp_path, listener.url)
    proc = worker_process(db)
    try:
        rung = time.monotonic()
        ring_printer(db, listener.url)
        until(lambda: len(listener.closed) == 1, 10, "the line closed")
        assert listener.carried == [STATUS_QUESTIONS]
        assert listener.closed[0] - rung < READY_SECONDS + 2.0
    finally:
        _stop(proc)
        listener.close()


def test_a_lane_hears_only_its_own_printer_named(tmp_path: Path) -> None:
    """Two printers' lanes: a ring for one is heard by both, but only one is named in it."""
    db = tmp_path / "office.sqlite"
    db.write_bytes(b"")
    first, second = "tcp://10.0.0.5:9100", "tcp://10.0.0.6:9100"
    mine, other = PrinterBell(db, first), PrinterBell(db, second)
    try:
        assert mine.fd is not None and other.fd is not None
        assert not mine.wait(0.01)
        ring_printer(db, first)
        assert mine.ringing([mine], 5) == [mine] and mine.mine()
        assert other.ringing([other], 5) == [other] and not other.mine()
        ring_printer(db, second)
        assert other.ringing([other], 5) == [other] and other.mine()
        assert oct(os.stat(db.with_name(db.name + ".print.bell")).st_mode & 0o777) == oct(
            os.stat(db).st_mode & 0o666
        )
    finally:
        mine.close()
        other.close()
