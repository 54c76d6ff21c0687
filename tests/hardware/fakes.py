"""Devices for the tests, on loopback sockets and real ptys (no mocks of our code)."""

from __future__ import annotations

import bisect
import contextlib
import os
import select
import socket
import struct
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field

# DLE EOT replies: 0x12 is "all well"; bits per the Epson reference (see oss_desk.hardware).
HEALTHY = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
PAPER_OUT = {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72}
COVER_OPEN = {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12}
NEAR_END = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E}


@dataclass
class FakePrinter:
    """A network printer on 127.0.0.1: answers DLE EOT as told and keeps every job it gets.

    behaviour: "ok" (answers with ``replies``), "silent" (accepts, reads, never answers),
    "disconnect" (answers the status, then resets the connection part-way through the job),
    "stall" (answers the status, takes the start of the job, then hangs), "hang-up" (answers
    the status, then closes the connection before the job), "reset-at-job" (answers the status,
    then resets the connection as the job arrives, keeping none of it), "reset-after-answer"
    (answers the status and resets the connection at once, before any job).
    """

    behaviour: str = "ok"
    replies: dict[int, int] = field(default_factory=lambda: dict(HEALTHY))
    disconnect_after: int = 40
    _jobs: list[bytes] = field(default_factory=list, init=False, repr=False)
    connections: int = 0
    hung_up: int = 0
    """Connections the sender closed, whether or not they carried a job."""
    ended: int = 0
    """Connections done with (their job, if any, filed): ``connections`` once all are."""
    resets: int = 0
    """Connections it reset as a job arrived, or once it answered (the "reset-..." ones)."""
    rate: float | None = None
    """Bytes per second it reads (a slow printer; its small receive buffer makes the sender
    wait); None: as fast as they come."""
    arrivals: list[float] = field(default_factory=list)
    """When the last byte of each job arrived (time.monotonic()); the jobs are kept in this
    order, the order they came out on paper (each connection's thread files its own job once
    its line has closed, and two close one after the other can file in either order)."""
    closings: list[float] = field(default_factory=list)
    """When the sender closed each connection that carried a job (time.monotonic())."""
    port: int = 0
    """The loopback port to listen on (0: any free one): a printer switched on where one
    refused connections until now (:func:`closed_port`)."""
    before_answer: Callable[[], None] | None = None
    """Called once, on the printer's thread, before it answers the first status question that
    follows job bytes (the answer that confirms a job): what happens meanwhile at the sender."""
    on_job: Callable[[bytes, float, float], None] | None = None
    """Called on the printer's thread with each job kept, when its last byte arrived and when
    its connection closed (another process's report: :mod:`tests.hardware.printer_process`)."""

    def __post_init__(self) -> None:
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.rate is not None:
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        self.server.bind(("127.0.0.1", self.port))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self._filing = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self.job_arrived = threading.Event()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}?timeout=1"

    def _serve(self) -> None:
        self.server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        job = bytearray()
        conn.settimeout(5)
        pending = b""
        last_byte = 0.0
        closed: float | None = None
        try:
            while True:
                data = conn.recv(4096 if self.rate is None else 512)
                if not data:
                    closed = time.monotonic()
                    break
                if self.behaviour == "reset-at-job" and data.replace(b"\x10\x04", b"").strip(
                    b"\x01\x02\x03\x04"
                ):
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    conn.close()  # a reset as the job arrives: none of it kept
                    self.resets += 1
                    return
                if self.rate is not None:
                    time.sleep(len(data) / self.rate)
                pending += data
                if data.replace(b"\x10\x04", b"").strip(b"\x01\x02\x03\x04"):
                    last_byte = time.monotonic()  # job bytes (not only a status question)
                cut = False
                while pending and not cut:
                    at = pending.find(b"\x10\x04")
                    if at == -1 or at + 2 >= len(pending):
                        if at == -1:
                            job += pending
                            pending = b""
                        break
                    job += pending[:at]
                    n = pending[at + 2]
                    pending = pending[at + 3 :]
                    # A printer that drops the line part-way through a job, or jams once the job
                    # has started, answers nothing after.
                    cut = (
                        self.behaviour == "disconnect" and len(job) >= self.disconnect_after
                    ) or (self.behaviour == "stall" and bool(job))
                    if self.behaviour != "silent" and not cut:
                        if job and self.before_answer is not None:
                            hook, self.before_answer = self.before_answer, None
                            hook()
                        conn.sendall(bytes([self.replies.get(n, 0x12)]))
                if self.behaviour == "hang-up" and not pending:
                    conn.close()  # answered the status question, then hung up
                    return
                if self.behaviour == "reset-after-answer" and not pending:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    conn.close()  # answered the status question, then reset at once
                    self.resets += 1
                    return
                if self.behaviour == "stall" and job:
                    # Took the status questions and the start of the job, then hangs (jammed).
                    deadline = time.monotonic() + 10
                    while self.behaviour == "stall" and time.monotonic() < deadline:
                        time.sleep(0.05)
                if self.behaviour == "disconnect" and len(job) >= self.disconnect_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    conn.close()  # a reset, mid-job
                    return
        except OSError:
            pass
        finally:
            conn.close()
            self.hung_up += closed is not None
            if job:
                kept, arrived = bytes(job), last_byte or time.monotonic()
                ended = closed if closed is not None else time.monotonic()
                with self._filing:  # in the order the jobs came out, not the threads' order
                    at = bisect.bisect(self.arrivals, arrived)
                    self._jobs.insert(at, kept)
                    self.arrivals.insert(at, arrived)
                    self.closings.insert(at, ended)
                self.job_arrived.set()
                if self.on_job is not None:
                    self.on_job(kept, arrived, ended)
            self.ended += 1

    @property
    def jobs(self) -> list[bytes]:
        """The jobs kept, read once each connection it accepted is done with: it files a job on
        its own thread after the line has closed, so the sender may return first. A connection
        still open after a few seconds (a jammed printer, a lane still sending) is not waited
        for longer: what it has kept so far."""
        deadline = time.monotonic() + 3
        while self.ended < self.connections and time.monotonic() < deadline:
            time.sleep(0.005)
        return self._jobs

    def filed(self, seconds: float = 60) -> None:
        """Wait until every job it was sent is filed (on its own threads, once each connection
        has closed)."""
        deadline = time.monotonic() + seconds
        while self.ended < self.connections:
            assert time.monotonic() < deadline, (self.ended, self.connections)
            time.sleep(0.01)

    def close(self) -> None:
        self._stop.set()
        self.server.close()


