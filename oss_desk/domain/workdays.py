"""UK working days: weekends, the bank holidays of the office's nation, and local closures.

``holidays`` is always given the subdivision (ENG, WLS, SCT or NIR): without it the package
returns only the 7 UK-wide days (no Easter Monday for England).

The council's notice rule ("at least 1 working day's notice when the council cancels") is
counted as the working days from the day of cancelling to the day before the appointment, where
the day of cancelling counts only if it is a working day and the office has not yet closed: so
cancelling on Monday morning for Tuesday gives 1 day, on Monday evening 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from oss_desk.domain.calendar import WEEKDAYS, Hours, hours_on, parse_hours


@lru_cache(maxsize=16)
def bank_holidays(nation: str, year: int) -> dict[date, str]:
    """The bank holidays of ``nation`` (ENG, WLS, SCT or NIR) in ``year``, by day, named: the
    days off (:func:`days_off`)."""
    import holidays  # a large package: imported when a calendar is first worked out

    calendar = holidays.country_holidays("GB", subdiv=nation, years=year)
    return days_off(dict(calendar.items()))


OBSERVED = "%s (observed)"
"""How the calendar package names a bank holiday's substitute day (its ``observed_label``):
"Boxing Day (observed)"."""


def days_off(days: Mapping[date, str]) -> dict[date, str]:
    """The bank holidays that are days off, of the calendar package's ``days`` (by day, named;
    two on one day joined by "; "): a holiday that falls on a Saturday or Sunday and has a
    substitute day (named by :data:`OBSERVED`) is not one itself, its substitute is. GOV.UK
    lists Mon 28 Dec 2026 ("Boxing Day (substitute day)"), not Sat 26 Dec, which the package
    lists as well. Asked of the days worked out and of the days stored before (an office open
    on Saturdays would otherwise refuse bookings on a day that is no holiday)."""
    before, after = OBSERVED.split("%s")
    substituted = {
        name[len(before) : len(name) - len(after)]
        for names in days.values()
        for name in names.split("; ")
        if name.startswith(before) and name.endswith(after)
    }
    kept: dict[date, str] = {}
    for day, names in days.items():
        left = [n for n in names.split("; ") if day.weekday() < 5 or n not in substituted]
        if left:
            kept[day] = "; ".join(left)
    return kept


@dataclass(frozen=True)
class WorkingDays:
    nation: str = "ENG"
    closures: frozenset[date] = field(default_factory=frozenset)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    """Days of the week the office works (Monday is 0)."""
    known: Mapping[int, Mapping[date, str]] = field(default_factory=dict, compare=False, hash=False)
    """Bank holidays already worked out (stored when the configuration was loaded), by year:
    a year found here is not worked out again (the large calendar is not imported)."""

    @classmethod
    def of(
        cls, nation: str, closures: Iterable[str | date] = (), weekdays: Iterable[int] = ()
    ) -> WorkingDays:
        days = frozenset(weekdays) or frozenset({0, 1, 2, 3, 4})
        closed = frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in closures)
        return cls(nation=nation, closures=closed, weekdays=days)

    @classmethod
    def for_office(
        cls, nation: str, closures: Iterable[str | date], opening_hours: Mapping[str, str]
    ) -> WorkingDays:
        """An office's working days: the weekdays it opens (its ``opening_hours``), minus the
        bank holidays of its nation and its local closures."""
        weekdays = [
            i
            for i, name in enumerate(WEEKDAYS)
            if parse_hours(opening_hours.get(name, "closed")) is not None
        ]
        return cls.of(nation, closures, weekdays)

    def holiday(self, day: date) -> str | None:
        """The bank holiday's or the closure's name, if ``day`` is one."""
        if day in self.closures:
            return "local closure"
        known = self.known.get(day.year)
        return (known if known is not None else bank_holidays(self.nation, day.year)).get(day)

    def closed_said(self, day: date, *, bank_holidays: bool = True) -> str | None:
        """Why the office is closed on ``day``, in words ("a bank holiday (Christmas Day)", "a
        local closure day", "a Saturday"); None on a working day. ``bank_holidays=False``
        leaves the bank holidays (a large calendar) unasked."""
        if bank_holidays:
            name = self.holiday(day)
        else:
            name = "local closure" if day in self.closures else None
        if name == "local closure":
            return "a local closure day"
        if name is not None:
            return f"a bank holiday ({name})"
        if day.weekday() not in self.weekdays:
            return f"a {day:%A}"
        return None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and self.holiday(day) is None

    def add(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (before it when negative); ``day`` itself
        is never counted."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        current = day
        while remaining:
            current += timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def first_of_month(self, day: date) -> date:
        """The first working day of ``day``'s month (the monthly dashboard is sent on it)."""
        return self.add(day.replace(day=1) - timedelta(days=1), 1)

    def between(self, start: date, end: date) -> int:
        """Working days d with start <= d < end."""
        count = 0
        current = start
        while current < end:
            if self.is_working_day(current):
                count += 1
            current += timedelta(days=1)
        return count

    def notice(self, cancelled: datetime, appointment_day: date, closes: time | None) -> int:
        """Working days of notice (see the module's rule), from local wall times."""
        day = cancelled.date()
        if day >= appointment_day:
            return 0
        counted_from = day
        if closes is None or cancelled.time() >= closes or not self.is_working_day(day):
            counted_from = day + timedelta(days=1)
        return self.between(counted_from, appointment_day)


def opening_on(workdays: WorkingDays, opening_hours: Mapping[str, str], day: date) -> Hours | None:
    """The office's hours on ``day``; None when it does not open that day (a bank holiday, a
    local closure, a day of the week without hours): by the same rule as :func:`closed_at`."""
    if not workdays.is_working_day(day):
        return None
    return hours_on(dict(opening_hours), day)


def closed_at(
    workdays: WorkingDays, opening_hours: Mapping[str, str], start: datetime, end: datetime
) -> str | None:
    """Why an appointment from ``start`` to ``end`` (local wall times) falls where the office
    is closed ("a Saturday", "a local closure day", "a bank holiday (Christmas Day)", "outside
    the opening hours 09:00-12:00"); None when the office is open for all of it. The one rule
    of when an office is open (:func:`closed_now` asks it of an instant)."""
    day: date = start.date()
    why = workdays.closed_said(day)
    if why is not None:
        return why
    hours = hours_on(dict(opening_hours), day)
    if hours is None:
        return f"a {day:%A}"
    if start.time() < hours.opens or end.time() > hours.closes or end.date() != day:
        return f"outside the opening hours {hours}"
    return None


def closed_now(
    workdays: WorkingDays, opening_hours: Mapping[str, str], local_now: datetime
) -> str | None:
    """Why the office is closed at ``local_now`` (its wall-clock time), in words, by the same
    rule (:func:`closed_at`: "a local closure day", "a bank holiday (Christmas Day)", "a
    Saturday", "outside the opening hours 09:00-17:00"); None while it is open. Arrivals are
    still taken while it is closed (an evening event): this only says it."""
    return closed_at(workdays, opening_hours, local_now, local_now)


def closed_now_line(why: str) -> str:
    """Meet-and-greet's line at the top while the office is closed by its calendar."""
    return f"Office closed now: {why}. Tickets are still issued."


def closed_now_notice(site_name: str, why: str) -> str:
    """What ``ticket issue`` adds when the office is closed: the ticket is still taken."""
    return f"{site_name} is closed now ({why}): the ticket is taken all the same."


def day_not_over(site_name: str, hours: Hours, local_now: time) -> str:
    """Why today's daily summary is not sent yet: the office opens today (``hours``) and has
    not closed at ``local_now`` (its wall-clock time). Said by whether it has opened: before,
    "today is not over yet at Civic Centre: it opens at 09:00 and closes at 17:00"; after,
    "Civic Centre is still open today: it closes at 17:00"; then when the summary goes."""
    closes = f"{hours.closes:%H:%M}"
    if local_now < hours.opens:
        why = f"today is not over yet at {site_name}: it opens at {hours.opens:%H:%M} and closes"
    else:
        why = f"{site_name} is still open today: it closes"
    return f"{why} at {closes}; its summary is sent after closing (or give an earlier day)"
