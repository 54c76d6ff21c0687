"""The queue engine: issue, call, recall, serve, finish, no-show, transfer, cancel, quick visit.

Each use case is one ``BEGIN IMMEDIATE`` transaction that changes the queue and appends its
event(s), so the event log and the live state never disagree and two desks never get the same
ticket. Errors are :class:`~oss_desk.errors.OssDeskError` with a sentence a person can act on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action, Scope
from oss_desk.domain.codes import TicketRef, parse_service_code, parse_ticket_ref
from oss_desk.domain.devices import parse_printer_url
from oss_desk.domain.estimate import DeskLoad, WaitingItem, estimate_waits
from oss_desk.domain.models import (
    Actor,
    Channel,
    Desk,
    DeskKind,
    DeskStatus,
    EventKind,
    Outcome,
    QueueEntry,
    Service,
    Site,
    Ticket,
    TicketStatus,
    Visit,
    VisitStatus,
)
from oss_desk.domain.needs import needs_private_room, parse_needs
from oss_desk.domain.text import clean_text, shown
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.session import Session
from oss_desk.storage import queue as q
from oss_desk.storage.appointments import attended
from oss_desk.storage.devices import queue_board_update
from oss_desk.storage.events import append_event, callers_of_visit
from oss_desk.storage.outbox import last_printer_for_ticket, queue_print_job
from oss_desk.storage.site import desk_status, desk_statuses, set_desk_status

ACTIVE = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
AT_DESK = (TicketStatus.CALLED, TicketStatus.SERVING)


def parse_outcome(text: str | Outcome) -> Outcome:
    if isinstance(text, Outcome):
        return text
    value = text.strip().lower().replace("-", "_")
    try:
        return Outcome(value)
    except ValueError:
        known = ", ".join(o.value for o in Outcome)
        raise InvalidInput(f"unknown outcome {shown(text)!r}: expected one of {known}") from None


@dataclass(frozen=True, slots=True)
class Issued:
    ticket: Ticket
    print_job: int | None = None


NOTE_LIMIT = 500


class QueueService:
    """The live queue of one office database, acting as ``actor`` (default: the session's)."""

    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    # Lookups ---------------------------------------------------------------------------------

    def service(self, code: str) -> Service:
        value = parse_service_code(code)
        svc = self.s.directory.services.get(value)
        if svc is None:
            known = ", ".join(
                f"{c} ({v.name})" for c, v in sorted(self.s.directory.services.items())
            )
            raise NotFound(f"unknown service {value!r}: services are {known}")
        return svc

    def ticket(self, ref: str | int | TicketRef, site_id: str | None = None) -> Ticket:
        """A ticket by id or by today's code (``C012``)."""
        return self._find(self.s.store.conn, ref, site_id)

    def look_up(self, ref: str | int | TicketRef, site_id: str | None = None) -> Ticket:
        """A ticket looked up by a person (``ticket show``, Find)."""
        self._require(Action.FIND_TICKET)
        return self.ticket(ref, site_id)

    # Roles -------------------------------------------------------------------------------------

    def _require(self, action: Action, own: bool | None = None) -> None:
        self.s.require(action, self.actor, own=own)

    def _require_on(self, conn: sqlite3.Connection, action: Action, ticket: Ticket) -> None:
        """For a role allowed ``action`` only on its own work: the ticket must be theirs."""
        if self.s.scope(action, self.actor) is Scope.OWN:
            self._require(action, own=self.owns(conn, ticket))

    def owns_desk(self, desk: Desk) -> bool:
        """This terminal's desk, or the desk the person is configured at."""
        if desk.id == self.actor.desk_id:
            return True
        config = next((d for d in self.s.settings.desks if d.id == desk.id), None)
        return config is not None and config.person == self.actor.person

    def owns(self, conn: sqlite3.Connection, ticket: Ticket, *, whole_visit: bool = False) -> bool:
        """Whether the ticket is the actor's: called to their desk, or last called by them
        (``whole_visit``: any call of the visit's tickets, for its notes)."""
        me = self.actor
        if me.desk_id is not None and ticket.desk == me.desk_id:
            return True
        desk = self.s.directory.desks.get(ticket.desk) if ticket.desk else None
        if desk is not None and self.owns_desk(desk):
            return True  # at the desk the configuration puts them at
        calls = callers_of_visit(conn, ticket.visit_id)
        if whole_visit:
            return any(p == me.person or (me.desk_id and d == me.desk_id) for p, d, _ in calls)
        mine = [p for p, _, t in calls if t == ticket.id]
        return bool(mine) and mine[-1] == me.person

    def _find(
        self, conn: sqlite3.Connection, ref: str | int | TicketRef, site_id: str | None = None
    ) -> Ticket:
        parsed = (
            ref
            if isinstance(ref, TicketRef)
            else TicketRef(id=ref)
            if isinstance(ref, int)
            else parse_ticket_ref(ref)
        )
        if parsed.id is not None:
            found = q.get_ticket(conn, parsed.id)
            if found is None:
                raise NotFound(f"no ticket with id {parsed.id}")
            return found
        assert parsed.service is not None
        assert parsed.number is not None
        candidates = []
        sites = (
            [self.s.site(site_id)]
            if site_id or len(self.s.directory.sites) == 1 or self.actor.desk_id
            else list(self.s.directory.sites.values())
        )
        for site in sites:
            day = self.s.today(site)
            candidates += [
                t
                for t in q.find_ticket_by_code(
                    conn, business_day=day, service=parsed.service, number=parsed.number
                )
                if t.site_id == site.id
            ]
        if not candidates:
            raise NotFound(f"no ticket {parsed.code} today")
        if len(candidates) > 1:
            raise InvalidInput(
                f"{parsed.code} exists at several sites today: give the ticket id instead"
            )
        return candidates[0]

    def _site_for(self, desk: Desk | None, site_id: str | None) -> Site:
        if desk is not None:
            return self.s.directory.sites[desk.site_id]
        return self.s.site(site_id)

    def _desk(self, desk_id: str | None) -> Desk | None:
        if desk_id is None:
            if self.actor.desk_id is None:
                return None
            desk_id = self.actor.desk_id
        return self.s.desk(desk_id)

    # Issue -----------------------------------------------------------------------------------

    def issue(
        self,
        service: str,
        *,
        desk_id: str | None = None,
        site_id: str | None = None,
        needs: str | Iterable[str] | None = None,
        priority: int = 0,
        print_to: str | None = None,
        print_ticket: bool = True,
        channel: Channel = Channel.WALK_IN,
        arrived_at: datetime | None = None,
        assigned_desk: str | None = None,
    ) -> Issued:
        """Record an arrival and issue the next ticket of ``service`` (code per site and day)."""
        self._require(Action.ISSUE_TICKET)
        return self._issue(
            service,
            desk_id=desk_id,
            site_id=site_id,
            needs=needs,
            priority=priority,
            print_to=print_to,
            print_ticket=print_ticket,
            channel=channel,
            arrived_at=arrived_at,
            assigned_desk=assigned_desk,
        )

    def _issue(
        self,
        service: str,
        *,
        desk_id: str | None = None,
        site_id: str | None = None,
        needs: str | Iterable[str] | None = None,
        priority: int = 0,
        print_to: str | None = None,
        print_ticket: bool = True,
        channel: Channel = Channel.WALK_IN,
        arrived_at: datetime | None = None,
        assigned_desk: str | None = None,
    ) -> Issued:
        svc = self.service(service)
        desk = self._desk(desk_id)
        site = self._site_for(desk, site_id)
        parsed_needs = parse_needs(needs if isinstance(needs, str | None) else list(needs))
        self._check_servable(site, svc, needs_private_room(parsed_needs))
        now = self.s.clock.now()
        day = self.s.today(site)
        stamp = format_instant(now)
        arrival = format_instant(arrived_at) if arrived_at is not None else stamp
        printer = self._printer_for(desk, print_to) if print_ticket else None
        store = self.s.store
        with store.write() as conn:
            visit_id = q.create_visit(
                conn,
                site_id=site.id,
                business_day=day,
                arrived_at=arrival,
                channel=channel,
                needs=parsed_needs,
            )
            number = q.allocate_number(conn, site_id=site.id, service=svc.code, business_day=day)
            ticket = q.insert_ticket(
                conn,
                visit_id=visit_id,
                site_id=site.id,
                service=svc.code,
                business_day=day,
                number=number,
                priority=priority,
                needs=parsed_needs,
                channel=channel,
                queued_at=arrival,
                issued_at=stamp,
                assigned_desk=assigned_desk,
            )
            self._event(
                conn,
                site,
                EventKind.ARRIVED,
                now if arrived_at is None else arrived_at,
                visit_id=visit_id,
                service_code=svc.code,
                desk_id=desk.id if desk else None,
                data={"channel": channel.value, "needs": list(parsed_needs)}
                if parsed_needs or channel is not Channel.WALK_IN
                else {"channel": channel.value},
            )
            self._event(
                conn,
                site,
                EventKind.TICKET_ISSUED,
                now,
                ticket=ticket,
                desk_id=desk.id if desk else None,
                data={"number": number, "priority": priority} if priority else {"number": number},
            )
            job = (
                queue_print_job(
                    conn,
                    kind="ticket",
                    printer_url=printer,
                    created_at=stamp,
                    ticket_id=ticket.id,
                    desk_id=desk.id if desk else None,
                )
                if printer
                else None
            )
        return Issued(ticket=ticket, print_job=job)

    def _check_servable(self, site: Site, svc: Service, private: bool) -> None:
        desks = [
            d
            for d in self.s.directory.desks.values()
            if d.site_id == site.id and d.serves(svc.code)
        ]
        if not desks:
            raise RuleViolation(
                f"no desk at {site.name} serves {svc.name}: add it to a desk's services "
                "in the configuration"
            )
        if private and not any(d.private_room for d in desks):
            raise RuleViolation(
                f"no desk with a private room serves {svc.name} at {site.name}: "
                "book an interview room instead"
            )

    def _printer_for(self, desk: Desk | None, print_to: str | None) -> str | None:
        if print_to is not None:
            return parse_printer_url(print_to).url
        if desk is not None and desk.printer_url:
            return desk.printer_url
        return None

    # Calling ---------------------------------------------------------------------------------

    def _check_can_call(self, conn: sqlite3.Connection, desk: Desk) -> None:
        status = desk_status(conn, desk.id)
        if status is not DeskStatus.OPEN:
            state = "on a break" if status is DeskStatus.BREAK else "closed"
            raise RuleViolation(f"{desk.name} is {state}: open it before calling")
        current = q.desk_ticket(conn, desk.id)
        if current is not None:
            raise RuleViolation(
                f"{desk.name} still has {current.code} ({current.status.value}): "
                "finish it or mark it no-show first"
            )

    def _calling_desk(self, desk_id: str | None) -> Desk:
        desk = self._desk(desk_id)
        if desk is None:
            raise InvalidInput("say which desk is calling (--desk ID)")
        return desk

    def call_next(self, desk_id: str | None = None) -> Ticket | None:
        """Call the next ticket for a desk; None when nothing is waiting that it can serve."""
        self._require(Action.CALL_NEXT)
        desk = self._calling_desk(desk_id)
        site = self.s.directory.sites[desk.site_id]
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            # One guarded statement on the hot path; the reasons are looked up only if it claims
            # nothing (the desk is not open, still has a ticket, or nobody is waiting).
            ticket = q.call_next(
                conn,
                site_id=site.id,
                business_day=self.s.today(site),
                desk_id=desk.id,
                private_room=desk.private_room,
                now=format_instant(now),
            )
            if ticket is None:
                self._check_can_call(conn, desk)
                return None
            self._event(
                conn,
                site,
                EventKind.CALLED,
                now,
                ticket=ticket,
                desk_id=desk.id,
                data={"how": "next"},
            )
            self._board(conn, ticket, "called", now)
        return ticket

    def call(self, ref: str | int | TicketRef, desk_id: str | None = None) -> Ticket:
        """Call one chosen waiting ticket to a desk (out of order): an adviser to their own
        desk, a team leader to any."""
        now = self.s.clock.now()
        desk = self._calling_desk(desk_id)
        if self.s.scope(Action.CALL_CHOSEN, self.actor) is Scope.OWN:
            self._require(Action.CALL_CHOSEN, own=self.owns_desk(desk))
        else:
            self._require(Action.CALL_CHOSEN)
        with self.s.store.write() as conn:
            self._check_can_call(conn, desk)
            ticket = self._find(conn, ref, desk.site_id)
            if ticket.site_id != desk.site_id:
                raise RuleViolation(f"{ticket.code} is at another site")
            if ticket.status is not TicketStatus.WAITING:
                raise RuleViolation(
                    f"{ticket.code} is {_status(ticket)}: only a waiting ticket can be called"
                )
            if not desk.serves(ticket.service):
                raise RuleViolation(
                    f"{desk.name} does not serve {self._service_name(ticket.service)}: "
                    "transfer the ticket or call it from another desk"
                )
            if "private-room" in ticket.needs and not desk.private_room:
                raise RuleViolation(f"{ticket.code} needs a private room and {desk.name} has none")
            if ticket.assigned_desk not in (None, desk.id):
                raise RuleViolation(f"{ticket.code} was sent to {ticket.assigned_desk}")
            called = _changed(
                q.transition(
                    conn,
                    ticket.id,
                    from_statuses=[TicketStatus.WAITING],
                    to_status=TicketStatus.CALLED,
                    desk_id=desk.id,
                    called_at=format_instant(now),
                )
            )
            site = self.s.directory.sites[desk.site_id]
            self._event(
                conn,
                site,
                EventKind.CALLED,
                now,
                ticket=ticket,
                desk_id=desk.id,
                data={"how": "chosen"},
            )
            self._board(conn, called, "called", now)
        return called

    def recall(self, ref: str | int | TicketRef) -> Ticket:
        """Call a called ticket again (board and announcement); capped by ``queue.recall_cap``."""
        self._require(Action.RECALL)
        now = self.s.clock.now()
        cap = self.s.settings.queue.recall_cap
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            self._require_on(conn, Action.RECALL, ticket)
            if ticket.status is not TicketStatus.CALLED:
                raise RuleViolation(
                    f"{ticket.code} is {_status(ticket)}: only a called ticket can be recalled"
                )
            recalled = q.increment_recalls(conn, ticket.id, cap)
            if recalled is None:
                raise RuleViolation(
                    f"{ticket.code} has been recalled {ticket.recalls} times (the limit is "
                    f"{cap}): mark it no-show, or start serving if the resident has come"
                )
            self._event(
                conn,
                self._site(ticket),
                EventKind.RECALLED,
                now,
                ticket=ticket,
                desk_id=ticket.desk,
                data={"recalls": recalled.recalls},
            )
            self._board(conn, recalled, "recalled", now)
        return recalled

    def start(self, ref: str | int | TicketRef) -> Ticket:
        """The resident has come to the desk: start serving."""
        self._require(Action.START)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            self._require_on(conn, Action.START, ticket)
            if ticket.status is not TicketStatus.CALLED:
                raise RuleViolation(
                    f"{ticket.code} is {_status(ticket)}: only a called ticket can be started"
                )
            started = _changed(
                q.transition(
                    conn,
                    ticket.id,
                    from_statuses=[TicketStatus.CALLED],
                    to_status=TicketStatus.SERVING,
                    serving_at=format_instant(now),
                )
            )
            self._event(
                conn,
                self._site(ticket),
                EventKind.SERVING,
                now,
                ticket=ticket,
                desk_id=ticket.desk,
            )
        return started

    def finish(self, ref: str | int | TicketRef, outcome: str | Outcome) -> Ticket:
        """Finish a called or serving ticket with its outcome; the visit ends with it."""
        self._require(Action.FINISH)
        return self._finish(ref, outcome, check=True)

    def _finish(self, ref: str | int | TicketRef, outcome: str | Outcome, check: bool) -> Ticket:
        result = parse_outcome(outcome)
        now = self.s.clock.now()
        stamp = format_instant(now)
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            if check:
                self._require_on(conn, Action.FINISH, ticket)
            if ticket.status not in AT_DESK:
                raise RuleViolation(
                    f"{ticket.code} is {_status(ticket)}: only a called or serving ticket "
                    "can be finished"
                )
            fields: dict[str, object] = {"finished_at": stamp, "outcome": result.value}
            if ticket.serving_at is None:
                fields["serving_at"] = format_instant(ticket.called_at or now)
            done = _changed(
                q.transition(
                    conn, ticket.id, from_statuses=AT_DESK, to_status=TicketStatus.DONE, **fields
                )
            )
            q.finish_visit(
                conn, ticket.visit_id, status=VisitStatus.DONE, outcome=result, finished_at=stamp
            )
            attended(conn, ticket.id)
            self._event(
                conn,
                self._site(ticket),
                EventKind.FINISHED,
                now,
                ticket=ticket,
                desk_id=ticket.desk,
                outcome=result,
            )
        return done

    def no_show(self, ref: str | int | TicketRef) -> Ticket:
        """The resident did not come when called."""
        self._require(Action.NO_SHOW)
        now = self.s.clock.now()
        stamp = format_instant(now)
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
                    f"{ticket.code} is {_status(ticket)}: only a called ticket can be a "
                    f"no-show{hint}"
                )
            gone = _changed(
                q.transition(
                    conn,
                    ticket.id,
                    from_statuses=[TicketStatus.CALLED],
                    to_status=TicketStatus.NO_SHOW,
                    finished_at=stamp,
                )
            )
            q.finish_visit(
                conn, ticket.visit_id, status=VisitStatus.NO_SHOW, outcome=None, finished_at=stamp
            )
            self._event(
                conn,
                self._site(ticket),
                EventKind.NO_SHOW,
                now,
                ticket=ticket,
                desk_id=ticket.desk,
                data={"recalls": ticket.recalls},
            )
        return gone

    def transfer(
        self,
        ref: str | int | TicketRef,
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
        stamp = format_instant(now)
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            self._require_on(conn, Action.TRANSFER, ticket)
            site = self._site(ticket)
            if ticket.status not in ACTIVE:
                raise RuleViolation(f"{ticket.code} is {_status(ticket)}: it cannot be transferred")
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
                    q.transition(
                        conn,
                        ticket.id,
                        from_statuses=AT_DESK,
                        to_status=TicketStatus.WAITING,
                        desk_id=None,
                        called_at=None,
                        serving_at=None,
                    )
                moved = _changed(q.assign_desk(conn, ticket.id, target_desk.id))
                self._event(
                    conn,
                    site,
                    EventKind.TRANSFERRED,
                    now,
                    ticket=ticket,
                    data={"to_desk": target_desk.id},
                )
                return moved
            self._check_servable(
                site, self.s.directory.services[new_service], "private-room" in ticket.needs
            )
            q.transition(
                conn,
                ticket.id,
                from_statuses=ACTIVE,
                to_status=TicketStatus.TRANSFERRED,
                finished_at=stamp,
            )
            number = q.allocate_number(
                conn, site_id=site.id, service=new_service, business_day=self.s.today(site)
            )
            new = q.insert_ticket(
                conn,
                visit_id=ticket.visit_id,
                site_id=site.id,
                service=new_service,
                business_day=self.s.today(site),
                number=number,
                priority=ticket.priority,
                needs=ticket.needs,
                channel=ticket.channel,
                queued_at=format_instant(ticket.queued_at),
                issued_at=stamp,
                assigned_desk=target_desk.id if target_desk else None,
                transferred_from=ticket.id,
            )
            self._event(
                conn,
                site,
                EventKind.TRANSFERRED,
                now,
                ticket=ticket,
                data={
                    "to_ticket": new.id,
                    "to_service": new_service,
                    **({"to_desk": target_desk.id} if target_desk else {}),
                },
            )
            self._event(
                conn,
                site,
                EventKind.TICKET_ISSUED,
                now,
                ticket=new,
                data={"number": number, "transferred_from": ticket.id},
            )
        return new

    def cancel(self, ref: str | int | TicketRef, reason: str = "left") -> Ticket:
        """The resident left, or the ticket was issued in error."""
        self._require(Action.CANCEL_TICKET)
        return self._cancel(ref, reason)

    def _cancel(self, ref: str | int | TicketRef, reason: str) -> Ticket:
        now = self.s.clock.now()
        stamp = format_instant(now)
        if reason not in ("left", "error", "end_of_day"):
            raise InvalidInput("reason must be left, error or end_of_day")
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            if ticket.status not in ACTIVE:
                raise RuleViolation(f"{ticket.code} is {_status(ticket)}: nothing to cancel")
            cancelled = _changed(
                q.transition(
                    conn,
                    ticket.id,
                    from_statuses=ACTIVE,
                    to_status=TicketStatus.CANCELLED,
                    finished_at=stamp,
                )
            )
            if not q.visit_has_active_ticket(conn, ticket.visit_id):
                q.finish_visit(
                    conn,
                    ticket.visit_id,
                    status=VisitStatus.CANCELLED,
                    outcome=None,
                    finished_at=stamp,
                )
            self._event(
                conn,
                self._site(ticket),
                EventKind.CANCELLED,
                now,
                ticket=ticket,
                data={"reason": reason},
            )
        return cancelled

    def quick_visit(
        self,
        service: str,
        outcome: str | Outcome,
        *,
        desk_id: str | None = None,
        site_id: str | None = None,
        needs: str | Iterable[str] | None = None,
    ) -> Visit:
        """A visit dealt with at meet-and-greet: arrival and outcome at once, no ticket."""
        self._require(Action.QUICK_VISIT)
        svc = self.service(service)
        result = parse_outcome(outcome)
        desk = self._desk(desk_id)
        site = self._site_for(desk, site_id)
        parsed_needs = parse_needs(needs if isinstance(needs, str | None) else list(needs))
        now = self.s.clock.now()
        stamp = format_instant(now)
        with self.s.store.write() as conn:
            visit_id = q.create_visit(
                conn,
                site_id=site.id,
                business_day=self.s.today(site),
                arrived_at=stamp,
                channel=Channel.WALK_IN,
                needs=parsed_needs,
            )
            q.finish_visit(
                conn, visit_id, status=VisitStatus.DONE, outcome=result, finished_at=stamp
            )
            desk_ref = desk.id if desk else None
            self._event(
                conn,
                site,
                EventKind.ARRIVED,
                now,
                visit_id=visit_id,
                service_code=svc.code,
                desk_id=desk_ref,
                data={
                    "channel": "walk_in",
                    **({"needs": list(parsed_needs)} if parsed_needs else {}),
                },
            )
            self._event(
                conn,
                site,
                EventKind.FINISHED,
                now,
                visit_id=visit_id,
                service_code=svc.code,
                desk_id=desk_ref,
                outcome=result,
                data={"at": "meet-and-greet"},
            )
            visit = q.get_visit(conn, visit_id)
        assert visit is not None
        return visit

    # Notes and reprints ----------------------------------------------------------------------

    def add_note(self, ref: str | int | TicketRef, text: str) -> int:
        """A short note on the visit. It may hold personal data, so it is stored apart from the
        event log (which records only that a note was added) and purged on schedule."""
        self._require(Action.ADD_NOTE)
        cleaned = clean_text(text, limit=NOTE_LIMIT, what="notes are kept short")
        if not cleaned:
            raise InvalidInput("the note is empty")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            if self.s.scope(Action.ADD_NOTE, self.actor) is Scope.OWN:
                self._require(Action.ADD_NOTE, own=self.owns(conn, ticket, whole_visit=True))
            note_id = q.insert_note(
                conn,
                visit_id=ticket.visit_id,
                ticket_id=ticket.id,
                at=format_instant(now),
                actor=self.actor.person,
                desk_id=self.actor.desk_id or ticket.desk,
                text=cleaned,
            )
            self._event(
                conn,
                self._site(ticket),
                EventKind.NOTE_ADDED,
                now,
                ticket=ticket,
                data={"note": note_id},
            )
        return note_id

    def notes(self, ref: str | int | TicketRef) -> list[tuple[str, str, str | None]]:
        """The visit's notes, (at, person, text): a read of personal data, so recorded (that
        they were read, by whom, never what they say)."""
        self._require(Action.VIEW_NOTES)
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            if self.s.scope(Action.VIEW_NOTES, self.actor) is Scope.OWN:
                self._require(Action.VIEW_NOTES, own=self.owns(conn, ticket, whole_visit=True))
            found = q.notes_for_visit(conn, ticket.visit_id)
            if found:
                self._event(
                    conn,
                    self._site(ticket),
                    EventKind.PERSONAL_DATA_VIEWED,
                    self.s.clock.now(),
                    ticket=ticket,
                    data={"fields": ["notes"], "count": len(found)},
                )
        return found

    def reprint(self, ref: str | int | TicketRef, printer_url: str | None = None) -> int:
        """Queue the ticket to be printed again: on ``printer_url``, else this desk's printer,
        else the printer it was first sent to, else the office's meet-and-greet printer."""
        self._require(Action.REPRINT)
        now = self.s.clock.now()
        stamp = format_instant(now)
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            desk = self._desk(None)
            target = self._printer_for(desk, printer_url) if printer_url or desk else None
            target = target or last_printer_for_ticket(conn, ticket.id)
            if target is None:
                greeters = [
                    d
                    for d in self.s.directory.desks.values()
                    if d.site_id == ticket.site_id and d.printer_url
                ]
                target = greeters[0].printer_url if greeters else None
            if target is None:
                raise RuleViolation(
                    "no printer is set up for this desk or this office: give one with --print-to"
                )
            job = queue_print_job(
                conn,
                kind="ticket",
                printer_url=target,
                created_at=stamp,
                ticket_id=ticket.id,
                desk_id=desk.id if desk else None,
                payload={"reprint": True},
            )
            self._event(
                conn,
                self._site(ticket),
                EventKind.REPRINT,
                now,
                ticket=ticket,
                data={"job": job},
            )
        return job

    # Desks -----------------------------------------------------------------------------------

    def set_desk_status(self, desk_id: str | None, status: DeskStatus | str) -> DeskStatus:
        """Open a desk, put it on a break, or close it. Returns the previous status."""
        self._require(Action.DESK_STATUS)
        try:
            wanted = DeskStatus(status.strip().lower() if isinstance(status, str) else status)
        except ValueError:
            raise InvalidInput(
                f"unknown desk status {shown(str(status))!r}: open, break or closed"
            ) from None
        desk = self._desk(desk_id)
        if desk is None:
            raise InvalidInput("say which desk (--desk ID)")
        self._require(Action.DESK_STATUS, own=self.owns_desk(desk))
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            if wanted is not DeskStatus.OPEN:
                current = q.desk_ticket(conn, desk.id)
                if current is not None and wanted is DeskStatus.CLOSED:
                    raise RuleViolation(
                        f"{desk.name} still has {current.code}: finish it before closing"
                    )
            previous = set_desk_status(conn, desk.id, wanted)
            if previous is not wanted:
                self._event(
                    conn,
                    self.s.directory.sites[desk.site_id],
                    EventKind.DESK_STATUS,
                    now,
                    desk_id=desk.id,
                    data={"from": previous.value, "to": wanted.value},
                )
        return previous

    def desk_statuses(self) -> dict[str, DeskStatus]:
        return desk_statuses(self.s.store.conn)

    def current_ticket(self, desk_id: str) -> Ticket | None:
        return q.desk_ticket(self.s.store.conn, self.s.desk(desk_id).id)

    # The live queue --------------------------------------------------------------------------

    def queue(self, site_id: str | None = None) -> list[QueueEntry]:
        """Today's waiting, called and serving tickets, with waits and estimated waits."""
        self._require(Action.VIEW_QUEUE)
        site = self.s.site(site_id)
        now = self.s.clock.now()
        day = self.s.today(site)
        with self.s.store.read() as conn:
            tickets = q.active_tickets(conn, site_id=site.id, business_day=day)
            statuses = desk_statuses(conn)
            typical = self._typical_seconds(conn, now)
        return build_queue(
            tickets,
            desks=[d for d in self.s.directory.desks.values() if d.site_id == site.id],
            statuses=statuses,
            typical=typical,
            default_seconds=self.s.settings.queue.default_service_minutes * 60,
            now=now,
        )

    def _typical_seconds(self, conn: sqlite3.Connection, now: datetime) -> dict[str, float]:
        services = self.s.directory.services
        since = format_instant(now - timedelta(days=14))
        measured = q.recent_service_seconds(
            conn, services, self.s.settings.queue.estimate_sample, since
        )
        configured = {
            s.code: s.typical_minutes * 60
            for s in self.s.settings.services
            if s.typical_minutes is not None
        }
        return {**configured, **measured}

    # Helpers ---------------------------------------------------------------------------------

    def board_site(self) -> str | None:
        """The site whose calls the display board shows (None: no board)."""
        board = self.s.settings.board
        if not board.url:
            return None
        return board.site or next(iter(self.s.directory.sites), None)

    def _board(self, conn: sqlite3.Connection, ticket: Ticket, reason: str, now: datetime) -> None:
        """A board update, committed with the call that causes it (the worker shows it)."""
        if self.board_site() == ticket.site_id:
            queue_board_update(
                conn,
                site_id=ticket.site_id,
                ticket_id=ticket.id,
                reason=reason,
                now=format_instant(now),
            )

    def _site(self, ticket: Ticket) -> Site:
        return self.s.directory.sites[ticket.site_id]

    def _service_name(self, code: str) -> str:
        svc = self.s.directory.services.get(code)
        return svc.name if svc else code

    def _event(
        self,
        conn: sqlite3.Connection,
        site: Site,
        kind: EventKind,
        at: datetime,
        *,
        ticket: Ticket | None = None,
        visit_id: int | None = None,
        ticket_id: int | None = None,
        service_code: str | None = None,
        desk_id: str | None = None,
        outcome: Outcome | None = None,
        data: dict[str, object] | None = None,
        appointment_id: int | None = None,
    ) -> None:
        if ticket is not None:
            visit_id = ticket.visit_id
            ticket_id = ticket.id
            service_code = ticket.service
        append_event(
            conn,
            at=at,
            timezone=site.timezone,
            site_id=site.id,
            kind=kind,
            actor=self.actor,
            desk_id=desk_id,
            visit_id=visit_id,
            ticket_id=ticket_id,
            service_code=service_code,
            outcome=outcome,
            data=dict(data) if data else None,
            appointment_id=appointment_id,
        )


def _changed(ticket: Ticket | None) -> Ticket:
    """A guarded change that the checks before it (in the same IMMEDIATE transaction) allow."""
    if ticket is None:  # pragma: no cover - only if the checks and the guard disagree
        raise RuleViolation("the ticket changed at another desk at the same moment: try again")
    return ticket


def _status(ticket: Ticket) -> str:
    return {
        TicketStatus.WAITING: "waiting",
        TicketStatus.CALLED: f"called to {ticket.desk}",
        TicketStatus.SERVING: f"being served at {ticket.desk}",
        TicketStatus.DONE: "finished",
        TicketStatus.NO_SHOW: "a no-show",
        TicketStatus.TRANSFERRED: "transferred",
        TicketStatus.CANCELLED: "cancelled",
    }[ticket.status]


def build_queue(
    tickets: list[Ticket],
    *,
    desks: list[Desk],
    statuses: dict[str, DeskStatus],
    typical: dict[str, float],
    default_seconds: float,
    now: datetime,
) -> list[QueueEntry]:
    """Pure assembly of the live queue: positions, waits and estimates."""
    callers = [
        d
        for d in desks
        if statuses.get(d.id, d.status) is DeskStatus.OPEN and d.kind is not DeskKind.MEET_AND_GREET
    ]
    busy: dict[str, float] = {}
    for t in tickets:
        if t.status in AT_DESK and t.desk is not None:
            started = t.called_at or now
            expected = typical.get(t.service, default_seconds)
            left = expected - (now - started).total_seconds()
            busy[t.desk] = max(60.0, left)
    loads = [DeskLoad(d.id, d.services, busy.get(d.id, 0.0)) for d in callers]
    waiting = [t for t in tickets if t.status is TicketStatus.WAITING]
    waiting.sort(key=lambda t: (-t.priority, t.queued_at, t.id))
    estimates = estimate_waits(
        [WaitingItem(t.id, t.service, t.assigned_desk, "private-room" in t.needs) for t in waiting],
        loads,
        typical,
        default_seconds,
        private_room_desks=frozenset(d.id for d in callers if d.private_room),
    )
    positions = {t.id: i for i, t in enumerate(waiting, start=1)}
    entries = []
    ordered = [t for t in tickets if t.status in AT_DESK] + waiting
    for t in ordered:
        estimate = estimates.get(t.id)
        entries.append(
            QueueEntry(
                ticket=t,
                position=positions.get(t.id),
                wait_seconds=max(0, int((now - t.queued_at).total_seconds())),
                estimated_wait_seconds=None if estimate is None else int(estimate),
            )
        )
    return entries
