"""Residents' ratings of their visits (``schema/0018_scorecard.sql``): at most one per visit, and
the comment written with it (the resident's own words, deleted on the retention schedule)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from oss_desk.storage.subject import clear


@dataclass(frozen=True, slots=True)
class Finished:
    """A visit's finish, as the event log recorded it."""

    visit_id: int
    site_id: str
    business_day: str
    desk_id: str | None
    service: str | None
    at: str
    with_ticket: bool
    actor: str


def finished_visit(conn: sqlite3.Connection, visit_id: int) -> Finished | None:
    row = conn.execute(
        "SELECT visit_id, site_id, business_day, desk_id, service_code, at, ticket_id IS NOT NULL,"
        " actor FROM events WHERE visit_id = ? AND kind = 'finished'",
        [visit_id],
    ).fetchone()
    if row is None:
        return None
    return Finished(
        visit_id=int(row[0]),
        site_id=str(row[1]),
        business_day=str(row[2]),
        desk_id=row[3],
        service=row[4],
        at=str(row[5]),
        with_ticket=bool(row[6]),
        actor=str(row[7]),
    )


def last_finished_at_desk(
    conn: sqlite3.Connection, desk_id: str, business_day: str, since: str
) -> Finished | None:
    """The latest visit finished at ``desk_id`` on the day since ``since`` (an instant), if it
    has no rating yet."""
    row = conn.execute(
        "SELECT e.visit_id FROM events e"
        " WHERE e.business_day = ? AND e.kind = 'finished' AND e.desk_id = ? AND e.at >= ?"
        " ORDER BY e.at DESC, e.id DESC LIMIT 1",
        [business_day, desk_id, since],
    ).fetchone()
    if row is None or has_rating(conn, int(row[0])):
        return None
    return finished_visit(conn, int(row[0]))


def finished_at_desk(conn: sqlite3.Connection, desk_id: str, business_day: str) -> list[int]:
    """The visits finished at ``desk_id`` on the day, newest first (the last 50)."""
    rows = conn.execute(
        "SELECT visit_id FROM events WHERE business_day = ? AND kind = 'finished'"
        " AND desk_id = ? ORDER BY at DESC, id DESC LIMIT 50",
        [business_day, desk_id],
    ).fetchall()
    return [int(row[0]) for row in rows]


def has_rating(conn: sqlite3.Connection, visit_id: int) -> bool:
    found = conn.execute("SELECT 1 FROM visit_ratings WHERE visit_id = ?", [visit_id]).fetchone()
    return found is not None


def record_rating(
    conn: sqlite3.Connection,
    *,
    visit_id: int,
    site_id: str,
    business_day: str,
    rating: int | None,
    source: str,
    desk_id: str | None,
    given_at: str,
    recorded_by: str,
) -> bool:
    """Store a visit's rating (None: declined); False when it has one already (the primary key
    refuses a second, whatever the race)."""
    cur = conn.execute(
        "INSERT INTO visit_ratings (visit_id, site_id, business_day, rating, source, desk_id,"
        " given_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [visit_id, site_id, business_day, rating, source, desk_id, given_at, recorded_by],
    )
    return cur.rowcount == 1


def add_comment(conn: sqlite3.Connection, visit_id: int, text: str, written_at: str) -> None:
    conn.execute(
        "INSERT INTO rating_comments (visit_id, text, written_at) VALUES (?, ?, ?)",
        [visit_id, text, written_at],
    )


def comments_between(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> list[tuple[str, str | None, int | None, str]]:
    """(day, service, rating, text) of the comments given in the days that still have their
    text."""
    rows = conn.execute(
        "SELECT r.business_day, (SELECT service_code FROM events WHERE visit_id = r.visit_id"
        " AND kind = 'finished'), r.rating, c.text FROM visit_ratings r"
        " JOIN rating_comments c USING (visit_id)"
        " WHERE r.business_day BETWEEN ? AND ? AND (? IS NULL OR r.site_id = ?)"
        " AND c.text IS NOT NULL ORDER BY r.given_at",
        [first_day, last_day, site_id, site_id],
    ).fetchall()
    return [(str(r[0]), r[1], r[2], str(r[3])) for r in rows]


def purge_comments(conn: sqlite3.Connection, before: str, now: str, *, dry_run: bool) -> int:
    """Delete the text of comments written before ``before``; returns how many."""
    which = "SELECT visit_id FROM rating_comments WHERE written_at < :before"
    return clear(conn, "comments", which, {"before": before, "now": now}, dry_run=dry_run)
