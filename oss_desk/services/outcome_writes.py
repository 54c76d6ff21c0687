"""Writing what became of a message whatever the database does meanwhile.

What the provider answered (it accepted the message: "sent") is known only in memory until it is
written. Lost, the next owner would find the row handed over and take it as maybe accepted: by
mail, sent again (with the same Message-ID); through Notify, looked up. So a fault of the
database as the outcome is written (locked by another process past the busy timeout, the disk
full) is never what became of the message: the answer is kept and written again after the lane
guard's pause (:func:`oss_desk.domain.worker_faults.database_pause`: 2 s, doubling up to a
minute) until the database takes it, or the worker stops.

At the first fault, an accepted message is noted beside the database
(:mod:`oss_desk.storage.accepted_notes`, durable before anything else is tried); as the worker
stops it is written again for :data:`STOP_GRACE_SECONDS`. Taken, the note is removed; not (the
worker stopped, ``worker --once`` interrupted or killed while it waits), the next owner reads the
note and records the message sent, never sending it again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from oss_desk.domain.worker_faults import database_pause
from oss_desk.errors import DatabaseGone, StorageError
from oss_desk.services.sender_states import write_kept
from oss_desk.storage.accepted_notes import AcceptedNote

log = logging.getLogger("oss_desk.worker")

ONCE_WAITS_SECONDS = 300.0
"""How long ``worker --once`` (which no one stops) waits for the database to take an outcome
before it gives up and leaves the row to the next owner (a running lane waits until it stops)."""

STOP_GRACE_SECONDS = 3.0
"""How long, once the worker stops, an outcome is still written again: inside the 5 s the
service worker gives its lanes to stop (:mod:`oss_desk.worker.standby`), itself far inside the
service manager's stop timeout (systemd's default, 90 s: the worker's unit sets none). The note
is left before these writes, so that a write still waiting when the process ends loses
nothing."""
STOP_RETRY_SECONDS = 0.25
"""The pause between those writes (each also waits up to the busy timeout for the lock)."""


def write_until_taken(
    write: Callable[[], None],
    what: str,
    status: str,
    stop: threading.Event | None,
    note: AcceptedNote | None = None,
) -> None:
    """Run ``write`` (one transaction recording ``what``'s outcome, ``status``) until the
    database takes it. At its first fault ``note`` (an accepted message's, where given) is left
    for the next owner (removed once the write is taken); once ``stop`` is set the write is
    tried again for :data:`STOP_GRACE_SECONDS`; then
    the last :class:`StorageError` is raised (``stop`` None: after
    :data:`ONCE_WAITS_SECONDS`). A :class:`DatabaseGone` is raised at once."""
    pause: float | None = None
    started = time.monotonic()
    grace_ends: float | None = None
    noted = False
    while True:
        if grace_ends is None and stop is not None and stop.is_set():
            grace_ends = time.monotonic() + STOP_GRACE_SECONDS
            noted = noted or _leave(note, what, status)
        try:
            write()
        except DatabaseGone:
            raise
        except StorageError as exc:
            if not noted:  # at the first fault, not only at a stop: an interrupt (Ctrl+C on
                # `worker --once`, a SIGTERM it has no handler for) or kill -9 during the
                # waits below would otherwise leave a message accepted and unrecorded
                noted = _leave(note, what, status)
            if grace_ends is not None and time.monotonic() < grace_ends:
                time.sleep(STOP_RETRY_SECONDS)
                continue
            if grace_ends is None and stop is not None:
                if not stop.is_set():
                    pause = database_pause(pause, 0.0)
                    _waits(what, status, exc, pause)
                    stop.wait(pause)
                continue  # (stopping: noted first, at the top)
            if grace_ends is None and time.monotonic() - started < ONCE_WAITS_SECONDS:
                pause = database_pause(pause, 0.0)
                _waits(what, status, exc, pause)
                time.sleep(pause)
                continue
            log.warning(
                "%s: its outcome (%s) is not recorded as the worker stops: %s; %s",
                what,
                status,
                exc.message,
                "the note stays for the next owner"
                if noted
                else "the next owner finds it as it was left",
            )
            raise
        else:
            if noted and note is not None:
                note.forget()
            write_kept()  # a sender's state the database could not take as the send ended
            return


def _waits(what: str, status: str, exc: StorageError, pause: float) -> None:
    log.warning(
        "%s: %s, not recorded yet (%s); written again in %.0f s", what, status, exc.message, pause
    )


def _leave(note: AcceptedNote | None, what: str, status: str) -> bool:
    """``what``'s outcome is not written yet: its note left (True) where given."""
    if note is None:
        return False
    if note.leave():
        log.warning(
            "%s: %s and not recorded yet: noted beside the database, so that whoever next "
            "sends records it (never sent again) if this process ends before it is written",
            what,
            status,
        )
        return True
    log.warning("%s: %s, and could not be noted for the next owner", what, status)
    return False


__all__ = ["ONCE_WAITS_SECONDS", "STOP_GRACE_SECONDS", "write_until_taken"]
