"""The daily rollup (``schema/0018_scorecard.sql``): each closed business day's tally per site
(:class:`~oss_desk.domain.tally.DayTally`: counts and the raw waits and service times), computed
once from the event log (:func:`oss_desk.storage.reports.day_tallies`, the same query the live
reports use) and read back after that.

A row holds one (site, business day) and :data:`ROLLUP_VERSION`; rows made by another version
are ignored (and recounted). Which days may be stored (only closed ones) is the report service's
decision: nothing here looks at a clock.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from oss_desk.domain.tally import DayTally
from oss_desk.storage.reports import DayKey

ROLLUP_VERSION = 9
"""Bumped whenever the tally of a day would come out differently (old rows are then recounted).
2: the 15-minute figure counts walk-outs and visitors closed with the office, the appointment
clock starts at the booked time, and the tally holds the raw waits (issue 15).
3: no-shows taken back are not counted; services added at a desk and appointments arranged in a
visit are kept (issue 17).
4: a ticket issued in error is no visit (not among the arrivals, their hours, services and
needs).
5: a call the resident did not hear, put back in the queue, is no contact (not the first
contact, nor the call a no-show was not there for: schema/0049).
6: a call followed by a start, a park, a send-on or a finish of its ticket is a contact, even when
that ticket is closed later (sent to another desk, then closed at close of day: schema/0056).
7: a visit finished signposted without a destination is counted where it went as "not
recorded" (the ``signposted:not_recorded`` flag).
8: where a resident was signposted is counted only for a visit finished signposted (its
outcome): a visit finished otherwise, with a service of it signposted, no longer counts there
too (the places add up to the outcome).
9: on the day the clocks go back, the arrivals in the hour that comes round twice are kept apart
(its second time keyed hour + 24: 01:00 GMT apart from 01:00 BST)."""


_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)
"""Compact JSON; a tally is plain data without cycles, so the encoder need not look for them
(a year's thousands of small lists encode faster)."""


def has_rollup(conn: sqlite3.Connection) -> bool:
    """Whether the database has this version's rollup table (another office's older copy may
    not)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(daily_rollup)")}
    return "tally" in columns


def rolled_days(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> dict[DayKey, DayTally]:
    """The stored tallies between the two days (one site, or every site with None) made by this
    version."""
    return {
        (r[0], r[1]): DayTally.from_plain(json.loads(r[2]), r[0], r[1])
        for r in conn.execute(
            "SELECT site_id, business_day, tally FROM daily_rollup"
            " WHERE business_day BETWEEN :first AND :last AND (:site IS NULL OR site_id = :site)"
            "   AND version = :version",
            {"first": first_day, "last": last_day, "site": site_id, "version": ROLLUP_VERSION},
        )
    }


def store_days(conn: sqlite3.Connection, days: Mapping[DayKey, DayTally]) -> int:
    """Write (or overwrite) the rows of closed days; returns how many. Run it in a write
    transaction."""
    cur = conn.executemany(
        "INSERT OR REPLACE INTO daily_rollup (site_id, business_day, version, tally)"
        " VALUES (?, ?, ?, ?)",
        (
            (site, day, ROLLUP_VERSION, _ENCODER.encode(t.plain()))
            for (site, day), t in sorted(days.items())
        ),
    )
    return cur.rowcount


def clear_rollup(conn: sqlite3.Connection) -> int:
    """Forget every stored day (they are recounted when next needed); returns how many."""
    return conn.execute("DELETE FROM daily_rollup").rowcount
