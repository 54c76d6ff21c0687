"""The counts behind the monthly report's 12-month trend, by month, across the offices.

Closed business days (strictly before each site's today at every site of the office) come from
the daily rollup (:mod:`oss_desk.storage.rollup`); the days missing there are counted from the
event log once and written back to the session's own database after the report (never to an
included one). Today and later days are always counted live. Either way the figures are exactly
those of the event log.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from oss_desk.domain.calendar import business_day
from oss_desk.domain.tally import MonthCounts
from oss_desk.errors import StorageError
from oss_desk.services.report_offices import Office, Offices
from oss_desk.storage.reports import DayKey, day_counts
from oss_desk.storage.rollup import has_rollup, rolled_days, store_days
from oss_desk.storage.site import records_begin

log = logging.getLogger("oss_desk.reports")


class TrendCounts:
    """Counts months for one report (or the worker's hourly fill); remembers the closed days of
    the session's office it counted, to store them after the report."""

    def __init__(self, offices: Offices, target_minutes: int, *, rollup: bool = True) -> None:
        self.offices = offices
        self.target_seconds = target_minutes * 60
        self.rollup = rollup
        self.unsaved: dict[DayKey, MonthCounts] = {}
        """Closed days of this office counted during the report, to store after it."""

    def months(
        self, first: date, last: date, site: str | None, now: datetime
    ) -> dict[str, MonthCounts]:
        """Every covered office's counts by month (``YYYY-MM``) from ``first`` to ``last``."""
        totals: dict[str, MonthCounts] = {}
        for office in self.offices.covering(site):
            with office.store.read() as conn:
                days = self._office_days(office, conn, first, last, site, now)
            for (_, day), counts in days.items():
                totals[day[:7]] = totals.get(day[:7], MonthCounts()).merge(counts)
        return totals

    def _office_days(
        self,
        office: Office,
        conn: sqlite3.Connection,
        first: date,
        last: date,
        site: str | None,
        now: datetime,
    ) -> dict[DayKey, MonthCounts]:
        """One office's counts by day: closed days from the rollup (counting those it lacks) by
        site, the rest live from the event log (under ``""``)."""
        days: dict[DayKey, MonthCounts] = {}
        live_first = first
        closed_last = last_closed_day(office, now)
        if self.rollup and closed_last is not None and first <= closed_last:
            closed = self.closed_days(office, conn, first, closed_last)
            days.update((key, c) for key, c in closed.items() if site in (None, key[0]))
            live_first = closed_last + timedelta(days=1)
        if live_first <= last:
            days.update(
                day_counts(
                    conn,
                    live_first.isoformat(),
                    last.isoformat(),
                    self.target_seconds * 1000,
                    site,
                    by_site=False,  # added up by month: the sites are not needed
                )
            )
        return days

    def closed_days(
        self, office: Office, conn: sqlite3.Connection, first: date, last: date
    ) -> dict[DayKey, MonthCounts]:
        """Every site's counts of the closed days ``first`` to ``last``: the rollup's rows made
        with today's target, and the days it lacks (for any active site) counted from the event
        log, whole days at a time and for every site, which are stored after the report when the
        office is the session's own."""
        days: dict[DayKey, MonthCounts] = {}
        # Never a row for a day before the office's records begin: nothing happened then.
        timezone = next((s.timezone for s in office.directory.sites.values()), "Europe/London")
        begins = records_begin(conn, timezone)
        if begins is None:
            return days
        first = max(first, date.fromisoformat(begins))
        if first > last:
            return days
        if has_rollup(conn):
            days = rolled_days(conn, first.isoformat(), last.isoformat(), None, self.target_seconds)
        sites = list(office.directory.sites)
        missing = [
            day
            for day in _days(first, last)
            if any((s, day.isoformat()) not in days for s in sites)
        ]
        for run_first, run_last in _runs(missing):
            counted: dict[DayKey, MonthCounts] = {
                (s, day.isoformat()): MonthCounts()
                for s in sites
                for day in _days(run_first, run_last)
            }
            counted.update(
                day_counts(
                    conn, run_first.isoformat(), run_last.isoformat(), self.target_seconds * 1000
                )
            )
            days.update(counted)
            if office is self.offices.own:
                self.unsaved.update(counted)
        return days

    def save(self) -> int:
        """Store the closed days counted so far in the session's database (how many); when it
        cannot be written (read-only, busy, full) they are counted again next time."""
        days, self.unsaved = self.unsaved, {}
        store = self.offices.own.store
        if not days or store.conn.in_transaction:
            return 0
        try:
            with store.write() as conn:
                return store_days(conn, days, self.target_seconds)
        except StorageError as exc:
            log.info("daily rollup not stored (%s): it is counted again next time", exc)
            return 0


def last_closed_day(office: Office, now: datetime) -> date | None:
    """The last business day that is over at every site of the office (the day before the
    earliest site's today); None without sites."""
    todays = [business_day(now, s.timezone) for s in office.directory.sites.values()]
    if not todays:
        return None
    return date.fromisoformat(min(todays)) - timedelta(days=1)


def _days(first: date, last: date) -> Iterator[date]:
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive days (in order) as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
