"""The daily rollup (``schema/0008_daily_rollup.sql``): the trend's counts per site per closed
business day, computed once from the event log and read back after that.

A row holds :class:`~oss_desk.domain.tally.MonthCounts` for one (site, business day), with the
target it was counted against (``target_seconds``) and :data:`ROLLUP_VERSION`; rows made with
another target or version are ignored. Which days may be stored (only closed ones) is the report
service's decision: nothing here looks at a clock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from oss_desk.domain.tally import MonthCounts
from oss_desk.storage.reports import FIRST_CONTACT_OUTCOMES

ROLLUP_VERSION = 1
"""Bumped whenever the counts of a day would come out differently (old rows are then recounted)."""

DayKey = tuple[str, str]
"""(site id, business day ``YYYY-MM-DD``); events without a site are under ``""``."""

# Each visit first contacted in the range, on the day and at the site of its first contact (its
# first call to a desk, or its resolution at meet-and-greet): the same visits, waits and days as
# storage.reports._FIRST_CONTACTS, with the site they were touched at.
_SEEN_BY_SITE_DAY = (
    "WITH touched AS ("
    "  SELECT visit_id, coalesce(min(site_id), '') AS site FROM events"
    "  WHERE business_day BETWEEN :first AND :last AND kind IN ('called', 'finished')"
    "    AND (kind = 'called' OR ticket_id IS NULL)"
    "  GROUP BY visit_id),"
    " first_contact AS ("
    "  SELECT e.visit_id, min(e.at) AS at, e.business_day AS day, touched.site AS site"
    "  FROM events e JOIN touched USING (visit_id)"
    "  WHERE e.kind IN ('called', 'finished') AND (e.kind = 'called' OR e.ticket_id IS NULL)"
    "  GROUP BY e.visit_id)"
    " SELECT f.site, f.day, count(*), sum(CAST(round((julianday(f.at) - julianday(a.at))"
    "   * 86400000.0) AS INTEGER) <= :within_ms)"
    " FROM first_contact f JOIN events a ON a.visit_id = f.visit_id AND a.kind = 'arrived'"
    " WHERE f.day BETWEEN :first AND :last"
    " GROUP BY 1, 2"
)

_COLUMNS = (
    "site_id, business_day, visits, seen, seen_within_target, finished, finished_first_contact,"
    " appointments_booked, appointments_kept, appointments_no_show, target_seconds, version"
)


def day_counts(
    conn: sqlite3.Connection, first_day: str, last_day: str, within_ms: int
) -> dict[DayKey, MonthCounts]:
    """The trend's counts of every site on each business day from ``first_day`` to
    ``last_day`` (inclusive) that has any: added up over days and sites they equal
    :func:`oss_desk.storage.reports.month_counts` over the same days."""
    args = {"first": first_day, "last": last_day, "within_ms": within_ms}
    days: dict[DayKey, MonthCounts] = {}
    # Grouped in the order of the events_day index, which then needs no sorting (3x faster).
    for day, kind, site, outcome, count in conn.execute(
        "SELECT business_day, kind, site_id, outcome, count(*)"
        " FROM events WHERE business_day BETWEEN :first AND :last"
        "   AND kind IN ('arrived', 'finished', 'appointment_booked', 'appointment_checked_in',"
        "                'appointment_no_show')"
        " GROUP BY business_day, kind, site_id, outcome",
        args,
    ):
        counts = days.setdefault((site or "", day), MonthCounts())
        if kind == "arrived":
            counts.visits += count
        elif kind == "finished":
            counts.finished += count
            counts.finished_first_contact += count if outcome in FIRST_CONTACT_OUTCOMES else 0
        elif kind == "appointment_booked":
            counts.booked += count
        elif kind == "appointment_checked_in":
            counts.kept += count
        else:
            counts.no_show += count
    for site, day, seen, within in conn.execute(_SEEN_BY_SITE_DAY, args):
        counts = days.setdefault((site, day), MonthCounts())
        counts.seen += seen
        counts.seen_within += within or 0
    return days


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
