"""Appointments: free slots, book, move, cancel, no-show, check-in, and the messages they cause.

Every change is one ``BEGIN IMMEDIATE`` transaction that also commits its events and its
messages (confirmation, reminders, change or cancellation notice), so a message is never sent for
a booking that did not happen and never forgotten for one that did. The time an appointment
holds is recorded unit by unit under a UNIQUE key: two desks booking the same adviser or room at
the same moment cannot both succeed.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from oss_desk.clock import format_instant, parse_instant
from oss_desk.domain.access import Action, Scope
from oss_desk.domain.appointments import (
    QR_PREFIX,
    Appointment,
    AppointmentStatus,
    Contact,
    Preferred,
    message_reference,
    new_reference,
    normalise_email,
    normalise_phone,
    parse_reference,
)
from oss_desk.domain.calendar import WEEKDAYS, business_day, local, parse_date, parse_hours, zone
from oss_desk.domain.models import (
    Actor,
    Channel,
    Desk,
    DeskStatus,
    EventKind,
    Joining,
    Outcome,
    Service,
    Site,
    Ticket,
    TicketStatus,
)
from oss_desk.domain.needs import parse_needs
from oss_desk.domain.printouts import SlipPrintout, to_payload
from oss_desk.domain.queue import priority_for
from oss_desk.domain.reminders import parse_schedule
from oss_desk.domain.slots import (
    Adviser,
    Calendar,
    Room,
    Slot,
    free_slots,
    parse_pattern,
    unit_of,
    units,
)
from oss_desk.domain.text import shown
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session
from oss_desk.storage import appointments as a
from oss_desk.storage.events import append_event
from oss_desk.storage.outbox import queue_print_job
from oss_desk.storage.site import desk_status

ACTIVE_KINDS = ("confirmation", "reminder", "change")

_SAID = {
    AppointmentStatus.BOOKED: "is still booked",
    AppointmentStatus.CHECKED_IN: "is already checked in",
    AppointmentStatus.ATTENDED: "has already been seen",
    AppointmentStatus.INCOMPLETE: "was attended without the documents",
    AppointmentStatus.NO_SHOW: "was a no-show",
    AppointmentStatus.CANCELLED: "was cancelled",
}


def said(status: AppointmentStatus) -> str:
    """An appointment's status in a sentence: "is already checked in"."""
    return _SAID[status]


