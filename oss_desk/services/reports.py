"""The daily and monthly figures against the council's standards.

:class:`ReportService` returns typed reports (:class:`~oss_desk.domain.reports.DailyReport`,
:class:`~oss_desk.domain.reports.MonthlyReport`); :mod:`oss_desk.render` presents them (text,
CSV, JSON, HTML, paper) and the desk app shows them. It reports on the session's office database
and, with ``include``, on other offices' databases opened read-only
(:mod:`oss_desk.services.report_offices`): counts add up, and percentages and percentiles are
taken over the combined raw data, never averaged.

The monthly report's 12-month trend reads closed days from the daily rollup
(:mod:`oss_desk.services.report_trend`); the figures are exactly those of the event log either
way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from oss_desk.domain.access import Action
from oss_desk.domain.calendar import DateSpan, parse_date
from oss_desk.domain.calls import CallCounts, CallFigures, call_figures
from oss_desk.domain.followup_figures import FollowupFigures
from oss_desk.domain.models import Actor
from oss_desk.domain.report_figures import (
    Layout,
    appointment_figures,
    day_comparison,
    trend_month,
    visit_figures,
)
from oss_desk.domain.reports import (
    DailyReport,
    DayComparison,
    EventLogHead,
    MonthlyReport,
    TrendMonth,
    VisitFigures,
)
from oss_desk.domain.standards import (
    Standard,
    appointment_standards,
    followup_standards,
    visit_standards,
)
from oss_desk.domain.stats import (
    busiest,
    last_months,
    month_bounds,
    month_days,
    month_of,
    parse_month,
    same_weekday_before,
)
from oss_desk.domain.tally import AppointmentTally, MonthCounts, VisitTally
from oss_desk.errors import NotFound
from oss_desk.services.followup_reports import followup_figures, followups_due
from oss_desk.services.report_offices import Offices
from oss_desk.services.report_trend import TrendCounts, last_closed_day
from oss_desk.services.session import Session
from oss_desk.storage.calls import call_counts
from oss_desk.storage.chain import head_on
from oss_desk.storage.reports import appointment_tally, visit_tally
from oss_desk.storage.site import records_begin

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
        """``rollup=False``: count the whole trend from the event log (tests, benchmarks)."""
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
    def target_minutes(self) -> int:
        return self.s.settings.queue.target_minutes

    # The reports -----------------------------------------------------------------------------

    def daily(
        self,
        day: str | date | None = None,
        site_id: str | None = None,
        *,
        compare_weeks: int = COMPARE_WEEKS,
    ) -> DailyReport:
        """One business day: every office, or one site (``site_id``)."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        with self.offices.snapshot():
            site, sites = self.offices.scope(site_id)
            when = self._day(day, site)
            layout = self.offices.layout(sites, [when])
            tally = self._visits(when, when, site)
            figures = self._figures(tally, layout)
            return DailyReport(
                date=when.isoformat(),
                site=site,
                sites=sites,
                target_minutes=self.target_minutes,
                figures=figures,
                standards=self._visit_standards(figures),
                still_waiting=tally.still_waiting,
                busiest_hour=busiest(figures.by_hour),
                previous_weeks=tuple(
                    self._day_before(earlier, site)
                    for earlier in same_weekday_before(when, compare_weeks)
                ),
                event_log_head=self._event_log_head(when, site),
                followups=followups_due(self._conns(site), when, site),
            )

    def monthly(self, month: str | None = None, site_id: str | None = None) -> MonthlyReport:
        """One calendar month: visits, appointments, the standards, calls and the trend."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        trend = TrendCounts(self.offices, self.target_minutes, rollup=self.rollup)
        with self.offices.snapshot():
            report = self._monthly(month, site_id, trend)
        trend.save()
        return report

    def fill_rollup(self) -> int:
        """Count and store the closed days that the trend of this month's report needs and the
        daily rollup lacks (all of them the first time, then the days since the last report);
        returns how many site-days were stored. The worker runs it every hour, so that reports
        find yesterday ready; reports fill what is missing themselves anyway."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        office = self.offices.own
        first, _ = month_bounds(last_months(month_of(self._day(None, None)), TREND_MONTHS)[0])
        closed_last = last_closed_day(office, self.s.clock.now())
        if not self.rollup or closed_last is None or closed_last < first:
            return 0
        trend = TrendCounts(self.offices, self.target_minutes)
        with office.store.read() as conn:
            trend.closed_days(office, conn, first, closed_last)
        return trend.save()

    def _monthly(self, month: str | None, site_id: str | None, trend: TrendCounts) -> MonthlyReport:
        site, sites = self.offices.scope(site_id)
        key = parse_month(month) if month is not None else month_of(self._day(None, site))
        first, last = month_bounds(key)
        if month is not None:
            self._span(site).check_month(first, last)
        days = month_days(key)
        tally = self._visits(first, last, site)
        figures = self._figures(tally, self.offices.layout(sites, days))
        appointments = appointment_figures(
            self._appointments(first, last, site),
            self.s.settings.appointments.min_notice_working_days,
        )
        arrivals = tally.arrivals.by(0)
        by_day = {d.isoformat(): arrivals.get(d.isoformat(), 0) for d in days}
        followups = followup_figures(self.s, self._conns(site), first, last, site, self.actor)
        return MonthlyReport(
            month=key,
            site=site,
            sites=sites,
            target_minutes=self.target_minutes,
            figures=figures,
            standards=self._visit_standards(figures)
            + appointment_standards(
                appointments.appointments_kept_pct,
                appointments.council_cancellations.with_notice_pct,
                notice_days=self.s.settings.appointments.min_notice_working_days,
                amber_points=self.amber_points,
            )
            + self._followup_standards(followups),
            by_day=by_day,
            busiest_day=busiest(by_day),
            appointments=appointments,
            calls=self._calls(first, last, site),
            trend=self._trend(key, site, trend),
            followups=followups,
        )

    # Reading ---------------------------------------------------------------------------------

    @property
    def amber_points(self) -> float:
        return self.s.settings.reports.amber_points

    def _day(self, day: str | date | None, site: str | None) -> date:
        if isinstance(day, datetime):
            return day.date()
        if isinstance(day, date):
            return day
        if day is not None:
            return parse_date(day, "--date", self._span(site))
        for office in self.offices.all:
            found = office.directory.sites.get(site) if site else None
            found = found or next(iter(office.directory.sites.values()), None)
            if found is not None:
                return date.fromisoformat(self.s.today(found))
        raise NotFound("no site is configured")  # pragma: no cover - init refuses that

    def _span(self, site: str | None) -> DateSpan:
        """The dates a report may ask for: from the day the earliest office's records begin
        to 100 years after today."""
        today = self._day(None, site)
        begins = [
            records_begin(office.store.conn, next(iter(office.directory.sites.values())).timezone)
            for office in self.offices.covering(site)
            if office.directory.sites
        ]
        known = [date.fromisoformat(b) for b in begins if b]
        return DateSpan.of(min(known) if known else None, today)

    def _event_log_head(self, day: date, site: str | None) -> EventLogHead | None:
        """This office's event log head at the end of the day (so far, today): printed on the
        summary, it anchors the record outside the file (``db check`` recomputes the chain)."""
        with self.offices.own.store.read() as conn:
            found = head_on(conn, day.isoformat(), site)
        return None if found is None else EventLogHead(event=found[0], sha256=found[1].hex())

    def _visits(self, first: date, last: date, site: str | None) -> VisitTally:
        total = VisitTally()
        for office in self.offices.covering(site):
            with office.store.read() as conn:
                total = total.merge(visit_tally(conn, first.isoformat(), last.isoformat(), site))
        return total

    def _appointments(self, first: date, last: date, site: str | None) -> AppointmentTally:
        total = AppointmentTally()
        for office in self.offices.covering(site):
            with office.store.read() as conn:
                found = appointment_tally(conn, first.isoformat(), last.isoformat(), site)
                total = total.merge(found)
        return total

    def _calls(self, first: date, last: date, site: str | None) -> CallFigures | None:
        """The telephone figures from imported call data (raw counts added up across offices);
        None when none was imported for the period."""
        counts = CallCounts()
        for office in self.offices.covering(site):
            with office.store.read() as conn:
                counts = counts + call_counts(conn, first.isoformat(), last.isoformat(), site)
        return call_figures(counts, first, last)

    # Assembling ------------------------------------------------------------------------------

    def _figures(self, tally: VisitTally, layout: Layout) -> VisitFigures:
        return visit_figures(tally, layout, self.target_minutes)

    def _visit_standards(self, figures: VisitFigures) -> tuple[Standard, ...]:
        return visit_standards(
            figures.within_15_min_pct,
            figures.first_contact_resolution_pct,
            target_minutes=self.target_minutes,
            amber_points=self.amber_points,
        )

    def _followup_standards(self, figures: FollowupFigures) -> tuple[Standard, ...]:
        f = self.s.settings.followups
        return followup_standards(
            figures,
            ringback_days=f.ringback_working_days,
            acknowledge_days=f.acknowledge_working_days,
            respond_days=f.respond_working_days,
            amber_points=self.amber_points,
        )

    def _conns(self, site: str | None) -> list[sqlite3.Connection]:
        """The databases of the offices covering ``site`` (within the report's snapshot)."""
        return [office.store.conn for office in self.offices.covering(site)]

    def _day_before(self, day: date, site: str | None) -> DayComparison:
        return day_comparison(day.isoformat(), self._visits(day, day, site), self.target_minutes)

    def _trend(self, month: str, site: str | None, trend: TrendCounts) -> tuple[TrendMonth, ...]:
        months = last_months(month, TREND_MONTHS)
        first, _ = month_bounds(months[0])
        _, last = month_bounds(months[-1])
        counts = trend.months(first, last, site, self.s.clock.now())
        return tuple(trend_month(key, counts.get(key, MonthCounts())) for key in months)
