"""What a desk records besides the queue moving: notes on a visit (personal data, kept apart
from the event log and purged on schedule), reprints, and the desk's own status."""

from __future__ import annotations

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.models import DeskStatus, EventKind, Ticket
from oss_desk.domain.notes import NOTE_LIMIT, NOTE_TOO_LONG
from oss_desk.domain.text import clean_text, shown
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.queue.core import Ref
from oss_desk.services.queue.tickets import Issuing
from oss_desk.storage import queue as q
from oss_desk.storage.counter import log_out, login_at
from oss_desk.storage.outbox import last_printer_for_ticket
from oss_desk.storage.site import desk_statuses, set_desk_status


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

    def reprint(self, ref: Ref, printer_url: str | None = None) -> int:
        """Queue the ticket to be printed again: on ``printer_url``, else this desk's printer,
        else the printer it was first sent to, else the office's meet-and-greet printer."""
        self._require(Action.REPRINT)
        now = self.s.clock.now()
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
                    "no printer is set up for this desk or this office",
                    cli_hint="give one with --print-to URL",
                )
            return self._print_ticket(conn, ticket, target, now, desk, reprint=True)

    # Desks -----------------------------------------------------------------------------------

    def set_desk_status(self, desk_id: str | None, status: DeskStatus | str) -> DeskStatus:
        """Open a desk, put it on a break, or close it (which logs out whoever is at it).
        Returns the previous status. With ``queue.staffed_desks_only`` a desk opens only while
        someone is logged in to it."""
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
                    f"nobody is logged in to {desk.name}: it opens when someone logs in there",
                    cli_hint=f"oss-desk desks login {desk.id}",
                )
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
                    site,
                    EventKind.DESK_STATUS,
                    now,
                    desk_id=desk.id,
                    data={"from": previous.value, "to": wanted.value},
                )
                self._mark_desk(conn, desk.id, now)
            if wanted is DeskStatus.CLOSED and held is not None:
                log_out(conn, desk.id)
                data: dict[str, object] = (
                    {} if held.person == self.actor.person else {"person": held.person}
                )
                self._event(
                    conn, site, EventKind.DESK_LOGOUT, now, desk_id=desk.id, data=data or None
                )
        return previous

    def desk_statuses(self) -> dict[str, DeskStatus]:
        return desk_statuses(self.s.store.conn)

    def current_ticket(self, desk_id: str) -> Ticket | None:
        return q.desk_ticket(self.s.store.conn, self.s.desk(desk_id).id)
