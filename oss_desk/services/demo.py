"""The demo: the demo site with a few weeks of believable history and a live queue.

History is made by driving the real queue services with a simulated clock (so every figure in
the reports comes from real events), inside one transaction so that it takes a second or so.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from oss_desk.clock import FixedClock
from oss_desk.domain.calendar import zone
from oss_desk.domain.models import Actor, DeskKind, EventKind, Outcome, TicketStatus
from oss_desk.domain.slots import Slot
from oss_desk.errors import OssDeskError
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.demo_appointments import (
    DayBookings,
    Deliver,
    Opening,
    ahead_booked_at,
    book_ahead,
    book_day,
    greeter_of,
    worker_pass,
)
from oss_desk.services.demo_followups import populate_followups
from oss_desk.services.events import record_event
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.closing import Outcomes
from oss_desk.services.queue.day_end import close_due, due_days
from oss_desk.services.ratings import Ratings
from oss_desk.services.reports import COMPARE_WEEKS
from oss_desk.services.session import Session
from oss_desk.storage.queue import active_tickets, anyone_waiting

if TYPE_CHECKING:
    from oss_desk.config import Settings

K = TypeVar("K")

# Share of arrivals per service (the demo's catalogue) and of outcomes.
SERVICE_MIX = {"C": 30, "B": 22, "H": 14, "W": 10, "T": 12, "Q": 12}
OUTCOME_MIX = {
    Outcome.RESOLVED: 70,
    Outcome.SIGNPOSTED: 9,
    Outcome.REFERRED: 10,
    Outcome.APPOINTMENT: 7,
    Outcome.CALLBACK: 4,
}
# Relative arrivals per opening hour (busy late morning, quiet lunch and late afternoon).
HOUR_PROFILE = {9: 14, 10: 16, 11: 15, 12: 10, 13: 11, 14: 13, 15: 12, 16: 9}
SIGNPOSTED_TO = {"county": 40, "citizens-advice": 25, "dwp": 20, "nhs": 10, "other": 5}
RATING_MIX: dict[int | None, int] = {5: 45, 4: 30, 3: 12, 2: 5, 1: 3, None: 5}
COMMENTS = (
    "Very helpful, thank you.",
    "The wait was longer than I hoped.",
    "Friendly and quick.",
    "I was told exactly what to bring next time.",
)
NEEDS = [
    "wheelchair",
    "hearing-loop",
    "large-print",
    "interpreter:polish",
    "bsl",
    "collect-in-person",
]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    days: int
    visits: int
    waiting_now: int
    appointments: int = 0
    booked_at: datetime | None = None
    """When the appointments were booked (their confirmations were sent then)."""
    arranged_at: tuple[datetime, ...] = ()
    """When each appointment arranged at a desk was booked (its confirmation was sent then)."""
    closed_now: str | None = None
    """Why nobody is waiting: the office is closed now (``a Saturday``, ``a bank holiday
    (Christmas Day)``, ``outside the opening hours 09:00-17:00``: the words of
    :func:`oss_desk.domain.workdays.closed_now`); None while it is open."""
    open_day: datetime | None = None
    """While it is closed: late morning of its last opening day, an instant to build the demo
    as of (``OSS_DESK_NOW``) to see an open day."""


def populate(
    session: Session,
    *,
    days: int | None = None,
    visitors_per_day: int = 120,
    waiting: int = 6,
    seed: int = 20261122,
    deliver: Deliver | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Simulate the last ``days`` opening days (None: every one of the :data:`COMPARE_WEEKS`
    weeks before today, so that the daily report's and the F6 chart's same weekday in the weeks
    before are days of the demo's, never days before its history began) and today up to now,
    leaving its live queue.
    ``deliver``: the worker's pass over the messages due, run when the past days' appointment
    messages fell due (without it they are left for the worker). ``progress``: told the days
    simulated so far and how many there are, before the first and after each (the build takes
    a while: its command says how far it is)."""
    real_now = session.clock.now()
    site = session.site()
    tz = zone(site.timezone)
    rng = random.Random(seed)
    opening = Opening.of(next(s for s in session.settings.sites if s.id == site.id))
    clock = FixedClock(real_now)
    sim = dataclasses.replace(session, clock=clock)
    today = real_now.astimezone(tz).date()
    past: list[date] = []
    day = today - timedelta(days=1)
    first = today - timedelta(weeks=COMPARE_WEEKS)
    while (
        day >= first
        if days is None
        else len(past) < days and day > today - timedelta(days=days * 3)
    ):
        if opening.on(day) is not None:
            past.append(day)
        day -= timedelta(days=1)
    visits = 0
    arranging = Arranging(sim, rng, today)
    # The demo office's records begin on one day, its first of history: nothing it holds
    # (a booking, a follow-up, a message) is from before that day's opening.
    first_day = past[-1] if past else today
    first_hours = opening.on(first_day)
    since = datetime.combine(first_day, first_hours.opens if first_hours else time.min, tz)
    simulate = partial(_simulate, sim, clock, rng, arranging=arranging)
    with session.store.write():
        for done, d in enumerate(reversed(past)):
            if progress is not None:
                progress(done, len(past))
            hours = opening.on(d)
            assert hours is not None
            start = datetime.combine(d, hours.opens, tz)
            end = datetime.combine(d, hours.closes, tz)
            weekday_factor = 1.25 if d.weekday() == 0 else 1.0
            busy = weekday_factor * rng.uniform(0.85, 1.15)  # no two days alike
            booked = book_day(sim, clock, rng, d, opening, since=since, deliver=deliver)
            visits += simulate(start, end, int(visitors_per_day * busy), bookings=booked)
            worker_pass(sim, clock, end + timedelta(minutes=1), deliver)
        if progress is not None:
            progress(len(past), len(past))
        hours = opening.on(today)
        local_now = real_now.astimezone(tz)
        closed_now = opening.closed(local_now)
        if hours is not None and local_now.time() > hours.opens:
            start = datetime.combine(today, hours.opens, tz)
            end = min(local_now, datetime.combine(today, hours.closes, tz))
            share = (end - start) / (datetime.combine(today, hours.closes, tz) - start)
            booked = book_day(
                sim, clock, rng, today, opening, since=since, until=end, deliver=deliver
            )
            visits += simulate(
                start,
                end,
                int(visitors_per_day * share),
                day_over=closed_now is not None,  # after closing: everyone has gone home
                bookings=booked,
                rush=waiting if closed_now is None else 0,  # residents wait only while open
            )
            if closed_now is not None:  # the worker closed the day at closing time
                clock.set(end + timedelta(minutes=1))
                close_due(sim, Actor(person="worker"))
        clock.set(real_now)
        ahead = book_ahead(sim, clock, rng, real_now, since)
        populate_followups(sim, clock, rng, since, real_now)
        record_event(
            session.store.conn,
            None,
            real_now,
            EventKind.DEMO_BUILT,
            Actor(person="demo"),
            data={"days": len(past), "visits": visits},
        )
    return DemoSummary(
        days=len(past),
        visits=visits,
        waiting_now=waiting_in_queue(session, site.id),
        appointments=ahead + arranging.booked,
        booked_at=ahead_booked_at(opening, tz, real_now, since),
        arranged_at=tuple(arranging.booked_at),
        closed_now=closed_now,
        open_day=open_day_to_show(opening, local_now),
    )


