"""When the host's clock is stepped back (an NTP correction of a clock that ran fast), how far
back the office's record holds its time.

Every change is recorded with "now"; stepped back, the real clock would date a call before the
ticket it calls was issued, or a visit finished before it was called (a negative time at the
desk, a history that reads out of order). So a process on the real clock never dates anything
before the newest event already recorded, when that event is at most :data:`STEP_BACK_HELD`
ahead of it: the time holds there until the real clock catches up. Further ahead, the real
clock is believed (events dated far ahead are another matter: a command run with
``OSS_DESK_NOW`` on the office, or a clock that was wrong), and ``doctor`` fails its clock check
until the real time catches up with them, past the same span.
"""

from __future__ import annotations

from datetime import datetime, timedelta

STEP_BACK_HELD = timedelta(minutes=5)


def held_now(now: datetime, newest: datetime | None) -> datetime:
    """The instant to record at ``now`` (the real clock) when the newest recorded event is at
    ``newest`` (None: none yet): never before it, if it is at most :data:`STEP_BACK_HELD`
    ahead."""
    if newest is not None and now < newest <= now + STEP_BACK_HELD:
        return newest
    return now
