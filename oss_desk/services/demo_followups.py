"""The demo's follow-ups: the ring-backs and referrals its visits promised, worked the way an
office works them (most on time, some late, a few residents never reached, the newest still
open), and a handful of comments, compliments and complaints acknowledged and answered.

Made through the real follow-up services with the simulated clock, so every figure and event
is what the desks would have left behind."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, time, timedelta

from oss_desk.clock import FixedClock, format_instant, read_instant
from oss_desk.domain.calendar import zone
from oss_desk.domain.followups import Followup, Kind
from oss_desk.domain.models import Actor
from oss_desk.errors import OssDeskError
from oss_desk.services.followups import FollowupService, Request
from oss_desk.services.session import Session
from oss_desk.storage.followups import visits_to_follow_up

OFFICE_FOR = {"C": "revenues", "B": "benefits", "H": "housing", "W": "waste"}
RECORDS = [
    ("compliment", "service", "in-person", None),
    ("complaint", "delay", "email", "partly"),
    ("comment", "policy", "web", None),
    ("compliment", "service", "letter", None),
    ("complaint", "staff", "phone", "not-justified"),
    ("complaint", "unequal", "in-person", "justified"),
    ("comment", "service", "in-person", None),
    ("compliment", "staff", "email", None),
    ("complaint", "service", "letter", None),
]


def populate_followups(
    session: Session, clock: FixedClock, rng: random.Random, since: datetime, now: datetime
) -> int:
    """Follow-ups for the visits finished since ``since`` that promised one, and a few
    records; returns how many were made."""
    site = session.site()
    tz = zone(site.timezone)
    people = {d.id: d.person for d in session.settings.desks if d.person}
    leader = next((s.id for s in session.settings.staff if s.role.value == "team-leader"), "demo")
    offices = [b.id for b in session.settings.followups.back_offices]
    made: list[tuple[Followup, FollowupService]] = []
    for number, (_visit, finished, outcome, service, desk) in enumerate(
        visits_to_follow_up(session.store.conn, format_instant(since))
    ):
        if outcome == "referred" and not offices:
            continue
        svc = _as(session, Actor(people.get(desk, "demo"), desk))
        clock.set(read_instant(finished))
        request = Request(
            kind=Kind.RINGBACK if outcome == "callback" else Kind.REFERRAL,
            service=service,
            name=f"Demo Resident {number + 1}",
            phone=f"07700 900{number % 1000:03d}",
            back_office=OFFICE_FOR.get(service, offices[0] if offices else None),
            topic="Wants a call about a letter" if outcome == "callback" else None,
        )
        try:
            made.append((svc.add(request).followup, svc))
        except OssDeskError:
            continue
    # Received from the first day of the demo's history, as everything else it holds: an
    # office's records begin on one day (a comment received before it would make the months
    # before its first visitor months of records, of no visits).
    start = since.replace(hour=0, minute=0, second=0, microsecond=0)
    span = max(1, (now - start).days)
    for index, (kind, category, via, finding) in enumerate(RECORDS):
        clock.set(start + timedelta(days=span * index / len(RECORDS), hours=10))
        svc = _as(session, Actor(leader))
        record = svc.add(Request(kind=kind, category=category, via=via)).followup
        made.append((record, svc))
        _answer(svc, clock, rng, record, finding, now, tz.key)
    for followup, svc in made:
        if not followup.kind.on_the_record:
            _work(svc, clock, rng, followup, now, tz.key)
    clock.set(now)
    return len(made)


def _as(session: Session, actor: Actor) -> FollowupService:
    return FollowupService(dataclasses.replace(session, actor=actor), actor)


def _at(day: date, rng: random.Random, timezone: str) -> datetime:
    return datetime.combine(day, time(10 + rng.randrange(6), rng.randrange(60)), zone(timezone))


def _work(
    svc: FollowupService,
    clock: FixedClock,
    rng: random.Random,
    f: Followup,
    now: datetime,
    timezone: str,
) -> None:
    days = svc.clock_of(svc.s.directory.sites[f.site_id]).workdays
    roll = rng.random()
    if f.kind is Kind.RINGBACK:
        # Half the same day, most of the rest by the end of the next working day, a tenth late.
        if roll < 0.5:
            day = f.start_day
        elif roll < 0.9:
            day = f.due_day
        else:
            day = days.add(f.due_day, 1 + rng.randrange(2))
        when = max(_at(day, rng, timezone), f.received_at + timedelta(minutes=20))
        if when >= now:
            return
        clock.set(when)
        svc.take(f.id)
        if rng.random() < 0.08:
            for result in ("no-answer", "voicemail"):
                svc.attempt(f.id, result)
            svc.done(f.id, unreachable=True)
        else:
            svc.done(f.id)
        return
    received = _at(days.add(f.start_day, 1), rng, timezone)
    if received >= now:
        return
    clock.set(received)
    svc.acknowledge(f.id)
    late = roll > 0.85
    day = (
        days.add(f.due_day, 1 + rng.randrange(3))
        if late
        else days.add(f.due_day, -rng.randrange(2))
    )
    when = max(_at(day, rng, timezone), received + timedelta(hours=1))
    if when < now:
        clock.set(when)
        svc.done(f.id)


def _answer(
    svc: FollowupService,
    clock: FixedClock,
    rng: random.Random,
    f: Followup,
    finding: str | None,
    now: datetime,
    timezone: str,
) -> None:
    days = svc.clock_of(svc.s.directory.sites[f.site_id]).workdays
    acknowledged = _at(days.add(f.start_day, 2 + rng.randrange(4)), rng, timezone)
    if acknowledged >= now:
        return
    clock.set(acknowledged)
    svc.acknowledge(f.id)
    answered = _at(days.add(f.start_day, 9 + rng.randrange(8)), rng, timezone)
    if answered >= now or (f.kind is Kind.COMPLAINT and finding is None):
        return
    clock.set(answered)
    complaint = f.kind is Kind.COMPLAINT
    action = ACTIONS.get(finding or "") if complaint else None
    svc.respond(
        f.id,
        finding=finding if complaint else None,
        action_taken=("yes" if action else "no") if complaint else None,
        action=action,
    )


ACTIONS = {
    "justified": "Reminded the team of the standard",
    "partly": "Explained the decision again and apologised for the delay",
}
"""What was done as a result of a complaint found justified or partly justified (one not
justified: nothing); an action taken is always said, as the desk's answer form requires."""
