"""The daily rollup (``schema/0008_daily_rollup.sql``): the trend's counts per site per closed
business day, computed once from the event log (:func:`oss_desk.storage.reports.day_counts`, the
same query the live trend uses) and read back after that.

A row holds :class:`~oss_desk.domain.tally.MonthCounts` for one (site, business day), with the
target it was counted against (``target_seconds``) and :data:`ROLLUP_VERSION`; rows made with
another target or version are ignored. Which days may be stored (only closed ones) is the report
service's decision: nothing here looks at a clock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from oss_desk.domain.tally import MonthCounts
from oss_desk.storage.reports import DayKey

ROLLUP_VERSION = 1
"""Bumped whenever the counts of a day would come out differently (old rows are then recounted)."""

_COLUMNS = (
    "site_id, business_day, visits, seen, seen_within_target, finished, finished_first_contact,"
    " appointments_booked, appointments_kept, appointments_no_show, target_seconds, version"
)


def has_rollup(conn: sqlite3.Connection) -> bool:
    """Whether the database has the rollup table (another office's older copy may not)."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'daily_rollup'"
    ).fetchone()
    return row is not None


def rolled_days(
    conn: sqlite3.Connection,
    first_day: str,
    last_day: str,
    site_id: str | None,
    target_seconds: int,
) -> dict[DayKey, MonthCounts]:
    """The stored rows between the two days (one site, or every site with None) counted against
    ``target_seconds`` by this version."""
    return {
        (r[0], r[1]): MonthCounts(
            visits=r[2],
            seen=r[3],
            seen_within=r[4],
            finished=r[5],
            finished_first_contact=r[6],
            booked=r[7],
            kept=r[8],
            no_show=r[9],
        )
        for r in conn.execute(
            f"SELECT {_COLUMNS} FROM daily_rollup"  # noqa: S608 - constant column list
            " WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"
            "   AND target_seconds = :target AND version = :version",
            {
                "first": first_day,
                "last": last_day,
                "site": site_id,
                "target": target_seconds,
                "version": ROLLUP_VERSION,
            },
        )
    }


def store_days(
    conn: sqlite3.Connection, days: Mapping[DayKey, MonthCounts], target_seconds: int
) -> int:
    """Write (or overwrite) the rows of closed days; returns how many. Run it in a write
    transaction."""
    rows: Iterable[tuple[object, ...]] = (
        (
            site,
            day,
            c.visits,
            c.seen,
            c.seen_within,
            c.finished,
            c.finished_first_contact,
            c.booked,
            c.kept,
            c.no_show,
            target_seconds,
            ROLLUP_VERSION,
        )
        for (site, day), c in sorted(days.items())
    )
    cur = conn.executemany(
        f"INSERT OR REPLACE INTO daily_rollup ({_COLUMNS})"  # noqa: S608 - constant column list
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return cur.rowcount


def clear_rollup(conn: sqlite3.Connection) -> int:
    """Forget every stored day (they are recounted when next needed); returns how many."""
    return conn.execute("DELETE FROM daily_rollup").rowcount
