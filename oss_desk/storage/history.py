"""Bulk SQL for generated history (``oss-desk history generate``): big executemany batches.

Rows come already shaped as the services write them (see :mod:`oss_desk.devtools.history`);
this module only moves them into a new database as fast as SQLite allows: one transaction per
batch, the secondary indexes built once at the end instead of row by row, and no fsync until
the file is complete (a failed generation leaves a file that is deleted, never a half office).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.appointments import Appointment
from oss_desk.storage import chain
from oss_desk.storage.events import process_account

VISIT_COLUMNS = (
    "id, site_id, business_day, arrived_at, channel, needs, status, outcome, finished_at"
)
TICKET_COLUMNS = (
    "id, visit_id, site_id, service_code, business_day, number, status, priority, "
    "needs_private_room, needs, channel, queued_at, issued_at, assigned_desk_id, desk_id, "
    "called_at, serving_at, finished_at, outcome, recalls, transferred_from, printed_at, "
    "requires, passed_over_by"
)
EVENT_COLUMNS = (
    "id, at, business_day, local_hour, site_id, kind, actor, desk_id, visit_id, ticket_id, "
    "service_code, outcome, data, appointment_id"
)
APPOINTMENT_COLUMNS = (
    "id, ref, site_id, service_code, adviser_id, room_id, starts_at, ends_at, business_day, "
    "status, channel, needs, booked_at, booked_by, version, cancelled_at, cancelled_by, "
    "cancel_reason, notice_days, notice_breach, visit_id, ticket_id, checklist_ticked, "
    "rebooked_from, arranged_in_visit"
)
CONTACT_COLUMNS = "appointment_id, name, email, phone, purged_at"
UNIT_COLUMNS = "resource, unit, appointment_id"
MESSAGE_COLUMNS = (
    "id, appointment_id, kind, channel, via, for_version, due_at, status, reference, attempts, "
    "next_attempt_at, lease_until, last_error, provider_id, created_at, sent_at"
)
COUNTER_COLUMNS = "site_id, service_code, business_day, last_number"

TABLES = {
    "visits": VISIT_COLUMNS,
    "tickets": TICKET_COLUMNS,
    "ticket_counters": COUNTER_COLUMNS,
    "appointments": APPOINTMENT_COLUMNS,
    "appointment_contacts": CONTACT_COLUMNS,
    "resource_units": UNIT_COLUMNS,
    "messages": MESSAGE_COLUMNS,
    "events": EVENT_COLUMNS,
}
"""Insert order: a row only points at rows inserted before it (foreign keys stay on)."""

BULK_TABLES = frozenset(TABLES)

TRIGGER_INDEXES = frozenset({"events_visit", "appointments_visit"})
"""Indexes kept while inserting: the ``visit_facts`` triggers (schema/0030) look up a visit's
calls and appointments through them, once per no-show, cancellation or linked appointment (a
scan of the whole table each time without them)."""


def appointment_row(a: Appointment, booked_by: str, cancelled_at: str | None) -> tuple[Any, ...]:
    """``a`` in the columns of :data:`APPOINTMENT_COLUMNS`, with the two its record does not
    carry: who booked it and when it was cancelled."""
    return (
        a.id,
        a.ref,
        a.site_id,
        a.service,
        a.adviser,
        a.room,
        format_instant(a.starts_at),
        format_instant(a.ends_at),
        a.business_day,
        a.status.value,
        a.channel.value,
        json.dumps(sorted(a.needs)),
        format_instant(a.booked_at),
        booked_by,
        a.version,
        cancelled_at,
        a.cancelled_by,
        a.cancel_reason,
        a.notice_days,
        int(a.notice_breach),
        a.visit_id,
        a.ticket_id,
        json.dumps(list(a.checklist_ticked)),
        a.rebooked_from,
        a.arranged_in_visit,
    )


def _insert_sql(table: str) -> str:
    columns = TABLES[table]
    marks = ", ".join("?" * len(columns.split(",")))
    # Table and column names come from the constant TABLES above; values are parameters.
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608


def begin_bulk(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Speed settings for a new database, and its secondary indexes of the bulk tables dropped
    (returned as ``(name, sql)`` to rebuild with :func:`end_bulk`) but for those the triggers
    read (:data:`TRIGGER_INDEXES`)."""
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA journal_mode = OFF")
    marks = ", ".join("?" * len(BULK_TABLES))
    indexes = [
        (row[0], row[1])
        for row in conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({marks}) ORDER BY name",
            sorted(BULK_TABLES),
        )
    ]
    indexes = [(name, sql) for name, sql in indexes if name not in TRIGGER_INDEXES]
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return indexes


def insert_rows(conn: sqlite3.Connection, batches: Mapping[str, Sequence[Sequence[Any]]]) -> None:
    """One transaction: every table's rows, in foreign-key order. Events (``EVENT_COLUMNS``,
    ids following the log's head) get this process's account and their link in the hash chain
    (:func:`oss_desk.storage.chain.link_rows`, the same computation as every other event)."""
    conn.execute("BEGIN")
    try:
        for table in TABLES:
            rows = batches.get(table)
            if not rows:
                continue
            if table == "events":
                _insert_events(conn, rows)
            else:
                conn.executemany(_insert_sql(table), rows)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _insert_events(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> None:
    _last_id, previous = chain.head(conn)
    account = process_account()
    shaped = ((*r[:7], account, *r[7:]) for r in rows)  # account follows actor
    marks = ", ".join("?" * (len(chain.COLUMNS) + 1))
    conn.executemany(
        f"INSERT INTO events ({chain.COLUMN_LIST}, hash) VALUES ({marks})",  # noqa: S608
        chain.link_rows(previous, shaped),
    )


def end_bulk(conn: sqlite3.Connection, indexes: Iterable[tuple[str, str]]) -> None:
    """Rebuild the indexes and return to the office's settings (WAL)."""
    conn.execute("BEGIN")
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    # No ANALYZE: a real office database has no statistics either, so queries are measured
    # on this file with the plans an office would get.
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")


def check_foreign_keys(conn: sqlite3.Connection) -> int:
    """Rows pointing at nothing (0 for a sound database)."""
    return len(conn.execute("PRAGMA foreign_key_check").fetchall())


def next_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """The first free id of each table with an integer id."""
    return {
        table: int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])  # noqa: S608
        for table in ("visits", "tickets", "appointments", "messages", "events")
    }


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
        for table in TABLES
    }