def open_day_to_show(opening: Opening, local_now: datetime) -> datetime | None:
    """While the office is closed at ``local_now`` (its local time, aware): 11:00 on its last
    opening day (today's, once it has closed), the instant to show the demo as of, so that
    residents are waiting; None while it is open (or no opening day in the last 3 weeks)."""
    if opening.closed(local_now) is None:
        return None
    day = local_now.date()
    hours = opening.on(day)
    if hours is None or local_now.time() < hours.closes:
        day -= timedelta(days=1)
        while opening.on(day) is None:
            day -= timedelta(days=1)
            if day < local_now.date() - timedelta(days=21):
                return None
    return datetime.combine(day, time(11, 0), local_now.tzinfo).astimezone(UTC)


def shown_instead(settings: Settings, now: datetime) -> datetime | None:
    """The instant ``oss-desk demo`` opens its office as of while the (first) demo office is
    closed at ``now``: :func:`open_day_to_show`; None while it is open."""
    site = settings.sites[0]
    return open_day_to_show(Opening.of(site), now.astimezone(zone(site.timezone)))


def waiting_in_queue(session: Session, site_id: str) -> int:
    """The residents waiting in the live queue, as ``oss-desk queue`` and the desks show it
    (asked of the same service): the demo's ready message says this number."""
    entries = QueueService(session, Actor(person="demo")).queue(site_id)
    return sum(1 for e in entries if e.position is not None)


