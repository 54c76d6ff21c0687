"""Imported telephone calls: the import records, the calls, and their patterns over a period."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.call_figures import CallCounts, CallFigures, call_figures
from oss_desk.domain.calls import ParsedCall
from oss_desk.storage.rows import select_all, select_one


@dataclass(frozen=True, slots=True)
class CallImport:
    id: int
    imported_at: str
    imported_by: str
    site_id: str
    file_name: str
    sha256: str
    rows: int
    imported: int
    duplicates: int
    first_day: str | None
    last_day: str | None


def import_by_sha256(conn: sqlite3.Connection, sha256: str) -> CallImport | None:
    return select_one(conn, CallImport, "FROM call_imports WHERE sha256 = ?", [sha256])


def list_imports(conn: sqlite3.Connection) -> list[CallImport]:
    return select_all(conn, CallImport, "FROM call_imports ORDER BY id")


def record_import(
    conn: sqlite3.Connection,
    *,
    imported_at: str,
    imported_by: str,
    site_id: str,
    file_name: str,
    sha256: str,
    calls: Sequence[ParsedCall],
    mapping: dict[str, Any],
) -> CallImport:
    """Store an import and its calls (inside the caller's write transaction). A call already
    stored for the site (same start, same call key) is skipped and counted as a duplicate."""
    first = min((c.business_day for c in calls), default=None)
    last = max((c.business_day for c in calls), default=None)
    import_id = conn.execute(
        "INSERT INTO call_imports (imported_at, imported_by, site_id, file_name, sha256, rows, "
        "first_day, last_day, mapping) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            imported_at,
            imported_by,
            site_id,
            file_name,
            sha256,
            len(calls),
            first,
            last,
            json.dumps(mapping, sort_keys=True, ensure_ascii=False),
        ],
    ).fetchone()[0]
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO calls (site_id, started_at, business_day, local_hour, answered, abandoned, "
        "wait_seconds, talk_seconds, call_key, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (started_at, site_id, call_key) DO NOTHING",
        (
            [
                site_id,
                format_instant(c.started_at),
                c.business_day,
                c.local_hour,
                int(c.answered),
                int(c.abandoned),
                c.wait_seconds,
                c.talk_seconds,
                c.key,
                import_id,
            ]
            for c in calls
        ),
    )
    imported = conn.total_changes - before
    conn.execute(
        "UPDATE call_imports SET imported = ?, duplicates = ? WHERE id = ?",
        [imported, len(calls) - imported, import_id],
    )
    found = import_by_sha256(conn, sha256)
    assert found is not None
    return found


def call_counts(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> CallCounts:
    """Raw figures of the calls whose local day is within ``first_day``..``last_day``: counts
    by day and hour, and the answered calls' waits to the second (by hour)."""
    args = {"first": first_day, "last": last_day, "site": site_id}
    by_hour: dict[int, int] = {}
    by_day: dict[str, int] = {}
    total = answered = abandoned = waited = 0
    for day, hour, n, n_answered, n_abandoned, wait in conn.execute(
        "SELECT business_day, local_hour, count(*), sum(answered), sum(abandoned), "
        "coalesce(sum(CASE WHEN answered = 1 THEN wait_seconds END), 0) FROM calls "
        "WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site) "
        "GROUP BY business_day, local_hour",
        args,
    ):
        by_day[day] = by_day.get(day, 0) + n
        by_hour[hour] = by_hour.get(hour, 0) + n
        total += n
        answered += n_answered
        abandoned += n_abandoned
        waited += wait
    waits: dict[tuple[int, int], int] = {}
    abandoned_by_hour: dict[int, int] = {}
    talk = talked = 0
    if total:
        for hour, is_answered, is_abandoned, wait, n, talk_sum, talk_n in conn.execute(
            "SELECT local_hour, answered, abandoned, wait_seconds, count(*), "
            "coalesce(sum(talk_seconds), 0), count(talk_seconds) FROM calls "
            "WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site) "
            "GROUP BY 1, 2, 3, 4",
            args,
        ):
            if is_answered:
                waits[(hour, wait)] = waits.get((hour, wait), 0) + n
                talk += talk_sum
                talked += talk_n
            if is_abandoned:
                abandoned_by_hour[hour] = abandoned_by_hour.get(hour, 0) + n
    return CallCounts(
        total=total,
        answered=answered,
        abandoned=abandoned,
        answered_wait_seconds=waited,
        by_hour=by_hour,
        by_day=by_day,
        answered_waits=waits,
        abandoned_by_hour=abandoned_by_hour,
        talk_seconds=talk,
        talked=talked,
    )


def call_patterns(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> CallFigures | None:
    """The monthly report's ``calls`` figures for ``first_day``..``last_day`` (YYYY-MM-DD,
    inclusive), one site or all (None); None when no call was imported for the period."""
    counts = call_counts(conn, first_day, last_day, site_id)
    return call_figures(counts, date.fromisoformat(first_day), date.fromisoformat(last_day))


def count_calls(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM calls").fetchone()[0])
