"""Report tallies, read from the append-only visit event log.

Every query is parameterised and reads a range of business days through the ``events_day``
index (business_day, kind, site_id, ...); ``site_id`` None means every site in the database. The
results are raw tallies (:mod:`oss_desk.domain.tally`), one per site and business day, so that
days, months, years and several offices' databases can be added up before any percentage or
percentile is taken. What each visit's facts mean (seen, walked out, closed with the office) is
decided in :mod:`oss_desk.domain.standards`, not here.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from oss_desk.domain.standards import VisitFacts
from oss_desk.domain.tally import AppointmentTally, DayTally, VisitTally

DayKey = tuple[str, str]
"""(site id, business day ``YYYY-MM-DD``); events without a site are under ``""``."""


def _ms(column: str) -> str:
    """An ISO instant column as epoch milliseconds (SQLite's julianday is exact to well under a
    millisecond for these dates)."""
    return f"CAST(round((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER)"


_VISIT_FACTS = f"""
SELECT a.site_id, a.business_day, {_ms("a.at")},
  (SELECT {_ms("ap.starts_at")} FROM appointments ap WHERE ap.visit_id = a.visit_id),
  (SELECT {_ms("min(c.at)")} FROM events c
    WHERE c.visit_id = a.visit_id AND c.kind = 'called'
      AND NOT EXISTS (SELECT 1 FROM events x WHERE x.visit_id = a.visit_id
                      AND x.kind IN ('no_show', 'cancelled') AND x.ticket_id = c.ticket_id)),
  (SELECT {_ms("min(c.at)")} FROM events c WHERE c.visit_id = a.visit_id AND c.kind = 'called'),
  (SELECT {_ms("f.at")} FROM events f
    WHERE f.visit_id = a.visit_id AND f.kind = 'finished' AND f.ticket_id IS NULL),
  (SELECT x.kind || ' ' || CASE WHEN x.kind = 'cancelled'
            THEN coalesce(json_extract(x.data, '$.reason'), '') ELSE '' END || ' ' || {_ms("x.at")}
    FROM events x WHERE x.visit_id = a.visit_id AND x.kind IN ('finished', 'no_show', 'cancelled')
    ORDER BY x.at DESC, x.id DESC LIMIT 1)
FROM events a
WHERE a.business_day BETWEEN :first AND :last AND a.kind = 'arrived'
  AND (:site IS NULL OR a.site_id = :site)
