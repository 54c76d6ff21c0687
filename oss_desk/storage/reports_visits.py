"""The visits of a range of days counted in SQL: what became of each visit and its wait, by the
domain's own rule (:data:`oss_desk.domain.standards.VISIT_ENDS`, spelt here as ``CASE WHEN``),
listed per site and day by SQLite as one number a visit (its end and wait); the arrivals and
flags grouped likewise. Python then handles a few thousand groups instead of each of hundreds of
thousands of visits.

The raw waits come back whole (``group_concat``: every wait, for the percentiles, never an
average), so the tallies are exactly those of counting visit by visit
(:meth:`oss_desk.domain.tally.VisitTally.count_visit`); ``tests/test_visit_rules_sql.py`` holds
the two equal for arbitrary visits.

The visits are read from ``visit_facts`` (schema/0024, 0030, 0049, 0056) when the database has it;
from an office's older copy read with ``--include`` (never migrated), from its ``visit_facts``
kept by the contact rule before 0056 with the visits that rule differs on worked out again, or
from its events alone when older still: the same columns every way
(:class:`~oss_desk.storage.reports_facts.FactsKept`). Every way reads a visit's events through
the index ``events_visit``, a visit at a time, so a year's report grows with its visits
(``tests/test_query_plans.py``).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from oss_desk.domain.standards import (
    CHECKED_IN_BY_BOOKED,
    CLOCK_STARTS,
    GONE,
    NOT_VISITORS,
    PUT_BACK,
    VISIT_ENDS,
    Check,
    EndRule,
    VisitEnd,
    VisitFacts,
)
from oss_desk.domain.tally import ArrivalKey, VisitTally
from oss_desk.storage.migrations import view_sql
from oss_desk.storage.reports_facts import FactsKept, facts_kept

FACT_COLUMNS = (
    "arrived_ms",
    "booked_ms",
    "seen_ms",
    "first_call_ms",
    "ended",
    "ended_reason",
    "ended_ms",
)
"""The facts of a visit as the ``facts`` rows below name them (the fields of
:class:`oss_desk.domain.standards.VisitFacts`)."""


def _ms(column: str) -> str:
    return f"CAST(round((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER)"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _check(rule: EndRule) -> str:
    if rule.check is Check.SET:
        return f"{rule.fact} IS NOT NULL"
    if rule.check is Check.UNSET:
        return f"{rule.fact} IS NULL"
    if rule.check is Check.IN:
        return f"{rule.fact} IN ({', '.join(map(_text, rule.values))})"
    return "1"


CLOCK_START_SQL = "max(" + ", ".join(f"coalesce({c}, arrived_ms)" for c in CLOCK_STARTS) + ")"
"""When the clock started (:data:`CLOCK_STARTS`: the latest known; arrival is always known)."""


def _wait(rule: EndRule) -> str:
    if not rule.until:
        return "0"
    return f"max(0, coalesce({', '.join(rule.until)}, clock) - clock)"


_ENDS_IN_ORDER = tuple(VisitEnd)
CODE_SPAN = 1 << 40
"""The room each end's waits take in :data:`CODED_END_SQL` (2**40 ms: 34 years; a wait is never
below 0 there)."""

CODED_END_SQL = (
    "CASE "
    + " ".join(
        f"WHEN {_check(r)} THEN {_ENDS_IN_ORDER.index(r.end) * CODE_SPAN} + {_wait(r)}"
        for r in VISIT_ENDS
    )
    + " END"
)
"""How the visit ended and its wait, as one number (the end's place in :class:`VisitEnd` times
:data:`CODE_SPAN`, plus the wait from the clock's start, a row's ``clock``): the first line of
:data:`VISIT_ENDS` that holds, in one ``CASE``, so that SQLite works out each visit's end once
(asking for each end's waits separately made it work the end out again for each)."""

VISITOR_SQL = (
    "CASE "
    + " ".join(f"WHEN {_check(r)} THEN {int(r.end not in NOT_VISITORS)}" for r in VISIT_ENDS)
    + " END"
)
"""1 when the visit counts as one, else 0 (:data:`oss_desk.domain.standards.NOT_VISITORS`: the
end the first line of :data:`VISIT_ENDS` that holds gives is not one of them)."""

_FIRST, _SECOND = CHECKED_IN_BY_BOOKED
APPOINTMENT_WAIT_SQL = (
    f"CASE WHEN booked_ms IS NOT NULL AND seen_ms IS NOT NULL AND {_FIRST} <= {_SECOND}"
    " THEN seen_ms - booked_ms END"
)
"""An appointment holder's wait from the booked time, when seen and checked in by it
(:func:`oss_desk.domain.standards.appointment_wait`)."""
LATE_SQL = f"(booked_ms IS NOT NULL AND seen_ms IS NOT NULL AND NOT ({_FIRST} <= {_SECOND}))"

_GONE_IN = ", ".join(map(_text, GONE))
_RECOUNT_IN = ", ".join(map(_text, (*GONE, PUT_BACK)))


def _by_the_rule(visit: str, which: str) -> str:
    """The earliest call of visit ``visit`` (a column) that is ``which`` (``NOT put_back``: its
    first call; ``contact``: its first contact at a desk) by the view ``visit_calls``: one
    visit's calls, through the index ``events_visit``. ``visit`` names its table: a bare
    ``visit_id`` would be the call's own, and every call of the log would be read."""
    calls = f"FROM visit_calls c WHERE c.visit_id = {visit} AND {which}"
    return f"(SELECT {_ms('min(at)')} {calls})"


_ENDED = """substr(ended, cut + 22) AS ended_kind,
    CAST(substr(ended, cut + 1, 20) AS INTEGER) AS ended_id"""
"""How the visit ended last (``ended``: its instant, id and kind in one text, ``cut`` where
its instant ends)."""


_FACTS_OF_THE_RANGE = """visit_facts
        WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"""


def _from_facts(first_call: str, attended: str, joined: str = "") -> str:
    return f"""
visits AS (
  SELECT visit_id, site_id, business_day, arrived_ms, local_hour, service_code, channel, urgent,
    repeat, needs, {first_call} AS first_call_ms, quick_ms, booked_ms, {attended} AS attended_ms,
    {_ENDED}, ended_ms
  FROM (SELECT *, instr(ended, ' ') AS cut FROM {_FACTS_OF_THE_RANGE}) v{joined})
"""  # noqa: S608 - constant text


_FROM_FACTS = _from_facts("first_call_ms", "attended_ms")
"""The range's visits from ``visit_facts``: each row holds its booked start and its first
attended call too (schema/0030), so nothing is joined."""

_FROM_OLDER_FACTS = (
    f"""
recounted AS MATERIALIZED (
  SELECT visit_id, {_by_the_rule("g.visit_id", "NOT put_back")} AS first_call_ms,
    {_by_the_rule("g.visit_id", "contact")} AS attended_ms
  FROM (SELECT visit_id FROM {_FACTS_OF_THE_RANGE}
          AND EXISTS (SELECT 1 FROM events e
                      WHERE e.visit_id = visit_facts.visit_id AND e.kind IN ({_GONE_IN}))) g),
"""  # noqa: S608 - constant text
    + _from_facts(
        "CASE WHEN r.visit_id IS NULL THEN v.first_call_ms ELSE r.first_call_ms END",
        "CASE WHEN r.visit_id IS NULL THEN v.attended_ms ELSE r.attended_ms END",
        " LEFT JOIN recounted r USING (visit_id)",
    )
)
"""The same from an older copy's ``visit_facts``, kept by the contact rule before schema/0056
(:attr:`~oss_desk.storage.reports_facts.FactsKept.OLDER_CONTACT`): the two rules differ only
for a visit with a ticket gone (a no-show or cancellation: schema/0056 worked out again
those alone), whose first call and first contact are read by today's rule
(:func:`_calls_view`), a visit at a time, once (``recounted``: a few in a hundred)."""

_FROM_EVENTS = f"""
span(day) AS (SELECT :first WHERE :first <= :last
              UNION ALL SELECT date(day, '+1 day') FROM span WHERE day < :last),
lives AS (
  SELECT a.visit_id, a.site_id, a.business_day, {_ms("a.at")} AS arrived_ms, a.local_hour,
    a.service_code, coalesce(json_extract(a.data, '$.channel'), 'walk_in') AS channel,
    coalesce(json_extract(a.data, '$.urgent'), 0) AS urgent,
    coalesce(json_extract(a.data, '$.repeat'), 0) AS repeat,
    json_extract(a.data, '$.needs') AS needs,
    min(e.at) FILTER (WHERE e.kind = 'called') AS first_call,
    min(e.at) FILTER (WHERE e.kind = 'finished' AND e.ticket_id IS NULL) AS quick,
    max(CASE WHEN e.kind IN ('finished', 'no_show', 'cancelled')
             THEN e.at || ' ' || printf('%020d', e.id) || ' ' || e.kind END) AS ended,
    count(e.id) FILTER (WHERE e.kind IN ({_RECOUNT_IN})) > 0 AS recount,
    (SELECT starts_at FROM appointments p WHERE p.visit_id = a.visit_id
     ORDER BY p.id LIMIT 1) AS booked_at
  FROM events a
    LEFT JOIN events e ON e.visit_id = a.visit_id
      AND e.kind IN ('called', 'finished', 'no_show', 'cancelled', 'recycled')
  WHERE a.business_day IN (SELECT day FROM span) AND a.kind = 'arrived'
    AND (:site IS NULL OR a.site_id = :site)
  GROUP BY a.id),
recounted AS MATERIALIZED (
  SELECT visit_id, {_by_the_rule("lives.visit_id", "NOT put_back")} AS first_call_ms,
    {_by_the_rule("lives.visit_id", "contact")} AS attended_ms
  FROM lives WHERE recount),
visits AS (
  SELECT visit_id, site_id, business_day, arrived_ms, local_hour, service_code, channel, urgent,
    repeat, needs,
    CASE WHEN r.visit_id IS NULL THEN {_ms("first_call")} ELSE r.first_call_ms END
      AS first_call_ms,
    {_ms("quick")} AS quick_ms, {_ms("booked_at")} AS booked_ms,
    CASE WHEN r.visit_id IS NULL THEN {_ms("first_call")} ELSE r.attended_ms END AS attended_ms,
    {_ENDED}, {_ms("substr(ended, 1, cut - 1)")} AS ended_ms
  FROM (SELECT *, instr(ended, ' ') AS cut FROM lives) v LEFT JOIN recounted r USING (visit_id))
"""  # noqa: S608 - constant text
"""The range's visits from the event log alone (a copy older than schema/0049): the same
columns, as schema/0024 and schema/0030 compute them (the first call, the resolution at
meet-and-greet, how the visit ended last: the latest of its finish, no-show and cancellations by
instant, then id; the booked start of the first appointment it checked in for). Each arrival's
events are sought through the index ``events_visit``, so the work grows with the visits (a join
of two lists of the range's visits had SQLite scan one for each row of the other). Its first
call and its first contact at a desk follow :func:`oss_desk.domain.standards.contact_times`:
a visit without a call put back or a ticket gone has its first call as both; the others are
read from the view ``visit_calls`` (schema/0056; a TEMP view of it over an older copy,
:func:`_calls_view`): a call put back (the resident did not hear it) is neither; a call
unanswered (its ticket gone before a desk started, parked, sent on or finished it) is a first
call but no contact."""

_SOURCES = {
    FactsKept.CURRENT: _FROM_FACTS,
    FactsKept.OLDER_CONTACT: _FROM_OLDER_FACTS,
    FactsKept.NONE: _FROM_EVENTS,
}

_DESCRIBED = f"""
described AS (
  SELECT *, coalesce(min(attended_ms, quick_ms), attended_ms, quick_ms) AS seen_ms,
    ended_kind AS ended,
    CASE WHEN ended_kind = 'cancelled'
         THEN (SELECT nullif(coalesce(json_extract(r.data, '$.reason'), ''), '')
               FROM events r WHERE r.id = ended_id) END AS ended_reason
  FROM visits),
visitors AS (SELECT * FROM described WHERE {VISITOR_SQL})
"""  # noqa: S608 - constant text
"""Each visit with its facts (:class:`~oss_desk.domain.standards.VisitFacts`: its first contact
is the earliest of its first attended call and its resolution at meet-and-greet; why it was
cancelled); and the visitors among them (the arrivals counted as visits)."""

_FACTS = """
facts AS (
  SELECT site_id, business_day, arrived_ms, booked_ms, seen_ms, first_call_ms, ended,
    ended_reason, ended_ms
  FROM described)
"""
"""Each visit's facts, as :func:`count_ended_visits` reads them."""

_CLASSIFIED = f"""
clocked AS (SELECT *, {CLOCK_START_SQL} AS clock FROM facts),
ends AS (
  SELECT site_id, business_day, {CODED_END_SQL} AS coded,
    {APPOINTMENT_WAIT_SQL} AS appointment_wait_ms, {LATE_SQL} AS late
  FROM clocked)
"""  # noqa: S608 - constant text
"""What became of each visit of ``facts`` (columns :data:`FACT_COLUMNS`, with its site and
business day), by the domain's rules."""

_WAITED = frozenset(end for end in VisitEnd if any(r.until for r in VISIT_ENDS if r.end is end))
"""The ends with a wait (seen, walked out, closed: their waits are listed); the others are only
counted."""
_ENDS = """
SELECT site_id, business_day, group_concat(coded), group_concat(appointment_wait_ms), sum(late)
FROM ends GROUP BY business_day, site_id
"""
"""The visits by site and day: each one's end and wait (:data:`CODED_END_SQL`); the appointment
holders' waits from the booked time, and the late check-ins. Read in (day, site) order from
``visit_facts_day`` (schema/0028), so SQLite adds up as it reads."""

_ARRIVALS = """
SELECT business_day, site_id, local_hour, service_code, channel, urgent, repeat, count(*)
FROM visitors GROUP BY 1, 2, 3, 4, 5, 6, 7
"""
"""The visitors' arrivals by day, site, hour, service and channel (the first five columns: the
tally's :data:`~oss_desk.domain.tally.ArrivalKey`) and the urgent and repeat flags (grouped by,
in the index's order: cheaper for SQLite than adding them up)."""

_BETWEEN = """
SELECT business_day, site_id, local_hour, service_code, channel, count(*)
FROM visitors WHERE arrived_ms >= :from_ms AND arrived_ms < :to_ms GROUP BY 1, 2, 3, 4, 5
"""
"""The arrivals of ``:site`` on ``:first`` between two instants (ms), by the arrival keys."""

_NEEDS = """
SELECT site_id, business_day, need.value, count(*)
FROM visitors, json_each(CASE WHEN needs LIKE '[%' THEN needs ELSE json_array(needs) END) AS need
WHERE needs IS NOT NULL AND needs <> '[]'
GROUP BY 1, 2, 3
"""
"""The visitors' needs (a JSON list, or one need as text) by site, day and need."""


_VISITOR_DAYS = f"WITH {_FROM_FACTS}, {_DESCRIBED} SELECT DISTINCT business_day FROM visitors"  # noqa: S608 - constant text


def visitor_days(conn: sqlite3.Connection, site_id: str, first: str, last: str) -> set[str]:
    """The business days from ``first`` to ``last`` on which a visitor arrived at ``site_id``
    (:data:`~oss_desk.domain.standards.NOT_VISITORS`: a ticket issued in error brought none)."""
    args = {"first": first, "last": last, "site": site_id}
    return {str(r[0]) for r in conn.execute(_VISITOR_DAYS, args)}


_DAY_SITE = itemgetter(0, 1)


def _ints(text: Any) -> list[int]:
    return [] if text is None else list(map(int, str(text).split(",")))


def count_visits(
    conn: sqlite3.Connection,
    args: dict[str, Any],
    kept: FactsKept,
    tally_of: Callable[[str | None, str], VisitTally],
) -> None:
    """Count the range's visits (``args``: first, last and site) into ``tally_of(site, day)``
    (a :class:`VisitTally`), from ``visit_facts`` as the database keeps it (``kept``), else
    from the events."""
    source = _visitors(conn, kept)
    for (day, site), group in groupby(conn.execute(source + _ARRIVALS, args), _DAY_SITE):
        tally = tally_of(site, day)
        counts: dict[tuple[Any, ...], int] = {}
        for row in group:
            key, n = row[:5], row[7]
            counts[key] = counts.get(key, 0) + n
            if row[5]:
                tally.flags[("urgent", row[3])] += n
            if row[6]:
                tally.flags[("repeat", row[3])] += n
        tally.arrivals.counts.update(counts)
    for site, day, need, n in conn.execute(source + _NEEDS, args):
        tally_of(site, day).needs[str(need)] += n
    count_ended_visits(conn, f"{source}, {_FACTS}", args, tally_of)


def arrivals_between(
    conn: sqlite3.Connection, site: str, day: str, since: datetime, until: datetime
) -> dict[ArrivalKey, int]:
    """The arrivals ``count_visits`` counts for ``site`` on ``day`` (by the tally's arrival
    keys) that came from ``since`` until ``until``: an hour's second time round, the day the
    clocks go back (:meth:`~oss_desk.domain.tally.Arrivals.apart`)."""
    source = _visitors(conn, facts_kept(conn))
    span = {"from_ms": round(since.timestamp() * 1000), "to_ms": round(until.timestamp() * 1000)}
    args = {"first": day, "last": day, "site": site, **span}
    return {
        (str(d), str(s), int(h), str(c), str(ch)): int(n)
        for d, s, h, c, ch, n in conn.execute(source + _BETWEEN, args)
    }


_ONE_VISIT = f"""
SELECT {", ".join(FACT_COLUMNS)} FROM described WHERE visit_id = :visit
"""  # noqa: S608 - constant text


def facts_of_visit(conn: sqlite3.Connection, visit_id: int) -> VisitFacts | None:
    """The facts of one visit exactly as the reports read them (its day's rows, the same SQL
    every report counts), so that what one visit's story says of its wait and end is what the
    report of its day counted; None: no such visit."""
    found = conn.execute(
        "SELECT business_day, site_id FROM visits WHERE id = ?", [visit_id]
    ).fetchone()
    if found is None:
        return None
    args = {"first": found[0], "last": found[0], "site": found[1], "visit": visit_id}
    row = conn.execute(_visitors(conn, facts_kept(conn)) + _ONE_VISIT, args).fetchone()
    return None if row is None else VisitFacts(*row)


def _visitors(conn: sqlite3.Connection, kept: FactsKept) -> str:
    """The range's visits and visitors (``described``, ``visitors``) as a WITH clause, read
    as the database keeps them (``kept``)."""
    if kept is not FactsKept.CURRENT:
        _calls_view(conn)
    return "WITH RECURSIVE " + _SOURCES[kept] + "," + _DESCRIBED


def _calls_view(conn: sqlite3.Connection) -> None:
    """The contact rule's view ``visit_calls`` as its latest migration spells it, made a TEMP
    view on ``conn`` (read first, before the database's own): an older copy, read from its
    events, lacks the view or holds an older rule's. A TEMP view is allowed on a copy opened
    read-only."""
    conn.execute(f"CREATE TEMP VIEW IF NOT EXISTS visit_calls AS {view_sql('visit_calls')}")


def count_ended_visits(
    conn: sqlite3.Connection,
    with_facts: str,
    params: dict[str, Any],
    tally_of: Callable[[str | None, str], VisitTally],
) -> None:
    """Count the visits of ``facts`` by what became of them into ``tally_of(site, day)``.

    ``with_facts`` is a ``WITH`` clause (without its final comma) whose common table ``facts``
    has one row a visit: ``site_id``, ``business_day`` and the facts :data:`FACT_COLUMNS`."""
    for site, day, coded, appointment_waits, late in conn.execute(
        f"{with_facts}, {_CLASSIFIED} {_ENDS}", params
    ):
        if coded is None:
            continue
        tally = tally_of(site, day)
        values = sorted(_ints(coded))
        for place, end in enumerate(_ENDS_IN_ORDER):
            low = place * CODE_SPAN
            first = bisect_left(values, low)
            last = bisect_left(values, low + CODE_SPAN, first)
            if first == last:
                continue
            if end not in _WAITED:
                tally.count_ended(end, last - first, [])
                continue
            waits = values[first:last] if not low else [v - low for v in values[first:last]]
            if end is VisitEnd.SEEN:
                booked = _ints(appointment_waits)
                tally.count_ended(end, len(waits), waits, booked, int(late or 0))
            else:
                tally.count_ended(end, len(waits), waits)
