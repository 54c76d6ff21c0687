"""What a desk screen shows, read in one consistent snapshot.

The desk app asks for a :class:`DeskSnapshot` whenever the change feed says something moved (or
after its own writes, or every few seconds so that waiting times tick on). Everything in it is
plain immutable data, so the UI never holds a database object.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.closed_day import ClosedDay
from oss_desk.domain.counter import Activity, activity, desk_states
from oss_desk.domain.delivery import (
    PrintState,
    WorkerState,
)
from oss_desk.domain.logins import DeskLogin
from oss_desk.domain.message_delivery import (
    TextsSaid,
)
from oss_desk.domain.models import (
    Actor,
    Desk,
    DeskStatus,
    QueueEntry,
    Ticket,
    TicketStatus,
)
from oss_desk.domain.queue import NOBODY, Floor
from oss_desk.domain.sent_to import sent_nowhere, waiting_for_desk
from oss_desk.services.session import Session

if TYPE_CHECKING:
    from oss_desk.domain.reports import DailyReport
    from oss_desk.domain.send_faults import SenderWords
    from oss_desk.domain.standards import Standard
    from oss_desk.services.alerts import LeaderAlert
    from oss_desk.storage.counter import AddedService
    from oss_desk.storage.devices import DeviceState
    from oss_desk.storage.outbox import JobNeedingAnswer, PrintSummary


@dataclass(frozen=True, slots=True)
class DeskState:
    desk: Desk
    status: DeskStatus
    """As the queue sees it: closed while nobody is logged in (``queue.staffed_desks_only``)."""
    ticket: Ticket | None
    """The ticket called to or being served at the desk."""
    login: DeskLogin | None = None
    """Who is logged in to it, since when."""
    since: datetime | None = None
    """When it last changed what it was doing (a login, a break, its resident left)."""

    @property
    def activity(self) -> tuple[Activity, datetime | None]:
        """Serving, called, idle, on a break or closed, and since when."""
        return activity(
            self.status, self.ticket, self.since, self.desk.kind, staffed=self.login is not None
        )


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
    worker: WorkerState = field(default_factory=lambda: WorkerState(None, None))
    """The owner of the devices, as it is now (its lease and heartbeat)."""
    attention: tuple[JobNeedingAnswer, ...] = ()
    """Print jobs that may not have printed, or failed, not yet answered at their desk."""
    alerts: tuple[LeaderAlert, ...] = ()
    """Messages late, failed for good or perhaps sent, not yet acknowledged (the team
    leader's: :func:`oss_desk.services.alerts.leader_alerts`)."""
    untold: tuple[str, ...] = ()
    """Booking references of council changes whose residents (booked by slip) have not been
    told yet (``appointment told``), the longest owed first."""
    untold_unreachable: tuple[str, ...] = ()
    """Those of ``untold`` whose booking holds no phone or email: told when they come in."""
    print_jobs: dict[int, tuple[PrintState, str | None]] = field(default_factory=dict)
    """The latest print jobs' honest states (queued, sending, printed...), by job id."""
    board_url: str | None = None
    figures: DailyReport | None = None
    """Today's running figures (the daily report, without the weeks before)."""
    within_target: Standard | None = None
    """Today's "seen within the target" as it stands now: those still waiting unseen past it
    count as misses already (:func:`oss_desk.domain.report_figures.running_within`)."""
    target_seconds: int = 15 * 60
    amber_seconds: int = 10 * 60
    """Waits show amber from here (``queue.amber_minutes``), red past the target."""
    extra: dict[str, object] = field(default_factory=dict)
    floor: Floor = NOBODY
    """Who is logged in where and what each desk can meet: the lists of what each desk may
    call ask it (``domain.queue.waiting_for``)."""
    added: dict[int, tuple[AddedService, ...]] = field(default_factory=dict)
    """The services added to the visits of the tickets at desks, by visit id."""
    closed_day: ClosedDay | None = None
    """The team leader's close of today while it holds (None: the day takes arrivals)."""
    closed_now: str | None = None
    """Why the site is closed now by its opening hours, closures and bank holidays ("a local
    closure day"), though it still takes arrivals; None while it is open."""
    texts: dict[int, TextsSaid] = field(default_factory=dict)
    """The texts to residents at desks (called, being served) that failed for good (the desk
    that called says the resident may not have been told), apart from those that may have
    been sent, in words, by visit id (as ``ticket show`` says them)."""
    senders: tuple[tuple[str, SenderWords], ...] = ()
    """For the team leader: the mail server and Notify as the worker last found them, when
    messages wait for another try through one ("Email", its words)."""

    def desk(self, desk_id: str) -> DeskState | None:
        return next((d for d in self.desks if d.desk.id == desk_id), None)

    @property
    def waiting(self) -> list[QueueEntry]:
        """The tickets in the queue (not the parked ones)."""
        return [e for e in self.queue if e.ticket.queued]

    @property
    def parked(self) -> list[QueueEntry]:
        return [e for e in self.queue if e.ticket.parked]

    def sent_here(self, desk_id: str) -> list[str]:
        """The codes of the waiting tickets sent to ``desk_id`` or to the person logged in
        there: only that desk calls them, so a break keeps them waiting for it."""
        state = self.desk(desk_id)
        person = state.login.person if state is not None and state.login else None
        return waiting_for_desk((e.ticket for e in self.queue), desk_id, person)

    def sent_back_if_closed(self, desk_id: str) -> list[str]:
        """The codes of the tickets that go back to the queue if ``desk_id`` closes (its person
        logging out), by :func:`oss_desk.domain.sent_to.sent_nowhere`: for the question first."""
        serving = {
            d.desk.id
            for d in self.desks
            if d.desk.id != desk_id and d.status is not DeskStatus.CLOSED
        }
        people = {d.login.person: d.desk.id for d in self.desks if d.desk.id != desk_id and d.login}
        desks = {d.desk.id: d.desk for d in self.desks}
        return [
            e.ticket.code
            for e in self.queue
            if e.ticket.status is TicketStatus.WAITING
            and sent_nowhere(e.ticket, serving, people, desks)
        ]


def _instant(text: str | None) -> datetime | None:
    return read_instant(text) if text else None


def take_snapshot(
    session: Session,
    *,
    site_id: str | None = None,
    figures: bool = False,
    actor: Actor | None = None,
) -> DeskSnapshot:
    """The live queue, every desk and (for the team leader) today's running figures (``actor``:
    who reads them, when not the session's person)."""
    # What reads them loads with the first snapshot, after the desk's first frame.
    from oss_desk.services.alerts import leader_alerts, untold_alerts
    from oss_desk.services.delivery import (
        job_states,
        jobs_needing_answer,
        turn_texts_said,
        worker_state,
    )
    from oss_desk.services.queue import QueueService, read_live_queue
    from oss_desk.storage.counter import added_services_of, desk_since
    from oss_desk.storage.day_closures import closed_day
    from oss_desk.storage.devices import device_states
    from oss_desk.storage.outbox import print_summary
    from oss_desk.storage.queue import at_desks_before

    session.refresh_directory()
    site = session.site(site_id)
    now = session.clock.now()
    day = session.today(site)
    queue_service = QueueService(session)
    with session.store.read() as conn:
        live = read_live_queue(session, conn, site, now)
        overnight = at_desks_before(conn, site.id, day)  # served past midnight: still there
        printing = print_summary(conn, format_instant(now - timedelta(hours=12)))
        devices = device_states(conn)
        worker = worker_state(session.store)
        attention = jobs_needing_answer(session)
        alerts = leader_alerts(session, site.id)
        owed = untold_alerts(session, site.id)
        untold = [u.appointment.ref for u in owed]
        unreachable = [u.appointment.ref for u in owed if not u.reachable]
        jobs = job_states(session)
        since = desk_since(conn)
        held = [*overnight, *(t for t in live.tickets if t.status is not TicketStatus.WAITING)]
        at_desks = [t.visit_id for t in held]
        added = added_services_of(conn, at_desks)
        texts = turn_texts_said(conn, at_desks)
        closed = closed_day(conn, site.id, day)  # one indexed read (site, business day)
        daily = None
        within = None
        target = session.settings.queue.target_minutes * 60
        senders: tuple[tuple[str, SenderWords], ...] = ()
        if figures:  # the team leader's: the mail server and Notify, when worth saying
            from oss_desk.services.sender_states import senders_said

            found = senders_said(conn, site.timezone, now, worker)
            senders = tuple((label, words) for label, words in found if words.worth_saying)
        if figures:  # the team leader's figures: the report code loads when first asked for
            from oss_desk.domain.report_figures import running_within
            from oss_desk.domain.standards import SEEN_WITHIN_TARGET
            from oss_desk.domain.wait_clock import unseen_past_target
            from oss_desk.services.reports import ReportService

            daily = ReportService(session, actor).daily(day, site.id, compare_weeks=0)
            within = running_within(
                daily.standard(SEEN_WITHIN_TARGET.key),
                daily.figures,
                unseen_past_target(live.entries, live.clock.seen, target),
                session.settings.reports.amber_points,
            )
    from oss_desk.services.opening import closed_now_at

    desks = [d for d in session.directory.desks.values() if d.site_id == site.id]
    board_url = session.settings.board.url if queue_service.board_site() == site.id else None
    ours = {u for d in desks for u in (d.printer_url, d.fallback_printer_url) if u}
    if board_url:
        ours.add(board_url)
    seen = worker.seen_seconds
    entries, statuses = live.entries, live.statuses
    staffed_only = session.settings.queue.staffed_desks_only
    logins = live.logins
    states = desk_states(desks, statuses, logins, staffed_only)
    at_desk = {t.desk: t for t in held if t.status in (TicketStatus.CALLED, TicketStatus.SERVING)}
    catalogue = [s.code for s in session.settings.services if s.code in session.directory.services]
    lines = [
        service_line(code, session.directory.services[code].name, entries, target)
        for code in catalogue
    ]
    return DeskSnapshot(
        taken_at=now,
        business_day=day,
        site_id=site.id,
        queue=entries,
        desks=[
            DeskState(
                desk=d,
                status=states[d.id],
                ticket=at_desk.get(d.id),
                login=logins.get(d.id),
                since=_instant(since.get(d.id)),
            )
            for d in desks
        ],
        by_service=lines,
        printing=printing,
        devices={u: state for u, state in devices.items() if u in ours},
        worker_seen_seconds=seen,
        worker=worker,
        attention=tuple(
            j for j in attention if j.desk_id is None or j.desk_id in {d.id for d in desks}
        ),
        alerts=tuple(alerts),
        untold=tuple(untold),
        untold_unreachable=tuple(unreachable),
        print_jobs=jobs,
        board_url=board_url,
        figures=daily,
        within_target=within,
        target_seconds=target,
        floor=live.floor,
        added={visit: tuple(found) for visit, found in added.items()},
        amber_seconds=session.settings.queue.amber_minutes * 60,
        closed_day=closed,
        closed_now=closed_now_at(session, site),
        texts=texts,
        senders=senders,
    )


def service_line(code: str, name: str, entries: list[QueueEntry], target: int) -> ServiceLine:
    """How a service's queue stands: how many wait, the longest wait, how many are over the
    target."""
    from oss_desk.domain.wait_clock import past_target

    waiting = [e for e in entries if e.ticket.service == code and e.position is not None]
    return ServiceLine(
        code=code,
        name=name,
        waiting=len(waiting),
        longest_wait_seconds=max((e.wait_seconds for e in waiting), default=0),
        over_target=sum(1 for e in waiting if past_target(e, target)),
    )


LIVE = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


def with_change(snapshot: DeskSnapshot, ticket: Ticket) -> DeskSnapshot:
    """The snapshot as it is once ``ticket`` (just returned by this desk's own committed
    change: called, recalled, started, finished, a no-show, moved to another service) is in it.

    The desk shows its own change from the change's result at once, in the same frame, instead
    of after the next full snapshot (which follows, with every place and estimated wait worked
    out again). A ticket that left the queue leaves the list and its desk; a called or serving
    ticket is at its desk; the waiting counts follow. A new ticket (issued, or made by a
    transfer) appears with the full snapshot: its place needs the whole queue."""
    gone = {ticket.transferred_from} if ticket.transferred_from is not None else set()
    live = ticket.status in LIVE
    queue: list[QueueEntry] = []
    for entry in snapshot.queue:
        if entry.ticket.id in gone:
            continue
        if entry.ticket.id == ticket.id:
            if not live:
                continue
            waiting = ticket.status is TicketStatus.WAITING
            entry = replace(
                entry,
                ticket=ticket,
                position=entry.position if waiting else None,
                estimated_wait_seconds=entry.estimated_wait_seconds if waiting else None,
                ahead=entry.ahead if waiting else None,
            )
        queue.append(entry)
    at_desk = ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
    desks = []
    for state in snapshot.desks:
        current = state.ticket
        if current is not None and (current.id == ticket.id or current.id in gone):
            current = None
        if at_desk and ticket.desk == state.desk.id:
            current = ticket
        desks.append(replace(state, ticket=current) if current is not state.ticket else state)
    lines = [
        service_line(line.code, line.name, queue, snapshot.target_seconds)
        if line.code == ticket.service
        else line
        for line in snapshot.by_service
    ]
    return replace(snapshot, queue=queue, desks=desks, by_service=lines)


def with_login(snapshot: DeskSnapshot, desk_id: str, login: DeskLogin | None) -> DeskSnapshot:
    """The snapshot once this desk's own log-in (``login``) or log-out (None) at ``desk_id`` is
    in it, as :func:`with_change` is for a ticket: its person, and only them, logged in there
    and the desk open, or nobody and the desk closed; a desk they were logged in to before is
    theirs no more (F8 moved them). The full snapshot follows (who else changed meanwhile)."""
    desks = []
    for state in snapshot.desks:
        if state.desk.id == desk_id:
            status = DeskStatus.OPEN if login is not None else DeskStatus.CLOSED
            since = login.since if login is not None else state.since
            state = replace(state, login=login, status=status, since=since)
        elif login is not None and state.login is not None and state.login.person == login.person:
            state = replace(state, login=None, status=DeskStatus.CLOSED)
        desks.append(state)
    return replace(snapshot, desks=desks)


@dataclass(frozen=True, slots=True)
class LoggedOut:
    """Who last logged a desk's person out, and when (from the event log)."""

    at: datetime
    by: str
    """The person who did it (the one logged out, when they did it themselves)."""
    taken_over: bool
    """They took the desk over (they are logged in there now)."""
    by_config: bool = False
    """A configuration loaded without the person, or without the desk (``init``)."""


def last_logout(session: Session, desk_id: str, business_day: str) -> LoggedOut | None:
    """The latest log-out from ``desk_id`` on ``business_day`` (None: none recorded)."""
    from oss_desk.storage.events import last_desk_logout

    with session.store.read() as conn:
        row = last_desk_logout(conn, desk_id, business_day)
    if row is None:
        return None
    data = row.data
    return LoggedOut(read_instant(row.at), row.actor, "taken_over_by" in data, "by_config" in data)
