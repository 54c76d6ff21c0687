"""A session's clock on the real time: never back before the office's newest event when the
host's clock was stepped back a few minutes (:mod:`oss_desk.domain.clock_steps`)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

from oss_desk.clock import Clock, HeldClock, SystemClock, read_instant
from oss_desk.domain.clock_steps import held_now
from oss_desk.errors import OssDeskError
from oss_desk.storage.database import Store
from oss_desk.storage.events import newest_event_at


class NewestSeen:
    """The office's newest event time as the thread that owns ``store``'s connection (the one
    that opened it) last read it (:func:`newest_event_at`): read afresh at each look from that
    thread; another thread (the desk app's screen, while its connection works on another) or
    a look after the store is closed is given the time last read, never the connection."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.owner = threading.get_ident()
        self.at: datetime | None = None
        self.read()

    def read(self) -> datetime | None:
        if threading.get_ident() == self.owner and not self.store.closed:
            try:
                newest = newest_event_at(self.store.conn)
            except (sqlite3.OperationalError, OssDeskError):  # busy, damaged: a write says why
                return self.at
            self.at = read_instant(newest) if newest else None
        return self.at

    def hold(self, now: datetime) -> datetime:
        return held_now(now, self.read())


def held_back(clock: Clock, store: Store) -> Clock:
    """``clock`` as a session on ``store`` reads it: the real clock (:class:`SystemClock`),
    asked at each look for the office's newest event (:class:`NewestSeen`), never dates a
    change before it when the clock was stepped back a few minutes; a simulated one
    (``OSS_DESK_NOW``, a demo's) is as it is set."""
    if not isinstance(clock, SystemClock):
        return clock
    return HeldClock(clock, NewestSeen(store).hold)
