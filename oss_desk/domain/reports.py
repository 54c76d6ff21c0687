"""The reports as typed values: what ``ReportService`` returns and every renderer presents.

A report over a period (:class:`PeriodReport`: a day, a month, or any run of days such as a
quarter, a financial year or ``--from``/``--to``: :class:`RangeReport`) has the office or
offices it covers, the visit figures (:class:`VisitFigures`) and the standards rated on them;
each kind adds its own parts. The field names are the keys of the JSON output (``report ...
--format json``); :mod:`oss_desk.render.json` lays them out, flattening the ``figures`` and
``appointments`` parts into the top level, in the documented order.

The values are immutable; mappings are ordered as they are shown (hours, services, desks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date

from oss_desk.domain.call_figures import CallFigures
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
class FlagCount:
    """How many visits something was recorded for, in all and by service."""

    total: int
    by_service: Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class CouncilFlags:
    """What happened, in the council's words: each counted in all and by service."""

    urgent: FlagCount
    """Urgent or vulnerable walk-ins (moved ahead in the call order at meet-and-greet)."""
    repeat_contact: FlagCount
    """Came back about the same matter: ticked at meet-and-greet, plus appointments ended
    without the documents (the two below)."""
    repeat_ticked: FlagCount
    without_documents: FlagCount
    assisted_digital: FlagCount
    """Helped to use the council's website."""
    avoidable: FlagCount
    """Could have been done online (avoidable contact)."""
    signposted_to: Mapping[str, FlagCount]
    """Where residents were signposted (organisations from ``signposting.organisations``, then
    ``not_recorded``): the visits finished signposted (:func:`oss_desk.domain.tally.
    signposted_flag`), by where to."""

    @property
    def signposted(self) -> FlagCount:
        """The visits finished signposted, in all and by service: the places added up (so the
        outcome Signposted)."""
        by_service: dict[str, int] = {}
        for place in self.signposted_to.values():
            for service, n in place.by_service.items():
                by_service[service] = by_service.get(service, 0) + n
        total = sum(place.total for place in self.signposted_to.values())
        return FlagCount(total=total, by_service=by_service)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rated:
    """Ratings of one service (and, in ``Satisfaction``, of them all)."""

    answers: int
    """Ratings given (1 to 5; a resident who declined is not an answer)."""
    satisfied: int
    """Rated 4 or 5."""
    satisfied_pct: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Satisfaction(Rated):
    """Residents' own ratings of their visits (1 to 5), given in the period: the answers,
    satisfied and share of ``Rated`` over all services, and these."""

    declined: int
    by_rating: Mapping[str, int]
    """``1`` to ``5`` -> answers."""
    by_service: Mapping[str, Rated]
    """The services with answers."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitFigures:
    """The visits of a period: arrivals, how they were dealt with, waits, outcomes, desks."""

    visits: int
    """Arrivals (people meet-and-greet recorded), visitors only
    (:data:`~oss_desk.domain.standards.NOT_VISITORS`: a ticket issued in error is none)."""
    walk_ins: int
    appointment_visits: int
    served: int
    """Finished at a desk."""
    quick_visits: int
    """Dealt with at meet-and-greet."""
    no_shows: int
    seen: int
    """Visitors seen (called to a desk and came, or dealt with at meet-and-greet)."""
    seen_within_target: int
    walked_out_after_target: int
    """Left unseen (or were not there when called) after waiting longer than the target: misses."""
    left_before_target: int
    """Left unseen before the target: on their own line, counted neither way."""
    closed_unseen: int
    """Still waiting when the office closed: misses."""
    measured: int
    """The 15-minute figure's visitors: seen, plus walk-outs after the target, plus closed
    unseen."""
    within_15_min_pct: float | None
    """Seen within the target, of ``measured``."""
    issued_in_error: int
    """Tickets cancelled as issued in error: no visitor."""
    not_yet_seen: int
    """Arrived, and neither seen nor gone yet."""
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    appointments_seen_on_time: int
    """Appointment holders seen who had checked in by their booked time."""
    appointments_punctual: int
    """Of those, seen no later than ``reports.punctual_minutes`` after the booked time."""
    appointment_punctuality_pct: float | None
    appointments_checked_in_late: int
    finished: int
    """Visits finished with an outcome."""
    finished_first_contact: int
    first_contact_resolution_pct: float | None
    """Of the visits finished: a visit counts as resolved at first contact only when every
    service it delivered was (its outcome is the least settled of theirs)."""
    outcomes: Mapping[str, int]
    """Visits by outcome."""
    services_delivered: int
    """Services delivered with an outcome: one per visit finished, and each service added to a
    visit at the desk."""
    appointments_arranged: int
    """Appointments booked at a desk to follow up a visit (finished "needs an appointment")."""
    by_hour: Mapping[str, int]
    """Local hour (``09``) to arrivals: every opening hour, and any other hour with arrivals."""
    by_service: Mapping[str, int]
    by_site: Mapping[str, int]
    desks: Mapping[str, DeskFigures]
    advisers: Mapping[str, AdviserFigures]
    """By staff id."""
    adjustments: Mapping[str, int]
    flags: CouncilFlags
    satisfaction: Satisfaction


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodReport:
    """What every report over a period has."""

    site: str | None
    """The site asked for (None: every office the report covers)."""
    sites: tuple[str, ...]
    target_minutes: int
    """The wait target the figures were counted against (``queue.target_minutes``)."""
    sites_left: Mapping[str, str | None] = field(default_factory=dict)
    """The sites covered that have left the configuration since, by id: the business day they
    left it (None: not known). Their records are counted as any others'."""
    figures: VisitFigures
    standards: tuple[Standard, ...]
    records_begin: str | None = None
    """The day the office's records begin (the earliest office's; None: it holds nothing
    yet), by the one rule (:meth:`~oss_desk.domain.calendar.DateSpan.recorded`)."""
    recorded: bool = True
    """The period itself reaches the records: always, for a report of a period before them
    is refused; said so that every period a report names carries its ``recorded``."""

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
    recorded: bool = True
    """False: a day before the office's records begin (its zeros are no figures)."""
    closed: str | None = None
    """Why the office was closed that day (``a bank holiday (Christmas Day)``: its visits are
    no open day's; :func:`day_closed_said`); None on a day it opened."""

    @classmethod
    def of(cls, day: str, figures: VisitFigures) -> DayComparison:
        """The day's main figures (each field but the date is a field of the visit figures)."""
        return cls(
            date=day,
            **{
                f.name: getattr(figures, f.name)
                for f in fields(cls)
                if f.name not in ("date", "recorded", "closed")
            },
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
    closed: str | None = None
    """Why the office was closed that day ("a Saturday", "a bank holiday (Christmas Day)"),
    when every site reported was closed (arrivals are still taken then: said too); None else
    (:func:`closed_words`)."""

    def comparison(self) -> DayComparison:
        """This day's main figures, in the shape of the earlier days'."""
        return replace(DayComparison.of(self.date, self.figures), recorded=self.recorded)


CLOSED_THAT_DAY = "Office closed that day"


def day_closed_said(why: str) -> str:
    """A closed day beside its visits, wherever days are listed (the month's arrivals by day,
    the same day in previous weeks; text and HTML alike): ``closed: a bank holiday (Christmas
    Day)``, so that a closed day's 0 does not read as an open day nobody came to."""
    return f"closed: {why}"


def closed_words(report: DailyReport) -> str | None:
    """The line a closed day's report says first, so its figures read as they should
    (``Office closed that day: a Saturday.``, and when people still came ``Office closed that
    day: a local closure day; 3 arrivals were still taken.``); None on a day it opened."""
    if report.closed is None:
        return None
    came = report.figures.visits
    if not came:
        return f"{CLOSED_THAT_DAY}: {report.closed}."
    taken = "1 arrival was" if came == 1 else f"{came} arrivals were"
    return f"{CLOSED_THAT_DAY}: {report.closed}; {taken} still taken."


@dataclass(frozen=True, slots=True)
class Cancellations:
    council: int
    resident: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CouncilNotice:
    """Appointments the council changed, and the notice it gave the resident."""

    total: int
    with_notice: int
    """With at least ``appointments.min_notice_working_days`` working days' notice."""
    breaches: int
    with_notice_pct: float | None
    notice_days: Mapping[str, int]
    """Notice buckets ``0``, ``1``, ``2``, ``3-4``, ``5+`` (working days) to changes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CouncilCancellations(CouncilNotice):
    """Appointments the council cancelled: the notice it gave the resident."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CouncilMoves(CouncilNotice):
    """Appointments the council moved to another time: the notice it gave the resident."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AppointmentFigures:
    """Bookings, check-ins, no-shows and cancellations recorded in a period."""

    appointments_booked: int
    appointments_kept: int
    appointments_no_show: int
    appointments_kept_pct: float | None
    appointments_cancelled: Cancellations
    council_cancellations: CouncilCancellations
    council_moves: CouncilMoves
    council_notice_pct: float | None
    """Council cancellations and moves with the required notice, of all of them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendMonth:
    """One month of a trend (the monthly report's last 12 months, a period's months)."""

    month: str
    visits: int
    within_15_min_pct: float | None
    first_contact_resolution_pct: float | None
    appointments_booked: int
    appointments_kept: int
    appointments_no_show: int
    standards: Mapping[str, float | None]
    """Every standard's figure that month, by its key (the standards' order)."""
    recorded: bool = True
    """False: a month that ended before the office's records begin (its zeros are no
    figures)."""
    records_from: str | None = None
    """Set when it began before the office's records begin (a part period: its figures are
    from this day on, :meth:`~oss_desk.domain.calendar.DateSpan.part_from`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyReport(PeriodReport):
    """One calendar month: the monthly dashboard."""

    month: str
    by_day: Mapping[str, int]
    """Every day of the month (``YYYY-MM-DD``; to date, while the month goes on) to
    arrivals."""
    busiest_day: str | None
    appointments: AppointmentFigures
    calls: CallFigures | None
    """Telephone figures from imported call data; None when none was imported."""
    trend: tuple[TrendMonth, ...]
    """The 12 months ending with this one, oldest first."""
    followups: FollowupFigures | None = None
    """Ring-backs, referrals and On The Record received in the month (their JSON shape is
    :meth:`FollowupFigures.as_json`)."""
    to_date: str | None = None
    """The month still going on: the last day counted (today); None once it is over."""
    closed_days: Mapping[str, str] = field(default_factory=dict)
    """The days of :attr:`by_day` the office was closed (a weekend, a bank holiday, a local
    closure) -> why, in words (:func:`day_closed_said`): their counts are no open day's."""

    def days_recorded(self) -> dict[str, int | None]:
        """:attr:`by_day` as every presentation shows it: None (said ``no records``, never 0)
        for a day before the office's records begin (the one rule,
        :meth:`~oss_desk.domain.calendar.DateSpan.recorded`, of :attr:`records_begin`)."""
        begins = self.records_begin
        return {d: None if begins is not None and d < begins else n for d, n in self.by_day.items()}


NO_RECORDS = "no records"
"""Said of a day, month or period before the office's records begin, in place of its figures
(zeros there are no figures: the office kept no records then)."""

DELETED_ON_RETENTION = "(deleted)"
"""A text (an action taken, a resident's comment) deleted: by the retention purge, or on the
resident's request (``oss-desk resident forget``); both clear it alike (``storage.subject.clear``),
so it is said without a reason that might be the wrong one."""
ACTION_DELETED = DELETED_ON_RETENTION
"""An action whose text was deleted (on schedule or on request)."""
ACTION_NOT_WRITTEN = "(no text recorded)"
"""An action taken whose text nobody wrote."""


def action_words(action: str | None, *, deleted: bool) -> str:
    """An action taken as every presentation shows it: its text, else why there is none (the
    purge deleted it, or none was written)."""
    if action is not None:
        return action
    return ACTION_DELETED if deleted else ACTION_NOT_WRITTEN


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
    """What was done, in the desk's words (None when none was written, or once deleted on the
    retention schedule: ``action_deleted``)."""
    action_deleted: bool = False
    """Whether the retention purge deleted the text (and the follow-up's other details)."""
    site: str | None = None
    """The site it was received at (offices added up with ``--include`` each number their
    follow-ups from 1, so a reference is told apart by its site)."""

    @property
    def action_shown(self) -> str:
        """The action as every presentation shows it (:func:`action_words`)."""
        return action_words(self.action, deleted=self.action_deleted)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodSummary:
    """A period's headline figures, to stand beside another's (the period before)."""

    first_day: str
    last_day: str
    label: str
    visits: int
    measured: int
    seen_within_target: int
    within_15_min_pct: float | None
    walked_out_after_target: int
    left_before_target: int
    closed_unseen: int
    finished: int
    first_contact_resolution_pct: float | None
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    appointment_punctuality_pct: float | None
    answers: int
    satisfied_pct: float | None
    appointments_kept_pct: float | None
    standards: Mapping[str, float | None]
    """Every standard's figure in the period, by its key."""
    recorded: bool = True
    """False: a period that ended before the office's records begin (its zeros are no
    figures)."""
    records_from: str | None = None
    """Set when it began before the office's records begin (a part period: its figures are
    from this day on, :meth:`~oss_desk.domain.calendar.DateSpan.part_from`)."""
    part_to: str | None = None
    """Set on a year before of a period still going on: it counts the same days only, to
    this one (:func:`~oss_desk.domain.periods.like_a_year_before`), not its whole period."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeReport(PeriodReport):
    """Any run of whole days: a quarter, a financial year, or ``--from``/``--to``; the same
    figures as the monthly dashboard, month by month, beside the period before."""

    period: str
    """``period``, ``quarter`` or ``year``."""
    key: str
    """``2026-10-01..2026-12-31``, ``2026-Q3`` or ``2026`` (the financial year 2026/27)."""
    label: str
    """In words: "Q3 2026/27 (October to December 2026)"."""
    first_day: str
    last_day: str
    appointments: AppointmentFigures
    calls: CallFigures | None
    months: tuple[TrendMonth, ...]
    """Each month the period touches, oldest first (a month cut by the period counts only its
    days in the period)."""
    current: PeriodSummary
    previous: PeriodSummary
    """The period of the same length just before (the previous quarter or year)."""
    year_before: PeriodSummary | None = None
    """The same period a year before (the year before's same quarter or days), for the
    standards that should go down year on year; for a year, the period before."""
    followups: FollowupFigures | None = None
    """Ring-backs, referrals and On The Record received in the period, as the monthly
    dashboard's (their standards are among ``standards``, each month's and the period
    before's)."""
    to_date: str | None = None
    """The period still going on: the last day counted (today); None once it is over."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResidentComment:
    """What a resident wrote with their rating of a visit (the counter's feedback page, or a
    text's)."""

    day: str
    """The business day it was given."""
    site: str
    service: str | None
    """The service the visit finished with."""
    rating: int | None
    """1 to 5 (None: declined to rate)."""
    text: str | None
    """Their words (None once deleted on the retention schedule: ``retention.comments_days``)."""

    @property
    def text_shown(self) -> str:
        return DELETED_ON_RETENTION if self.text is None else self.text


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentLog:
    """The council's feedback log: residents' comments given in a month, oldest first."""

    month: str
    site: str | None
    sites: tuple[str, ...]
    comments: tuple[ResidentComment, ...]
    sites_left: Mapping[str, str | None] = field(default_factory=dict)
    """As :attr:`PeriodReport.sites_left`."""


Report = DailyReport | MonthlyReport | RangeReport


ALL_OFFICES = "All offices"
"""The name of a report's place when it covers every office (lower case mid-sentence)."""


def site_named(name: str, site: str, sites_left: Mapping[str, str | None]) -> str:
    """How a report names the site ``site`` (called ``name``): one that has left the
    configuration as closed ("Library (closed 25 Nov 2026)")."""
    if site not in sites_left:
        return name
    left = sites_left[site]
    if left is None:
        return f"{name} (no longer configured)"
    day = date.fromisoformat(left)
    return f"{name} (closed {day.day} {day:%b %Y})"


def desk_named(name: str, site_name: str | None) -> str:
    """A desk as a list naming desks of several sites names it (a report over more than one
    site, where two may both be "Desk 1"): with its site, ``Desk 1 (Library)``; as itself
    where ``site_name`` is None (one site's desks)."""
    return name if site_name is None else f"{name} ({site_name})"


@dataclass(frozen=True, slots=True)
class ReportNames:
    """The names a report is shown with: the council, the office (or ``ALL_OFFICES``), services
    and desks by code (a code without a name shows as itself)."""

    council: str
    site_name: str
    service_names: Mapping[str, str]
    desk_names: Mapping[str, str] = field(default_factory=dict)
    site_names: Mapping[str, str] = field(default_factory=dict)
    """Each office by id (one that left: as the office's records last named it)."""

    def office(self, site: str, sites_left: Mapping[str, str | None]) -> str:
        """How the report names the office ``site`` (by its id when not named: another
        office's, ``--include``), one that left as closed (:func:`site_named`)."""
        return site_named(self.site_names.get(site, site), site, sites_left)
