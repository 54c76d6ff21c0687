"""Realistic history for trying and benchmarking: years of visits at several offices, fast.

``oss-desk history generate`` makes a NEW database with a multi-site configuration derived
from the built-in demo site, then fills it with what years of opening days would have left
behind: visits, tickets, the event log, appointments with their messages and held time.

The demo (:mod:`oss_desk.services.demo`) drives the real services minute by minute; that is far
too slow for a million visits. Here each office day is simulated in memory (arrivals from an
hourly profile, desks calling the longest waiting, recalls, no-shows, transfers, appointments
checked in as priority tickets) and :class:`RowBuilder` writes the very rows the services
would write for each step (``tests/test_history.py`` checks that the shapes are the same), which
:mod:`oss_desk.storage.history` inserts in big batches.

What the generator does not make: printed tickets and board updates (print jobs), desk status
changes, notes, checklists ticked, rescheduled appointments. Events of a batch get their ids in
time order; an appointment's booking events (made days earlier) come with its day's batch.
"""

from __future__ import annotations

import heapq
import json
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from oss_desk.clock import Clock
from oss_desk.config import Settings, build_settings
from oss_desk.domain.calendar import WEEKDAYS, hours_on, parse_hours, zone
from oss_desk.domain.reminders import parse_schedule
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput, StorageError
from oss_desk.services.site import demo_document, load_into
from oss_desk.storage import history as h
from oss_desk.storage.database import open_store

GENERATOR_VERSION = 1
"""Bumped whenever the same options would give different rows (benchmarks cache by it)."""

MAX_YEARS = 10
MAX_VISITS_PER_DAY = 2000

# (id, name, share of the --visits-per-day average, prefix of its desks and staff)
SITES = (
    ("town-hall", "Town Hall One Stop Shop", 1.25, ""),
    ("north-office", "North Office", 0.9, "north"),
    ("south-office", "South Office", 0.85, "south"),
    ("east-office", "East Office", 0.8, "east"),
    ("west-office", "West Office", 0.8, "west"),
    ("market-office", "Market Hall Office", 0.7, "market"),
    ("riverside-office", "Riverside Office", 0.7, "river"),
    ("library-office", "Library Help Point", 0.5, "library"),
)
MAX_SITES = len(SITES)

SERVICE_MIX = {"C": 30, "B": 22, "H": 14, "W": 10, "T": 12, "Q": 12}
QUICK_SHARE = {"C": 0.15, "B": 0.05, "H": 0.03, "W": 0.35, "T": 0.10, "Q": 0.45}
OUTCOME_MIX = {"resolved": 68, "signposted": 10, "referred": 11, "appointment": 7, "callback": 4}
# Arrivals per opening hour: the morning peak, a quieter lunch and late afternoon.
HOUR_PROFILE = {9: 13, 10: 17, 11: 16, 12: 11, 13: 11, 14: 12, 15: 11, 16: 9}
WEEKDAY_FACTOR = (1.2, 1.05, 0.95, 0.95, 0.85)
MONTH_FACTOR = {
    1: 1.05,
    2: 1.0,
    3: 1.15,
    4: 1.2,
    5: 1.0,
    6: 0.95,
    7: 0.9,
    8: 0.8,
    9: 1.0,
    10: 1.05,
    11: 1.0,
    12: 0.8,
}
YEARLY_CHANGE = -0.03  # fewer visits each year (more is done online)
NEEDS = ["wheelchair", "hearing-loop", "large-print", "interpreter:polish", "bsl"]
APPOINTMENT_SERVICES = ("C", "B", "H", "T")
TRANSFER_TO = {"C": "B", "B": "H", "H": "B", "W": "C", "T": "Q", "Q": "C"}

K = TypeVar("K")
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
DAY_MS = 86_400_000
QUARTER_MS = 900_000