_HELD: list[socket.socket] = []
"""The sockets holding :func:`closed_port`'s ports, until the test ends."""


def release_held_ports() -> None:
    """Close the sockets holding :func:`closed_port`'s ports (after each test: tests/conftest)."""
    while _HELD:
        _HELD.pop().close()


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused) that stays so: a socket is
    bound to it and never listens, held until the test ends. Closing it at once would let the
    kernel give the port to another test's process (in a fresh bind to port 0, or as its end
    of a connection) before it is used. A fake told to listen there (SO_REUSEADDR, as
    :class:`FakePrinter` and the SMTP server do) still can: a device switched on where nothing
    answered until now."""
    held = socket.socket()
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    held.bind(("127.0.0.1", 0))
    _HELD.append(held)
    port: int = held.getsockname()[1]
    return port


class Pty:
    """A real pseudo-terminal pair: the app opens ``path``; the test is the far end."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self.master)
        self.path = os.ttyname(self._slave)
        # The test keeps a slave fd open, so reading the master waits (rather than failing with
        # EIO) until the app opens the port.

    def read(self, terminator: bytes, timeout: float = 3.0) -> bytes:
        buffer = b""
        deadline = time.monotonic() + timeout
        while terminator not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {terminator!r} from the device; got {buffer!r}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    buffer += os.read(self.master, 4096)
                except OSError:
                    break
        return buffer

    def read_for(self, seconds: float) -> bytes:
        buffer = b""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    buffer += os.read(self.master, 4096)
                except OSError:
                    break
        return buffer

    def close(self) -> None:
        """The far end goes away: the app's next write fails (EIO), like an unplugged adapter."""
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


class SerialPrinter:
    """A serial ESC/POS printer on a real pty: it takes bytes at line speed (``baudrate`` / 10
    bytes a second, as a printer reading a 8N1 line), answers each DLE EOT when it reaches it,
    so the reply to a status question sent after a job comes only once the whole job has
    crossed the line. ``stray``: a byte it sends before each reply after the first job (noise,
    a stale automatic status)."""

    def __init__(self, baudrate: int, stray: bytes = b"") -> None:
        self.pty = Pty()
        self.path = self.pty.path
        self.baudrate = baudrate
        self.stray = stray
        self.received = bytearray()
        self.replies: list[float] = []
        self.jobs: list[bytes] = []
        self.job_ends: list[float] = []
        """When the last byte of each job had crossed the line (time.monotonic())."""
        self._job_end = 0.0
        self._job = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        pending = b""
        chunk = max(1, self.baudrate // 100)  # 10 ms of line time at a time
        while not self._stop.is_set():
            ready, _, _ = select.select([self.pty.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.pty.master, chunk)
            except OSError:
                return
            time.sleep(len(data) * 10 / self.baudrate)
            crossed = time.monotonic()
            self.received += data
            pending += data
            while True:
                at = pending.find(b"\x10\x04")
                if at == -1 or at + 2 >= len(pending):
                    keep = 1 if pending.endswith(b"\x10") else 0
                    self._take(pending[: len(pending) - keep], crossed)
                    pending = pending[len(pending) - keep :]
                    break
                self._take(pending[:at], crossed)
                pending = pending[at + 3 :]
                if self._job:
                    self.jobs.append(bytes(self._job))
                    self.job_ends.append(self._job_end)
                    self._job.clear()
                reply = (self.stray if self.jobs else b"") + b"\x12"
                try:
                    os.write(self.pty.master, reply)
                except OSError:
                    return
                self.replies.append(time.monotonic())

    def _take(self, data: bytes, crossed: float) -> None:
        if data:
            self._job += data
            self._job_end = crossed

    @property
    def url(self) -> str:
        return f"serial://{self.path}?baudrate={self.baudrate}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.pty.close()
