"""Sending bytes to a printer, and asking it how it is.

A job goes over one :class:`PrinterLink` in steps, so the worker can record each one the moment
it happens: ask the printer how it is (DLE EOT), write the job (a fault says how many bytes may
have left: none means it certainly did not print), then confirm (wait until the bytes have
crossed the line, skip stray bytes, ask again: an answer that it is online and fine means it
printed). Every step has a timeout, so nothing hangs a worker; serial timeouts follow the job's
size and the line speed (bytes x 10 / baud, plus a margin).

"No answer" is ``UNKNOWN``, never ``OK``: python-escpos's ``paper_status()`` reports paper when
the printer is silent, so the status bytes are read here.
"""

from __future__ import annotations

import contextlib
import socket
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from oss_desk.domain.delivery import line_seconds, serial_timeouts
from oss_desk.domain.devices import PrinterURL, parse_printer_url

DLE_EOT = b"\x10\x04"
CHUNK = 512


class PrinterStatus(StrEnum):
    OK = "ok"
    NEAR_END = "paper near end"
    PAPER_OUT = "paper out"
    COVER_OPEN = "cover open"
    ERROR = "printer error"
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        """Worth sending a job: a silent or unknown printer may still print (we try)."""
        return self in (PrinterStatus.OK, PrinterStatus.NEAR_END, PrinterStatus.UNKNOWN)

    @property
    def fault(self) -> bool:
        return self not in (PrinterStatus.OK, PrinterStatus.UNKNOWN)

    @property
    def sentence(self) -> str:
        """``printer paper out``, ``printer error`` (never "printer printer error")."""
        return self.value if self.value.startswith("printer") else f"printer {self.value}"


