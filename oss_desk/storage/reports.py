"""Report aggregates, computed in SQL from the visit event log."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DailyCounts:
    arrivals: int
    by_hour: dict[int, int]
    by_service: dict[str, int]
    no_shows: int
    contacted: int
    """Visits whose first call (or meet-and-greet resolution) happened that day."""
    contacted_within: int
    finished: int
    finished_first_contact: int
    quick_visits: int
    outcomes: dict[str, int]
    still_waiting: int


def daily_counts(
    conn: sqlite3.Connection, day: str, site_id: str | None, within_seconds: int
) -> DailyCounts:
    args = {"day": day, "site": site_id, "within_ms": within_seconds * 1000}
    arrivals_by = conn.execute(
        "SELECT local_hour, service_code, count(*) FROM events "
        "WHERE business_day = :day AND kind = 'arrived' AND (:site IS NULL OR site_id = :site) "
        "GROUP BY local_hour, service_code",
        args,
    ).fetchall()
    by_hour: dict[int, int] = {}
    by_service: dict[str, int] = {}
    arrivals = 0
    for hour, service, count in arrivals_by:
        arrivals += count
        by_hour[hour] = by_hour.get(hour, 0) + count
        by_service[service] = by_service.get(service, 0) + count

    no_shows = conn.execute(
        "SELECT count(DISTINCT visit_id) FROM events "
        "WHERE business_day = :day AND kind = 'no_show' AND (:site IS NULL OR site_id = :site)",
        args,
    ).fetchone()[0]

    # First contact: the first call to a desk, or the resolution at meet-and-greet (a 'finished'
    # event with no ticket). Counted on the day it happened; compared with the arrival.
    contacted, within = conn.execute(
        "WITH touched AS ("
        "  SELECT DISTINCT visit_id FROM events e"
        "  WHERE e.business_day = :day AND (e.kind = 'called'"
        "        OR (e.kind = 'finished' AND e.ticket_id IS NULL))"
        "    AND (:site IS NULL OR e.site_id = :site)),"
        " first_contact AS ("
        "  SELECT e.visit_id, min(e.at) AS at, e.business_day AS day FROM events e"
        "  JOIN touched USING (visit_id)"
        "  WHERE e.kind = 'called' OR (e.kind = 'finished' AND e.ticket_id IS NULL)"
        "  GROUP BY e.visit_id)"
        " SELECT count(*), coalesce(sum("
        "   round((julianday(f.at) - julianday(a.at)) * 86400000.0) <= :within_ms), 0)"
        " FROM first_contact f JOIN events a ON a.visit_id = f.visit_id AND a.kind = 'arrived'"
        " WHERE f.day = :day",
        args,
    ).fetchone()

    outcome_rows = conn.execute(
        "SELECT outcome, count(*), sum(ticket_id IS NULL) FROM events "
        "WHERE business_day = :day AND kind = 'finished' AND (:site IS NULL OR site_id = :site) "
        "GROUP BY outcome",
        args,
    ).fetchall()
    outcomes = {row[0]: row[1] for row in outcome_rows}
    finished = sum(outcomes.values())
    first_contact = outcomes.get("resolved", 0) + outcomes.get("signposted", 0)
    quick = sum(row[2] or 0 for row in outcome_rows)

    still_waiting = conn.execute(
        "SELECT count(*) FROM tickets WHERE business_day = :day AND status = 'waiting' "
        "AND (:site IS NULL OR site_id = :site)",
        args,
    ).fetchone()[0]

    return DailyCounts(
        arrivals=arrivals,
        by_hour=by_hour,
        by_service=by_service,
        no_shows=no_shows,
        contacted=contacted,
        contacted_within=within,
        finished=finished,
        finished_first_contact=first_contact,
        quick_visits=quick,
        outcomes=outcomes,
        still_waiting=still_waiting,
    )
