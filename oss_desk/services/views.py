"""Plain-data views of domain objects for JSON output, the CLI and the desk app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.codes import code_said
from oss_desk.domain.counter import parked_words, sent_to
from oss_desk.domain.models import QueueEntry, Ticket, TicketStatus, Visit
from oss_desk.domain.queue import is_urgent
from oss_desk.domain.waits import NO_OPEN_DESK, ahead_said, estimate_minutes, waited_minutes
from oss_desk.storage.site import Directory


def _when(value: datetime | None) -> str | None:
    return format_instant(value) if value is not None else None


def minutes(seconds: int | float | None) -> int | None:
    """An estimated wait in whole minutes, rounded up (10 s is "1 min", never "0 min"):
    :func:`oss_desk.domain.waits.estimate_minutes`."""
    return estimate_minutes(seconds)


def ticket_code_said(ticket: Ticket, directory: Directory) -> str:
    """The ticket's code as every command line names it: with its id beside it at an office of
    several sites ("C001 (id 4)"), its code alone at one (``domain.codes.code_said``)."""
    return code_said(ticket.code, ticket.id, len(directory.sites))


def ticket_json(
    ticket: Ticket, directory: Directory, entry: QueueEntry | None = None
) -> dict[str, Any]:
    service = directory.services.get(ticket.service)
    data: dict[str, Any] = {
        "id": ticket.id,
        "code": ticket.code,
        "code_said": ticket_code_said(ticket, directory),
        "service": ticket.service,
        "service_name": service.name if service else ticket.service,
        "label": service.label if service else ticket.service,
        "status": ticket.status.value,
        "desk": ticket.desk,
        "site": ticket.site_id,
        "visit": ticket.visit_id,
        "business_day": ticket.business_day,
        "number": ticket.number,
        "channel": ticket.channel.value,
        "priority": ticket.priority,
        "urgent": is_urgent(ticket),
        "needs": list(ticket.needs),
        "assigned_desk": ticket.assigned_desk,
        "assigned_person": ticket.assigned_person,
        "parked": ticket.parked,
        "park_reason": ticket.park_reason,
        "arrived_at": _when(ticket.queued_at),
        "issued_at": _when(ticket.issued_at),
        "called_at": _when(ticket.called_at),
        "serving_at": _when(ticket.serving_at),
        "finished_at": _when(ticket.finished_at),
        "outcome": ticket.outcome.value if ticket.outcome else None,
        "recalls": ticket.recalls,
        "transferred_from": ticket.transferred_from,
    }
    if entry is not None:
        data["position"] = entry.position
        data["ahead"] = entry.ahead
        data["wait_min"] = waited_minutes(entry.wait_seconds)
        data["estimated_wait_min"] = minutes(entry.estimated_wait_seconds)
    return data


def visit_json(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "site": visit.site_id,
        "business_day": visit.business_day,
        "arrived_at": _when(visit.arrived_at),
        "channel": visit.channel.value,
        "service": visit.service,
        "needs": list(visit.needs),
        "status": visit.status.value,
        "outcome": visit.outcome.value if visit.outcome else None,
        "finished_at": _when(visit.finished_at),
    }


def wait_phrase(entry: QueueEntry) -> str:
    if entry.estimated_wait_seconds is None:
        return NO_OPEN_DESK
    est = minutes(entry.estimated_wait_seconds) or 0
    people = ahead_said(entry.ahead or 0)
    return f"{people}, about {est} min" if est else f"{people}, next to be called"


def ticket_line(ticket: Ticket, directory: Directory, status: str | None = None) -> str:
    """One ticket in a line; ``status``: its status in words when they say more than the
    stored value (a ticket closed by close of day: ``day_end.ended_words``)."""
    service = directory.services.get(ticket.service)
    name = service.name if service else ticket.service
    desk = _desk_name(directory, ticket.desk) if ticket.desk else None
    where = f" at {desk}" if desk and ticket.at_desk else ""
    if status is None and ticket.parked:
        status, where = parked_words(ticket, desk), ""
    outcome = f" ({ticket.outcome.value})" if ticket.outcome else ""
    sent = _sent(ticket, directory)
    code = ticket_code_said(ticket, directory)
    return f"{code}  {name}  {status or ticket.status.word}{where}{outcome}{sent}"


def _sent(ticket: Ticket, directory: Directory) -> str:
    """Where a waiting ticket was sent: ", sent to Fatima Okoro" (only they may call it)."""
    sent = sent_to(ticket) if ticket.status is TicketStatus.WAITING else None
    if sent is None:
        return ""
    if sent.person is not None:
        person = directory.staff.get(sent.person)
        return f", sent to {person.name if person else sent.person}"
    return f", sent to {_desk_name(directory, sent.desk or '')}"


def _desk_name(directory: Directory, desk_id: str) -> str:
    """A desk as staff know it ("Desk 1"), never its id (a desk the configuration no longer
    has: its id)."""
    desk = directory.desks.get(desk_id)
    return desk.name if desk is not None else desk_id
