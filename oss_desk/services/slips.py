"""An appointment's slip printed again (``appointment slip``): its slip failed at the printer, or
the resident lost it. The slip is drawn as the appointment is now, and queued for a desk's printer
or a printer's address; only a booked appointment has one. While its last slip is still to print
(waiting, or being sent) nothing more is queued: that one prints when the printer answers, and a
second would hand the resident two slips. A slip whose earlier copy may have reached a printer
says COPY (the worker's ``storage.outbox.bytes_left_before``)."""

from __future__ import annotations

from dataclasses import dataclass

from oss_desk.domain.access import Action
from oss_desk.domain.appointments import Appointment, AppointmentStatus
from oss_desk.domain.delivery import job_word, print_state, reprint_adds_copy
from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.printouts import print_request
from oss_desk.errors import RuleViolation
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.device_owner import queue_print
from oss_desk.services.events import record_event
from oss_desk.services.session import Session

CHANGES = (EventKind.APPOINTMENT_MOVED.value, EventKind.APPOINTMENT_CANCELLED.value)
"""The changes that may settle a booking's slip unprinted and say so."""


@dataclass(frozen=True, slots=True)
class SlipAgain:
    appointment: Appointment
    job: int
    """The print job queued."""


def slip_again(
    session: Session, ref: str, target: str | None, actor: Actor | None = None
) -> SlipAgain:
    """Queue the slip of appointment ``ref`` again, on ``target`` (a desk's id or a printer
    URL), else the acting desk's printer, else the printer its last slip went to. Needs the
    right to reprint (the roles that may reprint a ticket). Recorded against the person acting
    (``actor``, else the session's) as the booking's REPRINT event (its reference and the job
    only: no personal data), as a ticket's reprint is."""
    from oss_desk.services.report_outputs import summary_printer
    from oss_desk.storage.print_state import slip_job, slip_printer

    actor = actor or session.actor
    session.require(Action.REPRINT, actor, doing="print an appointment slip again")
    service = AppointmentService(session)
    appt = service.look_up(ref)
    if appt.status is not AppointmentStatus.BOOKED:
        raise RuleViolation(f"{appt.ref} is {appt.status.value}: its slip is not printed again")
    desk = session.directory.desks.get(actor.desk_id or "")
    with session.store.read() as conn:
        last = slip_printer(conn, appt.ref)
        latest, _ = slip_job(conn, appt.ref)
    state = None if latest is None else print_state(latest.status, latest.confirmed)
    if latest is not None and state is not None and not reprint_adds_copy(state):
        raise RuleViolation(
            f"the slip (print job {latest.id}) is still {job_word(state)}: it prints when the "
            "printer answers"
        )
    where = target or (desk.id if desk is not None and desk.printer_url else None) or last
    if where is None:
        raise RuleViolation(
            "no printer to print the slip on", cli_hint="give one with --print-to DESK_OR_URL"
        )
    printer, desk_id = summary_printer(session, where)
    request = print_request(service.slip(appt), printer, desk_id)
    with session.store.write() as conn:
        now = session.clock.now()
        job = queue_print(conn, session.store.path, request, now)
        record_event(
            conn,
            session.site_ever(appt.site_id),
            now,
            EventKind.REPRINT,
            actor,
            service_code=appt.service,
            data={"ref": appt.ref, "job": job},
            appointment_id=appt.id,
        )
    return SlipAgain(appt, job)


def slip_dropped(session: Session, appt: Appointment) -> str | None:
    """What to add after booking ``appt`` was moved or cancelled, when that change settled its
    slip unprinted (:func:`~oss_desk.domain.slip_paper.dropped_slip_said`); None: it did not
    (an earlier change did, or none)."""
    from oss_desk.domain.slip_paper import dropped_slip_said
    from oss_desk.storage.events import appointment_last_data
    from oss_desk.storage.print_state import slip_job

    with session.store.read() as conn:
        latest, _ = slip_job(conn, appt.ref)
        if latest is None or latest.status != "cancelled":
            return None
        change = appointment_last_data(conn, appt.id, CHANGES)
    return dropped_slip_said(appt, latest.id, latest.error, change)
