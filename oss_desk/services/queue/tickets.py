"""Arrivals and tickets: issuing at meet-and-greet, a visit dealt with on the spot, and the one
place a ticket is made (issue, appointment check-in and transfer to another service all make
theirs here)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict, Unpack

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.calendar import business_day
from oss_desk.domain.delivery import PrintRequest
from oss_desk.domain.devices import parse_printer_url
from oss_desk.domain.models import (
    Channel,
    Desk,
    EventKind,
    Joining,
    Outcome,
    Site,
    Ticket,
    Visit,
    VisitStatus,
)
from oss_desk.domain.needs import needs_private_room, parse_needs, spoken_languages
from oss_desk.domain.queue import priority_for
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput
from oss_desk.services.device_owner import PrintPlan, plan_print, queue_print
from oss_desk.services.queue.core import QueueCore, parse_outcome
from oss_desk.services.queue.day_end import close_due_in, refuse_if_closed
from oss_desk.services.session import Session
from oss_desk.storage import queue as q

Needs = str | Iterable[str] | None
"""Reasonable adjustments as typed (``"bsl,wheelchair"``) or as a list."""


class Counted(TypedDict, total=False):
    """What the council counts with a finish besides its outcome (a ticket's or a quick
    visit's)."""

    signposted_to: str | None
    """The organisation the resident was signposted to (with the outcome ``signposted``)."""
    assisted_digital: bool
    """They were helped to use the council's website."""
    avoidable: bool
    """It could have been done online (avoidable contact)."""


@dataclass(frozen=True, slots=True)
class Issued:
    ticket: Ticket
    print_job: int | None = None


def _needs(needs: Needs, session: Session) -> tuple[str, ...]:
    """The needs recorded; an interpreter's language one known here (the common list, or one
    the staff speak)."""
    parsed = needs if isinstance(needs, str | None) else list(needs)
    return parse_needs(parsed, spoken=spoken_languages(session.settings.staff))


def _flags(*, urgent: bool = False, repeat: bool = False) -> dict[str, object]:
    """What meet-and-greet recorded with an arrival (only what is true is written)."""
    return {k: True for k, v in (("urgent", urgent), ("repeat", repeat)) if v}


class Issuing(QueueCore):
    def issue(
        self,
        service: str,
        *,
        desk_id: str | None = None,
        site_id: str | None = None,
        needs: Needs = None,
        priority: int = 0,
        print_to: str | None = None,
        print_ticket: bool = True,
        channel: Channel = Channel.WALK_IN,
        arrived_at: datetime | None = None,
        assigned_desk: str | None = None,
        urgent: bool = False,
        repeat: bool = False,
    ) -> Issued:
        """Record an arrival and issue the next ticket of ``service`` (code per site and day).
        ``urgent``: an urgent or vulnerable resident, called before the others
        (:func:`oss_desk.domain.queue.priority_for`); ``repeat``: they came back about the same
        matter. Both are recorded with the arrival and counted in the reports."""
        self._require(Action.ISSUE_TICKET)
        svc = self.service(service)
        desk = self._desk(desk_id)
        site = self._site_for(desk, site_id)
        printer = self._printer_for(desk, print_to) if print_ticket else None
        now = self.s.clock.now()
        if urgent:
            priority = max(priority, priority_for(urgent=True))
        # What is known before the write transaction is worked out before it (the write lock
        # is held less): the arrival's record, and the print job's times and device lease.
        joining = Joining(svc.code, priority, _needs(needs, self.s), channel, assigned_desk)
        flags = _flags(urgent=urgent, repeat=repeat)
        plan = plan_print(self.s.store.path, now) if printer else None
        with self.s.store.write() as conn:
            refuse_if_closed(self.s, conn, site, now)
            close_due_in(self.s, conn, now, self.actor)
            ticket = self.arrival_with_ticket(
                conn, site, joining, now=now, arrived_at=arrived_at, desk=desk, flags=flags
            )
            job = None
            if printer:
                job = self._print_ticket(conn, ticket, printer, now, desk, plan=plan)
        return Issued(ticket=ticket, print_job=job)

    def _print_ticket(
        self,
        conn: sqlite3.Connection,
        ticket: Ticket,
        printer: str,
        now: datetime,
        desk: Desk | str | None,
        *,
        transferred_from: int | None = None,
        reprint: bool = False,
        plan: PrintPlan | None = None,
    ) -> int:
        """Queue ``ticket``'s printout on ``printer`` for ``desk`` (or its id); returns the print
        job. A reprint (asked for, or the new code of a ticket ``transferred_from`` another) says
        so on the job and is the ticket's REPRINT event. ``plan``: made before the transaction
        (:func:`~oss_desk.services.device_owner.plan_print`). The paper is drawn by the
        printer's lane, with the ticket's place in the queue as it is then."""
        moved = {} if transferred_from is None else {"transferred_from": transferred_from}
        reprint = reprint or bool(moved)
        job = queue_print(
            conn,
            self.s.store.path,
            PrintRequest(
                "ticket",
                printer,
                ticket_id=ticket.id,
                desk_id=desk.id if isinstance(desk, Desk) else desk,
                payload={"reprint": True, **moved} if reprint else {},
            ),
            now,
            plan,
        )
        if reprint:
            logged: dict[str, object] = {"job": job, "transfer": True} if moved else {"job": job}
            self._log(conn, ticket, EventKind.REPRINT, now, logged)
        return job

    def arrival_with_ticket(
        self,
        conn: sqlite3.Connection,
        site: Site,
        joining: Joining,
        *,
        now: datetime,
        arrived_at: datetime | None = None,
        desk: Desk | None = None,
        flags: Mapping[str, object] | None = None,
    ) -> Ticket:
        """In the caller's write transaction: an arrival (its visit and ``arrived`` event, with
        ``flags``) and its ticket. No role check: the caller has made its own (issue,
        check-in)."""
        svc = self.s.directory.services[joining.service]
        self._check_servable(site, svc, needs_private_room(joining.needs))
        desk_id = desk.id if desk else None
        visit_id = self._arrival(
            conn, site, joining, now=now, at=arrived_at, desk_id=desk_id, flags=flags
        )
        queued_at = arrived_at or now
        return self.new_ticket(conn, site, visit_id, joining, queued_at, now=now, desk_id=desk_id)

    def new_ticket(
        self,
        conn: sqlite3.Connection,
        site: Site,
        visit_id: int,
        joining: Joining,
        queued_at: datetime,
        *,
        now: datetime,
        desk_id: str | None,
        transferred_from: int | None = None,
        before_issued: Callable[[Ticket], None] | None = None,
    ) -> Ticket:
        """THE making of a ticket: the service's next number of the day at the site, the
        ticket (in the queue since ``queued_at``: the arrival, kept across transfers) and its
        ``ticket_issued`` event (after ``before_issued``: a transfer records the old ticket's
        end first)."""
        day = business_day(now, site.timezone)
        service = joining.service
        number = q.allocate_number(conn, site_id=site.id, service=service, business_day=day)
        ticket = q.insert_ticket(
            conn,
            visit_id=visit_id,
            site_id=site.id,
            business_day=day,
            number=number,
            joining=joining,
            queued_at=format_instant(queued_at),
            issued_at=format_instant(now),
            transferred_from=transferred_from,
        )
        if before_issued is not None:
            before_issued(ticket)
        data: dict[str, object] = {"number": number}
        if transferred_from is not None:
            data["transferred_from"] = transferred_from
        elif joining.priority:
            data["priority"] = joining.priority
        self._event(
            conn, site, EventKind.TICKET_ISSUED, now, ticket=ticket, desk_id=desk_id, data=data
        )
        return ticket

    def _arrival(
        self,
        conn: sqlite3.Connection,
        site: Site,
        joining: Joining,
        *,
        now: datetime,
        at: datetime | None,
        desk_id: str | None,
        flags: Mapping[str, object] | None = None,
    ) -> int:
        """A visit (arrived ``at``, default now) for ``joining``'s service, and its ``arrived``
        event (with what meet-and-greet recorded: ``urgent``, ``repeat``)."""
        arrived = at or now
        needs, channel = joining.needs, joining.channel
        visit_id = q.create_visit(
            conn,
            site_id=site.id,
            business_day=business_day(now, site.timezone),
            arrived_at=format_instant(arrived),
            channel=channel,
            needs=needs,
        )
        data: dict[str, object] = {"channel": channel.value}
        if needs or channel is not Channel.WALK_IN:
            data["needs"] = list(needs)
        data.update(flags or {})
        self._visit_event(conn, site, EventKind.ARRIVED, arrived, visit_id, joining, desk_id, data)
        return visit_id

    def _visit_event(
        self,
        conn: sqlite3.Connection,
        site: Site,
        kind: EventKind,
        at: datetime,
        visit_id: int,
        joining: Joining,
        desk_id: str | None,
        data: Mapping[str, object],
        outcome: Outcome | None = None,
    ) -> None:
        """An event of a visit that has no ticket (yet)."""
        self._event(
            conn,
            site,
            kind,
            at,
            visit_id=visit_id,
            service_code=joining.service,
            desk_id=desk_id,
            outcome=outcome,
            data=dict(data),
        )

    def quick_visit(
        self,
        service: str,
        outcome: str | Outcome,
        *,
        desk_id: str | None = None,
        site_id: str | None = None,
        needs: Needs = None,
        repeat: bool = False,
        **counted: Unpack[Counted],
    ) -> Visit:
        """A visit dealt with at meet-and-greet: arrival and outcome at once, no ticket; with
        what the council counts (see :meth:`finish_flags`)."""
        self._require(Action.QUICK_VISIT)
        svc = self.service(service)
        result = parse_outcome(outcome)
        finished_data = self.finish_flags(result, counted)
        desk = self._desk(desk_id)
        site = self._site_for(desk, site_id)
        parsed_needs = _needs(needs, self.s)
        now = self.s.clock.now()
        desk_ref = desk.id if desk else None
        with self.s.store.write() as conn:
            refuse_if_closed(self.s, conn, site, now)
            close_due_in(self.s, conn, now, self.actor)
            arrival = Joining(svc.code, needs=parsed_needs)
            visit_id = self._arrival(
                conn, site, arrival, now=now, at=None, desk_id=desk_ref, flags=_flags(repeat=repeat)
            )
            stamp = format_instant(now)
            q.finish_visit(
                conn, visit_id, status=VisitStatus.DONE, outcome=result, finished_at=stamp
            )
            at_greet = {"at": "meet-and-greet", **finished_data}
            finished = EventKind.FINISHED
            self._visit_event(
                conn, site, finished, now, visit_id, arrival, desk_ref, at_greet, result
            )
            visit = q.get_visit(conn, visit_id)
        assert visit is not None
        return visit

    def finish_flags(
        self, outcome: Outcome | Iterable[Outcome], counted: Counted
    ) -> dict[str, object]:
        """What a finish records besides its outcome (:class:`Counted`), checked: the
        organisation signposted to is one of ``signposting.organisations`` and goes only with
        the outcome ``signposted`` (of the visit's own service or of one added to it:
        ``outcome`` may be all of the visit's outcomes)."""
        outcomes = (outcome,) if isinstance(outcome, Outcome) else tuple(outcome)
        data: dict[str, object] = {}
        signposted_to = counted.get("signposted_to")
        if signposted_to is not None:
            wanted = signposted_to.strip().lower()
            known = self.s.settings.signposting.organisations
            if wanted not in known:
                raise InvalidInput(
                    f"unknown organisation {shown(signposted_to)!r}: "
                    f"{', '.join(known)} (signposting.organisations)"
                )
            if Outcome.SIGNPOSTED not in outcomes:
                raise InvalidInput("a destination goes with the outcome signposted")
            data["signposted_to"] = wanted
        for flag in ("assisted_digital", "avoidable"):
            if counted.get(flag):
                data[flag] = True
        return data

    def _printer_for(self, desk: Desk | None, print_to: str | None) -> str | None:
        if print_to is not None:
            return parse_printer_url(print_to).url
        if desk is not None and desk.printer_url:
            return desk.printer_url
        return None
