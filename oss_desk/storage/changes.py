"""Change detection across processes with ``PRAGMA data_version``.

``data_version`` changes when *another* connection commits (never for the connection's own
commits), costs about 0.1 ms to read, and works across processes. A :class:`ChangeFeed` polls it
and, when it moved, reads the events appended since the last poll, so a desk knows exactly which
tickets and desks to refresh. After its own writes a process calls :meth:`ChangeFeed.poll` with
``force=True`` (its own commits do not move its own ``data_version``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from oss_desk.storage.database import Store
from oss_desk.storage.doorbell import Doorbell, wal_path
from oss_desk.storage.events import EventRow, events_after, last_event_id


@dataclass(frozen=True, slots=True)
class Changes:
    events: list[EventRow] = field(default_factory=list)
    """Events appended since the last poll (other changes, such as a print job finishing,
    come with an empty list)."""

    @property
    def ticket_ids(self) -> set[int]:
        return {e.ticket_id for e in self.events if e.ticket_id is not None}

    @property
    def desk_ids(self) -> set[str]:
        return {e.desk_id for e in self.events if e.desk_id is not None}

    @property
    def config_changed(self) -> bool:
        return any(e.kind == "config_loaded" for e in self.events)


SETTLE_STEP = 0.002
SETTLE_SECONDS = 0.25
"""A commit writes (and syncs) its WAL frames before it publishes them in the shared index that
``data_version`` reads, so the doorbell rings a moment before the change can be seen: after a
ring, a feed that listens to the WAL file only looks every ``SETTLE_STEP`` seconds for
``SETTLE_SECONDS`` (a ring that was no commit of another connection, such as a checkpoint, this
process's own write, or the rest of a commit already seen, costs those looks). A feed that also
hears the ring of a commit that can be seen (oss-desk's writers ring once it can) does not
settle: an oss-desk commit still on its way rings again when it can be seen, and a writer that
knows nothing of oss-desk is seen at the next poll."""


class ChangeFeed:
    def __init__(self, store: Store, *, hear_ring: bool = True) -> None:
        """``hear_ring`` False: :meth:`wait` listens to the WAL file only, not to the ring of a
        commit that can be seen (see :meth:`Doorbell.for_commits`), and settles after each
        ring (see :data:`SETTLE_SECONDS`)."""
        self.store = store
        self._version = store.data_version()
        self._last_event = last_event_id(store.conn)
        self._bell: Doorbell | None = None
        self._hear_ring = hear_ring

    @property
    def last_event_id(self) -> int:
        return self._last_event

    def poll(self, *, force: bool = False) -> Changes | None:
        """What changed since the last poll, or None when nothing did. Each poll also checks
        that the path still names the file this process opened, with the content it opened (one
        ``stat``, one ``pread``): a desk learns that its database was deleted, moved, replaced or
        overwritten in place (a ``cp`` over it) within one tick, before anyone types."""
        self.store.check_file()
        version = self.store.data_version()
        if version == self._version and not force:
            return None
        self._version = version
        events = events_after(self.store.conn, self._last_event, limit=100_000)
        if events:
            self._last_event = events[-1].id
        elif force:
            return None
        return Changes(events=events)

    def wait(
        self,
        timeout: float,
        interval: float = 0.05,
        stop: threading.Event | None = None,
        after_ring: float = 0.0,
    ) -> Changes | None:
        """Block until something changes, ``timeout`` seconds pass (the monotonic clock), or
        ``stop`` is set (a worker told to stop does not sit out its wait).

        Between polls it listens for any process's commit (:mod:`oss_desk.storage.doorbell`),
        so a change is seen the moment it is committed, not at the next poll; ``interval`` is
        the fallback's pace (and how soon ``stop`` is noticed). ``after_ring``: after a ring,
        wait this long before looking (the device worker's printer lanes hear the same ring and
        go first)."""
        if self._bell is None:
            path = self.store.path
            self._bell = Doorbell.for_commits(path) if self._hear_ring else Doorbell(wal_path(path))
        bell = self._bell
        deadline = time.monotonic() + timeout
        settle_until = 0.0
        while True:
            changes = self.poll()
            if changes is not None:
                return changes
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                return None
            if bell.fd is not None:
                pause = SETTLE_STEP if now < settle_until else interval
                if bell.wait(min(pause, left)):
                    if not self._hear_ring:
                        settle_until = time.monotonic() + SETTLE_SECONDS
                    if after_ring > 0:
                        if stop is None:
                            time.sleep(after_ring)
                        elif stop.wait(after_ring):
                            return None
                        bell.drain()
                if stop is not None and stop.is_set():
                    return None
            elif stop is None:
                time.sleep(interval)
            elif stop.wait(interval):
                return None

    def close(self) -> None:
        """Stop listening (the feed can still be polled)."""
        if self._bell is not None:
            self._bell.close()
