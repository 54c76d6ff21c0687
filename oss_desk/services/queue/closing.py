"""How a ticket leaves the queue: finished with an outcome, a no-show, transferred to another
service or desk, or cancelled."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypedDict, Unpack

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action, allows
from oss_desk.domain.appointments import TicketEnd, ticket_end
from oss_desk.domain.counter import HeldCode, visit_outcome
from oss_desk.domain.models import (
    Desk,
    EventKind,
    Outcome,
    Ticket,
    TicketStatus,
    VisitStatus,
)
from oss_desk.domain.sent_to import colleague_never_calls, desk_never_calls, nobody_would_call
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.queue.core import ACTIVE, AT_DESK, Ref, changed, parse_outcome
from oss_desk.services.queue.tickets import Counted, Issuing
from oss_desk.storage import queue as q
from oss_desk.storage.counter import added_services, deliver_service, login_of
from oss_desk.storage.print_state import code_on_paper, settle_ended
from oss_desk.storage.wait_clock import SENT_FROM_DESK

CANCEL_REASONS = ("left", "error", "office_closed", "end_of_day")
"""Why a ticket was cancelled: the resident left, it was issued in error, or the office closed
(``end_of_day`` is the older name of ``office_closed``)."""

Outcomes = Mapping[str, str | Outcome]
"""The outcome of each service added to the visit, by service code."""


@dataclass(frozen=True, slots=True)
class Moved:
    """A transferred ticket: the one now in the queue, and the reprint of its new code queued at
    the desk's printer (None: the code did not change, or no printer there)."""

    ticket: Ticket
    held: HeldCode
    """The code the resident holds now (:func:`~oss_desk.storage.print_state.code_on_paper`):
    the old one when the new code was printed nowhere, on paper or only said."""
    print_job: int | None = None
    printer_url: str | None = None


class Destination(TypedDict, total=False):
    """Where a ticket is transferred to: another service, a desk or a named colleague."""

    service: str | None
    desk_id: str | None
    person: str | None


