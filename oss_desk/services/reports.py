"""The daily, monthly, quarterly, annual and any-period figures against the council's standards.

:class:`ReportService` returns typed reports (:class:`~oss_desk.domain.reports.DailyReport`,
:class:`~oss_desk.domain.reports.MonthlyReport`, :class:`~oss_desk.domain.reports.RangeReport`);
:mod:`oss_desk.render` presents them (text, CSV, JSON, HTML, paper) and the desk app shows them.
It reports on the session's office database and, with ``include``, on other offices' databases
opened read-only (:mod:`oss_desk.services.report_offices`): counts add up, and percentages and
percentiles are taken over the combined raw data, never averaged.

Every report adds up day tallies (:mod:`oss_desk.services.report_days`): closed days from the
daily rollup, today live; the figures are exactly those of the event log either way.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypedDict, TypeVar

from oss_desk.domain.access import Action
from oss_desk.domain.calendar import DateSpan, no_figures_yet, no_month_figures_yet, parse_date
from oss_desk.domain.call_figures import CallCounts, CallFigures, call_figures
from oss_desk.domain.followup_figures import FollowupFigures
from oss_desk.domain.followup_standards import followup_standards
from oss_desk.domain.models import Actor
from oss_desk.domain.periods import (
    Period,
    begun,
    counted_to,
    days_period,
    like_a_year_before,
    parse_days,
    parse_quarter,
    parse_year,
    quarter_of,
    year_of,
)
from oss_desk.domain.report_figures import (
    appointment_figures,
    day_comparison,
    period_summary_with,
    repeat_contact_standard,
    standard_values,
    trend_month,
    visit_figures,
)
from oss_desk.domain.reports import (
    CommentLog,
    DailyReport,
    DayComparison,
    EventLogHead,
    MonthlyReport,
    PeriodSummary,
    QuarterlyReport,
    RangeReport,
    TrendMonth,
    VisitFigures,
)
from oss_desk.domain.scorecard import ReportRules
from oss_desk.domain.standards import Standard
from oss_desk.domain.stats import (
    busiest,
    last_months,
    month_bounds,
    month_days,
    month_of,
    parse_month,
    same_weekday_before,
    shift_month,
)
from oss_desk.domain.tally import DayTally, merged
from oss_desk.errors import NotFound, StorageError
from oss_desk.services.comment_log import read_comments, record_read
from oss_desk.services.followup_reports import FollowupReports, followup_figures, followups_due
from oss_desk.services.queue.day_end import close_due, days_over
from oss_desk.services.report_days import DayTallies, last_closed_day
from oss_desk.services.report_offices import Covered, Offices
from oss_desk.services.session import Session
from oss_desk.storage.calls import call_counts
from oss_desk.storage.chain import head_on
from oss_desk.storage.site import records_begin

R = TypeVar("R")
Beside = TypeVar("Beside", TrendMonth, PeriodSummary)


class Covering(TypedDict):
    """What every report over a period says besides its standards (:class:`PeriodReport`):
    whom it covers, the target, its figures and the day the office's records begin."""

    site: str | None
    sites: tuple[str, ...]
    sites_left: Mapping[str, str | None]
    target_minutes: int
    figures: VisitFigures
    records_begin: str | None
    recorded: bool


log = logging.getLogger("oss_desk.reports")

DAY_NAMED = "The day"
"""How a refusal names a day asked for as a date (F6's [ and ]), not typed as ``--date``."""
TREND_MONTHS = 12
COMPARE_WEEKS = 4


