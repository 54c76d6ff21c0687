"""Writing what became of a message whatever the database does meanwhile.

What the provider answered (it accepted the message: "sent") is known only in memory until it is
written. Lost, the next owner would find the row handed over and take it as maybe accepted: by
mail, sent again (with the same Message-ID); through Notify, looked up. So a fault of the
database as the outcome is written (locked by another process past the busy timeout, the disk
full) is never what became of the message: the answer is kept and written again after the lane
guard's pause (:func:`oss_desk.domain.worker_faults.database_pause`: 2 s, doubling up to a
minute) until the database takes it, or the worker stops.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from oss_desk.domain.worker_faults import database_pause
from oss_desk.errors import DatabaseGone, StorageError

log = logging.getLogger("oss_desk.worker")

ONCE_WAITS_SECONDS = 300.0
"""How long ``worker --once`` (which no one stops) waits for the database to take an outcome
before it gives up and leaves the row to the next owner (a running lane waits until it stops)."""


def write_until_taken(
    write: Callable[[], None], what: str, status: str, stop: threading.Event | None
) -> None:
    """Run ``write`` (one transaction recording ``what``'s outcome, ``status``) until the
    database takes it. Raises the last :class:`StorageError` once ``stop`` is set (None: after
    :data:`ONCE_WAITS_SECONDS`), and a :class:`DatabaseGone` at once."""
    pause: float | None = None
    started = time.monotonic()
    while True:
        try:
            write()
            return
        except DatabaseGone:
            raise
        except StorageError as exc:
            stopping = (
                stop.is_set()
                if stop is not None
                else time.monotonic() - started >= ONCE_WAITS_SECONDS
            )
            if stopping:
                log.warning(
                    "%s: its outcome (%s) is not recorded as the worker stops: %s; the next "
                    "owner finds it as it was left",
                    what,
                    status,
                    exc.message,
                )
                raise
            pause = database_pause(pause, 0.0)
            log.warning(
                "%s: %s, not recorded yet (%s); written again in %.0f s",
                what,
                status,
                exc.message,
                pause,
            )
            (stop or threading.Event()).wait(pause)


__all__ = ["ONCE_WAITS_SECONDS", "write_until_taken"]
