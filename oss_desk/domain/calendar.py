"""Business days and opening hours, in the site's own timezone.

The business day of an instant is its local date at the site (Europe/London by default),
computed here in Python, never with SQLite's ``date('now')`` (which is UTC: between 00:00 and
01:00 BST it would still give yesterday).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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


def day_said(day: date, today: date) -> str:
    """A day as the desk's lists and lines write it: "Wed 09 Dec", with the year when it is not
    this year's ("Wed 09 Jan 2019"), so a day of another year is never read as this one."""
    return f"{day:%a %d %b}" if day.year == today.year else f"{day:%a %d %b %Y}"


def when_said(instant: datetime, tz: str, today: date) -> str:
    """When something is due, as a sentence says it: "at 09:00 today", "at 09:00 tomorrow",
    else "at 09:00 on Wed 09 Dec" (:func:`day_said`)."""
    at = local(instant, tz)
    if at.date() == today:
        return f"at {at:%H:%M} today"
    if at.date() == today + timedelta(days=1):
        return f"at {at:%H:%M} tomorrow"
    return f"at {at:%H:%M} on {day_said(at.date(), today)}"


def says_days(instants: Iterable[datetime], tz: str, today: date) -> bool:
    """Whether a list of events at the site says each one's day: when they fall on more than
    one local day, or on a day that is not ``today`` (an earlier day's visit read back)."""
    return bool({local(instant, tz).date() for instant in instants} - {today})


def clock_said(wall: datetime) -> str:
    """A local time of day (``wall``: an instant in the site's zone) as residents and desks read
    it: "14:00"; with its zone ("01:30 BST", then "01:30 GMT") when that time comes round twice
    that day (the clocks going back), so that two appointments an hour apart never read as one
    time."""
    said = f"{wall:%H:%M}"
    twice = wall.replace(fold=1 - wall.fold).utcoffset() != wall.utcoffset()
    return f"{said} {wall:%Z}" if twice else said


def says_zones(instants: Iterable[datetime], tz: str) -> bool:
    """Whether a list of events at the site says each time's zone: when the clocks changed
    among them (01:55 BST, then 01:12 GMT is 17 minutes later, not 43 earlier)."""
    return len({local(instant, tz).utcoffset() for instant in instants}) > 1


REPEAT = 24
"""Added to the key of a local hour's second time round in one day (the autumn clock change:
01:20 BST is keyed 1, then 01:20 GMT 25), so the reports count the two hours apart."""


@dataclass(frozen=True, slots=True)
class RepeatedHour:
    """A local hour that comes round twice in a day (the clocks going back): its zones the
    first and the second time ("BST", "GMT"), and when its second time begins and ends."""

    hour: int
    first_zone: str
    second_zone: str
    second_from: datetime
    second_to: datetime


@lru_cache(maxsize=64)
def repeated_hours(day: date, tz: str) -> tuple[RepeatedHour, ...]:
    """The local hours of ``day`` that come round twice (none on all but one day a year)."""
    found: list[RepeatedHour] = []
    for hour in range(24):
        first = datetime.combine(day, time(hour), zone(tz))
        second = first.replace(fold=1)
        again = first.astimezone(UTC).astimezone(first.tzinfo)
        if first.utcoffset() != second.utcoffset() and again.hour == hour:  # (not the gap)
            begins = second.astimezone(UTC)
            zones = (first.tzname() or "", second.tzname() or "")
            found.append(RepeatedHour(hour, *zones, begins, begins + timedelta(hours=1)))
    return tuple(found)


def hour_said(key: str, *, to: bool = False) -> str:
    """An hour of the reports' arrivals by hour (``by_hour``'s keys: "09", and on the day the
    clocks go back "01 BST" and "01 GMT", the hour that came round twice) as a label: "09:00",
    "01:00 GMT"; ``to``: the whole hour, "09:00 to 09:59", "01:00 to 01:59 GMT"."""
    hour, _, zone_name = key.partition(" ")
    said = f"{hour}:00 to {hour}:59" if to else f"{hour}:00"
    return f"{said} {zone_name}" if zone_name else said


def time_said(instant: datetime, tz: str, today: date, *, dated: bool, zoned: bool = False) -> str:
    """A time in a list of events, as every history writes it: "14:00" when all of the list
    is today's, else with its day (:func:`day_said`; ``dated``: :func:`says_days`), "Wed 02
    Dec 14:00", so that times of different days never read as one day out of order, nor an
    earlier day's as today's; with its zone ("01:12 GMT"; ``zoned``: :func:`says_zones`) when
    the clocks changed within the list."""
    at = local(instant, tz)
    said = f"{day_said(at.date(), today)} {at:%H:%M}" if dated else f"{at:%H:%M}"
    return f"{said} {at:%Z}" if zoned else said


