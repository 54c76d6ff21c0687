"""``oss-desk appointment ...`` and ``oss-desk absence ...``."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from oss_desk.cli.common import (
    State,
    answer,
    answer_each,
    choice_of,
    choice_option,
    emit_json,
    json_command,
    number_option,
    ref_command,
    site_option,
)
from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.appointments import (
    Appointment,
    Preferred,
    after_change_said,
    cancel_reason_said,
    cancel_told_said,
    message_progress,
    notice_given,
    short_notice_said,
    status_said,
    untold_said,
)
from oss_desk.domain.calendar import clock_said, local, parse_date
from oss_desk.domain.event_data import TOLD_HOW, for_event
from oss_desk.domain.needs import needs_words
from oss_desk.domain.phones import dialable
from oss_desk.domain.slots import horizon_said
from oss_desk.domain.text import printable
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.session import Session
from oss_desk.services.views import ticket_json

if TYPE_CHECKING:
    from oss_desk.domain.slots import Slot

service_option = click.option("--service", required=True, metavar="CODE", help="Service letter.")
"""``--service``: the service of the appointment (``appointment slots``, ``appointment book``)."""
first_day = click.option("--date", "day", metavar="YYYY-MM-DD", help="First day (default: today).")
"""``--date``: the first day shown (``appointment slots``, ``appointment list``)."""
adviser_option = click.option("--adviser", metavar="PERSON", help="A chosen adviser.")
"""``--adviser``: the adviser the resident chose (``appointment book``, ``appointment move``)."""


def appointment_json(session: Session, appt: Appointment) -> dict[str, Any]:
    site = session.site_ever(appt.site_id)
    return {
        "id": appt.id,
        "ref": appt.ref,
        "service": appt.service,
        "start": format_instant(appt.starts_at),
        "end": format_instant(appt.ends_at),
        "local_start": local(appt.starts_at, site.timezone).isoformat(timespec="minutes"),
        "status": appt.status.value,
        "site": appt.site_id,
        "adviser": appt.adviser,
        "room": appt.room,
        "channel": appt.channel.value,
        "needs": list(appt.needs),
        "business_day": appt.business_day,
        "version": appt.version,
        "cancelled_by": appt.cancelled_by,
        "cancel_reason_held": appt.cancel_reason is not None,  # the words: show --contact
        "notice_working_days": appt.notice_days,
        "notice_breach": appt.notice_breach,
        "untold_since": appt.untold_since,
        "ticket": appt.ticket_id,
        "checklist_ticked": list(appt.checklist_ticked),
        "rebooked_from": appt.rebooked_from,
        "arranged_in_visit": appt.arranged_in_visit,
    }


def line(session: Session, appt: Appointment) -> str:
    site = session.site_ever(appt.site_id)
    wall = local(appt.starts_at, site.timezone)
    svc = session.directory.services[appt.service]
    room = f", {session.desk_name(appt.room)}" if appt.room else ""
    several = len(session.directory.sites) > 1 or appt.site_id not in session.directory.sites
    office = f" at {site.name}" if several else ""  # which office, where there are several
    return (
        f"{appt.ref}  {wall:%a %d %b} {clock_said(wall)}  {svc.name}{office}  "
        f"with {session.name_of(appt.adviser)}{room}  "
        f"[{status_said(appt.status)}]"
    )


def _show(session: Session, appt: Appointment, as_json: bool) -> None:
    answer(as_json, appointment_json(session, appt), line(session, appt))


@click.group()
def appointment() -> None:
    """Book, move, cancel and check in appointments (REF: a booking reference or an id)."""


@appointment.command("slots")
@service_option
@first_day
@number_option("--days", default=7, within=(1, 366), help="How many days to search.")
@click.option("--adviser", metavar="PERSON", help="Only this adviser.")
@number_option("--limit", default=40, within=(1, 10_000))
@site_option
@json_command
def slots(
    state: State,
    service: str,
    day: str | None,
    days: int,
    adviser: str | None,
    limit: int,
    site_id: str | None,
    as_json: bool,
) -> None:
    """Free appointment slots (at one site)."""
    session = state.session()
    svc = AppointmentService(session)
    site = svc.site_for(site_id)
    found = svc.slots(service, day, days, adviser=adviser, limit=limit, site_id=site.id)

    def as_dict(s: Slot) -> dict[str, Any]:
        return {
            "start": format_instant(s.start),
            "end": format_instant(s.end),
            "local_start": local(s.start, site.timezone).isoformat(timespec="minutes"),
            "adviser": s.adviser,
            "room": s.room,
        }

    def as_line(s: Slot) -> str:
        room = f" in {s.room}" if s.room else ""
        wall = local(s.start, site.timezone)
        # The start to book with, in local time with its offset (summer time is +01:00).
        return (
            f"{wall:%a %d %b} {clock_said(wall)}  {session.name_of(s.adviser)}{room}  "
            f"--start {wall.isoformat(timespec='seconds')}"
        )

    if as_json:
        answer_each(as_json, found, as_dict, as_line, "")
        return
    # The days a bank holiday or closure shuts are said where they fall (silently skipped, a
    # search from Christmas Day began on Tuesday); up to the last slot when --limit cut it.
    searched = svc.searched_days(site, day, days)
    if len(found) >= limit:
        searched = [d for d in searched if d <= local(found[-1].start, site.timezone).date()]
    closed = svc.holidays_said(searched, site.id)
    for slot in found:
        slot_day = local(slot.start, site.timezone).date()
        for shut in [d for d in closed if d < slot_day]:
            click.echo(closed.pop(shut))
        click.echo(as_line(slot))
    for said in closed.values():
        click.echo(said)
    if not found:
        ahead = session.settings.appointments.days_ahead
        horizon = f": {horizon_said(ahead)}" if svc.past_horizon(site, day, days) else ""
        click.echo(f"No free slots in that period{horizon}.")


@appointment.command("book")
@service_option
@click.option(
    "--start",
    required=True,
    metavar="ISO",
    help="Start with its offset, e.g. 2026-11-30T09:30:00+00:00 (in summer +01:00); "
    "`appointment slots` prints it.",
)
@click.option("--email", metavar="ADDR", help="The resident's email address.")
@click.option("--phone", metavar="NUMBER", help="The resident's mobile number.")
@click.option("--name", metavar="NAME", help="The resident's name (for staff only).")
@click.option(
    "--channel",
    type=choice_of(Preferred),
    help="How they hear from us (default: email, else text, else a printed slip).",
)
@adviser_option
@click.option("--needs", metavar="NEED,...", help="Reasonable adjustments.")
@click.option("--desk", "desk_id", metavar="ID", help="The desk booking (prints a slip).")
@site_option
@click.option("--print-to", metavar="URL", help="Printer for the slip.")
@click.option(
    "--visit",
    "visit_ticket",
    metavar="REF",
    help="The ticket of the visit that arranged it (counted as an appointment arranged).",
)
@click.option(
    "--feedback-text",
    is_flag=True,
    help="They agree to one text at --phone after the visit, asking how we did.",
)
@json_command
def book(
    state: State,
    service: str,
    start: str,
    email: str | None,
    phone: str | None,
    name: str | None,
    channel: str | None,
    adviser: str | None,
    needs: str | None,
    desk_id: str | None,
    site_id: str | None,
    print_to: str | None,
    visit_ticket: str | None,
    feedback_text: bool,
    as_json: bool,
) -> None:
    """Book an appointment; the confirmation and reminders go out by the resident's channel."""
    session = state.session(desk_id)
    arranged = None
    if visit_ticket is not None:
        from oss_desk.services.queue import QueueService

        arranged = QueueService(session).look_up(visit_ticket).visit_id
    chosen = channel or ("email" if email else "text" if phone else "slip")
    appt = AppointmentService(session).book(
        service,
        start,
        channel=Preferred(chosen),
        name=name,
        email=email,
        phone=phone,
        adviser=adviser,
        needs=needs,
        site_id=site_id,
        desk_id=desk_id,
        print_to=print_to,
        arranged_in_visit=arranged,
        feedback_text=feedback_text,
    )
    _show(session, appt, as_json)


