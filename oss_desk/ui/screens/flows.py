"""The flows several screens share: find (or show a scanned) ticket, pick a service (or one to
transfer a ticket to), check a resident in, tick what they brought. Each takes the screen it runs
on (its desk, its person) and awaits its dialogs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable
from functools import partial
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from oss_desk.domain.appointments import Appointment, late_said, parse_reference
from oss_desk.domain.calendar import clock_said
from oss_desk.domain.counter import PARK_REASONS, desk_choice
from oss_desk.domain.models import Actor, Desk, Ticket, TicketStatus
from oss_desk.domain.needs import describe_need, meets_said, unmet
from oss_desk.domain.queue import FLAG_HEADING, staff_marks
from oss_desk.domain.sent_to import TO_ANOTHER_SERVICE
from oss_desk.domain.waits import (
    ahead_said,
    day_over_said,
    estimate_said,
    waited_minutes,
    waiting_warning,
)
from oss_desk.errors import OssDeskError
from oss_desk.services.queue import Issued
from oss_desk.services.screen import ticket_from_scan
from oss_desk.services.session import Session
from oss_desk.ui.context import Ok
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.appointments import ChecklistDialog, PrintFollowed
from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog
from oss_desk.ui.screens.base import DeskScreen

if TYPE_CHECKING:
    from oss_desk.services.visit_story import VisitStory

R = TypeVar("R")

Found: TypeAlias = "tuple[Ticket, str | None, VisitStory]"
"""A ticket looked up: it, its status in words when they say more than the stored value, and its
visit's story."""

REBOOK_HINT = "if they cannot be seen, rebook them in F5 Appointments: R"
"""Where a checked-in resident without the documents is rebooked: R in F5, the appointments
screen (the key lives there only)."""


def needs_text(needs: tuple[str, ...]) -> str:
    """Reasonable adjustments in words: "BSL interpreter, wheelchair access"."""
    return ", ".join(describe_need(n) for n in needs)


async def find_ticket(screen: DeskScreen) -> None:
    """Ask for a code and show the ticket: a code that finds none is said in the box, which
    keeps it to correct."""
    desk = screen.desk

    async def look_up(text: str) -> Found | str:
        found = await desk.act(lambda s: _found(s, text, None), quiet=True)
        return found.value if isinstance(found, Ok) else found.message

    found = await screen.app.push_screen_wait(
        LookUpDialog("Find a ticket", look_up, placeholder="Code, e.g. C012", max_length=20)
    )
    if found is not None:
        await _show(screen, found)


async def show_ticket(screen: DeskScreen, text: str, actor: Actor | None = None) -> None:
    """Show a ticket: a code typed, or a ticket's QR scanned at any desk (its code or link)."""
    found = await screen.desk.act(lambda s: _found(s, text, actor))
    if isinstance(found, Ok):
        await _show(screen, found.value)


async def _show(screen: DeskScreen, found: Found) -> None:
    """The ticket found, its details and what happened to its visit, with what this desk can
    do with it."""
    desk = screen.desk
    names = desk.names
    ticket, words, story = found
    snap = desk.snapshot
    entry = next((e for e in snap.queue if e.ticket.id == ticket.id), None) if snap else None
    # Still waiting once its day is over: no place and no estimate, as ``ticket show`` says it.
    over = ticket.status is TicketStatus.WAITING and story.day_over and not ticket.parked
    lines = [
        f"Service:   {names.service_label(ticket.service)}",
        f"Status:    {words or ('parked' if ticket.parked else ticket.status.word)}"
        + (f" at {names.desk(ticket.at_desk)}" if ticket.at_desk else ""),  # as ticket show
        f"Arrived:   {names.local_time(ticket.queued_at)}",
    ]
    if over:
        lines.append("Estimate:  " + day_over_said(story.day, story.today))
    elif entry is not None and entry.position is not None:
        # The people ahead, as the resident's paper ticket counts them (no open desk: unknown).
        ahead = "" if entry.ahead is None else f"{ahead_said(entry.ahead)}, "
        lines.append(f"Place:     {ahead}waited {waited_minutes(entry.wait_seconds)} min")
        lines.append("Estimate:  " + estimate_said(entry.estimated_wait_seconds))
    if marks := ", ".join(staff_marks(ticket)):
        lines.append(f"{FLAG_HEADING + ':':<11}{marks}")
    if ticket.needs:
        lines.append("Needs:     " + needs_text(ticket.needs))
    if ticket.parked:
        reason = PARK_REASONS.get(ticket.park_reason or "")
        lines.append(
            f"Parked:    at {names.desk(ticket.desk)}" + (f" ({reason})" if reason else "")
        )
    lines += story.text()  # the visit's wait, its end and what happened (its outcome among them)
    actions = screen.ticket_actions(ticket)
    chosen = await screen.app.push_screen_wait(
        TicketDialog(f"Ticket {ticket.code}", lines, actions)
    )
    if chosen is not None:
        await screen.ticket_action(ticket, chosen)


