"""Sending bytes to a printer, and asking it how it is.

Every transport has connect, write and read timeouts (nothing may hang a desk), raises
:class:`PrinterFault` with a short reason on failure, and answers :meth:`Transport.status` with a
:class:`PrinterStatus`. "No answer" is ``UNKNOWN``, never ``OK``: python-escpos's
``paper_status()`` reports paper when the printer is silent, so the status bytes are read here.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import socket
import subprocess
import termios
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from oss_desk import files
from oss_desk.domain.devices import PrinterURL, parse_printer_url

DLE_EOT = b"\x10\x04"


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
    """The job did not reach the printer (or the printer refused it)."""

    def __init__(self, reason: str, status: PrinterStatus = PrinterStatus.UNREACHABLE) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def decode_status(
    printer: int | None, offline: int | None, error: int | None, paper: int | None
) -> PrinterStatus:
    """Map DLE EOT 1/2/3/4 replies (None: no reply) to a status.

    Each reply has bits 1 and 4 set and bits 0 and 7 clear (0xx1xx10); anything else is not a
    status byte (a stale reply, noise) and counts as no answer.
    """

    def valid(b: int | None) -> int | None:
        return b if b is not None and (b & 0x93) == 0x12 else None

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


class Transport(Protocol):
    url: PrinterURL

    def send(self, data: bytes) -> PrinterStatus:
        """Print ``data`` or raise PrinterFault. Printers that answer status requests are asked
        first (a printer out of paper is not sent the job) and again after the job (a printer
        that went away mid-job is noticed, so the job is retried rather than lost)."""
        ...

    def status(self) -> PrinterStatus: ...


def _checked_send(write: object, read_one: object, data: bytes, ask: bool) -> PrinterStatus:
    """Status, job, confirmation over one open channel (shared by TCP, serial and USB)."""
    if not ask:
        write(data)  # type: ignore[operator]
        return PrinterStatus.UNKNOWN
    before = _query(write, read_one)
    if before is PrinterStatus.UNKNOWN:
        raise PrinterFault("the printer does not answer (silent)", PrinterStatus.UNKNOWN)
    if not before.can_print:
        raise PrinterFault(before.sentence, before)
    write(data)  # type: ignore[operator]
    write(DLE_EOT + b"\x01")  # type: ignore[operator]
    if read_one() is None:  # type: ignore[operator]
        raise PrinterFault("the printer stopped answering during the job", PrinterStatus.OFFLINE)
    return before


@dataclass
class TcpTransport:
    """A network printer's raw port: one connection per job, every step with a timeout."""

    url: PrinterURL

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.url.host, self.url.port), self.url.timeout)
        except ConnectionRefusedError:
            raise PrinterFault("connection refused", PrinterStatus.UNREACHABLE) from None
        except TimeoutError:
            raise PrinterFault("no answer (connect timed out)", PrinterStatus.UNREACHABLE) from None
        except OSError as exc:
            raise PrinterFault(f"cannot connect ({exc.strerror or exc})") from None

    def send(self, data: bytes) -> PrinterStatus:
        sock = self._connect()
        try:
            sock.settimeout(self.url.timeout)
            return _checked_send(
                sock.sendall,
                lambda: _recv_one(sock, self.url.timeout),
                data,
                self.url.asks_status,
            )
        except TimeoutError:
            raise PrinterFault(
                "the printer stopped taking data (timed out)", PrinterStatus.OFFLINE
            ) from None
        except (ConnectionResetError, BrokenPipeError):
            raise PrinterFault(
                "the printer dropped the connection mid-job", PrinterStatus.OFFLINE
            ) from None
        except OSError as exc:
            raise PrinterFault(f"write failed ({exc.strerror or exc})") from None
        finally:
            sock.close()

    def status(self) -> PrinterStatus:
        try:
            sock = self._connect()
        except PrinterFault as fault:
            return fault.status
        try:
            return _query(lambda b: sock.sendall(b), lambda: _recv_one(sock, self.url.timeout / 3))
        except OSError:
            return PrinterStatus.UNKNOWN
        finally:
            sock.close()


