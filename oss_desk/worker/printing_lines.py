"""A printer lane's line to its printer, besides the steps of a job (``worker/printing.py``):
a line opened ahead for a job on its way, and a step on the line taken on a thread of its own.

**Ahead.** A desk about to commit a ticket for a network printer rings its lane first
(:func:`oss_desk.storage.doorbell.ring_printer`, before it takes its turn to write). The lane
then connects and asks the printer how it is (DLE EOT, the question every job begins with)
while the desk's transaction is written and made durable; the job, found once its commit can
be seen, goes out on that line with the printer's answer already there. Nothing but the status
question is sent before the job is found, and a line no job came for is closed after
:data:`READY_SECONDS`: it is never held between tickets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from oss_desk.domain.devices import PrinterURL
from oss_desk.errors import OssDeskError
from oss_desk.hardware.printer_link import Answer
from oss_desk.hardware.printers import PrinterFault, PrinterLink, PrinterStatus, Transport

T = TypeVar("T")

READY_SECONDS = 1.0
"""How long a line opened for a job on its way is kept for it: a desk's write turn and durable
commit take milliseconds; past this, the job did not come (the issue was refused) and the
line is closed, having carried only the status question."""


def unknown() -> PrinterStatus:
    """The answer of a printer that is not asked (its URL says status=off)."""
    return PrinterStatus.UNKNOWN


class LinesAhead:
    """The lines a printer lane opened for jobs on their way (one per printer, at most)."""

    def __init__(
        self, transports: Callable[[PrinterURL], Transport], url: Callable[[str], PrinterURL]
    ) -> None:
        self._transports = transports
        self._url = url
        self._ready: dict[str, tuple[PrinterLink | PrinterFault, Answer, float]] = {}
        """Per printer: the line (or why it could not be opened), the answer to the status
        question asked on it, and until when it is kept."""

    def prepare(self, printer_url: str) -> None:
        """A desk is about to commit a job for this printer: when it is a network printer,
        connect and ask it how it is now."""
        if printer_url in self._ready:
            return
        try:
            url = self._url(printer_url)
            if url.scheme != "tcp":
                return  # (a network printer: reaching it is the round trip worth saving)
            transport = self._transports(url)
        except OssDeskError:
            return  # the job's own try says why
        until = time.monotonic() + READY_SECONDS
        try:
            link = transport.open()
        except PrinterFault as fault:  # the job, when it comes, is not printed for this reason
            self._ready[printer_url] = (fault, unknown, until + url.timeout)
            return
        self._ready[printer_url] = (link, link.ask() if url.asks_status else unknown, until)

    def drop(self, *, stale_only: bool = True) -> bool:
        """Close the lines no job came for (``stale_only``: those kept past
        :data:`READY_SECONDS`); whether one is still open."""
        now = time.monotonic()
        for key, (link, _, until) in list(self._ready.items()):
            if not stale_only or now > until:
                del self._ready[key]
                if not isinstance(link, PrinterFault):
                    link.close()
        return any(not isinstance(line, PrinterFault) for line, _, _ in self._ready.values())

    def take(self, printer_url: str) -> tuple[PrinterLink, Answer] | None:
        """The line opened for the job now found, and the printer's answer, if any. Raises the
        PrinterFault met opening it a moment ago (the job is not printed now, without a
        second wait for a printer that cannot be reached)."""
        ready = self._ready.pop(printer_url, None)
        if ready is None:
            return None
        link, answer, until = ready
        if time.monotonic() > until:
            if not isinstance(link, PrinterFault):
                link.close()
            return None
        if isinstance(link, PrinterFault):
            raise link
        return link, answer


class Meanwhile(Generic[T]):
    """``work`` on a thread of its own (a step on the printer's line, while the lane's thread
    renders or commits); :meth:`result` waits for it: its value, or what it raised."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="oss-desk-printer-step")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
