"""The acceptance test of the reports: a whole month of an office scripted through the real
services (walk-ins, quick visits, transfers, no-shows, cancellations, appointments booked, kept,
missed and cancelled by both sides, needs, several desks and advisers), with the session clock
set for every action. The test keeps its own plain-Python bookkeeping of what it did, computes
every figure from that, and checks every figure of every daily report of the month and of the
monthly reports against it.

October 2026 crosses the end of British Summer Time (25 October): local hours and business days
are London time, an hour ahead of UTC before that date.
"""

from __future__ import annotations

import heapq
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from oss_desk.clock import FixedClock
from oss_desk.config_scorecard import DEFAULT_ORGANISATIONS
from oss_desk.domain.followup_standards import followup_definitions
from oss_desk.domain.models import Actor
from oss_desk.domain.scorecard import ReportRules
from oss_desk.domain.standards import REPEAT_CONTACT_DEFINITION, REPEAT_CONTACT_LABEL
from oss_desk.render.json import daily_json, monthly_json
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session, open_session
from oss_desk.services.site import initialise

from .conftest import Cli

LONDON = ZoneInfo("Europe/London")
SERVICES = ("B", "C", "H", "W")
DESKS = ("desk-1", "desk-2", "desk-3", "desk-4", "room-1")
ADVISERS = ("ana", "bob", "cat", "dan")
NAMES = {
    "ana": "Ana Adviser",
    "bob": "Bob Adviser",
    "cat": "Cat Adviser",
    "dan": "Dan Adviser",
    "eve": "Eve Adviser",
}
NEEDS = ("bsl", "hearing-loop", "wheelchair", "large-print", "collect-in-person")
KNOWN_NEEDS = (*NEEDS, "private-room", "interpreter")
OUTCOMES = ("resolved", "signposted", "referred", "appointment", "callback")
TARGET_MS = 15 * 60 * 1000


def office_toml(site: str, name: str) -> str:
    staff = "".join(
        f'\n[[staff]]\nid = "{person}"\nname = "{full}"\nrole = "adviser"\n'
        for person, full in NAMES.items()
    )
    return f"""
[council]
name = "Test Council"

[access]
user_override = "anyone"  # acts as many people from one login
name_unlisted = true  # and as people not on the staff list

[[sites]]
id = "{site}"
name = "{name}"

[[services]]
code = "C"
name = "Council Tax"
appointment_minutes = 20

[[services]]
code = "B"
name = "Benefits"

[[services]]
code = "H"
name = "Housing"
private_room = true

[[services]]
code = "W"
name = "Waste"

[[desks]]
id = "greet-1"
kind = "meet-and-greet"

[[desks]]
id = "desk-1"

[[desks]]
id = "desk-2"

[[desks]]
id = "desk-3"

[[desks]]
id = "desk-4"

[[desks]]
id = "room-1"
kind = "interview-room"
services = ["H", "B"]
{staff}
[[staff]]
id = "gil"
name = "Gil Greeter"
role = "meet-and-greet"
appointments = []

[[staff]]
id = "tl"
name = "Team Leader"
role = "team-leader"

[queue]
staffed_desks_only = false
"""


# The test's own bookkeeping ---------------------------------------------------------------------


@dataclass
class Visit:
    arrival: datetime
    service: str
    kind: str  # quick, finish, no_show, transfer, cancel, wait
    channel: str = "walk_in"
    needs: tuple[str, ...] = ()
    wait: timedelta = timedelta()
    duration: timedelta = timedelta(minutes=5)
    outcome: str = "resolved"
    recalls: int = 0
    ticket_id: int | None = None
    first_contact: datetime | None = None
    called: datetime | None = None
    desk: str | None = None
    person: str | None = None
    finished: datetime | None = None
    finished_outcome: str | None = None
    quick: bool = False
    no_show: datetime | None = None
    waiting: bool = False
    service_now: str = ""
    booked: datetime | None = None
    """The booked start of the appointment checked in for (its 15-minute clock starts at the
    later of check-in and this)."""


@dataclass
class Appt:
    booked: datetime
    start: datetime
    plan: str  # kept, missed, resident, council
    ref: str = ""
    checked_in: datetime | None = None
    no_show: datetime | None = None
    cancelled: datetime | None = None
    by: str | None = None
    notice: int | None = None


@dataclass
class Book:
    visits: list[Visit] = field(default_factory=list)
    appointments: list[Appt] = field(default_factory=list)


def local(t: datetime) -> datetime:
    return t.astimezone(LONDON)


def day_of(t: datetime | None) -> str | None:
    return None if t is None else local(t).date().isoformat()


def at_local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), LONDON).astimezone(UTC)


def ms(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds() * 1000)


def weekdays(first: date, last: date) -> list[date]:
    out, d = [], first
    while d <= last:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def notice_days(cancelled: datetime, appointment_day: date) -> int:
    """Working days of notice (no bank holidays fall in September to November 2026 in England):
    from the day of cancelling (if a weekday before 17:00) to the day before the appointment."""
    wall = local(cancelled)
    if wall.date() >= appointment_day:
        return 0
    start = wall.date()
    if start.weekday() >= 5 or wall.time() >= time(17, 0):
        start += timedelta(days=1)
    return len(weekdays(start, appointment_day - timedelta(days=1)))


# The script -------------------------------------------------------------------------------------


@dataclass(order=True)
class Action:
    at: datetime
    seq: int
    run: Callable[[], object] = field(compare=False)


RECORDS_BEGIN = "2026-09-01"
"""The day each office's records begin (its configuration loaded): days and months before it
are "no records" (``recorded``: false)."""