@appointment.command("check-in")
@click.option("--desk", "desk_id", metavar="ID", help="The desk checking them in (its printer).")
@click.option("--no-print", is_flag=True, help="Do not print, even if the desk has a printer.")
@ref_command
def check_in(state: State, desk_id: str | None, no_print: bool, ref: str, as_json: bool) -> None:
    """The resident has arrived: a visit and a priority ticket, printed at the desk's printer
    (JSON: the ticket, its print job and whether no open desk serves it now)."""
    from oss_desk.domain.appointments import late_said
    from oss_desk.domain.waits import waiting_warning
    from oss_desk.services.delivery import print_job_fields, print_job_said
    from oss_desk.services.unserved import unserved

    session = state.session(desk_id)
    issued = AppointmentService(session).arrive(ref, print_ticket=not no_print)
    ticket, job = issued.ticket, issued.print_job
    warning = unserved(session, ticket)
    data = ticket_json(ticket, session.directory) | print_job_fields(session, job)
    unprinted = "not printed (--no-print)" if no_print else "no printer"
    printed = (
        print_job_said(session, job) if job is not None else f"{unprinted}: tell them the code"
    )
    late = late_said(AppointmentService(session).find(ref).starts_at, ticket.issued_at)
    said = f"Checked in: ticket {ticket.code} (priority)" + (f", {late}" if late else "")
    said += f"; {printed}"
    if warning:
        said += f"\n  {waiting_warning(warning)}"
    answer(as_json, data | {"unserved": warning}, said)


