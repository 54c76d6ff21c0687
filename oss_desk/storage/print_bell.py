"""A desk whose write transaction hands a print job to the running worker says so to that
printer's lane just before it commits: one record in ``<database>.print.bell``, which the printers'
lanes watch (:meth:`oss_desk.storage.doorbell.Doorbell.for_printers`). The lane then connects
and asks the printer how it is while the ticket commits, and the job goes out on that connection
the moment the commit can be seen.

The record only says *when to get ready*: what prints is still only what a committed job says,
in its order. A record that is lost (two desks writing at once), torn or stale costs nothing
but the head start; one read that should not have been leaves a connection closed unused.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from oss_desk.storage.writelock import open_beside

BELL_SUFFIX = ".print.bell"
AHEAD_SCHEMES = ("tcp",)
"""Printers a lane connects to ahead of a job: network ones (a connection takes a round trip;
a serial line, a device file or a capture file is there without one)."""
_RECORD = 512
"""Bytes of one record: ``<monotonic ns> <printer URL>``, padded, ending in a newline."""


def bell_path(db: Path) -> Path:
    return db.with_name(db.name + BELL_SUFFIX)


def expect_print(db: Path, printer_url: str) -> None:
    """Tell the lane of ``printer_url`` that a job for it is about to be committed to ``db``
    (nothing when no lane listens, the file cannot be written, or the URL is too long), when it
    is a printer that is connected to ahead (:data:`AHEAD_SCHEMES`)."""
    record = f"{time.monotonic_ns()} {printer_url}".encode()
    if len(record) >= _RECORD or printer_url.partition(":")[0] not in AHEAD_SCHEMES:
        return
    try:
        fd = os.open(bell_path(db), os.O_WRONLY | os.O_CLOEXEC)  # made by a listening lane
    except OSError:
        return
    try:
        os.pwrite(fd, record.ljust(_RECORD - 1) + b"\n", 0)
    except OSError:
        pass
    finally:
        os.close(fd)


class PrintBell:
    """A printer lane's side: the file made (so it can be watched), and what it last said."""

    def __init__(self, db: Path) -> None:
        self.path = bell_path(db)
        self._fd = open_beside(db, self.path)
        self._last = b""

    def heard(self, printer_url: str, within: float) -> bool:
        """Whether a desk said, since the last look and less than ``within`` seconds ago, that
        a job for ``printer_url`` is about to be committed."""
        if self._fd is None:
            return False
        try:
            record = os.pread(self._fd, _RECORD, 0)
        except OSError:
            return False
        if record == self._last or len(record) != _RECORD or not record.endswith(b"\n"):
            return False
        self._last = record
        stamp, _, url = record.decode("utf-8", "replace").strip().partition(" ")
        if url != printer_url or not stamp.isdigit():
            return False
        return 0 <= time.monotonic_ns() - int(stamp) < within * 1e9

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
