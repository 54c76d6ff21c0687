"""The report tallies' reads of ``visit_facts`` (``schema/0024_visit_facts.sql``): one narrow row
per visit, kept by triggers on the event log, instead of every event of the range and its JSON.

Each read here returns rows of exactly the shape of the event-log read it replaces in
:mod:`oss_desk.storage.reports` (which uses these whenever the database keeps the table,
:func:`facts_kept`: an office's older copy opened with ``--include`` may not, and is read from
its events), so the counting is the same code either way; ``tests/test_visit_facts.py``
relates the two. The finishes and service times are read through ``visit_facts_finish`` and
``visit_facts_served`` (schema/0028; the finishes from the index alone since schema/0031), in
the order they are grouped. The visits themselves are counted by
:mod:`oss_desk.storage.reports_visits`.
"""

from __future__ import annotations

import sqlite3
from enum import Enum

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


class FactsKept(Enum):
    """How far a database's ``visit_facts`` can be read by the reports (an office's older copy
    opened with ``--include`` is read as it is, never migrated)."""

    NONE = "none"
    """Without ``visit_facts`` by the rule of a call put back (before schema/0049): each visit
    is read from its events."""
    OLDER_CONTACT = "older_contact"
    """Kept by the contact rule before schema/0056 (0049's trigger ``visit_facts_contact``):
    read, with the first call and first contact of the visits whose ticket went
    (:data:`oss_desk.domain.standards.GONE`, what 0056 recounted too) worked out again."""
    CURRENT = "current"
    """Kept by today's contact rule (0056's trigger ``visit_facts_reached``)."""


def facts_kept(conn: sqlite3.Connection) -> FactsKept:
    """Whether and by which rule the database keeps ``visit_facts`` (schema/0024) with each
    visit's booked start, first attended call (schema/0030) and finish (0028, 0031)."""
    names = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE (type = 'table' AND name = 'visit_facts')"
            " OR (type = 'trigger'"
            "     AND name IN ('visit_facts_contact', 'visit_facts_reached'))"
        )
    }
    if "visit_facts" not in names:
        return FactsKept.NONE
    if "visit_facts_reached" in names:
        return FactsKept.CURRENT
    return FactsKept.OLDER_CONTACT if "visit_facts_contact" in names else FactsKept.NONE
