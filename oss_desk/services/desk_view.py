"""What a desk screen shows, read in one consistent snapshot.

The desk app asks for a :class:`DeskSnapshot` whenever the change feed says something moved (or
after its own writes, or every few seconds so that waiting times tick on). Everything in it is
plain immutable data, so the UI never holds a database object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.models import (
    Actor,
    Desk,
    DeskStatus,
    QueueEntry,
    Ticket,
    TicketStatus,
)
from oss_desk.domain.reports import DailyReport
from oss_desk.domain.standards import over_target
from oss_desk.services.queue import QueueService, build_queue
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session
from oss_desk.storage import queue as q
from oss_desk.storage.devices import DeviceState, device_states, heartbeat
from oss_desk.storage.outbox import PrintSummary, print_summary
from oss_desk.storage.site import desk_statuses


@dataclass(frozen=True, slots=True)
class DeskState:
    desk: Desk
    status: DeskStatus
    ticket: Ticket | None
    """The ticket called to or being served at the desk."""


@dataclass(frozen=True, slots=True)
class ServiceLine:
    code: str
    name: str
    waiting: int
    longest_wait_seconds: int
    over_target: int


@dataclass(frozen=True, slots=True)
class DeskSnapshot:
    taken_at: datetime
    business_day: str
    site_id: str
    queue: list[QueueEntry]
    desks: list[DeskState]
    by_service: list[ServiceLine]
    printing: PrintSummary
    devices: dict[str, DeviceState] = field(default_factory=dict)
    """What the device worker last knew of this office's printers and board, by URL."""
    worker_seen_seconds: float | None = None
    """Seconds since the device worker last checked in (None: it never ran)."""
    board_url: str | None = None
    figures: DailyReport | None = None
    """Today's running figures (the daily report, without the weeks before)."""
    target_seconds: int = 15 * 60
    extra: dict[str, object] = field(default_factory=dict)

    def desk(self, desk_id: str) -> DeskState | None:
        return next((d for d in self.desks if d.desk.id == desk_id), None)

    @property
    def waiting(self) -> list[QueueEntry]:
        return [e for e in self.queue if e.ticket.status is TicketStatus.WAITING]


def take_snapshot(
    session: Session,
    *,
    site_id: str | None = None,
    figures: bool = False,
    actor: Actor | None = None,
) -> DeskSnapshot:
    """The live queue, every desk and (for the team leader) today's running figures (``actor``:
    who reads them, when not the session's person)."""
    session.refresh_directory()
    site = session.site(site_id)
    now = session.clock.now()
    day = session.today(site)
    queue_service = QueueService(session)
    with session.store.read() as conn:
        tickets = q.active_tickets(conn, site_id=site.id, business_day=day)
        statuses = desk_statuses(conn)
        typical = queue_service._typical_seconds(conn, now)
        printing = print_summary(conn, format_instant(now - timedelta(hours=12)))
        devices = device_states(conn)
        beat = heartbeat(conn)
        daily = (
            ReportService(session, actor).daily(day, site.id, compare_weeks=0) if figures else None
        )
    desks = [d for d in session.directory.desks.values() if d.site_id == site.id]
    board_url = session.settings.board.url if queue_service.board_site() == site.id else None
    ours = {u for d in desks for u in (d.printer_url, d.fallback_printer_url) if u}
    if board_url:
        ours.add(board_url)
    seen = None
    if beat is not None:
        seen = max(0.0, (now - read_instant(beat[2])).total_seconds())
    entries = build_queue(
        tickets,
        desks=desks,
        statuses=statuses,
        typical=typical,
        default_seconds=session.settings.queue.default_service_minutes * 60,
        now=now,
    )
    at_desk = {
        t.desk: t for t in tickets if t.status in (TicketStatus.CALLED, TicketStatus.SERVING)
    }
    target = session.settings.queue.target_minutes * 60
    lines = []
    catalogue = [s.code for s in session.settings.services if s.code in session.directory.services]
    for code in catalogue:
        service = session.directory.services[code]
        waiting = [e for e in entries if e.ticket.service == code and e.position is not None]
        lines.append(
            ServiceLine(
                code=code,
                name=service.name,
                waiting=len(waiting),
                longest_wait_seconds=max((e.wait_seconds for e in waiting), default=0),
                over_target=sum(1 for e in waiting if over_target(e.wait_seconds, target)),
            )
        )
    return DeskSnapshot(
        taken_at=now,
        business_day=day,
        site_id=site.id,
        queue=entries,
        desks=[
            DeskState(desk=d, status=statuses.get(d.id, d.status), ticket=at_desk.get(d.id))
            for d in desks
        ],
        by_service=lines,
        printing=printing,
        devices={u: state for u, state in devices.items() if u in ours},
        worker_seen_seconds=seen,
        board_url=board_url,
        figures=daily,
        target_seconds=target,
    )
