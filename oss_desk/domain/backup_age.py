"""When an office's newest backup is too old: the one rule ``oss-desk doctor`` asks.

The backup unit runs nightly (deploy/systemd/oss-desk-backup.timer); a newest backup older than
a day and a couple of hours means a night was missed (the unit failed, the timer stopped, the
folder became unwritable), which monitoring on doctor's exit code should hear of the next day.
"""

from __future__ import annotations

STALE_HOURS = 26.0
"""A newest backup older than this is a warning: one nightly run missed, with two hours' slack
for a run delayed by a busy host."""


def backup_stale(age_seconds: float) -> bool:
    """Whether a newest backup this old means the nightly backup has stopped."""
    return age_seconds > STALE_HOURS * 3600


def age_said(age_seconds: float) -> str:
    """A backup's age in words: "40 min", "5 h", "3 days"."""
    minutes = max(0, int(age_seconds // 60))
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


__all__ = ["STALE_HOURS", "age_said", "backup_stale"]
