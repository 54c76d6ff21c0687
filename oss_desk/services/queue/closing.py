"""How a ticket leaves the queue: finished with an outcome, a no-show, transferred to another
service or desk, or cancelled."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.models import EventKind, Outcome, Ticket, TicketStatus, VisitStatus
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.queue.core import ACTIVE, AT_DESK, Ref, changed, described, parse_outcome
from oss_desk.services.queue.tickets import Issuing
from oss_desk.storage import queue as q
from oss_desk.storage.appointments import attended

CANCEL_REASONS = ("left", "error", "office_closed", "end_of_day")
"""Why a ticket was cancelled: the resident left, it was issued in error, or the office closed
(``end_of_day`` is the older name of ``office_closed``)."""


class Closing(Issuing):
    def finish(
        self,
        ref: Ref,
        outcome: str | Outcome,
        *,
        signposted_to: str | None = None,
        assisted_digital: bool = False,
        avoidable: bool = False,
    ) -> Ticket:
        """Finish a called or serving ticket with its outcome; the visit ends with it. What the
        council counts goes with it (:meth:`finish_flags`)."""
        self._require(Action.FINISH)
        result = parse_outcome(outcome)
        data = self.finish_flags(result, signposted_to, assisted_digital, avoidable)
        return self._finish(ref, result, check=True, data=data)

    def _finish(
        self,
        ref: Ref,
        outcome: str | Outcome,
        check: bool,
        data: dict[str, object] | None = None,
    ) -> Ticket:
        result = parse_outcome(outcome)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            if check:
                self._require_on(conn, Action.FINISH, ticket)
            if ticket.status not in AT_DESK:
                raise RuleViolation(
                    f"{ticket.code} is {described(ticket)}: only a called or serving ticket "
                    "can be finished"
                )
            fields: dict[str, object] = {"outcome": result.value}
            if ticket.serving_at is None:
                fields["serving_at"] = format_instant(ticket.called_at or now)
            done = self._end(
                conn, ticket, now, TicketStatus.DONE, VisitStatus.DONE, result, AT_DESK, fields
            )
            attended(conn, ticket.id)
            self._log(conn, ticket, EventKind.FINISHED, now, data, at_desk=True, outcome=result)
        return done

    def no_show(self, ref: Ref) -> Ticket:
        """The resident did not come when called."""
        self._require(Action.NO_SHOW)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            self._require_on(conn, Action.NO_SHOW, ticket)
            if ticket.status is not TicketStatus.CALLED:
                hint = (
                    " (use cancel if they left before being called)"
                    if (ticket.status is TicketStatus.WAITING)
                    else ""
                )
                raise RuleViolation(
                    f"{ticket.code} is {described(ticket)}: only a called ticket can be a "
                    f"no-show{hint}"
                )
            gone = self._end(
                conn, ticket, now, TicketStatus.NO_SHOW, VisitStatus.NO_SHOW, None, AT_DESK[:1]
            )
            self._log(
                conn, ticket, EventKind.NO_SHOW, now, {"recalls": ticket.recalls}, at_desk=True
            )
        return gone

    def cancel(self, ref: Ref, reason: str = "left") -> Ticket:
        """The resident left, or the ticket was issued in error."""
        self._require(Action.CANCEL_TICKET)
        return self._cancel(ref, reason)

    def _cancel(self, ref: Ref, reason: str) -> Ticket:
        now = self.s.clock.now()
        if reason not in CANCEL_REASONS:
            raise InvalidInput("reason must be left, error or office_closed")
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            if ticket.status not in ACTIVE:
                raise RuleViolation(f"{ticket.code} is {described(ticket)}: nothing to cancel")
            cancelled = self._end(
                conn, ticket, now, TicketStatus.CANCELLED, VisitStatus.CANCELLED, None, ACTIVE
            )
            self._log(conn, ticket, EventKind.CANCELLED, now, {"reason": reason})
        return cancelled

    def _end(
        self,
        conn: sqlite3.Connection,
        ticket: Ticket,
        now: datetime,
        status: TicketStatus,
        visit: VisitStatus | None,
        outcome: Outcome | None,
        allowed: tuple[TicketStatus, ...],
        fields: dict[str, object] | None = None,
    ) -> Ticket:
        """The ticket leaves the queue (``status``); with ``visit``, the visit ends too unless
        it has another ticket in the queue."""
        stamp = format_instant(now)
        ended = self._move(conn, ticket, allowed, status, finished_at=stamp, **(fields or {}))
        if visit is not None and not q.visit_has_active_ticket(conn, ticket.visit_id):
            q.finish_visit(conn, ticket.visit_id, status=visit, outcome=outcome, finished_at=stamp)
        return ended

    # Transfers ---------------------------------------------------------------------------------

    def transfer(
        self,
        ref: Ref,
        *,
        service: str | None = None,
        desk_id: str | None = None,
    ) -> Ticket:
        """Move a ticket to another service (a new code, same arrival and place) or to a desk.

        Returns the ticket now in the queue: the new one after a change of service, or the same
        ticket sent to ``desk_id``.
        """
        if desk_id is not None:
            self._require(Action.REASSIGN)
        self._require(Action.TRANSFER)
        if service is None and desk_id is None:
            raise InvalidInput("say where to transfer to: --service CODE and/or --desk ID")
        target_desk = self.s.desk(desk_id) if desk_id is not None else None
        svc = self.service(service) if service is not None else None
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            self._require_on(conn, Action.TRANSFER, ticket)
            site = self._site(ticket)
            if ticket.status not in ACTIVE:
                raise RuleViolation(
                    f"{ticket.code} is {described(ticket)}: it cannot be transferred"
                )
            new_service = svc.code if svc is not None else ticket.service
            if target_desk is not None:
                if target_desk.site_id != ticket.site_id:
                    raise RuleViolation(f"{target_desk.name} is at another site")
                if not target_desk.serves(new_service):
                    raise RuleViolation(
                        f"{target_desk.name} does not serve {self._service_name(new_service)}"
                    )
            if new_service == ticket.service:
                if target_desk is None:
                    raise InvalidInput(f"{ticket.code} is already in that service")
                if ticket.status is not TicketStatus.WAITING:
                    # Back to the queue, keeping its number, reserved for the chosen desk.
                    cleared = {"desk_id": None, "called_at": None, "serving_at": None}
                    self._move(conn, ticket, AT_DESK, TicketStatus.WAITING, **cleared)
                moved = changed(q.assign_desk(conn, ticket.id, target_desk.id))
                self._log(conn, ticket, EventKind.TRANSFERRED, now, {"to_desk": target_desk.id})
                return moved
            self._check_servable(
                site, self.s.directory.services[new_service], ticket.needs_private_room
            )
            self._end(conn, ticket, now, TicketStatus.TRANSFERRED, None, None, ACTIVE)
            sent_to = {"to_desk": target_desk.id} if target_desk else {}
            joining = replace(
                ticket.joining,
                service=new_service,
                assigned_desk=target_desk.id if target_desk else None,
            )

            def transferred(new: Ticket) -> None:
                moved = {"to_ticket": new.id, "to_service": new_service, **sent_to}
                self._log(conn, ticket, EventKind.TRANSFERRED, now, moved)

            return self.new_ticket(
                conn,
                site,
                ticket.visit_id,
                joining,
                ticket.queued_at,  # the arrival: its place in the queue is kept
                now=now,
                desk_id=None,
                transferred_from=ticket.id,
                before_issued=transferred,
            )