class Office:
    """One office database driven through the real services with a settable clock."""

    def __init__(self, tmp_path: Path, site: str, name: str) -> None:
        config = tmp_path / f"{site}.toml"
        config.write_text(office_toml(site, name))
        self.db = tmp_path / f"{site}.sqlite"
        self.clock = FixedClock(datetime(2026, 9, 1, 8, tzinfo=UTC))
        initialise(self.db, clock=self.clock, config_path=config)
        self.session: Session = open_session(db=self.db, clock=self.clock, person="tl")
        self.site = site
        self.slips = f"capture://{tmp_path}/{site}-slips.bin"
        self.book = Book()
        self.actions: list[Action] = []
        self.seq = 0
        self.free = list(DESKS)

    def close(self) -> None:
        self.session.close()

    def later(self, when: datetime, run: Callable[[], object]) -> None:
        self.seq += 1
        heapq.heappush(self.actions, Action(when, self.seq, run))

    def run(self) -> None:
        while self.actions:
            action = heapq.heappop(self.actions)
            self.clock.set(action.at)
            action.run()

    def person_at(self, desk: str, when: datetime) -> str:
        if desk == "room-1":
            return "eve"
        index = int(desk[-1]) - 1 + local(when).toordinal()
        return ADVISERS[index % len(ADVISERS)]

    def queue(self, desk: str, when: datetime) -> QueueService:
        return QueueService(self.session, Actor(self.person_at(desk, when), desk))

    def greeter(self) -> QueueService:
        return QueueService(self.session, Actor("gil", "greet-1"))

    def appointments(self) -> AppointmentService:
        return AppointmentService(self.session, Actor("tl", "greet-1"))

    def leader(self) -> QueueService:
        """The team leader (only they cancel a ticket: a resident who left)."""
        return QueueService(self.session, Actor("tl", "greet-1"))

    # Visits ------------------------------------------------------------------------------------

    def walk_in(self, v: Visit) -> None:
        self.book.visits.append(v)
        self.later(v.arrival, lambda: self.arrive(v))

    def arrive(self, v: Visit) -> None:
        now = self.clock.now()
        if v.kind == "quick":
            self.greeter().quick_visit(
                v.service, v.outcome, desk_id="greet-1", needs=",".join(v.needs)
            )
            v.first_contact = v.finished = now
            v.finished_outcome, v.quick = v.outcome, True
            return
        ticket = (
            self.greeter()
            .issue(v.service, desk_id="greet-1", needs=",".join(v.needs), print_ticket=False)
            .ticket
        )
        v.ticket_id = ticket.id
        self.after_ticket(v, now)

    def after_ticket(self, v: Visit, now: datetime) -> None:
        if v.kind == "wait":
            v.waiting = True
        elif v.kind == "cancel":
            self.later(now + v.wait, lambda: self.leader().cancel(v.ticket_id or 0, "left"))
        else:
            self.later(now + v.wait, lambda: self.call(v))

    def call(self, v: Visit) -> None:
        now = self.clock.now()
        usable = [
            d
            for d in self.free
            if (d == "room-1") == ("private-room" in v.needs)
            and (d != "room-1" or v.service in ("H", "B"))
        ]
        if not usable:
            self.later(now + timedelta(minutes=1), lambda: self.call(v))
            return
        desk = usable[0]
        self.free.remove(desk)
        queue = self.queue(desk, now)
        called = queue.call(v.ticket_id or 0, desk)
        assert called.desk == desk
        if v.first_contact is None:
            v.first_contact = now
        v.called, v.desk = now, desk
        for n in range(v.recalls):
            self.later(
                now + timedelta(seconds=20 * (n + 1)), lambda: queue.recall(v.ticket_id or 0)
            )
        self.later(now + v.duration, lambda: self.end(v, desk))

    def end(self, v: Visit, desk: str) -> None:
        now = self.clock.now()
        self.free.append(desk)
        queue = self.queue(desk, now)
        if v.kind == "no_show":
            queue.no_show(v.ticket_id or 0)
            v.no_show = now
        elif v.kind == "transfer":
            if "private-room" in v.needs:
                other = "B" if v.service == "H" else "H"
            else:
                other = "C" if v.service != "C" else "W"
            v.service_now = other
            moved = queue.transfer(v.ticket_id or 0, service=other)
            v.ticket_id, v.kind = moved.id, "finish"
            self.later(now + timedelta(minutes=2), lambda: self.call(v))
        else:
            queue.finish(v.ticket_id or 0, v.outcome)
            v.finished, v.finished_outcome = now, v.outcome
            v.person = self.person_at(desk, now)

    # Appointments ------------------------------------------------------------------------------

    def book_appointment(self, rng: random.Random, when: datetime, days: list[date]) -> None:
        def run() -> None:
            now = self.clock.now()
            day = rng.choice(days)
            slots = [
                s
                for s in self.appointments().slots("C", day, 1)
                if s.start > now + timedelta(hours=1)
            ]
            if not slots:
                return
            slot = rng.choice(slots)
            appt = self.appointments().book("C", slot.start, channel="slip", print_to=self.slips)
            plan = rng.choice(["kept"] * 6 + ["missed"] * 2 + ["resident"] * 2 + ["council"] * 2)
            record = Appt(booked=now, start=slot.start, plan=plan, ref=appt.ref)
            self.book.appointments.append(record)
            if plan == "kept":
                self.later(
                    slot.start - timedelta(minutes=rng.randrange(0, 20)),
                    lambda: self.check_in(record, rng),
                )
            elif plan == "missed":
                self.later(slot.start + timedelta(minutes=20), lambda: self.miss(record))
            else:
                span = int((slot.start - now).total_seconds())
                cancel_at = now + timedelta(seconds=rng.randrange(60, max(61, span - 600)))
                self.later(cancel_at, lambda: self.cancel(record, plan))

        self.later(when, run)

    def check_in(self, record: Appt, rng: random.Random) -> None:
        now = self.clock.now()
        ticket = self.appointments().check_in(record.ref)
        record.checked_in = now
        v = Visit(
            arrival=now,
            service="C",
            kind=rng.choice(["finish"] * 8 + ["no_show", "transfer"]),
            channel="appointment",
            wait=timedelta(seconds=rng.randrange(0, 600)),
            duration=timedelta(seconds=rng.randrange(300, 1500)),
            outcome=rng.choice(OUTCOMES),
            ticket_id=ticket.id,
            booked=record.start,
        )
        self.book.visits.append(v)
        self.after_ticket(v, now)

    def miss(self, record: Appt) -> None:
        self.appointments().no_show(record.ref)
        record.no_show = self.clock.now()

    def cancel(self, record: Appt, by: str) -> None:
        now = self.clock.now()
        cancelled = self.appointments().cancel(
            record.ref, by, reason="staff training" if by == "council" else None
        )
        if cancelled.untold_since is not None:  # booked by slip: a person phones them at once
            self.appointments().told(record.ref, "phone")
        record.cancelled, record.by = now, by
        record.notice = notice_days(now, local(record.start).date())


