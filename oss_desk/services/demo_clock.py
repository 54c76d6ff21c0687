"""The demo's clock: it runs.

``oss-desk demo`` builds its office as of an instant (out of hours, 11:00 on the last opening
day; or ``OSS_DESK_NOW``) and writes, beside its database, the instant the office was at and the
real instant it was then. Every process that opens that database without ``OSS_DESK_NOW`` (the
demo's own desk and device worker, a second desk, ``oss-desk queue``, ``oss-desk worker``) reads
it and keeps the demo's time, running on at the real pace: waits grow, a print job that failed is
tried again when it falls due, and another terminal sees the same office at the same moment.
``OSS_DESK_NOW``, when set, still wins (a stopped clock, for scripts and tests).

Left and opened again (``oss-desk demo`` over a demo that has work in it), the demo carries on
from the last thing done in it: its clock stood still while nobody had it open.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from oss_desk import files
from oss_desk.clock import NOW_ENV, RunningClock, format_instant, read_instant

SUFFIX = ".clock"


def clock_path(db: Path) -> Path:
    """The demo clock's file beside the demo database ``db``."""
    return db.with_name(db.name + SUFFIX)


def start_clock(db: Path, at: datetime, since: datetime) -> RunningClock:
    """Record that the demo at ``db`` is at ``at`` at the real instant ``since``."""
    text = json.dumps({"at": format_instant(at), "since": format_instant(since)})
    files.write_private(clock_path(db), text + "\n")
    return RunningClock(at, since)


def demo_clock(db: Path) -> RunningClock | None:
    """The demo's running clock for the database ``db``; None when it has none (or a file that
    cannot be read: then the real clock, as for any office)."""
    try:
        found = json.loads(files.read_bounded(clock_path(db), 4096))
        return RunningClock(read_instant(str(found["at"])), read_instant(str(found["since"])))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stopped_by_env() -> bool:
    """``OSS_DESK_NOW`` is set: every command acts at that instant, the demo's too."""
    return bool(os.environ.get(NOW_ENV, "").strip())
