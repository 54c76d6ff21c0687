"""Network and serial printers, and opening the right line for a printer URL.

The steps of a job and the printer's status are in :mod:`oss_desk.hardware.printer_link`
(re-exported here); serial timeouts follow the job's size and the line speed (bytes x 10 / baud,
plus a margin). Files, capture files, CUPS and USB are in
:mod:`oss_desk.hardware.printer_devices`.
"""

from __future__ import annotations

import contextlib
import select
import socket
import termios
import time
from dataclasses import dataclass
from typing import Any

from oss_desk.domain.delivery import (
    CONNECTION_CLOSED,
    CONNECTION_RESET,
    line_seconds,
    serial_timeouts,
    write_cut_said,
)
from oss_desk.domain.device_faults import PRINTER_NO_CONNECTION, error_number, port_fault
from oss_desk.domain.devices import PrinterURL, parse_printer_url
from oss_desk.domain.send_faults import connection_fault
from oss_desk.hardware.printer_devices import (
    CaptureTransport,
    CupsTransport,
    FileTransport,
    UsbTransport,
)
from oss_desk.hardware.printer_link import (
    CHUNK,
    ONLINE_QUESTION,
    STATUS_QUESTIONS,
    Answer,
    AskingTransport,
    PrinterFault,
    PrinterLink,
    PrinterStatus,
    Transport,
    ask_status,
    confirm_job,
    decode_status,
    first_line,
    read_status,
    send,
)

__all__ = [
    "PrinterFault",
    "PrinterLink",
    "PrinterStatus",
    "SerialTransport",
    "TcpTransport",
    "Transport",
    "decode_status",
    "first_line",
    "open_transport",
    "send",
]


# TCP ---------------------------------------------------------------------------------------------


@dataclass
class TcpLink:
    """One job's connection. With ``asks`` (the printer answers status questions), the question
    that confirms the job goes in the same write as the job's last bytes, so the printer's
    answer is on its way while the worker records that the job left."""

    sock: socket.socket
    timeout: float
    asks: bool = False
    _asked: bool = False
    lost: str | None = None
    """What became of the connection instead of an answer (:data:`CONNECTION_RESET`, or
    :data:`CONNECTION_CLOSED`); None: it stayed open (a silent printer), or an answer came."""

    def _read_one(self, wait: float) -> int | None:
        self.sock.settimeout(max(0.001, wait))
        try:
            data = self.sock.recv(1)
        except TimeoutError:
            return None
        except ConnectionResetError:
            self.lost = CONNECTION_RESET
            return None
        except OSError:
            return None
        if not data:
            self.lost = CONNECTION_CLOSED
        return data[0] if data else None

    def status(self) -> PrinterStatus:
        return self.ask()()

    def ask(self) -> Answer:
        try:
            self.sock.sendall(STATUS_QUESTIONS)
        except OSError:
            return lambda: PrinterStatus.UNKNOWN
        return lambda: read_status(self._read_one, self.timeout)

    def write(self, data: bytes) -> None:
        """Send in chunks (with the confirming question after the job's last byte, when the
        printer answers questions); the timeout runs from the last progress (a slow printer
        that keeps taking data is never cut off; one that stops for ``timeout`` seconds is)."""
        try:
            self._discard_input()  # nothing stale may pass for the answer to the question
        except ConnectionResetError:
            self.lost = CONNECTION_RESET  # (then the write says so)
        except OSError:
            pass
        payload = data + ONLINE_QUESTION if self.asks else data
        sent = 0
        self.sock.settimeout(self.timeout)
        view = memoryview(payload)
        try:
            while sent < len(payload):
                sent += self.sock.send(view[sent : sent + CHUNK * 8])
        except OSError as exc:
            if sent >= len(data):  # the whole job left; only the question did not
                return
            raise _write_fault(exc, sent, self.lost) from None
        self._asked = self.asks

    def answered(self, wait: float) -> bool:
        if not self._asked:
            return False
        try:
            readable, _, _ = select.select([self.sock], [], [], wait)
        except (OSError, ValueError):
            return False
        return bool(readable)

    def confirm(self, size: int) -> PrinterStatus:
        try:
            if not self._asked:
                self._discard_input()
            deadline = time.monotonic() + self.timeout
            return confirm_job(self.sock.sendall, self._read_one, deadline, asked=self._asked)
        except OSError:
            return PrinterStatus.UNKNOWN

    def _discard_input(self) -> None:
        self.sock.setblocking(False)
        try:
            while self.sock.recv(256):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            self.sock.setblocking(True)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def _write_fault(exc: OSError, sent: int, lost: str | None = None) -> PrinterFault:
    """A write the socket stopped after it took ``sent`` bytes of the job (a socket says
    exactly how many it took: none of the job left when ``sent`` is 0); ``lost``: the reset
    seen just before the write (which then fails with a broken pipe)."""
    if isinstance(exc, TimeoutError):
        return PrinterFault(
            "the printer stopped taking data (timed out)", PrinterStatus.OFFLINE, sent
        )
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        reset = isinstance(exc, ConnectionResetError) or lost == CONNECTION_RESET
        how = CONNECTION_RESET if reset else CONNECTION_CLOSED
        return PrinterFault(write_cut_said(how, sent), PrinterStatus.OFFLINE, sent)
    return PrinterFault(
        f"write failed ({exc.strerror or exc})", PrinterStatus.UNREACHABLE, max(sent, 1)
    )


