"""A visit's history read back at the desk: what happened (arrival, calls, transfers, parking,
services, outcome) and its notes, and for a resident with an appointment the booking's history
and the notes of the visit that arranged it. Reading notes is a read of personal data, so it is
recorded (who, where, when, which visit; never what the notes say)."""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.access import Action, Scope
from oss_desk.domain.appointments import Appointment
from oss_desk.domain.calendar import local, says_days, says_zones, time_said
from oss_desk.domain.codes import code_said
from oss_desk.domain.counter import PARK_REASONS
from oss_desk.domain.delivery import PAPER_AGAIN
from oss_desk.domain.models import Actor, EventKind, Ticket
from oss_desk.domain.visit_story import cancelled_said, ended_at_a_desk
from oss_desk.services.events import of_ticket, record_viewed
from oss_desk.services.queue import QueueService
from oss_desk.services.session import AUTOMATION, Session
from oss_desk.storage import appointments as a
from oss_desk.storage import queue as q
from oss_desk.storage.events import EventRow, events_for_visit


@dataclass(frozen=True, slots=True)
class Line:
    at: datetime
    what: str
    person: str | None = None
    """Who did it as recorded (a staff id, or a login not on the staff list)."""
    desk: str | None = None
    note: str | None = None
    """A note's text (personal data: shown only to whoever may read the visit's notes)."""
    name: str | None = None
    """The person's name as every screen says it (the staff list's name; None when nobody at a
    desk did it: the device worker, closing time)."""


@dataclass(frozen=True, slots=True)
class History:
    ticket: Ticket
    lines: list[Line]
    notes_shown: bool
    """The visit's notes are among the lines (False: none, or not this person's to read)."""
    booking: Appointment | None = None
    booking_lines: list[Line] = field(default_factory=list)
    """The booking's own history and the visit that arranged it (with its notes)."""

    def as_json(self) -> dict[str, Any]:
        def lines(found: list[Line]) -> list[dict[str, Any]]:
            return [
                {
                    "at": format_instant(line.at),
                    "what": line.what,
                    "person": line.person,
                    "person_name": line.name,
                    "desk": line.desk,
                    "note": line.note,
                }
                for line in found
            ]

        return {
            "ticket": self.ticket.code,
            "visit": self.ticket.visit_id,
            "lines": lines(self.lines),
            "notes_shown": self.notes_shown,
            "booking": self.booking.ref if self.booking else None,
            "booking_lines": lines(self.booking_lines),
        }

    def lines_text(self, timezone: str, today: date, sites: int = 1) -> list[str]:
        """The history in lines; each with its day too when any of it is not today's (a
        booking made last week, the visit today; an earlier day's visit:
        :func:`~oss_desk.domain.calendar.time_said`)."""
        every = [line.at for line in self.lines + self.booking_lines]
        dated, zoned = says_days(every, timezone, today), says_zones(every, timezone)

        def text(line: Line) -> str:
            return line_text(line, time_said(line.at, timezone, today, dated=dated, zoned=zoned))

        out = [f"Visit of {code_said(self.ticket.code, self.ticket.id, sites)}"]
        out += [text(line) for line in self.lines]
        if not self.notes_shown:
            out.append("  (notes, if any, are not yours to read)")
        if self.booking is not None:
            out.append(f"Appointment {self.booking.ref}")
            out += [text(line) for line in self.booking_lines]
        return out

    def text(self, session: Session) -> list[str]:
        timezone = session.site_ever(self.ticket.site_id).timezone
        today = local(session.clock.now(), timezone).date()
        return self.lines_text(timezone, today, len(session.directory.sites))


def line_text(line: Line, when: str) -> str:
    who = f"  ({line.name}" + (f", {line.desk})" if line.desk else ")") if line.name else ""
    body = f"  {when}  {line.what}{who}"
    indent = " " * (len(when) + 4)  # the note under the line's words
    return body + (f"\n{indent}{line.note}" if line.note else "")


