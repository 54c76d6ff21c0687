"""Steps on a printer's line beside the lane's own work: a step run on a thread of its own
while the lane renders or commits, and the printer's answer read as the line is freed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from oss_desk.hardware.printers import PrinterLink, PrinterStatus

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


def confirm_and_close(link: PrinterLink, size: int) -> PrinterStatus:
    try:
        return link.confirm(size)
    finally:
        link.close()  # the printer has answered: free it before the bookkeeping
