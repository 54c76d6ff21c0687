"""The reports as typed values: what ``ReportService`` returns and every renderer presents.

A report over a period (:class:`PeriodReport`: a day, a month; the quarter and the year to come)
has the office or offices it covers, the visit figures (:class:`VisitFigures`) and the standards
rated on them; each kind adds its own parts. The field names are the keys of the JSON output
(``report daily|monthly --format json``); :mod:`oss_desk.render.json` lays them out, flattening
the ``figures`` and ``appointments`` parts into the top level, in the documented order.

The values are immutable; mappings are ordered as they are shown (hours, services, desks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from oss_desk.domain.calls import CallFigures
from oss_desk.domain.followup_figures import DueCount, FollowupFigures
from oss_desk.domain.standards import Standard


@dataclass(frozen=True, slots=True)
class DeskFigures:
    """Tickets finished at one desk and their service times (called to finished)."""

    served: int
    service_median_minutes: float | None
    service_total_minutes: float


@dataclass(frozen=True, slots=True)
class AdviserFigures:
    """Tickets one person finished and the median service time."""

    name: str
    served: int
    service_median_minutes: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitFigures:
    """The visits of a period: arrivals, how they were dealt with, waits, outcomes, desks."""

    visits: int
    """Arrivals (people meet-and-greet recorded)."""
    walk_ins: int
    appointment_visits: int
    served: int
    """Finished at a desk."""
    quick_visits: int
    """Dealt with at meet-and-greet."""
    no_shows: int
    seen: int
    """Visits whose first contact came in the period."""
    seen_within_target: int
    within_15_min_pct: float | None
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    finished: int
    """Visits finished with an outcome."""
    finished_first_contact: int
    first_contact_resolution_pct: float | None
    outcomes: Mapping[str, int]
    by_hour: Mapping[str, int]
    """Local hour (``09``) to arrivals: every opening hour, and any other hour with arrivals."""
    by_service: Mapping[str, int]
    by_site: Mapping[str, int]
    desks: Mapping[str, DeskFigures]
    advisers: Mapping[str, AdviserFigures]
    """By staff id."""
    adjustments: Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodReport:
    """What every report over a period has."""

    site: str | None
    """The site asked for (None: every office the report covers)."""
    sites: tuple[str, ...]
    target_minutes: int
    """The wait target the figures were counted against (``queue.target_minutes``)."""
    figures: VisitFigures
    standards: tuple[Standard, ...]

    def standard(self, key: str) -> Standard | None:
        return next((s for s in self.standards if s.key == key), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayComparison:
    """The main figures of an earlier day (the daily report's same weekday in earlier weeks)."""

    date: str
    visits: int
    served: int
    no_shows: int
    within_15_min_pct: float | None
    first_contact_resolution_pct: float | None
    wait_median_minutes: float | None
    wait_p90_minutes: float | None

    @classmethod
    def of(cls, day: str, figures: VisitFigures) -> DayComparison:
        """The day's main figures (each field but the date is a field of the visit figures)."""
        return cls(
            date=day,
            **{f.name: getattr(figures, f.name) for f in fields(cls) if f.name != "date"},
        )


@dataclass(frozen=True, slots=True)
class EventLogHead:
    """The newest event of a day and its hash in the event log's chain: printed on the daily
    summary, a copy of the record's state outside the database."""

    event: int
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DailyReport(PeriodReport):
    """One business day: the daily footfall summary."""

    date: str
    still_waiting: int
    """Tickets of the day still waiting."""
    busiest_hour: str | None
    previous_weeks: tuple[DayComparison, ...]
    """The same weekday 1 to 4 weeks before, newest first."""
    event_log_head: EventLogHead | None = None
    """This office's event log head at the end of the day (so far, today); None: no event."""
    followups: Mapping[str, DueCount] = field(default_factory=dict)
    """Per follow-up kind: due that day and not done by its end, and overdue then."""

    def comparison(self) -> DayComparison:
        """This day's main figures, in the shape of the earlier days'."""
        return DayComparison.of(self.date, self.figures)


@dataclass(frozen=True, slots=True)
class Cancellations:
    council: int
    resident: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CouncilCancellations:
    total: int
    with_notice: int
    """With at least ``appointments.min_notice_working_days`` working days' notice."""
    breaches: int
    with_notice_pct: float | None
    notice_days: Mapping[str, int]
    """Notice buckets ``0``, ``1``, ``2``, ``3-4``, ``5+`` (working days) to cancellations."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AppointmentFigures:
    """Bookings, check-ins, no-shows and cancellations recorded in a period."""

    appointments_booked: int
    appointments_kept: int
    appointments_no_show: int
    appointments_kept_pct: float | None
    appointments_cancelled: Cancellations
    council_cancellations: CouncilCancellations


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendMonth:
    """One month of the 12-month trend."""

    month: str
    visits: int
    within_15_min_pct: float | None
    first_contact_resolution_pct: float | None
    appointments_booked: int
    appointments_kept: int
    appointments_no_show: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyReport(PeriodReport):
    """One calendar month: the monthly dashboard."""

    month: str
    by_day: Mapping[str, int]
    """Every day of the month (``YYYY-MM-DD``) to arrivals."""
    busiest_day: str | None
    appointments: AppointmentFigures
    calls: CallFigures | None
    """Telephone figures from imported call data; None when none was imported."""
    trend: tuple[TrendMonth, ...]
    """The 12 months ending with this one, oldest first."""
    followups: FollowupFigures | None = None
    """Ring-backs, referrals and On The Record received in the month (their JSON shape is
    :meth:`FollowupFigures.as_json`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionTaken:
    """A comment, compliment or complaint that led to an action (the quarterly return)."""

    ref: str
    kind: str
    category: str | None
    service: str | None
    stage: int | None
    received: str
    answered: str | None
    outcome: str | None
    action_taken: bool | None
    action: str | None
    """What was done, in the desk's words (None once deleted on the retention schedule)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordMonth:
    month: str
    figures: FollowupFigures


@dataclass(frozen=True, slots=True, kw_only=True)
class QuarterlyReport:
    """A calendar quarter: the quarterly return "On The Record" of comments, compliments and
    complaints, month by month, with the actions taken as a result (its JSON:
    :func:`oss_desk.render.json.quarterly_json`). The scorecard's quarterly figures (issue 15)
    join it here."""

    quarter: str
    first_day: str
    last_day: str
    site: str | None
    sites: tuple[str, ...]
    on_the_record: FollowupFigures
    months: tuple[RecordMonth, ...]
    actions: tuple[ActionTaken, ...]


Report = DailyReport | MonthlyReport
