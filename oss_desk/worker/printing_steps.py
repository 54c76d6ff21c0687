"""Steps on a printer's line beside the lane's own work: a step run on a thread of its own
while the lane renders or commits, the printer's answer read as the line is freed, and a
connection opened while the ticket it is for commits."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from oss_desk.domain.delivery import PRINTER_READY_SECONDS
from oss_desk.domain.devices import PrinterURL, parse_printer_url
from oss_desk.hardware.printer_link import Answer
from oss_desk.hardware.printers import PrinterLink, PrinterStatus, Transport
from oss_desk.storage.doorbell import Doorbell
from oss_desk.storage.print_bell import AHEAD_SCHEMES, PrintBell

T = TypeVar("T")


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


def unknown_status() -> PrinterStatus:
    """The answer of a printer that is not asked (its URL says status=off)."""
    return PrinterStatus.UNKNOWN


def answered(status: PrinterStatus) -> Answer:
    """The answer of a printer whose answer was read already: ``status``."""
    return lambda: status


def confirm_and_close(link: PrinterLink, size: int) -> PrinterStatus:
    try:
        return link.confirm(size)
    finally:
        link.close()  # the printer has answered: free it before the bookkeeping


Opened = tuple[PrinterLink, Answer | None]
"""A connection to a printer, and the answer to the status question asked as it opened (None:
its URL says not to ask)."""


class ReadyLinks:
    """Connections a printer's lane opened because a desk said a job for that printer was
    about to be committed (:mod:`oss_desk.storage.print_bell`): each connects and asks the
    printer how it is on a thread of its own, while the job commits; the lane's next job takes it
    (whatever that job is: they go in their order) instead of connecting. One not taken within
    :data:`~oss_desk.domain.delivery.PRINTER_READY_SECONDS` is closed, nothing sent on it."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[Meanwhile[Opened], float]] = {}
        self._said: PrintBell | None = None

    def listen(self, db: Path) -> Doorbell:
        """The lane's doorbell: the ring of a commit that can be seen, and a desk's word that a
        job for a printer is about to be committed (then :meth:`heard` says for which)."""
        self._said = PrintBell(db)
        return Doorbell.for_printers(db, self._said.path)

    def heard(self, lane: str, transports: Callable[[PrinterURL], Transport]) -> None:
        """After the doorbell rang: when a desk said a job for network printer ``lane`` is
        about to be committed, connect and ask it how it is now (:meth:`open`)."""
        if self._said is not None and self._said.heard(lane, PRINTER_READY_SECONDS):
            try:
                url = parse_printer_url(lane)
                transport = transports(url)
            except Exception:  # the job's own try says what is wrong with it
                return
            if url.scheme in AHEAD_SCHEMES:
                self.open(lane, url, transport)

    def open(self, lane: str, url: PrinterURL, transport: Transport) -> None:
        """Connect to printer ``lane`` (its jobs' URL, parsed: ``url``) now and ask how it is
        (once: one already held stays)."""
        if lane not in self._held:
            until = time.monotonic() + PRINTER_READY_SECONDS
            self._held[lane] = (Meanwhile(lambda: _open_and_ask(url, transport)), until)

    def holds(self, url: str) -> bool:
        return url in self._held

    def take(self, url: str) -> Meanwhile[Opened] | None:
        """The connection held for ``url``'s next job (its ``result()``: the link and the
        answer, or the PrinterFault of a printer that could not be reached); None: none."""
        held = self._held.pop(url, None)
        return held[0] if held is not None else None

    def let_go(self, seconds: float) -> float:
        """Close those kept past their time; ``seconds``, or less: until the next one is due."""
        now = time.monotonic()
        for url, (opened, until) in list(self._held.items()):
            if until <= now:
                del self._held[url]
                threading.Thread(target=_close, args=(opened,), daemon=True).start()
            else:
                seconds = min(seconds, until - now)
        return seconds

    def close(self) -> None:
        for opened, _ in self._held.values():
            _close(opened)
        self._held.clear()
        if self._said is not None:
            self._said.close()


def _open_and_ask(url: PrinterURL, transport: Transport) -> Opened:
    link = transport.open()
    return link, link.ask() if url.asks_status else None


def _close(opened: Meanwhile[Opened]) -> None:
    """Close a connection no job took: its answer read first (a socket closed with unread bytes
    is reset, not closed)."""
    with contextlib.suppress(Exception):
        link, answer = opened.result()
        try:
            if answer is not None:
                answer()
        finally:
            link.close()