def script_days(office: Office, rng: random.Random, days: list[date], per_day: int) -> None:
    kinds = ["quick"] * 12 + ["finish"] * 60 + ["no_show"] * 8 + ["transfer"] * 8 + ["cancel"] * 5
    for index, day in enumerate(days):
        for _ in range(per_day):
            arrival = at_local(day, 9, 0, 0) + timedelta(seconds=rng.randrange(0, 7 * 3600 + 1800))
            service = rng.choice(SERVICES)
            needs: tuple[str, ...] = ()
            if rng.random() < 0.15:
                needs = (rng.choice([*NEEDS, "interpreter:polish", "interpreter:arabic"]),)
            if service in ("H", "B") and rng.random() < 0.2:
                needs = tuple(sorted({*needs, "private-room"}))
            office.walk_in(
                Visit(
                    arrival=arrival,
                    service=service,
                    kind=rng.choice(kinds),
                    needs=needs,
                    wait=timedelta(seconds=rng.randrange(0, 25 * 60)),
                    duration=timedelta(seconds=rng.randrange(120, 1200)),
                    outcome=rng.choice(["resolved"] * 5 + list(OUTCOMES)),
                    recalls=rng.choice([0, 0, 0, 1, 2]),
                )
            )
        # A couple left waiting at the end of some days.
        if index % 3 == 0:
            office.walk_in(Visit(arrival=at_local(day, 16, 50, index), service="W", kind="wait"))
        # The edges of the standard on the first day: exactly 15:00 is within it, 15:01 is not.
        if index == 0:
            for seconds in (900, 901):
                office.walk_in(
                    Visit(
                        arrival=at_local(day, 9),
                        service="C",
                        kind="finish",
                        wait=timedelta(seconds=seconds),
                    )
                )
        ahead = [d for d in days if day <= d <= day + timedelta(days=9)]
        for n in range(3):
            office.book_appointment(rng, at_local(day, 10, 5 * n), ahead)


# The independent figures ------------------------------------------------------------------------


def half_up_pct(part: int, whole: int) -> float | None:
    if whole == 0:
        return None
    return float((Fraction(part * 100, whole) * 10 + Fraction(1, 2)).__floor__()) / 10


def minutes(value: Fraction | int | None) -> float | None:
    if value is None:
        return None
    return float((Fraction(value) / 6000 + Fraction(1, 2)).__floor__()) / 10


