"""When the device worker's lanes count as failing: the one rule that the worker's heartbeat
(what it writes) and ``oss-desk doctor`` (what it says of it) both ask.

A lane that hits a fault logs it and starts again (after 2 s; after a fault of the database,
after a pause that doubles up to a minute). One fault is a blip: a ``StorageBusy`` while a
backup or ``init`` held the write turn, a disk full for a moment. A lane that faults again and
again keeps failing: its work is not being done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FAULT_SPAN_SECONDS = 300.0
"""How long a lane's fault is said with the worker's heartbeat: 5 minutes, longer than a
failing lane's longest pause (a minute) and its wait for the database (the busy timeout, 15 s
by default) together, so a lane that keeps failing has had several faults within it."""

KEEPS_FAILING = 3
"""A lane with this many faults within :data:`FAULT_SPAN_SECONDS` keeps failing (``doctor``:
"running but failing", exit 1); fewer are said as a warning (exit 0). A lane failing on every
pass reaches it within 10 s (faults 2 and 4 s apart, or the database's 2, 4, 8 s pauses)."""


@dataclass(frozen=True, slots=True)
class LaneFaultsSeen:
    """The worker's lanes' faults within the span, as a heartbeat says them."""

    count: int
    """Of every lane."""
    most_in_one_lane: int
    """The most faults within the span of one lane failing now (no pass of it finished since
    its last fault; its earlier faults count too: a lane that fails again and again keeps
    failing): 0 when every lane has recovered."""
    last: str
    """The last: ``board: ConfigError: ...`` (what the worker's log says; no personal data)."""
    lanes: int = 1
    """How many lanes had them."""
    last_at: datetime | None = None
    """When the last was (UTC)."""

    @property
    def said(self) -> str:
        """ "3 faults across 3 lanes in the last 5 minutes, the last: ...": the lanes said, so
        that three blips in three lanes do not read as one lane at the failing count. Of faults
        every lane has recovered from (:func:`recovered`): "a lane last failed at 14:02Z, since
        recovered (...)"."""
        n, minutes = self.count, FAULT_SPAN_SECONDS / 60
        faults = f"{n} fault{'s' if n != 1 else ''}"
        across = f" across {self.lanes} lanes" if self.lanes > 1 else " in one lane" * (n > 1)
        said = f"{faults}{across} in the last {minutes:g} minutes, the last: {self.last}"
        if not recovered(self.most_in_one_lane):
            return said
        at = "" if self.last_at is None else f" at {self.last_at:%H:%M}Z"
        return f"a lane last failed{at}, since recovered ({said})"


BLIP_SAID = (
    f"not failing: a lane fails at {KEEPS_FAILING} of its own within "
    f"{FAULT_SPAN_SECONDS / 60:g} minutes"
)
"""What ``doctor`` adds to a worker whose lanes had faults, none of them keeping on failing."""


def keeps_failing(most_in_one_lane: int) -> bool:
    """Whether a lane with that many faults within the span keeps failing."""
    return most_in_one_lane >= KEEPS_FAILING


def recovered(most_in_one_lane: int) -> bool:
    """Whether the faults said are all past: each was followed by a pass its lane finished
    (none of them current, so the most any lane has still is 0). A disk full and freed: the
    lanes that met it work again, and ``doctor`` says when one last failed, not a fault."""
    return most_in_one_lane == 0


RESTART_SECONDS = 2.0
"""A lane that hit a fault starts again after this long; after a fault of the database, this is
its first pause."""
LONGEST_DATABASE_PAUSE = 60.0


def database_pause(previous: float | None, ran_for: float) -> float:
    """How long a lane waits after a fault of the database (disk full, read-only, locked) before
    it opens the database afresh: 2 s, then twice its previous pause each time, up to a minute;
    but 2 s again once the lane ran :data:`FAULT_SPAN_SECONDS` without a fault since the
    previous one (``ran_for``): it had recovered (``doctor`` no longer said it), and a new
    fault is a new blip, not the same outage going on.

    ``previous``: the pause after its previous fault (None: it had none)."""
    if previous is None or ran_for >= FAULT_SPAN_SECONDS:
        return RESTART_SECONDS
    return min(previous * 2, LONGEST_DATABASE_PAUSE)


COPY_CHECK_SECONDS = 5.0
"""How often the worker service looks at a database file every process refuses (a backup's copy
put over the office's database in use) until it is the office's database again."""
WAITS_FOR_RESTORE = (
    f"the worker service waits, writing nothing (it looks again every {COPY_CHECK_SECONDS:g} s), "
    "and resumes by itself once `oss-desk db restore BACKUP` has put a backup in place"
)
"""What the worker's log and ``doctor`` say of the worker while it waits so (it no longer exits
to be started again every 2 s by its service manager, writing a line each time)."""


__all__ = [
    "BLIP_SAID",
    "COPY_CHECK_SECONDS",
    "FAULT_SPAN_SECONDS",
    "KEEPS_FAILING",
    "LONGEST_DATABASE_PAUSE",
    "RESTART_SECONDS",
    "WAITS_FOR_RESTORE",
    "LaneFaultsSeen",
    "database_pause",
    "keeps_failing",
    "recovered",
]