class ReportService:
    def __init__(
        self,
        session: Session,
        actor: Actor | None = None,
        include: Iterable[str | Path] = (),
        *,
        rollup: bool = True,
    ) -> None:
        """``rollup=False``: count every day from the event log (tests, benchmarks)."""
        self.s = session
        self.actor = actor or session.actor
        self.rollup = rollup
        self.offices = Offices(session, include)

    def close(self) -> None:
        self.offices.close()

    def __enter__(self) -> ReportService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def rules(self) -> ReportRules:
        """The rules the office's figures are counted and rated with (its configuration)."""
        settings = self.s.settings
        return ReportRules(
            target_minutes=settings.queue.target_minutes,
            punctual_minutes=settings.reports.punctual_minutes,
            amber_points=settings.reports.amber_points,
            notice_days=settings.appointments.min_notice_working_days,
            call_targets=tuple(settings.reports.calls_answer_within.items()),
            organisations=dict(settings.signposting.organisations),
        )

    def _close_due(self) -> None:
        """Close the days that are over before counting them (the first action after closing
        does it; a report is one). A database that cannot be written is reported on as it is."""
        try:
            close_due(self.s, self.actor)
        except StorageError as exc:
            log.info("days not closed before the report (%s)", exc)

    # The reports -----------------------------------------------------------------------------

    def daily(
        self,
        day: str | date | None = None,
        site_id: str | None = None,
        *,
        compare_weeks: int = COMPARE_WEEKS,
    ) -> DailyReport:
        """One business day: every office, or one site (``site_id``)."""
        return self._counted(lambda tallies: self._daily(day, site_id, compare_weeks, tallies))

    def monthly(
        self, month: str | None = None, site_id: str | None = None, *, named: str = "--month"
    ) -> MonthlyReport:
        """One calendar month: visits, appointments, the standards, calls and the trend
        (``named``: how a refusal names the month asked for)."""
        return self._counted(lambda tallies: self._monthly(month, site_id, tallies, named))

    def quarterly(self, quarter: str | None = None, site_id: str | None = None) -> RangeReport:
        """A quarter of the reporting year (``2026-Q3``; default: this one)."""
        return self.period(self._named(quarter, parse_quarter, quarter_of, site_id), site_id)

    def annual(self, year: str | None = None, site_id: str | None = None) -> RangeReport:
        """A reporting year (``2026``: April 2026 to March 2027 by default; default: this one)."""
        return self.period(self._named(year, parse_year, year_of, site_id), site_id)

    def _named(
        self,
        text: str | None,
        parse: Callable[[str, int, date, DateSpan], Period],
        current: Callable[[date, int], Period],
        site: str | None,
    ) -> Period:
        """The period ``text`` names (read by ``parse``), else the current one (``current``), in
        the reporting year the settings start."""
        start = self.s.settings.reports.year_start_month
        if text is not None:
            return parse(text, start, self._today(), self._span(site))
        return current(self._day(None, None), start)

    def between(self, first: str, last: str, site_id: str | None = None) -> RangeReport:
        """Any run of days, both included."""
        start = self.s.settings.reports.year_start_month
        span = self._span(site_id)
        return self.period(parse_days(first, last, start, self._today(), span), site_id)

    def period(self, period: Period, site_id: str | None = None) -> RangeReport:
        """The figures of ``period`` (month by month) beside those of the period before it."""
        return self._counted(lambda tallies: self._period(period, site_id, tallies))

    def _counted(self, report: Callable[[DayTallies], R]) -> R:
        """``report`` of the days counted in one snapshot of the offices, after closing the
        days due; the closed days it counted are kept in the rollup."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        self._close_due()
        tallies = DayTallies(self.offices, rollup=self.rollup)
        with self.offices.snapshot():
            result = report(tallies)
        tallies.save()
        return result

    def record_return(self, report: RangeReport) -> QuarterlyReport:
        """The quarterly return "On The Record" of ``report``'s period (month by month), added
        up over the same offices and site as the report (``--include``: every office covering
        it, in one snapshot); the read of the actions' texts is recorded."""
        followups = FollowupReports(self.s, self.actor)
        with self.offices.snapshot():
            found = followups.return_of(
                report.key,
                date.fromisoformat(report.first_day),
                date.fromisoformat(report.last_day),
                [m.month for m in report.months],
                report.site,
                report.sites,
                self._conns(report.site),
            )
        followups.record_shown(found)
        return found

    def comments(self, month: str | None = None, site_id: str | None = None) -> CommentLog:
        """The council's feedback log: what residents wrote with their ratings in a month
        (default: this one); reading their words is recorded as personal data viewed."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        self.s.require(Action.VIEW_FEEDBACK, self.actor)
        key, first, last = self._month_asked(month, self.offices.asked(site_id))
        site, sites, left = self.offices.scope(site_id, first, last)
        with self.offices.snapshot():
            found = read_comments(self._conns(site), first, last, site)
        record_read(self.s, self.actor, found, site)
        return CommentLog(month=key, site=site, sites=sites, sites_left=left, comments=tuple(found))

    def fill_rollup(self) -> int:
        """Count and store the closed days that this month's report needs (its trend, and the
        same month a year before for repeat contact) and the daily rollup lacks (all of them the
        first time, then the days since the last report);
        returns how many site-days were stored. The worker runs it every hour, so that reports
        find yesterday ready; reports fill what is missing themselves anyway."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        office = self.offices.own
        first, _ = month_bounds(shift_month(month_of(self._day(None, None)), -TREND_MONTHS))
        closed_last = last_closed_day(office, self.s.clock.now())
        if not self.rollup or closed_last is None or closed_last < first:
            return 0
        tallies = DayTallies(self.offices)
        with office.store.read() as conn:
            tallies.closed_days(office, conn, first, closed_last)
        return tallies.save()

    # Assembling ------------------------------------------------------------------------------

    def _daily(
        self, day: str | date | None, site_id: str | None, compare_weeks: int, tallies: DayTallies
    ) -> DailyReport:
        when = self._day(day, self.offices.asked(site_id))
        site, sites, left = self.offices.scope(site_id, when, when)
        tally = self._tally(tallies, when, when, site)
        figures = visit_figures(tally.visits, self.offices.layout(sites, [when]), self.rules)
        earlier = same_weekday_before(when, compare_weeks)
        closed = self.offices.closed_days(sites, map(date.isoformat, earlier), self._today())
        return DailyReport(
            date=when.isoformat(),
            **self._covering((site, sites, left), figures, when),
            standards=self.rules.rate(
                standard_values(tally, self.rules), appointments=False, calls=False
            ),
            still_waiting=tally.visits.still_waiting,
            busiest_hour=busiest(figures.by_hour),
            previous_weeks=tuple(
                replace(self._day_before(tallies, d, site), closed=closed.get(d.isoformat()))
                for d in earlier
            ),
            event_log_head=self._event_log_head(when, site),
            followups=followups_due(self._conns(site), when, site),
            closed=self.offices.closed_said(sites, when, self._today()),
        )

    def _month_asked(
        self, month: str | None, site: str | None, named: str = "--month"
    ) -> tuple[str, date, date]:
        """The month asked for (``YYYY-MM``; default: this one at ``site``) and its first and
        last days; one typed is refused when it is before the records begin or still to come."""
        key = parse_month(month) if month is not None else month_of(self._day(None, site))
        first, last = month_bounds(key)
        if month is not None:
            self._span(site).check_month(first, last, named)
            no_month_figures_yet(first, self._day(None, site), named)
        return key, first, last

    def _monthly(
        self, month: str | None, site_id: str | None, tallies: DayTallies, named: str
    ) -> MonthlyReport:
        key, first, last = self._month_asked(month, self.offices.asked(site_id), named)
        site, sites, left = self.offices.scope(site_id, first, last)
        days = month_days(key)
        rules = self.rules
        months = self._months(tallies, last_months(key, TREND_MONTHS), site)
        tally = months.get(key, DayTally())
        figures = visit_figures(tally.visits, self.offices.layout(sites, days), rules)
        appointments = appointment_figures(tally.appointments, rules.notice_days)
        calls = self._calls(first, last, site)
        arrivals = tally.visits.arrivals.by(0)
        to_date = self._counted_to(last, site)
        by_day = {
            d.isoformat(): arrivals.get(d.isoformat(), 0)
            for d in days
            if to_date is None or d <= to_date
        }
        followups = self._followups(first, last, site)
        whole = days_period(first, last)
        current = period_summary_with(whole, tally, rules, calls, {})
        return MonthlyReport(
            month=key,
            **self._covering((site, sites, left), figures, last),
            standards=self._period_standards(
                tally, calls, current, self._summary_of(whole, site, tallies, to_date), followups
            ),
            by_day=by_day,
            busiest_day=busiest(by_day),
            appointments=appointments,
            calls=calls,
            trend=self._trend(last_months(key, TREND_MONTHS), months, site),
            followups=followups,
            to_date=_iso(to_date),
            closed_days=self.offices.closed_days(sites, by_day, self._today()),
        )

    def _period(self, period: Period, site_id: str | None, tallies: DayTallies) -> RangeReport:
        site, sites, left = self.offices.scope(site_id, period.first, period.last)
        rules = self.rules
        before = period.previous()
        now = self.s.clock.now()
        found = tallies.days(before.first, period.last, site, now)
        months: dict[str, DayTally] = {}
        for (_site, day), t in found.items():
            if day >= period.first.isoformat():
                months.setdefault(day[:7], DayTally()).add(t)
        current_tally = merged(months.values())  # the same sums as adding up its days again
        earlier = merged(t for (_s, d), t in found.items() if d < period.first.isoformat())
        days = _each_day(period.first, period.last)
        figures = visit_figures(current_tally.visits, self.offices.layout(sites, days), rules)
        calls = self._calls(period.first, period.last, site)
        calls_before = self._calls(before.first, before.last, site)
        followups = self._followups(period.first, period.last, site)
        followup_values = self._followup_values
        previous = self._marked(
            period_summary_with(
                before,
                earlier,
                rules,
                calls_before,
                followup_values(self._followups(before.first, before.last, site)),
            ),
            before.first,
            before.last,
            site,
        )
        to_date = self._counted_to(period.last, site)
        year_before = (
            previous
            if period.kind == "year" and to_date is None
            else self._summary_of(period, site, tallies, to_date)
        )
        current = period_summary_with(
            period, current_tally, rules, calls, followup_values(followups)
        )
        if to_date is not None:  # counted to today: the days its figures are of
            current = replace(current, last_day=to_date.isoformat())
        return RangeReport(
            period=period.kind,
            key=period.key,
            label=period.label,
            first_day=period.first.isoformat(),
            last_day=period.last.isoformat(),
            **self._covering((site, sites, left), figures, period.last),
            standards=self._period_standards(current_tally, calls, current, year_before, followups),
            appointments=appointment_figures(current_tally.appointments, rules.notice_days),
            calls=calls,
            months=self._trend(begun(period.months(), to_date), months, site, period),
            current=current,
            previous=previous,
            year_before=year_before,
            followups=followups,
            to_date=_iso(to_date),
        )

    def _summary_of(
        self, period: Period, site: str | None, tallies: DayTallies, to_date: date | None
    ) -> PeriodSummary:
        """The headline figures of the same period a year before ``period`` (its calls and
        follow-up standards too), marked when it is before the records begin; while ``period``
        goes on (counted to ``to_date``), of its same days only (:func:`like_a_year_before`)."""
        year = like_a_year_before(period, to_date)
        tally = self._tally(tallies, year.first, year.last, site)
        followups = self._followup_values(self._followups(year.first, year.last, site))
        found = period_summary_with(
            year, tally, self.rules, self._calls(year.first, year.last, site), followups
        )
        if to_date is not None:  # the same days as the period so far: up to this day
            found = replace(found, part_to=year.last.isoformat())
        return self._marked(found, year.first, year.last, site)

    def _counted_to(self, last: date, site: str | None) -> date | None:
        """The day a period ending ``last`` is counted to (None: whole): the one rule."""
        today, now = self._day(None, site), self.s.clock.now()
        over = today == last and days_over(self.s, site, today.isoformat(), now)
        return counted_to(last, today, today_over=over)

    # Reading ---------------------------------------------------------------------------------

    def _today(self) -> date:
        return self._day(None, None)

    def _day(self, day: str | date | None, site: str | None) -> date:
        """The day asked for (a date, or ``--date`` as typed; None: today at ``site``): one
        before the office's records begin, or after today, is refused, not reported in zeros."""
        if isinstance(day, datetime):
            day = day.date()
        if isinstance(day, date):
            said = DAY_NAMED
            return no_figures_yet(self._span(site).check(day, said), self._day(None, site), said)
        if day is not None:
            return no_figures_yet(
                parse_date(day, "--date", self._span(site)), self._day(None, site)
            )
        for office in self.offices.all:
            found = office.directory.sites.get(site) if site else None
            found = found or next(iter(office.directory.sites.values()), None)
            if found is not None:
                return date.fromisoformat(self.s.today(found))
        raise NotFound("no site is configured")  # pragma: no cover - init refuses that

    def _tally(self, tallies: DayTallies, first: date, last: date, site: str | None) -> DayTally:
        return merged(tallies.days(first, last, site, self.s.clock.now()).values())

    def _span(self, site: str | None) -> DateSpan:
        """The office's records (:meth:`DateSpan.recorded`): the dates a report may ask for,
        from the day the earliest office's records begin to 100 years after today."""
        return DateSpan.of(self._begins(site), self._day(None, site))

    def _begins(self, site: str | None) -> date | None:
        """The day the records begin of the earliest of the offices covering ``site``
        (None: none holds anything)."""
        begins = [
            records_begin(office.store.conn, next(iter(office.directory.sites.values())).timezone)
            for office in self.offices.covering(site)
            if office.directory.sites
        ]
        known = [date.fromisoformat(b) for b in begins if b]
        return min(known) if known else None

    def _event_log_head(self, day: date, site: str | None) -> EventLogHead | None:
        """This office's event log head at the end of the day (so far, today): printed on the
        summary, it anchors the record outside the file (``db check`` recomputes the chain)."""
        with self.offices.own.store.read() as conn:
            found = head_on(conn, day.isoformat(), site)
        return None if found is None else EventLogHead(event=found[0], sha256=found[1].hex())

    def _months(
        self, tallies: DayTallies, months: list[str], site: str | None
    ) -> dict[str, DayTally]:
        first, _ = month_bounds(months[0])
        _, last = month_bounds(months[-1])
        return tallies.by_month(first, last, site, self.s.clock.now())

    def _calls(self, first: date, last: date, site: str | None) -> CallFigures | None:
        """The telephone figures from imported call data (raw counts added up across offices);
        None when none was imported for the period."""
        counts = CallCounts()
        for office in self.offices.covering(site):
            with office.store.read() as conn:
                counts = counts + call_counts(conn, first.isoformat(), last.isoformat(), site)
        return call_figures(counts, first, last, self.rules.call_limits)

    def _day_before(self, tallies: DayTallies, day: date, site: str | None) -> DayComparison:
        tally = self._tally(tallies, day, day, site)
        found = day_comparison(day.isoformat(), tally.visits, self.rules)
        return replace(found, recorded=self._recorded(day, site))

    def _marked(self, found: Beside, first: date, last: date, site: str | None) -> Beside:
        """A month or period shown beside the report's own (``first`` to ``last``), marked with
        whether it reaches the records (one that does not rates no standard: its figures are
        none, whatever was counted) and from when, when it began before them."""
        span = self._span(site)
        if not span.recorded(last):
            return replace(found, recorded=False, standards=dict.fromkeys(found.standards))
        part = span.part_from(first, last)
        return found if part is None else replace(found, records_from=part.isoformat())

    def _covering(self, scope: Covered, figures: VisitFigures, last: date) -> Covering:
        """:class:`Covering` of a report over a period ending on ``last`` (``scope``: whom it
        covers); ``recorded``: whether that period reaches the office's records."""
        site, sites, left = scope
        return {
            "site": site,
            "sites": sites,
            "sites_left": left,
            "target_minutes": self.rules.target_minutes,
            "figures": figures,
            "records_begin": _iso(self._begins(site)),
            "recorded": self._recorded(last, site),
        }

    def _recorded(self, last: date, site: str | None) -> bool:
        """Whether a day, month or period ending on ``last`` reaches the offices' records (the
        one rule, :meth:`DateSpan.recorded`)."""
        return self._span(site).recorded(last)

    def _trend(
        self,
        months: list[str],
        tallies: dict[str, DayTally],
        site: str | None,
        period: Period | None = None,
    ) -> tuple[TrendMonth, ...]:
        """Each month's figures (its calls too), oldest first; within ``period``, only its
        days."""
        found = []
        for key in months:
            first, last = month_bounds(key)
            if period is not None:
                first, last = max(first, period.first), min(last, period.last)
            calls = self._calls(first, last, site)
            month = trend_month(key, tallies.get(key, DayTally()), self.rules, calls)
            if period is not None:  # a period's months: its follow-up standards too
                followups = self._followup_values(self._followups(first, last, site))
                month = replace(month, standards={**month.standards, **followups})
            found.append(self._marked(month, first, last, site))
        return tuple(found)

    def _period_standards(
        self,
        tally: DayTally,
        calls: CallFigures | None,
        current: PeriodSummary,
        year_before: PeriodSummary,
        followups: FollowupFigures,
    ) -> tuple[Standard, ...]:
        """The standards of a month or longer period: its own (appointments and calls rated
        too), repeat contact against the same period a year before, and the follow-ups'."""
        return (
            *self.rules.rate(
                standard_values(tally, self.rules, calls), appointments=True, calls=True
            ),
            repeat_contact_standard(current, year_before),
            *self._followup_standards(followups),
        )

    def _followup_standards(self, figures: FollowupFigures) -> tuple[Standard, ...]:
        f = self.s.settings.followups
        return followup_standards(
            figures,
            ringback_days=f.ringback_working_days,
            acknowledge_days=f.acknowledge_working_days,
            respond_days=f.respond_working_days,
            amber_points=self.rules.amber_points,
        )

    def _followups(self, first: date, last: date, site: str | None) -> FollowupFigures:
        """The follow-ups received from ``first`` to ``last`` (the offices covering ``site``)."""
        return followup_figures(self.s, self._conns(site), first, last, site, self.actor)

    def _followup_values(self, figures: FollowupFigures) -> dict[str, float | None]:
        """The follow-up standards' figures, by key."""
        return {s.key: s.value for s in self._followup_standards(figures)}

    def _conns(self, site: str | None) -> list[sqlite3.Connection]:
        """The databases of the offices covering ``site`` (within the report's snapshot)."""
        return [office.store.conn for office in self.offices.covering(site)]


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _each_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
