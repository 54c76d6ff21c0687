"""The daily and monthly figures against the council's standards.

:class:`ReportService` returns plain JSON-ready dicts (the shape is in the README and in the
session plan): the JSON format prints them as they are; text, CSV and the desk app render them.
It reports on the session's office database and, with ``include``, on other offices' databases
opened read-only: counts add up, and percentages and percentiles are taken over the combined raw
data, never averaged.

The monthly report's 12-month trend reads the counts of closed business days (strictly before
each site's today) from the daily rollup (:mod:`oss_desk.storage.rollup`): the days missing there
are counted from the event log once, and written back to the session's own database after the
report (never to an included one). Today and later days are always counted live. Either way the
figures are exactly those of the event log.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from oss_desk.config import Settings, build_settings
from oss_desk.domain.access import Action
from oss_desk.domain.calendar import DateSpan, business_day, hours_on, parse_date
from oss_desk.domain.calls import CallCounts, call_figures
from oss_desk.domain.models import Actor, DeskKind, Outcome
from oss_desk.domain.needs import INTERPRETER, SIMPLE_NEEDS
from oss_desk.domain.stats import (
    NOTICE_BUCKETS,
    busiest,
    hours_between,
    last_months,
    median,
    month_bounds,
    month_days,
    month_of,
    ms_to_minutes,
    notice_bucket,
    parse_month,
    pct,
    rag_status,
    same_weekday_before,
    wait_summary,
)
from oss_desk.domain.tally import AppointmentTally, MonthCounts, VisitTally
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, StorageError
from oss_desk.services.session import Session
from oss_desk.storage.calls import call_counts
from oss_desk.storage.chain import head_on
from oss_desk.storage.database import Store
from oss_desk.storage.maintenance import office_id
from oss_desk.storage.readonly import open_readonly
from oss_desk.storage.reports import appointment_tally, month_counts, visit_tally
from oss_desk.storage.rollup import DayKey, day_counts, has_rollup, rolled_days, store_days
from oss_desk.storage.site import Directory, latest_config, read_directory, records_begin

log = logging.getLogger("oss_desk.reports")

KNOWN_NEEDS = (*SIMPLE_NEEDS, INTERPRETER)
"""The adjustments every report lists (interpreters of every language count as one)."""

TREND_MONTHS = 12
COMPARE_WEEKS = 4


@dataclass
class Office:
    """One office database the report reads."""

    store: Store
    settings: Settings
    directory: Directory
    owned: bool = False
    """Opened by the report (an ``include``): closed with it."""


def open_office(path: str | Path) -> Office:
    store = open_readonly(path)
    try:
        with store.read() as conn:
            stored = latest_config(conn)
            if stored is None:
                raise StorageError(f"{store.path} holds no site configuration")
            settings = build_settings(stored.document, f"the configuration stored in {store.path}")
            directory = read_directory(conn)
    except BaseException:
        store.close()
        raise
    return Office(store=store, settings=settings, directory=directory, owned=True)


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
        self._unsaved: dict[DayKey, MonthCounts] = {}
        """Closed days of this office counted during the report, to store after it."""
        self.offices: list[Office] = [
            Office(store=session.store, settings=session.settings, directory=session.directory)
        ]
        seen = {_identity(session.store.path)}
        offices = {office_id(session.store.conn): "this office"}
        try:
            for path in include:
                key = _identity(Path(path))
                if key in seen:
                    raise InvalidInput(f"{shown(str(path))} is included twice (or is this office)")
                seen.add(key)
                office = open_office(path)
                self.offices.append(office)
                with office.store.read() as conn:
                    ident = office_id(conn)
                if ident is not None and ident in offices:
                    raise InvalidInput(
                        f"{shown(str(path))} is a copy of {offices[ident]}'s database "
                        "(the same office): include each office once"
                    )
                offices[ident or key] = shown(str(path))
            self._refuse_shared_site_ids()
        except BaseException:
            self.close()
            raise

    def _refuse_shared_site_ids(self) -> None:
        """Offices are told apart by their sites: two offices with one site id cannot be."""
        owner: dict[str, int] = {}
        for n, office in enumerate(self.offices):
            for site in office.directory.sites:
                if owner.setdefault(site, n) != n:
                    raise InvalidInput(
                        f"two of the offices use the site id {site!r}: give each office's site "
                        "its own id in its configuration to report on them together"
                    )

    def close(self) -> None:
        for office in self.offices:
            if office.owned:
                office.store.close()

    def __enter__(self) -> ReportService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The reports -----------------------------------------------------------------------------

    def daily(
        self,
        day: str | date | None = None,
        site_id: str | None = None,
        *,
        compare_weeks: int = COMPARE_WEEKS,
    ) -> dict[str, Any]:
        """One business day: every office, or one site (``site_id``)."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        with self._snapshot():
            return self._daily(day, site_id, compare_weeks)

    def fill_rollup(self) -> int:
        """Count and store the closed days that the trend of this month's report needs and the
        daily rollup lacks (all of them the first time, then the days since the last report);
        returns how many site-days were stored. The worker runs it every hour, so that reports
        find yesterday ready; reports fill what is missing themselves anyway."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        office = self.offices[0]
        first, _ = month_bounds(last_months(month_of(self._day(None, None)), TREND_MONTHS)[0])
        closed_last = self._last_closed_day(office)
        if not self.rollup or closed_last is None or closed_last < first:
            return 0
        try:
            with office.store.read() as conn:
                self._closed_days(office, conn, first, closed_last)
        finally:
            unsaved, self._unsaved = self._unsaved, {}
        return self._save_rollup(unsaved)

    def _daily(
        self, day: str | date | None, site_id: str | None, compare_weeks: int
    ) -> dict[str, Any]:
        site, sites = self._scope(site_id)
        when = self._day(day, site)
        tally = self._visits(when.isoformat(), when.isoformat(), site)
        hours = self._opening_hours([when], site, sites)
        figures: dict[str, Any] = {
            "date": when.isoformat(),
            "site": site,
            "sites": sites,
            "target_minutes": self.target_minutes,
        }
        figures.update(self._visit_figures(tally, hours, sites))
        figures["still_waiting"] = tally.still_waiting
        figures["busiest_hour"] = busiest(figures["by_hour"])
        figures["standards"] = self._standards(figures, None)
        figures["previous_weeks"] = [
            self._week_before(earlier, site) for earlier in same_weekday_before(when, compare_weeks)
        ]
        figures["event_log_head"] = self._event_log_head(when, site)
        return _ordered(figures, DAILY_ORDER)

    def _event_log_head(self, day: date, site: str | None) -> dict[str, Any] | None:
        """This office's event log head at the end of the day (so far, today): printed on the
        summary, it anchors the record outside the file (``db check`` recomputes the chain)."""
        with self.offices[0].store.read() as conn:
            found = head_on(conn, day.isoformat(), site)
        return None if found is None else {"event": found[0], "sha256": found[1].hex()}

    def monthly(self, month: str | None = None, site_id: str | None = None) -> dict[str, Any]:
        """One calendar month: visits, appointments, the standards, calls and the trend."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        try:
            with self._snapshot():
                figures = self._monthly(month, site_id)
        finally:
            unsaved, self._unsaved = self._unsaved, {}
        self._save_rollup(unsaved)
        return figures

    def _monthly(self, month: str | None, site_id: str | None) -> dict[str, Any]:
        site, sites = self._scope(site_id)
        key = parse_month(month) if month is not None else month_of(self._day(None, site))
        first, last = month_bounds(key)
        if month is not None:
            self._span(site).check_month(first, last)
        tally = self._visits(first.isoformat(), last.isoformat(), site)
        days = month_days(key)
        figures: dict[str, Any] = {
            "month": key,
            "site": site,
            "sites": sites,
            "target_minutes": self.target_minutes,
        }
        figures.update(self._visit_figures(tally, self._opening_hours(days, site, sites), sites))
        arrivals_by_day = tally.arrivals.by(0)
        figures["by_day"] = {d.isoformat(): arrivals_by_day.get(d.isoformat(), 0) for d in days}
        figures["busiest_day"] = busiest(figures["by_day"])
        figures.update(self._appointment_figures(first.isoformat(), last.isoformat(), site))
        figures["standards"] = self._standards(figures, figures)
        figures["calls"] = self._calls(first.isoformat(), last.isoformat(), site)
        figures["trend"] = self._trend(key, site)
        return _ordered(figures, MONTHLY_ORDER)

    # Reading ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One consistent read of every office for the whole report."""
        with contextlib.ExitStack() as stack:
            for office in self.offices:
                stack.enter_context(office.store.read())
            yield

    @property
    def target_minutes(self) -> int:
        return self.s.settings.queue.target_minutes

    def _scope(self, site_id: str | None) -> tuple[str | None, list[str]]:
        """The site asked for (None: all) and the sites the report covers."""
        every: list[str] = []
        for office in self.offices:
            every += [s for s in office.directory.sites if s not in every]
        if site_id is None:
            return (every[0] if len(every) == 1 else None), every
        wanted = site_id.strip()
        if wanted not in every:
            raise NotFound(f"unknown site {shown(site_id)!r} (sites: {', '.join(every)})")
        return wanted, [wanted]

    def _day(self, day: str | date | None, site: str | None) -> date:
        if isinstance(day, datetime):
            return day.date()
        if isinstance(day, date):
            return day
        if day is not None:
            return parse_date(day, "--date", self._span(site))
        for office in self.offices:
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
            for office in self._offices(site)
            if office.directory.sites
        ]
        known = [date.fromisoformat(b) for b in begins if b]
        return DateSpan.of(min(known) if known else None, today)

    def _visits(self, first: str, last: str, site: str | None) -> VisitTally:
        total = VisitTally()
        for office in self._offices(site):
            with office.store.read() as conn:
                total = total.merge(visit_tally(conn, first, last, site))
        return total

    def _offices(self, site: str | None) -> list[Office]:
        return [o for o in self.offices if site is None or site in o.directory.sites]

    def _opening_hours(self, days: Sequence[date], site: str | None, sites: list[str]) -> set[int]:
        hours: set[int] = set()
        for office in self.offices:
            for config in office.settings.sites:
                if config.id not in sites:
                    continue
                for day in days:
                    opening = hours_on(config.opening_hours, day)
                    if opening is not None:
                        hours.update(
                            hours_between(
                                opening.opens.hour, opening.closes.hour, opening.closes.minute
                            )
                        )
        return hours

    # Assembling ------------------------------------------------------------------------------

    def _visit_figures(
        self, tally: VisitTally, hours: set[int], sites: list[str]
    ) -> dict[str, Any]:
        target_ms = self.target_minutes * 60_000
        arrivals = tally.arrivals
        by_channel = arrivals.by(4)
        seen = len(tally.waits_ms)
        within = sum(1 for w in tally.waits_ms if w <= target_ms)
        wait_median, wait_p90 = wait_summary(tally.waits_ms)
        by_hour_counts = arrivals.by(2)
        by_hour = {f"{h:02d}": 0 for h in hours}
        for hour, n in by_hour_counts.items():
            by_hour[hour] = n
        services: list[str] = []
        for office in self.offices:
            services += [c for c in office.directory.services if c not in services]
        by_service = {code: 0 for code in services}
        for code, n in arrivals.by(3).items():
            by_service[code] = n
        by_site = {s: 0 for s in sites}
        for s, n in arrivals.by(1).items():
            by_site[s] = n
        adjustments = {need: 0 for need in KNOWN_NEEDS}
        for need, n in tally.needs.items():
            key = INTERPRETER if need.startswith(INTERPRETER + ":") else need
            adjustments[key] = adjustments.get(key, 0) + n
        return {
            "visits": arrivals.total,
            "walk_ins": by_channel.get("walk_in", 0),
            "appointment_visits": by_channel.get("appointment", 0),
            "served": len(tally.served),
            "quick_visits": tally.quick_visits,
            "no_shows": tally.no_shows,
            "seen": seen,
            "seen_within_target": within,
            "within_15_min_pct": pct(within, seen),
            "wait_median_minutes": wait_median,
            "wait_p90_minutes": wait_p90,
            "finished": tally.finished,
            "finished_first_contact": tally.finished_first_contact,
            "first_contact_resolution_pct": pct(tally.finished_first_contact, tally.finished),
            "outcomes": {o.value: tally.outcomes.get(o.value, 0) for o in Outcome},
            "by_hour": dict(sorted(by_hour.items())),
            "by_service": dict(sorted(by_service.items())),
            "by_site": by_site,
            "desks": self._desks(tally, sites),
            "advisers": self._advisers(tally),
            "adjustments": adjustments,
        }

    def _desks(self, tally: VisitTally, sites: list[str]) -> dict[str, dict[str, Any]]:
        known: list[tuple[str, str]] = []
        for office in self.offices:
            for desk in office.directory.desks.values():
                if desk.site_id in sites and desk.kind is not DeskKind.MEET_AND_GREET:
                    known.append((desk.site_id, desk.id))
        times: dict[tuple[str, str], list[int]] = {pair: [] for pair in known}
        for served in tally.served:
            times.setdefault((served.site_id, served.desk_id), []).append(served.service_ms)
        sites_of: Counter[str] = Counter(desk_id for _, desk_id in times)
        out: dict[str, dict[str, Any]] = {}
        for (site, desk_id), values in sorted(times.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            key = desk_id if sites_of[desk_id] == 1 else f"{site}/{desk_id}"
            out[key] = {
                "served": len(values),
                "service_median_minutes": ms_to_minutes(median(list(values))),
                "service_total_minutes": ms_to_minutes(sum(values)) or 0.0,
            }
        return out

    def _advisers(self, tally: VisitTally) -> dict[str, dict[str, Any]]:
        times: dict[str, list[int]] = {}
        for served in tally.served:
            times.setdefault(served.person, []).append(served.service_ms)
        out: dict[str, dict[str, Any]] = {}
        for person in sorted(times):
            values = times[person]
            out[person] = {
                "name": self._person_name(person),
                "served": len(values),
                "service_median_minutes": ms_to_minutes(median(list(values))),
            }
        return out

    def _person_name(self, person: str) -> str:
        for office in self.offices:
            member = office.directory.staff.get(person)
            if member is not None:
                return member.name
        return person

    def _week_before(self, day: date, site: str | None) -> dict[str, Any]:
        tally = self._visits(day.isoformat(), day.isoformat(), site)
        target_ms = self.target_minutes * 60_000
        seen = len(tally.waits_ms)
        wait_median, wait_p90 = wait_summary(tally.waits_ms)
        return {
            "date": day.isoformat(),
            "visits": tally.arrivals.total,
            "served": len(tally.served),
            "no_shows": tally.no_shows,
            "within_15_min_pct": pct(sum(1 for w in tally.waits_ms if w <= target_ms), seen),
            "first_contact_resolution_pct": pct(tally.finished_first_contact, tally.finished),
            "wait_median_minutes": wait_median,
            "wait_p90_minutes": wait_p90,
        }

    def _appointment_figures(self, first: str, last: str, site: str | None) -> dict[str, Any]:
        tally = AppointmentTally()
        for office in self._offices(site):
            with office.store.read() as conn:
                tally = tally.merge(appointment_tally(conn, first, last, site))
        needed = self.s.settings.appointments.min_notice_working_days
        council = sum(tally.council_notice.values())
        with_notice = sum(n for days, n in tally.council_notice.items() if days >= needed)
        buckets = {bucket: 0 for bucket in NOTICE_BUCKETS}
        for days, n in tally.council_notice.items():
            buckets[notice_bucket(days)] += n
        return {
            "appointments_booked": tally.booked,
            "appointments_kept": tally.kept,
            "appointments_no_show": tally.no_show,
            "appointments_kept_pct": pct(tally.kept, tally.kept + tally.no_show),
            "appointments_cancelled": {
                "council": tally.cancelled.get("council", 0),
                "resident": tally.cancelled.get("resident", 0),
            },
            "council_cancellations": {
                "total": council,
                "with_notice": with_notice,
                "breaches": tally.breaches,
                "with_notice_pct": pct(with_notice, council),
                "notice_days": buckets,
            },
        }

    def _standards(
        self, figures: dict[str, Any], monthly: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """The council's standards with their red/amber/green status."""
        amber = self.s.settings.reports.amber_points
        target = self.target_minutes
        notice = self.s.settings.appointments.min_notice_working_days
        rows: list[tuple[str, str, float | None, float | None, str]] = [
            (
                "within_15_min",
                f"Seen within {target} minutes of arriving",
                figures["within_15_min_pct"],
                80,
                "over",
            ),
            (
                "first_contact",
                "Resolved at the first point of contact",
                figures["first_contact_resolution_pct"],
                80,
                "at_least",
            ),
        ]
        if monthly is not None:
            rows += [
                (
                    "appointments_kept",
                    "Appointments kept (attended)",
                    monthly["appointments_kept_pct"],
                    None,
                    "monitored",
                ),
                (
                    "council_notice",
                    f"Council cancellations with at least {notice} working "
                    + ("day's notice" if notice == 1 else "days' notice"),
                    monthly["council_cancellations"]["with_notice_pct"],
                    100,
                    "at_least",
                ),
            ]
        return [
            {
                "key": key,
                "label": label,
                "value": value,
                "target": goal,
                "rule": rule,
                "status": rag_status(value, goal, rule, amber),
            }
            for key, label, value, goal, rule in rows
        ]

    def _trend(self, month: str, site: str | None) -> list[dict[str, Any]]:
        months = last_months(month, TREND_MONTHS)
        first, _ = month_bounds(months[0])
        _, last = month_bounds(months[-1])
        totals: dict[str, MonthCounts] = {}
        for office in self._offices(site):
            found = self._office_months(office, first, last, site)
            for key, counts in found.items():
                totals[key] = totals.get(key, MonthCounts()).merge(counts)
        out = []
        for key in months:
            c = totals.get(key, MonthCounts())
            out.append(
                {
                    "month": key,
                    "visits": c.visits,
                    "within_15_min_pct": pct(c.seen_within, c.seen),
                    "first_contact_resolution_pct": pct(c.finished_first_contact, c.finished),
                    "appointments_booked": c.booked,
                    "appointments_kept": c.kept,
                    "appointments_no_show": c.no_show,
                }
            )
        return out

    def _office_months(
        self, office: Office, first: date, last: date, site: str | None
    ) -> dict[str, MonthCounts]:
        """One office's trend counts by month: closed days from the rollup (counting those it
        lacks), the rest live from the event log."""
        within_ms = self.target_minutes * 60_000
        months: dict[str, MonthCounts] = {}
        live_first = first
        with office.store.read() as conn:
            closed_last = self._last_closed_day(office)
            if self.rollup and closed_last is not None and first <= closed_last:
                for (day_site, day), counts in self._closed_days(
                    office, conn, first, closed_last
                ).items():
                    if site is None or day_site == site:
                        key = day[:7]
                        months[key] = months.get(key, MonthCounts()).merge(counts)
                live_first = closed_last + timedelta(days=1)
            if live_first <= last:
                found = month_counts(
                    conn, live_first.isoformat(), last.isoformat(), site, within_ms
                )
                for key, counts in found.items():
                    months[key] = months.get(key, MonthCounts()).merge(counts)
        return months

    def _last_closed_day(self, office: Office) -> date | None:
        """The last business day that is over at every site of the office (the day before the
        earliest site's today, by the session clock); None without sites."""
        now = self.s.clock.now()
        todays = [business_day(now, s.timezone) for s in office.directory.sites.values()]
        if not todays:
            return None
        return date.fromisoformat(min(todays)) - timedelta(days=1)

    def _closed_days(
        self, office: Office, conn: sqlite3.Connection, first: date, last: date
    ) -> dict[DayKey, MonthCounts]:
        """Every site's counts of the closed days ``first`` to ``last``: the rollup's rows made
        with today's target, and the days it lacks (for any active site) counted from the event
        log, whole days at a time and for every site, which are stored after the report when the
        office is the session's own."""
        target_seconds = self.target_minutes * 60
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
            days = rolled_days(conn, first.isoformat(), last.isoformat(), None, target_seconds)
        sites = list(office.directory.sites)
        missing = [
            day
            for day in _days(first, last)
            if any((s, day.isoformat()) not in days for s in sites)
        ]
        own = office is self.offices[0]
        for run_first, run_last in _runs(missing):
            counted: dict[DayKey, MonthCounts] = {
                (s, day.isoformat()): MonthCounts()
                for s in sites
                for day in _days(run_first, run_last)
            }
            counted.update(
                day_counts(conn, run_first.isoformat(), run_last.isoformat(), target_seconds * 1000)
            )
            days.update(counted)
            if own:
                self._unsaved.update(counted)
        return days

    def _save_rollup(self, days: dict[DayKey, MonthCounts]) -> int:
        """Store closed days counted during a report in the session's database (how many);
        when it cannot be written (read-only, busy, full) they are counted again next time."""
        store = self.offices[0].store
        if not days or store.conn.in_transaction:
            return 0
        try:
            with store.write() as conn:
                return store_days(conn, days, self.target_minutes * 60)
        except StorageError as exc:
            log.info("daily rollup not stored (%s): it is counted again next time", exc)
            return 0

    def _calls(self, first: str, last: str, site: str | None) -> dict[str, Any] | None:
        """The telephone figures from imported call data (raw counts added up across offices);
        None when none was imported for the period."""
        counts = CallCounts()
        for office in self._offices(site):
            with office.store.read() as conn:
                counts = counts + call_counts(conn, first, last, site)
        return call_figures(counts, date.fromisoformat(first), date.fromisoformat(last))


DAILY_ORDER = (
    "date",
    "site",
    "sites",
    "target_minutes",
    "visits",
    "walk_ins",
    "appointment_visits",
    "served",
    "quick_visits",
    "no_shows",
    "still_waiting",
    "seen",
    "seen_within_target",
    "within_15_min_pct",
    "wait_median_minutes",
    "wait_p90_minutes",
    "finished",
    "finished_first_contact",
    "first_contact_resolution_pct",
    "outcomes",
    "by_hour",
    "by_service",
    "by_site",
    "desks",
    "advisers",
    "adjustments",
    "busiest_hour",
    "standards",
    "previous_weeks",
    "event_log_head",
)

MONTHLY_ORDER = (
    "month",
    "site",
    "sites",
    "target_minutes",
    "visits",
    "walk_ins",
    "appointment_visits",
    "served",
    "quick_visits",
    "no_shows",
    "seen",
    "seen_within_target",
    "within_15_min_pct",
    "wait_median_minutes",
    "wait_p90_minutes",
    "finished",
    "finished_first_contact",
    "first_contact_resolution_pct",
    "outcomes",
    "by_day",
    "busiest_day",
    "by_hour",
    "by_service",
    "by_site",
    "desks",
    "advisers",
    "adjustments",
    "appointments_booked",
    "appointments_kept",
    "appointments_no_show",
    "appointments_kept_pct",
    "appointments_cancelled",
    "council_cancellations",
    "standards",
    "calls",
    "trend",
)


def _ordered(figures: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {key: figures[key] for key in order}


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


def _identity(path: Path) -> str:
    try:
        return str(path.expanduser().resolve())
    except OSError:
        return str(path)
