"""Report tallies, read from the append-only visit event log.

Every query is parameterised and reads a range of business days through the ``events_day``
index (business_day, kind, site_id, ...); ``site_id`` None means every site in the database. The
results are raw tallies (:mod:`oss_desk.domain.tally`), one per site and business day, so that
days, months, years and several offices' databases can be added up before any percentage or
percentile is taken. What each visit's facts mean (seen, walked out, closed with the office) is
decided in :mod:`oss_desk.domain.standards`, not here.

The visits (their arrival, what became of them, their finish and service time) are read from
``visit_facts`` (schema/0024: one row a visit, kept by triggers on the event log) when the
database has it (:mod:`oss_desk.storage.reports_facts`), else from the events themselves (an
office's older copy read with ``--include``): the same rows either way, counted by the same code.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from oss_desk.domain.tally import AppointmentTally, DayTally, VisitTally, signposted_flag
from oss_desk.storage.reports_facts import FINISHES, SERVED, FactsKept, facts_kept
from oss_desk.storage.reports_visits import count_visits

DayKey = tuple[str, str]
"""(site id, business day ``YYYY-MM-DD``); events without a site are under ``""``."""


_SPAN = (
    "WITH RECURSIVE span(day) AS (SELECT :first WHERE :first <= :last"
    " UNION ALL SELECT date(day, '+1 day') FROM span WHERE day < :last) "
)
"""Every calendar day of the range, so that each query seeks (business_day, kind) in the
``events_day`` index day by day (``business_day IN span``) instead of scanning every event of
the range for the few of one kind (a range on the index's first column leaves ``kind``
unsought)."""

_IN_SPAN = "IN (SELECT day FROM span)"


def _span_rows(conn: sqlite3.Connection, sql: str, args: dict[str, Any]) -> sqlite3.Cursor:
    """Run a query over the range's days (``business_day IN (SELECT day FROM span)``)."""
    return conn.execute(_SPAN + sql, args)


def _args(first_day: str, last_day: str, site_id: str | None) -> dict[str, Any]:
    return {"first": first_day, "last": last_day, "site": site_id}


class _Days:
    """Tallies by (site, day), made on first use."""

    def __init__(self) -> None:
        self.days: dict[DayKey, DayTally] = {}
        self._last: tuple[str | None, str, VisitTally] | None = None
        """The visits of the (site, day) asked last: the reads come grouped by site and day."""

    def __call__(self, site: str | None, day: str) -> DayTally:
        key = (site or "", day)
        found = self.days.get(key)
        if found is None:
            found = self.days[key] = DayTally()
        return found

    def visits(self, site: str | None, day: str) -> VisitTally:
        last = self._last
        if last is not None and last[0] == site and last[1] == day:
            return last[2]
        found = self(site, day).visits
        self._last = (site, day, found)
        return found

    def appointments(self, site: str | None, day: str) -> AppointmentTally:
        return self(site, day).appointments


