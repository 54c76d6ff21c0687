"""An office's older copy read as it is (``report --include``: a nightly backup or a replica not
yet upgraded), never migrated and never written.

A table a later migration added is missing from such a copy. The copy upgraded would hold it
empty of the copy's records (its migration creates it and fills it with nothing the reports
count; 0006 adds the office's own id and 0013 a row of settings, which only the check of two
offices apart reads), so the reports read an empty TEMP table of the same columns in its place:
the figures are those of the copy upgraded,
and no read of the reports needs to know which version made the copy.
"""

from __future__ import annotations

import re
import sqlite3

from oss_desk.storage.migrations import table_names

FILLED_BY_ITS_MIGRATION = frozenset({"visit_facts"})
"""Tables whose migration fills them from what the database already holds (schema/0024 counts
``visit_facts`` from the events): never stood in for empty. The reports read an older copy
without it from its events (:class:`oss_desk.storage.reports_facts.FactsKept`)."""

_CREATE = re.compile(r"^\s*CREATE\s+TABLE\s+", re.IGNORECASE)


def stand_in_for_missing_tables(copy: sqlite3.Connection, current: sqlite3.Connection) -> None:
    """Make each table of ``current`` (a database at this version's schema) that ``copy``
    lacks an empty TEMP table on ``copy``'s connection, with the same columns (a TEMP table is
    allowed on a copy opened read-only; nothing is written to the copy)."""
    missing = table_names(current) - table_names(copy) - FILLED_BY_ITS_MIGRATION
    for name, sql in current.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ):
        if name in missing:
            copy.execute(_CREATE.sub("CREATE TEMP TABLE ", sql, count=1))