def lost_on(link: PrinterLink) -> str | None:
    """What became of ``link``'s connection instead of the printer's confirmation, when it
    showed (a network printer's connection reset or closed); None: nothing but silence."""
    return link.lost if isinstance(link, TcpLink) else None


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    """``socket.create_connection`` without its name lookup when the host is an address (as a
    printer's usually is): the lookup was a good part of reaching a printer a job waits for."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((host, port))
        except BaseException:
            sock.close()
            raise
        return sock
    return socket.create_connection((host, port), timeout)


@dataclass
class TcpTransport(AskingTransport):
    """A network printer's raw port: one connection per job, every step with a timeout."""

    def open(self) -> TcpLink:
        try:
            sock = _connect(self.url.host, self.url.port, self.url.timeout)
        except ConnectionRefusedError:
            raise PrinterFault("connection refused", PrinterStatus.UNREACHABLE) from None
        except TimeoutError:
            raise PrinterFault(PRINTER_NO_CONNECTION, PrinterStatus.UNREACHABLE) from None
        except OSError as exc:  # the words a failed send of a message is said with
            said = connection_fault(exc) or exc.strerror or first_line(exc)
            raise PrinterFault(f"cannot connect ({said})") from None
        # Every write is a question or a whole job: send it now, never wait for the
        # acknowledgement of the last one (Nagle's algorithm against the printer's delayed
        # acknowledgements cost 40 ms a question).
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return TcpLink(sock, self.url.timeout, asks=self.url.asks_status)

    def status(self) -> PrinterStatus:
        return ask_status(self, self.url.timeout / 3)

    def send(self, data: bytes) -> PrinterStatus:
        return send(self, data)


# Serial ------------------------------------------------------------------------------------------


