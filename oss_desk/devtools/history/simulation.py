"""One office day after another: arrivals from an hourly profile, desks calling the next ticket
by the domain's call order, recalls, no-shows, transfers, and appointments booked beforehand and
checked in as priority tickets; written through a :class:`RowBuilder` in batches."""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from oss_desk.config import Settings
from oss_desk.devtools.history.bookings import RowBuilder
from oss_desk.devtools.history.plan import (
    HOUR_PROFILE,
    MONTH_FACTOR,
    NEEDS,
    OUTCOME_MIX,
    QUICK_SHARE,
    SERVICE_MIX,
    TRANSFER_TO,
    WEEKDAY_FACTOR,
    YEARLY_CHANGE,
    HistoryOptions,
    SitePlan,
    adviser_desks,
    site_plans,
)
from oss_desk.devtools.history.rows import (
    MINUTE_MS,
    AppointmentRec,
    SiteInfo,
    TicketRec,
    epoch_ms,
)
from oss_desk.domain.appointments import AppointmentStatus, new_reference, notice_breach
from oss_desk.domain.calendar import WEEKDAYS, hours_on, parse_hours, zone
from oss_desk.domain.queue import call_key, next_for
from oss_desk.domain.reminders import parse_schedule
from oss_desk.domain.workdays import WorkingDays
from oss_desk.storage import history as h

K = TypeVar("K")

ROOM_TAKES_WALK_INS_FROM = 6
"""The interview room calls walk-ins only when at least this many residents are waiting (the
person in the room is otherwise busy with appointments and back-office work)."""


