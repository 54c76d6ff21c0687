"""The report tallies' reads of ``visit_facts`` (``schema/0024_visit_facts.sql``): one narrow row
per visit, kept by triggers on the event log, instead of every event of the range and its JSON.

Each read here returns rows of exactly the shape of the event-log read it replaces in
:mod:`oss_desk.storage.reports` (which uses these whenever the table exists: an office's older
copy opened with ``--include`` may not have it, and is read from its events as before), so the
counting is the same code either way; ``tests/test_visit_facts.py`` relates the two. The
finishes and service times are read through ``visit_facts_finish`` and ``visit_facts_served``
(schema/0028; the finishes from the index alone since schema/0031), in the order they are
grouped. The visits themselves are counted by
:mod:`oss_desk.storage.reports_visits`.
"""

from __future__ import annotations

import sqlite3

_FINISHED = """
WHERE finish_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)
"""

FINISHES = f"""
SELECT finish_day, site_id, coalesce(finish_service, ''), outcome, finish_ticket IS NULL,
  signposted_to, assisted_digital, avoidable, count(*)
FROM visit_facts {_FINISHED} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""  # noqa: S608 - constant text
"""The visits finished in the range by day, site, service, outcome, at meet-and-greet or not,
and what the finish recorded (the shape of :func:`oss_desk.storage.reports._finishes`' read)."""

SERVED = f"""
SELECT finish_day, site_id, finish_desk, finish_actor, group_concat(service_ms)
FROM visit_facts {_FINISHED} AND finish_ticket IS NOT NULL GROUP BY 1, 2, 3, 4
"""  # noqa: S608 - constant text
"""The service times of the tickets finished in the range by day, site, desk and person."""


def has_visit_facts(conn: sqlite3.Connection) -> bool:
    """Whether the database keeps ``visit_facts`` (schema/0024) with each visit's booked start
    and first attended call (schema/0030) by today's contact rule (schema/0056's trigger
    ``visit_facts_reached``); an older copy is read from its events."""
    found = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE (type = 'table' AND name = 'visit_facts')"
        " OR (type = 'trigger' AND name = 'visit_facts_reached')"
    ).fetchone()
    return bool(found[0] == 2)