@appointment.command("cancel")
@click.option(
    "--by",
    "party",
    required=True,
    type=click.Choice(["council", "resident"]),
    help="Who cancelled.",
)
@click.option("--reason", help="Needed when the council gives less than the standard notice.")
@ref_command
def cancel(state: State, ref: str, party: str, reason: str | None, as_json: bool) -> None:
    """Cancel an appointment; the resident is sent a cancellation by email or text (by slip: a
    council cancellation is told by a person)."""
    session = state.session()
    appt = AppointmentService(session).cancel(ref, party, reason)
    if as_json:
        emit_json(appointment_json(session, appt))
        return
    click.echo(line(session, appt))
    if told := cancel_told_said(appt):
        click.echo(f"  {told}")
    _said_after_change(session, appt)


def _said_after_change(session: Session, appt: Appointment) -> None:
    """After a move or cancellation: a short notice recorded, a resident not told (booked by
    slip: a person must tell them), and a slip it settled unprinted, each on a line of its
    own."""
    from oss_desk.services.slips import slip_dropped

    reachable = AppointmentService(session).reachable(appt)
    for said in (*after_change_said(appt, reachable=reachable), slip_dropped(session, appt)):
        if said:
            click.echo(f"  {said}")


@appointment.command("no-show")
@ref_command
def no_show(state: State, ref: str, as_json: bool) -> None:
    """The resident did not come."""
    session = state.session()
    _show(session, AppointmentService(session).no_show(ref), as_json)


@appointment.command("move")
@click.option("--start", required=True, metavar="ISO", help="The new start.")
@adviser_option
@choice_option(
    "--by",
    choices=["resident", "council"],
    default="resident",
    help="Who asked to move it (the council owes the resident notice).",
)
@ref_command
def move(state: State, ref: str, start: str, adviser: str | None, by: str, as_json: bool) -> None:
    """Reschedule; the resident is told and the reminders follow."""
    session = state.session()
    moved = AppointmentService(session).move(ref, start, adviser=adviser, by=by)
    _show(session, moved, as_json)
    if not as_json:
        _said_after_change(session, moved)


@appointment.command("told")
@click.option(
    "--how",
    required=True,
    metavar="|".join(TOLD_HOW),
    help=f"How they were told: {', '.join(TOLD_HOW)} (only this goes in the event log, "
    "kept for good: never a name, a number or a note).",
)
@ref_command
def told(state: State, ref: str, how: str, as_json: bool) -> None:
    """A resident with no email or phone was told of the council's move or cancellation (by
    you: recorded with who and when); the alert goes, and the notice counts from now."""
    said = for_event(how, choices=TOLD_HOW, what="how the resident was told", hint="--how")
    session = state.session()
    appt = AppointmentService(session).told(ref, said)
    if as_json:
        emit_json(appointment_json(session, appt))
        return
    days = notice_given(appt.notice_days or 0)
    who = session.name_of(session.actor.person)
    click.echo(f"{appt.ref}: told ({said}), by {who}; {days} notice")
    if short := short_notice_said(appt):
        click.echo(f"  {short}")


@appointment.command("rebook")
@click.option("--start", required=True, metavar="ISO", help="The new appointment's start.")
@click.option("--adviser", metavar="PERSON", help="Another adviser (default: the same one).")
@click.option("--desk", "desk_id", metavar="ID", help="The desk rebooking (prints a slip).")
@click.option(
    "--incomplete",
    is_flag=True,
    help="A booking already seen: mark it as came without the documents (else refused).",
)
@ref_command
def rebook(
    state: State,
    ref: str,
    start: str,
    adviser: str | None,
    desk_id: str | None,
    incomplete: bool,
    as_json: bool,
) -> None:
    """Attended without the documents (or did not come): book the same resident and service
    again, with the same adviser unless another is chosen."""
    session = state.session()
    service = AppointmentService(session)
    again = service.rebook(ref, start, adviser=adviser, desk_id=desk_id, seen_incomplete=incomplete)
    _show(session, again, as_json)