class PrinterFault(Exception):
    """The job did not reach the printer whole (or the printer refused it)."""

    def __init__(
        self, reason: str, status: PrinterStatus = PrinterStatus.UNREACHABLE, sent: int = 0
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.sent = sent
        """Bytes of the job that may have left (0: it certainly did not print)."""


def valid_status(byte: int | None) -> bool:
    """A real-time status reply matches 0xx1xx10 (bits 1 and 4 set, bits 0 and 7 clear)."""
    return byte is not None and (byte & 0x93) == 0x12


def decode_status(
    printer: int | None, offline: int | None, error: int | None, paper: int | None
) -> PrinterStatus:
    """Map DLE EOT 1/2/3/4 replies (None: no reply) to a status.

    Each reply has bits 1 and 4 set and bits 0 and 7 clear (0xx1xx10); anything else is not a
    status byte (a stale reply, noise) and counts as no answer.
    """

    def valid(b: int | None) -> int | None:
        return b if valid_status(b) else None

    printer, offline, error, paper = valid(printer), valid(offline), valid(error), valid(paper)
    if printer is None:
        return PrinterStatus.UNKNOWN
    if paper is not None and paper & 0x60 == 0x60:
        return PrinterStatus.PAPER_OUT
    if printer & 0x08:  # offline: why?
        if offline is not None:
            if offline & 0x04:
                return PrinterStatus.COVER_OPEN
            if offline & 0x20:
                return PrinterStatus.PAPER_OUT
            if offline & 0x40:
                return PrinterStatus.ERROR
        return PrinterStatus.OFFLINE
    if error is not None and error & 0x68:
        return PrinterStatus.ERROR
    if paper is not None and paper & 0x0C == 0x0C:
        return PrinterStatus.NEAR_END
    return PrinterStatus.OK


ReadOne = Callable[[float], int | None]
"""Read one byte within the given seconds (None: nothing came)."""


def query_status(write: Callable[[bytes], object], read_one: ReadOne, wait: float) -> PrinterStatus:
    """Ask DLE EOT 1, 2, 3, 4 (stopping at a silent first one)."""
    replies: list[int | None] = []
    for n in (1, 2, 3, 4):
        write(DLE_EOT + bytes([n]))
        replies.append(_reply(read_one, time.monotonic() + wait))
        if n == 1 and replies[0] is None:
            return PrinterStatus.UNKNOWN
    return decode_status(*replies)


def _reply(read_one: ReadOne, deadline: float) -> int | None:
    """The next status byte before ``deadline``, skipping stray bytes that are not one."""
    while (left := deadline - time.monotonic()) > 0:
        byte = read_one(left)
        if byte is None:
            return None
        if valid_status(byte):
            return byte
    return None


def confirm_job(
    write: Callable[[bytes], object], read_one: ReadOne, deadline: float
) -> PrinterStatus:
    """After the job: DLE EOT 1 (online?), and when offline DLE EOT 2 (why?)."""
    write(DLE_EOT + b"\x01")
    first = _reply(read_one, deadline)
    if first is None:
        return PrinterStatus.UNKNOWN
    cause = None
    if first & 0x08:
        write(DLE_EOT + b"\x02")
        cause = _reply(read_one, max(deadline, time.monotonic() + 1.0))
    return decode_status(first, cause, None, None)


class PrinterLink(Protocol):
    """One open connection to a printer, for one job."""

    def status(self) -> PrinterStatus:
        """DLE EOT 1-4 (UNKNOWN when it does not answer)."""
        ...

    def write(self, data: bytes) -> None:
        """All of ``data``, or PrinterFault (with ``sent``: bytes that may have left)."""
        ...

    def confirm(self, size: int) -> PrinterStatus:
        """After a job of ``size`` bytes: has it been taken? UNKNOWN when nobody says."""
        ...

    def close(self) -> None: ...


class Transport(Protocol):
    url: PrinterURL

    @property
    def confirms(self) -> bool:
        """Whether the printer can confirm a job (else a job ends "sent", not "printed")."""
        ...

    def open(self) -> PrinterLink:
        """Connect; PrinterFault means nothing was sent."""
        ...

    def status(self) -> PrinterStatus:
        """How the printer is now (never raises)."""
        ...

    def send(self, data: bytes) -> PrinterStatus:
        """Ask, print, confirm in one go (see :func:`send`)."""
        ...


def send(transport: Transport, data: bytes) -> PrinterStatus:
    """Ask, print, confirm, in one go (``printer test``): the status before the job, or
    PrinterFault when it was not sent or the printer stopped answering."""
    link = transport.open()
    try:
        asks = transport.url.asks_status
        before = link.status() if asks else PrinterStatus.UNKNOWN
        if asks and before is PrinterStatus.UNKNOWN:
            raise PrinterFault("the printer does not answer (silent)", PrinterStatus.UNKNOWN)
        if not before.can_print:
            raise PrinterFault(before.sentence, before)
        link.write(data)
        after = link.confirm(len(data)) if transport.confirms else PrinterStatus.UNKNOWN
        if asks and after is PrinterStatus.UNKNOWN:
            raise PrinterFault(
                "the printer stopped answering during the job", PrinterStatus.OFFLINE, len(data)
            )
        return before if before is not PrinterStatus.UNKNOWN else after
    finally:
        link.close()


def first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


# TCP ---------------------------------------------------------------------------------------------


@dataclass
class TcpLink:
    sock: socket.socket
    timeout: float

    def _read_one(self, wait: float) -> int | None:
        self.sock.settimeout(max(0.001, wait))
        try:
            data = self.sock.recv(1)
        except TimeoutError:
            return None
        except OSError:
            return None
        return data[0] if data else None

    def status(self) -> PrinterStatus:
        try:
            return query_status(self.sock.sendall, self._read_one, self.timeout)
        except OSError:
            return PrinterStatus.UNKNOWN

    def write(self, data: bytes) -> None:
        """Send in chunks; the timeout runs from the last progress (a slow printer that keeps
        taking data is never cut off; one that stops for ``timeout`` seconds is)."""
        sent = 0
        self.sock.settimeout(self.timeout)
        view = memoryview(data)
        try:
            while sent < len(data):
                sent += self.sock.send(view[sent : sent + CHUNK * 8])
        except TimeoutError:
            raise PrinterFault(
                "the printer stopped taking data (timed out)", PrinterStatus.OFFLINE, sent
            ) from None
        except (ConnectionResetError, BrokenPipeError):
            raise PrinterFault(
                "the printer dropped the connection mid-job", PrinterStatus.OFFLINE, max(sent, 1)
            ) from None
        except OSError as exc:
            raise PrinterFault(
                f"write failed ({exc.strerror or exc})", PrinterStatus.UNREACHABLE, max(sent, 1)
            ) from None

    def confirm(self, size: int) -> PrinterStatus:
        try:
            self._discard_input()
            return confirm_job(self.sock.sendall, self._read_one, time.monotonic() + self.timeout)
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


@dataclass
class TcpTransport:
    """A network printer's raw port: one connection per job, every step with a timeout."""

    url: PrinterURL

    @property
    def confirms(self) -> bool:
        return self.url.asks_status

    def open(self) -> TcpLink:
        try:
            sock = socket.create_connection((self.url.host, self.url.port), self.url.timeout)
        except ConnectionRefusedError:
            raise PrinterFault("connection refused", PrinterStatus.UNREACHABLE) from None
        except TimeoutError:
            raise PrinterFault("no answer (connect timed out)", PrinterStatus.UNREACHABLE) from None
        except OSError as exc:
            raise PrinterFault(f"cannot connect ({exc.strerror or exc})") from None
        return TcpLink(sock, self.url.timeout)

    def status(self) -> PrinterStatus:
        try:
            link = self.open()
        except PrinterFault as fault:
            return fault.status
        try:
            link.timeout = self.url.timeout / 3
            return link.status()
        finally:
            link.close()

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
        import serial

        try:
            self.port.reset_input_buffer()
            return query_status(self.port.write, self._read_one, min(1.0, self.url.timeout))
        except (serial.SerialException, OSError, termios.error):
            return PrinterStatus.UNKNOWN

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

    def close(self) -> None:
        with contextlib.suppress(Exception):  # termios errors after a hang-up
            self.port.close()


@dataclass
class SerialTransport:
    """A serial printer through pyserial (flow control and write timeouts, unlike escpos)."""

    url: PrinterURL

    @property
    def confirms(self) -> bool:
        return self.url.asks_status

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
            raise PrinterFault(f"cannot open the serial port ({first_line(exc)})") from None
        return SerialLink(port, self.url)

    def status(self) -> PrinterStatus:
        try:
            link = self.open()
        except PrinterFault as fault:
            return fault.status
        try:
            return link.status()
        finally:
            link.close()

    def send(self, data: bytes) -> PrinterStatus:
        return send(self, data)


def _transports() -> dict[str, type]:
    from oss_desk.hardware.printer_devices import (
        CaptureTransport,
        CupsTransport,
        FileTransport,
        UsbTransport,
    )

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
