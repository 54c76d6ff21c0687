"""What a desk records besides the queue moving: notes on a visit (personal data, kept apart
from the event log and purged on schedule), reprints, and the desk's own status."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.counter import nobody_logged_in_said, still_at_desk
from oss_desk.domain.delivery import (
    NOT_REPRINTED,
    Reprint,
    print_state,
    reprint_adds_copy,
    stale_ticket_job,
)
from oss_desk.domain.models import DeskStatus, EventKind, Site, Ticket, TicketStatus
from oss_desk.domain.notes import NOTE_LIMIT, NOTE_TOO_LONG
from oss_desk.domain.sent_to import sent_nowhere, waiting_for_desk
from oss_desk.domain.text import clean_text, shown
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.queue.core import Ref, changed
from oss_desk.services.queue.tickets import Issuing
from oss_desk.storage import queue as q
from oss_desk.storage.counter import desk_logins, log_out, login_at
from oss_desk.storage.outbox import last_printer_for_ticket
from oss_desk.storage.site import printer_gone, set_desk_status


@dataclass(frozen=True, slots=True)
class DeskChange:
    """A desk's status changed (or not): what it was, and the tickets sent to it that went
    back to the queue because it closed (see :meth:`Records.send_back`)."""

    previous: DeskStatus
    sent_back: tuple[Ticket, ...] = ()
    waiting: tuple[str, ...] = ()
    """On a break: the codes of the tickets sent to it (or its person) that wait for it, as
    the desk's own break question names them (:func:`oss_desk.domain.sent_to.waiting_for_desk`)."""


class TicketEnded(RuleViolation):
    """A reprint asked for a ticket that is no longer waiting or called: nothing is queued,
    as its copy would never print (``domain.delivery.stale_ticket_job``)."""

    title = "Not reprinted"


