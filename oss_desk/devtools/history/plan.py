"""What a generated history is made of: its offices, desks and staff (the demo site's
configuration, one office per plan), the mix of services, outcomes and arrivals, and the
options of ``oss-desk history generate``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from oss_desk.config import Settings, build_settings
from oss_desk.errors import InvalidInput
from oss_desk.services.site import demo_document

GENERATOR_VERSION = 3
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
    # The history has no desk logins (like desk status changes, they are left out): its open
    # desks call whether or not anyone logged in.
    doc["queue"] = {**doc.get("queue", {}), "staffed_desks_only": False}
    return doc


def history_settings(sites: int, visits_per_day: int, folder: Path) -> Settings:
    plans = site_plans(sites, visits_per_day)
    return build_settings(history_document(plans, folder), "generated history")
