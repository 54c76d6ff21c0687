"""The raw material of the reports, as read from one office's event log.

A :class:`DayTally` is what one office's event log says of one site's business day: counts, and
the raw waits and service times behind every percentile. Tallies add up (:meth:`DayTally.merge`):
counts are summed and raw values are concatenated, so a month, a quarter, a year or several
offices are computed from the combined data, never from averages. A closed day's tally is stored
once in the daily rollup (:mod:`oss_desk.storage.rollup`, as :meth:`DayTally.plain`) and read
back after that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from oss_desk.domain.calendar import REPEAT
from oss_desk.domain.models import Outcome
from oss_desk.domain.standards import (
    VisitEnd,
    VisitFacts,
    appointment_wait,
    classify_visit,
    is_first_contact,
)

ArrivalKey = tuple[str, str, int, str, str]
"""(business day, site, local hour, service code, channel); the second time round of an hour
that comes twice in a day (the clocks going back) is keyed apart, its hour plus
:data:`~oss_desk.domain.calendar.REPEAT`."""
DeskKey = tuple[str, str, str]
"""(site, desk, person who finished)."""

SIGNPOSTED_NOT_RECORDED = "not_recorded"
"""Where a visit finished signposted was sent when its finish did not say (the README's own
``visit quick`` example has no ``--to``): its place among the organisations signposted to, so
that they add up to the outcome. Not an organisation id: those are configured, and reported
before it."""


def signposted_flag(outcome: str | None, signposted_to: str | None) -> str | None:
    """The flag a finish is counted under for where the resident was sent (``signposted:ORG``),
    only for a visit finished signposted (the visit's outcome), so that the places count
    visits and add up to the outcome: the destination it recorded, else
    :data:`SIGNPOSTED_NOT_RECORDED`. A visit finished otherwise (one of its services referred,
    say, another signposted) is not counted there, whatever destination it recorded."""
    if outcome != Outcome.SIGNPOSTED:
        return None
    return f"signposted:{signposted_to or SIGNPOSTED_NOT_RECORDED}"


@dataclass(frozen=True, slots=True)
class Arrivals:
    """Arrivals keyed by (business day, site, local hour, service code, channel)."""

    counts: Counter[ArrivalKey] = field(default_factory=Counter)

    def by(self, index: int) -> Counter[str]:
        values: Counter[str | int] = Counter()
        for key, n in self.counts.items():
            values[key[index]] += n
        out: Counter[str] = Counter()
        for value, n in values.items():  # each distinct value named once (hours as "09")
            out[f"{value:02d}" if isinstance(value, int) else value] += n
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def apart(self, second: Mapping[ArrivalKey, int]) -> None:
        """Key apart the arrivals ``second`` (counted by the same keys) that came in an hour's
        second time round that day: ``01:20 GMT`` after ``01:20 BST``."""
        for key, n in second.items():
            day, site, hour, service, channel = key
            left = self.counts[key] - n
            if left > 0:
                self.counts[key] = left
            else:
                self.counts.pop(key, None)
            self.counts[(day, site, hour + REPEAT, service, channel)] += n

    def by_hour(self) -> Counter[int]:
        """The arrivals by hour key (an hour's second time round apart: :meth:`apart`)."""
        hours: Counter[int] = Counter()
        for key, n in self.counts.items():
            hours[key[2]] += n
        return hours

    def __add__(self, other: Arrivals) -> Arrivals:
        return Arrivals(self.counts + other.counts)


@dataclass(frozen=True, slots=True)
class Served:
    """A ticket finished at a desk: where, by whom, and its service time (called -> finished)."""

    site_id: str
    desk_id: str
    person: str
    service_ms: int


class _Adding:
    """A tally that adds another of its kind into itself; merged: a new one, both added up."""

    __slots__ = ()

    def add(self, other: Self) -> None:
        raise NotImplementedError

    def merge(self, other: Self) -> Self:
        """A new tally: this one and ``other`` added up."""
        total = type(self)()
        total.add(self)
        total.add(other)
        return total


@dataclass(slots=True)
class VisitTally(_Adding):
    """The visits of a period (one site-day, or many added up)."""

    arrivals: Arrivals = field(default_factory=Arrivals)
    no_shows: int = 0
    waits_ms: list[int] = field(default_factory=list)
    """Seen visitors: clock start -> first contact."""
    walk_outs_ms: list[int] = field(default_factory=list)
    """Walk-outs (left, or not there when called): clock start -> found gone."""
    closed_ms: list[int] = field(default_factory=list)
    """Visitors still waiting when the office closed: clock start -> closing."""
    issued_in_error: int = 0
    not_yet: int = 0
    """Arrived and neither seen nor gone yet (still waiting, or called)."""
    appointment_waits_ms: list[int] = field(default_factory=list)
    """Appointment holders seen who had checked in by their booked time: booked time -> first
    contact (below 0 when seen early)."""
    late_check_ins: int = 0
    """Appointment holders seen who checked in after their booked time."""
    outcomes: Counter[str] = field(default_factory=Counter)
    """Every visit finished with an outcome in the period."""
    quick_visits: int = 0
    served: dict[DeskKey, list[int]] = field(default_factory=dict)
    """(site, desk, person) -> service times (called -> finished) of the tickets finished."""
    needs: Counter[str] = field(default_factory=Counter)
    still_waiting: int = 0
    added_services_delivered: int = 0
    """Services added to visits at a desk and delivered (beyond each visit's first)."""
    appointments_arranged: int = 0
    flags: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(flag, service) -> visits: ``urgent``, ``repeat``, ``without_documents``,
    ``assisted_digital``, ``avoidable`` and ``signposted:ORG`` (:func:`signposted_flag`)."""
    ratings: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(rating ``1``-``5`` or ``declined``, service) -> answers."""

    def add(self, other: VisitTally) -> None:
        """Add ``other`` into this tally (in place: adding many stays linear)."""
        _add_counts(self.arrivals.counts, other.arrivals.counts)
        self.no_shows += other.no_shows
        self.waits_ms.extend(other.waits_ms)
        self.walk_outs_ms.extend(other.walk_outs_ms)
        self.closed_ms.extend(other.closed_ms)
        self.issued_in_error += other.issued_in_error
        self.not_yet += other.not_yet
        self.appointment_waits_ms.extend(other.appointment_waits_ms)
        self.late_check_ins += other.late_check_ins
        self.outcomes.update(other.outcomes)
        self.quick_visits += other.quick_visits
        for key, times in other.served.items():
            self.served.setdefault(key, []).extend(times)
        self.needs.update(other.needs)
        self.still_waiting += other.still_waiting
        self.flags.update(other.flags)
        self.ratings.update(other.ratings)
        self.added_services_delivered += other.added_services_delivered
        self.appointments_arranged += other.appointments_arranged

    def count_visit(self, facts: VisitFacts) -> None:
        """Count one visit by what became of it (:func:`~oss_desk.domain.standards.
        classify_visit`)."""
        end, wait = classify_visit(facts)
        if end is VisitEnd.SEEN:
            booked = appointment_wait(facts)
            late = facts.booked_ms is not None and facts.seen_ms is not None and booked is None
            self.count_ended(end, 1, [wait], [] if booked is None else [booked], int(late))
        else:
            self.count_ended(end, 1, [wait])

    def count_ended(
        self,
        end: VisitEnd,
        visits: int,
        waits_ms: list[int],
        appointment_waits_ms: Sequence[int] = (),
        late_check_ins: int = 0,
    ) -> None:
        """Count ``visits`` that ended as ``end``, with their waits (and, for the seen, the
        appointment holders' waits from the booked time and the late check-ins): one visit
        (:meth:`count_visit`), or a day's visits classified by the database alike."""
        if end is VisitEnd.SEEN:
            self.waits_ms.extend(waits_ms)
            self.appointment_waits_ms.extend(appointment_waits_ms)
            self.late_check_ins += late_check_ins
        elif end is VisitEnd.WALKED_OUT:
            self.walk_outs_ms.extend(waits_ms)
        elif end is VisitEnd.CLOSED:
            self.closed_ms.extend(waits_ms)
        elif end is VisitEnd.ERROR:
            self.issued_in_error += visits
        else:
            self.not_yet += visits

    @property
    def finished(self) -> int:
        return sum(self.outcomes.values())

    @property
    def finished_first_contact(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if is_first_contact(outcome))

    def served_list(self) -> list[Served]:
        return [
            Served(site, desk, person, ms)
            for (site, desk, person), times in self.served.items()
            for ms in times
        ]


@dataclass(slots=True)
class AppointmentTally(_Adding):
    """Appointment events in a period (by the day the event happened)."""

    booked: int = 0
    kept: int = 0
    """Checked in."""
    no_show: int = 0
    cancelled: Counter[str] = field(default_factory=Counter)
    """By ``council`` or ``resident``."""
    council_notice: Counter[int] = field(default_factory=Counter)
    """Council cancellations by working days of notice given."""
    breaches: int = 0
    council_moves: Counter[int] = field(default_factory=Counter)
    """Appointments the council moved, by working days of notice given."""
    move_breaches: int = 0

    def add(self, other: AppointmentTally) -> None:
        self.booked += other.booked
        self.kept += other.kept
        self.no_show += other.no_show
        self.cancelled.update(other.cancelled)
        self.council_notice.update(other.council_notice)
        self.breaches += other.breaches
        self.council_moves.update(other.council_moves)
        self.move_breaches += other.move_breaches


@dataclass(slots=True)
class DayTally:
    """Everything the reports count of one site's business day (or many added up)."""

    visits: VisitTally = field(default_factory=VisitTally)
    appointments: AppointmentTally = field(default_factory=AppointmentTally)

    def merge(self, other: DayTally) -> DayTally:
        return DayTally(
            self.visits.merge(other.visits), self.appointments.merge(other.appointments)
        )

    def add(self, other: DayTally) -> None:
        self.visits.add(other.visits)
        self.appointments.add(other.appointments)

    # Stored form (the daily rollup) -------------------------------------------------------------

    def plain(self) -> dict[str, Any]:
        """One site-day's tally as plain JSON-ready data, without its site and day (the
        row that holds it says them; :meth:`from_plain` puts them back)."""
        v, a = self.visits, self.appointments
        return {
            "arrivals": [[*key[2:], n] for key, n in sorted(v.arrivals.counts.items())],
            "no_shows": v.no_shows,
            "waits_ms": v.waits_ms,
            "walk_outs_ms": v.walk_outs_ms,
            "closed_ms": v.closed_ms,
            "issued_in_error": v.issued_in_error,
            "not_yet": v.not_yet,
            "appointment_waits_ms": v.appointment_waits_ms,
            "late_check_ins": v.late_check_ins,
            "outcomes": dict(sorted(v.outcomes.items())),
            "quick_visits": v.quick_visits,
            "served": [[*key[1:], times] for key, times in sorted(v.served.items())],
            "needs": dict(sorted(v.needs.items())),
            "still_waiting": v.still_waiting,
            "flags": [[*key, n] for key, n in sorted(v.flags.items())],
            "ratings": [[*key, n] for key, n in sorted(v.ratings.items())],
            "added_services_delivered": v.added_services_delivered,
            "appointments_arranged": v.appointments_arranged,
            "appointments": {
                "booked": a.booked,
                "kept": a.kept,
                "no_show": a.no_show,
                "cancelled": dict(sorted(a.cancelled.items())),
                "council_notice": _int_keys(a.council_notice),
                "breaches": a.breaches,
                "council_moves": _int_keys(a.council_moves),
                "move_breaches": a.move_breaches,
            },
        }

    @classmethod
    def from_plain(cls, data: Mapping[str, Any], site: str, day: str) -> DayTally:
        """The tally of ``site`` on ``day`` from :meth:`plain`."""
        a = data["appointments"]
        arrivals = Counter(
            {(day, site, int(h), str(svc), str(ch)): n for h, svc, ch, n in data["arrivals"]}
        )
        visits = VisitTally(
            arrivals=Arrivals(arrivals),
            no_shows=data["no_shows"],
            waits_ms=list(data["waits_ms"]),
            walk_outs_ms=list(data["walk_outs_ms"]),
            closed_ms=list(data["closed_ms"]),
            issued_in_error=data["issued_in_error"],
            not_yet=data["not_yet"],
            appointment_waits_ms=list(data["appointment_waits_ms"]),
            late_check_ins=data["late_check_ins"],
            outcomes=Counter(data["outcomes"]),
            quick_visits=data["quick_visits"],
            served={(site, r[0], r[1]): list(r[2]) for r in data["served"]},
            needs=Counter(data["needs"]),
            still_waiting=data["still_waiting"],
            flags=Counter({(r[0], r[1]): r[2] for r in data["flags"]}),
            ratings=Counter({(r[0], r[1]): r[2] for r in data["ratings"]}),
            added_services_delivered=data.get("added_services_delivered", 0),
            appointments_arranged=data.get("appointments_arranged", 0),
        )
        appointments = AppointmentTally(
            booked=a["booked"],
            kept=a["kept"],
            no_show=a["no_show"],
            cancelled=Counter(a["cancelled"]),
            council_notice=Counter({int(k): n for k, n in a["council_notice"].items()}),
            breaches=a["breaches"],
            council_moves=Counter({int(k): n for k, n in a["council_moves"].items()}),
            move_breaches=a["move_breaches"],
        )
        return cls(visits, appointments)


def _add_counts(total: Counter[ArrivalKey], more: Counter[ArrivalKey]) -> None:
    """``total += more``; when no key is in both (other days' arrivals: the usual case, a
    year's report adds hundreds of thousands) simply inserted, at C speed."""
    if total.keys().isdisjoint(more):
        dict.update(total, more)
    else:
        total.update(more)


def _int_keys(counts: Mapping[int, int]) -> dict[str, int]:
    return {str(k): n for k, n in sorted(counts.items())}


def merged(tallies: Iterable[DayTally]) -> DayTally:
    """The sum of ``tallies`` (an empty tally for none)."""
    total = DayTally()
    for tally in tallies:
        total.add(tally)
    return total