@dataclass
class SerialLink:
    port: Any
    url: PrinterURL

    def _read_one(self, wait: float) -> int | None:
        self.port.timeout = max(0.001, wait)
        data = self.port.read(1)
        return data[0] if data else None

    def status(self) -> PrinterStatus:
        return self.ask()()

    def ask(self) -> Answer:
        import serial

        faults = (serial.SerialException, OSError, termios.error)
        try:
            self.port.reset_input_buffer()
            self.port.write(STATUS_QUESTIONS)
        except faults:
            return lambda: PrinterStatus.UNKNOWN

        def answer() -> PrinterStatus:
            try:
                return read_status(self._read_one, min(1.0, self.url.timeout))
            except faults:
                return PrinterStatus.UNKNOWN

        return answer

    def _timeouts(self, size: int) -> tuple[float, float]:
        return serial_timeouts(size, self.url.baudrate, self.url.timeout, self.url.line_bits)

    def write(self, data: bytes) -> None:
        """In chunks, within the time the job takes on the line (plus the margin)."""
        import serial

        write_timeout, _ = self._timeouts(len(data))
        deadline = time.monotonic() + write_timeout
        sent = 0
        try:
            while sent < len(data):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise serial.SerialTimeoutException("write timeout")
                self.port.write_timeout = left
                sent += self.port.write(data[sent : sent + CHUNK]) or 0
        except serial.SerialTimeoutException:
            raise PrinterFault(
                f"the printer stopped taking data ({sent} of {len(data)} bytes in "
                f"{write_timeout:.1f} s: flow control?)",
                PrinterStatus.OFFLINE,
                max(sent, 1),
            ) from None
        except (serial.SerialException, OSError, termios.error) as exc:
            raise PrinterFault(
                f"write failed ({first_line(exc)})", PrinterStatus.UNREACHABLE, max(sent, 1)
            ) from None

    def confirm(self, size: int) -> PrinterStatus:
        """Wait until the bytes have crossed the line, drop what came in meanwhile, then ask;
        the reply may take the job's line time (a printer reads at line speed)."""
        import serial

        _, reply_wait = self._timeouts(size)
        deadline = time.monotonic() + reply_wait
        try:
            while self.port.out_waiting and time.monotonic() < deadline:
                time.sleep(min(0.02, line_seconds(self.port.out_waiting, self.url.baudrate)))
            self.port.reset_input_buffer()
            return confirm_job(self.port.write, self._read_one, deadline)
        except (serial.SerialException, OSError, termios.error):
            return PrinterStatus.UNKNOWN

    def answered(self, wait: float) -> bool:
        return False  # the answer comes once the job has crossed the line

    def close(self) -> None:
        with contextlib.suppress(Exception):  # termios errors after a hang-up
            self.port.close()


@dataclass
class SerialTransport(AskingTransport):
    """A serial printer through pyserial (flow control and write timeouts, unlike escpos)."""

    def open(self) -> SerialLink:
        import serial

        p = self.url.params
        flow = p.get("flow", "none")
        try:
            port = serial.serial_for_url(
                self.url.path,
                baudrate=self.url.baudrate,
                bytesize=int(p.get("bytesize", "8")),
                parity=p.get("parity", "N").upper()[:1],
                stopbits=float(p.get("stopbits", "1")),
                timeout=min(1.0, self.url.timeout),
                write_timeout=self.url.timeout,
                rtscts=flow == "rtscts",
                xonxoff=flow == "xonxoff",
            )
        except (serial.SerialException, ValueError, OSError, termios.error) as exc:
            raise PrinterFault(port_fault("printer", self.url.path, error_number(exc))) from None
        return SerialLink(port, self.url)

    def status(self) -> PrinterStatus:
        return ask_status(self)

    def send(self, data: bytes) -> PrinterStatus:
        return send(self, data)


def _transports() -> dict[str, type]:
    return {
        "tcp": TcpTransport,
        "serial": SerialTransport,
        "file": FileTransport,
        "capture": CaptureTransport,
        "cups": CupsTransport,
        "usb": UsbTransport,
    }


def open_transport(url: str | PrinterURL) -> Transport:
    parsed = parse_printer_url(url) if isinstance(url, str) else url
    transport: Transport = _transports()[parsed.scheme](parsed)
    return transport


def prepare(url: PrinterURL) -> None:
    """Load what printing to ``url`` needs (its transport's library, the renderer's pieces for
    its profile) before its first job: a printer's lane does, as it starts. A library that is
    missing is said when a job is sent, as before."""
    from oss_desk.hardware.templates import warm

    with contextlib.suppress(ImportError):
        if url.scheme == "serial":
            import serial  # noqa: F401
        elif url.scheme == "usb":
            from oss_desk.hardware.escpos_compat import escpos_printer

            escpos_printer()
            import usb.core  # noqa: F401
    warm(url.profile)