class Closing(Issuing):
    def finish(
        self,
        ref: Ref,
        outcome: str | Outcome,
        services: Outcomes | None = None,
        **counted: Unpack[Counted],
    ) -> Ticket:
        """Finish a called or serving ticket with its outcome (and each service added to the
        visit with its own, ``services``); the visit ends with them, its outcome the least
        settled of them. What the council counts goes with it (:meth:`finish_flags`): where
        the resident was signposted, when the ticket's service or an added one was."""
        self._require(Action.FINISH)
        result = parse_outcome(outcome)
        given = [parse_outcome(o) for o in (services or {}).values()]
        data = self.finish_flags([result, *given], counted)
        return self._finish(ref, result, check=True, services=services, data=data)

    def _finish(
        self,
        ref: Ref,
        outcome: str | Outcome,
        check: bool,
        services: Outcomes | None = None,
        data: dict[str, object] | None = None,
    ) -> Ticket:
        # Imported here, before the write lock is taken, not at start-up: a command that
        # finishes nothing (`oss-desk queue`) does not pay for them.
        from oss_desk.services.feedback_queue import queue_after_finish
        from oss_desk.storage.appointments import attended

        result = parse_outcome(outcome)
        given = {code.strip().upper(): parse_outcome(o) for code, o in (services or {}).items()}
        now = self.s.clock.now()
        stamp = format_instant(now)
        with self.s.store.write() as conn:
            only = (AT_DESK, "only a called or serving ticket can be finished")
            ticket = self._ticket_for(conn, ref, Action.FINISH, only=only, check=check)
            pending = [a for a in added_services(conn, ticket.visit_id) if a.outcome is None]
            missing = [a.service for a in pending if a.service not in given]
            if missing:
                names = ", ".join(f"{c} ({self._service_name(c)})" for c in missing)
                raise InvalidInput(f"give the outcome of every service of the visit: {names}")
            unknown = sorted(set(given) - {a.service for a in pending})
            if unknown:
                raise InvalidInput(f"{', '.join(unknown)} was not added to {ticket.code}'s visit")
            overall = visit_outcome([result, *(given[a.service] for a in pending)])
            fields: dict[str, object] = {"outcome": result.value}
            if ticket.serving_at is None:
                fields["serving_at"] = format_instant(ticket.called_at or now)
            done = self._end(
                conn, ticket, now, TicketStatus.DONE, VisitStatus.DONE, overall, AT_DESK, fields
            )
            attended(conn, ticket.visit_id)
            site = self._site(ticket)
            for added in pending:
                its_outcome = given[added.service]
                deliver_service(conn, added.id, its_outcome, stamp)
                self._added_service_event(
                    conn, ticket, EventKind.SERVICE_DELIVERED, now, added.service, its_outcome
                )
            extra: dict[str, object] = dict(data or {})
            if pending:
                extra |= {"own_outcome": result.value, "services": len(pending) + 1}
            self._log(
                conn, ticket, EventKind.FINISHED, now, extra or None, at_desk=True, outcome=overall
            )
            queue_after_finish(conn, self.s.settings, site, ticket.visit_id, now)
        return done

    def no_show(self, ref: Ref) -> Ticket:
        """The resident did not come when called."""
        self._require(Action.NO_SHOW)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            only = ([TicketStatus.CALLED], _only_a_called_no_show)
            ticket = self._ticket_for(conn, ref, Action.NO_SHOW, only=only)
            gone = self._end(
                conn, ticket, now, TicketStatus.NO_SHOW, VisitStatus.NO_SHOW, None, AT_DESK[:1]
            )
            self._mark_desk(conn, ticket.desk, now)
            self._log(
                conn, ticket, EventKind.NO_SHOW, now, {"recalls": ticket.recalls}, at_desk=True
            )
            appointment_after(conn, ticket.visit_id, TicketEnd.NO_SHOW)
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
                raise RuleViolation(
                    f"{ticket.code} is {self.standing(ticket, conn)}: nothing to cancel"
                )
            cancelled = self._end(
                conn, ticket, now, TicketStatus.CANCELLED, VisitStatus.CANCELLED, None, ACTIVE
            )
            self._log(conn, ticket, EventKind.CANCELLED, now, {"reason": reason})
            appointment_after(conn, ticket.visit_id, ticket_end(reason))
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
        settle_ended(conn, ticket.id, status)  # its paper still queued: never printed now
        if visit is not None and not q.visit_has_active_ticket(conn, ticket.visit_id):
            q.finish_visit(conn, ticket.visit_id, status=visit, outcome=outcome, finished_at=stamp)
        if ticket.status in AT_DESK:
            self._mark_desk(conn, ticket.desk, now)
        return ended

    # Transfers ---------------------------------------------------------------------------------

    def transfer(self, ref: Ref, **where: Unpack[Destination]) -> Ticket:
        """Move a ticket to another service (a new code, same arrival and place), to a desk or
        to a named colleague.

        Returns the ticket now in the queue: the new one after a change of service, or the same
        ticket sent to ``desk_id`` or ``person``.
        """
        return self.move(ref, **where).ticket

    def move(self, ref: Ref, **where: Unpack[Destination]) -> Moved:
        """:meth:`transfer`, and when the code changes, the new code printed at the printer of
        the desk the resident was at (else this desk's)."""
        service, desk_id = where.get("service"), where.get("desk_id")
        person = where.get("person")
        sent = desk_id is not None or person is not None
        if sent:
            self._require(Action.REASSIGN)
        self._require(Action.TRANSFER)
        if service is None and not sent:
            raise InvalidInput("say where to transfer to: a service, a desk or a colleague")
        if desk_id is not None and person is not None:
            raise InvalidInput("send the ticket to a desk or to a colleague, not both")
        target_desk = self.s.desk(desk_id) if desk_id is not None else None
        colleague = self._colleague(person) if person is not None else None
        svc = self.service(service) if service is not None else None
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            self._require_on(conn, Action.TRANSFER, ticket)
            if sent:
                self._require_on(conn, Action.REASSIGN, ticket)
            site = self._site(ticket)
            if ticket.status not in ACTIVE:
                raise RuleViolation(
                    f"{ticket.code} is {self.standing(ticket, conn)}: it cannot be transferred"
                )
            new_service = svc.code if svc is not None else ticket.service
            if target_desk is not None:
                if (why := self._never_calls(target_desk, ticket, new_service)) is not None:
                    raise RuleViolation(f"{target_desk.name} {why}")
                # Only that desk could call it: it would wait unseen until the desk opens.
                self._check_sent_to(conn, target_desk, ticket.code)
            if colleague is not None:
                self._check_colleague(conn, colleague, ticket, new_service)
            sent_to: dict[str, object] = {}
            if target_desk is not None:
                sent_to["to_desk"] = target_desk.id
            if colleague is not None:
                sent_to["to_person"] = colleague
            if new_service == ticket.service:
                if not sent:
                    raise InvalidInput(f"{ticket.code} is already in that service")
                if ticket.status is not TicketStatus.WAITING:
                    # Back to the queue, keeping its number, reserved for the desk or person.
                    cleared = {"desk_id": None, "called_at": None, "serving_at": None}
                    self._move(conn, ticket, AT_DESK, TicketStatus.WAITING, **cleared)
                    self._mark_desk(conn, ticket.desk, now)
                if ticket.status in AT_DESK or ticket.parked:  # with an adviser until now:
                    sent_to[SENT_FROM_DESK] = ticket.desk  # waits from now (domain.wait_clock)
                to_desk = target_desk.id if target_desk is not None else None
                moved = changed(q.assign_desk(conn, ticket.id, to_desk, colleague))
                self._log(conn, ticket, EventKind.TRANSFERRED, now, sent_to)
                return Moved(moved, code_on_paper(conn, moved.id))
            self._check_servable(
                site, self.s.directory.services[new_service], ticket.needs_private_room
            )
            self._end(conn, ticket, now, TicketStatus.TRANSFERRED, None, None, ACTIVE)
            joining = replace(
                ticket.joining,
                service=new_service,
                assigned_desk=target_desk.id if target_desk else None,
                assigned_person=colleague,
            )

            def transferred(new: Ticket) -> None:
                moved = {"to_ticket": new.id, "to_service": new_service, **sent_to}
                self._log(conn, ticket, EventKind.TRANSFERRED, now, moved)

            new = self.new_ticket(
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
            if ticket.desk is not None and ticket.status in AT_DESK and not sent:
                new = q.pass_over(conn, new.id, ticket.desk)  # not straight back to that desk
            printer = self._reprint_printer(ticket)
            job = None
            if printer is not None:
                desk_id = ticket.desk or self.actor.desk_id
                job = self._print_ticket(
                    conn, new, printer, now, desk_id, transferred_from=ticket.id
                )
            return Moved(new, code_on_paper(conn, new.id, to_come=True), job, printer)

    def _check_colleague(
        self, conn: sqlite3.Connection, colleague: str, ticket: Ticket, service: str
    ) -> None:
        """Refuse to send a ticket to a colleague where nobody would call it (only the desk
        they are logged in to could; it would wait unseen, then go back to the queue at the
        next close, logout or load): logged in nowhere, or at a desk that never calls it (at
        another site, meet-and-greet, or :func:`~oss_desk.domain.queue.never_called_at`), as
        a desk chosen by name is refused."""
        name = self.s.name_of(colleague)
        login = login_of(conn, colleague)
        if login is None:
            raise RuleViolation(
                nobody_would_call(
                    f"{name} is not logged in to any desk",
                    ticket.code,
                    "send it once they have logged in, or to a desk",
                )
            )
        desk = self.s.directory.desks.get(login.desk_id)
        if desk is None:
            return
        if (why := self._never_calls(desk, ticket, service)) is not None:
            raise RuleViolation(colleague_never_calls(name, desk.name, why, ticket.code))

    def _never_calls(self, desk: Desk, ticket: Ticket, service: str) -> str | None:
        """Why ``desk`` never calls ``ticket`` once in ``service`` (the one rule:
        :func:`~oss_desk.domain.sent_to.desk_never_calls`); None when it may."""
        return desk_never_calls(
            desk,
            ticket.site_id,
            service,
            ticket.needs_private_room,
            service_name=self._service_name(service),
            code=ticket.code,
        )

    def _reprint_printer(self, ticket: Ticket) -> str | None:
        """Where a transferred resident's new code is printed: the printer of the desk they
        were at, else of this desk (None: neither has one)."""
        for desk_id in (ticket.desk, self.actor.desk_id):
            desk = self.s.directory.desks.get(desk_id) if desk_id else None
            if desk is not None and desk.printer_url:
                return desk.printer_url
        return None

    def _colleague(self, person: str) -> str:
        """A colleague a ticket can be sent to: on the staff list, in a role that calls."""
        wanted = person.strip()
        staff = self.s.directory.staff
        found = staff.get(wanted) or next(
            (p for p in staff.values() if wanted in (p.login, p.name)), None
        )
        if found is None:
            known = ", ".join(sorted(staff)) or "none"
            raise NotFound(f"no colleague {shown(wanted)!r} on the staff list (staff: {known})")
        if not allows(found.role, Action.CALL_NEXT):
            raise RuleViolation(f"{found.name} ({found.role.value}) does not call residents")
        return found.id


def _only_a_called_no_show(ticket: Ticket) -> str:
    """Why a ticket that is not called cannot be a no-show (a waiting one: cancel it)."""
    if ticket.status is TicketStatus.WAITING:
        return "only a called ticket can be a no-show (use cancel if they left before being called)"
    return "only a called ticket can be a no-show"


def appointment_after(conn: sqlite3.Connection, visit_id: int, end: TicketEnd | None) -> None:
    """A checked-in appointment's end once its visit's ticket ended unseen (a no-show, the
    resident left) or its no-show was taken back: the rule is
    ``domain.appointments.WHEN_TICKET_ENDS``. Nothing while the visit still has a ticket in the
    queue (another service). Imported here: most commands load nothing of appointments."""
    from oss_desk.storage.appointments import ticket_ended

    if end is TicketEnd.NO_SHOW_UNDONE or not q.visit_has_active_ticket(conn, visit_id):
        ticket_ended(conn, visit_id, end)
