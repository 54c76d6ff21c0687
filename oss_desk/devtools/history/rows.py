"""The rows the queue's use cases write, made in memory for bulk insertion.

Every method of :class:`QueueRows` mirrors one use case of
:class:`~oss_desk.services.queue.QueueService` and writes the same rows (``tests/test_history.py``
runs one scripted day both ways and compares them); the columns are those of
:mod:`oss_desk.storage.history`, which inserts the batches. Instants are UTC epoch milliseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from oss_desk.domain.appointments import (
    Appointment,
    TicketEnd,
    ticket_end,
    when_served,
    when_ticket_ends,
)
from oss_desk.domain.calendar import zone
from oss_desk.domain.epoch import from_epoch_ms
from oss_desk.domain.needs import needs_private_room, requirements
from oss_desk.domain.standards import (
    CONTACT_EVENTS,
    LoggedEvent,
    VisitEnd,
    VisitFacts,
    classify_visit,
    contact_times,
    is_first_contact,
    missed_walk_out,
)
from oss_desk.domain.wait_target import within_target
from oss_desk.storage.events import encode_event_data
from oss_desk.storage.history import TICKET_COLUMNS, VISIT_COLUMNS

MINUTE_MS = 60_000
DAY_MS = 86_400_000
QUARTER_MS = 900_000


def _index(columns: str) -> dict[str, int]:
    return {name: n for n, name in enumerate(columns.split(", "))}


_V = _index(VISIT_COLUMNS)
_T = _index(TICKET_COLUMNS)
V_STATUS, V_OUTCOME, V_FINISHED = _V["status"], _V["outcome"], _V["finished_at"]
T_STATUS, T_DESK, T_CALLED = _T["status"], _T["desk_id"], _T["called_at"]
T_SERVING, T_FINISHED, T_OUTCOME = _T["serving_at"], _T["finished_at"], _T["outcome"]
T_RECALLS, T_PASSED = _T["recalls"], _T["passed_over_by"]


_PREFIX: dict[int, str] = {}
_CONTACT_EVENTS = frozenset(CONTACT_EVENTS)


def instant(ms: int) -> str:
    """:func:`oss_desk.clock.format_instant` of a UTC instant in epoch milliseconds (fast)."""
    day, rest = divmod(ms, DAY_MS)
    prefix = _PREFIX.get(day)
    if prefix is None:
        prefix = _PREFIX[day] = (date(1970, 1, 1) + timedelta(days=day)).isoformat()
    seconds, milli = divmod(rest, 1000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{prefix}T{hours:02d}:{minutes:02d}:{seconds:02d}.{milli:03d}Z"


def epoch_ms(when: datetime) -> int:
    return round(when.timestamp() * 1000)


moment = from_epoch_ms
"""The UTC instant of epoch milliseconds (exact: :func:`epoch_ms` reads it back)."""


By = tuple[str, str | None]
"""Who did something: (person, desk)."""


class About(NamedTuple):
    """What an event is about: its visit, ticket and service columns."""

    visit: int | None = None
    ticket: int | None = None
    service: str | None = None


class Joins(NamedTuple):
    """What a ticket takes from its visit's arrival (a transfer's new ticket too)."""

    visit_id: int
    day: str
    hour: int
    queued_ms: int
    priority: int
    needs: str
    needs_private_room: bool
    channel: str


@dataclass(slots=True)
class TicketRec:
    """A ticket as the simulation follows it (the fields the call order reads among them:
    it is a :class:`oss_desk.domain.queue.Queued`)."""

    id: int
    service: str
    number: int
    joins: Joins
    assigned_desk: str | None = None
    transferred_from: int | None = None
    desk: str | None = None
    person: str | None = None
    called: int | None = None
    serving: int | None = None
    recalls: int = 0
    appointment: AppointmentRec | None = None
    visit_id: int = field(init=False)
    day: str = field(init=False)
    priority: int = field(init=False)
    queued_ms: int = field(init=False)
    needs_private_room: bool = field(init=False)
    assigned_person: str | None = None
    requires: frozenset[str] = frozenset()
    parked: bool = False
    passed_over_by: str | None = None

    def __post_init__(self) -> None:
        j = self.joins
        self.visit_id, self.day, self.priority = j.visit_id, j.day, j.priority
        self.queued_ms, self.needs_private_room = j.queued_ms, j.needs_private_room


@dataclass(slots=True)
class AppointmentRec:
    """An appointment as the simulation follows it: the domain's record as it stands now
    (replaced at each step, as the services store a new version), and what its row holds
    beyond that record: who booked it and when it was cancelled (epoch ms)."""

    record: Appointment
    booked_by: str
    cancelled_ms: int | None = None

    @property
    def start(self) -> int:
        """Its start (epoch ms)."""
        return epoch_ms(self.record.starts_at)


@dataclass(slots=True)
class DayFigures:
    """The generator's own count of a site's day, to check the reports against."""

    visits: int = 0
    no_shows: int = 0
    seen: int = 0
    seen_within_target: int = 0
    walked_out_after_target: int = 0
    left_before_target: int = 0
    closed_unseen: int = 0
    finished: int = 0
    finished_first_contact: int = 0
    quick_visits: int = 0
    by_hour: dict[int, int] = field(default_factory=dict)
    by_service: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    seen_waits_ms: list[int] = field(default_factory=list)
    """The wait of each visitor seen (for percentiles checked against the raw waits)."""


@dataclass(slots=True)
class _Open:
    """A visit not ended yet: what its 15-minute figure will need."""

    arrived: int
    site_id: str
    day: str
    booked: int | None = None
    events: list[LoggedEvent] = field(default_factory=list)
    """Its tickets' events the contact rule reads (:func:`contact_times`), in log order."""