class AppointmentService:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    # Roles -------------------------------------------------------------------------------------

    def _require(self, action: Action, appt: Appointment | None = None) -> None:
        """Refuse unless the actor's role may do ``action`` (on ``appt``: for a role allowed
        only its own, an appointment booked with them)."""
        own = None
        if appt is not None and self.s.scope(action, self.actor) is Scope.OWN:
            own = appt.adviser == self.actor.person
        self.s.require(action, self.actor, own=own)

    def may(self, action: Action, appt: Appointment | None = None) -> bool:
        own = None if appt is None else appt.adviser == self.actor.person
        return self.s.may(action, self.actor, own=own)

    # The calendar ----------------------------------------------------------------------------

    def site_for(self, site_id: str | None = None) -> Site:
        if site_id is None and self.actor.desk_id in self.s.directory.desks:
            site_id = self.s.directory.desks[self.actor.desk_id].site_id
        return self.s.site(site_id)

    def workdays(self, site: Site) -> WorkingDays:
        config = next(s for s in self.s.settings.sites if s.id == site.id)
        return WorkingDays.for_office(config.nation, config.closures, config.opening_hours)

    def calendar(self, site: Site) -> Calendar:
        config = next(s for s in self.s.settings.sites if s.id == site.id)
        advisers = []
        for person in self.s.settings.staff:
            taken = person.takes_appointments()
            if taken == []:
                continue
            advisers.append(
                Adviser(
                    id=person.id,
                    name=person.name,
                    services=None if taken == "*" else frozenset(taken),
                    pattern={day: parse_pattern(text) for day, text in person.works.items()},
                )
            )
        rooms = [
            Room(d.id, d.name, frozenset(d.services))
            for d in self.s.directory.desks.values()
            if d.site_id == site.id and d.private_room
        ]
        return Calendar(
            timezone=site.timezone,
            opening_hours=dict(config.opening_hours),
            workdays=self.workdays(site),
            advisers=tuple(advisers),
            rooms=tuple(rooms),
            step_minutes=self.s.settings.appointments.step_minutes,
        )

    def bookable(self, code: str) -> Service:
        svc = QueueService(self.s, self.actor).service(code)
        if not svc.appointment_minutes:
            raise RuleViolation(f"{svc.name} is walk-in only: it takes no appointments")
        return svc

    def slots(
        self,
        service: str,
        first_day: date | str | None = None,
        days: int = 7,
        *,
        adviser: str | None = None,
        limit: int | None = None,
        site_id: str | None = None,
        conn: sqlite3.Connection | None = None,
    ) -> list[Slot]:
        """Free slots for ``service`` over ``days`` days from ``first_day`` (default today)."""
        self._require(Action.VIEW_APPOINTMENTS)
        svc = self.bookable(service)
        assert svc.appointment_minutes is not None
        site = self.site_for(site_id)
        now = self.s.clock.now()
        tz = zone(site.timezone)
        start_day = (
            parse_date(first_day, "date")
            if isinstance(first_day, str)
            else first_day or now.astimezone(tz).date()
        )
        days = max(1, min(days, self.s.settings.appointments.days_ahead))
        last_bookable = now.astimezone(tz).date() + timedelta(
            days=self.s.settings.appointments.days_ahead
        )
        day_list = [
            start_day + timedelta(days=i)
            for i in range(days)
            if start_day + timedelta(days=i) <= last_bookable
        ]
        if not day_list:
            return []
        first_unit = unit_of(datetime.combine(day_list[0], datetime.min.time(), tz))
        last_unit = unit_of(
            datetime.combine(day_list[-1] + timedelta(days=1), datetime.min.time(), tz)
        )
        connection = conn or self.s.store.conn
        busy = a.busy(connection, first_unit, last_unit)
        absent = a.absences(connection, day_list[0], day_list[-1])
        if adviser is not None and adviser not in {p.id for p in self.s.settings.staff}:
            raise NotFound(f"unknown adviser {shown(adviser)!r}")
        return free_slots(
            self.calendar(site),
            service=svc.code,
            minutes=svc.appointment_minutes,
            needs_room=svc.private_room,
            days=day_list,
            busy=busy,
            absent=absent,
            not_before=now,
            adviser=adviser,
            limit=limit,
        )

    # Booking ---------------------------------------------------------------------------------

    def route(self, channel: Preferred) -> str | None:
        """How a message by ``channel`` goes: ``smtp``, ``notify`` (None: a slip), or
        :class:`RuleViolation` when the office has not set that channel up."""
        return self._via(channel)

    def _via(self, channel: Preferred) -> str | None:
        settings = self.s.settings
        notify = bool(settings.notify.api_key_file)
        if channel is Preferred.EMAIL:
            if settings.email.smtp_url:
                return "smtp"
            if notify and settings.notify.email_template:
                return "notify"
            raise RuleViolation(
                "email is not set up for this office (email.smtp_url or notify): "
                "offer a text or a printed slip"
            )
        if channel is Preferred.TEXT:
            if settings.notify.base_url.startswith("capture://"):
                return "notify"
            if notify and settings.notify.sms_template:
                return "notify"
            raise RuleViolation("texts are not set up (notify): offer an email or a printed slip")
        return None

    def _contact(
        self, channel: Preferred, name: str | None, email: str | None, phone: str | None
    ) -> Contact:
        clean_name = " ".join((name or "").split()) or None
        if clean_name is not None and (len(clean_name) > 80 or not clean_name.isprintable()):
            raise InvalidInput("the name must be printable and at most 80 characters")
        contact = Contact(
            name=clean_name,
            email=normalise_email(email) if email else None,
            phone=normalise_phone(phone) if phone else None,
        )
        if channel is Preferred.EMAIL and not contact.email:
            raise InvalidInput("an email address is needed to send the confirmation by email")
        if channel is Preferred.TEXT and not contact.phone:
            raise InvalidInput("a mobile number is needed to send the confirmation by text")
        if channel is Preferred.TEXT and contact.phone and not contact.phone.startswith("+447"):
            raise InvalidInput("texts need a mobile number (07...): that is a landline")
        return contact

    def _start(self, start: datetime | str, site: Site) -> datetime:
        when = parse_instant(start, "--start") if isinstance(start, str) else start
        now = self.s.clock.now()
        if when < now:
            raise RuleViolation("that time has passed: choose a time from now on")
        if when > now + timedelta(days=self.s.settings.appointments.days_ahead):
            raise RuleViolation(
                f"appointments can be booked up to {self.s.settings.appointments.days_ahead} "
                "days ahead"
            )
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
    ) -> Appointment:
        """Book a free slot; queue the confirmation and reminders (or print the slip)."""
        self._require(Action.BOOK_APPOINTMENT if rebooked_from is None else Action.REBOOK)
        svc = self.bookable(service)
        site = self.site_for(site_id)
        preferred = _preferred(channel)
        via = self._via(preferred)
        contact = self._contact(preferred, name, email, phone)
        parsed_needs = parse_needs(needs if isinstance(needs, str | None) else list(needs))
        when = self._start(start, site)
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
            )
            self._hold(conn, appointment)
            a.save_contact(conn, appointment.id, contact)
            self._event(
                conn,
                site,
                EventKind.APPOINTMENT_BOOKED,
                appointment,
                {"channel": preferred.value, "rebooked_from": rebooked_from}
                if rebooked_from
                else {"channel": preferred.value},
            )
            if via is not None:
                self._queue(conn, appointment, "confirmation", via, now)
                self._queue_reminders(conn, appointment, via, site, now)
            if printer is not None:
                queue_print_job(
                    conn,
                    kind="appointment_slip",
                    printer_url=printer,
                    created_at=stamp,
                    desk_id=self.actor.desk_id,
                    payload=to_payload(self.slip(appointment)),
                )
        return appointment

    def _slip_printer(self, desk_id: str | None, print_to: str | None) -> str:
        if print_to:
            from oss_desk.domain.devices import parse_printer_url

            return parse_printer_url(print_to).url
        desk = self.s.directory.desks.get(desk_id or self.actor.desk_id or "")
        if desk is None or not desk.printer_url:
            raise RuleViolation(
                "a printed slip needs a desk with a printer (or --print-to URL): "
                "choose email or text instead"
            )
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
            taken = local(when, site.timezone).strftime("%a %d %b %H:%M")
            raise RuleViolation(
                f"{taken} is not free for {svc.name}"
                + (f" with {adviser}" if adviser else "")
                + ": choose another slot"
            )
        return candidates[0]

    def _hold(self, conn: sqlite3.Connection, appointment: Appointment) -> None:
        resources = [f"adviser:{appointment.adviser}"]
        if appointment.room:
            resources.append(f"room:{appointment.room}")
        try:
            a.hold(
                conn, appointment.id, resources, units(appointment.starts_at, appointment.ends_at)
            )
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
        site = self.s.directory.sites[appointment.site_id]
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
            if due > now:  # a reminder already due at booking adds nothing to the confirmation
                self._queue(conn, appointment, "reminder", via, due)

    # Changes ---------------------------------------------------------------------------------

    def find(self, ref: str | int) -> Appointment:
        conn = self.s.store.conn
        found = (
            a.get_appointment(conn, id=ref)
            if isinstance(ref, int)
            else a.get_appointment(conn, id=int(ref))
            if ref.strip().isdigit()
            else a.get_appointment(conn, ref=parse_reference(ref))
        )
        if found is None:
            raise NotFound(f"no appointment {shown(str(ref))!r}")
        return found

    def look_up(self, ref: str | int) -> Appointment:
        """An appointment looked up by a person (``appointment show``, Find)."""
        self._require(Action.VIEW_APPOINTMENTS)
        return self.find(ref)

    def _find_in(self, conn: sqlite3.Connection, ref: str | int) -> Appointment:
        return self.find(ref)

    def move(
        self,
        ref: str | int,
        start: datetime | str,
        *,
        adviser: str | None = None,
        by: str = "resident",
    ) -> Appointment:
        """Reschedule: new time (and maybe adviser); reminders follow; the resident is told. A
        move the council asked for (``by="council"``) owes the resident the same notice as a
        cancellation (``appointments.min_notice_working_days``): less is recorded as a
        breach."""
        self._require(Action.MOVE_APPOINTMENT)
        party = by.strip().lower()
        if party not in ("council", "resident"):
            raise InvalidInput("say who asked to move it: council or resident")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            old = self._find_in(conn, ref)
            if old.status is not AppointmentStatus.BOOKED:
                raise RuleViolation(f"{old.ref} {said(old.status)}: it cannot be moved")
            site = self.s.directory.sites[old.site_id]
            svc = self.bookable(old.service)
            when = self._start(start, site)
            if when == old.starts_at and adviser in (None, old.adviser):
                raise RuleViolation(f"{old.ref} is at that time already: nothing to move")
            a.release(conn, old.id)
            slot = self._free_slot(conn, svc, site, when, adviser)
            moved = a.update_appointment(
                conn,
                old.id,
                starts_at=format_instant(slot.start),
                ends_at=format_instant(slot.end),
                business_day=business_day(slot.start, site.timezone),
                adviser_id=slot.adviser,
                room_id=slot.room,
                version=old.version + 1,
            )
            self._hold(conn, moved)
            a.cancel_messages(conn, old.id, ACTIVE_KINDS)
            data: dict[str, object] = {
                "from": format_instant(old.starts_at),
                "to": format_instant(moved.starts_at),
                "by": party,
            }
            if party == "council":
                notice = self._notice(site, now, old)
                needed = self.s.settings.appointments.min_notice_working_days
                data |= {"notice_working_days": notice, "breach": notice < needed}
            self._event(conn, site, EventKind.APPOINTMENT_MOVED, moved, data)
            via = self._via(moved.channel)
            if via is not None:
                self._queue(conn, moved, "change", via, now)
                self._queue_reminders(conn, moved, via, site, now)
        return moved

    def cancel(self, ref: str | int, by: str, reason: str | None = None) -> Appointment:
        """Cancelled by the resident, or by the council (which owes 1 working day's notice: less
        needs a reason and is recorded as a breach). The resident is told either way."""
        self._require(Action.CANCEL_APPOINTMENT)
        party = by.strip().lower()
        if party not in ("council", "resident"):
            raise InvalidInput("say who cancelled: council or resident")
        clean_reason = " ".join((reason or "").split()) or None
        if clean_reason is not None and len(clean_reason) > 200:
            raise InvalidInput("keep the reason under 200 characters")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            appt = self._find_in(conn, ref)
            if appt.status is not AppointmentStatus.BOOKED:
                raise RuleViolation(
                    f"{appt.ref} was cancelled already"
                    if appt.status is AppointmentStatus.CANCELLED
                    else f"{appt.ref} {said(appt.status)}: it cannot be cancelled"
                )
            site = self.s.directory.sites[appt.site_id]
            notice = self._notice(site, now, appt)
            needed = self.s.settings.appointments.min_notice_working_days
            breach = party == "council" and notice < needed
            if breach and clean_reason is None:
                raise RuleViolation(
                    f"the council is giving {notice} working day{'s' if notice != 1 else ''}' "
                    f"notice (the standard is {needed}): give a reason (--reason)"
                )
            cancelled = a.update_appointment(
                conn,
                appt.id,
                status=AppointmentStatus.CANCELLED.value,
                cancelled_at=format_instant(now),
                cancelled_by=party,
                cancel_reason=clean_reason,
                notice_days=notice,
                notice_breach=int(breach),
            )
            a.release(conn, appt.id)
            a.cancel_messages(conn, appt.id, ACTIVE_KINDS)
            self._event(
                conn,
                site,
                EventKind.APPOINTMENT_CANCELLED,
                cancelled,
                {"by": party, "notice_working_days": notice, "breach": breach},
            )
            via = self._via(appt.channel)
            if via is not None:
                self._queue(conn, cancelled, "cancellation", via, now)
        return cancelled

    def _notice(self, site: Site, now: datetime, appt: Appointment) -> int:
        config = next(s for s in self.s.settings.sites if s.id == site.id)
        wall = local(now, site.timezone)
        hours = parse_hours(config.opening_hours.get(WEEKDAYS[wall.weekday()], "closed"))
        return self.workdays(site).notice(
            wall.replace(tzinfo=None),
            date.fromisoformat(appt.business_day),
            hours.closes if hours else None,
        )

    def no_show(self, ref: str | int, automatic: bool = False) -> Appointment:
        self._require(Action.APPOINTMENT_NO_SHOW)
        with self.s.store.write() as conn:
            appt = self._find_in(conn, ref)
            self._require(Action.APPOINTMENT_NO_SHOW, appt)
            if appt.status is not AppointmentStatus.BOOKED:
                raise RuleViolation(
                    f"{appt.ref} {said(appt.status)}: it cannot be marked a no-show"
                )
            if appt.starts_at > self.s.clock.now():
                raise RuleViolation(f"{appt.ref} has not started yet")
            result = a.update_appointment(conn, appt.id, status=AppointmentStatus.NO_SHOW.value)
            a.release(conn, appt.id)
            a.cancel_messages(conn, appt.id, ACTIVE_KINDS)
            self._event(
                conn,
                self.s.directory.sites[appt.site_id],
                EventKind.APPOINTMENT_NO_SHOW,
                result,
                {"automatic": automatic},
            )
        return result

    def auto_no_show(self) -> list[Appointment]:
        """Appointments not checked in ``grace_minutes`` after their start become no-shows."""
        grace = timedelta(minutes=self.s.settings.appointments.grace_minutes)
        before = format_instant(self.s.clock.now() - grace)
        late = a.overdue_booked(self.s.store.conn, before)
        return [self.no_show(appt.id, automatic=True) for appt in late]

    # Check-in ---------------------------------------------------------------------------------

    def check_in(self, ref: str | int) -> Ticket:
        """The resident has arrived: a visit (arrival now) and a priority ticket, sent to the
        interview room when the appointment has one, else to their adviser's own desk (the desk
        the configuration puts them at) when it is open or on a break."""
        self._require(Action.CHECK_IN)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            appt = self._find_in(conn, ref)
            if appt.status is not AppointmentStatus.BOOKED:
                raise RuleViolation(
                    f"{appt.ref} {said(appt.status)}: it cannot be checked in again"
                )
            site = self.s.directory.sites[appt.site_id]
            today = self.s.today(site)
            if appt.business_day != today:
                raise RuleViolation(
                    f"{appt.ref} is on {appt.business_day}, not today: move it instead"
                )
            early = timedelta(minutes=self.s.settings.appointments.early_check_in_minutes)
            if now < appt.starts_at - early:
                wall = local(appt.starts_at, site.timezone)
                opens = local(appt.starts_at - early, site.timezone)
                raise RuleViolation(
                    f"{appt.ref} is at {wall:%H:%M}: check-in opens at {opens:%H:%M} "
                    "(issue a ticket if they want to be seen as a walk-in now)"
                )
            queue = QueueService(self.s, self.actor)
            sent_to = appt.room or self._advisers_desk(conn, appt)
            priority = priority_for(appointment=True)
            joining = Joining(appt.service, priority, appt.needs, Channel.APPOINTMENT, sent_to)
            desk = self._greeting_desk(site)
            ticket = queue.arrival_with_ticket(conn, site, joining, now=now, desk=desk)
            a.update_appointment(
                conn,
                appt.id,
                status=AppointmentStatus.CHECKED_IN.value,
                visit_id=ticket.visit_id,
                ticket_id=ticket.id,
            )
            self._event(
                conn,
                site,
                EventKind.APPOINTMENT_CHECKED_IN,
                appt,
                {
                    "ticket": ticket.id,
                    "late_minutes": max(0, int((now - appt.starts_at).total_seconds() // 60)),
                },
            )
        return ticket

    def _greeting_desk(self, site: Site) -> Desk | None:
        """The desk checking the resident in (this terminal's, when it is at the office)."""
        desk_id = self.actor.desk_id
        desk = self.s.directory.desks.get(desk_id) if desk_id else None
        return desk if desk is not None and desk.site_id == site.id else None

    def _advisers_desk(self, conn: sqlite3.Connection, appt: Appointment) -> str | None:
        """The desk the configuration puts the appointment's adviser at, if it serves the
        service at that office and is not closed (a closed desk would leave the ticket waiting:
        then any desk serving the service calls it)."""
        for config in self.s.settings.desks:
            desk = self.s.directory.desks.get(config.id)
            if config.person != appt.adviser or desk is None:
                continue
            if desk.site_id != appt.site_id or not desk.serves(appt.service):
                continue
            if desk_status(conn, desk.id) is DeskStatus.CLOSED:
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
                self.s.directory.sites[appt.site_id],
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
                self.s.directory.sites[appt.site_id],
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
    ) -> Appointment:
        """A new appointment for the same service, resident and (unless another is chosen)
        adviser, after they came without the documents (or did not come)."""
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

    def contact(self, appointment: Appointment, where: str = "lookup") -> Contact | None:
        """The resident's contact details, for a person allowed to see them. A read of personal
        data: recorded in the event log (who, where, which fields; never the values)."""
        self._require(Action.VIEW_CONTACT, appointment)
        with self.s.store.write() as conn:
            contact = a.contact_of(conn, appointment.id)
            fields = [
                name
                for name, value in (
                    ("name", contact.name if contact else None),
                    ("email", contact.email if contact else None),
                    ("phone", contact.phone if contact else None),
                )
                if value
            ]
            if fields:
                self._event(
                    conn,
                    self.s.directory.sites[appointment.site_id],
                    EventKind.PERSONAL_DATA_VIEWED,
                    appointment,
                    {"fields": fields, "where": where},
                )
        return contact

    def messages(self, appointment: Appointment) -> list[a.Message]:
        return a.messages_for(self.s.store.conn, appointment.id)

    def slip(self, appt: Appointment) -> SlipPrintout:
        from oss_desk.services.resident import slip_printout

        return slip_printout(self.s, appt, QR_PREFIX + appt.ref)

    # Absences and retention -----------------------------------------------------------------

    def add_absence(self, person: str, first: str | date, last: str | date, reason: str) -> int:
        self._require(Action.RECORD_ABSENCE)
        staff = {p.id for p in self.s.settings.staff}
        if person not in staff:
            raise NotFound(f"unknown person {shown(person)!r}")
        start = parse_date(first, "--from") if isinstance(first, str) else first
        end = parse_date(last, "--to") if isinstance(last, str) else last
        if end < start:
            raise InvalidInput("the absence ends before it starts")
        today = parse_date(self.s.today(self.site_for()), "today")
        if end < today:
            raise InvalidInput("that absence is over already: nothing to record")
        if reason not in ("annual leave", "training", "sickness", "other"):
            raise InvalidInput("reason: annual leave, training, sickness or other")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            # Checked inside the write transaction, so two desks cannot both add an overlap.
            for known in a.list_absences(conn, today):
                if (
                    known.staff_id == person
                    and known.first_day <= end.isoformat()
                    and (start.isoformat() <= known.last_day)
                ):
                    raise RuleViolation(
                        f"{person} is already away {known.first_day} to {known.last_day} "
                        f"(absence {known.id}): remove it first to change it"
                    )
            absence_id = a.add_absence(
                conn, person, start, end, reason, format_instant(now), self.actor.person
            )
            recorded = {"person": person, "from": start.isoformat(), "to": end.isoformat()}
            self._absence_event(conn, now, {**recorded, "reason": reason})
        return absence_id

    def absences(self) -> list[a.Absence]:
        """Absences that have not ended yet."""
        self._require(Action.VIEW_APPOINTMENTS)
        return a.list_absences(
            self.s.store.conn, parse_date(self.s.today(self.site_for()), "today")
        )

    def remove_absence(self, absence_id: int) -> None:
        self._require(Action.RECORD_ABSENCE)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            if not a.remove_absence(conn, absence_id):
                raise NotFound(f"no absence {absence_id}")
            self._absence_event(conn, now, {"removed": absence_id})

    # Helpers ---------------------------------------------------------------------------------

    def _absence_event(self, conn: sqlite3.Connection, at: datetime, data: dict[str, Any]) -> None:
        """An absence recorded or removed: the whole council's, at no office."""
        kind = EventKind.ABSENCE_RECORDED
        append_event(
            conn, at=at, timezone=None, site_id=None, kind=kind, actor=self.actor, data=data
        )

    def _event(
        self,
        conn: sqlite3.Connection,
        site: Site,
        kind: EventKind,
        appt: Appointment,
        data: dict[str, object] | None = None,
    ) -> None:
        append_event(
            conn,
            at=self.s.clock.now(),
            timezone=site.timezone,
            site_id=site.id,
            kind=kind,
            actor=self.actor,
            visit_id=appt.visit_id,
            ticket_id=appt.ticket_id,
            service_code=appt.service,
            data={k: v for k, v in (data or {}).items() if v is not None},
            appointment_id=appt.id,
        )


def _preferred(channel: Preferred | str) -> Preferred:
    if isinstance(channel, Preferred):
        return channel
    try:
        return Preferred(channel.strip().lower())
    except ValueError:
        raise InvalidInput(f"{shown(channel)!r} is not a channel: email, text or slip") from None
