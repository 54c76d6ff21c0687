"""Booking: the channel a message goes by, the resident's contact, a free slot held unit by unit,
and the confirmation and reminders queued in the same transaction.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta

from oss_desk.clock import format_instant, parse_instant
from oss_desk.domain.access import Action
from oss_desk.domain.appointments import (
    Appointment,
    Contact,
    Preferred,
    message_reference,
    new_reference,
    normalise_email,
    reminder_covered,
)
from oss_desk.domain.calendar import business_day, clock_said, local
from oss_desk.domain.channel_words import NO_PRINTER
from oss_desk.domain.channels import NOT_SET_UP, PRINT_TO_HINT, BookingChannels
from oss_desk.domain.models import (
    EventKind,
    Service,
    Site,
)
from oss_desk.domain.needs import parse_needs, spoken_languages
from oss_desk.domain.phones import normalise_number
from oss_desk.domain.printouts import print_request
from oss_desk.domain.reminders import parse_schedule
from oss_desk.domain.slots import (
    Slot,
    horizon_said,
    not_free_said,
    resources,
    units,
)
from oss_desk.domain.text import clean_text
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.appointments.base import _preferred
from oss_desk.services.appointments.reading import AppointmentReading
from oss_desk.services.channels import booking_channels
from oss_desk.services.device_owner import queue_print
from oss_desk.services.feedback_queue import check_follow_up
from oss_desk.storage import appointments as a
from oss_desk.storage.feedback_texts import agree_at_booking


class AppointmentBooking(AppointmentReading):
    # Booking ---------------------------------------------------------------------------------

    def route(self, channel: Preferred) -> str | None:
        """How a message by ``channel`` goes: ``smtp``, ``notify`` (None: a slip), or
        :class:`RuleViolation` when the office has not set that channel up."""
        return self._via(channel)

    def channels(self, desk_id: str | None = None, print_to: str | None = None) -> BookingChannels:
        """What can confirm a booking made at ``desk_id`` (this desk), or with ``print_to``."""
        desk = self.s.directory.desks.get(desk_id or self.actor.desk_id or "")
        printer = bool(print_to) or (desk is not None and bool(desk.printer_url))
        return booking_channels(self.s.settings, printer=printer)

    def _check_channel(self, channel: Preferred, channels: BookingChannels) -> None:
        """RuleViolation when ``channel`` cannot confirm a booking here (naming what can)."""
        said = channels.refusal(channel)
        if said is not None:
            slip = channel is Preferred.SLIP or not channels.working
            raise RuleViolation(said, cli_hint=PRINT_TO_HINT if slip else "")

    def _via(self, channel: Preferred) -> str | None:
        """(A message about a booking made already, or a follow-up: its channel is not
        chosen here, so the refusal points nowhere else.)"""
        channels = self.channels()
        if channel is not Preferred.SLIP and not channels.works(channel):
            raise RuleViolation(NOT_SET_UP[channel])
        if channel is Preferred.EMAIL:
            return "smtp" if self.s.settings.email.smtp_url else "notify"
        return "notify" if channel is Preferred.TEXT else None

    def _contact(
        self, channel: Preferred, name: str | None, email: str | None, phone: str | None
    ) -> Contact:
        clean_name = clean_text(name or "", limit=80, what="the name")
        contact = Contact(
            name=clean_name,
            email=normalise_email(email) if email else None,
            phone=normalise_number(phone, texted=channel is Preferred.TEXT) if phone else None,
        )
        if channel is Preferred.EMAIL and not contact.email:
            raise InvalidInput("an email address is needed to send the confirmation by email")
        if channel is Preferred.TEXT and not contact.phone:
            raise InvalidInput("a mobile number is needed to send the confirmation by text")
        return contact

    def _start(self, start: datetime | str, site: Site) -> datetime:
        when = parse_instant(start, "--start") if isinstance(start, str) else start
        now = self.s.clock.now()
        if when < now:
            raise RuleViolation("that time has passed: choose a time from now on")
        if when > now + timedelta(days=self.s.settings.appointments.days_ahead):
            raise RuleViolation(horizon_said(self.s.settings.appointments.days_ahead))
        return when

    def book(
        self,
        service: str,
        start: datetime | str,
        *,
        channel: Preferred | str = Preferred.EMAIL,
        name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        adviser: str | None = None,
        needs: str | Iterable[str] | None = None,
        site_id: str | None = None,
        desk_id: str | None = None,
        print_to: str | None = None,
        rebooked_from: int | None = None,
        arranged_in_visit: int | None = None,
        feedback_text: bool = False,
    ) -> Appointment:
        """Book a free slot; queue the confirmation and reminders (or print the slip).
        ``arranged_in_visit``: the visit at a desk that arranged it (counted as "appointment
        arranged"). ``feedback_text``: the resident agrees to one text after the visit asking
        how we did, at ``phone`` (a mobile)."""
        self._require(Action.BOOK_APPOINTMENT if rebooked_from is None else Action.REBOOK)
        if feedback_text:
            check_follow_up(self.s.settings, phone)
        svc = self.bookable(service)
        site = self.site_for(site_id)
        when = self._start(start, site)  # the time first: a slip is no help on a wrong day
        preferred = _preferred(channel)
        self._check_channel(preferred, self.channels(desk_id, print_to))
        via = self._via(preferred)
        contact = self._contact(preferred, name, email, phone)
        parsed_needs = parse_needs(
            needs if isinstance(needs, str | None) else list(needs),
            spoken=spoken_languages(self.s.settings.staff),
        )
        printer = self._slip_printer(desk_id, print_to) if preferred is Preferred.SLIP else None
        now = self.s.clock.now()
        stamp = format_instant(now)
        with self.s.store.write() as conn:
            slot = self._free_slot(conn, svc, site, when, adviser)
            ref = self._unique_ref(conn)
            appointment = a.insert_appointment(
                conn,
                ref=ref,
                site_id=site.id,
                service=svc.code,
                adviser=slot.adviser,
                room=slot.room,
                starts_at=format_instant(slot.start),
                ends_at=format_instant(slot.end),
                business_day=business_day(slot.start, site.timezone),
                channel=preferred,
                needs=parsed_needs,
                booked_at=stamp,
                booked_by=self.actor.person,
                rebooked_from=rebooked_from,
                arranged_in_visit=arranged_in_visit,
            )
            self._hold(conn, appointment)
            a.save_contact(conn, appointment.id, contact)
            if feedback_text:
                agree_at_booking(conn, appointment.id, by=self.actor.person, now=stamp)
            self._event(
                conn,
                site,
                EventKind.APPOINTMENT_BOOKED,
                appointment,
                {
                    "channel": preferred.value,
                    **({"rebooked_from": rebooked_from} if rebooked_from else {}),
                    **({"arranged_in_visit": arranged_in_visit} if arranged_in_visit else {}),
                },
            )
            if via is not None:
                self._queue(conn, appointment, "confirmation", via, now)
                self._queue_reminders(conn, appointment, via, site, now)
            if printer is not None:
                slip = print_request(self.slip(appointment), printer, self.actor.desk_id)
                queue_print(conn, self.s.store.path, slip, now)
        return appointment

    def _slip_printer(self, desk_id: str | None, print_to: str | None) -> str:
        if print_to:
            from oss_desk.domain.devices import parse_printer_url

            return parse_printer_url(print_to).url
        desk = self.s.directory.desks.get(desk_id or self.actor.desk_id or "")
        if desk is None or not desk.printer_url:  # (refused before: see _check_channel)
            raise RuleViolation(NO_PRINTER, cli_hint=PRINT_TO_HINT)
        return desk.printer_url

    def _free_slot(
        self,
        conn: sqlite3.Connection,
        svc: Service,
        site: Site,
        when: datetime,
        adviser: str | None,
    ) -> Slot:
        local_day = local(when, site.timezone).date()
        candidates = [
            slot
            for slot in self.slots(
                svc.code, local_day, 1, adviser=adviser, site_id=site.id, conn=conn
            )
            if slot.start == when
        ]
        if not candidates:
            closed = self.closed_said(local_day, site.id)
            if closed:
                raise RuleViolation(f"{closed}; choose another day")
            wall = local(when, site.timezone)
            taken = f"{wall:%a %d %b} {clock_said(wall)}"
            with_whom = f" with {self.s.name_of(adviser)}" if adviser else ""
            why = self._not_free(when, adviser, svc, site, conn)
            raise RuleViolation(
                f"{taken} is not free for {svc.name}{with_whom}: "
                + (f"{why}; " if why else "")
                + "choose another slot"
            )
        return candidates[0]

    def _not_free(
        self,
        when: datetime,
        adviser: str | None,
        svc: Service,
        site: Site,
        conn: sqlite3.Connection,
    ) -> str:
        """Why ``when`` (with ``adviser``) is not free for ``svc`` at ``site``
        (``domain.slots.not_free_said``; "" when no rule says)."""
        calendar = self.calendar(site)
        if adviser is not None and adviser not in {a.id for a in calendar.advisers}:
            return f"{self.s.name_of(adviser)} takes no appointments"
        day = local(when, site.timezone).date()
        ahead = self.s.settings.appointments.days_ahead
        if day > local(self.s.clock.now(), site.timezone).date() + timedelta(days=ahead):
            return horizon_said(ahead)
        busy, absent = self._taken(conn, site, day, day)
        now = self.s.clock.now()
        return not_free_said(
            calendar, svc, when, busy=busy, absent=absent, not_before=now, adviser=adviser
        )

    def _hold(self, conn: sqlite3.Connection, appointment: Appointment) -> None:
        held = resources(appointment.adviser, appointment.room)
        try:
            a.hold(conn, appointment.id, held, units(appointment.starts_at, appointment.ends_at))
        except a.SlotTaken:
            raise RuleViolation(
                "that slot was taken at another desk a moment ago: choose another"
            ) from None

    def _unique_ref(self, conn: sqlite3.Connection) -> str:
        for _ in range(20):
            ref = new_reference()
            if not a.ref_exists(conn, ref):
                return ref
        raise RuntimeError("could not make a unique booking reference")

    def _queue(
        self, conn: sqlite3.Connection, appointment: Appointment, kind: str, via: str, due: datetime
    ) -> None:
        reference = message_reference(appointment.id, kind, secrets.token_hex(4))
        channel = "text" if appointment.channel is Preferred.TEXT else "email"
        site = self.s.site_ever(appointment.site_id)
        self._event(
            conn,
            site,
            EventKind.MESSAGE_QUEUED,
            appointment,
            {"kind": kind, "channel": channel, "due": format_instant(due)},
        )
        a.queue_message(
            conn,
            appointment_id=appointment.id,
            kind=kind,
            channel=channel,
            via=via,
            version=appointment.version,
            due_at=format_instant(due),
            reference=reference,
            now=format_instant(self.s.clock.now()),
        )

    def _queue_reminders(
        self,
        conn: sqlite3.Connection,
        appointment: Appointment,
        via: str,
        site: Site,
        now: datetime,
    ) -> None:
        workdays = self.workdays(site)
        for text in self.s.settings.appointments.reminders:
            due = parse_schedule(text).due(appointment.starts_at, site.timezone, workdays)
            if not reminder_covered(due, now):  # one due already: the confirmation says it
                self._queue(conn, appointment, "reminder", via, due)
