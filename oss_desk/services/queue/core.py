"""What every queue use case shares: finding tickets, services and desks, role checks on a
person's own work, the event each change appends and the board update a call commits."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Unpack

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action, Scope
from oss_desk.domain.codes import TicketRef, parse_service_code, parse_ticket_ref
from oss_desk.domain.counter import desk_states, parked_words, status_words
from oss_desk.domain.logins import DeskLogin
from oss_desk.domain.models import (
    Actor,
    Desk,
    DeskStatus,
    EventKind,
    Outcome,
    Service,
    Site,
    Ticket,
    TicketStatus,
)
from oss_desk.domain.public import OFF_THE_BOARD, board_moved_by
from oss_desk.domain.queue import Floor, calls_tickets
from oss_desk.domain.sent_to import nobody_would_call, not_served_at
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.queue.board import board_changed
from oss_desk.services.session import Session
from oss_desk.storage import queue as q
from oss_desk.storage.counter import (
    desk_capabilities,
    desk_logins,
    login_at,
    login_of,
    mark_desk,
    staff_capabilities,
)
from oss_desk.storage.site import desk_status, desk_statuses

if TYPE_CHECKING:
    from oss_desk.services.events import EventRefs

# What only a change, or a refusal, needs (the events, the board's outbox, close of day) is
# imported where it is used: a command that only reads the queue does not load it.

ACTIVE = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
AT_DESK = (TicketStatus.CALLED, TicketStatus.SERVING)

Ref = str | int | TicketRef
"""A ticket id, today's code (``C012``) or a parsed reference."""


def parse_outcome(text: str | Outcome) -> Outcome:
    if isinstance(text, Outcome):
        return text
    value = text.strip().lower().replace("-", "_")
    try:
        return Outcome(value)
    except ValueError:
        known = ", ".join(o.value for o in Outcome)
        raise InvalidInput(f"unknown outcome {shown(text)!r}: expected one of {known}") from None


def changed(ticket: Ticket | None) -> Ticket:
    """A guarded change that the checks before it (in the same IMMEDIATE transaction) allow."""
    if ticket is None:  # pragma: no cover - only if the checks and the guard disagree
        raise RuleViolation("the ticket changed at another desk at the same moment: try again")
    return ticket


def read_floor(
    session: Session,
    conn: sqlite3.Connection,
    site_id: str | None = None,
    logins: Mapping[str, DeskLogin] | None = None,
) -> Floor:
    """Who is logged in to which desk, and what each desk can meet (its facilities and its
    person's skills), as the call order reads them (``logins``: already read)."""
    logins = desk_logins(conn) if logins is None else logins
    people = {desk: login.person for desk, login in logins.items()}
    facilities = desk_capabilities(conn)
    skills = staff_capabilities(conn)
    desks = session.directory.desks
    capabilities = {
        desk_id: facilities.get(desk_id, frozenset())
        | skills.get(people.get(desk_id, ""), frozenset())
        for desk_id in desks
    }
    staffed = tuple(
        d
        for d in desks.values()
        if d.id in people and calls_tickets(d.kind) and (site_id is None or d.site_id == site_id)
    )
    return Floor(people=people, capabilities=capabilities, staffed=staffed)


def described(
    ticket: Ticket,
    conn: sqlite3.Connection | None = None,
    desks: Mapping[str, Desk] | None = None,
) -> str:
    """Where the ticket stands, for a refusal: "waiting", "called to Desk 2", ... (``desks``:
    the office's, to name its desk as staff know it; without them, its id); with ``conn``, a
    cancelled ticket closed by close of day says so (not "cancelled")."""
    found = (desks or {}).get(ticket.desk or "")
    desk = found.name if found is not None else ticket.desk
    if ticket.parked:
        return parked_words(ticket, desk)
    if ticket.status is TicketStatus.CANCELLED and conn is not None:
        from oss_desk.domain.closed_day import cancelled_words
        from oss_desk.storage.day_closures import cancelled_data

        return cancelled_words(cancelled_data(conn, ticket.visit_id, ticket.id))
    return status_words(ticket.status, desk)