"""  # noqa: S608 - constant text
"""Each visit that arrived in the range, with the facts its classification needs: arrival, the
booked start of its appointment, its first attended call (a call of a ticket that did not end as
a no-show or cancelled), its first call, its resolution at meet-and-greet and how it ended."""


def _args(first_day: str, last_day: str, site_id: str | None) -> dict[str, Any]:
    return {"first": first_day, "last": last_day, "site": site_id}


class _Days:
    """Tallies by (site, day), made on first use."""

    def __init__(self) -> None:
        self.days: dict[DayKey, DayTally] = {}

    def __call__(self, site: str | None, day: str) -> DayTally:
        key = (site or "", day)
        found = self.days.get(key)
        if found is None:
            found = self.days[key] = DayTally()
        return found

    def visits(self, site: str | None, day: str) -> VisitTally:
        return self(site, day).visits

    def appointments(self, site: str | None, day: str) -> AppointmentTally:
        return self(site, day).appointments


def day_tallies(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> dict[DayKey, DayTally]:
    """The tally of each (site, business day) from ``first_day`` to ``last_day`` (inclusive)
    that has any event (one site, or every site with None)."""
    args = _args(first_day, last_day, site_id)
    days = _Days()
    _arrivals(conn, args, days)
    _visits(conn, args, days)
    _finishes(conn, args, days)
    _served(conn, args, days)
    # A no-show taken back (the resident came after all) is not one.
    for day, site, n in conn.execute(
        "SELECT e.business_day, e.site_id, count(DISTINCT e.visit_id) FROM events e"
        " WHERE e.business_day BETWEEN :first AND :last AND (:site IS NULL OR e.site_id = :site)"
        " AND e.kind = 'no_show'"
        " AND NOT EXISTS (SELECT 1 FROM events u WHERE u.visit_id = e.visit_id"
        "                 AND u.kind = 'no_show_undone' AND u.ticket_id = e.ticket_id"
        "                 AND u.id > e.id)"
        " GROUP BY 1, 2",
        args,
    ):
        days.visits(site, day).no_shows += n
    # Services added at a desk and delivered; appointments arranged in a visit.
    for day, site, added, arranged in conn.execute(
        "SELECT business_day, site_id, count(*) FILTER (WHERE kind = 'service_delivered'),"
        " count(*) FILTER (WHERE kind = 'appointment_booked'"
        "                  AND json_extract(data, '$.arranged_in_visit') IS NOT NULL)"
        " FROM events WHERE business_day BETWEEN :first AND :last"
        "   AND kind IN ('service_delivered', 'appointment_booked')"
        "   AND (:site IS NULL OR site_id = :site) GROUP BY 1, 2",
        args,
    ):
        tally = days.visits(site, day)
        tally.added_services_delivered += added
        tally.appointments_arranged += arranged
    for day, site, need, n in conn.execute(
        "SELECT e.business_day, e.site_id, j.value, count(*)"
        " FROM events e, json_each(e.data, '$.needs') j"
        " WHERE e.business_day BETWEEN :first AND :last AND e.kind = 'arrived'"
        "   AND (:site IS NULL OR e.site_id = :site)"
        " GROUP BY 1, 2, 3",
        args,
    ):
        days.visits(site, day).needs[str(need)] += n
    for day, site, n in conn.execute(
        "SELECT business_day, site_id, count(*) FROM tickets"
        " WHERE business_day BETWEEN :first AND :last AND status = 'waiting'"
        "   AND (:site IS NULL OR site_id = :site) GROUP BY 1, 2",
        args,
    ):
        days.visits(site, day).still_waiting += n
    for day, site, service, rating, declined, n in conn.execute(
        "SELECT business_day, site_id, coalesce(service_code, ''),"
        " json_extract(data, '$.rating'), json_extract(data, '$.declined'), count(*) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"
        " AND kind = 'rating_recorded' GROUP BY 1, 2, 3, 4, 5",
        args,
    ):
        answer = "declined" if declined or rating is None else str(int(rating))
        days.visits(site, day).ratings[(answer, service)] += n
    for day, site, service, n in conn.execute(
        "SELECT business_day, site_id, coalesce(service_code, ''), count(*) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"
        " AND kind = 'appointment_incomplete' GROUP BY 1, 2, 3",
        args,
    ):
        days.visits(site, day).flags[("without_documents", service)] += n
    _appointments(conn, args, days)
    return days.days


def _arrivals(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    for day, site, hour, service, channel, urgent, repeat, n in conn.execute(
        "SELECT business_day, site_id, local_hour, service_code,"
        " coalesce(json_extract(data, '$.channel'), 'walk_in'),"
        " coalesce(json_extract(data, '$.urgent'), 0), coalesce(json_extract(data, '$.repeat'), 0),"
        " count(*) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"
        " AND kind = 'arrived'"
        " GROUP BY 1, 2, 3, 4, 5, 6, 7",
        args,
    ):
        tally = days.visits(site, day)
        tally.arrivals.counts[(day, site, hour, service, channel)] += n
        if urgent:
            tally.flags[("urgent", service)] += n
        if repeat:
            tally.flags[("repeat", service)] += n


def _visits(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    for site, day, arrived, booked, attended, first_call, quick, ended in conn.execute(
        _VISIT_FACTS, args
    ):
        kind = reason = None
        ended_ms = None
        if ended is not None:
            kind, reason, at = str(ended).split(" ")
            ended_ms = int(at)
        seen = min((t for t in (attended, quick) if t is not None), default=None)
        days.visits(site, day).count_visit(
            VisitFacts(
                arrived_ms=arrived,
                booked_ms=booked,
                seen_ms=seen,
                first_call_ms=first_call,
                ended=kind,
                ended_reason=reason or None,
                ended_ms=ended_ms,
            )
        )


def _finishes(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    """Outcomes, visits dealt with at meet-and-greet, and what the finish recorded: where the
    resident was signposted to, help to go online, whether it could have been done online."""
    for day, site, service, outcome, quick, signposted, assisted, avoidable, n in conn.execute(
        "SELECT business_day, site_id, coalesce(service_code, ''), outcome, ticket_id IS NULL,"
        " json_extract(data, '$.signposted_to'),"
        " coalesce(json_extract(data, '$.assisted_digital'), 0),"
        " coalesce(json_extract(data, '$.avoidable'), 0), count(*)"
        " FROM events"
        " WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"
        " AND kind = 'finished' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
        args,
    ):
        tally = days.visits(site, day)
        tally.outcomes[outcome] += n
        if quick:
            tally.quick_visits += n
        if signposted:
            tally.flags[(f"signposted:{signposted}", service)] += n
        if assisted:
            tally.flags[("assisted_digital", service)] += n
        if avoidable:
            tally.flags[("avoidable", service)] += n


def _served(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    for day, site, desk, person, ms in conn.execute(
        "SELECT e.business_day, e.site_id, e.desk_id, e.actor, CAST(round((julianday(e.at)"
        " - julianday(coalesce(t.called_at, t.serving_at))) * 86400000.0) AS INTEGER)"
        " FROM events e JOIN tickets t ON t.id = e.ticket_id"
        " WHERE e.business_day BETWEEN :first AND :last AND e.kind = 'finished'"
        "   AND (:site IS NULL OR e.site_id = :site) AND e.ticket_id IS NOT NULL",
        args,
    ):
        days.visits(site, day).served.setdefault((site, desk, person), []).append(ms)


def _appointments(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    """Appointment events, on the day each booking, check-in, no-show, cancellation or move was
    recorded."""
    for day, site, kind, n in conn.execute(
        "SELECT business_day, site_id, kind, count(*) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"
        " AND kind IN"
        " ('appointment_booked', 'appointment_checked_in', 'appointment_no_show')"
        " GROUP BY 1, 2, 3",
        args,
    ):
        tally = days.appointments(site, day)
        if kind == "appointment_booked":
            tally.booked += n
        elif kind == "appointment_checked_in":
            tally.kept += n
        else:
            tally.no_show += n
    for day, site, kind, by, notice, breach, n in conn.execute(
        "SELECT business_day, site_id, kind, json_extract(data, '$.by'),"
        " json_extract(data, '$.notice_working_days'),"
        " coalesce(json_extract(data, '$.breach'), 0), count(*) FROM events"
        " WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"
        " AND kind IN ('appointment_cancelled', 'appointment_rescheduled')"
        " GROUP BY 1, 2, 3, 4, 5, 6",
        args,
    ):
        tally = days.appointments(site, day)
        if kind == "appointment_cancelled":
            tally.cancelled[str(by)] += n
            if by == "council":
                tally.council_notice[int(notice or 0)] += n
                tally.breaches += n if breach else 0
        elif by == "council":
            tally.council_moves[int(notice or 0)] += n
            tally.move_breaches += n if breach else 0


def visit_tally(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> VisitTally:
    """The visits of the business days ``first_day`` to ``last_day`` (inclusive), added up."""
    total = VisitTally()
    for tally in day_tallies(conn, first_day, last_day, site_id).values():
        total.add(tally.visits)
    return total