@appointment.command("show")
@click.option(
    "--contact",
    "with_contact",
    is_flag=True,
    help="Also the resident's name, email and phone (the read is recorded).",
)
@ref_command
def show(state: State, ref: str, with_contact: bool, as_json: bool) -> None:
    """One appointment: its details, checklist and the messages sent about it."""
    session = state.session()
    svc = AppointmentService(session)
    appt = svc.look_up(ref)
    contact = svc.contact(appt, "appointment show") if with_contact else None
    messages = svc.messages(appt)
    from oss_desk.services.delivery import slip_print, slips_again
    from oss_desk.services.message_fates import awaiting_look_up

    now = session.clock.now()
    looking_up = {m.id: awaiting_look_up(session, m, appt, now) for m in messages}
    slip = slip_print(session, appt.ref, appt.site_id)
    again = slips_again(session, appt.id, appt.site_id)
    if as_json:
        emit_json(
            {
                **appointment_json(session, appt),
                **{f"slip_{k}": v for k, v in slip[0].items()},
                "slip_printed_again": [fields for fields, _ in again],
                **(
                    {
                        "contact": {
                            "name": contact.name if contact else None,
                            "email": contact.email if contact else None,
                            "phone": contact.phone if contact else None,
                        },
                        "cancel_reason": appt.cancel_reason,
                    }
                    if with_contact
                    else {}
                ),
                "messages": [
                    {
                        "kind": m.kind,
                        "channel": m.channel,
                        "status": m.status,
                        "due": m.due_at,
                        "sent": m.sent_at,
                        "error": m.last_error,
                        "looking_up": looking_up[m.id],
                    }
                    for m in messages
                ],
            }
        )
        return
    click.echo(line(session, appt))
    if with_contact:
        if contact is None or not (contact.name or contact.email or contact.phone):
            click.echo("  contact: none kept (never given, or deleted since)")
        for label, value in (
            ("name", contact.name if contact else None),
            ("email", contact.email if contact else None),
            ("phone", dialable(contact.phone) if contact and contact.phone else None),
        ):  # a number as it is dialled (the JSON keeps it as stored, +44...)
            if value:
                click.echo(f"  {label}: {printable(value)}")
    service = session.directory.services[appt.service]
    if appt.needs:
        click.echo("  needs: " + needs_words(appt.needs))
    click.echo(f"  told by: {appt.channel.value}")
    if appt.channel is Preferred.SLIP or slip[0]["print_job"] is not None:
        click.echo(f"  slip: {slip[1]}")
    for _, words in again:
        click.echo(f"  {words}")
    if appt.cancelled_by:
        notice = (
            f", {notice_given(appt.notice_days or 0)} notice"
            + (" (a breach of the standard)" if appt.notice_breach else "")
            if appt.cancelled_by == "council" and appt.untold_since is None
            else ""
        )
        reason = cancel_reason_said(appt.cancel_reason, contact=with_contact)
        click.echo(f"  cancelled by the {appt.cancelled_by}{notice}{reason}")
    elif appt.notice_breach:  # its latest change: a council move with too little notice
        click.echo(f"  moved by the council, {short_notice_said(appt)}")
    if untold := untold_said(appt, reachable=svc.reachable(appt)):
        click.echo(f"  {untold}")
    for item in service.checklist:
        click.echo(f"  [{'x' if item in appt.checklist_ticked else ' '}] {item}")
    for m in messages:
        tz = session.site_ever(appt.site_id).timezone
        wall = local(read_instant(m.sent_at or m.due_at), tz)
        when = f"{wall:%a %d %b %H:%M}"
        progress = message_progress(
            m.status,
            when,
            sent=bool(m.sent_at),
            attempts=m.attempts,
            last_error=m.last_error,
            looking_up=looking_up[m.id],
        )
        click.echo(f"  {m.kind} by {m.channel}: {progress}")


@appointment.command("list")
@first_day
@number_option("--days", default=1, within=(1, 366))
@site_option
@json_command
def list_(state: State, day: str | None, days: int, site_id: str | None, as_json: bool) -> None:
    """Appointments of a day (or several) at one site."""
    session = state.session()
    svc = AppointmentService(session)
    site = svc.site_for(site_id)
    span = session.span(site)
    first = parse_date(day, "--date", span) if day else parse_date(session.today(site))
    last = first + timedelta(days=days - 1)
    found = svc.between(first.isoformat(), last.isoformat(), site.id)
    answer_each(
        as_json,
        found,
        lambda appt: appointment_json(session, appt),
        lambda appt: line(session, appt),
        "No appointments.",
    )


def _slip_command() -> None:
    from oss_desk.cli.appointment_slips import slip

    appointment.add_command(slip)


_slip_command()