class Records(Issuing):
    def add_note(self, ref: Ref, text: str) -> int:
        """A short note on the visit. It may hold personal data, so it is stored apart from the
        event log (which records only that a note was added) and purged on schedule."""
        self._require(Action.ADD_NOTE)
        cleaned = clean_text(text, limit=NOTE_LIMIT, what=NOTE_TOO_LONG)
        if not cleaned:
            raise InvalidInput("the note is empty")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._ticket_for(conn, ref, Action.ADD_NOTE, whole_visit=True)
            note_id = q.insert_note(
                conn,
                visit_id=ticket.visit_id,
                ticket_id=ticket.id,
                at=format_instant(now),
                actor=self.actor.person,
                desk_id=self.actor.desk_id or ticket.desk,
                text=cleaned,
            )
            self._log(conn, ticket, EventKind.NOTE_ADDED, now, {"note": note_id})
        return note_id

    def notes(self, ref: Ref) -> list[tuple[str, str, str | None]]:
        """The visit's notes, (at, person, text): a read of personal data, so recorded (that
        they were read, by whom, never what they say)."""
        self._require(Action.VIEW_NOTES)
        with self.s.store.write() as conn:
            ticket = self._ticket_for(conn, ref, Action.VIEW_NOTES, whole_visit=True)
            found = q.notes_for_visit(conn, ticket.visit_id)
            if found:
                viewed = {"fields": ["notes"], "count": len(found)}
                self._log(conn, ticket, EventKind.PERSONAL_DATA_VIEWED, self.s.clock.now(), viewed)
        return found

    def reprint(self, ref: Ref, printer_url: str | None = None) -> Reprint:
        """Queue the ticket to be printed again: on ``printer_url``, else this desk's printer,
        else the printer it was last sent to (while it is still configured), else the office's
        meet-and-greet printer. A ticket whose print job has still to print adds no paper
        (``reprint_adds_copy``): that job is tried again now instead, and the answer says so.
        A ticket that is over (served, cancelled, closed at close of day...) is refused:
        :class:`TicketEnded`."""
        from oss_desk.storage.print_state import ticket_job, try_now  # reprints only

        self._require(Action.REPRINT)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = self._find(conn, ref)
            if stale_ticket_job("ticket", ticket.status) is not None:
                raise TicketEnded(
                    f"{ticket.code} is {self.standing(ticket, conn)}: {NOT_REPRINTED}"
                )
            latest, _ = ticket_job(conn, ticket.id)
            state = print_state(latest.status, latest.confirmed) if latest else None
            if latest is not None and not reprint_adds_copy(state):
                from oss_desk.services.device_owner import state_of
                from oss_desk.storage.lease import read_heartbeat

                try_now(conn, latest.id, format_instant(now))
                worker = state_of(read_heartbeat(conn), self.s.store.path)
                return Reprint(
                    ticket.code,
                    latest.id,
                    added=False,
                    state=state,
                    reason=latest.error,
                    tried=latest.attempts > 0,
                    worker_alive=worker.alive,
                )
            desk = self._desk(None)
            target = self._printer_for(desk, printer_url) if printer_url or desk else None
            last = last_printer_for_ticket(conn, ticket.id)
            if last is not None and printer_gone(conn, self.s.directory, last):
                last = None  # it left the configuration since: never printed to again
            target = target or last
            if target is None:
                greeters = [
                    d
                    for d in self.s.directory.desks.values()
                    if d.site_id == ticket.site_id and d.printer_url
                ]
                target = greeters[0].printer_url if greeters else None
            if target is None:
                raise RuleViolation(
                    "no printer is set up for this desk or this office",
                    cli_hint="give one with --print-to URL",
                )
            job = self._print_ticket(conn, ticket, target, now, desk, reprint=True)
            return Reprint(ticket.code, job, added=True)

    # Desks -----------------------------------------------------------------------------------

    def set_desk_status(self, desk_id: str | None, status: DeskStatus | str) -> DeskChange:
        """Open a desk, put it on a break, or close it (which logs out whoever is at it; the
        tickets sent to it, or to them, go back to the queue at their place). Returns the
        previous status and those tickets. With ``queue.staffed_desks_only`` a desk opens only
        while someone is logged in to it."""
        self._require(Action.DESK_STATUS)
        try:
            wanted = DeskStatus(status.strip().lower() if isinstance(status, str) else status)
        except ValueError:
            raise InvalidInput(
                f"unknown desk status {shown(str(status))!r}: open, break or closed"
            ) from None
        desk = self._desk(desk_id)
        if desk is None:
            raise InvalidInput("say which desk", cli_hint="--desk ID")
        self._require(Action.DESK_STATUS, own=self.owns_desk(desk))
        now = self.s.clock.now()
        site = self.s.directory.sites[desk.site_id]
        with self.s.store.write() as conn:
            held = login_at(conn, desk.id)
            if wanted is not DeskStatus.CLOSED and held is None and self.staffed_only:
                raise RuleViolation(
                    nobody_logged_in_said(desk.name, wanted),
                    cli_hint=f"oss-desk desks login {desk.id}",
                )
            if wanted is not DeskStatus.OPEN:
                current = q.desk_ticket(conn, desk.id)
                if current is not None and wanted is DeskStatus.CLOSED:
                    raise RuleViolation(still_at_desk(desk.name, current, self.s.today(site)))
            previous = set_desk_status(conn, desk.id, wanted)
            if previous is not wanted:
                self._event(
                    conn,
                    site,
                    EventKind.DESK_STATUS,
                    now,
                    desk_id=desk.id,
                    data={"from": previous.value, "to": wanted.value},
                )
                self._mark_desk(conn, desk.id, now)
                if wanted is DeskStatus.CLOSED:
                    self._desk_closed(conn, desk, now)
            if wanted is DeskStatus.CLOSED and held is not None:
                log_out(conn, desk.id)
                data: dict[str, object] = (
                    {} if held.person == self.actor.person else {"person": held.person}
                )
                self._event(
                    conn, site, EventKind.DESK_LOGOUT, now, desk_id=desk.id, data=data or None
                )
            sent_back = self.send_back(conn, site, now) if wanted is DeskStatus.CLOSED else ()
            waiting = (
                self._waiting_for(conn, desk.id, site, now) if wanted is DeskStatus.BREAK else ()
            )
        return DeskChange(previous, sent_back, waiting)

    def _waiting_for(
        self, conn: sqlite3.Connection, desk_id: str, site: Site, now: datetime
    ) -> tuple[str, ...]:
        """The tickets that wait for ``desk_id`` while it is on a break, read from the live
        queue as the desk app reads it (so in the order it calls them)."""
        from oss_desk.services.queue.view import read_live_queue

        live = read_live_queue(self.s, conn, site, now)
        login = live.logins.get(desk_id)
        person = login.person if login is not None else None
        return tuple(waiting_for_desk((e.ticket for e in live.entries), desk_id, person))

    def send_back(self, conn: sqlite3.Connection, site: Site, now: datetime) -> tuple[Ticket, ...]:
        """After a desk closed, someone logged out or a configuration was loaded (in the same
        transaction): the waiting tickets sent where nobody will call them now, and those
        parked at a desk now closed, go back to the queue at their place
        (:func:`oss_desk.domain.sent_to.sent_nowhere`), each recorded; they are returned."""
        logins = desk_logins(conn)
        states = self.desk_states_in(conn, logins)
        serving = {d for d, state in states.items() if state is not DeskStatus.CLOSED}
        people = {login.person: desk_id for desk_id, login in logins.items()}
        desks = self.s.directory.desks
        back = []
        for t in q.active_tickets(conn, site_id=site.id, business_day=self.s.today(site)):
            if t.status is TicketStatus.WAITING and sent_nowhere(t, serving, people, desks):
                back.append(self.sent_back(conn, t, now))
        return tuple(back)

    def sent_back(self, conn: sqlite3.Connection, t: Ticket, now: datetime) -> Ticket:
        """A waiting ticket goes back to the queue at its place (no longer sent to a desk or
        person, nor parked), recorded with where it was."""
        sent = {"from_desk": t.assigned_desk} if t.assigned_desk else {}
        if t.parked and t.desk:  # its resident fetching a document: back at its place
            sent = {"from_desk": t.desk, "parked": t.park_reason or ""}
        if t.assigned_person:
            sent["from_person"] = t.assigned_person
        back = changed(q.assign_desk(conn, t.id, None, None))
        self._log(conn, t, EventKind.SENT_BACK, now, dict(sent))
        return back