def _recv_one(sock: socket.socket, timeout: float) -> int | None:
    sock.settimeout(timeout)
    try:
        data = sock.recv(1)
    except TimeoutError:
        return None
    return data[0] if data else None


def _query(write: object, read_one: object) -> PrinterStatus:
    replies: list[int | None] = []
    for n in (1, 2, 3, 4):
        write(DLE_EOT + bytes([n]))  # type: ignore[operator]
        replies.append(read_one())  # type: ignore[operator]
        if n == 1 and replies[0] is None:
            return PrinterStatus.UNKNOWN
    return decode_status(*replies)


@dataclass
class SerialTransport:
    """A serial printer through pyserial (flow control and write timeout, unlike escpos)."""

    url: PrinterURL

    def _open(self) -> Any:
        import serial

        p = self.url.params
        flow = p.get("flow", "none")
        try:
            return serial.serial_for_url(
                self.url.path,
                baudrate=int(p.get("baudrate", "9600")),
                timeout=min(1.0, self.url.timeout),
                write_timeout=self.url.timeout,
                rtscts=flow == "rtscts",
                xonxoff=flow == "xonxoff",
            )
        except (serial.SerialException, ValueError, OSError, termios.error) as exc:
            raise PrinterFault(f"cannot open the serial port ({_first_line(exc)})") from None

    def send(self, data: bytes) -> PrinterStatus:
        import serial

        port = self._open()
        try:
            port.reset_input_buffer()

            def read_one() -> int | None:
                reply = port.read(1)
                return reply[0] if reply else None

            status = _checked_send(port.write, read_one, data, self.url.asks_status)
            port.flush()
            return status
        except serial.SerialTimeoutException:
            raise PrinterFault(
                "the printer stopped taking data (flow control)", PrinterStatus.OFFLINE
            ) from None
        except (serial.SerialException, OSError, termios.error) as exc:
            raise PrinterFault(f"write failed ({_first_line(exc)})") from None
        finally:
            _close_quietly(port)

    def status(self) -> PrinterStatus:
        try:
            port = self._open()
        except PrinterFault as fault:
            return fault.status
        try:
            port.reset_input_buffer()
            port.timeout = min(0.5, self.url.timeout / 3)

            def read_one() -> int | None:
                data = port.read(1)
                return data[0] if data else None

            return _query(port.write, read_one)
        except Exception:
            return PrinterStatus.UNKNOWN
        finally:
            _close_quietly(port)


def _close_quietly(port: Any) -> None:
    with contextlib.suppress(Exception):  # termios errors after a hang-up
        port.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


