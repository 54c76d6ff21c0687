"""A desk calling residents: call next (the one call order, in one statement), a chosen ticket
out of turn, recall, start serving, and resume a parked one."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action, Scope
from oss_desk.domain.calendar import business_day
from oss_desk.domain.counter import still_here_said
from oss_desk.domain.models import Desk, DeskStatus, EventKind, Ticket, TicketStatus
from oss_desk.domain.needs import describe_capability
from oss_desk.domain.queue import Floor, Refusal, calls_tickets, refusal
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.queue.core import QueueCore, Ref, read_floor
from oss_desk.services.queue.day_end import close_due_in
from oss_desk.storage import queue as q
from oss_desk.storage.counter import login_at
from oss_desk.storage.site import desk_status


class Calling(QueueCore):
    def call_next(self, desk_id: str | None = None) -> Ticket | None:
        """Call the next ticket for a desk; None when nothing is waiting that it may call."""
        desk = self._calling_desk(desk_id)  # a desk that never calls: said before the role
        self._require(Action.CALL_NEXT)
        site = self.s.directory.sites[desk.site_id]
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            close_due_in(self.s, conn, now, self.actor)  # first, in the call's own transaction
            # One guarded statement on the hot path; the reasons are looked up only if it claims
            # nothing (the desk does not call now, still has a ticket, or nobody is waiting).
            ticket = q.call_next(
                conn,
                site_id=site.id,
                business_day=business_day(now, site.timezone),
                desk_id=desk.id,
                now=format_instant(now),
                staffed_only=self.staffed_only,
            )
            if ticket is None:
                self._check_can_call(conn, desk)
                return None
            self._called(conn, ticket, desk, now, "next")
        return ticket

    def call(self, ref: Ref, desk_id: str | None = None) -> Ticket:
        """Call one chosen waiting ticket to a desk (out of order): an adviser to their own
        desk, a team leader to any."""
        desk = self._calling_desk(desk_id)
        now = self.s.clock.now()
        if self.s.scope(Action.CALL_CHOSEN, self.actor) is Scope.OWN:
            self._require(Action.CALL_CHOSEN, own=self.owns_desk(desk))
        else:
            self._require(Action.CALL_CHOSEN)
        with self.s.store.write() as conn:
            close_due_in(self.s, conn, now, self.actor)
            self._check_can_call(conn, desk)
            ticket = self._find(conn, ref, desk.site_id)
            if ticket.site_id != desk.site_id:
                raise RuleViolation(f"{ticket.code} is at another site")
            if ticket.parked:
                raise RuleViolation(
                    f"{ticket.code} is {self.standing(ticket, conn)}: resume it there "
                    "(or transfer it)"
                )
            if ticket.status is not TicketStatus.WAITING:
                raise RuleViolation(
                    f"{ticket.code} is {self.standing(ticket, conn)}: "
                    "only a waiting ticket can be called"
                )
            self._check_may_call(desk, ticket, read_floor(self.s, conn, desk.site_id))
            at_desk = {"desk_id": desk.id, "called_at": format_instant(now)}
            called = self._move(
                conn, ticket, [TicketStatus.WAITING], TicketStatus.CALLED, **at_desk
            )
            self._called(conn, called, desk, now, "chosen")
        return called

    def recall(self, ref: Ref) -> Ticket:
        """Call a called ticket again (board and announcement); capped by ``queue.recall_cap``."""
        self._require(Action.RECALL)
        now = self.s.clock.now()
        cap = self.s.settings.queue.recall_cap
        with self.s.store.write() as conn:
            ticket = self._held(conn, ref, Action.RECALL, "only a called ticket can be recalled")
            recalled = q.increment_recalls(conn, ticket.id, cap)
            if recalled is None:
                raise RuleViolation(
                    f"{ticket.code} has been recalled {ticket.recalls} times (the limit is "
                    f"{cap}): mark it no-show, or start serving if the resident has come"
                )
            self._log(
                conn, ticket, EventKind.RECALLED, now, {"recalls": recalled.recalls}, at_desk=True
            )
            self._board(conn, recalled, "recalled", now)
        return recalled

    def start(self, ref: Ref) -> Ticket:
        """The resident has come to the desk: start serving."""
        self._require(Action.START)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._held(conn, ref, Action.START, "only a called ticket can be started")
            stamp = format_instant(now)
            started = self._move(
                conn, ticket, [TicketStatus.CALLED], TicketStatus.SERVING, serving_at=stamp
            )
            self._log(conn, ticket, EventKind.SERVING, now, at_desk=True)
        return started

    def resume(self, ref: Ref, desk_id: str | None = None) -> Ticket:
        """A parked resident is back: serve them again at the desk they were parked at (a team
        leader may resume them at another desk)."""
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            if not ticket.parked:
                raise RuleViolation(
                    f"{ticket.code} is {self.standing(ticket, conn)}: it is not parked"
                )
            desk = self.s.desk(desk_id) if desk_id is not None else self._desk(None)
            if desk is None:
                desk = self.s.desk(ticket.desk or "")
            self._require_on(conn, Action.START, ticket)
            if desk.id != ticket.desk:
                self._require(Action.REASSIGN)
                if desk.site_id != ticket.site_id:
                    raise RuleViolation(f"{desk.name} is at another site")
            self._check_sent_to(
                conn, desk, ticket.code, "resume them at an open desk, or log in there first"
            )
            current = q.desk_ticket(conn, desk.id)
            if current is not None:
                raise RuleViolation(
                    f"{desk.name} has {current.code} now: finish it, park it or transfer it "
                    f"before resuming {ticket.code}"
                )
            fields: dict[str, object] = {
                "desk_id": desk.id,
                "parked_at": None,
                "park_reason": None,
                "called_at": format_instant(ticket.called_at or now),
                "serving_at": format_instant(now),
            }
            resumed = self._move(
                conn, ticket, [TicketStatus.WAITING], TicketStatus.SERVING, **fields
            )
            parked_for = int((now - (ticket.parked_at or now)).total_seconds())
            self._event(
                conn,
                self._site(ticket),
                EventKind.RESUMED,
                now,
                ticket=resumed,
                desk_id=desk.id,
                data={"parked_seconds": parked_for},
            )
            self._mark_desk(conn, desk.id, now)
        return resumed

    # Helpers ---------------------------------------------------------------------------------

    def _held(self, conn: sqlite3.Connection, ref: Ref, action: Action, only: str) -> Ticket:
        """The called ticket ``ref``, when the actor may do ``action`` on it."""
        return self._ticket_for(conn, ref, action, only=([TicketStatus.CALLED], only))

    def _called(
        self, conn: sqlite3.Connection, ticket: Ticket, desk: Desk, now: datetime, how: str
    ) -> None:
        site = self.s.directory.sites[desk.site_id]
        self._event(
            conn, site, EventKind.CALLED, now, ticket=ticket, desk_id=desk.id, data={"how": how}
        )
        q.desk_called(conn, desk.id)  # it passes over nobody it transferred any more
        self._board(conn, ticket, "called", now)

    def _calling_desk(self, desk_id: str | None) -> Desk:
        """The desk that calls; refused when it never calls tickets (meet-and-greet), whoever
        asks: the desk is the truer reason, before the person's role (exit 6, not 9)."""
        desk = self._desk(desk_id)
        if desk is None:
            raise InvalidInput("say which desk is calling", cli_hint="--desk ID")
        if not calls_tickets(desk.kind):
            raise RuleViolation(f"{desk.name} is a meet-and-greet desk: it does not call tickets")
        return desk

    def _check_can_call(self, conn: sqlite3.Connection, desk: Desk) -> None:
        """Why ``desk`` cannot call now (nobody is logged in to it, it is not open, or it still
        has a resident; one that never calls is refused by :meth:`_calling_desk`); nothing
        when it can."""
        status = desk_status(conn, desk.id)
        if self.staffed_only and login_at(conn, desk.id) is None:
            raise RuleViolation(f"nobody is logged in to {desk.name}: log in there first")
        if status is not DeskStatus.OPEN:
            state = "on a break" if status is DeskStatus.BREAK else "closed"
            raise RuleViolation(f"{desk.name} is {state}: open it before calling")
        current = q.desk_ticket(conn, desk.id)
        if current is not None:
            raise RuleViolation(
                still_here_said(
                    current, desk.name, self.s.today(self.s.directory.sites[desk.site_id])
                )
            )

    def _check_may_call(self, desk: Desk, ticket: Ticket, floor: Floor) -> None:
        why = refusal(desk, ticket, floor)
        if why is Refusal.NOT_SERVED:
            raise RuleViolation(
                f"{desk.name} does not serve {self._service_name(ticket.service)}: "
                "transfer the ticket or call it from another desk"
            )
        if why is Refusal.NO_PRIVATE_ROOM:
            raise RuleViolation(f"{ticket.code} needs a private room and {desk.name} has none")
        if why is Refusal.SENT_ELSEWHERE:
            sent = self.s.directory.desks.get(ticket.assigned_desk or "")
            where = sent.name if sent is not None else ticket.assigned_desk
            raise RuleViolation(f"{ticket.code} was sent to {where}")
        if why is Refusal.SENT_TO_SOMEONE:
            raise RuleViolation(
                f"{ticket.code} was sent to {self.s.name_of(ticket.assigned_person or '')}, who "
                f"is not logged in to {desk.name}"
            )
        if why is Refusal.NEEDS_ELSEWHERE:
            needs = ", ".join(describe_capability(r) for r in sorted(ticket.requires))
            raise RuleViolation(
                f"{ticket.code} needs {needs}: a desk with someone logged in meets that better "
                f"than {desk.name}"
            )
        if why is Refusal.PARKED:
            raise RuleViolation(f"{ticket.code} is {self.standing(ticket)}")