def median_ms(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    mid = Fraction(ordered[n // 2]) if n % 2 else Fraction(ordered[n // 2 - 1] + ordered[n // 2], 2)
    return minutes(mid)


def p90_ms(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-9 * len(ordered) // 10)  # ceil(0.9 n)
    return minutes(ordered[rank - 1])


def status(value: float | None, target: float | None, rule: str) -> str:
    if value is None or rule == "monitored" or target is None:
        return "none"
    if (value > target) if rule == "over" else (value >= target):
        return "green"
    return "amber" if value >= target - 10 else "red"


def in_range(t: datetime | None, first: str, last: str) -> bool:
    d = day_of(t)
    return d is not None and first <= d <= last


def clock_start(v: Visit) -> datetime:
    """When the 15-minute clock started: arrival, or the later of check-in and the booked time."""
    return max(v.arrival, v.booked) if v.booked is not None else v.arrival


def visit_part(books: list[Book], first: str, last: str, sites: list[str]) -> dict[str, Any]:
    visits = [v for b in books for v in b.visits]
    arrived = [v for v in visits if in_range(v.arrival, first, last)]
    # Seen: dealt with at meet-and-greet, or called and came (a no-show did not come).
    seen = [v for v in arrived if v.first_contact is not None and v.no_show is None]
    waits = [max(0, ms(clock_start(v), v.first_contact)) for v in seen if v.first_contact]
    # Walk-outs: not there when called (until that call), or cancelled as left (until then).
    walked = [
        max(0, ms(clock_start(v), v.first_contact))
        for v in arrived
        if v.no_show is not None and v.first_contact is not None
    ]
    walked += [ms(v.arrival, v.arrival + v.wait) for v in arrived if v.kind == "cancel"]
    closed = [v for v in arrived if v.waiting]  # still waiting when the office closed
    on_time = [v for v in seen if v.booked is not None and v.arrival <= v.booked]
    punctual = sum(
        1
        for v in on_time
        if v.booked and v.first_contact and ms(v.booked, v.first_contact) <= 300_000
    )
    finished = [v for v in visits if in_range(v.finished, first, last)]
    at_desk = [v for v in finished if not v.quick]
    fcr = [v for v in finished if v.finished_outcome in ("resolved", "signposted")]
    days = [
        date.fromisoformat(first) + timedelta(days=i)
        for i in range((date.fromisoformat(last) - date.fromisoformat(first)).days + 1)
    ]
    by_hour = {f"{h:02d}": 0 for h in range(9, 17)} if any(d.weekday() < 5 for d in days) else {}
    for v in arrived:
        key = f"{local(v.arrival).hour:02d}"
        by_hour[key] = by_hour.get(key, 0) + 1
    needs = {n: 0 for n in KNOWN_NEEDS}
    for v in arrived:
        for n in v.needs:
            needs["interpreter" if n.startswith("interpreter:") else n] += 1
    desks: dict[str, dict[str, Any]] = {}
    for site, book in zip(sites, books, strict=True):
        for desk in DESKS:
            times = [
                ms(v.called, v.finished)
                for v in book.visits
                if in_range(v.finished, first, last) and v.desk == desk and v.called and v.finished
            ]
            desks[desk if len(books) == 1 else f"{site}/{desk}"] = {
                "served": len(times),
                "service_median_minutes": median_ms(times),
                "service_total_minutes": minutes(sum(times)),
            }
    advisers: dict[str, dict[str, Any]] = {}
    for person in sorted({v.person for v in at_desk if v.person}):
        times = [
            ms(v.called, v.finished)
            for v in at_desk
            if v.person == person and v.called and v.finished
        ]
        advisers[person] = {
            "name": NAMES[person],
            "served": len(times),
            "service_median_minutes": median_ms(times),
        }
    within = sum(1 for w in waits if w <= TARGET_MS)
    after = sum(1 for w in walked if w > TARGET_MS)
    measured = len(seen) + after + len(closed)
    codes = sorted(SERVICES)
    zero = {"total": 0, "by_service": dict.fromkeys(codes, 0)}
    signposted = [
        v.service_now or v.service for v in finished if v.finished_outcome == "signposted"
    ]
    unrecorded = {
        "total": len(signposted),
        "by_service": {code: signposted.count(code) for code in codes},
    }
    return {
        "visits": len(arrived),
        "walk_ins": sum(v.channel == "walk_in" for v in arrived),
        "appointment_visits": sum(v.channel == "appointment" for v in arrived),
        "served": len(at_desk),
        "quick_visits": sum(v.quick for v in finished),
        "no_shows": sum(in_range(v.no_show, first, last) for v in visits),
        "seen": len(seen),
        "seen_within_target": within,
        "walked_out_after_target": after,
        "left_before_target": len(walked) - after,
        "closed_unseen": len(closed),
        "measured": measured,
        "within_15_min_pct": half_up_pct(within, measured),
        "issued_in_error": 0,
        "not_yet_seen": 0,
        "wait_median_minutes": median_ms(waits),
        "wait_p90_minutes": p90_ms(waits),
        "appointments_seen_on_time": len(on_time),
        "appointments_punctual": punctual,
        "appointment_punctuality_pct": half_up_pct(punctual, len(on_time)),
        "appointments_checked_in_late": sum(
            1 for v in seen if v.booked is not None and v.arrival > v.booked
        ),
        "finished": len(finished),
        "finished_first_contact": len(fcr),
        "first_contact_resolution_pct": half_up_pct(len(fcr), len(finished)),
        "outcomes": {o: sum(v.finished_outcome == o for v in finished) for o in OUTCOMES},
        # One service per finished visit: the script adds no service at a desk and books no
        # appointment from a visit (tests/test_counter.py does both).
        "services_delivered": len(finished),
        "appointments_arranged": 0,
        "by_hour": by_hour,
        "by_service": {s: sum(v.service == s for v in arrived) for s in sorted(SERVICES)},
        "by_site": site_arrivals(books, sites, first, last),
        "desks": desks,
        "advisers": advisers,
        "adjustments": needs,
        "satisfaction": {
            "answers": 0,
            "satisfied": 0,
            "satisfied_pct": None,
            "declined": 0,
            "by_rating": dict.fromkeys("12345", 0),
            "by_service": {},
        },
        "flags": {
            "urgent": zero,
            "repeat_contact": zero,
            "repeat_ticked": zero,
            "without_documents": zero,
            "assisted_digital": zero,
            "avoidable": zero,
            # The script says no destination: its signposted visits are "not recorded", each
            # under the service it was finished in.
            "signposted_to": dict.fromkeys(DEFAULT_ORGANISATIONS, zero)
            | {"not_recorded": unrecorded},
        },
    }


def closed_said(day: date) -> str | None:
    """Why the script's offices were closed on ``day`` (open Monday to Friday; no bank holiday
    falls in its weeks), as the reports say it; None on a day they opened."""
    return f"a {day:%A}" if day.weekday() >= 5 else None


def expected_daily(
    books: list[Book], sites: list[str], day: date, site: str | None
) -> dict[str, Any]:
    key = day.isoformat()
    part = visit_part(books, key, key, sites)
    weeks = []
    for n in range(1, 5):
        earlier = (day - timedelta(weeks=n)).isoformat()
        p = visit_part(books, earlier, earlier, sites)
        weeks.append(
            {
                "date": earlier,
                **{
                    k: p[k]
                    for k in (
                        "visits",
                        "served",
                        "no_shows",
                        "within_15_min_pct",
                        "first_contact_resolution_pct",
                        "wait_median_minutes",
                        "wait_p90_minutes",
                    )
                },
                "recorded": earlier >= RECORDS_BEGIN,
                # Open Monday to Friday: a weekend day says so, whoever came.
                "closed": closed_said(date.fromisoformat(earlier)),
            }
        )
    by_hour = part["by_hour"]
    busiest = max(sorted(by_hour), key=lambda h: by_hour[h], default=None)
    return {
        "date": key,
        "recorded": key >= RECORDS_BEGIN,  # always: a day before it is refused
        "records_begin": RECORDS_BEGIN,
        # Open Monday to Friday; no bank holiday in the script's weeks.
        "closed": f"a {day:%A}" if day.weekday() >= 5 and not part["visits"] else None,
        "site": site,
        "sites": sites,
        "sites_left": {},  # no site left the configuration in the script
        "target_minutes": 15,
        **part,
        "still_waiting": 0,  # closed with the office
        "busiest_hour": busiest if busiest and by_hour[busiest] else None,
        "followups": {kind: {"due_today": 0, "overdue": 0} for kind in FOLLOWUP_KINDS},
        "standards": standards(part, None),
        "previous_weeks": weeks,
    }


def site_arrivals(books: list[Book], sites: list[str], first: str, last: str) -> dict[str, int]:
    return {
        site: sum(in_range(v.arrival, first, last) for v in book.visits)
        for site, book in zip(sites, books, strict=True)
    }


def standard_values(part: dict[str, Any], month: dict[str, Any] | None) -> dict[str, Any]:
    """Every standard's figure, by key, in the report's order."""
    values: dict[str, Any] = {
        "within_15_min": part["within_15_min_pct"],
        "first_contact": part["first_contact_resolution_pct"],
        "appointment_punctuality": part["appointment_punctuality_pct"],
        "satisfied": part["satisfaction"]["satisfied_pct"],
    }
    if month is not None:
        values |= {
            "appointments_kept": month["appointments_kept_pct"],
            "council_notice": month["council_notice_pct"],
            "calls_within_20s": None,
            "calls_within_45s": None,
        }
    return values


TARGETS = {
    "within_15_min": (80, "over"),
    "first_contact": (80, "at_least"),
    "appointment_punctuality": (None, "monitored"),
    "satisfied": (80, "at_least"),
    "appointments_kept": (None, "monitored"),
    "council_notice": (100, "at_least"),
    "calls_within_20s": (80, "at_least"),
    "calls_within_45s": (90, "at_least"),
}


def standards(part: dict[str, Any], month: dict[str, Any] | None) -> list[dict[str, Any]]:
    rules = ReportRules()
    labels = {
        m.key: label for m, label in rules.measures(appointments=True, calls=True)
    }  # the words are the scorecard's; every value and status is counted here
    return [
        {
            "key": k,
            "label": labels[k],
            "value": value,
            "target": TARGETS[k][0],
            "rule": TARGETS[k][1],
            "status": status(value, TARGETS[k][0], TARGETS[k][1]),
            "definition": rules.definition(k),
        }
        for k, value in standard_values(part, month).items()
    ] + ([repeat_standard(part), *FOLLOWUP_STANDARDS] if month is not None else [])


def repeat_share(part: dict[str, Any]) -> float | None:
    """This script marks no visit as a repeat contact: 0.0% of the visits (none: no figure)."""
    return 0.0 if part["visits"] else None


def repeat_standard(part: dict[str, Any]) -> dict[str, Any]:
    """Repeat contact, against October 2025: no records then (the office began in 2026)."""
    return {
        "key": "repeat_contact",
        "label": REPEAT_CONTACT_LABEL,
        "value": repeat_share(part),
        "target": None,
        "rule": "down",
        "status": "none",
        "definition": REPEAT_CONTACT_DEFINITION,
        "baseline": None,
        "baseline_recorded": False,
        "baseline_from": None,
        "baseline_to": None,
    }


_SAID = followup_definitions(ringback_days=1, acknowledge_days=5, respond_days=15)


def _followup_standard(key: str, label: str, target: int | None, rule: str) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "value": None,
        "target": target,
        "rule": rule,
        "status": "none",
        "definition": _SAID[key],
    }


# This month made no follow-ups (tests/test_followups_month.py scripts those).
FOLLOWUP_STANDARDS = [
    _followup_standard(
        "ringbacks_in_time", "Ring-backs returned in 1 working day", 100, "at_least"
    ),
    _followup_standard("referrals_in_sla", "Referrals done within SLA", None, "monitored"),
    _followup_standard(
        "complaints_acknowledged", "Complaints acknowledged in 5 working days", 100, "at_least"
    ),
    _followup_standard(
        "complaints_answered", "Complaints answered in 15 working days", 100, "at_least"
    ),
    _followup_standard(
        "justified_about_staff", "Justified complaints about staff (under 2%)", None, "monitored"
    ),
    _followup_standard(
        "unequal_service",
        "Complaints about unequal or impolite service (under 2%)",
        None,
        "monitored",
    ),
]


FOLLOWUP_KINDS = ("ringback", "referral", "comment", "compliment", "complaint")
CATEGORIES = {
    "service": "Quality of service",
    "delay": "Delay or no reply",
    "policy": "Council policy or decision",
    "unequal": "Unequal or impolite service",
    "staff": "About a member of staff",
    "other": "Other",
}


def no_followups() -> dict[str, Any]:
    """The monthly ``followups`` of a month without any (the default categories, no back
    offices configured)."""
    none = {"met": 0, "missed": 0, "pending": 0, "pct": None}
    outcomes = {"justified": 0, "partly": 0, "not-justified": 0}
    return {
        "ringbacks": {
            "received": 0,
            "done": 0,
            "unreachable": 0,
            "open": 0,
            "returned_in_time": none,
            "within_1_working_day_pct": None,
        },
        "referrals": {
            "received": 0,
            "done": 0,
            "open": 0,
            "within_sla": none,
            "within_sla_pct": None,
            "by_back_office": {},
        },
        "on_the_record": {
            "comments": 0,
            "compliments": 0,
            "complaints": 0,
            "complaints_acknowledged": none,
            "complaints_acknowledged_within_5_pct": None,
            "complaints_answered": none,
            "complaints_answered_within_15_pct": None,
            "all_acknowledged": none,
            "all_answered": none,
            "by_category": {
                key: {"name": name, "comment": 0, "compliment": 0, "complaint": 0, **outcomes}
                for key, name in CATEGORIES.items()
            },
            "by_outcome": outcomes,
            "by_channel": {v: 0 for v in ("in-person", "phone", "letter", "email", "web")},
            "by_stage": {"1": 0, "2": 0},
            "complaints_decided": 0,
            "justified_about_staff": 0,
            "justified_about_staff_pct": None,
            "unequal_or_impolite": 0,
            "unequal_or_impolite_pct": None,
            "action_taken": 0,
        },
    }


def appointment_part(books: list[Book], first: str, last: str) -> dict[str, Any]:
    appts = [a for b in books for a in b.appointments]
    kept = sum(in_range(a.checked_in, first, last) for a in appts)
    missed = sum(in_range(a.no_show, first, last) for a in appts)
    cancelled = [a for a in appts if in_range(a.cancelled, first, last)]
    council = [a for a in cancelled if a.by == "council"]
    buckets = {"0": 0, "1": 0, "2": 0, "3-4": 0, "5+": 0}
    for a in council:
        n = a.notice or 0
        buckets[str(n) if n <= 2 else "3-4" if n <= 4 else "5+"] += 1
    with_notice = sum((a.notice or 0) >= 1 for a in council)
    return {
        "appointments_booked": sum(in_range(a.booked, first, last) for a in appts),
        "appointments_kept": kept,
        "appointments_no_show": missed,
        "appointments_kept_pct": half_up_pct(kept, kept + missed),
        "appointments_cancelled": {
            "council": len(council),
            "resident": sum(a.by == "resident" for a in cancelled),
        },
        "council_cancellations": {
            "total": len(council),
            "with_notice": with_notice,
            "breaches": len(council) - with_notice,
            "with_notice_pct": half_up_pct(with_notice, len(council)),
            "notice_days": buckets,
        },
        "council_moves": {
            "total": 0,
            "with_notice": 0,
            "breaches": 0,
            "with_notice_pct": None,
            "notice_days": {"0": 0, "1": 0, "2": 0, "3-4": 0, "5+": 0},
        },
        "council_notice_pct": half_up_pct(with_notice, len(council)),
    }


def month_range(month: str) -> tuple[str, str, list[date]]:
    year, number = int(month[:4]), int(month[5:])
    first = date(year, number, 1)
    last = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
    days = [first + timedelta(days=i) for i in range(last.day)]
    return first.isoformat(), last.isoformat(), days


def expected_monthly(
    books: list[Book], sites: list[str], month: str, site: str | None, today: str = "9999-12-31"
) -> dict[str, Any]:
    """``today``: a month still going on then is reported to date (its days to today)."""
    first, last, days = month_range(month)
    part = visit_part(books, first, last, sites)
    by_day = {
        d.isoformat(): visit_part(books, d.isoformat(), d.isoformat(), sites)["visits"]
        for d in days
        if d.isoformat() <= today
    }
    appts = appointment_part(books, first, last)
    trend = []
    year, number = int(month[:4]), int(month[5:])
    for back in range(11, -1, -1):
        index = year * 12 + number - 1 - back
        key = f"{index // 12:04d}-{index % 12 + 1:02d}"
        start, end, _ = month_range(key)
        p = visit_part(books, start, end, sites)
        a = appointment_part(books, start, end)
        trend.append(
            {
                "month": key,
                "visits": p["visits"],
                "within_15_min_pct": p["within_15_min_pct"],
                "first_contact_resolution_pct": p["first_contact_resolution_pct"],
                "appointments_booked": a["appointments_booked"],
                "appointments_kept": a["appointments_kept"],
                "appointments_no_show": a["appointments_no_show"],
                "standards": {**standard_values(p, a), "repeat_contact": repeat_share(p)},
                "recorded": end >= RECORDS_BEGIN,
                # a month begun before the records begin is said to be a part month
                "records_from": RECORDS_BEGIN if start < RECORDS_BEGIN <= end else None,
            }
        )
    busiest = max(sorted(by_day), key=lambda d: by_day[d])
    return {
        "month": month,
        "to_date": today if today < str(last) else None,  # a month going on: to date
        "recorded": str(last) >= RECORDS_BEGIN,  # always: a month before it is refused
        "records_begin": RECORDS_BEGIN,
        "site": site,
        "sites": sites,
        "sites_left": {},
        "target_minutes": 15,
        **part,
        "by_day": by_day,
        "closed_days": {
            d: why for d in by_day if (why := closed_said(date.fromisoformat(d))) is not None
        },
        "busiest_day": busiest if by_day[busiest] else None,
        **appts,
        "followups": no_followups(),
        "standards": standards(part, appts),
        "calls": None,
        "trend": trend,
    }


# The tests --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("month")
    office = Office(tmp, "hq", "Civic Centre")
    rng = random.Random(20261001)
    script_days(office, rng, weekdays(date(2026, 9, 21), date(2026, 9, 30)), 8)
    script_days(office, rng, weekdays(date(2026, 10, 1), date(2026, 10, 30)), 14)
    office.run()
    office.clock.set(datetime(2026, 11, 2, 8, tzinfo=UTC))
    yield office
    office.close()


def day_head(db: Path, day: date) -> dict[str, Any] | None:
    """The day's head as this test reads it: the day's last event and the hash it stores."""
    conn = sqlite3.connect(db)
    try:
        last = conn.execute(
            "SELECT id, hash FROM events WHERE business_day = ? ORDER BY id DESC LIMIT 1",
            [day.isoformat()],
        ).fetchone()
    finally:
        conn.close()
    return None if last is None else {"event": last[0], "sha256": bytes(last[1]).hex()}


def test_every_daily_figure_of_the_month(month: Office) -> None:
    book = month.book
    # The script did what it meant to: every kind of event, on both sides of the clock change.
    visits = book.visits
    assert len(visits) > 300
    assert all(any(getattr(v, f) for v in visits) for f in ("quick", "no_show", "waiting", "needs"))
    assert any(v.channel == "appointment" and v.finished for v in visits)
    assert {a.by for a in book.appointments} == {None, "council", "resident"}
    assert {a.notice for a in book.appointments if a.by == "council"} >= {0, 1}
    assert any(v.arrival.hour + 1 == local(v.arrival).hour for v in visits)  # BST
    assert any(v.arrival.hour == local(v.arrival).hour for v in visits)  # GMT
    reports = ReportService(month.session)
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(31)]
    for day in days:
        got = daily_json(reports.daily(day.isoformat()))
        head = got.pop("event_log_head")
        assert got == expected_daily([book], ["hq"], day, "hq"), day
        assert head == day_head(month.db, day), day
    # Within the target sits on the right side of 15:00 exactly.
    first = daily_json(reports.daily("2026-10-01"))
    assert 0 < first["seen_within_target"] < first["seen"]


def test_every_monthly_figure(month: Office) -> None:
    reports = ReportService(month.session)
    for key in ("2026-09", "2026-10", "2026-11"):
        got = monthly_json(reports.monthly(key))
        today = month.clock.now().date().isoformat()
        assert got == expected_monthly([month.book], ["hq"], key, "hq", today), key
    october = monthly_json(reports.monthly("2026-10"))
    # Months with data in the trend; the standards rated; notice buckets used.
    assert [m["visits"] > 0 for m in october["trend"]] == [False] * 10 + [True, True]
    assert sum(october["council_cancellations"]["notice_days"].values()) > 0
    assert october["appointments_kept"] > 0 and october["appointments_no_show"] > 0
    assert {s["status"] for s in october["standards"]} - {"none"}


def test_two_offices_add_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts add, and percentages and percentiles come from the combined raw data."""
    days = weekdays(date(2026, 10, 12), date(2026, 10, 16))
    offices = []
    for n, (site, name) in enumerate((("hq", "Civic Centre"), ("north", "North Office"))):
        office = Office(tmp_path, site, name)
        script_days(office, random.Random(n), days, 6 + 6 * n)
        office.run()
        office.clock.set(datetime(2026, 11, 2, 8, tzinfo=UTC))
        offices.append(office)
    main, other = offices
    books = [o.book for o in offices]
    with ReportService(main.session, include=[other.db]) as reports:
        for day in days:
            got = daily_json(reports.daily(day))
            head = got.pop("event_log_head")  # this office's own log (the other is read-only)
            assert head is not None and head["event"] > 0
            assert got == expected_daily(books, ["hq", "north"], day, None), day
        assert monthly_json(reports.monthly("2026-10")) == expected_monthly(
            books, ["hq", "north"], "2026-10", None
        )
        one = daily_json(reports.daily(days[0], "north"))
        assert one["visits"] == sum(
            day_of(v.arrival) == days[0].isoformat() for v in other.book.visits
        )
        combined = monthly_json(reports.monthly("2026-10"))
    alone = [monthly_json(ReportService(o.session).monthly("2026-10")) for o in offices]
    # Counts add up (the percentages above were checked against the combined raw data).
    assert combined["visits"] == alone[0]["visits"] + alone[1]["visits"]
    main.close()
    other.close()
    # The same through the command line, the other office opened read-only.
    cli = Cli(main.db, monkeypatch)
    before = other.db.read_bytes()
    result = cli(
        "report",
        "monthly",
        "--month",
        "2026-10",
        "--include",
        str(other.db),
        "--format",
        "json",
        now="2026-11-02T09:00:00Z",
    )
    assert result.code == 0, result.err
    assert result.json() == {**combined}
    assert other.db.read_bytes() == before
    # A copy of this office, or another office with the same site id, would be counted twice or
    # merged: both are refused in one line.
    copy = tmp_path / "copy.sqlite"
    assert cli("db", "backup", "--to", str(copy), now="2026-11-02T09:00:00Z").code == 0
    twice = cli("report", "daily", "--include", str(copy), now="2026-11-02T09:00:00Z")
    assert twice.code == 2 and "a copy of this office's database" in twice.err
    (tmp_path / "namesake").mkdir()
    namesake = Office(tmp_path / "namesake", "hq", "Another Civic Centre")
    namesake.close()
    clash = cli("report", "daily", "--include", str(namesake.db), now="2026-11-02T09:00:00Z")
    assert clash.code == 2 and "two of the offices use the site id 'hq'" in clash.err
    assert clash.err.count("\n") == 1


def test_text_and_csv_show_the_same_figures(month: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import io

    cli = Cli(month.db, monkeypatch)
    now = "2026-11-02T09:00:00Z"
    figures = cli("report", "monthly", "--month", "2026-10", "--format", "json", now=now).json()
    table = list(
        csv.reader(
            io.StringIO(
                cli("report", "monthly", "--month", "2026-10", "--format", "csv", now=now).out
            )
        )
    )
    assert table[0] == ["section", "key", "value"]
    cells = {(section, key): value for section, key, value in table[1:]}
    assert len(cells) == len(table) - 1  # no key twice
    assert cells[("summary", "visits")] == str(figures["visits"])
    assert cells[("summary", "calls")] == ""
    assert cells[("desks", "desk-1.served")] == str(figures["desks"]["desk-1"]["served"])
    assert cells[("advisers", "ana.name")] == "Ana Adviser"
    assert cells[("council_cancellations", "notice_days.3-4")] == str(
        figures["council_cancellations"]["notice_days"]["3-4"]
    )
    assert cells[("standards", "within_15_min.status")] == figures["standards"][0]["status"]
    assert cells[("trend", "2026-10.visits")] == str(figures["visits"])
    assert cells[("by_day", "2026-10-26")] == str(figures["by_day"]["2026-10-26"])

    text = cli("report", "monthly", "--month", "2026-10", now=now).out
    assert text.startswith("Monthly dashboard: Civic Centre, October 2026\n")
    within = figures["standards"][0]
    words = {"green": "GREEN, met", "amber": "AMBER", "red": "RED", "none": ""}[within["status"]]
    line = next(x for x in text.splitlines() if "Seen within 15 minutes of arriving" in x)
    assert f"{within['value']:.1f}%" in line and words in line
    assert "The last 12 months" in text and "    2026-10 " in text
    daily = cli("report", "daily", "--date", "2026-10-26", now=now)
    assert daily.code == 0, daily.err
    assert "Daily footfall summary: Civic Centre, Monday 26 October 2026" in daily.out
    assert "The same day in previous weeks (Mondays)" in daily.out
    assert "    2026-10-19 " in daily.out


def test_amber_points_setting(month: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """``reports.amber_points`` decides where amber ends (here from the environment)."""
    cli = Cli(month.db, monkeypatch)
    args = ("report", "monthly", "--month", "2026-10", "--format", "json")
    now = "2026-11-02T09:00:00Z"
    for points in (0, 10, 30):
        figures = cli(*args, now=now, env={"OSS_DESK_REPORTS__AMBER_POINTS": str(points)}).json()
        for s in figures["standards"]:
            value, target = s["value"], s["target"]
            if value is None or target is None:
                assert s["status"] == "none"
            elif (value > target) if s["rule"] == "over" else (value >= target):
                assert s["status"] == "green"
            else:
                assert s["status"] == ("amber" if value >= target - points else "red"), (points, s)
    statuses = {
        points: [
            s["status"]
            for s in cli(
                *args, now=now, env={"OSS_DESK_REPORTS__AMBER_POINTS": str(points)}
            ).json()["standards"]
        ]
        for points in (0, 100)
    }
    assert statuses[0] != statuses[100]  # some standard is missed in the scripted month


# The JSON contract ------------------------------------------------------------------------------

DAILY_KEYS = [
    "date",
    "recorded",
    "records_begin",
    "closed",
    "site",
    "sites",
    "sites_left",
    "target_minutes",
    "visits",
    "walk_ins",
    "appointment_visits",
    "served",
    "quick_visits",
    "no_shows",
    "still_waiting",
    "seen",
    "seen_within_target",
    "walked_out_after_target",
    "left_before_target",
    "closed_unseen",
    "measured",
    "within_15_min_pct",
    "issued_in_error",
    "not_yet_seen",
    "wait_median_minutes",
    "wait_p90_minutes",
    "appointments_seen_on_time",
    "appointments_punctual",
    "appointment_punctuality_pct",
    "appointments_checked_in_late",
    "finished",
    "finished_first_contact",
    "first_contact_resolution_pct",
    "outcomes",
    "services_delivered",
    "appointments_arranged",
    "by_hour",
    "by_service",
    "by_site",
    "desks",
    "advisers",
    "adjustments",
    "satisfaction",
    "flags",
    "busiest_hour",
    "followups",
    "standards",
    "previous_weeks",
    "event_log_head",
]
_WAITS = DAILY_KEYS[DAILY_KEYS.index("seen") : DAILY_KEYS.index("by_hour")]
_WHERE = DAILY_KEYS[DAILY_KEYS.index("by_hour") : DAILY_KEYS.index("busiest_hour")]
MONTHLY_KEYS = [
    "month",
    "to_date",
    *(key for key in DAILY_KEYS[1:14] if key != "closed"),
    *_WAITS,
    "by_day",
    "closed_days",
    "busiest_day",
    *_WHERE,
    "appointments_booked",
    "appointments_kept",
    "appointments_no_show",
    "appointments_kept_pct",
    "appointments_cancelled",
    "council_cancellations",
    "council_moves",
    "council_notice_pct",
    "followups",
    "standards",
    "calls",
    "trend",
]
STANDARD_KEYS = ["key", "label", "value", "target", "rule", "status", "definition"]
BASELINE_KEYS = ["baseline", "baseline_recorded", "baseline_from", "baseline_to"]
"""A standard rated against a year before (rule ``down``) says that year's figure too."""
DESK_KEYS = ["served", "service_median_minutes", "service_total_minutes"]
ADVISER_KEYS = ["name", "served", "service_median_minutes"]
WEEK_KEYS = [
    "date",
    "visits",
    "served",
    "no_shows",
    "within_15_min_pct",
    "first_contact_resolution_pct",
    "wait_median_minutes",
    "wait_p90_minutes",
    "recorded",
    "closed",
]
TREND_KEYS = [
    "month",
    "visits",
    "within_15_min_pct",
    "first_contact_resolution_pct",
    "appointments_booked",
    "appointments_kept",
    "appointments_no_show",
    "standards",
    "recorded",
    "records_from",
]


def keys_in_order(figures: dict[str, Any], daily: bool) -> None:
    """Every object of the report's JSON has the documented keys, in the documented order."""
    assert list(figures) == (DAILY_KEYS if daily else MONTHLY_KEYS)
    assert list(figures["outcomes"]) == list(OUTCOMES)
    assert all(
        list(s) == STANDARD_KEYS + (BASELINE_KEYS if s["rule"] == "down" else [])
        for s in figures["standards"]
    )
    assert all(list(d) == DESK_KEYS for d in figures["desks"].values())
    assert all(list(a) == ADVISER_KEYS for a in figures["advisers"].values())
    if daily:
        assert [list(w) for w in figures["previous_weeks"]] == [WEEK_KEYS] * 4
        return
    assert list(figures["appointments_cancelled"]) == ["council", "resident"]
    assert list(figures["council_cancellations"]) == [
        "total",
        "with_notice",
        "breaches",
        "with_notice_pct",
        "notice_days",
    ]
    assert list(figures["council_cancellations"]["notice_days"]) == ["0", "1", "2", "3-4", "5+"]
    assert [list(t) for t in figures["trend"]] == [TREND_KEYS] * 12


def test_the_json_output_keeps_its_keys_order_and_values(
    month: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report daily|monthly --format json`` as scripts read it: the keys of every object in
    their order, and every value as this test counted it from what it did."""
    cli = Cli(month.db, monkeypatch)
    now = "2026-11-02T09:00:00Z"
    for day in (date(2026, 10, 26), date(2026, 10, 1)):
        result = cli("report", "daily", "--date", day.isoformat(), "--format", "json", now=now)
        assert result.code == 0, result.err
        assert result.out.count("\n") == 1  # one JSON value on one line
        figures = result.json()
        keys_in_order(figures, daily=True)
        assert figures.pop("event_log_head") == day_head(month.db, day)
        assert figures == expected_daily([month.book], ["hq"], day, "hq")
    result = cli("report", "monthly", "--month", "2026-10", "--json", now=now)
    assert result.code == 0, result.err
    figures = result.json()
    keys_in_order(figures, daily=False)
    assert figures == expected_monthly([month.book], ["hq"], "2026-10", "hq")
