"""The demo's appointments: those of its past days (booked days before, by telephone at
meet-and-greet; most kept on time, a few late, a few missed) and those of the next two weeks.

Made through the real appointment services with the simulated clock, as the live office makes
them: booked in a free slot, the confirmation and reminder sent by the worker when due (when the
demo is given one), checked in at meet-and-greet (a priority ticket to the adviser's desk or the
interview room), missed ones marked by the worker's ``auto_no_show`` after the grace minutes.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from oss_desk.clock import FixedClock, read_instant
from oss_desk.domain.calendar import Hours, zone
from oss_desk.domain.models import Actor, DeskKind, Role
from oss_desk.domain.slots import Slot
from oss_desk.domain.workdays import WorkingDays, closed_now, opening_on
from oss_desk.errors import OssDeskError
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.session import Session

if TYPE_CHECKING:
    from oss_desk.config import SiteConfig

BOOKED_DAYS_AGO = timedelta(days=5)
BOOKABLE = ("C", "B", "H", "T")
"""The demo's services that take appointments."""
PAST_SHARE = 0.12
"""The share of a past day's free slots that were booked: about ten appointments a day."""
# What became of a booked appointment (the history generator's shares): missed, or kept by a
# resident who came early (checking in up to 14 minutes before) or late (up to 10 minutes).
MISSED = 0.07
EARLY = 0.85
EARLY_MINUTES = 14
LATE_MINUTES = 10

Deliver = Callable[[Session], object]
"""The worker's pass over the messages due now (``MessageDelivery(session).deliver_due``)."""


@dataclass(frozen=True, slots=True)
class Opening:
    """When the demo office is open, asked of the one rule (:mod:`oss_desk.domain.workdays`:
    its opening hours, its local closures and its nation's bank holidays): the demo has no
    opening check of its own."""

    workdays: WorkingDays
    hours: Mapping[str, str]

    @classmethod
    def of(cls, site: SiteConfig) -> Opening:
        workdays = WorkingDays.for_office(site.nation, site.closures, site.opening_hours)
        return cls(workdays, dict(site.opening_hours))

    def on(self, day: date) -> Hours | None:
        """The office's hours on ``day``; None when it does not open then."""
        return opening_on(self.workdays, self.hours, day)

    def closed(self, local_now: datetime) -> str | None:
        """Why the office is closed at ``local_now`` (its wall-clock time); None while open."""
        return closed_now(self.workdays, self.hours, local_now)


@dataclass(slots=True)
class DayBookings:
    """One past day's appointments as its simulation meets them (minutes from opening)."""

    opens: datetime
    arrivals: dict[int, list[str]] = field(default_factory=dict)
    """Minute -> the references checking in then."""
    missed: list[int] = field(default_factory=list)
    """The minutes the worker marks a missed appointment (its start plus the grace minutes)."""
    room: list[tuple[datetime, datetime]] = field(default_factory=list)
    """When the interview room is needed: a few minutes before each of its appointments."""

    def room_needed(self, now: datetime) -> bool:
        return any(start <= now < end for start, end in self.room)


def _free_slots(
    session: Session, booker: AppointmentService, first_day: date, days: int
) -> Iterator[tuple[str, Slot]]:
    """The free slots of the demo's bookable services the office has, over ``days`` days from
    ``first_day``, service by service (asked for as they are met, so that each follows the
    bookings made from the ones before)."""
    for code in BOOKABLE:
        if code not in session.directory.services:
            continue
        try:
            slots = booker.slots(code, first_day, days)
        except OssDeskError:
            continue
        for slot in slots:
            yield code, slot


def greeter_of(session: Session) -> Actor:
    """Meet-and-greet's person at its desk: who books by telephone and checks residents in. A
    member of the demo office's staff (every change is someone's): the desk's person, else its
    first meet-and-greet, else its first member of staff."""
    desk = next(
        (d for d in session.settings.desks if d.kind is DeskKind.MEET_AND_GREET),
        None,
    )
    staff = session.settings.staff
    greeters = [s.id for s in staff if s.role is Role.MEET_AND_GREET] + [s.id for s in staff]
    person = (desk.person if desk else None) or (greeters[0] if greeters else "demo")
    return Actor(person=person, desk_id=desk.id if desk else None)


def ahead_booked_at(opening: Opening, tz: tzinfo, now: datetime, since: datetime) -> datetime:
    """When the demo's coming appointments were booked: about :data:`BOOKED_DAYS_AGO` before
    ``now``, in the opening hours of an opening day (the one before, when the office is closed
    that day; its closing minute at the latest), and not before ``since``, when the records
    begin."""
    local = (now - BOOKED_DAYS_AGO).astimezone(tz)
    day = local.date()
    hours = opening.on(day)
    for _ in range(366):
        if hours is not None:
            break
        day -= timedelta(days=1)
        hours = opening.on(day)
    if hours is None:  # an office that never opens: as before
        return max(now - BOOKED_DAYS_AGO, since)
    opens = datetime.combine(day, hours.opens, tz)
    closes = datetime.combine(day, hours.closes, tz) - timedelta(minutes=1)
    at = min(max(datetime.combine(day, local.timetz().replace(tzinfo=None), tz), opens), closes)
    return max(at, since)


