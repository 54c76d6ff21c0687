"""Business days and opening hours, in the site's own timezone.

The business day of an instant is its local date at the site (Europe/London by default),
computed here in Python, never with SQLite's ``date('now')`` (which is UTC: between 00:00 and
01:00 BST it would still give yesterday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown timezone {name!r} (e.g. Europe/London)") from None


def local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(zone(tz))


def business_day(instant: datetime, tz: str) -> str:
    """The local date of ``instant`` at the site, as ``YYYY-MM-DD``."""
    return local(instant, tz).date().isoformat()


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {shown(text)!r} is not a date (expected YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class Hours:
    opens: time
    closes: time

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


def parse_hours(text: str) -> Hours | None:
    """``"09:00-17:00"``; ``"closed"`` or ``""`` means closed all day."""
    value = text.strip().lower()
    if value in ("", "closed"):
        return None
    try:
        start, end = (part.strip() for part in value.split("-"))
        opens, closes = time.fromisoformat(start), time.fromisoformat(end)
    except ValueError:
        raise InvalidInput(
            f"opening hours {shown(text)!r} should look like 09:00-17:00 (or closed)"
        ) from None
    if closes <= opens:
        raise InvalidInput(f"opening hours {text!r} close before they open")
    return Hours(opens, closes)


def hours_on(opening_hours: dict[str, str], day: date) -> Hours | None:
    return parse_hours(opening_hours.get(WEEKDAYS[day.weekday()], "closed"))
