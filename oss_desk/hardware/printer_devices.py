"""Printers reached through a file, CUPS, USB, or a capture file (the demo's printer).

Files and CUPS cannot be asked how they are: a job sent whole to them ends "sent", never
"printed". A capture file written and flushed is as printed as it gets. USB printers answer
DLE EOT through pyusb (python-escpos's Usb), with a write timeout (never 0: infinite).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from oss_desk import files
from oss_desk.domain.device_faults import file_fault
from oss_desk.domain.devices import PrinterURL
from oss_desk.hardware.printer_link import (
    Answer,
    AskingTransport,
    PrinterFault,
    PrinterLink,
    PrinterStatus,
    ask_status,
    confirm_job,
    first_line,
    query_status,
    send,
)

log = logging.getLogger("oss_desk.hardware")

# Printers that cannot answer --------------------------------------------------------------------


@dataclass
class _NoStatusLink:
    """For printers that cannot be asked: status and confirmation are unknown."""

    write_all: Callable[[bytes], None]
    answer: PrinterStatus = PrinterStatus.UNKNOWN

    def status(self) -> PrinterStatus:
        return self.answer

    def ask(self) -> Answer:
        return self.status

    def write(self, data: bytes) -> None:
        self.write_all(data)

    def confirm(self, size: int) -> PrinterStatus:
        return self.answer

    def answered(self, wait: float) -> bool:
        return False

    def close(self) -> None:
        pass


@dataclass
class _WriteOnly:
    """A printer that cannot be asked how it is: ``answer`` is all it ever says."""

    url: PrinterURL
    confirms: bool = False
    answer: ClassVar[PrinterStatus] = PrinterStatus.UNKNOWN

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def open(self) -> PrinterLink:
        return _NoStatusLink(self._write, self.answer)

    def send(self, data: bytes) -> PrinterStatus:
        self._write(data)
        return self.answer

    def status(self) -> PrinterStatus:
        return self.answer


@dataclass
class FileTransport(_WriteOnly):
    """A printer device file such as /dev/usb/lp0 (never a tty: it would not be in raw mode)."""

    def _write(self, data: bytes) -> None:
        path = Path(self.url.path)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            raise PrinterFault(f"{path} does not exist (is the printer plugged in?)") from None
        except PermissionError:
            raise PrinterFault(f"no permission to write to {path} (see hardware/udev)") from None
        except OSError as exc:
            raise _plain(path, exc) from None
        sent = 0
        try:
            if os.isatty(fd):
                raise PrinterFault(f"{path} is a serial port: use serial://{path} instead")
            os.set_blocking(fd, True)
            deadline = time.monotonic() + self.url.timeout
            view = memoryview(data)
            while sent < len(data):
                _, ready, _ = select.select([], [fd], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    raise PrinterFault(
                        "the printer stopped taking data (timed out)", PrinterStatus.OFFLINE, sent
                    )
                sent += os.write(fd, view[sent:])
        except OSError as exc:
            os.close(fd)
            raise _plain(path, exc, max(sent, 1)) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            os.close(fd)  # a device (or a file on a full disk) may refuse the last bytes here
        except OSError as exc:
            raise _plain(path, exc, len(data)) from None

    def status(self) -> PrinterStatus:
        return PrinterStatus.UNKNOWN if Path(self.url.path).exists() else PrinterStatus.UNREACHABLE


def _plain(path: Path, exc: OSError, sent: int = 0) -> PrinterFault:
    """A device file's fault in the desks' plain words (:func:`file_fault`); the operating
    system's own text goes to the log only. ``sent``: bytes that may have left (0: none)."""
    log.warning("printer file %s: %s", path, exc)
    return PrinterFault(file_fault(path, exc.errno), PrinterStatus.UNREACHABLE, sent)


@dataclass
class CaptureTransport(_WriteOnly):
    """Appends each job's bytes to a file: the demo's virtual printer, and training. Written and
    flushed is as printed as it gets, so a capture confirms every job."""

    confirms: bool = True
    answer = PrinterStatus.OK

    def status(self) -> PrinterStatus:
        """``UNREACHABLE`` when it cannot be appended to at all (a folder in its place, a
        read-only file: the desks are told); else ``UNKNOWN``: a file that looks writable may
        still refuse the bytes (a full disk), so only an append says how it is (the worker
        keeps what the last one did)."""
        problem = files.append_problem(Path(self.url.path))
        return PrinterStatus.UNKNOWN if problem is None else PrinterStatus.UNREACHABLE

    def _write(self, data: bytes) -> None:
        path = Path(self.url.path)
        try:
            files.append_private(path, data)  # 0600: a slip names a booking
        except OSError as exc:
            log.warning("capture printer %s: %s", path, exc)  # the OS's words: the log only
            raise PrinterFault(file_fault(path, exc.errno)) from None


@dataclass
class CupsTransport(_WriteOnly):
    """A CUPS raw queue, through ``lp -o raw`` (status is unknown: CUPS does not say)."""

    def _write(self, data: bytes) -> None:
        import shutil  # (a CUPS queue's only: most printers are on the network or USB)
        import subprocess

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
            raise PrinterFault("CUPS did not take the job in time", sent=len(data)) from None
        if result.returncode != 0:
            reason = result.stderr.decode(errors="replace").strip().splitlines()
            raise PrinterFault(
                f"CUPS refused the job ({reason[0][:100] if reason else 'lp failed'})"
            )


# USB ---------------------------------------------------------------------------------------------


@dataclass
class UsbLink:
    printer: Any

    def _read_one(self, wait: float) -> int | None:
        reply = self.printer._read()
        return reply[0] if reply else None

    def status(self) -> PrinterStatus:
        try:
            return query_status(self.printer._raw, self._read_one, 1.0)
        except Exception:
            return PrinterStatus.UNKNOWN

    def ask(self) -> Answer:
        return self.status  # asked when the answer is read

    def write(self, data: bytes) -> None:
        try:
            self.printer._raw(data)
        except Exception as exc:
            raise PrinterFault(
                f"USB write failed ({first_line(exc)})", PrinterStatus.UNREACHABLE, len(data)
            ) from None

    def confirm(self, size: int) -> PrinterStatus:
        try:
            return confirm_job(self.printer._raw, self._read_one, time.monotonic() + 5.0)
        except Exception:
            return PrinterStatus.UNKNOWN

    def answered(self, wait: float) -> bool:
        return False  # read (with its own timeout) by confirm

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.printer.close()


@dataclass
class UsbTransport(AskingTransport):
    """A USB printer through pyusb (python-escpos's Usb), with a write timeout (never 0)."""

    def open(self) -> UsbLink:
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
            raise PrinterFault(f"cannot open the USB printer ({first_line(exc)})") from None
        return UsbLink(printer)

    def status(self) -> PrinterStatus:
        return ask_status(self)

    def send(self, data: bytes) -> PrinterStatus:
        return send(self, data)
