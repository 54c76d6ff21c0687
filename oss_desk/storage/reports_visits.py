"""The visits of a range of days counted in SQL: what became of each visit and its wait, by the
domain's own rule (:data:`oss_desk.domain.standards.VISIT_ENDS`, spelt here as ``CASE WHEN``),
listed per site and day by SQLite as one number a visit (its end and wait); the arrivals and
flags grouped likewise. Python then handles a few thousand groups instead of each of hundreds of
thousands of visits.

The raw waits come back whole (``group_concat``: every wait, for the percentiles, never an
average), so the tallies are exactly those of counting visit by visit
(:meth:`oss_desk.domain.tally.VisitTally.count_visit`); ``tests/test_visit_rules_sql.py`` holds
the two equal for arbitrary visits.

The visits are read from ``visit_facts`` (schema/0024, 0030, 0049, 0056) when the database has it,
else from the events themselves (an office's older copy read with ``--include``): the same
columns either way.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Callable
from itertools import groupby
from operator import itemgetter
from typing import Any

from oss_desk.domain.standards import (
    CHECKED_IN_BY_BOOKED,
    CLOCK_STARTS,
    NOT_VISITORS,
    VISIT_ENDS,
    Check,
    EndRule,
    VisitEnd,
)
from oss_desk.domain.tally import VisitTally
from oss_desk.storage.migrations import view_sql

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

_FROM_FACTS = """
visits AS (
  SELECT visit_id, site_id, business_day, arrived_ms, local_hour, service_code, channel, urgent,
    repeat, needs, first_call_ms, quick_ms, booked_ms, attended_ms,
    substr(ended, cut + 22) AS ended_kind, CAST(substr(ended, cut + 1, 20) AS INTEGER) AS ended_id,
    ended_ms
  FROM (SELECT *, instr(ended, ' ') AS cut FROM visit_facts
        WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)))
"""
"""The range's visits from ``visit_facts``: each row holds its booked start and its first
attended call too (schema/0030), so nothing is joined."""

_FROM_EVENTS = f"""
span(day) AS (SELECT :first WHERE :first <= :last
              UNION ALL SELECT date(day, '+1 day') FROM span WHERE day < :last),
arrived AS (
  SELECT visit_id, site_id, business_day, {_ms("at")} AS arrived_ms, local_hour, service_code,
    coalesce(json_extract(data, '$.channel'), 'walk_in') AS channel,
    coalesce(json_extract(data, '$.urgent'), 0) AS urgent,
    coalesce(json_extract(data, '$.repeat'), 0) AS repeat, json_extract(data, '$.needs') AS needs
  FROM events
  WHERE business_day IN (SELECT day FROM span) AND kind = 'arrived'
    AND (:site IS NULL OR site_id = :site)),
endings AS (
  SELECT visit_id, gone OR put_back AS recount, {_ms("first_call")} AS first_call_ms,
    {_ms("quick")} AS quick_ms,
    substr(ended, cut + 22) AS ended_kind, CAST(substr(ended, cut + 1, 20) AS INTEGER) AS ended_id,
    {_ms("substr(ended, 1, cut - 1)")} AS ended_ms
  FROM (
    SELECT *, instr(ended, ' ') AS cut FROM (
      SELECT visit_id,
        min(at) FILTER (WHERE kind = 'called') AS first_call,
        min(at) FILTER (WHERE kind = 'finished' AND ticket_id IS NULL) AS quick,
        max(CASE WHEN kind IN ('finished', 'no_show', 'cancelled')
                 THEN at || ' ' || printf('%020d', id) || ' ' || kind END) AS ended,
        count(*) FILTER (WHERE kind IN ('no_show', 'cancelled')) > 0 AS gone,
        count(*) FILTER (WHERE kind = 'recycled') > 0 AS put_back
      FROM events
      WHERE visit_id BETWEEN :low AND :high
        AND kind IN ('called', 'finished', 'no_show', 'cancelled', 'recycled')
      GROUP BY visit_id))),
booked AS (
  SELECT visit_id, min(id), {_ms("starts_at")} AS booked_ms FROM appointments
  WHERE visit_id BETWEEN :low AND :high GROUP BY visit_id),
contact AS (
  SELECT visit_id, {_ms("min(at) FILTER (WHERE NOT put_back)")} AS first_call_ms,
    {_ms("min(at) FILTER (WHERE contact)")} AS attended_ms
  FROM visit_calls
  WHERE visit_id IN (SELECT visit_id FROM endings WHERE recount) GROUP BY visit_id),
visits AS (
  SELECT a.*,
    CASE WHEN e.recount THEN t.first_call_ms ELSE e.first_call_ms END AS first_call_ms,
    e.quick_ms, b.booked_ms,
    CASE WHEN e.recount THEN t.attended_ms ELSE e.first_call_ms END AS attended_ms,
    e.ended_kind, e.ended_id, e.ended_ms
  FROM arrived a LEFT JOIN endings e USING (visit_id) LEFT JOIN booked b USING (visit_id)
    LEFT JOIN contact t USING (visit_id))
"""  # noqa: S608 - constant text
"""The range's visits from the event log alone (an older copy without ``visit_facts``): the same
columns, as schema/0024 and schema/0030 compute them (the first call, the resolution at
meet-and-greet, how the visit ended last: the latest of its finish, no-show and cancellations by
instant, then id; the booked start of the first appointment it checked in for). Its first call
and its first contact at a desk follow :func:`oss_desk.domain.standards.contact_times`, read
from the view ``visit_calls`` (schema/0056; a TEMP view of it over an older copy,
:func:`_calls_view`): a call put back (the resident did not hear it) is neither; a call
unanswered (its ticket gone before a desk started, parked, sent on or finished it) is a first
call but no contact."""

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

_NEEDS = """
SELECT site_id, business_day, need.value, count(*)
FROM visitors, json_each(CASE WHEN needs LIKE '[%' THEN needs ELSE json_array(needs) END) AS need
WHERE needs IS NOT NULL AND needs <> '[]'
GROUP BY 1, 2, 3
"""
"""The visitors' needs (a JSON list, or one need as text) by site, day and need."""


_DAY_SITE = itemgetter(0, 1)


def _ints(text: Any) -> list[int]:
    return [] if text is None else list(map(int, str(text).split(",")))


def count_visits(
    conn: sqlite3.Connection,
    args: dict[str, Any],
    ids: tuple[int, int] | None,
    tally_of: Callable[[str | None, str], VisitTally],
) -> None:
    """Count the range's visits (``args``: first, last and site) into ``tally_of(site, day)``
    (a :class:`VisitTally`), from ``visit_facts`` when ``ids`` is None, else from the events
    of the visits with ids from ``ids[0]`` to ``ids[1]``."""
    if ids is not None:
        _calls_view(conn)
    source = "WITH RECURSIVE " + (_FROM_FACTS if ids is None else _FROM_EVENTS) + "," + _DESCRIBED
    low, high = ids or (0, -1)
    params = {**args, "low": low, "high": high}
    for (day, site), group in groupby(conn.execute(source + _ARRIVALS, params), _DAY_SITE):
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
    for site, day, need, n in conn.execute(source + _NEEDS, params):
        tally_of(site, day).needs[str(need)] += n
    count_ended_visits(conn, f"{source}, {_FACTS}", params, tally_of)


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
