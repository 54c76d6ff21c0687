"""When an office's newest backup is too old: the one rule ``oss-desk doctor`` asks; and how
long a backup is kept at most (``backup.keep_days``), the rule ``db backup``'s pruning, ``doctor``
and ``resident forget`` ask.

The backup unit runs nightly (deploy/systemd/oss-desk-backup.timer); a newest backup older than
a day and a couple of hours means a night was missed (the unit failed, the timer stopped, the
folder became unwritable), which monitoring on doctor's exit code should hear of the next day.
"""

from __future__ import annotations

STALE_HOURS = 26.0
"""A newest backup older than this is a warning: one nightly run missed, with two hours' slack
for a run delayed by a busy host."""


KEEP_DAYS = 14
"""The default of ``backup.keep_days``: a backup older than this is deleted by the next backup,
so a detail purged or erased on request survives in backups for at most this long (and a night)."""

DAY_SECONDS = 86400


def kept_until(made: float, keep_days: int) -> float:
    """When (seconds since the epoch) a backup made at ``made`` becomes too old to keep."""
    return made + keep_days * DAY_SECONDS


def backup_expired(made: float, now: float, keep_days: int) -> bool:
    """Whether a backup made at ``made`` is older than ``backup.keep_days`` at ``now``."""
    return now > kept_until(made, keep_days)


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


__all__ = [
    "KEEP_DAYS",
    "STALE_HOURS",
    "age_said",
    "backup_expired",
    "backup_stale",
    "kept_until",
]
