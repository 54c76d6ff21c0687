"""The tallies behind every report over days, by site and business day, across the offices.

Closed business days (strictly before each site's today at every site of the office) come from
the daily rollup (:mod:`oss_desk.storage.rollup`); the days missing there are counted from the
event log once and written back to the session's own database after the report (never to an
included one). Today and later days are always counted live. Either way the figures are exactly
those of the event log: the stored tally is the same query's result, raw waits included.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from oss_desk.domain.calendar import business_day, repeated_hours
from oss_desk.domain.tally import DayTally
from oss_desk.errors import StorageError
from oss_desk.services.report_offices import Office, Offices
from oss_desk.storage.facts_check import in_snapshot
from oss_desk.storage.reports import DayKey, day_tallies
from oss_desk.storage.reports_visits import arrivals_between
from oss_desk.storage.rollup import ROLLUP_VERSION, has_rollup, rolled_days, store_days
from oss_desk.storage.site import records_begin

log = logging.getLogger("oss_desk.reports")


class DayTallies:
    """Reads the tallies of days for one report (or the worker's hourly fill); remembers the
    closed days of the session's office it counted, to store them after the report."""

    def __init__(self, offices: Offices, *, rollup: bool = True) -> None:
        self.offices = offices
        self.rollup = rollup
        self.unsaved: dict[DayKey, DayTally] = {}
        """Closed days of this office counted during the report, to store after it."""

    def days(
        self, first: date, last: date, site: str | None, now: datetime
    ) -> dict[DayKey, DayTally]:
        """Every covered office's tallies from ``first`` to ``last``, by (site, day)."""
        found: dict[DayKey, DayTally] = {}
        for office in self.offices.covering(site):
            with office.store.read() as conn:
                found.update(self._office_days(office, conn, first, last, site, now))
        return found

    def by_month(
        self, first: date, last: date, site: str | None, now: datetime
    ) -> dict[str, DayTally]:
        """The tallies added up by month (``YYYY-MM``), for the months with any."""
        months: dict[str, DayTally] = {}
        for (_site, day), tally in self.days(first, last, site, now).items():
            months.setdefault(day[:7], DayTally()).add(tally)
        return months

    def _office_days(
        self,
        office: Office,
        conn: sqlite3.Connection,
        first: date,
        last: date,
        site: str | None,
        now: datetime,
    ) -> dict[DayKey, DayTally]:
        """One office's tallies by day: closed days from the rollup (counting those it lacks),
        the rest live from the event log."""
        days: dict[DayKey, DayTally] = {}
        live_first = first
        closed_last = last_closed_day(office, now)
        if self.rollup and closed_last is not None and first <= closed_last:
            closed = self.closed_days(office, conn, first, min(last, closed_last))
            days.update((key, t) for key, t in closed.items() if site in (None, key[0]))
            live_first = closed_last + timedelta(days=1)
        if live_first <= last:
            counted = day_tallies(conn, live_first.isoformat(), last.isoformat(), site)
            days.update(hours_apart(office.timezone_of, conn, counted))
        return days

    def closed_days(
        self, office: Office, conn: sqlite3.Connection, first: date, last: date
    ) -> dict[DayKey, DayTally]:
        """Every site's tallies of the closed days ``first`` to ``last``: the rollup's rows of
        this version, and the days it lacks (for any active site) counted from the event log,
        whole days at a time and for every site, which are stored after the report when the
        office is the session's own."""
        days: dict[DayKey, DayTally] = {}
        # Never a row for a day before the office's records begin: nothing happened then.
        timezone = next((s.timezone for s in office.directory.sites.values()), "Europe/London")
        begins = records_begin(conn, timezone)
        if begins is None:
            return days
        first = max(first, date.fromisoformat(begins))
        if first > last:
            return days
        if has_rollup(conn):
            days = rolled_days(conn, first.isoformat(), last.isoformat(), None)
        sites = list(office.directory.sites)
        missing = [
            day
            for day in _days(first, last)
            if any((s, day.isoformat()) not in days for s in sites)
        ]
        for run_first, run_last in _runs(missing):
            counted = day_tallies(conn, run_first.isoformat(), run_last.isoformat(), None)
            hours_apart(office.timezone_of, conn, counted)
            for day in _days(run_first, run_last):  # a day without events: an empty tally
                for s in sites:
                    if (s, day.isoformat()) not in counted:
                        counted[(s, day.isoformat())] = DayTally()
            days.update(counted)
            if office is self.offices.own and has_rollup(conn):
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
                return store_days(conn, days)
        except StorageError as exc:
            log.info("daily rollup not stored (%s): it is counted again next time", exc)
            return 0


def hours_apart(
    timezone_of: Callable[[str], str], conn: sqlite3.Connection, days: dict[DayKey, DayTally]
) -> dict[DayKey, DayTally]:
    """``days`` with the arrivals in an hour's second time round (the day the clocks go back:
    01:00 GMT after 01:00 BST) keyed apart from its first
    (:meth:`~oss_desk.domain.tally.Arrivals.apart`), as ``report daily`` shows them and the
    rollup stores them."""
    for (site, day), tally in days.items():
        for hour in repeated_hours(date.fromisoformat(day), timezone_of(site)):
            second = arrivals_between(conn, site, day, hour.second_from, hour.second_to)
            tally.visits.arrivals.apart(second)
    return days


def rollup_problems(db: Path) -> list[str]:
    """The closed days whose tally the daily rollup stores (this version's rows, which the
    reports read instead of counting the day again) that differ from the tally counted now
    from the event log, one line each naming the site, the day and the figures: a row edited by
    hand would change a report unseen (the hash chain covers only the events)."""
    return in_snapshot(db, _rollup_differs)


def _rollup_differs(conn: sqlite3.Connection) -> list[str]:
    if not has_rollup(conn):
        return []
    rows = conn.execute(
        "SELECT site_id, business_day, tally FROM daily_rollup WHERE version = ?"
        " ORDER BY business_day, site_id",
        [ROLLUP_VERSION],
    ).fetchall()
    if not rows:
        return []
    zones = {str(site): str(tz) for site, tz in conn.execute("SELECT id, timezone FROM sites")}
    default = next(iter(zones.values()), "Europe/London")
    counted = hours_apart(
        lambda site: zones.get(site, default),
        conn,
        day_tallies(conn, rows[0][1], rows[-1][1], None),
    )
    problems = []
    for site, day, text in rows:
        want = json.loads(json.dumps(counted.get((site, day), DayTally()).plain()))
        try:
            have = json.loads(text)
        except ValueError:
            have = {}
        if have != want:
            fields = [key for key in want if have.get(key) != want[key]] or ["its form"]
            problems.append(
                f"report figures: the daily rollup's {day} at {site} differs from its events "
                f"in {', '.join(fields)} (the reports of that day read the row: it was changed "
                "outside oss-desk)"
            )
    return problems


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


RUN_DAYS = 31
"""The most days counted from the event log in one run: what one run holds (every wait of
its visits) stays bounded however long the range without a stored day (an office's older
copy, whose stored days are of an older rollup version, is counted whole)."""


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive days (in order) as (first, last) runs of at most :data:`RUN_DAYS`."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day and (day - runs[-1][0]).days < RUN_DAYS:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
