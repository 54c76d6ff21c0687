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

from oss_desk.domain.tally import AppointmentTally, Arrivals, MonthCounts, Served, VisitTally

FIRST_CONTACT_OUTCOMES = frozenset({"resolved", "signposted"})
"""Finished at the first point of contact (the first-contact resolution standard)."""

# A visit's first contact: its first call to a desk, or its resolution at meet-and-greet (a
# 'finished' event without a ticket). Counted on the business day it happened.
_FIRST_CONTACTS = (
    "WITH touched AS ("
    "  SELECT DISTINCT visit_id FROM events"
    "  WHERE business_day BETWEEN :first AND :last AND kind IN ('called', 'finished')"
    "    AND (:site IS NULL OR site_id = :site)"
    "    AND (kind = 'called' OR ticket_id IS NULL)),"
    " first_contact AS ("
    "  SELECT e.visit_id, min(e.at) AS at, e.business_day AS day FROM events e"
    "  JOIN touched USING (visit_id)"
    "  WHERE e.kind IN ('called', 'finished') AND (e.kind = 'called' OR e.ticket_id IS NULL)"
    "  GROUP BY e.visit_id)"
    " SELECT f.day, CAST(round((julianday(f.at) - julianday(a.at)) * 86400000.0) AS INTEGER)"
    "   AS wait_ms"
    " FROM first_contact f JOIN events a ON a.visit_id = f.visit_id AND a.kind = 'arrived'"
    " WHERE f.day BETWEEN :first AND :last"
)

# Visits first contacted, and those within the target, by month (constant text: no input).
_SEEN_BY_MONTH = (
    "SELECT substr(day, 1, 7), count(*), sum(wait_ms <= :within_ms) FROM ("  # noqa: S608
    + _FIRST_CONTACTS
    + ") GROUP BY 1"
)


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

    waits = [row[1] for row in conn.execute(_FIRST_CONTACTS, args)]

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


def month_counts(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None, within_ms: int
) -> dict[str, MonthCounts]:
    """The trend's counts for each month (``YYYY-MM``) with data between the two days."""
    args = {**_args(first_day, last_day, site_id), "within_ms": within_ms}
    months: dict[str, MonthCounts] = {}

    def month(key: str) -> MonthCounts:
        return months.setdefault(key, MonthCounts())

    # Grouped in the order of the events_day index, which then needs no sorting (3x faster),
    # and added up by month here.
    for day, kind, outcome, count in conn.execute(
        "SELECT business_day, kind, outcome, count(*)"
        " FROM events WHERE business_day BETWEEN :first AND :last"
        "   AND kind IN ('arrived', 'finished', 'appointment_booked', 'appointment_checked_in',"
        "                'appointment_no_show')"
        "   AND (:site IS NULL OR site_id = :site)"
        " GROUP BY business_day, kind, site_id, outcome",
        args,
    ):
        counts = month(day[:7])
        if kind == "arrived":
            counts.visits += count
        elif kind == "finished":
            counts.finished += count
            counts.finished_first_contact += count if outcome in FIRST_CONTACT_OUTCOMES else 0
        elif kind == "appointment_booked":
            counts.booked += count
        elif kind == "appointment_checked_in":
            counts.kept += count
        else:
            counts.no_show += count
    for key, seen, within in conn.execute(_SEEN_BY_MONTH, args):
        counts = month(key)
        counts.seen += seen
        counts.seen_within += within or 0
    return months
