"""Recording an event from a service: at a site (its local day and hour) or the whole council's
(no site), about a ticket or anything else. One spelling of what every use case writes to
:func:`oss_desk.storage.events.append_event`."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, TypedDict, Unpack

from oss_desk.domain.models import Actor, EventKind, Outcome, Site, Ticket
from oss_desk.storage.events import append_event


class EventRefs(TypedDict, total=False):
    """What an event may be about, beside its kind, site, time and person."""

    desk_id: str | None
    visit_id: int | None
    ticket_id: int | None
    service_code: str | None
    outcome: Outcome | None
    data: dict[str, Any] | None
    appointment_id: int | None


def record_event(
    conn: sqlite3.Connection,
    site: Site | None,
    at: datetime,
    kind: EventKind,
    actor: Actor,
    **refs: Unpack[EventRefs],
) -> int:
    """Append one event inside the caller's write transaction; ``site`` None: the council's."""
    timezone, site_id = (site.timezone, site.id) if site is not None else (None, None)
    return append_event(
        conn, at=at, timezone=timezone, site_id=site_id, kind=kind, actor=actor, **refs
    )


class TicketRefs(TypedDict, total=False):
    visit_id: int | None
    ticket_id: int | None
    service_code: str | None


def of_ticket(ticket: Ticket) -> TicketRefs:
    """An event about ``ticket``: its visit, itself and its service."""
    return {"visit_id": ticket.visit_id, "ticket_id": ticket.id, "service_code": ticket.service}


def record_viewed(
    conn: sqlite3.Connection,
    site: Site,
    at: datetime,
    actor: Actor,
    viewed: tuple[list[str], int, str],
    **refs: Unpack[TicketRefs],
) -> int:
    """Personal data read: which fields, how many records, and where (never the data itself)."""
    fields, count, where = viewed
    data = {"fields": fields, "count": count, "where": where}
    return record_event(conn, site, at, EventKind.PERSONAL_DATA_VIEWED, actor, data=data, **refs)
