"""The live queue as it is shown and printed: read in one snapshot and laid out by the domain's
rules (:func:`oss_desk.domain.queue.live_queue`), so the places, estimated waits and people
ahead agree with what "call next" does."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.calendar import business_day
from oss_desk.domain.logins import DeskLogin
from oss_desk.domain.models import DeskStatus, QueueEntry, Site, Ticket
from oss_desk.domain.queue import Floor, live_queue
from oss_desk.domain.wait_clock import WaitClock
from oss_desk.services.queue.core import QueueCore, read_floor
from oss_desk.services.session import Session
from oss_desk.storage import queue as q
from oss_desk.storage.counter import desk_logins
from oss_desk.storage.site import desk_statuses
from oss_desk.storage.wait_clock import booked_starts, first_contacts, sent_back

TYPICAL_SINCE = timedelta(days=14)
"""How far back the typical time at the desk of each service is measured."""


@dataclass(frozen=True, slots=True)
class LiveQueue:
    entries: list[QueueEntry]
    """The tickets at desks, then the waiting ones in call order (see ``live_queue``)."""
    tickets: list[Ticket]
    """The site's waiting, called and serving tickets of the day."""
    statuses: dict[str, DeskStatus]
    """Every desk's status now."""
    floor: Floor
    """Who is logged in where, and what each desk can meet."""
    logins: dict[str, DeskLogin]
    """Who is logged in to which desk, since when."""
    clock: WaitClock = field(default_factory=WaitClock)
    """What the waits are counted from (each visit's first contact among them): those of the
    lines made (with ``only``, that ticket's visit alone)."""


def read_live_queue(
    session: Session,
    conn: sqlite3.Connection,
    site: Site,
    now: datetime,
    only: int | None = None,
) -> LiveQueue:
    """The live queue of ``site`` from one read of ``conn`` (``only``: the entries hold that
    ticket's line alone, see :func:`~oss_desk.domain.queue.live_queue`)."""
    # The day of ``now``: the day and the waits from one look at the clock.
    tickets = q.active_tickets(conn, site_id=site.id, business_day=business_day(now, site.timezone))
    statuses = desk_statuses(conn)
    logins = desk_logins(conn)
    floor = read_floor(session, conn, site.id, logins)
    # The waits shown are those of the lines made: with ``only``, that ticket's visit alone (a
    # printed ticket's line, on its way to the printer, reads three rows, not the day's).
    visits = [t.visit_id for t in tickets if only in (None, t.id)]
    clock = WaitClock(
        booked=booked_starts(conn, visits),
        seen=first_contacts(conn, visits),
        sent_back=sent_back(conn, visits),
    )
    entries = live_queue(
        tickets,
        desks=[d for d in session.directory.desks.values() if d.site_id == site.id],
        statuses=statuses,
        typical=typical_seconds(session, conn, now),
        default_seconds=session.settings.queue.default_service_minutes * 60,
        now=now,
        floor=floor,
        staffed_only=session.settings.queue.staffed_desks_only,
        clock=clock,
        only=only,
    )
    return LiveQueue(entries, tickets, statuses, floor, logins, clock)


def typical_seconds(session: Session, conn: sqlite3.Connection, now: datetime) -> dict[str, float]:
    """Each service's typical time at the desk: measured over its latest finished tickets,
    else its configured ``typical_minutes``."""
    measured = q.recent_service_seconds(
        conn,
        session.directory.services,
        session.settings.queue.estimate_sample,
        format_instant(now - TYPICAL_SINCE),
    )
    configured = {
        s.code: s.typical_minutes * 60
        for s in session.settings.services
        if s.typical_minutes is not None
    }
    return {**configured, **measured}


class LiveView(QueueCore):
    def queue(self, site_id: str | None = None) -> list[QueueEntry]:
        """Today's waiting, called and serving tickets, with waits, estimated waits and the
        people ahead."""
        self._require(Action.VIEW_QUEUE)
        site = self.s.site(site_id)
        now = self.s.clock.now()
        with self.s.store.read() as conn:
            return read_live_queue(self.s, conn, site, now).entries

    def floor(self, site_id: str | None = None) -> Floor:
        """Who is logged in to which desk, and what each desk can meet (the needs routing)."""
        site = self.s.site(site_id)
        with self.s.store.read() as conn:
            return read_floor(self.s, conn, site.id)

    def entry(self, ticket: Ticket) -> QueueEntry | None:
        """The ticket's line in the live queue (None once it has left the queue): the others'
        lines are not made (a printed ticket asks this on its way to the printer)."""
        self._require(Action.VIEW_QUEUE)
        site = self.s.site(ticket.site_id)
        now = self.s.clock.now()
        with self.s.store.read() as conn:
            live = read_live_queue(self.s, conn, site, now, only=ticket.id)
        return next((e for e in live.entries if e.ticket.id == ticket.id), None)
