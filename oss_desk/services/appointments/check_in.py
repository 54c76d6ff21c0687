"""Check-in (a visit and a priority ticket), the documents checklist, attended without them
(incomplete) and rebooking.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from oss_desk.clock import read_instant
from oss_desk.domain.access import Action
from oss_desk.domain.appointments import (
    Appointment,
    AppointmentStatus,
    Contact,
    late_minutes,
    rebook_seen_said,
)
from oss_desk.domain.calendar import business_day, clock_said, day_said, local, when_said
from oss_desk.domain.check_in import (
    WALK_IN_HINT,
    another_day_said,
    cancelled_said,
    elsewhere_said,
)
from oss_desk.domain.models import (
    Channel,
    Desk,
    DeskStatus,
    EventKind,
    Joining,
    Outcome,
    Site,
    Ticket,
    TicketStatus,
)
from oss_desk.domain.queue import priority_for
from oss_desk.domain.site_change import site_gone_said
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.appointments.base import ACTIVE_KINDS, said
from oss_desk.services.appointments.booking import AppointmentBooking
from oss_desk.services.feedback_queue import consent_at_check_in
from oss_desk.services.message_fates import settle_on_change
from oss_desk.services.queue import Issued, QueueService
from oss_desk.services.queue.day_end import refuse_if_closed
from oss_desk.storage import appointments as a
from oss_desk.storage import events


class AppointmentCheckIn(AppointmentBooking):
    # Check-in ---------------------------------------------------------------------------------

    def check_in(self, ref: str | int) -> Ticket:
        """:meth:`arrive`'s ticket."""
        return self.arrive(ref).ticket

    def arrive(self, ref: str | int, *, print_ticket: bool = True) -> Issued:
        """The resident has arrived: a visit (arrival now) and a priority ticket, sent to the
        interview room when the appointment has one, else to their adviser's own desk (the desk
        the configuration puts them at) when it is open or on a break. The ticket is printed at
        the desk checking them in when it has a printer, as a walk-in's is (its code is what the
        board will call); the print job comes back with it."""
        self._require(Action.CHECK_IN)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            found = self._find_in(conn, ref)
            if found.status is AppointmentStatus.NO_SHOW:
                raise RuleViolation(
                    f"{found.ref} {said(found.status)}: it cannot be checked in now "
                    f"({WALK_IN_HINT})"
                )
            if found.status is AppointmentStatus.CANCELLED:
                raise RuleViolation(self._cancelled_said(conn, found))
            appt = self._find_booked(conn, ref, "checked in again")
            site = self.s.directory.sites.get(appt.site_id)
            if site is None:  # no desk there would call the resident
                raise RuleViolation(
                    f"{site_gone_said(appt.site_id)}: {appt.ref} cannot be checked in there "
                    f"({WALK_IN_HINT})"
                )
            desk = self._greeting_desk(appt, site)
            today = business_day(now, site.timezone)
            if appt.business_day != today:
                raise RuleViolation(another_day_said(appt.ref, _day(appt.business_day, today)))
            early = timedelta(minutes=self.s.settings.appointments.early_check_in_minutes)
            if now < appt.starts_at - early:
                wall = local(appt.starts_at, site.timezone)
                opens = local(appt.starts_at - early, site.timezone)
                raise RuleViolation(
                    f"{appt.ref} is at {clock_said(wall)}: check-in opens at {clock_said(opens)} "
                    f"({WALK_IN_HINT})"
                )
            refuse_if_closed(self.s, conn, site, now)
            queue = QueueService(self.s, self.actor)
            sent_to = appt.room or self._advisers_desk(conn, appt)
            priority = priority_for(appointment=True)
            joining = Joining(appt.service, priority, appt.needs, Channel.APPOINTMENT, sent_to)
            ticket = queue.arrival_with_ticket(conn, site, joining, now=now, desk=desk)
            printer = queue._printer_for(desk, None) if print_ticket else None
            job = queue._print_ticket(conn, ticket, printer, now, desk) if printer else None
            came = a.update_appointment(
                conn,
                appt.id,
                status=AppointmentStatus.CHECKED_IN.value,
                visit_id=ticket.visit_id,
                ticket_id=ticket.id,
            )
            settle_on_change(conn, self.s, appt, came, ACTIVE_KINDS, now)
            self._event(
                conn,
                site,
                EventKind.APPOINTMENT_CHECKED_IN,
                appt,
                {
                    "ticket": ticket.id,
                    "late_minutes": late_minutes(appt.starts_at, now),
                },
                at=now,
            )
            consent_at_check_in(conn, site, appt.id, ticket, self.actor)
        return Issued(ticket=ticket, print_job=job)

    def _cancelled_said(self, conn: sqlite3.Connection, appt: Appointment) -> str:
        """Why a cancelled booking is not checked in: by whom and when it was cancelled."""
        at = events.appointment_last_at(conn, appt.id, EventKind.APPOINTMENT_CANCELLED.value)
        site = self.s.site_ever(appt.site_id)
        today = date.fromisoformat(self.s.today(site))
        when = when_said(read_instant(at), site.timezone, today) if at else None
        return cancelled_said(appt.ref, appt.cancelled_by, when)

    def _greeting_desk(self, appt: Appointment, site: Site) -> Desk | None:
        """The desk checking the resident in (this terminal's; None without one). A desk at
        another office is refused: the ticket would wait where the booking is, called by no
        board the resident can see."""
        desk_id = self.actor.desk_id
        desk = self.s.directory.desks.get(desk_id) if desk_id else None
        if desk is None or desk.site_id == site.id:
            return desk
        here = self.s.directory.sites.get(desk.site_id)
        raise RuleViolation(
            elsewhere_said(appt.ref, site.name, here.name if here else desk.site_id)
        )

    def _advisers_desk(self, conn: sqlite3.Connection, appt: Appointment) -> str | None:
        """The desk the configuration puts the appointment's adviser at, if it serves the
        service at that office and is not closed, nor open with nobody logged in to it (there
        the ticket would wait unseen: then any desk serving the service calls it)."""
        states = QueueService(self.s, self.actor).desk_states_in(conn)
        for config in self.s.settings.desks:
            desk = self.s.directory.desks.get(config.id)
            if config.person != appt.adviser or desk is None:
                continue
            if desk.site_id != appt.site_id or not desk.serves(appt.service):
                continue
            if states.get(desk.id, DeskStatus.CLOSED) is DeskStatus.CLOSED:
                continue
            return desk.id
        return None

    def tick(self, ref: str | int, items: Iterable[str]) -> Appointment:
        """Record which documents of the service's checklist the resident brought."""
        self._require(Action.TICK_CHECKLIST)
        with self.s.store.write() as conn:
            appt = self._find_in(conn, ref)
            checklist = self.s.directory.services[appt.service].checklist
            chosen = [item for item in items]
            unknown = [item for item in chosen if item not in checklist]
            if unknown:
                raise InvalidInput(f"{shown(unknown[0])!r} is not on the checklist")
            ordered = [item for item in checklist if item in chosen]
            result = a.update_appointment(conn, appt.id, checklist_ticked=json.dumps(ordered))
            self._event(
                conn,
                self.s.site_ever(appt.site_id),
                EventKind.CHECKLIST_TICKED,
                result,
                {"ticked": len(ordered), "of": len(checklist)},
            )
        return result

    def incomplete(self, ref: str | int) -> Appointment:
        """Attended without the documents: the appointment ends (its ticket finished as
        needing an appointment) so that a new one can be booked."""
        self._require(Action.REBOOK)
        with self.s.store.write() as conn:
            appt = self._find_in(conn, ref)
            self._require(Action.REBOOK, appt)
            if appt.status not in (AppointmentStatus.CHECKED_IN, AppointmentStatus.ATTENDED):
                raise RuleViolation(f"{appt.ref} has not been checked in")
            if appt.ticket_id is not None:
                queue = QueueService(self.s, self.actor)
                ticket = queue.ticket(appt.ticket_id)
                if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING):
                    queue._finish(ticket.id, Outcome.APPOINTMENT, check=False)
                elif ticket.status is TicketStatus.WAITING:
                    queue._cancel(ticket.id, "error")
            result = a.update_appointment(conn, appt.id, status=AppointmentStatus.INCOMPLETE.value)
            self._event(
                conn,
                self.s.site_ever(appt.site_id),
                EventKind.APPOINTMENT_INCOMPLETE,
                result,
                {"ticked": len(appt.checklist_ticked)},
            )
        return result

    def rebook(
        self,
        ref: str | int,
        start: datetime | str,
        *,
        adviser: str | None = None,
        desk_id: str | None = None,
        seen_incomplete: bool = False,
    ) -> Appointment:
        """A new appointment for the same service, resident and (unless another is chosen)
        adviser, after they came without the documents (or did not come). A booking already
        seen is marked as come without the documents only when ``seen_incomplete`` says so
        (the desk asked, or ``--incomplete``): else refused, saying what it would do."""
        self._require(Action.REBOOK)
        with self.s.store.write() as conn:
            old = self._find_in(conn, ref)
            self._require(Action.REBOOK, old)
            if old.status in (AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED):
                hint = "move it instead" if old.status is AppointmentStatus.BOOKED else "book anew"
                raise RuleViolation(f"{old.ref} {said(old.status)}: {hint}")
            again = a.rebooking_of(conn, old.id)
            if again is not None:
                raise RuleViolation(f"{old.ref} has been rebooked already, as {again.ref}")
            if old.status is AppointmentStatus.ATTENDED and not seen_incomplete:
                refused = rebook_seen_said(old.ref, asking=False)
                raise RuleViolation(refused, cli_hint="if so, add --incomplete")
            if old.status in (AppointmentStatus.CHECKED_IN, AppointmentStatus.ATTENDED):
                self.incomplete(old.id)
            contact = a.contact_of(conn, old.id) or Contact()
            return self.book(
                old.service,
                start,
                channel=old.channel,
                name=contact.name,
                email=contact.email,
                phone=contact.phone,
                adviser=adviser or old.adviser,
                needs=old.needs,
                site_id=old.site_id,
                desk_id=desk_id,
                rebooked_from=old.id,
            )


def _day(day: str, today: str) -> str:
    """A booking's day as the desk's lines say it ("Fri 18 Dec")."""
    return day_said(date.fromisoformat(day), date.fromisoformat(today))
