"""Free appointment slots: opening hours, working patterns, absences, rooms and bookings.

Time is cut into 5-minute units (minutes since the epoch // 5). A booking holds every unit of
its adviser and of its room; the database keeps one row per held unit under a UNIQUE key, so two
bookings can never overlap on an adviser or a room, whichever desks book at the same moment.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from oss_desk.domain.calendar import WEEKDAYS, clock_said, parse_hours, zone
from oss_desk.domain.epoch import EPOCH
from oss_desk.domain.models import Service
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput

UNIT_MINUTES = 5


def unit_of(instant: datetime) -> int:
    return int((instant - EPOCH).total_seconds() // (UNIT_MINUTES * 60))


def units(start: datetime, end: datetime) -> range:
    return range(unit_of(start), unit_of(end - timedelta(seconds=1)) + 1)


def resources(adviser: str, room: str | None) -> list[str]:
    """What a booking holds each unit of: its adviser (``adviser:ID``) and, when it has one,
    its room (``room:ID``)."""
    return [f"adviser:{adviser}"] + ([f"room:{room}"] if room else [])


def parse_pattern(text: str) -> list[tuple[time, time]]:
    """``"09:00-12:30, 13:30-17:00"`` into intervals; ``"off"`` or ``""`` for a day off."""
    value = text.strip().lower()
    if value in ("", "off", "closed"):
        return []
    result = []
    for part in value.split(","):
        hours = parse_hours(part)
        if hours is None:
            continue
        result.append((hours.opens, hours.closes))
    result.sort()
    for (_, end), (start, _) in itertools.pairwise(result):
        if start < end:
            raise InvalidInput(f"working pattern {text!r} has overlapping hours")
    return result


@dataclass(frozen=True, slots=True)
class Adviser:
    id: str
    name: str
    services: frozenset[str] | None
    """Services they take appointments for (None: every service)."""
    pattern: Mapping[str, list[tuple[time, time]]]
    """Working hours per weekday name (mon...sun), local time."""

    def takes(self, service: str) -> bool:
        return self.services is None or service in self.services


@dataclass(frozen=True, slots=True)
class Room:
    id: str
    name: str
    services: frozenset[str]


def booked_rooms(service: Service, rooms: Iterable[Room]) -> list[Room]:
    """The rooms a booking of ``service`` may be in: the private rooms that serve it when it
    needs one; none when it does not (its bookings are in no room)."""
    return [r for r in rooms if service.code in r.services] if service.private_room else []


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    adviser: str
    room: str | None


@dataclass(frozen=True, slots=True)
class Calendar:
    """Everything the slot search needs about one office, read once."""

    timezone: str
    opening_hours: Mapping[str, str]
    workdays: WorkingDays
    advisers: tuple[Adviser, ...]
    rooms: tuple[Room, ...]
    step_minutes: int = 15

    def open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The office's opening hours on ``day`` in UTC (none on holidays and closures)."""
        if not self.workdays.is_working_day(day):
            return []
        hours = parse_hours(self.opening_hours.get(WEEKDAYS[day.weekday()], "closed"))
        if hours is None:
            return []
        return [self._utc(day, hours.opens, hours.closes)]

    def adviser_intervals(self, adviser: Adviser, day: date) -> list[tuple[datetime, datetime]]:
        pattern = adviser.pattern.get(WEEKDAYS[day.weekday()])
        if pattern is None:  # no pattern given: the office's hours
            return self.open_intervals(day)
        if not self.open_intervals(day):
            return []
        return [self._utc(day, a, b) for a, b in pattern]

    def _utc(self, day: date, opens: time, closes: time) -> tuple[datetime, datetime]:
        tz = zone(self.timezone)
        return (
            datetime.combine(day, opens, tz).astimezone(UTC),
            datetime.combine(day, closes, tz).astimezone(UTC),
        )


def free_slots(
    calendar: Calendar,
    service: Service,
    *,
    days: Iterable[date],
    busy: set[tuple[str, int]],
    absent: set[tuple[str, date]],
    not_before: datetime,
    adviser: str | None = None,
    limit: int | None = None,
) -> list[Slot]:
    """Every (start, adviser, room) open, staffed and free for an appointment of ``service``
    (its length; a private room when it needs one), in time order.

    ``busy`` holds ("adviser:ID" or "room:ID", unit) pairs already taken; ``absent`` holds
    (adviser id, day) pairs of leave and training.
    """
    if service.appointment_minutes is None:
        return []  # walk-in only
    code, needs_room = service.code, service.private_room
    length = timedelta(minutes=service.appointment_minutes)
    step = timedelta(minutes=calendar.step_minutes)
    advisers = [a for a in calendar.advisers if a.takes(code) and adviser in (None, a.id)]
    rooms = booked_rooms(service, calendar.rooms)
    if needs_room and not rooms:
        return []
    found: list[Slot] = []
    for day in days:
        office = calendar.open_intervals(day)
        if not office:
            continue
        open_start, open_end = office[0]
        for person in advisers:
            if (person.id, day) in absent:
                continue
            for work_start, work_end in calendar.adviser_intervals(person, day):
                start = max(work_start, open_start)
                end_limit = min(work_end, open_end)
                # Slots start on the step grid counted from the opening time.
                offset = (start - open_start) % step
                if offset:
                    start += step - offset
                while start + length <= end_limit:
                    if start >= not_before:
                        held = units(start, start + length)
                        if all((f"adviser:{person.id}", u) not in busy for u in held):
                            room = None
                            if needs_room:
                                room = next(
                                    (
                                        r.id
                                        for r in rooms
                                        if all((f"room:{r.id}", u) not in busy for u in held)
                                    ),
                                    None,
                                )
                            if room is not None or not needs_room:
                                found.append(Slot(start, start + length, person.id, room))
                    start += step
        if limit is not None and len(found) >= limit:  # whole days, so the earliest are kept
            break
    found.sort(key=lambda s: (s.start, s.adviser))
    return found[:limit] if limit is not None else found


