"""A session's clock on the real time: never back before the office's newest event when the
host's clock was stepped back a few minutes (:mod:`oss_desk.domain.clock_steps`)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from oss_desk.clock import Clock, HeldClock, SystemClock, read_instant
from oss_desk.domain.clock_steps import held_now
from oss_desk.errors import OssDeskError
from oss_desk.storage.database import Store
from oss_desk.storage.events import newest_event_at


def held_back(clock: Clock, store: Store) -> Clock:
    """``clock`` as a session on ``store`` reads it: the real clock (:class:`SystemClock`),
    asked at each look for the office's newest event (:func:`newest_event_at`), never dates a
    change before it when the clock was stepped back a few minutes; a simulated one
    (``OSS_DESK_NOW``, a demo's) is as it is set."""
    if not isinstance(clock, SystemClock):
        return clock

    def hold(now: datetime) -> datetime:
        try:
            newest = newest_event_at(store.conn)
        except (sqlite3.Error, OssDeskError):  # a look only: the change's own write says why
            return now
        return held_now(now, read_instant(newest) if newest else None)

    return HeldClock(clock, hold)