def _data(value: Mapping[str, Any]) -> str:
    """The event ``data`` column exactly as :func:`oss_desk.storage.events.append_event`."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")) if value else "{}"


_PREFIX: dict[int, str] = {}


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


# The configuration ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SitePlan:
    id: str
    name: str
    share: float
    greet_desk: str
    greeter: str
    leader: str
    desks: tuple[tuple[str, str], ...]
    """Adviser desks and their person: (desk id, staff id)."""
    room: str
    room_person: str
    advisers: tuple[tuple[str, tuple[str, ...]], ...]
    """Who takes appointments, and for which services."""


def adviser_desks(visits_per_day: float, busy: float = 0.55) -> int:
    """Desks needed for a day of this many visits with the desks ``busy`` of the time (an
    office has desks for its busy days, and the team leader opens what the day needs)."""
    ticketed = 1 - sum(SERVICE_MIX[c] * QUICK_SHARE[c] for c in SERVICE_MIX) / 100
    minutes = visits_per_day * ticketed * 8.9
    return max(2, math.ceil(minutes / (480 * busy)))


def site_plans(sites: int, visits_per_day: int) -> list[SitePlan]:
    demo_people = ("ben", "dev", "fatima", "gwen")
    plans = []
    for index in range(sites):
        site_id, name, share, prefix = SITES[index]
        count = adviser_desks(visits_per_day * share)
        p = f"{prefix}-" if prefix else ""
        if not prefix:
            people = [
                demo_people[i] if i < len(demo_people) else f"adviser-{i + 1}" for i in range(count)
            ]
            plans.append(
                SitePlan(
                    id=site_id,
                    name=name,
                    share=share,
                    greet_desk="greet-1",
                    greeter="chloe",
                    leader="amina",
                    desks=tuple((f"desk-{i + 1}", people[i]) for i in range(count)),
                    room="room-1",
                    room_person="amina",
                    advisers=(
                        ("ben", ("C", "B", "T")),
                        ("dev", ("B", "H")),
                        ("fatima", ("H", "C", "T")),
                    ),
                )
            )
            continue
        people = [f"{p}adviser-{i + 1}" for i in range(count)]
        plans.append(
            SitePlan(
                id=site_id,
                name=name,
                share=share,
                greet_desk=f"{p}greet-1",
                greeter=f"{p}greeter",
                leader=f"{p}leader",
                desks=tuple((f"{p}desk-{i + 1}", people[i]) for i in range(count)),
                room=f"{p}room-1",
                room_person=f"{p}leader",
                advisers=((people[0], ("C", "B", "T")), (people[1], ("B", "H"))),
            )
        )
    return plans


def history_document(plans: list[SitePlan], folder: Path) -> dict[str, Any]:
    """The demo site's configuration, with one office per plan, each with its own desks."""
    doc = demo_document(folder)
    demo_site = doc["sites"][0]
    demo_desks = {d["id"]: d for d in doc["desks"]}
    demo_staff = {s["id"]: s for s in doc["staff"]}
    sites, desks, staff = [], [], []
    for plan in plans:
        sites.append({**demo_site, "id": plan.id, "name": plan.name})
        greet = dict(demo_desks["greet-1"])
        greet.update(id=plan.greet_desk, person=plan.greeter, site=plan.id)
        greet["printer"] = f"capture://{folder}/printer-{plan.greet_desk}.escpos"
        desks.append(greet)
        for number, (desk_id, person) in enumerate(plan.desks, start=1):
            desks.append(
                {"id": desk_id, "name": f"Desk {number}", "person": person, "site": plan.id}
            )
        room = dict(demo_desks["room-1"])
        room.update(id=plan.room, person=plan.room_person, site=plan.id)
        desks.append(room)
        takes = dict(plan.advisers)
        people = [
            (plan.greeter, "meet-and-greet"),
            *((person, "adviser") for _desk, person in plan.desks),
            *((person, "adviser") for person, _services in plan.advisers),
            (plan.leader, "team-leader"),
        ]
        for person, role in people:
            if person in demo_staff:
                staff.append(demo_staff[person])
                continue
            label = person.replace("-", " ").title()
            entry: dict[str, Any] = {"id": person, "name": f"{label}", "role": role}
            if role == "adviser":
                entry["appointments"] = list(takes.get(person, ()))
            staff.append(entry)
    if not any(s["id"] == "sam" for s in staff):
        staff.append(demo_staff["sam"])
    seen: set[str] = set()
    unique = [s for s in staff if not (s["id"] in seen or seen.add(s["id"]))]  # type: ignore[func-returns-value]
    doc.update(sites=sites, desks=desks, staff=unique)
    doc["board"] = {**doc.get("board", {}), "site": plans[0].id}
    return doc


def history_settings(sites: int, visits_per_day: int, folder: Path) -> Settings:
    plans = site_plans(sites, visits_per_day)
    return build_settings(history_document(plans, folder), "generated history")


# The rows -------------------------------------------------------------------------------------


@dataclass(slots=True)
class TicketRec:
    id: int
    visit_id: int
    site_id: str
    service: str
    day: str
    number: int
    priority: int
    needs: str
    private: int
    channel: str
    queued: int
    issued: int
    arrival_hour: int
    assigned: str | None = None
    desk: str | None = None
    person: str | None = None
    called: int | None = None
    serving: int | None = None
    recalls: int = 0
    transferred_from: int | None = None
    appointment: AppointmentRec | None = None


@dataclass(slots=True)
class AppointmentRec:
    id: int
    ref: str
    site_id: str
    service: str
    adviser: str
    room: str | None
    start: int
    end: int
    day: str
    channel: str
    booked: int
    booked_by: str
    status: str = "booked"
    visit_id: int | None = None
    ticket_id: int | None = None
    cancelled: int | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    notice_days: int | None = None
    breach: int = 0


