"""The raw material of the reports, as read from one office's event log.

Tallies from several offices add up (:meth:`VisitTally.merge`): counts are summed and the raw
waits and service times are concatenated, so percentages and percentiles over several offices
are computed from the combined data, never averaged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import TypeVar

from oss_desk.domain.standards import is_first_contact


@dataclass(frozen=True, slots=True)
class Arrivals:
    """Arrivals keyed by (business day, site, local hour, service code, channel)."""

    counts: Counter[tuple[str, str, int, str, str]] = field(default_factory=Counter)

    def by(self, index: int) -> Counter[str]:
        out: Counter[str] = Counter()
        for key, n in self.counts.items():
            value = key[index]
            out[f"{value:02d}" if isinstance(value, int) else value] += n
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __add__(self, other: Arrivals) -> Arrivals:
        return Arrivals(self.counts + other.counts)


@dataclass(frozen=True, slots=True)
class Served:
    """A ticket finished at a desk: where, by whom, and its service time (called -> finished)."""

    site_id: str
    desk_id: str
    person: str
    service_ms: int


@dataclass(slots=True)
class VisitTally:
    arrivals: Arrivals = field(default_factory=Arrivals)
    no_shows: int = 0
    waits_ms: list[int] = field(default_factory=list)
    """Arrival -> first contact of each visit first contacted in the period."""
    outcomes: Counter[str] = field(default_factory=Counter)
    """Every visit finished with an outcome in the period."""
    quick_visits: int = 0
    served: list[Served] = field(default_factory=list)
    needs: Counter[str] = field(default_factory=Counter)
    still_waiting: int = 0

    def merge(self, other: VisitTally) -> VisitTally:
        return _added(self, other)

    @property
    def finished(self) -> int:
        return sum(self.outcomes.values())

    @property
    def finished_first_contact(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if is_first_contact(outcome))


@dataclass(slots=True)
class AppointmentTally:
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

    def merge(self, other: AppointmentTally) -> AppointmentTally:
        return _added(self, other)


@dataclass(slots=True)
class MonthCounts:
    """The counts behind one month of the 12-month trend."""

    visits: int = 0
    seen: int = 0
    seen_within: int = 0
    finished: int = 0
    finished_first_contact: int = 0
    booked: int = 0
    kept: int = 0
    no_show: int = 0

    def merge(self, other: MonthCounts) -> MonthCounts:
        return _added(self, other)


T = TypeVar("T", VisitTally, AppointmentTally, MonthCounts)


def _added(a: T, b: T) -> T:
    """Field by field: counts add up, raw values (waits, service times) are concatenated."""
    return type(a)(**{f.name: getattr(a, f.name) + getattr(b, f.name) for f in fields(a)})
