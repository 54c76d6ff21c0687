"""Whether ``visit_facts`` holds what the event log says: the reports read their figures from it
(:mod:`oss_desk.storage.reports_facts`), and the hash chain covers only the events, so a row
edited by hand (``UPDATE visit_facts SET outcome = 'referred'``) would change a report unseen.

The rows are worked out again from the events (and, for a visit's booked start, its
appointments) by the very statements the migrations filled the table with (the backfills of
schema/0024, 0030, 0033, 0049 and 0056, the same values the triggers give:
``tests/test_visit_facts.py`` relates the two), into a temporary table of the same name that
shadows the stored one on a read-only connection, in one read transaction, and compared.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oss_desk.storage.incarnation import refuse_empty_over_wal
from oss_desk.storage.migrations import schema_dir
from oss_desk.storage.reports_facts import FactsKept, facts_kept

BACKFILLS = (
    ("0024_visit_facts.sql", "INSERT INTO visit_facts\nSELECT"),
    ("0030_visit_facts_contact.sql", "INSERT INTO visit_facts (visit_id, booked_ms)\nSELECT"),
    (
        "0033_closed_days_no_show_taken_back.sql",
        "-- The visits recorded before this migration with",
    ),
    ("0049_visit_facts_call_put_back.sql", "-- The visits recorded before this migration with"),
    ("0056_visit_calls_reached_desk.sql", "-- The visits recorded before this migration with"),
)
"""The migrations' statements that compute every visit's row from its events (and, for its
booked start, its appointments), each from its mark to the end of its file."""

ADDED_LATER = ("booked_ms", "attended_ms")
"""The columns schema/0030 added (0024's backfill names no columns: it fills the others)."""

SHOWN = 5
"""Differing visits named one by one; more are counted."""


def backfill_sql(conn: sqlite3.Connection) -> str:
    """The migrations' statements that compute every visit's row of ``visit_facts`` from its
    events."""
    first = [
        r[1] for r in conn.execute("PRAGMA table_info(visit_facts)") if r[1] not in ADDED_LATER
    ]
    parts = []
    for name, mark in BACKFILLS:
        text = (schema_dir() / name).read_text(encoding="utf-8")
        parts.append(text[text.index(mark) :])
    parts[0] = parts[0].replace(
        BACKFILLS[0][1], f"INSERT INTO visit_facts ({', '.join(first)})\nSELECT", 1
    )
    return "\n".join(parts)


def facts_problems(path: Path) -> list[str]:
    """The rows of ``visit_facts`` at ``path`` that differ from what the event log says, one
    line each (the visit and the field, the stored and the worked-out value): empty when they
    all agree, or the database keeps no such table by today's rule (an older copy: its
    reports read the events)."""
    return in_snapshot(path, _compare)


def in_snapshot(path: Path, read: Callable[[sqlite3.Connection], list[str]]) -> list[str]:
    """``read`` on a read-only connection to ``path`` (nothing it runs can change the database),
    in one read transaction: what is stored and the events it is checked against, of one
    moment."""
    refuse_empty_over_wal(path)
    conn = sqlite3.connect(
        f"file:{path.absolute().as_posix()}?mode=ro", uri=True, isolation_level=None
    )
    try:
        conn.execute("BEGIN")
        try:
            return read(conn)
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
    finally:
        conn.close()


def _compare(conn: sqlite3.Connection) -> list[str]:
    if facts_kept(conn) is not FactsKept.CURRENT:
        return []
    columns = [(str(r[1]), str(r[2])) for r in conn.execute("PRAGMA main.table_info(visit_facts)")]
    names = [name for name, _ in columns]
    # Shadows for the unqualified names the backfills write (a read-only connection: the
    # database itself cannot be written, whatever the statements say).
    conn.execute(
        "CREATE TEMP TABLE visit_facts ("
        + ", ".join(
            f"{name} {kind}" + (" PRIMARY KEY" if name == "visit_id" else "")
            for name, kind in columns
        )
        + ")"
    )
    conn.execute("CREATE TEMP TABLE daily_rollup (site_id TEXT, business_day TEXT)")
    for statement in _statements(backfill_sql(conn)):
        conn.execute(statement)
    differ = [
        int(row[0])
        for row in conn.execute(
            "SELECT visit_id FROM (SELECT * FROM main.visit_facts EXCEPT "
            "SELECT * FROM temp.visit_facts) UNION SELECT visit_id FROM ("
            "SELECT * FROM temp.visit_facts EXCEPT SELECT * FROM main.visit_facts) "
            "ORDER BY visit_id"
        )
    ]
    problems = []
    for visit in differ[:SHOWN]:
        stored = _row(conn, "main", visit)
        worked = _row(conn, "temp", visit)
        if stored is None:
            said = "has no row, though its events say it arrived"
        elif worked is None:
            said = "has a row, though no event of it says so"
        else:
            said = "; ".join(
                f"{name} is {_value(a)} where its events say {_value(b)}"
                for name, a, b in zip(names, stored, worked, strict=True)
                if a != b or type(a) is not type(b)
            )
        problems.append(
            f"report figures: visit {visit} in visit_facts {said} (the reports count the row: "
            "it was changed outside oss-desk)"
        )
    if len(differ) > SHOWN:
        problems.append(f"report figures: ... and {len(differ) - SHOWN} more visits differ")
    return problems


def _row(conn: sqlite3.Connection, schema: str, visit: int) -> tuple[Any, ...] | None:
    row = conn.execute(
        f"SELECT * FROM {schema}.visit_facts WHERE visit_id = ?",  # noqa: S608 - main or temp
        [visit],
    ).fetchone()
    return tuple(row) if row is not None else None


def _value(value: object) -> str:
    return "empty" if value is None else repr(value)


def _statements(script: str) -> list[str]:
    """The statements of ``script``, one by one (``executescript`` would end the transaction)."""
    found, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                found.append(current)
            current = ""
    return found