@dataclass(slots=True)
class DayFigures:
    """The generator's own count of a site's day, to check the reports against."""

    visits: int = 0
    no_shows: int = 0
    seen: int = 0
    seen_within_target: int = 0
    finished: int = 0
    finished_first_contact: int = 0
    quick_visits: int = 0
    by_hour: dict[int, int] = field(default_factory=dict)
    by_service: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    id: str
    timezone: str
    greet_desk: str
    greeter: str


class RowBuilder:
    """The rows each service step writes, appended to in-memory batches.

    Every method mirrors one use case of :class:`~oss_desk.services.queue.QueueService` or
    :class:`~oss_desk.services.appointments.AppointmentService` (and the worker's message and
    no-show steps). Instants are UTC epoch milliseconds.
    """

    def __init__(self, target_seconds: int = 900) -> None:
        self.next_visit = self.next_ticket = self.next_appointment = 1
        self.next_message = self.next_event = 1
        self.target_ms = target_seconds * 1000
        self.offsets: dict[tuple[str, str], int] = {}
        self._wall: dict[tuple[str, int], tuple[str, int]] = {}
        self._pending: dict[int, int] = {}
        self._units: dict[int, list[tuple[str, int, int]]] = {}
        self.figures: dict[tuple[str, str], DayFigures] = {}
        self.counters: dict[tuple[str, str, str], int] = {}
        self._first_contact: dict[int, bool] = {}
        self._arrived: dict[int, tuple[int, str, str]] = {}
        self.reset()

    def reset(self) -> None:
        self.visits: dict[int, list[Any]] = {}
        self.tickets: dict[int, list[Any]] = {}
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

    def event(
        self,
        site: SiteInfo | None,
        ms: int,
        kind: str,
        actor: str,
        desk: str | None,
        *,
        visit: int | None = None,
        ticket: int | None = None,
        service: str | None = None,
        outcome: str | None = None,
        data: str = "{}",
        appointment: int | None = None,
    ) -> None:
        if site is None:
            day, hour, site_id = None, None, None
        else:
            where = self._where(site, ms)
            day, hour, site_id = where[0], where[1], site.id
        self.events.append(
            (
                instant(ms),
                day,
                hour,
                site_id,
                kind,
                actor,
                desk,
                visit,
                ticket,
                service,
                outcome,
                data,
                appointment,
            )
        )

    def _figures(self, site_id: str, day: str) -> DayFigures:
        found = self.figures.get((site_id, day))
        if found is None:
            found = self.figures[site_id, day] = DayFigures()
        return found

    # The queue --------------------------------------------------------------------------

    def _visit(self, site: SiteInfo, day: str, ms: int, channel: str, needs: str) -> int:
        visit_id = self.next_visit
        self.next_visit += 1
        self.visits[visit_id] = [
            visit_id,
            site.id,
            day,
            instant(ms),
            channel,
            needs,
            "open",
            None,
            None,
        ]
        return visit_id

    def _arrival_figures(
        self, site: SiteInfo, day: str, ms: int, visit_id: int, service: str
    ) -> int:
        figures = self._figures(site.id, day)
        hour = self._where(site, ms)[1]
        figures.visits += 1
        figures.by_hour[hour] = figures.by_hour.get(hour, 0) + 1
        figures.by_service[service] = figures.by_service.get(service, 0) + 1
        self._arrived[visit_id] = (ms, site.id, day)
        return hour

    def _contact(self, visit_id: int, ms: int) -> None:
        """The visit's first contact (first call or meet-and-greet resolution)."""
        if visit_id in self._first_contact:
            return
        self._first_contact[visit_id] = True
        arrived, site_id, day = self._arrived[visit_id]
        figures = self._figures(site_id, day)
        figures.seen += 1
        if ms - arrived <= self.target_ms:
            figures.seen_within_target += 1

    def _number(self, site_id: str, service: str, day: str) -> int:
        key = (site_id, service, day)
        number = self.counters.get(key, 0) + 1
        self.counters[key] = number
        return number

    def _ticket(
        self,
        site: SiteInfo,
        day: str,
        visit_id: int,
        service: str,
        *,
        queued: int,
        issued: int,
        priority: int,
        needs: str,
        channel: str,
        assigned: str | None,
        transferred_from: int | None = None,
        hour: int = 0,
    ) -> TicketRec:
        number = self._number(site.id, service, day)
        ticket = TicketRec(
            id=self.next_ticket,
            visit_id=visit_id,
            site_id=site.id,
            service=service,
            day=day,
            number=number,
            priority=priority,
            needs=needs,
            private=int('"private-room"' in needs),
            channel=channel,
            queued=queued,
            issued=issued,
            arrival_hour=hour,
            assigned=assigned,
            transferred_from=transferred_from,
        )
        self.next_ticket += 1
        self.tickets[ticket.id] = [
            ticket.id,
            visit_id,
            site.id,
            service,
            day,
            number,
            "waiting",
            priority,
            ticket.private,
            needs,
            channel,
            instant(queued),
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
        ]
        return ticket

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
        day = self._where(site, ms)[0]
        need_list = sorted(needs or [])
        needs_text = json.dumps(need_list)
        visit_id = self._visit(site, day, ms, channel, needs_text)
        hour = self._arrival_figures(site, day, ms, visit_id, service)
        ticket = self._ticket(
            site,
            day,
            visit_id,
            service,
            queued=ms,
            issued=ms,
            priority=priority,
            needs=needs_text,
            channel=channel,
            assigned=assigned,
            hour=hour,
        )
        arrived = (
            _data({"channel": channel, "needs": need_list})
            if need_list or channel != "walk_in"
            else '{"channel":"walk_in"}'
        )
        self.event(
            site,
            ms,
            "arrived",
            site.greeter,
            site.greet_desk,
            visit=visit_id,
            service=service,
            data=arrived,
        )
        issued = (
            f'{{"number":{ticket.number},"priority":{priority}}}'
            if priority
            else f'{{"number":{ticket.number}}}'
        )
        self.event(
            site,
            ms,
            "ticket_issued",
            site.greeter,
            site.greet_desk,
            visit=visit_id,
            ticket=ticket.id,
            service=service,
            data=issued,
        )
        return ticket

    def quick_visit(
        self, site: SiteInfo, ms: int, service: str, outcome: str, needs: list[str] | None = None
    ) -> int:
        """``QueueService.quick_visit``: dealt with at meet-and-greet, no ticket."""
        day = self._where(site, ms)[0]
        need_list = sorted(needs or [])
        visit_id = self._visit(site, day, ms, "walk_in", json.dumps(need_list))
        row = self.visits[visit_id]
        row[6], row[7], row[8] = "done", outcome, instant(ms)
        self._arrival_figures(site, day, ms, visit_id, service)
        arrived = _data({"channel": "walk_in", **({"needs": need_list} if need_list else {})})
        self.event(
            site,
            ms,
            "arrived",
            site.greeter,
            site.greet_desk,
            visit=visit_id,
            service=service,
            data=arrived,
        )
        self.event(
            site,
            ms,
            "finished",
            site.greeter,
            site.greet_desk,
            visit=visit_id,
            service=service,
            outcome=outcome,
            data='{"at":"meet-and-greet"}',
        )
        self._contact(visit_id, ms)
        self._finished(site.id, day, outcome, quick=True)
        return visit_id

    def _finished(self, site_id: str, day: str, outcome: str, quick: bool = False) -> None:
        figures = self._figures(site_id, day)
        figures.finished += 1
        if outcome in ("resolved", "signposted"):
            figures.finished_first_contact += 1
        if quick:
            figures.quick_visits += 1
        figures.outcomes[outcome] = figures.outcomes.get(outcome, 0) + 1

    def call(self, site: SiteInfo, ticket: TicketRec, ms: int, desk: str, person: str) -> None:
        """``QueueService.call_next`` claiming this ticket."""
        ticket.desk, ticket.person, ticket.called = desk, person, ms
        row = self.tickets[ticket.id]
        row[6], row[14], row[15] = "called", desk, instant(ms)
        self.event(
            site,
            ms,
            "called",
            person,
            desk,
            visit=ticket.visit_id,
            ticket=ticket.id,
            service=ticket.service,
            data='{"how":"next"}',
        )
        self._contact(ticket.visit_id, ms)

    def recall(self, site: SiteInfo, ticket: TicketRec, ms: int) -> None:
        ticket.recalls += 1
        self.tickets[ticket.id][19] = ticket.recalls
        self.event(
            site,
            ms,
            "recalled",
            ticket.person or "",
            ticket.desk,
            visit=ticket.visit_id,
            ticket=ticket.id,
            service=ticket.service,
            data=f'{{"recalls":{ticket.recalls}}}',
        )

    def start(self, site: SiteInfo, ticket: TicketRec, ms: int) -> None:
        ticket.serving = ms
        row = self.tickets[ticket.id]
        row[6], row[16] = "serving", instant(ms)
        self.event(
            site,
            ms,
            "serving",
            ticket.person or "",
            ticket.desk,
            visit=ticket.visit_id,
            ticket=ticket.id,
            service=ticket.service,
        )

    def finish(self, site: SiteInfo, ticket: TicketRec, ms: int, outcome: str) -> None:
        stamp = instant(ms)
        row = self.tickets[ticket.id]
        row[6], row[17], row[18] = "done", stamp, outcome
        if ticket.serving is None:
            row[16] = instant(ticket.called if ticket.called is not None else ms)
        self._end_visit(ticket.visit_id, "done", outcome, stamp)
        appt = ticket.appointment
        if appt is not None and appt.status == "checked_in":
            appt.status = "attended"
        self.event(
            site,
            ms,
            "finished",
            ticket.person or "",
            ticket.desk,
            visit=ticket.visit_id,
            ticket=ticket.id,
            service=ticket.service,
            outcome=outcome,
        )
        self._finished(site.id, ticket.day, outcome)

    def _end_visit(self, visit_id: int, status: str, outcome: str | None, stamp: str) -> None:
        row = self.visits.get(visit_id)
        if row is None:  # the visit was written in an earlier batch (not made by the generator)
            raise RuntimeError(f"visit {visit_id} is not in this batch")
        row[6], row[7], row[8] = status, outcome, stamp

    def no_show(self, site: SiteInfo, ticket: TicketRec, ms: int) -> None:
        stamp = instant(ms)
        row = self.tickets[ticket.id]
        row[6], row[17] = "no_show", stamp
        self._end_visit(ticket.visit_id, "no_show", None, stamp)
        self.event(
            site,
            ms,
            "no_show",
            ticket.person or "",
            ticket.desk,
            visit=ticket.visit_id,
            ticket=ticket.id,
            service=ticket.service,
            data=f'{{"recalls":{ticket.recalls}}}',
        )
        self._figures(site.id, ticket.day).no_shows += 1

    def transfer(self, site: SiteInfo, ticket: TicketRec, ms: int, service: str) -> TicketRec:
        """``QueueService.transfer`` to another service, by the desk that called the ticket."""
        row = self.tickets[ticket.id]
        row[6], row[17] = "transferred", instant(ms)
        new = self._ticket(
            site,
            ticket.day,
            ticket.visit_id,
            service,
            queued=ticket.queued,
            issued=ms,
            priority=ticket.priority,
            needs=ticket.needs,
            channel=ticket.channel,
            assigned=None,
            transferred_from=ticket.id,
            hour=ticket.arrival_hour,
        )
        person, desk = ticket.person or "", ticket.desk
        self.event(
            site,
            ms,
            "transferred",
            person,
            desk,
            visit=ticket.visit_id,
            ticket=ticket.id,
            service=ticket.service,
            data=f'{{"to_service":"{service}","to_ticket":{new.id}}}',
        )
        self.event(
            site,
            ms,
            "ticket_issued",
            person,
            desk,
            visit=ticket.visit_id,
            ticket=new.id,
            service=service,
            data=f'{{"number":{new.number},"transferred_from":{ticket.id}}}',
        )
        return new

    def cancel(self, site: SiteInfo, ticket: TicketRec, ms: int, actor: str, reason: str) -> None:
        """``QueueService.cancel`` (the resident left, or the day ended)."""
        stamp = instant(ms)
        row = self.tickets[ticket.id]
        row[6], row[17] = "cancelled", stamp
        self._end_visit(ticket.visit_id, "cancelled", None, stamp)
        self.event(
            site,
            ms,
            "cancelled",
            actor,
            None,
            visit=ticket.visit_id,
            ticket=ticket.id,
            service=ticket.service,
            data=_data({"reason": reason}),
        )

    # Appointments -----------------------------------------------------------------------

    def book(
        self,
        site: SiteInfo,
        ms: int,
        service: str,
        start: int,
        end: int,
        *,
        adviser: str,
        room: str | None,
        channel: str,
        ref: str,
        reminder_due: int | None,
    ) -> AppointmentRec:
        """``AppointmentService.book`` at meet-and-greet, with the worker sending the
        confirmation a moment later (the reminder is sent by :meth:`send_reminder`)."""
        appt = AppointmentRec(
            id=self.next_appointment,
            ref=ref,
            site_id=site.id,
            service=service,
            adviser=adviser,
            room=room,
            start=start,
            end=end,
            day=self._where(site, start)[0],
            channel=channel,
            booked=ms,
            booked_by=site.greeter,
        )
        self.next_appointment += 1
        self.appointments.append(appt)
        resources = [f"adviser:{adviser}"] + ([f"room:{room}"] if room else [])
        self._units[appt.id] = [
            (resource, unit, appt.id)
            for resource in resources
            for unit in range(start // 300_000, (end - 1000) // 300_000 + 1)
        ]
        n = appt.id
        self.contacts.append(
            (
                n,
                f"Resident {n}",
                f"resident{n}@example.org" if channel == "email" else None,
                f"+447700{900000 + n % 100000:06d}" if channel == "text" else None,
                None,
            )
        )
        self.event(
            site,
            ms,
            "appointment_booked",
            site.greeter,
            site.greet_desk,
            service=service,
            data=_data({"channel": channel}),
            appointment=appt.id,
        )
        who = (site.greeter, site.greet_desk)
        self._message(site, appt, "confirmation", ms, ms, sent=ms + 2_000, by=who)
        if reminder_due is not None and reminder_due > ms:
            index = self._message(site, appt, "reminder", ms, reminder_due, sent=None, by=who)
            self._pending[appt.id] = index
        return appt

    def _message(
        self,
        site: SiteInfo,
        appt: AppointmentRec,
        kind: str,
        created: int,
        due: int,
        *,
        sent: int | None,
        by: tuple[str, str | None],
    ) -> int:
        message_id = self.next_message
        self.next_message += 1
        via = "smtp" if appt.channel == "email" else "notify"
        reference = f"oss-{appt.id}-{kind[:3]}-{message_id:08x}"
        self.messages.append(
            [
                message_id,
                appt.id,
                kind,
                appt.channel,
                via,
                1,
                instant(due),
                "pending",
                reference,
                0,
                instant(due),
                None,
                None,
                None,
                instant(created),
                None,
            ]
        )
        self.event(
            site,
            created,
            "reminder_queued",
            by[0],
            by[1],
            service=appt.service,
            data=_data({"channel": appt.channel, "due": instant(due), "kind": kind}),
            appointment=appt.id,
            visit=appt.visit_id,
            ticket=appt.ticket_id,
        )
        if sent is not None:
            self._sent(site, appt, len(self.messages) - 1, sent)
        return len(self.messages) - 1

    def _sent(self, site: SiteInfo, appt: AppointmentRec, index: int, ms: int) -> None:
        row = self.messages[index]
        row[7], row[9], row[13], row[15] = "sent", 1, row[8], instant(ms)
        self.event(
            site,
            ms,
            "reminder_sent",
            "worker",
            None,
            service=appt.service,
            data=_data({"channel": row[3], "kind": row[2], "via": row[4]}),
            appointment=appt.id,
            visit=appt.visit_id,
            ticket=appt.ticket_id,
        )

    def send_reminder(
        self, site: SiteInfo, appt: AppointmentRec, before: int | None = None
    ) -> None:
        """The worker sends the reminder when it is due (if that is before ``before``)."""
        index = self._pending.get(appt.id)
        if index is None:
            return
        due = epoch_ms(datetime.fromisoformat(self.messages[index][6])) + 3_000
        if before is None or due < before:
            del self._pending[appt.id]
            self._sent(site, appt, index, due)

    def _cancel_pending(self, appt: AppointmentRec) -> None:
        index = self._pending.pop(appt.id, None)
        if index is not None:
            self.messages[index][7] = "cancelled"

    def check_in(self, site: SiteInfo, appt: AppointmentRec, ms: int) -> TicketRec:
        """``AppointmentService.check_in`` at meet-and-greet: a priority ticket."""
        ticket = self.issue(
            site, ms, appt.service, priority=1, channel="appointment", assigned=appt.room
        )
        ticket.appointment = appt
        appt.status, appt.visit_id, appt.ticket_id = "checked_in", ticket.visit_id, ticket.id
        late = max(0, (ms - appt.start) // MINUTE_MS)
        self.event(
            site,
            ms,
            "appointment_checked_in",
            site.greeter,
            site.greet_desk,
            service=appt.service,
            data=f'{{"late_minutes":{late},"ticket":{ticket.id}}}',
            appointment=appt.id,
        )
        return ticket

    def appointment_no_show(self, site: SiteInfo, appt: AppointmentRec, ms: int) -> None:
        """The worker's ``auto_no_show`` after the grace minutes."""
        appt.status = "no_show"
        self._release(appt)
        self._cancel_pending(appt)
        self.event(
            site,
            ms,
            "appointment_no_show",
            "worker",
            None,
            service=appt.service,
            data='{"automatic":true}',
            appointment=appt.id,
        )

    def _release(self, appt: AppointmentRec) -> None:
        self._units.pop(appt.id, None)

    def cancel_appointment(
        self,
        site: SiteInfo,
        appt: AppointmentRec,
        ms: int,
        *,
        by: str,
        notice: int,
        breach: bool,
        reason: str | None,
        actor: str,
        desk: str | None,
    ) -> None:
        """``AppointmentService.cancel``, and the worker sending the cancellation notice."""
        appt.status, appt.cancelled, appt.cancelled_by = "cancelled", ms, by
        appt.cancel_reason, appt.notice_days, appt.breach = reason, notice, int(breach)
        self._release(appt)
        self._cancel_pending(appt)
        self.event(
            site,
            ms,
            "appointment_cancelled",
            actor,
            desk,
            service=appt.service,
            data=_data({"breach": breach, "by": by, "notice_working_days": notice}),
            appointment=appt.id,
        )
        self._message(site, appt, "cancellation", ms, ms, sent=ms + 2_000, by=(actor, desk))

    # Output -----------------------------------------------------------------------------

    def batches(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows gathered since the last call, ready for :func:`h.insert_rows`."""
        events = sorted(self.events, key=lambda e: e[0])
        numbered = []
        for row in events:
            numbered.append((self.next_event, *row))
            self.next_event += 1
        appointments = [
            (
                a.id,
                a.ref,
                a.site_id,
                a.service,
                a.adviser,
                a.room,
                instant(a.start),
                instant(a.end),
                a.day,
                a.status,
                a.channel,
                "[]",
                instant(a.booked),
                a.booked_by,
                1,
                instant(a.cancelled) if a.cancelled is not None else None,
                a.cancelled_by,
                a.cancel_reason,
                a.notice_days,
                a.breach,
                a.visit_id,
                a.ticket_id,
                "[]",
                None,
            )
            for a in self.appointments
        ]
        result = {
            "visits": [tuple(v) for v in self.visits.values()],
            "tickets": [tuple(t) for t in self.tickets.values()],
            "appointments": appointments,
            "appointment_contacts": list(self.contacts),
            "resource_units": [u for units in self._units.values() for u in units],
            "messages": [tuple(m) for m in self.messages],
            "events": numbered,
        }
        self.reset()
        self._units = {}
        return result

    def counter_rows(self) -> list[tuple[str, str, str, int]]:
        return [(s, c, d, n) for (s, c, d), n in sorted(self.counters.items())]


# The simulation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryOptions:
    years: int = 3
    sites: int = 3
    visits_per_day: int = 300
    seed: int = 20261122
    end: date | None = None
    """The last day of history (default: yesterday)."""
    weeks: int | None = None
    """Instead of ``years``: a short history (tests)."""


@dataclass
class HistoryResult:
    path: Path
    first_day: str
    last_day: str
    sites: list[str]
    opening_days: int
    visits: int
    tickets: int
    events: int
    appointments: int
    seconds: float
    size_bytes: int
    rows: dict[str, int]
    figures: dict[tuple[str, str], DayFigures] = field(repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "db": str(self.path),
            "generator_version": GENERATOR_VERSION,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "sites": self.sites,
            "opening_days": self.opening_days,
            "visits": self.visits,
            "tickets": self.tickets,
            "events": self.events,
            "appointments": self.appointments,
            "rows": self.rows,
            "seconds": round(self.seconds, 1),
            "size_mb": round(self.size_bytes / 1_000_000, 1),
        }


def check_options(options: HistoryOptions) -> None:
    if options.weeks is None and not 1 <= options.years <= MAX_YEARS:
        raise InvalidInput(f"--years must be from 1 to {MAX_YEARS} (got {options.years})")
    if options.weeks is not None and not 1 <= options.weeks <= 52 * MAX_YEARS:
        raise InvalidInput("weeks must be from 1 to 520")
    if not 1 <= options.sites <= MAX_SITES:
        raise InvalidInput(
            f"--sites must be from 1 to {MAX_SITES} (the generator names up to {MAX_SITES} "
            f"offices; got {options.sites})"
        )
    if not 1 <= options.visits_per_day <= MAX_VISITS_PER_DAY:
        raise InvalidInput(
            f"--visits-per-day must be from 1 to {MAX_VISITS_PER_DAY} "
            f"(got {options.visits_per_day})"
        )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _pick(rng: random.Random, weights: Mapping[K, int]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


REF_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def generate(
    db_path: Path,
    options: HistoryOptions,
    *,
    clock: Clock,
    progress: Callable[[str, float, int], None] | None = None,
) -> HistoryResult:
    """Create ``db_path`` (it must not exist) and fill it with the history of ``options``."""
    check_options(options)
    path = Path(db_path).expanduser()
    for suffix in ("", "-wal", "-shm"):
        if Path(str(path) + suffix).exists():
            raise StorageError(
                f"{path}{suffix} exists already: history goes into a new database "
                "(choose another --db path)"
            )
    started = time.perf_counter()
    folder = path.parent.resolve() if path.parent.exists() else path.parent
    settings = history_settings(options.sites, options.visits_per_day, folder)
    end = options.end or (
        clock.now().astimezone(zone(settings.sites[0].timezone)).date() - timedelta(days=1)
    )
    first = (
        end - timedelta(weeks=options.weeks) + timedelta(days=1)
        if options.weeks is not None
        else _years_before(end, options.years) + timedelta(days=1)
    )
    ok = False
    store = None
    try:
        store = open_store(path, create=True)
        load_into(store, settings, source="generated history", clock=clock, person="sam")
        sim = Simulation(settings, options, store.conn, end)
        indexes = h.begin_bulk(store.conn)
        days = [first + timedelta(days=i) for i in range((end - first).days + 1)]
        chunk: list[date] = []
        done_visits = 0
        for index, day in enumerate(days):
            sim.day(day)
            chunk.append(day)
            if len(chunk) >= 20 or index == len(days) - 1:
                sim.flush()
                done_visits = sim.builder.next_visit - 1
                chunk = []
                if progress is not None:
                    progress(day.isoformat(), (index + 1) / len(days), done_visits)
        sim.finish()
        if progress is not None:
            progress("indexes", 1.0, done_visits)
        h.end_bulk(store.conn, indexes)
        rows = h.table_counts(store.conn)
        ok = True
    finally:
        if store is not None:
            store.close()
        if not ok:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    return HistoryResult(
        path=path,
        first_day=first.isoformat(),
        last_day=end.isoformat(),
        sites=[s.id for s in settings.sites],
        opening_days=sim.opening_days,
        visits=rows["visits"],
        tickets=rows["tickets"],
        events=rows["events"],
        appointments=rows["appointments"],
        seconds=time.perf_counter() - started,
        size_bytes=path.stat().st_size,
        rows=rows,
        figures=sim.builder.figures,
    )


@dataclass(slots=True)
class _Desk:
    id: str
    person: str
    services: frozenset[str]
    private: bool
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
        self.refs: set[str] = set()
        self.purges: dict[date, int] = {}
        self.end_day = end
        self.last_day: date | None = None

    # Helpers ------------------------------------------------------------------------------

    def _ref(self) -> str:
        while True:
            text = "".join(self.rng.choice(REF_ALPHABET) for _ in range(6))
            ref = f"{text[:3]}-{text[3:]}"
            if ref not in self.refs:
                self.refs.add(ref)
                return ref

    def day(self, day: date) -> None:
        for plan in self.plans:
            config = next(s for s in self.settings.sites if s.id == plan.id)
            hours = hours_on(config.opening_hours, day)
            if hours is None or not self.workdays[plan.id].is_working_day(day):
                continue
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
        """Counters and the retention job's purges, in one last batch."""
        b = self.builder
        last = self.last_day
        for purge_day, count in sorted(self.purges.items()):
            if last is not None and purge_day > last:
                continue
            local = datetime.combine(purge_day, datetime.min.time()).replace(minute=0, second=5)
            at = epoch_ms(local.replace(tzinfo=zone(self.settings.sites[0].timezone)))
            cutoff = purge_day - timedelta(days=self.settings.appointments.keep_contacts_days)
            b.event(
                None,
                at,
                "contacts_purged",
                "worker",
                None,
                data=_data({"before": cutoff.isoformat(), "count": count}),
            )
        batches = b.batches()
        batches["ticket_counters"] = b.counter_rows()
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
        waiting: list[TicketRec] = []
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
                    waiting.append(ticket)
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
            wait = called - (chosen.queued - base) / MINUTE_MS
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
                    waiting.append(new)
                    patience[new.id] = t + 30
                else:
                    t += length
                    outcome = _pick(rng, OUTCOME_MIX)
                    if wait > 25 and outcome == "resolved" and rng.random() < 0.15:
                        outcome = "callback"
                    b.finish(site, chosen, at(t), outcome)
                desk.free = t
            last_time = max(last_time, desk.free)
            heapq.heappush(heap, (desk.free + rng.uniform(0.1, 0.6), i))
        for ticket in waiting:  # nobody left to call them: the team leader ends the day
            b.cancel(site, ticket, at(last_time + 5), plan.leader, "end_of_day")
        for appt in appointments:
            if appt.status == "booked":
                b.appointment_no_show(site, appt, appt.start + 15 * MINUTE_MS + 20_000)

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
        best: TicketRec | None = None
        best_key: tuple[int, int, int, int] | None = None
        for t in waiting:
            if t.service not in desk.services:
                continue
            if t.assigned is not None and t.assigned != desk.id:
                continue
            if t.private and not desk.private:
                continue
            if desk.room and t.assigned is None and t.priority == 0 and len(waiting) < 6:
                continue  # the room takes walk-ins only when the queue is long
            key = (0 if t.assigned == desk.id else 1, -t.priority, t.queued, t.id)
            if best_key is None or key < best_key:
                best, best_key = t, key
        return best

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
        for adviser, services in plan.advisers:
            minute = opens
            while minute < closes:
                service = rng.choice(services)
                length = self.lengths.get(service) or 30
                if 12 * 60 + 30 <= minute < 13 * 60 + 30 or minute + length > closes:
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
                booked_day = workdays.add(day, -ahead)
                booked_local = rng.uniform(opens + 5, closes - 5)
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
                if appt.status == "booked":
                    b.send_reminder(site, appt)
                    result.append(appt)
                purge = day + timedelta(days=self.settings.appointments.keep_contacts_days + 1)
                if purge <= self.end_day:
                    self.purges[purge] = self.purges.get(purge, 0) + 1
                    contact = b.contacts[-1]
                    local = datetime.combine(purge, datetime.min.time()).replace(second=5)
                    stamp = instant(epoch_ms(local.replace(tzinfo=zone(site.timezone))))
                    b.contacts[-1] = (contact[0], None, None, None, stamp)
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
        breach = by == "council" and notice < self.settings.appointments.min_notice_working_days
        actor, desk = (site.greeter, site.greet_desk) if by == "resident" else (plan.leader, None)
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
