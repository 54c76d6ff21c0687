"""Devices for the tests, on loopback sockets and real ptys (no mocks of our code)."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import struct
import threading
import time
import tty
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
    "stall" (answers the status, takes the start of the job, then hangs).
    """

    behaviour: str = "ok"
    replies: dict[int, int] = field(default_factory=lambda: dict(HEALTHY))
    disconnect_after: int = 40
    jobs: list[bytes] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
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
        try:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                pending += data
                while pending:
                    at = pending.find(b"\x10\x04")
                    if at == -1 or at + 2 >= len(pending):
                        if at == -1:
                            job += pending
                            pending = b""
                        break
                    job += pending[:at]
                    n = pending[at + 2]
                    pending = pending[at + 3 :]
                    if self.behaviour != "silent":
                        conn.sendall(bytes([self.replies.get(n, 0x12)]))
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
            if job:
                self.jobs.append(bytes(job))
                self.job_arrived.set()

    def close(self) -> None:
        self._stop.set()
        self.server.close()


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
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