def elapsed_text(since: datetime, now: datetime, tz: str) -> str:
    """How long a desk has been in its state: "25 min", "2 h 5 min"; "since Fri" when the
    state began on an earlier day at the site (a desk closed last night has not been closed
    for 1,083 minutes of anyone's working day)."""
    began, today = local(since, tz), local(now, tz)
    if began.date() < today.date():
        return f"since {began:%a}" if (today.date() - began.date()).days < 7 else "over a week"
    minutes = max(0, int((now - since).total_seconds() // 60))
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def parse_date(text: str, what: str = "date", span: DateSpan | None = None) -> date:
    """``YYYY-MM-DD`` (ASCII digits), within ``span`` when one is given."""
    value = text.strip()
    try:
        if not value.isascii():
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what} {shown(text)!r} is not a date (expected YYYY-MM-DD)") from None
    return span.check(day, what) if span is not None else day


YEARS_AHEAD = 100
EARLIEST = date(1970, 1, 1)
"""No office's records begin before this (a bound for dates with no office to ask yet)."""


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The days a date typed for an office may name: from the day its records begin (its
    opening) to 100 years after today. A date outside is refused where it is parsed, before it
    reaches a query, a calculation or a stored row."""

    first: date
    last: date

    @classmethod
    def of(cls, opened: date | None, today: date) -> DateSpan:
        start = min(opened or today, today)
        return cls(max(start, EARLIEST), years_after(today, YEARS_AHEAD))

    def check(self, day: date, what: str = "date") -> date:
        if day < self.first:
            raise InvalidInput(
                f"{what} {day.isoformat()} is before this office's records begin "
                f"({self.first.isoformat()})"
            )
        if day > self.last:
            raise InvalidInput(
                f"{what} {day.isoformat()} is more than {YEARS_AHEAD} years ahead "
                f"(the last allowed is {self.last.isoformat()})"
            )
        return day

    def recorded(self, last: date) -> bool:
        """The office's records, one rule for every report and presentation: they begin on
        :attr:`first` (the first day of anything it holds: an event of any kind, an imported
        call, the day its configuration was first loaded). A day, month or period that ends
        before it has no figures (its zeros are none): a report of it is refused
        (:meth:`check_period`), and where it stands beside others (the same weekday in earlier
        weeks, the 12-month trend, a quarter's months, the period before or a year before)
        every presentation says "no records" in its place and no standard is rated from it. One
        that reaches it (wholly, or begun before it) is a period of records: its figures are
        those counted, from the day the records begin."""
        return last >= self.first

    def part_from(self, first: date, last: date) -> date | None:
        """A period from ``first`` to ``last`` that reaches the records (:meth:`recorded`) but
        begins before them is a part period: its figures are from the day they begin, which
        is returned (every presentation says so beside them: :func:`part_said`); None for a
        whole period, or one before the records."""
        return self.first if first < self.first <= last else None

    def check_month(self, first: date, last: date, what: str = "--month") -> None:
        """A month (its first and last day) must overlap the span."""
        self.check_period(first, last, f"{what} {first.isoformat()[:7]}")

    def check_period(self, first: date, last: date, named: str) -> None:
        """Every report's period (a month, a quarter, a year, a run of days; ``named``: as
        typed, e.g. ``--quarter 2010-Q1``) must overlap the span: one that ends before the
        office's records begin is refused (exit 2) like a day before them, not answered with
        a report of zeros; one that reaches them is reported from them."""
        if last < self.first:
            raise InvalidInput(
                f"{named.strip()} is before this office's records begin ({self.first.isoformat()})"
            )
        if first > self.last:
            raise InvalidInput(f"{named.strip()} is more than {YEARS_AHEAD} years ahead")


def part_said(records_from: str | None) -> str:
    """What follows a part period's figure (:meth:`DateSpan.part_from`): ``(from 8 Dec)``;
    nothing for a whole one."""
    return days_said(records_from, None)


def days_said(first: str | None, last: str | None) -> str:
    """The days a figure counts when they are not its whole period: from the day the records
    begin (``first``, :meth:`DateSpan.part_from`), to the day a period going on is counted to
    (``last``: a year before, the same days, :func:`oss_desk.domain.periods.like_a_year_before`),
    or both: ``(from 8 Dec)``, ``(to 22 Dec)``, ``(8 to 22 Dec)``; nothing for a whole one."""
    if first is None and last is None:
        return ""
    if last is None:
        return f"(from {_day_month(first)})"
    if first is None:
        return f"(to {_day_month(last)})"
    return f"({_day_month(first)} to {_day_month(last)})"


def _day_month(iso: str | None) -> str:
    day = date.fromisoformat(iso or "")
    return f"{day.day} {day:%b}"


def not_begun(first: date, today: date, named: str) -> None:
    """Every report's period, one rule: figures exist up to today only, so a period (a day, a
    month, a quarter, a year, a run of days) whose first day is after today is refused (exit 2,
    as a date before the records begin is), not answered with a report of zeros. A period that
    has begun is reported to date. ``named``: the period as typed, e.g. ``--quarter 2027-Q1``."""
    if first > today:
        raise InvalidInput(f"{named.strip()} is in the future: no figures yet")


def no_figures_yet(day: date, today: date, what: str = "--date") -> date:
    """A report's day (:func:`not_begun`); returns it."""
    not_begun(day, today, f"{what} {day.isoformat()}")
    return day


def no_month_figures_yet(first: date, today: date, what: str = "--month") -> None:
    """A report's month, by its first day (:func:`not_begun`)."""
    not_begun(first, today, f"{what} {first.isoformat()[:7]}")


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
