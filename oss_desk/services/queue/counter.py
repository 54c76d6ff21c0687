"""What an adviser does at the counter besides call and finish: park a resident and resume them,
recycle a call nobody answered, add another service to the visit, take a no-show back."""

from __future__ import annotations

from dataclasses import dataclass

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.appointments import TicketEnd
from oss_desk.domain.counter import (
    PARK_REASONS,
    UNDO_NO_SHOW_SECONDS,
    may_undo_no_show,
    park_reason,
)
from oss_desk.domain.delivery import AT_THE_DESK_INSTEAD
from oss_desk.domain.models import DeskStatus, EventKind, Ticket, TicketStatus
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.queue.closing import Closing, appointment_after
from oss_desk.services.queue.core import AT_DESK, Ref
from oss_desk.storage import queue as q
from oss_desk.storage.counter import AddedService, add_service, added_services, remove_service
from oss_desk.storage.print_state import settled_by_end, settled_unneeded


@dataclass(frozen=True, slots=True)
class TakenBack:
    """A no-show taken back: the ticket as it is again, and its paper queued again (the print
    job; None: none to queue, its paper printed or it had none)."""

    ticket: Ticket
    print_job: int | None = None


class Counter(Closing):
    # Parking -----------------------------------------------------------------------------------

    def park(self, ref: Ref, reason: str) -> Ticket:
        """Set the resident at the desk aside ("gone to fetch a document"): the desk is free to
        call the next, and resumes them when they are back. They keep their arrival time. Their
        call leaves the board at once, as a call put back does."""
        self._require(Action.START)
        try:
            why = park_reason(reason)
        except ValueError:
            known = ", ".join(PARK_REASONS)
            raise InvalidInput(f"say why the resident is parked: one of {known}") from None
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            only = (AT_DESK, "only a resident at a desk can be parked")
            ticket = self._ticket_for(conn, ref, Action.START, only=only)
            fields = {"parked_at": format_instant(now), "park_reason": why}
            parked = self._move(conn, ticket, AT_DESK, TicketStatus.WAITING, **fields)
            self._log(conn, ticket, EventKind.PARKED, now, {"reason": why}, at_desk=True)
            # Back among the waiting, its call leaves the board as a call put back does (_move).
            self._mark_desk(conn, ticket.desk, now)
        return parked

    def parked(self, desk_id: str | None = None) -> list[Ticket]:
        """The tickets parked at a desk (this terminal's), longest parked first."""
        desk = self._desk(desk_id)
        if desk is None:
            raise InvalidInput("say which desk")
        self._require(Action.VIEW_QUEUE)
        return q.parked_tickets(self.s.store.conn, desk.id)

    # Recycling ---------------------------------------------------------------------------------

    def recycle(self, ref: Ref) -> Ticket:
        """The resident did not hear the call: the ticket goes back into the queue at its place
        (its arrival time), to be called again, and the board drops the call (see
        :data:`oss_desk.domain.public.OFF_THE_BOARD`)."""
        self._require(Action.RECALL)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            only = ([TicketStatus.CALLED], "only a called ticket goes back to the queue")
            ticket = self._ticket_for(conn, ref, Action.RECALL, only=only)
            cleared = {"desk_id": None, "called_at": None}
            back = self._move(conn, ticket, [TicketStatus.CALLED], TicketStatus.WAITING, **cleared)
            self._log(
                conn, ticket, EventKind.RECYCLED, now, {"recalls": ticket.recalls}, at_desk=True
            )
            self._mark_desk(conn, ticket.desk, now)  # the board drops the call (_move)
        return back

    # A no-show taken back ----------------------------------------------------------------------

    def undo_no_show(self, ref: Ref) -> TakenBack:
        """The resident turned up after all (within two minutes of the no-show): the ticket
        returns to where it was, called at its desk (or, when the desk has called someone else
        since or is on a break, first in that desk's queue, at its place; when it has closed,
        in the queue at its place, for any desk). Back in the queue, its paper that the
        no-show settled unprinted (still queued then: the printer down, no worker running) is
        queued again on the same printer, as it would have printed had there been no no-show
        (:func:`~oss_desk.storage.print_state.settled_by_end`): the resident never had it and
        waits to be called. Called at its desk again, it is not: the resident is at the desk,
        and a paper at the printer would wait there for nobody."""
        from oss_desk.services.device_owner import queue_print  # only when paper is due again

        self._require(Action.NO_SHOW)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._ticket_for(
                conn, ref, Action.NO_SHOW, only=([TicketStatus.NO_SHOW], "not a no-show")
            )
            if not may_undo_no_show(ticket.finished_at, now):
                minutes = UNDO_NO_SHOW_SECONDS // 60
                raise RuleViolation(
                    f"{ticket.code} was marked no-show more than {minutes} minutes ago: issue "
                    "the resident a new ticket"
                )
            desk_id = ticket.desk
            busy = q.desk_ticket(conn, desk_id) if desk_id else None
            # A desk closed since (or, staffed desks only, left by its adviser) calls nobody:
            # the resident goes back to the queue at their place, for any desk (a review: they
            # were called to a closed desk, where no desk could reach them).
            state = self.desk_states_in(conn).get(desk_id) if desk_id else None
            if busy is None and state is DeskStatus.OPEN:
                back = self._move(
                    conn, ticket, [TicketStatus.NO_SHOW], TicketStatus.CALLED, finished_at=None
                )
                where = "called"
                paper = None  # the resident is at the desk: no paper waits at the printer
                settled_unneeded(conn, ticket.id, TicketStatus.NO_SHOW, AT_THE_DESK_INSTEAD)
            else:
                fields = {
                    "finished_at": None,
                    "desk_id": None,
                    "called_at": None,
                    "assigned_desk_id": None if state is DeskStatus.CLOSED else desk_id,
                }
                back = self._move(
                    conn, ticket, [TicketStatus.NO_SHOW], TicketStatus.WAITING, **fields
                )
                where = "waiting"
                paper = settled_by_end(conn, ticket.id, TicketStatus.NO_SHOW)
            q.reopen_visit(conn, ticket.visit_id)
            appointment_after(conn, ticket.visit_id, TicketEnd.NO_SHOW_UNDONE)
            job = None if paper is None else queue_print(conn, self.s.store.path, paper, now)
            logged: dict[str, object] = {"to": where} if job is None else {"to": where, "job": job}
            self._log(conn, ticket, EventKind.NO_SHOW_UNDONE, now, logged, at_desk=True)
            self._mark_desk(conn, desk_id, now)
        return TakenBack(back, job)

    # Several services in one visit --------------------------------------------------------------

    def add_service(self, ref: Ref, service: str) -> AddedService:
        """Another service in the same visit (Council Tax, then a bin query): it is finished
        with its own outcome when the visit is."""
        self._require(Action.FINISH)
        svc = self.service(service)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            only = (AT_DESK, "add a service while serving")
            ticket = self._ticket_for(conn, ref, Action.FINISH, only=only)
            if svc.code == ticket.service:
                raise InvalidInput(f"{ticket.code} is already for {svc.name}")
            if any(a.service == svc.code for a in added_services(conn, ticket.visit_id)):
                raise InvalidInput(f"{svc.name} is already part of this visit")
            desk = self.s.directory.desks.get(ticket.desk or "")
            if desk is not None and not desk.serves(svc.code):
                raise RuleViolation(
                    f"{desk.name} does not serve {svc.name}: transfer the resident instead"
                )
            added_id = add_service(
                conn,
                visit_id=ticket.visit_id,
                ticket_id=ticket.id,
                service=svc.code,
                at=format_instant(now),
                person=self.actor.person,
                desk_id=ticket.desk,
            )
            self._added_service_event(conn, ticket, EventKind.SERVICE_ADDED, now, svc.code)
            found = next(a for a in added_services(conn, ticket.visit_id) if a.id == added_id)
        return found

    def remove_service(self, ref: Ref, service: str) -> None:
        """An added service taken off again (added by mistake), before the visit finishes."""
        self._require(Action.FINISH)
        code = self.service(service).code
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._ticket_for(conn, ref, Action.FINISH, only=(AT_DESK, "nothing to change"))
            name = self._service_name(code)
            if code == ticket.service:
                raise InvalidInput(
                    f"{ticket.code} is for {name}: the ticket's own service is not taken off "
                    "(transfer the ticket to change it)"
                )
            added = next(
                (a for a in added_services(conn, ticket.visit_id) if a.service == code), None
            )
            if added is None:
                raise NotFound(f"{name} was not added to {ticket.code}'s visit")
            if added.outcome is not None:
                raise RuleViolation(f"{name} is already finished in {ticket.code}'s visit")
            remove_service(conn, added.id)
            self._added_service_event(conn, ticket, EventKind.SERVICE_REMOVED, now, code)

    def services_of(self, ref: Ref) -> list[AddedService]:
        """The services added to the ticket's visit, in the order they were added."""
        self._require(Action.FIND_TICKET)
        conn = self.s.store.conn
        return added_services(conn, self._find(conn, ref).visit_id)
