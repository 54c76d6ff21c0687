"""Appointments looked up and read: by reference, between days, a resident's contact details
(a recorded read of personal data), messages and the printed slip.
"""

from __future__ import annotations

import sqlite3

from oss_desk.domain.access import Action
from oss_desk.domain.appointments import (
    Appointment,
    AppointmentStatus,
    Contact,
    booking_qr,
    parse_reference,
)
from oss_desk.domain.codes import MAX_ROW_ID
from oss_desk.domain.models import (
    EventKind,
)
from oss_desk.domain.printouts import SlipPrintout
from oss_desk.domain.text import shown
from oss_desk.errors import NotFound, RuleViolation
from oss_desk.services.appointments.base import AppointmentBase, said
from oss_desk.storage import appointments as a


class AppointmentReading(AppointmentBase):
    def find(self, ref: str | int) -> Appointment:
        conn = self.s.store.conn
        number = ref if isinstance(ref, int) else int(ref) if ref.strip().isdigit() else None
        if number is not None:
            found = a.get_appointment(conn, id=number) if 0 < number <= MAX_ROW_ID else None
            named = str(ref)
        else:  # typed or scanned (OSSD-A:...): named as the booking's reference, as the desk does
            named = parse_reference(str(ref))
            found = a.get_appointment(conn, ref=named)
        if found is None:
            raise NotFound(f"no appointment {shown(named)!r}")
        return found

    def look_up(self, ref: str | int) -> Appointment:
        """An appointment looked up by a person (``appointment show``, Find)."""
        self._require(Action.VIEW_APPOINTMENTS)
        return self.find(ref)

    def _find_in(self, conn: sqlite3.Connection, ref: str | int) -> Appointment:
        return self.find(ref)

    def _find_booked(
        self, conn: sqlite3.Connection, ref: str | int, cannot: str, action: Action | None = None
    ) -> Appointment:
        """The appointment ``ref``, still booked (``action``: the actor may do it to this one);
        else refused, ``cannot`` saying what it cannot be now ("moved")."""
        appt = self._find_in(conn, ref)
        if action is not None:
            self._require(action, appt)
        if appt.status is AppointmentStatus.BOOKED:
            return appt
        if appt.status is AppointmentStatus.CANCELLED and cannot == "cancelled":
            raise RuleViolation(f"{appt.ref} was cancelled already")
        if not appt.status.kept:  # never checked in (cancelled): not "again"
            cannot = cannot.removesuffix(" again")
        raise RuleViolation(f"{appt.ref} {said(appt.status)}: it cannot be {cannot}")

    # Reading ---------------------------------------------------------------------------------

    def between(
        self, first_day: str, last_day: str, site_id: str | None = None
    ) -> list[Appointment]:
        self._require(Action.VIEW_APPOINTMENTS)
        site = self.site_for(site_id)
        return a.appointments_between(self.s.store.conn, site.id, first_day, last_day)

    def booked_with(self, person: str, first_day: str, last_day: str) -> list[Appointment]:
        """Appointments still booked with ``person`` on those days (every office)."""
        found = a.appointments_between(self.s.store.conn, None, first_day, last_day)
        return [x for x in found if x.adviser == person and x.status is AppointmentStatus.BOOKED]

    def for_ticket(self, ticket_id: int) -> Appointment | None:
        """The appointment a checked-in resident's ticket was issued for."""
        return a.appointment_for_ticket(self.s.store.conn, ticket_id)

    def reachable(self, appointment: Appointment) -> bool:
        """Whether the booking holds a phone or an email for its resident (not what they are):
        how a council change owed by hand is told (``domain.appointments.how_to_tell``)."""
        with self.s.store.read() as conn:
            return appointment.id in a.reachable(conn, [appointment.id])

    def contact(self, appointment: Appointment, where: str = "lookup") -> Contact | None:
        """The resident's contact details, for a person allowed to see them, and with them the
        reason given for cancelling (``appointment.cancel_reason``: shown only beside these). A
        read of personal data: recorded in the event log (who, where, which fields; never the
        values)."""
        self._require(Action.VIEW_CONTACT, appointment)
        with self.s.store.write() as conn:
            contact = a.contact_of(conn, appointment.id)
            fields = [
                name
                for name, value in (
                    ("name", contact.name if contact else None),
                    ("email", contact.email if contact else None),
                    ("phone", contact.phone if contact else None),
                    ("cancel reason", appointment.cancel_reason),
                )
                if value
            ]
            if fields:
                self._event(
                    conn,
                    self.s.site_ever(appointment.site_id),
                    EventKind.PERSONAL_DATA_VIEWED,
                    appointment,
                    {"fields": fields, "where": where},
                )
        return contact

    def messages(self, appointment: Appointment) -> list[a.Message]:
        return a.messages_for(self.s.store.conn, appointment.id)

    def slip(self, appt: Appointment) -> SlipPrintout:
        from oss_desk.services.resident import slip_printout

        return slip_printout(self.s, appt, booking_qr(appt.ref))