@dataclass
class FileTransport:
    """A printer device file such as /dev/usb/lp0 (never a tty: it would not be in raw mode)."""

    url: PrinterURL

    def send(self, data: bytes) -> PrinterStatus:
        path = Path(self.url.path)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            raise PrinterFault(f"{path} does not exist (is the printer plugged in?)") from None
        except PermissionError:
            raise PrinterFault(f"no permission to write to {path} (see hardware/udev)") from None
        except OSError as exc:
            raise PrinterFault(f"cannot open {path} ({exc.strerror})") from None
        try:
            if os.isatty(fd):
                raise PrinterFault(f"{path} is a serial port: use serial://{path} instead")
            os.set_blocking(fd, True)
            deadline = time.monotonic() + self.url.timeout
            view = memoryview(data)
            while view:
                _, ready, _ = select.select([], [fd], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    raise PrinterFault(
                        "the printer stopped taking data (timed out)", PrinterStatus.OFFLINE
                    )
                written = os.write(fd, view)
                view = view[written:]
        except OSError as exc:
            raise PrinterFault(f"write failed ({exc.strerror})") from None
        finally:
            os.close(fd)
        return PrinterStatus.UNKNOWN

    def status(self) -> PrinterStatus:
        return PrinterStatus.UNKNOWN if Path(self.url.path).exists() else PrinterStatus.UNREACHABLE


@dataclass
class CaptureTransport:
    """Appends each job's bytes to a file: the demo's virtual printer, and training."""

    url: PrinterURL

    def send(self, data: bytes) -> PrinterStatus:
        path = Path(self.url.path)
        try:
            files.append_private(path, data)  # 0600: a slip names a booking
        except OSError as exc:
            raise PrinterFault(f"cannot write {path} ({exc.strerror})") from None
        return PrinterStatus.OK

    def status(self) -> PrinterStatus:
        return PrinterStatus.OK


@dataclass
class CupsTransport:
    """A CUPS raw queue, through ``lp -o raw`` (status is unknown: CUPS does not say)."""

    url: PrinterURL

    def send(self, data: bytes) -> PrinterStatus:
        lp = shutil.which("lp")
        if lp is None:
            raise PrinterFault("the lp command is not installed (install cups-client)")
        try:
            result = subprocess.run(
                [lp, "-d", self.url.queue, "-o", "raw"],
                input=data,
                capture_output=True,
                timeout=self.url.timeout + 5,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PrinterFault("CUPS did not take the job in time") from None
        if result.returncode != 0:
            reason = result.stderr.decode(errors="replace").strip().splitlines()
            raise PrinterFault(
                f"CUPS refused the job ({reason[0][:100] if reason else 'lp failed'})"
            )
        return PrinterStatus.UNKNOWN

    def status(self) -> PrinterStatus:
        return PrinterStatus.UNKNOWN


@dataclass
class UsbTransport:
    """A USB printer through pyusb (python-escpos's Usb), with a write timeout (never 0)."""

    url: PrinterURL

    def _printer(self) -> Any:
        from oss_desk.hardware.escpos_compat import escpos_printer, quiet

        module = escpos_printer()
        try:
            import usb.core  # noqa: F401
        except ImportError:
            raise PrinterFault("USB printing needs pyusb (and the system's libusb-1.0)") from None
        with quiet():
            printer = module.Usb(
                self.url.vendor,
                self.url.product,
                timeout=int(self.url.timeout * 1000),
                in_ep=int(self.url.params.get("in_ep", "0x82"), 16),
                out_ep=int(self.url.params.get("out_ep", "0x01"), 16),
                profile=self.url.profile,
            )
        try:
            with quiet():
                printer.open()
        except Exception as exc:
            raise PrinterFault(f"cannot open the USB printer ({_first_line(exc)})") from None
        return printer

    def send(self, data: bytes) -> PrinterStatus:
        printer = self._printer()
        try:

            def read_one() -> int | None:
                reply = printer._read()
                return reply[0] if reply else None

            return _checked_send(printer._raw, read_one, data, self.url.asks_status)
        except PrinterFault:
            raise
        except Exception as exc:
            raise PrinterFault(f"USB write failed ({_first_line(exc)})") from None
        finally:
            _close_quietly(printer)

    def status(self) -> PrinterStatus:
        try:
            printer = self._printer()
        except PrinterFault as fault:
            return fault.status
        try:

            def read_one() -> int | None:
                data = printer._read()
                return data[0] if data else None

            return _query(printer._raw, read_one)
        except Exception:
            return PrinterStatus.UNKNOWN
        finally:
            _close_quietly(printer)


TRANSPORTS: dict[str, type] = {
    "tcp": TcpTransport,
    "serial": SerialTransport,
    "file": FileTransport,
    "capture": CaptureTransport,
    "cups": CupsTransport,
    "usb": UsbTransport,
}


def open_transport(url: str | PrinterURL) -> Transport:
    parsed = parse_printer_url(url) if isinstance(url, str) else url
    transport: Transport = TRANSPORTS[parsed.scheme](parsed)
    return transport
