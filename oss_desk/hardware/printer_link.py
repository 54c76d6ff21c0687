"""How a printer job goes over a line, whatever the line: the status a printer gives, its faults,
and the steps of one job.

A job goes over one :class:`PrinterLink` in steps, so the worker can record each one the moment
it happens: ask the printer how it is (DLE EOT), write the job (a fault says how many bytes may
have left: none means it certainly did not print), then confirm (wait until the bytes have
crossed the line, skip stray bytes, ask again: an answer that it is online and fine means it
printed). Every step has a timeout, so nothing hangs a worker.

"No answer" is ``UNKNOWN``, never ``OK``: python-escpos's ``paper_status()`` reports paper when
the printer is silent, so the status bytes are read here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from oss_desk.domain.device_faults import PRINTER_SILENT, PRINTER_STOPPED
from oss_desk.domain.devices import PrinterURL

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


STATUS_QUESTIONS = b"".join(DLE_EOT + bytes([n]) for n in (1, 2, 3, 4))
"""DLE EOT 1, 2, 3 and 4 in one write: a printer answers real-time questions in the order they
come, so the four replies come back in one round trip (not four: 4 ms at 9600 baud)."""


def query_status(write: Callable[[bytes], object], read_one: ReadOne, wait: float) -> PrinterStatus:
    """Ask DLE EOT 1, 2, 3, 4 at once and read the replies in order (a silent first one:
    unknown, without waiting for the others)."""
    write(STATUS_QUESTIONS)
    return read_status(read_one, wait)


def read_status(read_one: ReadOne, wait: float) -> PrinterStatus:
    """The replies to :data:`STATUS_QUESTIONS`, asked already (see :func:`query_status`)."""
    first = _reply(read_one, time.monotonic() + wait)
    if first is None:
        return PrinterStatus.UNKNOWN
    offline, error, paper = (_reply(read_one, time.monotonic() + wait) for _ in range(3))
    return decode_status(first, offline, error, paper)


def _reply(read_one: ReadOne, deadline: float) -> int | None:
    """The next status byte before ``deadline``, skipping stray bytes that are not one."""
    while (left := deadline - time.monotonic()) > 0:
        byte = read_one(left)
        if byte is None:
            return None
        if valid_status(byte):
            return byte
    return None


ONLINE_QUESTION = DLE_EOT + b"\x01"


def confirm_job(
    write: Callable[[bytes], object], read_one: ReadOne, deadline: float, *, asked: bool = False
) -> PrinterStatus:
    """After the job: DLE EOT 1 (online?), and when offline DLE EOT 2 (why?). ``asked``: the
    first question went with the job's last bytes (see :class:`PrinterLink`)."""
    if not asked:
        write(ONLINE_QUESTION)
    first = _reply(read_one, deadline)
    if first is None:
        return PrinterStatus.UNKNOWN
    cause = None
    if first & 0x08:
        write(DLE_EOT + b"\x02")
        cause = _reply(read_one, max(deadline, time.monotonic() + 1.0))
    return decode_status(first, cause, None, None)


Answer = Callable[[], PrinterStatus]
"""Reads the printer's answer to questions already sent (UNKNOWN when it does not answer)."""


class PrinterLink(Protocol):
    """One open connection to a printer, for one job."""

    def status(self) -> PrinterStatus:
        """DLE EOT 1-4 (UNKNOWN when it does not answer)."""
        ...

    def ask(self) -> Answer:
        """Send DLE EOT 1-4 now, and read the answer later (``ask()()`` is :meth:`status`): the
        caller works while the printer answers. A link that cannot split the two asks when the
        answer is read."""
        ...

    def write(self, data: bytes) -> None:
        """All of ``data``, or PrinterFault (with ``sent``: bytes that may have left)."""
        ...

    def confirm(self, size: int) -> PrinterStatus:
        """After a job of ``size`` bytes: has it been taken? UNKNOWN when nobody says."""
        ...

    def answered(self, wait: float) -> bool:
        """Whether the printer's answer to the question that went with the job has come
        within ``wait`` seconds (then :meth:`confirm` reads it without waiting). False where
        no question went with the job, or the answer takes the line time (serial)."""
        ...

    def close(self) -> None: ...


@dataclass
class AskingTransport:
    """A printer that can be asked how it is: it confirms jobs when its URL says to ask."""

    url: PrinterURL

    @property
    def confirms(self) -> bool:
        return self.url.asks_status


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


def ask_status(transport: Transport, wait: float | None = None) -> PrinterStatus:
    """How the printer is now, on a connection of its own (``wait``: seconds for the answer,
    else the link's own); a printer that cannot be reached says so (never raises)."""
    try:
        link = transport.open()
    except PrinterFault as fault:
        return fault.status
    try:
        if wait is not None:
            link.timeout = wait  # type: ignore[attr-defined]
        return link.status()
    finally:
        link.close()


def send(transport: Transport, data: bytes) -> PrinterStatus:
    """Ask, print, confirm, in one go (``printer test``): the status before the job, or
    PrinterFault when it was not sent or the printer stopped answering."""
    link = transport.open()
    try:
        asks = transport.url.asks_status
        before = link.status() if asks else PrinterStatus.UNKNOWN
        if asks and before is PrinterStatus.UNKNOWN:
            raise PrinterFault(PRINTER_SILENT, PrinterStatus.UNKNOWN)
        if not before.can_print:
            raise PrinterFault(before.sentence, before)
        link.write(data)
        after = link.confirm(len(data)) if transport.confirms else PrinterStatus.UNKNOWN
        if asks and after is PrinterStatus.UNKNOWN:
            raise PrinterFault(PRINTER_STOPPED, PrinterStatus.OFFLINE, len(data))
        return before if before is not PrinterStatus.UNKNOWN else after
    finally:
        link.close()


def first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
