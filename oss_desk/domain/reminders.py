"""When reminders go out: "2 working days before at 09:00" (local time) or "3 hours before".

Local wall times are converted per date with the office's timezone, so a reminder "at 09:00"
is at 09:00 on both sides of a clock change (08:00 or 09:00 UTC), and "N hours before" is real
elapsed time across one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from oss_desk.domain.calendar import zone
from oss_desk.domain.text import shown
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput

_WORKING = re.compile(r"^\s*(\d{1,2})\s+working\s+days?\s+before\s+at\s+(\d{1,2}:\d{2})\s*$", re.I)
_HOURS = re.compile(r"^\s*(\d{1,3})\s+hours?\s+before\s*$", re.I)


@dataclass(frozen=True, slots=True)
class ReminderRule:
    working_days: int | None = None
    at: time | None = None
    hours: int | None = None

    def due(self, start: datetime, timezone: str, workdays: WorkingDays) -> datetime:
        """When the reminder for an appointment starting at ``start`` (UTC) is due (UTC)."""
        if self.hours is not None:
            return start - timedelta(hours=self.hours)
        assert self.working_days is not None and self.at is not None
        tz = zone(timezone)
        day = workdays.add(start.astimezone(tz).date(), -self.working_days)
        return datetime.combine(day, self.at, tz).astimezone(UTC)


def parse_schedule(text: str) -> ReminderRule:
    if m := _WORKING.match(text):
        try:
            at = time.fromisoformat(m.group(2).zfill(5))
        except ValueError:
            raise InvalidInput(f"reminder {shown(text)!r}: {m.group(2)} is not a time") from None
        return ReminderRule(working_days=int(m.group(1)), at=at)
    if m := _HOURS.match(text):
        return ReminderRule(hours=int(m.group(1)))
    raise InvalidInput(
        f"reminder {shown(text)!r} should read like '2 working days before at 09:00' or "
        "'3 hours before'"
    )
