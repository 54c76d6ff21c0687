"""Report aggregates, computed in SQL from the append-only visit event log.

Every query is parameterised and reads a range of business days through the ``events_day``
index (business_day, kind, site_id); ``site_id`` None means every site in the database. The
results are raw tallies (:mod:`oss_desk.domain.tally`) so that several offices' databases can be
added up before any percentage or percentile is taken.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from typing import Any

from oss_desk.domain.standards import is_first_contact
from oss_desk.domain.tally import AppointmentTally, Arrivals, MonthCounts, Served, VisitTally

DayKey = tuple[str, str]
"""(site id, business day ``YYYY-MM-DD``); events without a site are under ``""``."""


def _first_contacts(by_site: bool) -> str:
    """Each visit first contacted in the range (its first call to a desk, or its resolution at
    meet-and-greet: a 'finished' event without a ticket), on the business day of that first
    contact, with its wait from arrival, and (``by_site``; else ``''``) the site it was touched
    at. Every figure about first contact and the wait target (the reports, their trend, the
    daily rollup) is counted from this one query; the site costs a tenth more, so it is only
    asked for where it is kept."""
    site = "coalesce(min(site_id), '')" if by_site else "''"
    return (
        f"WITH touched AS (SELECT visit_id, {site} AS site FROM events"  # noqa: S608 - constant
        "  WHERE business_day BETWEEN :first AND :last AND kind IN ('called', 'finished')"
        "    AND (kind = 'called' OR ticket_id IS NULL) AND (:site IS NULL OR site_id = :site)"
        "  GROUP BY visit_id),"
        " first_contact AS ("
        "  SELECT e.visit_id, min(e.at) AS at, e.business_day AS day, touched.site AS site"
        "  FROM events e JOIN touched USING (visit_id)"
        "  WHERE e.kind IN ('called', 'finished') AND (e.kind = 'called' OR e.ticket_id IS NULL)"
        "  GROUP BY e.visit_id)"
        " SELECT f.site, f.day,"
        "   CAST(round((julianday(f.at) - julianday(a.at)) * 86400000.0) AS INTEGER) AS wait_ms"
        " FROM first_contact f JOIN events a ON a.visit_id = f.visit_id AND a.kind = 'arrived'"
        " WHERE f.day BETWEEN :first AND :last"
    )


_FIRST_CONTACTS = _first_contacts(by_site=False)


def _seen_by_day(by_site: bool) -> str:
    """Visits first contacted, and those within the target, by site and day: the wait rule
    (:func:`oss_desk.domain.standards.within_target`: the target itself counts) in SQL."""
    return (
        "SELECT site, day, count(*), sum(wait_ms <= :within_ms) FROM ("  # noqa: S608 - constant
        + _first_contacts(by_site)
        + ") GROUP BY 1, 2"
    )


_SEEN_BY_DAY = {by_site: _seen_by_day(by_site) for by_site in (False, True)}


def _args(first_day: str, last_day: str, site_id: str | None) -> dict[str, Any]:
    return {"first": first_day, "last": last_day, "site": site_id}


def visit_tally(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> VisitTally:
    """Arrivals, no-shows, waits to first contact, outcomes, service times and recorded needs
    of the business days ``first_day`` to ``last_day`` (inclusive)."""
    args = _args(first_day, last_day, site_id)
    arrivals: Counter[tuple[str, str, int, str, str]] = Counter()
    for day, site, hour, service, channel, count in conn.execute(
        "SELECT business_day, site_id, local_hour, service_code,"
        " coalesce(json_extract(data, '$.channel'), 'walk_in'), count(*) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND kind = 'arrived'"
        "   AND (:site IS NULL OR site_id = :site)"
        " GROUP BY 1, 2, 3, 4, 5",
        args,
    ):
        arrivals[(day, site, hour, service, channel)] += count

    no_shows = conn.execute(
        "SELECT count(DISTINCT visit_id) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND kind = 'no_show'"
        "   AND (:site IS NULL OR site_id = :site)",
        args,
    ).fetchone()[0]

    waits = [row[2] for row in conn.execute(_FIRST_CONTACTS, args)]

    outcomes: Counter[str] = Counter()
    quick = 0
    for outcome, count, at_greet in conn.execute(
        "SELECT outcome, count(*), sum(ticket_id IS NULL) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND kind = 'finished'"
        "   AND (:site IS NULL OR site_id = :site)"
        " GROUP BY outcome",
        args,
    ):
        outcomes[outcome] += count
        quick += at_greet or 0

    served = [
        Served(site_id=r[0], desk_id=r[1], person=r[2], service_ms=r[3])
        for r in conn.execute(
            "SELECT e.site_id, e.desk_id, e.actor, CAST(round((julianday(e.at)"
            " - julianday(coalesce(t.called_at, t.serving_at))) * 86400000.0) AS INTEGER)"
            " FROM events e JOIN tickets t ON t.id = e.ticket_id"
            " WHERE e.business_day BETWEEN :first AND :last AND e.kind = 'finished'"
            "   AND (:site IS NULL OR e.site_id = :site) AND e.ticket_id IS NOT NULL",
            args,
        )
    ]

    needs: Counter[str] = Counter()
    for need, count in conn.execute(
        "SELECT j.value, count(*) FROM events e, json_each(e.data, '$.needs') j"
        " WHERE e.business_day BETWEEN :first AND :last AND e.kind = 'arrived'"
        "   AND (:site IS NULL OR e.site_id = :site)"
        " GROUP BY j.value",
        args,
    ):
        needs[str(need)] += count

    still_waiting = conn.execute(
        "SELECT count(*) FROM tickets WHERE business_day BETWEEN :first AND :last"
        " AND status = 'waiting' AND (:site IS NULL OR site_id = :site)",
        args,
    ).fetchone()[0]

    return VisitTally(
        arrivals=Arrivals(arrivals),
        no_shows=no_shows,
        waits_ms=waits,
        outcomes=outcomes,
        quick_visits=quick,
        served=served,
        needs=needs,
        still_waiting=still_waiting,
    )


def appointment_tally(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> AppointmentTally:
    """Appointment events of the business days ``first_day`` to ``last_day`` (the day each
    booking, check-in, no-show or cancellation was recorded)."""
    args = _args(first_day, last_day, site_id)
    tally = AppointmentTally()
    for kind, count in conn.execute(
        "SELECT kind, count(*) FROM events"
        " WHERE business_day BETWEEN :first AND :last"
        "   AND kind IN ('appointment_booked', 'appointment_checked_in', 'appointment_no_show')"
        "   AND (:site IS NULL OR site_id = :site)"
        " GROUP BY kind",
        args,
    ):
        if kind == "appointment_booked":
            tally.booked = count
        elif kind == "appointment_checked_in":
            tally.kept = count
        else:
            tally.no_show = count
    for by, notice, breach, count in conn.execute(
        "SELECT json_extract(data, '$.by'), json_extract(data, '$.notice_working_days'),"
        " coalesce(json_extract(data, '$.breach'), 0), count(*) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND kind = 'appointment_cancelled'"
        "   AND (:site IS NULL OR site_id = :site)"
        " GROUP BY 1, 2, 3",
        args,
    ):
        tally.cancelled[str(by)] += count
        if by == "council":
            tally.council_notice[int(notice or 0)] += count
            tally.breaches += count if breach else 0
    return tally


def day_counts(
    conn: sqlite3.Connection,
    first_day: str,
    last_day: str,
    within_ms: int,
    site_id: str | None = None,
    *,
    by_site: bool = True,
) -> dict[DayKey, MonthCounts]:
    """The trend's counts of each site (one, or every site with None) on each business day from
    ``first_day`` to ``last_day`` (inclusive) that has any: what the daily rollup stores, and
    what the trend adds up by month (``by_site=False``: every site's counts under ``""``)."""
    args = {**_args(first_day, last_day, site_id), "within_ms": within_ms}
    days: dict[DayKey, MonthCounts] = {}
    # Grouped in the order of the events_day index, which then needs no sorting (3x faster).
    for day, kind, site, outcome, n in conn.execute(
        "SELECT business_day, kind, site_id, outcome, count(*)"
        " FROM events WHERE business_day BETWEEN :first AND :last"
        "   AND kind IN ('arrived', 'finished', 'appointment_booked', 'appointment_checked_in',"
        "                'appointment_no_show')"
        "   AND (:site IS NULL OR site_id = :site)"
        " GROUP BY business_day, kind, site_id, outcome",
        args,
    ):
        counts = days.setdefault(((site or "") if by_site else "", day), MonthCounts())
        if kind == "arrived":
            counts.visits += n
        elif kind == "finished":
            counts.finished += n
            counts.finished_first_contact += n if is_first_contact(outcome) else 0
        elif kind == "appointment_booked":
            counts.booked += n
        elif kind == "appointment_checked_in":
            counts.kept += n
        else:
            counts.no_show += n
    for site, day, seen, within in conn.execute(_SEEN_BY_DAY[by_site], args):
        counts = days.setdefault((site, day), MonthCounts())
        counts.seen += seen
        counts.seen_within += within or 0
    return days


def month_counts(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None, within_ms: int
) -> dict[str, MonthCounts]:
    """The trend's counts for each month (``YYYY-MM``) with data between the two days."""
    months: dict[str, MonthCounts] = {}
    found = day_counts(conn, first_day, last_day, within_ms, site_id, by_site=False)
    for (_, day), counts in found.items():
        months[day[:7]] = months.get(day[:7], MonthCounts()).merge(counts)
    return months