def _found(session: Session, text: str, actor: Actor | None) -> Found:
    """The ticket, its status in words when they say more than the stored value, and its
    visit's story (in lines as ``ticket show`` says it)."""
    from oss_desk.services.queue.day_end import ended_words
    from oss_desk.services.visit_story import visit_story

    ticket = ticket_from_scan(session, text, actor)
    return ticket, ended_words(session, ticket), visit_story(session, ticket)


def desk_choices(
    screen: DeskScreen, desks: Iterable[Desk], requires: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """``desks`` to choose from to send a resident to, each with who is logged in there and
    whether it is on a break or closed (as the live queue has it), and, for a resident with
    ``requires``, marked when it meets them all (what the desk and its person can meet, as
    the call order reads it)."""
    snap = screen.desk.snapshot
    names = screen.desk.names
    choices = []
    for desk in desks:
        state = snap.desk(desk.id) if snap is not None else None
        who = names.person(state.login.person) if state and state.login else None
        status = state.status if state is not None else desk.status
        meets = requires and not unmet_here(screen, desk.id, requires)
        said = desk_choice(desk.name, who, status, meets_said(requires) if meets else "")
        choices.append((desk.id, said))
    return choices


async def send_to_chosen_desk(
    screen: DeskScreen,
    code: str,
    choices: list[tuple[str, str]],
    send: Callable[[str, Session], R],
    *,
    meaning: str,
    ask_first: Callable[[str], Awaitable[bool]] | None = None,
) -> tuple[str, R] | None:
    """Send the ticket ``code`` to a desk chosen of ``choices`` in a box (``meaning``: F1's
    words): a desk that refuses it (closed since the box opened, nobody logged in) says why in
    the box, which stays open. ``send``: the sending, to the chosen desk; ``ask_first``: asked of
    the chosen desk before it is sent there (False: nothing is sent). The desk and what sending
    answered; None when the person goes back."""
    refused, desk = "", None
    while True:  # a desk that refuses them (closed since the box opened): the box again
        desk = await screen.app.push_screen_wait(
            ChoiceDialog(
                f"Send {code} to which desk?",
                choices,
                meaning=meaning,
                refused=refused,
                start=desk,
            )
        )
        if desk is None or (ask_first is not None and not await ask_first(desk)):
            return None
        # Sent once the box has gone, under the key hold: a key typed meanwhile acts after.
        done = await screen.desk.act(partial(send, desk), quiet=True)
        if isinstance(done, Ok):
            return desk, done.value
        refused = done.message  # the transfer's own words, in the box


def unmet_here(screen: DeskScreen, desk_id: str, requires: frozenset[str]) -> str:
    """What of ``requires`` the desk ``desk_id`` does not meet now, in words ("" for none)."""
    snap = screen.desk.snapshot
    return unmet(snap.floor.can_meet(desk_id) if snap is not None else frozenset(), requires)


async def pick_service(
    screen: DeskScreen, title: str, leave_out: Collection[str] = (), *, meaning: str
) -> str | None:
    """Ask which service (a letter, or arrows and Enter), of all but ``leave_out``; None when
    the person goes back (``meaning``: what picking one does, F1's words)."""
    services = screen.desk.names.services
    return await screen.app.push_screen_wait(
        ChoiceDialog(
            title,
            [(c, f"{c}  {s.name}") for c, s in services.items() if c not in leave_out],
            "A letter, or arrows and Enter · Esc: back",
            meaning=meaning,
        )
    )


async def pick_new_service(screen: DeskScreen, ticket: Ticket) -> str | None:
    """The service to transfer ``ticket`` to (any but its own: it is in that one already);
    None when the person goes back."""
    now = screen.desk.names.service(ticket.service)
    return await pick_service(
        screen,
        f"Transfer {ticket.code} (now {now}) to which service?",
        [ticket.service],
        meaning=f"The service they move to: {TO_ANOTHER_SERVICE}.",
    )


async def check_in(screen: DeskScreen, typed: str) -> Issued | None:
    """Check a resident in by a typed or scanned reference (their ticket printed at this desk's
    printer); then tick what they brought. The ticket issued, or None."""
    try:
        ref = parse_reference(typed)
    except OssDeskError as exc:
        screen.say(exc.message, title="Not a booking reference", severity="warning")
        return None
    desk = screen.desk
    actor = screen.acting_as()

    def check(session: Session) -> tuple[Appointment, Issued, str | None]:
        from oss_desk.services.appointments import AppointmentService
        from oss_desk.services.unserved import unserved

        svc = AppointmentService(session, actor)
        issued = svc.arrive(ref)
        return svc.find(ref), issued, unserved(session, issued.ticket)

    result = await desk.act(check)
    if not isinstance(result, Ok):
        return None
    appt, issued, warning = result.value
    code = issued.ticket.code
    await desk.after_write()
    # Their ticket is this terminal's last issued: meet-and-greet shows it large (now, or
    # when it is next shown), and its Ctrl+R and Ctrl+N act on it, not on an earlier walk-in's.
    desk.issued_here = issued
    screen.checked_in(issued)
    names = desk.names
    start = names.local(appt.starts_at, appt.site_id)
    late = late_said(appt.starts_at, issued.ticket.issued_at)
    lines = [
        f"Ticket {code} (priority) for {names.service(appt.service)} at {clock_said(start)}"
        + (f": {late}" if late else ""),
        f"With {names.person(appt.adviser)}"
        + (f" in {names.desk(appt.room)}" if appt.room else ""),
        "No printer here: tell the resident their code",
    ]
    # The ticket's print job as the screen behind says it, while the box is open (P7: it
    # said "handed to the printer worker" under a line already saying "printed").
    job = issued.print_job
    printing = PrintFollowed(desk, job, len(lines) - 1) if job is not None else None
    if warning:
        lines.append(waiting_warning(warning))
    if appt.needs:
        lines.append("Needs: " + needs_text(appt.needs))
    screen.say(f"{appt.ref} checked in: ticket {code}", timeout=4)
    await tick_checklist(screen, appt, lines, title=f"{appt.ref} checked in", printing=printing)
    return issued


async def tick_checklist(
    screen: DeskScreen,
    appt: Appointment,
    lines: list[str],
    title: str | None = None,
    printing: PrintFollowed | None = None,
) -> None:
    """What the resident was asked to bring: tick what they brought, and say what is missing."""
    desk = screen.desk
    items = desk.names.checklist(appt.service)
    title = title or f"{appt.ref}: what to bring"
    ticked = await screen.app.push_screen_wait(
        ChecklistDialog(title, lines, items, appt.checklist_ticked, printing)
    )
    if ticked is None:
        return
    actor = screen.acting_as()
    from oss_desk.services.appointments import AppointmentService

    saved = await desk.act(lambda s: AppointmentService(s, actor).tick(appt.id, ticked))
    if isinstance(saved, Ok):
        missing = [item for item in items if item not in ticked]
        message = (
            "Everything on the checklist was brought"
            if not missing
            else f"Not brought: {', '.join(missing)} ({REBOOK_HINT})"
        )
        screen.say(message, timeout=6)
        await desk.after_write()
