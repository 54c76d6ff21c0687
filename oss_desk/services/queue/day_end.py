"""Close of day: at closing time (or at the first action after it) the tickets still waiting or
called are closed as "office closed", recorded at the closing time of the day they arrived, so
that they count on that day (as misses of the 15-minute standard, never silently dropped).

A day closes at its site's closing time (``[[sites]] opening_hours``); a day the office was
closed (a ticket issued on a bank holiday, say) closes at its end, and so do tickets issued
after closing time (an evening event): those stay open until the day is over. Tickets being
served are left alone: the adviser finishes them. Each closed ticket's ``cancelled`` event says
``"reason": "office_closed"``, when it was done (``closed_at``) and that it was automatic.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta

from oss_desk.clock import format_instant
from oss_desk.domain.calendar import hours_on, zone
from oss_desk.domain.models import Actor, EventKind, Site, Ticket, TicketStatus, VisitStatus
from oss_desk.services.events import of_ticket, record_event
from oss_desk.services.session import Session
from oss_desk.storage import queue as q

REASON = "office_closed"


def closing_time(session: Session, site: Site, day: str) -> datetime:
    """When ``day`` closed (closes) at ``site``, as a UTC instant: its closing time, or the
    last millisecond of the day when the office was closed that day."""
    config = next((s for s in session.settings.sites if s.id == site.id), None)
    when = date.fromisoformat(day)
    hours = hours_on(config.opening_hours, when) if config is not None else None
    if hours is None:
        return end_of_day(site, day)
    return datetime.combine(when, hours.closes, tzinfo=zone(site.timezone)).astimezone(UTC)


def end_of_day(site: Site, day: str) -> datetime:
    """The last millisecond of ``day`` at ``site``, as a UTC instant."""
    when = date.fromisoformat(day) + timedelta(days=1)
    end = datetime.combine(when, time(0), tzinfo=zone(site.timezone))
    return (end - timedelta(milliseconds=1)).astimezone(UTC)


def due_days(session: Session, conn: sqlite3.Connection, now: datetime) -> list[tuple[Site, str]]:
    """The (site, day) with tickets to close now: any earlier day with tickets left waiting or
    called, and today once its closing time has passed (its tickets issued before then)."""
    found = []
    for site_id, day in q.open_days(conn):
        site = session.directory.sites.get(site_id)
        if site is None:
            continue
        if day < session.today(site) or now >= closing_time(session, site, day):
            found.append((site, day))
    return found


def close_due(session: Session, actor: Actor | None = None) -> list[Ticket]:
    """Close every day that is due (one write transaction; nothing when none is due, after one
    cheap read). Returns the tickets closed."""
    now = session.clock.now()
    with session.store.read() as conn:
        if not due_days(session, conn, now):
            return []
    closed: list[Ticket] = []
    who = actor or session.actor
    with session.store.write() as conn:
        for site, day in due_days(session, conn, now):
            over = day < session.today(site)
            closing = closing_time(session, site, day)
            for ticket in q.left_open(conn, site.id, day):
                if ticket.queued_at < closing:
                    closed += _close(conn, site, ticket, closing, now, who)
                elif over:  # came after closing time: open until the day was over
                    closed += _close(conn, site, ticket, end_of_day(site, day), now, who)
    return closed


def _close(
    conn: sqlite3.Connection,
    site: Site,
    ticket: Ticket,
    closed_at: datetime,
    now: datetime,
    actor: Actor,
) -> list[Ticket]:
    """One ticket closed as "office closed", recorded at ``closed_at``."""
    stamp = format_instant(closed_at)
    ended = q.transition(
        conn,
        ticket.id,
        from_statuses=(TicketStatus.WAITING, TicketStatus.CALLED),
        to_status=TicketStatus.CANCELLED,
        finished_at=stamp,
    )
    if ended is None:  # pragma: no cover - changed in this same transaction
        return []
    if not q.visit_has_active_ticket(conn, ticket.visit_id):
        q.finish_visit(
            conn, ticket.visit_id, status=VisitStatus.CANCELLED, outcome=None, finished_at=stamp
        )
    record_event(
        conn,
        site,
        closed_at,
        EventKind.CANCELLED,
        actor,
        desk_id=ticket.desk,
        **of_ticket(ticket),
        data={
            "reason": REASON,
            "automatic": True,
            "closed_at": format_instant(now),
            "was": ticket.status.value,
        },
    )
    return [ended]