def _pick(rng: random.Random, weights: Mapping[K, int]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


@dataclass(slots=True)
class _Desk:
    id: str
    person: str
    services: frozenset[str]
    private_room: bool
    shifts: list[tuple[float, float]]
    free: float = 0.0
    room: bool = False


class Simulation:
    """One office day after another, written through a :class:`RowBuilder`."""

    def __init__(self, settings: Settings, options: HistoryOptions, conn: Any, end: date) -> None:
        self.settings = settings
        self.options = options
        self.conn = conn
        self.rng = random.Random(options.seed)
        self.builder = RowBuilder(settings.queue.target_minutes * 60)
        ids = h.next_ids(conn)
        self.builder.next_visit, self.builder.next_ticket = ids["visits"], ids["tickets"]
        self.builder.next_appointment, self.builder.next_message = (
            ids["appointments"],
            ids["messages"],
        )
        self.builder.next_event = ids["events"]
        self.plans = site_plans(options.sites, options.visits_per_day)
        self.infos = {
            p.id: SiteInfo(p.id, s.timezone, p.greet_desk, p.greeter)
            for p, s in zip(self.plans, settings.sites, strict=True)
        }
        self.workdays = {
            s.id: WorkingDays.of(
                s.nation,
                s.closures,
                [
                    i
                    for i, n in enumerate(WEEKDAYS)
                    if parse_hours(s.opening_hours.get(n, "closed"))
                ],
            )
            for s in settings.sites
        }
        self.reminders = [parse_schedule(t) for t in settings.appointments.reminders]
        self.lengths = {s.code: s.appointment_minutes for s in settings.services}
        self.typical = {s.code: s.typical_minutes or 8.0 for s in settings.services}
        self.rooms = {
            d.id: frozenset(settings.desk_services(d)) for d in settings.desks if d.has_private_room
        }
        self.opening_days = 0
        self.began: dict[str, date] = {}  # each office's first day: its records begin then
        self.refs: set[str] = set()
        self.end_day = end
        self.last_day: date | None = None
        self.arranged: dict[tuple[str, str], list[_Arranged]] = {}
        """Appointments arranged at desks (a visit finished "needs an appointment"), by the
        (site, day) they are for: written with that day's own bookings (as those booked days
        before are), or at the end for days after the history."""

    # Helpers ------------------------------------------------------------------------------

    def _ref(self) -> str:
        while True:
            ref = new_reference(self.rng.choice)
            if ref not in self.refs:
                self.refs.add(ref)
                return ref

    def day(self, day: date) -> None:
        for plan in self.plans:
            config = next(s for s in self.settings.sites if s.id == plan.id)
            hours = hours_on(config.opening_hours, day)
            if hours is None or not self.workdays[plan.id].is_working_day(day):
                continue
            self.began.setdefault(plan.id, day)
            if plan is self.plans[0]:
                self.opening_days += 1
            self._site_day(
                plan,
                config.opening_hours,
                day,
                hours.opens.hour * 60 + hours.opens.minute,
                hours.closes.hour * 60 + hours.closes.minute,
            )
        self.last_day = day

    def flush(self) -> None:
        h.insert_rows(self.conn, self.builder.batches())

    def finish(self) -> None:
        """What is left (the appointments arranged for days after the history: still
        booked), and the day counters, in one last batch."""
        for (site_id, _day), arranged in sorted(self.arranged.items()):
            for spec in arranged:
                self._book_arranged(self.infos[site_id], spec)
        self.arranged.clear()
        batches = self.builder.batches()
        batches["ticket_counters"] = self.builder.counter_rows()
        h.insert_rows(self.conn, batches)

    def _factor(self, plan: SitePlan, day: date) -> float:
        years_back = (self.end_day - day).days / 365.25
        f = plan.share * WEEKDAY_FACTOR[day.weekday()] * MONTH_FACTOR[day.month]
        f *= (1 + YEARLY_CHANGE) ** (-years_back)
        if (
            not self.workdays[plan.id].is_working_day(day - timedelta(days=1))
            and day.weekday() != 0
        ):
            f *= 1.15  # the day after a bank holiday
        if day.weekday() == 0 and not self.workdays[plan.id].is_working_day(
            day - timedelta(days=3)
        ):
            f *= 1.1
        return float(f * max(0.6, self.rng.gauss(1.0, 0.1)))

    # One office day -----------------------------------------------------------------------

    def _site_day(
        self, plan: SitePlan, opening: dict[str, str], day: date, opens: int, closes: int
    ) -> None:
        rng = self.rng
        b = self.builder
        site = self.infos[plan.id]
        day_text = day.isoformat()
        base = b.at_local(site, day_text, 0)  # local midnight, epoch ms

        def at(minutes: float) -> int:
            return base + int(minutes * MINUTE_MS)

        expected = self.options.visits_per_day * self._factor(plan, day)
        walk_ins = max(0, round(rng.gauss(expected, math.sqrt(max(expected, 1)))))

        # Appointments of the day (booked days or weeks before).
        appointments = self._appointments(plan, site, day, opens, closes, expected)

        # Arrivals: walk-ins from the hourly profile, and check-ins around the appointment.
        hours = [hh for hh in HOUR_PROFILE if opens // 60 <= hh < math.ceil(closes / 60)]
        weights = [HOUR_PROFILE[hh] for hh in hours]
        arrivals: list[tuple[float, int, Any]] = []
        for n, hour in enumerate(rng.choices(hours, weights=weights, k=walk_ins)):
            minute = hour * 60 + rng.random() * 60
            if opens <= minute < closes:
                arrivals.append((minute, n, None))
        for n, appt in enumerate(appointments):
            if rng.random() < 0.07:
                continue  # a no-show: the worker marks it after the grace minutes
            start_min = (appt.start - base) / MINUTE_MS
            minute = (
                start_min - rng.uniform(0, 14)
                if rng.random() < 0.85
                else start_min + rng.uniform(0, 10)
            )
            arrivals.append((max(opens, minute), walk_ins + n, appt))
        arrivals.sort(key=lambda a: (a[0], a[1]))

        desks = self._desks(plan, opens, closes, adviser_desks(expected, 0.68))
        waiting: list[TicketRec] = []  # in call order
        patience: dict[int, float] = {}
        heap: list[tuple[float, int]] = [(d.free, i) for i, d in enumerate(desks)]
        heapq.heapify(heap)
        index = 0
        last_time: float = closes
        while heap:
            now, i = heapq.heappop(heap)
            desk = desks[i]
            # Everyone who has arrived by now is in the queue (or dealt with at the door).
            while index < len(arrivals) and arrivals[index][0] <= now:
                minute, _n, appt = arrivals[index]
                index += 1
                ticket = self._arrive(site, at(minute), appt)
                if ticket is not None:
                    bisect.insort(waiting, ticket, key=call_key)
                    patience[ticket.id] = minute + 20 + rng.expovariate(1 / 50)
            on_duty = self._on_duty(desk, now)
            if on_duty is None:
                continue  # this desk's day is over
            if on_duty > now:
                heapq.heappush(heap, (on_duty, i))
                continue
            chosen = self._next_for(desk, waiting)
            if chosen is None:
                upcoming = arrivals[index][0] if index < len(arrivals) else None
                if upcoming is not None:
                    heapq.heappush(heap, (max(upcoming, now + 0.25), i))
                elif waiting and any(d.free > now for d in desks if d is not desk):
                    heapq.heappush(heap, (now + 1, i))
                continue
            waiting.remove(chosen)
            called = now + rng.uniform(0.1, 0.7)
            b.call(site, chosen, at(called), desk.id, desk.person)
            wait = called - (chosen.queued_ms - base) / MINUTE_MS
            gone = chosen.appointment is None and (
                patience.get(chosen.id, 1e9) < called or rng.random() < 0.012
            )
            if gone:
                t = called
                for _ in range(rng.choice((1, 1, 2))):
                    t += rng.uniform(0.5, 1.2)
                    b.recall(site, chosen, at(t))
                t += rng.uniform(0.5, 1.5)
                b.no_show(site, chosen, at(t))
                desk.free = t
            else:
                t = called
                if rng.random() < 0.4:
                    t += rng.uniform(0.3, 1.2)
                    b.start(site, chosen, at(t))
                base_minutes = self.typical.get(chosen.service, 8.0)
                length = max(1.5, rng.lognormvariate(math.log(base_minutes), 0.4))
                if (
                    chosen.transferred_from is None
                    and chosen.appointment is None
                    and rng.random() < 0.03
                ):
                    t += min(length, rng.uniform(1.5, 4))
                    new = b.transfer(site, chosen, at(t), TRANSFER_TO[chosen.service])
                    bisect.insort(waiting, new, key=call_key)
                    patience[new.id] = t + 30
                else:
                    t += length
                    outcome = _pick(rng, OUTCOME_MIX)
                    if wait > 25 and outcome == "resolved" and rng.random() < 0.15:
                        outcome = "callback"
                    if outcome == "appointment" and not self._arrange(
                        plan, site, day, chosen, desk, at(t)
                    ):
                        outcome = "resolved"  # walk-in only, or no free time: no booking
                    b.finish(site, chosen, at(t), outcome)
                desk.free = t
            last_time = max(last_time, desk.free)
            heapq.heappush(heap, (desk.free + rng.uniform(0.1, 0.6), i))
        # Nobody left to call them: the team leader ends the day (in the order they came).
        for ticket in sorted(waiting, key=lambda t: t.id):
            b.cancel(site, ticket, at(last_time + 5), plan.leader, "end_of_day")
        for appt in appointments:
            if appt.record.status is AppointmentStatus.BOOKED:
                grace = self.settings.appointments.grace_minutes * MINUTE_MS
                b.appointment_no_show(site, appt, appt.start + grace + 20_000)

    def _arrange(
        self, plan: SitePlan, site: SiteInfo, day: date, ticket: TicketRec, desk: _Desk, ms: int
    ) -> bool:
        """The adviser books the appointment the visit needs (as the desk's booking dialog
        does: counted as arranged in the visit), a few working days ahead with an adviser who
        takes the service, in time nobody else holds; False when it cannot be (a walk-in-only
        service, or no free time found)."""
        rng = self.rng
        length = self.lengths.get(ticket.service)
        advisers = [a for a, services in plan.advisers if ticket.service in services]
        if not length or not advisers:
            return False
        config = next(s for s in self.settings.sites if s.id == plan.id)
        when = self.workdays[plan.id].add(day, rng.randint(2, 12))
        hours = hours_on(config.opening_hours, when)
        if hours is None:
            return False
        opens = hours.opens.hour * 60 + hours.opens.minute
        closes = hours.closes.hour * 60 + hours.closes.minute
        step = self.settings.appointments.step_minutes
        taken = self.arranged.setdefault((plan.id, when.isoformat()), [])
        base = self.builder.at_local(site, when.isoformat(), 0)
        for _ in range(6):
            adviser = rng.choice(advisers)
            minute = opens + step * rng.randrange(max(1, (closes - opens - length) // step))
            room = plan.room if ticket.service == "H" else None
            start = base + minute * MINUTE_MS
            end = start + length * MINUTE_MS
            if 12 * 60 + 30 <= minute < 13 * 60 + 30 or _clashes(taken, adviser, room, start, end):
                continue
            starts_at = datetime.fromtimestamp(start / 1000, UTC)
            due = [
                epoch_ms(rule.due(starts_at, site.timezone, self.workdays[plan.id]))
                for rule in self.reminders
            ]
            channel = "email" if rng.random() < 0.55 else "text"
            reminder = due[0] if due and due[0] > ms else None
            by = (desk.person, desk.id)
            taken.append(
                _Arranged(
                    ms,
                    ticket.service,
                    start,
                    end,
                    adviser,
                    room,
                    channel,
                    self._ref(),
                    reminder,
                    by,
                    ticket.visit_id,
                )
            )
            return True
        return False

    def _book_arranged(self, site: SiteInfo, spec: _Arranged) -> AppointmentRec:
        return self.builder.book(
            site,
            spec.booked,
            spec.service,
            spec.start,
            spec.end,
            adviser=spec.adviser,
            room=spec.room,
            channel=spec.channel,
            ref=spec.ref,
            reminder_due=spec.reminder_due,
            by=spec.by,
            arranged_in_visit=spec.visit_id,
        )

    def _arrive(self, site: SiteInfo, ms: int, appt: AppointmentRec | None) -> TicketRec | None:
        rng = self.rng
        b = self.builder
        if appt is not None:
            return b.check_in(site, appt, ms)
        service = _pick(rng, SERVICE_MIX)
        needs = [rng.choice(NEEDS)] if rng.random() < 0.05 else None
        if rng.random() < QUICK_SHARE[service]:
            outcome = "resolved" if rng.random() < 0.8 else "signposted"
            b.quick_visit(site, ms, service, outcome, needs)
            return None
        return b.issue(site, ms, service, needs=needs)

    def _desks(self, plan: SitePlan, opens: int, closes: int, wanted: int) -> list[_Desk]:
        rng = self.rng
        desks: list[_Desk] = []
        for n, (desk_id, person) in enumerate(plan.desks):
            if len(desks) >= wanted:
                break
            if rng.random() < 0.06:  # off sick, on leave or training: a busier day for the rest
                continue
            lunch = 12 * 60 + (n % 4) * 30 + rng.uniform(-5, 5)
            desks.append(
                _Desk(
                    desk_id,
                    person,
                    frozenset(SERVICE_MIX),
                    False,
                    [(opens, lunch), (lunch + 45, closes)],
                    free=opens + rng.uniform(0, 3),
                )
            )
        desks.append(
            _Desk(
                plan.room,
                plan.room_person,
                self.rooms.get(plan.room, frozenset()),
                True,
                [(opens, closes)],
                free=opens + rng.uniform(0, 3),
                room=True,
            )
        )
        return desks

    @staticmethod
    def _on_duty(desk: _Desk, now: float) -> float | None:
        """When the desk can next call: now, a later shift start, or None (its day is over;
        after closing a desk still on duty calls until the queue is empty)."""
        for start, end in desk.shifts:
            if now < start:
                return start
            if now < end:
                return now
        return now if now < desk.shifts[-1][1] + 240 else None

    @staticmethod
    def _next_for(desk: _Desk, waiting: list[TicketRec]) -> TicketRec | None:
        """What "call next" at the desk claims (``waiting`` is in call order); the room calls a
        walk-in only when the queue is long."""
        chosen = next_for(desk, waiting)
        if (
            desk.room
            and chosen is not None
            and chosen.assigned_desk is None
            and chosen.priority == 0
            and len(waiting) < ROOM_TAKES_WALK_INS_FROM
        ):
            return None
        return chosen

    def _appointments(
        self,
        plan: SitePlan,
        site: SiteInfo,
        day: date,
        opens: int,
        closes: int,
        expected: float,
    ) -> list[AppointmentRec]:
        """The day's appointments, each booked on an earlier working day, and what became of
        them before the day (cancelled) or at its start (no-show is decided at the end)."""
        rng = self.rng
        b = self.builder
        day_text = day.isoformat()
        base = b.at_local(site, day_text, 0)
        workdays = self.workdays[plan.id]
        share = min(0.6, 0.1 * expected / max(1, len(plan.advisers) * 40))
        room_busy: list[tuple[int, int]] = []
        result: list[AppointmentRec] = []
        step = self.settings.appointments.step_minutes
        arranged = self.arranged.pop((plan.id, day_text), [])
        for spec in arranged:  # arranged at desks days before: their time comes first
            appt = self._book_arranged(site, spec)
            b.send_reminder(site, appt)
            result.append(appt)
            if spec.room is not None:
                room_busy.append(((spec.start - base) // MINUTE_MS, (spec.end - base) // MINUTE_MS))
        for adviser, services in plan.advisers:
            minute = opens
            while minute < closes:
                service = rng.choice(services)
                length = self.lengths.get(service) or 30
                start = base + minute * MINUTE_MS
                if (
                    12 * 60 + 30 <= minute < 13 * 60 + 30
                    or minute + length > closes
                    or _clashes(arranged, adviser, None, start, start + length * MINUTE_MS)
                ):
                    minute += step
                    continue
                if rng.random() > share:
                    minute += step
                    continue
                room = None
                if service == "H":
                    if any(s < minute + length and minute < e for s, e in room_busy):
                        minute += step
                        continue
                    room = plan.room
                    room_busy.append((minute, minute + length))
                start = base + minute * MINUTE_MS
                end = start + length * MINUTE_MS
                ahead = rng.randint(1, 25)
                booked_day = max(workdays.add(day, -ahead), self.began[plan.id])  # none before
                latest = minute - 1 if booked_day == day else closes - 5  # booked before it starts
                booked_local = min(rng.uniform(opens + 5, closes - 5), latest)
                booked = b.at_local(site, booked_day.isoformat(), int(booked_local * MINUTE_MS))
                starts_at = datetime.fromtimestamp(start / 1000, UTC)
                due = [
                    epoch_ms(rule.due(starts_at, site.timezone, workdays))
                    for rule in self.reminders
                ]
                reminder = due[0] if due and due[0] > booked else None
                appt = b.book(
                    site,
                    booked,
                    service,
                    start,
                    end,
                    adviser=adviser,
                    room=room,
                    channel="email" if rng.random() < 0.55 else "text",
                    ref=self._ref(),
                    reminder_due=reminder,
                )
                self._fate(plan, site, appt, booked, day, opens, closes, booked_day)
                if appt.record.status is AppointmentStatus.BOOKED:
                    b.send_reminder(site, appt)
                    result.append(appt)
                minute += max(step, length)
        return result

    def _fate(
        self,
        plan: SitePlan,
        site: SiteInfo,
        appt: AppointmentRec,
        booked: int,
        day: date,
        opens: int,
        closes: int,
        booked_day: date,
    ) -> None:
        rng = self.rng
        roll = rng.random()
        if roll >= 0.11:
            return
        by = "resident" if roll < 0.08 else "council"
        workdays = self.workdays[plan.id]
        gap = workdays.between(booked_day, day)
        when_day = (
            workdays.add(booked_day, rng.randint(0, max(0, gap - 1))) if gap > 1 else booked_day
        )
        if by == "council" and rng.random() < 0.2:
            when_day = day  # short notice: an adviser off sick
        minute = rng.uniform(opens + 2, closes - 2) if when_day != day else opens - 10
        when = self.builder.at_local(site, when_day.isoformat(), int(minute * MINUTE_MS))
        if when <= booked:
            when = booked + 60_000
        if when >= appt.start:
            return
        wall = datetime.fromtimestamp(when / 1000, UTC).astimezone(zone(site.timezone))
        close_time = datetime.min.time().replace(hour=closes // 60, minute=closes % 60)
        notice = workdays.notice(wall.replace(tzinfo=None), day, close_time)
        breach = notice_breach(by, notice, self.settings.appointments.min_notice_working_days)
        actor, desk = site.greets if by == "resident" else (plan.leader, None)
        self.builder.send_reminder(site, appt, before=when)
        self.builder.cancel_appointment(
            site,
            appt,
            when,
            by=by,
            notice=notice,
            breach=breach,
            reason="Adviser unavailable" if breach else None,
            actor=actor,
            desk=desk,
        )


@dataclass(frozen=True, slots=True)
class _Arranged:
    """An appointment an adviser booked for a visit that needed one, waiting to be written
    with its day (:meth:`RowBuilder.book`'s arguments; instants in epoch ms)."""

    booked: int
    service: str
    start: int
    end: int
    adviser: str
    room: str | None
    channel: str
    ref: str
    reminder_due: int | None
    by: tuple[str, str | None]
    visit_id: int


def _clashes(booked: list[_Arranged], adviser: str, room: str | None, start: int, end: int) -> bool:
    """Whether ``start``..``end`` (epoch ms) overlaps one of ``booked`` with the same adviser
    or room."""
    return any(
        (a.adviser == adviser or (room is not None and a.room == room))
        and a.start < end
        and start < a.end
        for a in booked
    )