def expect(
    ticket: Ticket,
    allowed: Iterable[TicketStatus],
    why: str | Callable[[Ticket], str],
    conn: sqlite3.Connection | None = None,
    desks: Mapping[str, Desk] | None = None,
) -> None:
    """Refuse unless the ticket is in one of the ``allowed`` states ("C003 is waiting: why";
    ``why`` may depend on the ticket; ``desks``: see :func:`described`)."""
    if ticket.status not in allowed:
        said = why(ticket) if callable(why) else why
        raise RuleViolation(f"{ticket.code} is {described(ticket, conn, desks)}: {said}")


Only = tuple[Iterable[TicketStatus], str | Callable[[Ticket], str]]
"""The states an action needs a ticket in, and why (see :func:`expect`)."""


class QueueCore:
    """The live queue of one office database, acting as ``actor`` (default: the session's)."""

    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    def standing(self, ticket: Ticket, conn: sqlite3.Connection | None = None) -> str:
        """Where the ticket stands, for a refusal, its desk named as staff know it
        (:func:`described`)."""
        return described(ticket, conn, self.s.directory.desks)

    def close_due(self) -> list[Ticket]:
        """Close the days that are over (:mod:`oss_desk.services.queue.day_end`): the first
        action after closing time does it, whoever it is by."""
        from oss_desk.services.queue.day_end import close_due

        return close_due(self.s, self.actor)

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

    def ticket(self, ref: Ref, site_id: str | None = None) -> Ticket:
        """A ticket by id or by today's code (``C012``)."""
        return self._find(self.s.store.conn, ref, site_id)

    def look_up(self, ref: Ref, site_id: str | None = None) -> Ticket:
        """A ticket looked up by a person (``ticket show``, Find)."""
        self._require(Action.FIND_TICKET)
        return self.ticket(ref, site_id)

    def _find(self, conn: sqlite3.Connection, ref: Ref, site_id: str | None = None) -> Ticket:
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
        today = [
            t
            for site in self.s.directory.sites.values()
            for t in q.find_ticket_by_code(
                conn, business_day=self.s.today(site), service=parsed.service, number=parsed.number
            )
            if t.site_id == site.id
        ]
        # Every site starts at C001 each day: the code is the one at the site acted for.
        here = self.s.acting_site(self.actor.desk_id, site_id)
        matching = [t for t in today if here is None or t.site_id == here.id]
        if len(matching) == 1:
            return matching[0]
        sites = self.s.directory.sites
        if matching:
            at = " and ".join(f"{sites[t.site_id].name} (id {t.id})" for t in matching)
            raise InvalidInput(
                f"{parsed.code} exists today at {at}: say which site, or give the ticket id",
                cli_hint=f"--site {'|'.join(t.site_id for t in matching)}",
            )
        if here is None or not today or self.actor.desk_id is not None:
            at_site = f" at {here.name}" if here is not None and len(sites) > 1 else ""
            raise NotFound(f"no ticket {parsed.code} today{at_site}")
        there = today[0].site_id
        raise NotFound(
            f"no ticket {parsed.code} today at {here.name}; {sites[there].name} has one",
            cli_hint=f"--site {there}",
        )

    @property
    def staffed_only(self) -> bool:
        """Only desks someone is logged in to call (``queue.staffed_desks_only``)."""
        return self.s.settings.queue.staffed_desks_only

    def logins(self) -> dict[str, DeskLogin]:
        """Every desk someone is logged in to, by desk id."""
        self._require(Action.VIEW_QUEUE)
        return desk_logins(self.s.store.conn)

    def desk_statuses(self) -> dict[str, DeskStatus]:
        """Every desk's status as the queue sees it and every list shows it: closed while
        nobody is logged in to it (``queue.staffed_desks_only``; see
        :func:`oss_desk.domain.counter.effective_status`)."""
        return self.desk_states_in(self.s.store.conn)

    def desk_states_in(
        self, conn: sqlite3.Connection, logins: Mapping[str, DeskLogin] | None = None
    ) -> dict[str, DeskStatus]:
        """:meth:`desk_statuses` read on ``conn`` (``logins``: already read there)."""
        staffed = desk_logins(conn) if logins is None else logins
        desks = self.s.directory.desks.values()
        return desk_states(desks, desk_statuses(conn), staffed, self.staffed_only)

    def current_ticket(self, desk_id: str) -> Ticket | None:
        return q.desk_ticket(self.s.store.conn, self.s.desk(desk_id).id)

    def _mark_desk(self, conn: sqlite3.Connection, desk_id: str | None, now: datetime) -> None:
        """The desk changed what it is doing (for the team leader's "idle for 4 min")."""
        if desk_id is not None:
            mark_desk(conn, desk_id, format_instant(now))

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

    def _site(self, ticket: Ticket) -> Site:
        return self.s.site_ever(ticket.site_id)

    def _service_name(self, code: str) -> str:
        svc = self.s.directory.services.get(code)
        return svc.name if svc else code

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

    def _check_sent_to(
        self, conn: sqlite3.Connection, desk: Desk, code: str, instead: str | None = None
    ) -> None:
        """Refuse to send a ticket where nobody would call it, or to resume a resident where
        nobody would serve them: a closed desk, or (``queue.staffed_desks_only``) one nobody is
        logged in to (:func:`oss_desk.domain.sent_to.not_served_at`)."""
        staffed = login_at(conn, desk.id) is not None
        status = desk_status(conn, desk.id)
        why = not_served_at(desk.name, status, staffed, staffed_only=self.staffed_only)
        if why is not None:
            raise RuleViolation(
                nobody_would_call(
                    why, code, instead or "open the desk first, or send it to an open one"
                )
            )

    # Roles -------------------------------------------------------------------------------------

    def _require(self, action: Action, own: bool | None = None) -> None:
        self.s.require(action, self.actor, own=own)

    def _ticket_for(
        self,
        conn: sqlite3.Connection,
        ref: Ref,
        action: Action,
        *,
        whole_visit: bool = False,
        only: Only | None = None,
        check: bool = True,
    ) -> Ticket:
        """The ticket ``ref`` names, once it is in a state ``only`` allows and (``check``) this
        person may do ``action`` on it. The state is said first, whoever asks: a waiting ticket
        is "waiting: only a called ticket can be started" to an adviser as to a team leader,
        not "called to another desk" (it is called nowhere)."""
        ticket = self._find(conn, ref)
        if only is not None:
            expect(ticket, only[0], only[1], conn, self.s.directory.desks)
        if check:
            self._require_on(conn, action, ticket, whole_visit=whole_visit)
        return ticket

    def _require_on(
        self, conn: sqlite3.Connection, action: Action, ticket: Ticket, *, whole_visit: bool = False
    ) -> None:
        """For a role allowed ``action`` only on its own work: the ticket must be theirs (see
        :meth:`owns`)."""
        if self.s.scope(action, self.actor) is Scope.OWN:
            self._require(action, own=self.owns(conn, ticket, whole_visit=whole_visit))

    def owns_desk(self, desk: Desk, *, terminal: bool = True) -> bool:
        """This terminal's desk (unless not ``terminal``: a command names the desk it acts on
        as its terminal's), the desk the person is logged in to, or the desk the configuration
        puts them at."""
        if terminal and desk.id == self.actor.desk_id:
            return True
        login = login_of(self.s.store.conn, self.actor.person)
        if login is not None and login.desk_id == desk.id:
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
        from oss_desk.storage.events import callers_of_visit

        calls = callers_of_visit(conn, ticket.visit_id)
        if whole_visit:
            return any(p == me.person or (me.desk_id and d == me.desk_id) for p, d, _ in calls)
        mine = [p for p, _, t in calls if t == ticket.id]
        return bool(mine) and mine[-1] == me.person

    # What a change writes besides itself -----------------------------------------------------

    def board_site(self) -> str | None:
        """The site whose calls the display board shows (None: no board)."""
        return self.s.settings.board_site()

    def _board(
        self,
        conn: sqlite3.Connection,
        ticket: Ticket | None,
        reason: str,
        now: datetime,
        site_id: str | None = None,
    ) -> None:
        """A board update, committed with the call (or the desk's closing) that causes it
        (the worker shows it)."""
        site_id = ticket.site_id if ticket is not None else site_id
        if site_id is not None:
            board_changed(
                self.s, conn, site_id, reason, now, ticket.id if ticket is not None else None
            )

    def _desk_closed(self, conn: sqlite3.Connection, desk: Desk, now: datetime) -> None:
        """A desk closed: its calls leave the board with this update (nobody is there)."""
        self._board(conn, None, "put_back", now, site_id=desk.site_id)

    def _log(
        self,
        conn: sqlite3.Connection,
        ticket: Ticket,
        kind: EventKind,
        at: datetime,
        data: dict[str, object] | None = None,
        *,
        at_desk: bool = False,
        outcome: Outcome | None = None,
    ) -> None:
        """An event of ``ticket`` at its site (``at_desk``: at the desk it is called to)."""
        desk_id = ticket.desk if at_desk else None
        site = self._site(ticket)
        self._event(
            conn, site, kind, at, ticket=ticket, desk_id=desk_id, outcome=outcome, data=data
        )

    def _move(
        self,
        conn: sqlite3.Connection,
        ticket: Ticket,
        allowed: Iterable[TicketStatus],
        to: TicketStatus,
        **fields: object,
    ) -> Ticket:
        """The ticket's guarded status change (from ``allowed``), with the columns ``fields``.
        A call that leaves the board by it (:data:`~oss_desk.domain.public.OFF_THE_BOARD`: put
        back, parked, sent elsewhere, transferred, cancelled, a no-show), or comes back to it
        (a no-show taken back, a parked resident resumed), does so with this change's board
        update, at once (:func:`~oss_desk.domain.public.board_moved_by`)."""
        moved = changed(
            q.transition(conn, ticket.id, from_statuses=allowed, to_status=to, **fields)
        )
        called = ticket.status in AT_DESK or ticket.called_at is not None
        if board_moved_by(ticket.status, to, called=called):
            reason = "put_back" if to in OFF_THE_BOARD else "called"
            self._board(conn, moved, reason, self.s.clock.now())
        return moved

    def _added_service_event(
        self,
        conn: sqlite3.Connection,
        ticket: Ticket,
        kind: EventKind,
        at: datetime,
        code: str,
        outcome: Outcome | None = None,
    ) -> None:
        """An event of the service ``code`` added to ``ticket``'s visit (added, taken off,
        delivered): of the visit and that service, at the ticket's desk, the ticket named in its
        data (not as the event's ticket, whose service is the ticket's own)."""
        self._event(
            conn,
            self._site(ticket),
            kind,
            at,
            visit_id=ticket.visit_id,
            service_code=code,
            desk_id=ticket.desk,
            outcome=outcome,
            data={"ticket": ticket.id},
        )

    def _event(
        self,
        conn: sqlite3.Connection,
        site: Site,
        kind: EventKind,
        at: datetime,
        *,
        ticket: Ticket | None = None,
        **refs: Unpack[EventRefs],
    ) -> None:
        """An event at ``site`` by the actor: of ``ticket``, or of a visit without one."""
        if ticket is not None:
            refs["visit_id"], refs["service_code"] = ticket.visit_id, ticket.service
            refs["ticket_id"] = ticket.id
        from oss_desk.services.events import record_event

        record_event(conn, site, at, kind, self.actor, **refs)