@dataclass(frozen=True, slots=True)
class SiteInfo:
    id: str
    timezone: str
    greet_desk: str
    greeter: str

    @property
    def greets(self) -> By:
        """Meet-and-greet: who the arrivals, quick visits and bookings are by."""
        return (self.greeter, self.greet_desk)


class QueueRows:
    """The rows of the queue's use cases, appended to in-memory batches (see
    :meth:`batches`), with the generator's own count of each day's figures."""

    def __init__(self, target_seconds: int = 900) -> None:
        self.next_visit = self.next_ticket = self.next_appointment = 1
        self.next_message = self.next_event = 1
        self.target_ms = target_seconds * 1000
        self.offsets: dict[tuple[str, str], int] = {}
        self._wall: dict[tuple[str, int], tuple[str, int]] = {}
        self._units: dict[int, list[tuple[str, int, int]]] = {}
        self.figures: dict[tuple[str, str], DayFigures] = {}
        self.counters: dict[tuple[str, str, str], int] = {}
        self._open: dict[int, _Open] = {}
        self.reset()

    def reset(self) -> None:
        self.visits: dict[int, list[Any]] = {}
        self.tickets: dict[int, list[Any]] = {}
        self.passed: dict[str, list[TicketRec]] = {}  # by the desk whose next call does
        self.events: list[tuple[Any, ...]] = []
        self.appointments: list[AppointmentRec] = []
        self.contacts: list[tuple[Any, ...]] = []
        self.messages: list[list[Any]] = []

    # Time -------------------------------------------------------------------------------

    def offset(self, site: SiteInfo, day: str) -> int:
        """The site's UTC offset in ms at noon of ``day`` (opening hours never span a change)."""
        key = (site.timezone, day)
        found = self.offsets.get(key)
        if found is None:
            noon = datetime.combine(date.fromisoformat(day), datetime.min.time()).replace(hour=12)
            delta = noon.replace(tzinfo=zone(site.timezone)).utcoffset() or timedelta(0)
            found = self.offsets[key] = int(delta.total_seconds() * 1000)
        return found

    def at_local(self, site: SiteInfo, day: str, local_ms: int) -> int:
        """The instant (epoch ms) of ``local_ms`` after local midnight of ``day``."""
        midnight = (date.fromisoformat(day) - date(1970, 1, 1)).days * DAY_MS
        return midnight + local_ms - self.offset(site, day)

    def _where(self, site: SiteInfo, ms: int) -> tuple[str, int]:
        """(business day, local hour) of an instant at the site, exact across clock changes
        (offsets change on quarter hours, so one look-up per quarter hour)."""
        key = (site.timezone, ms // QUARTER_MS)
        found = self._wall.get(key)
        if found is None:
            wall = datetime.fromtimestamp(key[1] * QUARTER_MS / 1000, zone(site.timezone))
            found = self._wall[key] = (wall.date().isoformat(), wall.hour)
        return found

    # Events -----------------------------------------------------------------------------

    def event(
        self,
        site: SiteInfo | None,
        ms: int,
        kind: str,
        by: By,
        about: About,
        *,
        outcome: str | None = None,
        data: str = "{}",
        appointment: int | None = None,
    ) -> None:
        """One event, in the columns of :data:`oss_desk.storage.history.EVENT_COLUMNS` (its id
        is given in :meth:`batches`)."""
        actor, desk = by
        if site is None:
            day, hour, site_id = None, None, None
        else:
            day, hour = self._where(site, ms)
            site_id = site.id
        self.events.append(
            (
                instant(ms),
                day,
                hour,
                site_id,
                kind,
                actor,
                desk,
                *about,
                outcome,
                data,
                appointment,
            )
        )

    def _on(
        self,
        site: SiteInfo,
        ticket: TicketRec,
        ms: int,
        kind: str,
        data: str = "{}",
        *,
        by: By | None = None,
        outcome: str | None = None,
    ) -> None:
        """An event of ``ticket``, ``by`` (person, desk): default, its desk's."""
        who = by if by is not None else (ticket.person or "", ticket.desk)
        about = About(ticket.visit_id, ticket.id, ticket.service)
        self.event(site, ms, kind, who, about, outcome=outcome, data=data)
        if kind in _CONTACT_EVENTS:
            state = self._open.get(ticket.visit_id)
            if state is not None:
                state.events.append(LoggedEvent(kind, ticket.id, ms))

    # Figures ----------------------------------------------------------------------------

    def _figures(self, site_id: str, day: str) -> DayFigures:
        found = self.figures.get((site_id, day))
        if found is None:
            found = self.figures[site_id, day] = DayFigures()
        return found

    def _arrival_figures(
        self, site: SiteInfo, day: str, ms: int, visit_id: int, service: str
    ) -> int:
        figures = self._figures(site.id, day)
        hour = self._where(site, ms)[1]
        figures.visits += 1
        figures.by_hour[hour] = figures.by_hour.get(hour, 0) + 1
        figures.by_service[service] = figures.by_service.get(service, 0) + 1
        self._open[visit_id] = _Open(ms, site.id, day)
        return hour

    def booked(self, visit_id: int, start_ms: int) -> None:
        """The visit checked in for an appointment booked at ``start_ms``."""
        state = self._open.get(visit_id)
        if state is not None:
            state.booked = start_ms

    def _ended(
        self,
        visit_id: int,
        kind: str,
        ms: int,
        *,
        reason: str | None = None,
        quick: bool = False,
    ) -> None:
        """The visit ended: counted for the 15-minute figure by the domain's rules (its first
        call and first contact by the contact rule, from its tickets' events)."""
        state = self._open.pop(visit_id, None)
        if state is None:
            return
        first_call, seen = contact_times(state.events)
        end, wait = classify_visit(
            VisitFacts(
                arrived_ms=state.arrived,
                booked_ms=state.booked,
                seen_ms=ms if quick else seen,
                first_call_ms=first_call,
                ended=kind,
                ended_reason=reason,
                ended_ms=ms,
            )
        )
        figures = self._figures(state.site_id, state.day)
        if end is VisitEnd.SEEN:
            figures.seen += 1
            figures.seen_within_target += within_target(wait, self.target_ms)
            figures.seen_waits_ms.append(wait)
        elif end is VisitEnd.WALKED_OUT:
            if missed_walk_out(wait, self.target_ms):
                figures.walked_out_after_target += 1
            else:
                figures.left_before_target += 1
        elif end is VisitEnd.CLOSED:
            figures.closed_unseen += 1

    def _finished(self, site_id: str, day: str, outcome: str, quick: bool = False) -> None:
        figures = self._figures(site_id, day)
        figures.finished += 1
        if is_first_contact(outcome):
            figures.finished_first_contact += 1
        if quick:
            figures.quick_visits += 1
        figures.outcomes[outcome] = figures.outcomes.get(outcome, 0) + 1

    # Arrivals and tickets ---------------------------------------------------------------

    def _arrival(
        self, site: SiteInfo, ms: int, service: str, channel: str, needs: list[str]
    ) -> tuple[str, int, int, str]:
        """The visit and its ``arrived`` event: (business day, visit id, local hour, needs)."""
        day = self._where(site, ms)[0]
        needs_text = json.dumps(needs)
        visit_id = self.next_visit
        self.next_visit += 1
        self.visits[visit_id] = [
            visit_id,
            site.id,
            day,
            instant(ms),
            channel,
            needs_text,
            "open",
            None,
            None,
        ]
        hour = self._arrival_figures(site, day, ms, visit_id, service)
        arrived = (
            encode_event_data({"channel": channel, "needs": needs})
            if needs or channel != "walk_in"
            else '{"channel":"walk_in"}'
        )
        self.event(site, ms, "arrived", site.greets, About(visit_id, service=service), data=arrived)
        return day, visit_id, hour, needs_text

    def _ticket(
        self,
        site: SiteInfo,
        service: str,
        issued: int,
        joins: Joins,
        assigned: str | None = None,
        transferred_from: int | None = None,
    ) -> TicketRec:
        """The service's next number of the day at the site, and the ticket."""
        key = (site.id, service, joins.day)
        number = self.counters[key] = self.counters.get(key, 0) + 1
        ticket = TicketRec(self.next_ticket, service, number, joins, assigned, transferred_from)
        self.next_ticket += 1
        self.tickets[ticket.id] = [
            ticket.id,
            joins.visit_id,
            site.id,
            service,
            joins.day,
            number,
            "waiting",
            joins.priority,
            int(joins.needs_private_room),
            joins.needs,
            joins.channel,
            instant(joins.queued_ms),
            instant(issued),
            assigned,
            None,
            None,
            None,
            None,
            None,
            0,
            transferred_from,
            None,
            json.dumps(sorted(requirements(json.loads(joins.needs)))),
            None,
        ]
        return ticket

    # The queue's use cases --------------------------------------------------------------

    def issue(
        self,
        site: SiteInfo,
        ms: int,
        service: str,
        *,
        needs: list[str] | None = None,
        priority: int = 0,
        channel: str = "walk_in",
        assigned: str | None = None,
    ) -> TicketRec:
        """``QueueService.issue`` at meet-and-greet: the arrival and its ticket."""
        need_list = sorted(needs or [])
        day, visit_id, hour, needs_text = self._arrival(site, ms, service, channel, need_list)
        private = needs_private_room(need_list)
        joins = Joins(visit_id, day, hour, ms, priority, needs_text, private, channel)
        ticket = self._ticket(site, service, ms, joins, assigned)
        issued = (
            f'{{"number":{ticket.number},"priority":{priority}}}'
            if priority
            else f'{{"number":{ticket.number}}}'
        )
        self._on(site, ticket, ms, "ticket_issued", issued, by=site.greets)
        return ticket

    def quick_visit(
        self, site: SiteInfo, ms: int, service: str, outcome: str, needs: list[str] | None = None
    ) -> int:
        """``QueueService.quick_visit``: dealt with at meet-and-greet, no ticket."""
        day, visit_id, _hour, _needs = self._arrival(
            site, ms, service, "walk_in", sorted(needs or [])
        )
        row = self.visits[visit_id]
        row[V_STATUS], row[V_OUTCOME], row[V_FINISHED] = "done", outcome, instant(ms)
        about, data = About(visit_id, service=service), '{"at":"meet-and-greet"}'
        self.event(site, ms, "finished", site.greets, about, outcome=outcome, data=data)
        self._ended(visit_id, "finished", ms, quick=True)
        self._finished(site.id, day, outcome, quick=True)
        return visit_id

    def call(self, site: SiteInfo, ticket: TicketRec, ms: int, desk: str, person: str) -> None:
        """``QueueService.call_next`` claiming this ticket."""
        ticket.desk, ticket.person, ticket.called = desk, person, ms
        for passed in self.passed.pop(desk, []):  # domain.queue.passed_over: that call only
            passed.passed_over_by = self.tickets[passed.id][T_PASSED] = None
        row = self.tickets[ticket.id]
        row[T_STATUS], row[T_DESK], row[T_CALLED] = "called", desk, instant(ms)
        self._on(site, ticket, ms, "called", '{"how":"next"}')

    def recall(self, site: SiteInfo, ticket: TicketRec, ms: int) -> None:
        ticket.recalls += 1
        self.tickets[ticket.id][T_RECALLS] = ticket.recalls
        self._on(site, ticket, ms, "recalled", f'{{"recalls":{ticket.recalls}}}')

    def start(self, site: SiteInfo, ticket: TicketRec, ms: int) -> None:
        ticket.serving = ms
        row = self.tickets[ticket.id]
        row[T_STATUS], row[T_SERVING] = "serving", instant(ms)
        self._on(site, ticket, ms, "serving")

    def finish(self, site: SiteInfo, ticket: TicketRec, ms: int, outcome: str) -> None:
        row = self._end(ticket, ms, "done", "done", outcome)
        row[T_OUTCOME] = outcome
        if ticket.serving is None:
            row[T_SERVING] = instant(ticket.called if ticket.called is not None else ms)
        appt = ticket.appointment
        if appt is not None:  # as ``storage.appointments.attended`` does, by the one rule
            appt.record = replace(appt.record, status=when_served(appt.record.status))
        self._on(site, ticket, ms, "finished", outcome=outcome)
        self._ended(ticket.visit_id, "finished", ms)
        self._finished(site.id, ticket.day, outcome)

    def no_show(self, site: SiteInfo, ticket: TicketRec, ms: int) -> None:
        self._end(ticket, ms, "no_show", "no_show")
        self._appointment_after(ticket, TicketEnd.NO_SHOW)
        self._on(site, ticket, ms, "no_show", f'{{"recalls":{ticket.recalls}}}')
        self._figures(site.id, ticket.day).no_shows += 1
        self._ended(ticket.visit_id, "no_show", ms)

    def cancel(self, site: SiteInfo, ticket: TicketRec, ms: int, actor: str, reason: str) -> None:
        """``QueueService.cancel`` (the resident left, or the day ended)."""
        self._end(ticket, ms, "cancelled", "cancelled")
        self._appointment_after(ticket, ticket_end(reason))
        self._on(
            site, ticket, ms, "cancelled", encode_event_data({"reason": reason}), by=(actor, None)
        )
        self._ended(ticket.visit_id, "cancelled", ms, reason=reason)

    @staticmethod
    def _appointment_after(ticket: TicketRec, end: TicketEnd | None) -> None:
        """As ``services.queue.closing.appointment_after`` does, by the one rule."""
        appt = ticket.appointment
        if appt is not None:
            appt.record = replace(appt.record, status=when_ticket_ends(appt.record.status, end))

    def transfer(self, site: SiteInfo, ticket: TicketRec, ms: int, service: str) -> TicketRec:
        """``QueueService.transfer`` to another service, by the desk that called the ticket."""
        self._end(ticket, ms, "transferred", None)
        new = self._ticket(site, service, ms, ticket.joins, transferred_from=ticket.id)
        if ticket.desk is not None:  # not called straight back there (domain.queue.passed_over)
            new.passed_over_by = self.tickets[new.id][T_PASSED] = ticket.desk
            self.passed.setdefault(ticket.desk, []).append(new)
        moved = f'{{"to_service":"{service}","to_ticket":{new.id}}}'
        self._on(site, ticket, ms, "transferred", moved)
        issued = f'{{"number":{new.number},"transferred_from":{ticket.id}}}'
        self._on(site, new, ms, "ticket_issued", issued, by=(ticket.person or "", ticket.desk))
        return new

    def _end(
        self,
        ticket: TicketRec,
        ms: int,
        status: str,
        visit_status: str | None,
        outcome: str | None = None,
    ) -> list[Any]:
        """The ticket leaves the queue; with ``visit_status``, its visit ends too."""
        stamp = instant(ms)
        row = self.tickets[ticket.id]
        row[T_STATUS], row[T_FINISHED] = status, stamp
        if visit_status is not None:
            visit = self.visits.get(ticket.visit_id)
            if visit is None:  # the visit was written in an earlier batch (not by the generator)
                raise RuntimeError(f"visit {ticket.visit_id} is not in this batch")
            visit[V_STATUS], visit[V_OUTCOME], visit[V_FINISHED] = visit_status, outcome, stamp
        return row
