"""What each printer last said, as its lane writes it for the desks: after each job, and when an
idle printer is asked now and then (a printer's lane, ``oss-desk worker --once``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from oss_desk.clock import format_instant
from oss_desk.domain.device_faults import PRINTER_SILENT
from oss_desk.domain.devices import PrinterURL, parse_printer_url
from oss_desk.errors import OssDeskError
from oss_desk.hardware.printers import PrinterStatus, Transport
from oss_desk.services.session import Session
from oss_desk.storage import devices as d
from oss_desk.worker.printing_steps import ReadyLinks


class PrinterStates:
    """The printers' states one lane (one session: one thread) writes; ``ready``: the
    connections the lane holds open for a job on its way (such a printer is not asked)."""

    def __init__(
        self, session: Session, transports: Callable[[PrinterURL], Transport], ready: ReadyLinks
    ) -> None:
        self.s = session
        self.transports = transports
        self.ready = ready
        self._recorded: dict[str, tuple[str, str | None, float]] = {}
        self._last_poll: dict[str, float] = {}
        self._wrote: dict[str, tuple[PrinterStatus, str | None]] = {}  # each one's last job

    def record(self, url: str, status: PrinterStatus, detail: str | None = None) -> None:
        """Write the printer's state when it changed (or now and then: desks see when a device
        last answered); writing every answer would wake every desk for nothing."""
        if status.fault and detail is None:
            detail = status.sentence
        if status is PrinterStatus.OK:
            detail = None
        last = self._recorded.get(url)
        every = self.s.settings.printing.status_every_seconds
        now = time.monotonic()
        if last is not None and last[:2] == (status.value, detail) and now - last[2] < every:
            return
        self._recorded[url] = (status.value, detail, now)
        with self.s.store.write() as conn:
            d.record_device(
                conn,
                url=url,
                kind="printer",
                status=status.value,
                detail=detail,
                now=format_instant(self.s.clock.now()),
            )

    def written(self, url: str, status: PrinterStatus, detail: str | None = None) -> None:
        """What the printer said as a job ended (a capture file's state, until its next job)."""
        self._wrote[url] = (status, detail)
        self.record(url, status, detail)

    def poll(self, url: str, force: bool = False) -> PrinterStatus | None:
        """Ask an idle printer how it is, every ``printing.status_every_seconds``."""
        every = self.s.settings.printing.status_every_seconds
        if not force and time.monotonic() - self._last_poll.get(url, -1e9) < every:
            return None
        if self.ready.holds(url):  # connected and asked already: a job is on its way
            return None
        self._last_poll[url] = time.monotonic()
        try:
            transport = self.transports(parse_printer_url(url))
        except OssDeskError:
            return None
        cannot_ask = (
            transport.url.scheme in ("tcp", "serial", "usb") and not transport.url.asks_status
        )
        status = PrinterStatus.UNKNOWN if cannot_ask else transport.status()
        if transport.url.scheme == "capture" and status is PrinterStatus.UNKNOWN:
            # As its last append left it (a full disk looks writable), else as recorded.
            if url not in self._wrote:
                return None
            status, detail = self._wrote[url]
            self.record(url, status, detail)
            return status
        silent = transport.url.asks_status and status is PrinterStatus.UNKNOWN  # (asked)
        self.record(url, status, PRINTER_SILENT if silent else None)
        return status

    def poll_printers(self, force: bool = False) -> dict[str, PrinterStatus]:
        """Ask each configured printer how it is (``oss-desk worker --once``)."""
        results: dict[str, PrinterStatus] = {}
        for url in configured_printers(self.s):
            status = self.poll(url, force)
            if status is not None:
                results[url] = status
        return results


def configured_printers(session: Session) -> list[str]:
    return sorted(
        {
            u
            for desk in session.directory.desks.values()
            for u in (desk.printer_url, desk.fallback_printer_url)
            if u
        }
    )