def _as(session: Session, desk_id: str | None) -> QueueService:
    person = "demo"
    if desk_id is not None:
        desk = next((d for d in session.settings.desks if d.id == desk_id), None)
        person = desk.person if desk and desk.person else "demo"
    return QueueService(dataclasses.replace(session, actor=Actor(person=person, desk_id=desk_id)))


def _pick(rng: random.Random, weights: Mapping[K, int]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _simulate(
    session: Session,
    clock: FixedClock,
    rng: random.Random,
    start: datetime,
    end: datetime,
    visitors: int,
    *,
    day_over: bool = True,
    arranging: Arranging | None = None,
    bookings: DayBookings | None = None,
    rush: int = 0,
) -> int:
    """Minute by minute: arrivals at meet-and-greet, desks logged in by the rota calling and
    serving (``day_over``: everyone logs out at the end; today they stay, each desk with its
    resident at the desk or free since a moment ago, having called whoever was waiting); a visit
    that needs an appointment books it (``arranging``); the day's appointments checked in as
    their residents come, the missed ones marked by the worker (``bookings``). ``rush``: the
    residents to leave waiting at the end (today's, now): in its last :data:`RUSH_MINUTES` more
    residents come than the desks on duty can call, and those still waiting at the end are
    the queue the demo opens on, the advisers all busy with the ones before them."""
    greet = next(
        (d.id for d in session.directory.desks.values() if d.kind is DeskKind.MEET_AND_GREET),
        None,
    )
    callers = [
        d
        for d in session.directory.desks.values()
        if d.kind is not DeskKind.MEET_AND_GREET and d.site_id == session.site().id
    ]
    # Arrival minutes drawn from the hourly profile.
    total_minutes = int((end - start).total_seconds() // 60)
    if total_minutes <= 0:
        return 0
    minutes = []
    for _ in range(visitors):
        hour = _pick(rng, HOUR_PROFILE)
        minute = (hour - start.hour) * 60 + rng.randrange(60)
        if 0 <= minute < total_minutes:
            minutes.append(minute)
    minutes.sort()
    busy_until: dict[str, datetime] = {}
    serving: dict[str, tuple[int, Outcome | None]] = {}
    also: dict[int, dict[str, Outcome]] = {}  # services added to a visit at the desk
    free_at: dict[str, datetime] = {}
    started: dict[str, datetime] = {}  # when the resident called comes to the desk
    arrivals = 0
    index = 0
    greeter = _as(session, greet)
    checking_in = AppointmentService(dataclasses.replace(session, actor=greeter_of(session)))
    worker = AppointmentService(dataclasses.replace(session, actor=Actor(person="worker")))
    day = bookings or DayBookings(start)
    desk_services = {d.id: _as(session, d.id) for d in callers}
    on_duty: set[str] = set()
    for minute in range(total_minutes + 1):
        now = start + timedelta(minutes=minute)
        clock.set(now)
        # The desks first: a resident arriving this minute is called next minute at the soonest.
        for desk in callers:
            svc = desk_services[desk.id]
            on_shift = _staffed(desk.id, now, day) and (minute < total_minutes or not day_over)
            _follow_rota(svc, desk.id, on_duty, on_shift)
            if desk.id in serving and now >= busy_until[desk.id]:
                ticket_id, outcome = serving.pop(desk.id)
                if outcome is None:
                    svc.no_show(ticket_id)
                else:
                    _finish(svc, rng, ticket_id, outcome, also.pop(ticket_id, None), arranging)
                # Notes and wrap-up before the next call.
                free_at[desk.id] = now + timedelta(minutes=rng.choice((0, 1, 1, 2, 3)))
            if desk.id in serving and not day_over and now == started.get(desk.id):
                ticket_id, outcome = serving[desk.id]
                if outcome is not None:  # today's resident came to the desk: served now
                    svc.start(ticket_id)
            if (
                desk.id not in serving
                and (minute < total_minutes or not day_over)
                and _staffed(desk.id, now, day)
                and now >= free_at.get(desk.id, start)
            ):
                conn = session.store.conn
                if not anyone_waiting(conn) and not due_days(session, conn, now):
                    # Nobody waiting, and no day to close first: calling next would call
                    # nobody and change nothing (most minutes of a free desk). Not asked.
                    continue
                try:
                    called = svc.call_next(desk.id)
                except OssDeskError:
                    called = None
                if called is None:
                    continue
                if rng.random() < 0.04:
                    busy_until[desk.id] = now + timedelta(minutes=3)
                    serving[desk.id] = (called.id, None)
                    continue
                typical = session.settings.service(called.service)
                base = typical.typical_minutes if typical and typical.typical_minutes else 8
                duration = max(2.0, rng.gauss(base, base / 3))
                others = sorted(desk.services - {called.service})
                if others and rng.random() < 0.06:  # "and while I'm here, my bins..."
                    extra = rng.choice(others)
                    svc.add_service(called.id, extra)
                    also[called.id] = {extra: _outcome(session, rng, extra)}
                    duration += 3
                busy_until[desk.id] = now + timedelta(minutes=duration)
                serving[desk.id] = (called.id, _outcome(session, rng, called.service))
                started[desk.id] = now + timedelta(minutes=1)
        for ref in day.arrivals.get(minute, ()):
            checking_in.arrive(ref, print_ticket=False)  # as the walk-ins': not printed
            arrivals += 1
        if minute in day.missed:
            worker.auto_no_show()
        while index < len(minutes) and minutes[index] == minute:
            index += 1
            arrivals += 1
            _walk_in(greeter, rng)
        rushed = minute - (total_minutes - RUSH_MINUTES)
        if rush and rushed >= 0:  # the queue grows to ``rush`` by the end
            due = -(-rush * (rushed + 1) // (RUSH_MINUTES + 1))
            for _ in range(3 * rush):
                if _waiting(session) >= due:
                    break
                arrivals += 1
                _walk_in(greeter, rng)
    # Close the day: finish what is at the desks (a day still going leaves them there).
    clock.set(end)
    for desk_id, (ticket_id, outcome) in serving.items() if day_over else ():
        svc = desk_services[desk_id]
        if outcome is None:
            svc.no_show(ticket_id)
        else:
            _finish(svc, rng, ticket_id, outcome, also.pop(ticket_id, None), arranging)
    for minute in sorted(m for m in day.missed if m > total_minutes):
        clock.set(start + timedelta(minutes=minute))  # the worker runs after closing too
        worker.auto_no_show()
    if day_over:
        for desk_id in list(on_duty):
            _follow_rota(desk_services[desk_id], desk_id, on_duty, staffed=False)
    return arrivals


RUSH_MINUTES = 15
"""The last minutes of the demo's day so far in which its queue builds up (its oldest resident
waiting now has waited about this long)."""


def _walk_in(greeter: QueueService, rng: random.Random) -> None:
    """A resident arrives at meet-and-greet: a ticket, or dealt with there and then."""
    service = _pick(rng, SERVICE_MIX)
    needs = [rng.choice(NEEDS)] if rng.random() < 0.06 else None
    repeat = rng.random() < 0.06
    if rng.random() < 0.15 and service in ("W", "Q", "C"):
        resolution = rng.choice([Outcome.RESOLVED] * 8 + [Outcome.SIGNPOSTED] * 2)
        greeter.quick_visit(
            service,
            resolution,
            needs=needs,
            repeat=repeat,
            signposted_to=_pick(rng, SIGNPOSTED_TO) if resolution is Outcome.SIGNPOSTED else None,
            avoidable=rng.random() < 0.2,
        )
    else:
        greeter.issue(
            service,
            needs=needs,
            print_ticket=False,
            urgent=rng.random() < 0.02,
            repeat=repeat,
        )


def _waiting(session: Session) -> int:
    """Residents waiting in today's queue (at the simulated time)."""
    site = session.site()
    day = session.today(site)
    tickets = active_tickets(session.store.conn, site_id=site.id, business_day=day)
    return sum(1 for t in tickets if t.status is TicketStatus.WAITING)


def _follow_rota(svc: QueueService, desk_id: str, on_duty: set[str], staffed: bool) -> None:
    """The desk's person logs in when their shift starts and out when it ends (once their
    resident has gone)."""
    try:
        if staffed and desk_id not in on_duty:
            svc.log_in(desk_id)
            on_duty.add(desk_id)
        elif not staffed and desk_id in on_duty and svc.current_ticket(desk_id) is None:
            svc.log_out(desk_id)
            on_duty.discard(desk_id)
    except OssDeskError:
        pass  # a demo rota: a refusal here changes nothing that matters


def _outcome(session: Session, rng: random.Random, service: str) -> Outcome:
    """How a service of a visit ends: "needs an appointment" only for a service that takes
    appointments (one is booked: :class:`Arranging`); a walk-in-only one is resolved instead."""
    outcome = _pick(rng, OUTCOME_MIX)
    found = session.settings.service(service)
    if outcome is Outcome.APPOINTMENT and not (found and found.appointment_minutes):
        return Outcome.RESOLVED
    return outcome


class Arranging:
    """Appointments arranged at the desks of the simulated days: a visit finished "needs an
    appointment" books one there and then, as the desk's booking dialog does (counted as
    arranged in that visit), in a free slot of the two weeks after ``today`` (so every booking
    is still ahead: none in the past is left neither kept nor missed)."""

    def __init__(self, session: Session, rng: random.Random, today: date) -> None:
        self.session = session
        self.rng = rng
        self.first_day = today + timedelta(days=1)
        self.free: dict[str, list[Slot]] = {}
        self.booked = 0
        self.booked_at: list[datetime] = []
        """When each was booked (a worker sent its confirmation a moment later)."""

    def book(self, svc: QueueService, service: str, visit_id: int) -> None:
        booker = AppointmentService(svc.s, svc.actor)
        free = self.free.get(service)
        if free is None:
            free = self.free[service] = booker.slots(service, self.first_day, 14)
        while free:
            slot = free.pop(self.rng.randrange(len(free)))
            n = self.booked + 1
            try:
                booker.book(
                    service,
                    slot.start,
                    channel="email",
                    name=f"Demo Resident A{n}",
                    email=f"arranged{n}@example.org",
                    adviser=slot.adviser,
                    arranged_in_visit=visit_id,
                )
            except OssDeskError:
                continue  # it overlaps one booked a moment ago: the next free one
            self.booked += 1
            self.booked_at.append(svc.s.clock.now())
            return


def _finish(
    svc: QueueService,
    rng: random.Random,
    ticket_id: int,
    outcome: Outcome,
    services: Outcomes | None = None,
    arranging: Arranging | None = None,
) -> None:
    """Finish with what the council counts, the appointment a visit that needs one books, and
    sometimes the resident's rating."""
    done = svc.finish(
        ticket_id,
        outcome,
        services,
        signposted_to=_pick(rng, SIGNPOSTED_TO) if outcome is Outcome.SIGNPOSTED else None,
        assisted_digital=rng.random() < 0.08,
        avoidable=rng.random() < 0.1,
    )
    needing = [
        code
        for code, ended in ((done.service, outcome), *(services or {}).items())
        if ended == Outcome.APPOINTMENT
    ]
    if needing and arranging is not None:
        arranging.book(svc, needing[0], done.visit_id)
    if rng.random() < 0.3:
        comment = rng.choice(COMMENTS) if rng.random() < 0.15 else None
        Ratings(svc.s, svc.actor).rate_visit(done.visit_id, _pick(rng, RATING_MIX), comment)


def _staffed(desk_id: str, now: datetime, day: DayBookings) -> bool:
    """A believable rota: two desks all day, a third outside lunch, the fourth at the peaks,
    and the interview room kept for its appointments and an hour of walk-ins in the afternoon;
    on a Monday, the busiest day, the fourth desk and the room are open all day but lunch."""
    hour = now.hour + now.minute / 60
    if desk_id in ("desk-1", "desk-2"):
        return True
    if desk_id == "desk-3":
        return not 12.5 <= hour < 13.5
    monday = now.weekday() == 0
    if desk_id == "desk-4":
        return not 13 <= hour < 14 if monday else 10 <= hour < 12 or 14 <= hour < 16
    if monday:
        return not 12 <= hour < 13
    return 14 <= hour < 15 or day.room_needed(now)