def book_day(
    session: Session,
    clock: FixedClock,
    rng: random.Random,
    day: date,
    opening: Opening,
    *,
    since: datetime,
    until: datetime | None = None,
    deliver: Deliver | None = None,
) -> DayBookings:
    """Book a share of ``day``'s free slots, each on an opening day 2 to 12 days before, but
    not before ``since`` (when the demo office's records begin: it made no booking before its
    first day; only those starting 30 minutes before ``until``, for today), have the worker
    send their messages when due (``deliver``), and decide who comes when (or not)."""
    tz = zone(session.site().timezone)
    hours = opening.on(day)
    assert hours is not None
    opens = datetime.combine(day, hours.opens, tz)
    plan = DayBookings(opens)
    booker = AppointmentService(dataclasses.replace(session, actor=greeter_of(session)))
    grace = timedelta(minutes=session.settings.appointments.grace_minutes)
    wanted = []
    earliest = max(_booked_on(rng, day, 12, opening, tz), since)
    clock.set(earliest)
    for code, slot in _free_slots(session, booker, day, 1):
        if until is not None and slot.start > until - timedelta(minutes=30):
            continue
        if rng.random() < PAST_SHARE:
            wanted.append((_booked_on(rng, day, rng.randint(2, 12), opening, tz), code, slot))
    wanted.sort(key=lambda w: w[0])
    moments: set[datetime] = set()
    for n, (at, code, slot) in enumerate(wanted):
        clock.set(max(at, earliest))
        text = rng.random() >= 0.55
        try:
            appt = booker.book(
                code,
                slot.start,
                channel="text" if text else "email",
                name=f"Demo Resident P{n + 1}",
                email=None if text else f"booked{n + 1}@example.org",
                phone=f"07700 901{n % 1000:03d}" if text else None,
                adviser=slot.adviser,
            )
        except OssDeskError:
            continue  # it overlaps one booked a moment ago: fine in a demo
        moments.update(
            read_instant(m.due_at) + timedelta(seconds=30)
            for m in booker.messages(appt)
            if m.status == "pending"
        )
        if slot.room is not None:
            plan.room.append((slot.start - timedelta(minutes=5), slot.end))
        if rng.random() < MISSED:
            plan.missed.append(_minute(opens, slot.start + grace) + 1)
            continue
        if rng.random() < EARLY:
            came = slot.start - timedelta(minutes=rng.uniform(0, EARLY_MINUTES))
        else:
            came = slot.start + timedelta(minutes=rng.uniform(1, LATE_MINUTES))
        plan.arrivals.setdefault(max(0, _minute(opens, came)), []).append(appt.ref)
    for moment in sorted(moments):
        worker_pass(session, clock, moment, deliver)
    return plan


def worker_pass(
    session: Session, clock: FixedClock, when: datetime, deliver: Deliver | None
) -> None:
    """The worker sends what is due at ``when`` (nothing without ``deliver``)."""
    if deliver is not None:
        clock.set(when)
        deliver(dataclasses.replace(session, actor=Actor(person="worker")))


def _minute(opens: datetime, when: datetime) -> int:
    return int((when - opens).total_seconds() // 60)


def _booked_on(
    rng: random.Random, day: date, days_before: int, opening: Opening, tz: tzinfo
) -> datetime:
    """A moment in the opening hours of the opening day ``days_before`` days before ``day``
    (or the one before that, when the office is closed then)."""
    booked = day - timedelta(days=days_before)
    hours = opening.on(booked)
    while hours is None:
        booked -= timedelta(days=1)
        hours = opening.on(booked)
    opened = datetime.combine(booked, hours.opens, tz)
    span = datetime.combine(booked, hours.closes, tz) - opened
    return opened + span * rng.uniform(0.05, 0.95)


def book_ahead(
    session: Session, clock: FixedClock, rng: random.Random, now: datetime, since: datetime
) -> int:
    """About a fifth of the slots of the next two weeks, booked a few days ago (not before
    ``since``, when the records begin); whoever is due in the next 20 minutes has checked in
    already."""
    site = session.site()
    tz = zone(site.timezone)
    booker = AppointmentService(dataclasses.replace(session, actor=greeter_of(session)))
    today = now.astimezone(tz).date()
    opening = Opening.of(next(s for s in session.settings.sites if s.id == site.id))
    clock.set(ahead_booked_at(opening, tz, now, since))
    booked: list[tuple[datetime, str]] = []
    for code, slot in _free_slots(session, booker, today, 14):
        if slot.start <= now or rng.random() > 0.2:
            continue
        n = len(booked)
        channel = ("email", "text", "email", "slip")[n % 4]
        try:
            appt = booker.book(
                code,
                slot.start,
                channel=channel,
                name=f"Demo Resident {n + 1}",
                email=f"resident{n + 1}@example.org" if channel == "email" else None,
                phone=f"07700 900{n % 1000:03d}" if channel == "text" else None,
                adviser=slot.adviser,
            )
        except OssDeskError:
            continue  # it overlaps one booked a moment ago: fine in a demo
        booked.append((appt.starts_at, appt.ref))
    clock.set(now)
    for start, ref in booked:
        if start <= now + timedelta(minutes=20):
            booker.arrive(ref, print_ticket=False)  # as the demo's walk-ins: not printed
    return len(booked)
