"""The rows of appointments and their messages (booked, reminded, checked in, cancelled, missed)
and the batches of every row made since the last flush.

Every method of :class:`RowBuilder` beyond :class:`~oss_desk.devtools.history.rows.QueueRows`
mirrors one use case of :class:`~oss_desk.services.appointments.AppointmentService` or one step of
the worker (sending a message, marking a no-show).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from oss_desk.devtools.history.rows import (
    About,
    AppointmentRec,
    By,
    QueueRows,
    SiteInfo,
    TicketRec,
    epoch_ms,
    instant,
    moment,
)
from oss_desk.domain.appointments import (
    Appointment,
    AppointmentStatus,
    Preferred,
    late_minutes,
    message_fate,
    message_reference,
)
from oss_desk.domain.slots import resources, units
from oss_desk.storage.events import encode_event_data
from oss_desk.storage.history import appointment_row

WORKER: By = ("worker", None)
"""The device worker: it sends messages and marks appointments missed."""


class RowBuilder(QueueRows):
    """The rows each service step writes, appended to in-memory batches."""

    def __init__(self, target_seconds: int = 900) -> None:
        super().__init__(target_seconds)
        self._pending: dict[int, int] = {}

    def book(
        self,
        site: SiteInfo,
        ms: int,
        service: str,
        start: int,
        end: int,
        *,
        adviser: str,
        room: str | None,
        channel: str,
        ref: str,
        reminder_due: int | None,
        by: By | None = None,
        arranged_in_visit: int | None = None,
    ) -> AppointmentRec:
        """``AppointmentService.book`` at meet-and-greet (or ``by`` an adviser at a desk, for
        the visit ``arranged_in_visit`` that needs it), with the worker sending the
        confirmation a moment later (the reminder is sent by :meth:`send_reminder`)."""
        day = self._where(site, start)[0]
        n = self.next_appointment
        self.next_appointment += 1
        where = (site.id, service, adviser, room, moment(start), moment(end), day)
        booked = AppointmentStatus.BOOKED, Preferred(channel), (), 1, moment(ms)
        who = by or site.greets
        record = replace(Appointment(n, ref, *where, *booked), arranged_in_visit=arranged_in_visit)
        appt = AppointmentRec(record, who[0])
        self.appointments.append(appt)
        held = units(appt.record.starts_at, appt.record.ends_at)
        self._units[n] = [(r, unit, n) for r in resources(adviser, room) for unit in held]
        self.contacts.append(
            (
                n,
                f"Resident {n}",
                f"resident{n}@example.org" if channel == "email" else None,
                f"+447700{900000 + n % 100000:06d}" if channel == "text" else None,
                None,
            )
        )
        data: dict[str, object] = {"channel": channel}
        if arranged_in_visit:
            data["arranged_in_visit"] = arranged_in_visit
        self._booking_event(site, appt, ms, "appointment_booked", who, data)
        self._message(site, appt, "confirmation", ms, ms, sent=ms + 2_000, by=who)
        if reminder_due is not None and reminder_due > ms:
            index = self._message(site, appt, "reminder", ms, reminder_due, sent=None, by=who)
            self._pending[n] = index
        return appt

    def _message(
        self,
        site: SiteInfo,
        appt: AppointmentRec,
        kind: str,
        created: int,
        due: int,
        *,
        sent: int | None,
        by: By,
    ) -> int:
        message_id = self.next_message
        self.next_message += 1
        appointment_id, channel = appt.record.id, appt.record.channel.value
        via = "smtp" if channel == "email" else "notify"
        reference = message_reference(appointment_id, kind, f"{message_id:08x}")
        self.messages.append(
            [
                message_id,
                appointment_id,
                kind,
                channel,
                via,
                1,
                instant(due),
                "pending",
                reference,
                0,
                instant(due),
                None,
                None,
                None,
                instant(created),
                None,
            ]
        )
        queued = {"channel": channel, "due": instant(due), "kind": kind}
        self._booking_event(site, appt, created, "reminder_queued", by, queued)
        if sent is not None:
            self._sent(site, appt, len(self.messages) - 1, sent)
        return len(self.messages) - 1

    def _sent(self, site: SiteInfo, appt: AppointmentRec, index: int, ms: int) -> None:
        row = self.messages[index]
        row[7], row[9], row[13], row[15] = "sent", 1, row[8], instant(ms)
        sent = {"channel": row[3], "kind": row[2], "via": row[4]}
        self._booking_event(site, appt, ms, "reminder_sent", WORKER, sent)

    def send_reminder(
        self, site: SiteInfo, appt: AppointmentRec, before: int | None = None
    ) -> None:
        """The worker sends the reminder when it is due (if that is before ``before``)."""
        index = self._pending.get(appt.record.id)
        if index is None:
            return
        due = epoch_ms(datetime.fromisoformat(self.messages[index][6])) + 3_000
        if before is None or due < before:
            del self._pending[appt.record.id]
            self._sent(site, appt, index, due)

    def _cancel_pending(self, appt: AppointmentRec, ms: int) -> None:
        """The booking changed at ``ms`` (``appt.record`` as it is now): its reminder still to
        send is settled as the service settles it (``domain.appointments.message_fate``)."""
        index = self._pending.pop(appt.record.id, None)
        if index is not None:
            row, record = self.messages[index], appt.record
            fate = message_fate(
                row[2], row[5], record, record.starts_at, moment(ms), notice_hours=24
            )
            row[7], row[12] = fate or ("cancelled", None)

    def check_in(self, site: SiteInfo, appt: AppointmentRec, ms: int) -> TicketRec:
        """``AppointmentService.check_in`` at meet-and-greet: a priority ticket."""
        booked = appt.record
        ticket = self.issue(
            site, ms, booked.service, priority=1, channel="appointment", assigned=booked.room
        )
        late = late_minutes(booked.starts_at, moment(ms))
        checked_in = {"late_minutes": late, "ticket": ticket.id}
        who = site.greets
        self._booking_event(site, appt, ms, "appointment_checked_in", who, checked_in)
        ticket.appointment = appt
        appt.record = replace(
            booked,
            status=AppointmentStatus.CHECKED_IN,
            visit_id=ticket.visit_id,
            ticket_id=ticket.id,
        )
        self.booked(ticket.visit_id, appt.start)  # the 15-minute clock starts at the later
        return ticket

    def _booking_event(
        self,
        site: SiteInfo,
        appt: AppointmentRec,
        ms: int,
        kind: str,
        by: By,
        data: Mapping[str, object],
    ) -> None:
        """An event of ``appt``, ``by`` (person, desk), as ``AppointmentService._event``."""
        a = appt.record
        about = About(a.visit_id, a.ticket_id, a.service)
        self.event(site, ms, kind, by, about, data=encode_event_data(data), appointment=a.id)

    def appointment_no_show(self, site: SiteInfo, appt: AppointmentRec, ms: int) -> None:
        """The worker's ``auto_no_show`` after the grace minutes."""
        appt.record = replace(appt.record, status=AppointmentStatus.NO_SHOW)
        self._release(appt)
        self._cancel_pending(appt, ms)
        self._booking_event(site, appt, ms, "appointment_no_show", WORKER, {"automatic": True})

    def _release(self, appt: AppointmentRec) -> None:
        self._units.pop(appt.record.id, None)

    def cancel_appointment(
        self,
        site: SiteInfo,
        appt: AppointmentRec,
        ms: int,
        *,
        by: str,
        notice: int,
        breach: bool,
        reason: str | None,
        actor: str,
        desk: str | None,
    ) -> None:
        """``AppointmentService.cancel``, and the worker sending the cancellation notice."""
        appt.record = replace(
            appt.record,
            status=AppointmentStatus.CANCELLED,
            cancelled_by=by,
            cancel_reason=reason,
            notice_days=notice,
            notice_breach=breach,
        )
        appt.cancelled_ms = ms
        self._release(appt)
        self._cancel_pending(appt, ms)
        cancelled = {"breach": breach, "by": by, "notice_working_days": notice}
        self._booking_event(site, appt, ms, "appointment_cancelled", (actor, desk), cancelled)
        self._message(site, appt, "cancellation", ms, ms, sent=ms + 2_000, by=(actor, desk))

    def batches(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows gathered since the last call, ready for :func:`h.insert_rows`."""
        events = sorted(self.events, key=lambda e: e[0])
        numbered = []
        for row in events:
            numbered.append((self.next_event, *row))
            self.next_event += 1
        appointments = [
            appointment_row(a.record, a.booked_by, _stamp(a.cancelled_ms))
            for a in self.appointments
        ]
        result = {
            "visits": [tuple(v) for v in self.visits.values()],
            "tickets": [tuple(t) for t in self.tickets.values()],
            "appointments": appointments,
            "appointment_contacts": list(self.contacts),
            "resource_units": [u for units in self._units.values() for u in units],
            "messages": [tuple(m) for m in self.messages],
            "events": numbered,
        }
        self.reset()
        self._units = {}
        return result

    def counter_rows(self) -> list[tuple[str, str, str, int]]:
        return [(s, c, d, n) for (s, c, d), n in sorted(self.counters.items())]


def _stamp(ms: int | None) -> str | None:
    return None if ms is None else instant(ms)