def day_tallies(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> dict[DayKey, DayTally]:
    """The tally of each (site, business day) from ``first_day`` to ``last_day`` (inclusive)
    that has any event (one site, or every site with None)."""
    args = _args(first_day, last_day, site_id)
    days = _Days()
    _visits(conn, args, days)
    _finishes(conn, args, days)
    _served(conn, args, days)
    # A no-show taken back (the resident came after all) is not one.
    for day, site, n in _span_rows(
        conn,
        "SELECT e.business_day, e.site_id, count(DISTINCT e.visit_id) FROM events e"
        " WHERE e.business_day IN (SELECT day FROM span) AND (:site IS NULL OR e.site_id = :site)"
        " AND e.kind = 'no_show'"
        " AND NOT EXISTS (SELECT 1 FROM events u WHERE u.visit_id = e.visit_id"
        "                 AND u.kind = 'no_show_undone' AND u.ticket_id = e.ticket_id"
        "                 AND u.id > e.id)"
        " GROUP BY 1, 2",
        args,
    ):
        days.visits(site, day).no_shows += n
    # Services added at a desk and delivered; appointments arranged in a visit.
    for day, site, added, arranged in _span_rows(
        conn,
        "SELECT business_day, site_id, count(*) FILTER (WHERE kind = 'service_delivered'),"
        " count(*) FILTER (WHERE kind = 'appointment_booked'"
        "                  AND json_extract(data, '$.arranged_in_visit') IS NOT NULL)"
        " FROM events WHERE business_day IN (SELECT day FROM span)"
        "   AND kind IN ('service_delivered', 'appointment_booked')"
        "   AND (:site IS NULL OR site_id = :site) GROUP BY 1, 2",
        args,
    ):
        tally = days.visits(site, day)
        tally.added_services_delivered += added
        tally.appointments_arranged += arranged
    for day, site, n in _span_rows(
        conn,
        "SELECT business_day, site_id, count(*) FROM tickets"
        " WHERE business_day IN (SELECT day FROM span) AND status = 'waiting'"
        "   AND (:site IS NULL OR site_id = :site) GROUP BY 1, 2",
        args,
    ):
        days.visits(site, day).still_waiting += n
    for day, site, service, rating, declined, n in _span_rows(
        conn,
        "SELECT business_day, site_id, coalesce(service_code, ''),"
        " json_extract(data, '$.rating'), json_extract(data, '$.declined'), count(*) FROM events"
        " WHERE business_day IN (SELECT day FROM span) AND (:site IS NULL OR site_id = :site)"
        " AND kind = 'rating_recorded' GROUP BY 1, 2, 3, 4, 5",
        args,
    ):
        answer = "declined" if declined or rating is None else str(int(rating))
        days.visits(site, day).ratings[(answer, service)] += n
    for day, site, service, n in _span_rows(
        conn,
        "SELECT business_day, site_id, coalesce(service_code, ''), count(*) FROM events"
        " WHERE business_day IN (SELECT day FROM span) AND (:site IS NULL OR site_id = :site)"
        " AND kind = 'appointment_incomplete' GROUP BY 1, 2, 3",
        args,
    ):
        days.visits(site, day).flags[("without_documents", service)] += n
    _appointments(conn, args, days)
    return days.days


def _visits(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    """Each visit that arrived in the range: the arrivals by hour, service and channel, the
    urgent and repeat flags and the needs; and the visits counted by what became of them, in
    SQL by the domain's rule (:mod:`oss_desk.storage.reports_visits`), from ``visit_facts``
    (schema/0024, 0030) as the database keeps it (an older copy's recounted where the contact
    rule changed since), else from the events."""
    count_visits(conn, args, facts_kept(conn), days.visits)


def _finishes(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    """Outcomes, visits dealt with at meet-and-greet, and what the finish recorded: where the
    resident was signposted to, help to go online, whether it could have been done online."""
    facts = facts_kept(conn) is not FactsKept.NONE
    for day, site, service, outcome, quick, signposted, assisted, avoidable, n in (
        conn.execute(FINISHES, args)
        if facts
        else _span_rows(
            conn,
            "SELECT business_day, site_id, coalesce(service_code, ''), outcome,"
            " ticket_id IS NULL, json_extract(data, '$.signposted_to'),"
            " coalesce(json_extract(data, '$.assisted_digital'), 0),"
            " coalesce(json_extract(data, '$.avoidable'), 0), count(*)"
            " FROM events"
            " WHERE business_day IN (SELECT day FROM span)"
            " AND (:site IS NULL OR site_id = :site)"
            " AND kind = 'finished' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
            args,
        )
    ):
        tally = days.visits(site, day)
        tally.outcomes[outcome] += n
        if quick:
            tally.quick_visits += n
        place = signposted_flag(outcome, signposted)
        if place:
            tally.flags[(place, service)] += n
        if assisted:
            tally.flags[("assisted_digital", service)] += n
        if avoidable:
            tally.flags[("avoidable", service)] += n


def _served(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    """Each ticket finished at a desk: its service time (called, else serving, to finished),
    by site, day, desk and person, a list per group from SQLite (group_concat) rather than a
    row per ticket."""
    for day, site, desk, person, times in (
        conn.execute(SERVED, args)
        if facts_kept(conn) is not FactsKept.NONE
        else _span_rows(
            conn,
            "SELECT e.business_day, e.site_id, e.desk_id, e.actor, group_concat("
            " CAST(round((julianday(e.at) - julianday(coalesce(t.called_at, t.serving_at)))"
            " * 86400000.0) AS INTEGER))"
            " FROM events e JOIN tickets t ON t.id = e.ticket_id"
            " WHERE e.business_day IN (SELECT day FROM span) AND e.kind = 'finished'"
            "   AND (:site IS NULL OR e.site_id = :site) AND e.ticket_id IS NOT NULL"
            " GROUP BY 1, 2, 3, 4",
            args,
        )
    ):
        if times is not None:  # a ticket finished without a call has no service time
            served = days.visits(site, day).served.setdefault((site, desk, person), [])
            served.extend(map(int, str(times).split(",")))


def _appointments(conn: sqlite3.Connection, args: dict[str, Any], days: _Days) -> None:
    """Appointment events, on the day each booking, check-in, no-show, cancellation or move was
    recorded."""
    for day, site, kind, n in _span_rows(
        conn,
        "SELECT business_day, site_id, kind, count(*) FROM events"
        " WHERE business_day IN (SELECT day FROM span) AND (:site IS NULL OR site_id = :site)"
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
    # A council change to a booking whose resident has no email or phone counts its notice
    # when a person told them (appointment_told, on that day), not at the change ("told": 0).
    for day, site, kind, by, notice, breach, told, change, n in _span_rows(
        conn,
        "SELECT business_day, site_id, kind, json_extract(data, '$.by'),"
        " json_extract(data, '$.notice_working_days'),"
        " coalesce(json_extract(data, '$.breach'), 0), coalesce(json_extract(data, '$.told'), 1),"
        " json_extract(data, '$.change'), count(*) FROM events"
        " WHERE business_day IN (SELECT day FROM span) AND (:site IS NULL OR site_id = :site)"
        " AND kind IN ('appointment_cancelled', 'appointment_rescheduled', 'appointment_told')"
        " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
        args,
    ):
        tally = days.appointments(site, day)
        if kind == "appointment_cancelled":
            tally.cancelled[str(by)] += n
        cancelled = kind == "appointment_cancelled" or change == "cancelled"
        if by != "council" or not told or (kind == "appointment_told" and notice is None):
            continue
        if cancelled:
            tally.council_notice[int(notice or 0)] += n
            tally.breaches += n if breach else 0
        else:
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