def horizon_said(days_ahead: int) -> str:
    """How far ahead appointments may be booked (``appointments.days_ahead``), as a booking
    refused and a search for free slots past it both say it."""
    return f"appointments can be booked up to {days_ahead} days ahead"


def not_free_said(
    calendar: Calendar,
    service: Service,
    when: datetime,
    *,
    busy: set[tuple[str, int]],
    absent: set[tuple[str, date]],
    not_before: datetime,
    adviser: str | None = None,
) -> str:
    """Why ``when`` is no free slot for ``service`` (with ``adviser``), by the rules
    :func:`free_slots` applies, in the words the command line and the desk both show: outside
    opening hours, off the slot grid, an adviser's day off or leave, a booking in the way ("Alex
    Smith has a booking until 10:20"). The advisers are named, never by their ids."""
    assert service.appointment_minutes is not None
    wall = when.astimezone(zone(calendar.timezone))
    day, length = wall.date(), timedelta(minutes=service.appointment_minutes)
    weekdays = f"{wall:%A}s"
    if when < not_before:
        return "that time has passed"
    hours = parse_hours(calendar.opening_hours.get(WEEKDAYS[day.weekday()], "closed"))
    office = calendar.open_intervals(day)
    if hours is None or not office:
        return f"the office is closed on {weekdays}"
    open_start, open_end = office[0]
    if not open_start <= when < open_end:
        return f"outside opening hours ({hours})"
    if when + length > open_end:
        minutes = service.appointment_minutes
        return f"a {minutes}-minute appointment would end after closing ({hours.closes:%H:%M})"
    step = timedelta(minutes=calendar.step_minutes)
    off_grid = (when - open_start) % step
    if off_grid:
        before = (when - off_grid).astimezone(wall.tzinfo)
        return (
            f"slots start every {calendar.step_minutes} min from {hours.opens:%H:%M} "
            f"({before:%H:%M} or {before + step:%H:%M})"
        )
    people = [a for a in calendar.advisers if adviser in (None, a.id)]
    named = next((a.name for a in people), adviser)
    takers = [a for a in people if a.takes(service.code)]
    if not takers:
        if adviser:
            return f"{named} takes no {service.name} appointments"
        return f"nobody takes {service.name} appointments"
    held = units(when, when + length)
    reasons = [_adviser_busy(calendar, a, (when, length), held, busy, absent) for a in takers]
    if all(reasons):
        shown = [r for r in reasons if r][:3]
        more = len(reasons) - len(shown)
        return "; ".join(shown) + (f"; and {more} more" if more else "")
    if not service.private_room:
        return ""
    rooms = booked_rooms(service, calendar.rooms)
    if not rooms:
        return f"no private room takes {service.name}"
    if all(any((f"room:{r.id}", u) in busy for u in held) for r in rooms):
        return "no private room is free then"
    return ""


def _adviser_busy(
    calendar: Calendar,
    adviser: Adviser,
    at: tuple[datetime, timedelta],
    held: range,
    busy: set[tuple[str, int]],
    absent: set[tuple[str, date]],
) -> str:
    """Why ``adviser`` cannot take the appointment at ``at`` (its start and length; "" when
    they can)."""
    when, length = at
    tz = zone(calendar.timezone)
    wall = when.astimezone(tz)
    if (adviser.id, wall.date()) in absent:
        return f"{adviser.name} is away on {wall:%a %d %b}"
    worked = calendar.adviser_intervals(adviser, wall.date())
    if not worked:
        return f"{adviser.name} does not work on {wall:%A}s"
    end = when + length
    if not any(start <= when and end <= finish for start, finish in worked):
        hours = ", ".join(
            f"{start.astimezone(tz):%H:%M}-{finish.astimezone(tz):%H:%M}"
            for start, finish in worked
        )
        return f"{adviser.name} works {hours} on {wall:%A}s"
    resource = f"adviser:{adviser.id}"
    taken = next((unit for unit in held if (resource, unit) in busy), None)
    if taken is None:
        return ""
    if taken != held[0]:
        return f"{adviser.name} has a booking at {clock_said(_wall(taken, tz))}"
    free_at = taken
    while (resource, free_at) in busy:
        free_at += 1
    return f"{adviser.name} has a booking until {clock_said(_wall(free_at, tz))}"


def _wall(unit: int, tz: tzinfo) -> datetime:
    """The local time a 5-minute unit starts."""
    return (EPOCH + timedelta(minutes=UNIT_MINUTES * unit)).astimezone(tz)