class VisitHistory:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor
        self.queue = QueueService(session, self.actor)

    def of_ticket(self, ref: str | int) -> History:
        """The history of the ticket's visit (and of its booking, when it came by
        appointment). The notes are read only when the person may read them; that read is
        recorded."""
        ticket = self.queue.look_up(ref)
        with self.s.store.write() as conn:
            may_read = self._may_read_notes(conn, ticket)
            lines = self._visit_lines(conn, ticket.visit_id, may_read)
            booking = a.appointment_for_ticket(conn, ticket.id)
            booking_lines: list[Line] = []
            if booking is not None:
                booking_lines = self._booking_lines(conn, booking, may_read)
            read = [line for line in lines + booking_lines if line.note is not None]
            if read:
                self._recorded(conn, ticket, len(read))
        return History(ticket, lines, may_read, booking, booking_lines)

    def _may_read_notes(self, conn: sqlite3.Connection, ticket: Ticket) -> bool:
        if self.s.scope(Action.VIEW_NOTES, self.actor) is Scope.OWN:
            return self.queue.owns(conn, ticket, whole_visit=True)
        return self.s.may(Action.VIEW_NOTES, self.actor)

    def _visit_lines(self, conn: sqlite3.Connection, visit_id: int, notes: bool) -> list[Line]:
        texts = {}
        if notes:
            texts = {
                int(n[0]): n[3]
                for n in conn.execute(
                    "SELECT id, at, actor, text FROM visit_notes WHERE visit_id = ?", [visit_id]
                )
            }
        return self.event_lines(conn, events_for_visit(conn, visit_id), texts, notes=notes)

    def event_lines(
        self,
        conn: sqlite3.Connection,
        events: list[EventRow],
        texts: dict[int, str] | None = None,
        *,
        notes: bool = False,
    ) -> list[Line]:
        """The visit's ``events`` in lines; ``notes``: with the notes' ``texts`` (else a note
        added is a line without its text); ``texts`` None: no line for a note at all (a story
        for staff, where notes are not read)."""
        found = []
        for event in events:
            what = self._words(conn, event)
            if what is None or (texts is None and event.kind == EventKind.NOTE_ADDED.value):
                continue
            note = None
            if event.kind == EventKind.NOTE_ADDED.value:
                note = (texts or {}).get(int(event.data.get("note", 0)))
                if note is None and notes:
                    note = "(deleted on the retention schedule)"
            person: str | None = event.actor
            desk = self._desk(event.desk_id)
            if not ended_at_a_desk(event.kind, event.data):  # a close of day: the desk is
                desk = None  # only the ticket's, not where whoever closed the day was
                if event.data.get("automatic") is True:
                    person = None  # closing time closed it: nobody did
            found.append(Line(read_instant(event.at), what, person, desk, note, self._name(person)))
        return found

    def _booking_lines(
        self, conn: sqlite3.Connection, booking: Appointment, notes: bool
    ) -> list[Line]:
        found = [
            Line(
                read_instant(r[0]), self._booking_words(r[1], booking), r[2], name=self._name(r[2])
            )
            for r in conn.execute(
                "SELECT at, kind, actor FROM events WHERE appointment_id = ? ORDER BY id",
                [booking.id],
            )
        ]
        if booking.arranged_in_visit is not None:
            arranged = self._visit_lines(conn, booking.arranged_in_visit, notes)
            found += [dataclasses.replace(x, what="arranged in: " + x.what) for x in arranged]
        return sorted(found, key=lambda line: line.at)

    def _recorded(self, conn: sqlite3.Connection, ticket: Ticket, count: int) -> None:
        site = self.s.site_ever(ticket.site_id)
        viewed = (["notes"], count, "visit history")
        record_viewed(conn, site, self.s.clock.now(), self.actor, viewed, **of_ticket(ticket))

    def _name(self, person: str | None) -> str | None:
        """The person's name (a login not on the staff list as it is); None for the device
        worker, which acts on its own (sent a message, closed a day): nobody to name."""
        if person is None or person in AUTOMATION:
            return None
        return self.s.name_of(person)

    def _desk(self, desk_id: str | None) -> str | None:
        return None if desk_id is None else self.s.desk_name(desk_id)

    def _service(self, code: str | None) -> str:
        svc = self.s.directory.services.get(code or "")
        return svc.name if svc else (code or "")

    def _code(self, conn: sqlite3.Connection, ticket_id: object) -> str:
        found = q.get_ticket(conn, int(ticket_id)) if isinstance(ticket_id, int) else None
        return found.code if found else "?"

    def _words(self, conn: sqlite3.Connection, e: EventRow) -> str | None:
        """What an event of the visit says, in words (None: not shown)."""
        kind, data = e.kind, e.data
        ticket = self._code(conn, e.ticket_id)
        service = self._service(e.service_code)
        outcome = e.outcome or ""
        words = {
            EventKind.ARRIVED.value: f"arrived for {service}",
            EventKind.TICKET_ISSUED.value: f"ticket {ticket} ({service})",
            EventKind.CALLED.value: f"{ticket} called",
            EventKind.RECALLED.value: f"{ticket} called again",
            EventKind.SERVING.value: f"{ticket} at the desk",
            EventKind.TRANSFERRED.value: f"{ticket} transferred" + _sent(self, data),
            EventKind.PARKED.value: f"{ticket} parked: "
            + PARK_REASONS.get(str(data.get("reason")), "parked"),
            EventKind.RESUMED.value: f"{ticket} resumed",
            EventKind.RECYCLED.value: f"{ticket} back in the queue (did not hear the call)",
            EventKind.SENT_BACK.value: f"{ticket} back in the queue ("
            + (
                f"{self._desk(str(data['from_desk']))} closed"
                if "from_desk" in data
                else f"{self.s.name_of(str(data.get('from_person', '')))} logged out"
            )
            + ")",
            EventKind.SERVICE_ADDED.value: f"also {service}",
            EventKind.SERVICE_REMOVED.value: f"{service} taken off",
            EventKind.SERVICE_DELIVERED.value: f"{service}: {outcome}",
            EventKind.FINISHED.value: "finished: "
            + (
                str(data.get("own_outcome")) + f" (visit: {outcome})"
                if "own_outcome" in data
                else outcome
            ),
            EventKind.NO_SHOW.value: f"{ticket} did not come",
            EventKind.NO_SHOW_UNDONE.value: f"{ticket} came after all (no-show taken back)"
            + (f"; {PAPER_AGAIN}: queued to print again" if "job" in data else ""),
            EventKind.CANCELLED.value: f"{ticket} {cancelled_said(data)}",
            EventKind.NOTE_ADDED.value: "note",
            EventKind.APPOINTMENT_CHECKED_IN.value: "checked in for an appointment",
            EventKind.APPOINTMENT_BOOKED.value: "appointment booked",
        }
        return words.get(kind)

    def _booking_words(self, kind: str, booking: Appointment) -> str:
        return {
            EventKind.APPOINTMENT_BOOKED.value: f"booked: {self._service(booking.service)}",
            EventKind.APPOINTMENT_MOVED.value: "moved",
            EventKind.APPOINTMENT_CANCELLED.value: "cancelled",
            EventKind.APPOINTMENT_CHECKED_IN.value: "checked in",
            EventKind.APPOINTMENT_NO_SHOW.value: "did not come",
            EventKind.APPOINTMENT_INCOMPLETE.value: "came without the documents",
            EventKind.CHECKLIST_TICKED.value: "documents ticked",
            EventKind.MESSAGE_QUEUED.value: "message queued",
            EventKind.MESSAGE_SENT.value: "message sent",
            EventKind.MESSAGE_FAILED.value: "message failed",
        }.get(kind, kind.replace("_", " "))


def _sent(history: VisitHistory, data: dict[str, Any]) -> str:
    parts = []
    if "to_service" in data:
        parts.append(f" to {history._service(str(data['to_service']))}")
    if "to_desk" in data:
        parts.append(f" to {history._desk(str(data['to_desk']))}")
    if "to_person" in data:
        parts.append(f" to {history.s.name_of(str(data['to_person']))}")
    return "".join(parts)
