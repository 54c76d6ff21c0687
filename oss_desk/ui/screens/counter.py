"""The adviser's counter flows behind the adviser screen's keys: call, change the ticket at the
desk, finish each service with its outcome (and book the next step), no-show asked first and
taken back, park and resume, add a service, transfer to a service, a desk or a colleague, notes
and the visit's history, logging out as the app closes (logging in and out: ``desk_logins``).
Every dialog names the ticket it acts on."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from oss_desk.domain.access import Action
from oss_desk.domain.calendar import time_said
from oss_desk.domain.counter import PARK_REASONS, may_undo_no_show
from oss_desk.domain.delivery import PAPER_AGAIN
from oss_desk.domain.followups import Arranged
from oss_desk.domain.models import (
    Actor,
    Desk,
    DeskStatus,
    Outcome,
    Ticket,
    TicketStatus,
)
from oss_desk.domain.notes import NOTE_LIMIT
from oss_desk.domain.queue import called_back_words, parked_here, passed_over
from oss_desk.domain.sent_to import (
    SENT_TO_DESK,
    SENT_TO_PERSON,
    TO_ANOTHER_SERVICE,
    desk_never_calls,
)
from oss_desk.services.desk_view import DeskState
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.dialogs import ChoiceDialog, TextDialog
from oss_desk.ui.dialogs.counter import LinesDialog, ParkDialog, QuestionDialog
from oss_desk.ui.screens.base import DeskScreen
from oss_desk.ui.screens.flows import (
    desk_choices,
    pick_new_service,
    pick_service,
    send_to_chosen_desk,
)
from oss_desk.ui.screens.followup_flows import follow_up_kind, follow_up_outcome
from oss_desk.ui.screens.new_code import NewCodeDialog
from oss_desk.ui.screens.scorecard_flows import ask_finish, rate_visit

if TYPE_CHECKING:
    from oss_desk.services.queue import Moved
    from oss_desk.services.visit_history import History

PRIVACY_REMINDER = (
    "Keep it short and factual: what was done, what happens next. No health or other "
    "sensitive details unless the service needs them. Notes are deleted on the council's "
    "retention schedule and never appear on tickets, the board or in logs."
)


class CounterScreen(DeskScreen):
    """What the counter flows read of the adviser screen: its desk's state, the resident at
    it, who is logged in, the residents parked there, the last no-show."""

    def __init__(self, desk: DeskContext) -> None:
        super().__init__(desk)
        self.last_no_show: tuple[int, str, datetime] | None = None
        """(ticket id, code, when) of this desk's last no-show: U takes it back for 2 min."""
        self.entered: set[tuple[str, str]] = set()
        """(desk, person) this screen has entered: entering logs the person in, once; after that
        only Z logs in or out (the screen never undoes a log-out, nor asks a refusal again)."""

    def current_desk(self) -> str | None:
        return self.desk.adviser_desk_id

    def my_state(self) -> DeskState | None:
        snap = self.desk.snapshot
        desk = self.current_desk()
        return snap.desk(desk) if snap is not None and desk is not None else None

    def my_ticket(self) -> Ticket | None:
        state = self.my_state()
        return state.ticket if state else None

    def my_status(self) -> DeskStatus | None:
        state = self.my_state()
        return state.status if state else None

    def held_by_other(self) -> str | None:
        """The person logged in to this desk when it is not the one acting here."""
        state = self.my_state()
        if state is None or state.login is None:
            return None
        me = self.acting_as().person
        return None if state.login.person == me else state.login.person

    def parked(self) -> list[Ticket]:
        snap, desk = self.desk.snapshot, self.current_desk()
        if snap is None or desk is None:
            return []
        return [e.ticket for e in parked_here(desk, snap.queue)]

    def can_undo(self) -> bool:
        last = self.last_no_show
        return last is not None and may_undo_no_show(last[2], self.desk.names.now())

    def with_ticket(self) -> tuple[Ticket, Actor] | None:
        """The ticket at this desk and who acts on it (None, said: nobody is at the desk)."""
        ticket, desk = self.my_ticket(), self.current_desk()
        if ticket is None or desk is None:
            self.say(self.why_not("finish") or "Nobody is at this desk")
            return None
        return ticket, self.desk.actor(desk)

    def _minutes(self, since: datetime) -> int:
        return max(0, int((self.desk.names.now() - since).total_seconds() // 60))


# Calling ----------------------------------------------------------------------------------------


async def called(screen: CounterScreen, desk: str, pending: Future[Ticket | None]) -> None:
    """Call next's result (its transaction was handed over at the key: see the adviser's
    ``action_call_next``): the ticket in this frame, or why nobody was called."""
    called = await screen.desk.settle(pending)
    if not isinstance(called, Ok):
        return  # refused or failed: shown already (never "nobody waiting")
    name = screen.desk.names.desk(desk)
    if called.value is None:
        screen.say(f"Nobody is waiting for {name}", timeout=3)
    else:
        screen.desk.show_result(called.value)  # in this frame; the full snapshot follows
        if passed_over(desk, called.value):
            screen.say(f"{called.value.code}: {called_back_words(name)}")
    await screen.desk.after_write()


async def call_chosen(screen: CounterScreen) -> None:
    """Call the highlighted ticket (never another: when it has left the list, say where)."""
    desk = screen.current_desk()
    ticket_id = screen.highlighted_ticket()
    if desk is None or ticket_id is None:
        return
    actor = screen.acting_as()
    await screen.commit(lambda s: QueueService(s, actor).call(ticket_id, desk))


async def change(
    screen: CounterScreen,
    fn: Callable[[QueueService, Ticket], object],
    done: str | None = None,
) -> None:
    """Change the ticket at this desk, as this desk's person (``done``: what to say, with
    ``{code}``)."""
    if (found := screen.with_ticket()) is None:
        return
    ticket, actor = found
    await screen.commit(
        lambda s: fn(QueueService(s, actor), ticket),
        done.format(code=ticket.code) if done else None,
    )


# Finishing, with a next step ------------------------------------------------------------------


async def finish(screen: CounterScreen) -> None:
    """The outcome of each service of the visit (the ticket's with the council's flags, then
    each one added); "needs an appointment" books it for this resident and service there and
    then; signposted asks where to. Then the resident's own rating of the visit (one key)."""
    if (found := screen.with_ticket()) is None:
        return
    ticket, actor = found
    snap = screen.desk.snapshot
    added = [a for a in (snap.added.get(ticket.visit_id, ()) if snap else ()) if not a.outcome]
    # From one dialog to the next (the outcome, the booking form after it, through the save to
    # the follow-up form or the rating prompt) a key typed is for what comes next, never for
    # the desk's keys beneath: the desk's key hold lasts the whole flow (``key_flow``); the
    # finish shows at once all the same (beneath it).
    services = [ticket.service, *(a.service for a in added)]
    asked = await ask_finish(screen, ticket.code, services)
    if asked is None:
        return
    first, outcomes, to = asked
    for code, outcome in outcomes.items():
        if outcome is Outcome.APPOINTMENT and not await next_step(screen, ticket, code, actor):
            return
    own = outcomes.pop(ticket.service)
    # A ring-back arranged or a referral: the new follow-up, per service that needs one.
    follow = [
        (code, outcome)
        for code, outcome in ((ticket.service, own), *outcomes.items())
        if follow_up_kind(screen, actor, outcome) is not None
    ]
    said = ", ".join(o.value for o in (own, *outcomes.values()))
    finished = await screen.commit(
        lambda s: QueueService(s, actor).finish(
            ticket.id,
            own,
            outcomes,
            signposted_to=to,
            assisted_digital=first.assisted_digital,
            avoidable=first.avoidable,
        ),
        f"{ticket.code} finished: {said}",
    )
    if not isinstance(finished, Ok):
        return
    for code, outcome in follow:
        await follow_up_outcome(screen, actor, outcome, Arranged(code, ticket=ticket.id))
    # Still under the hold: a key typed while the finish saved (N for the next resident, a
    # rating) waited, and goes on once the rating prompt is up, in the order typed; it
    # started another desk action meanwhile, which cut the finish short (no notice, no
    # rating asked). The finish's last key again at once is that key pressed twice, unless a
    # form (a booking, a follow-up) came after it.
    booked = Outcome.APPOINTMENT in (own, *outcomes.values())
    rate_visit(screen, ticket, actor, "" if follow or booked else first.key)


async def next_step(screen: CounterScreen, ticket: Ticket, service: str, actor: Actor) -> bool:
    """Book the appointment the visit needs (False: the adviser went back, nothing finishes)."""
    names = screen.desk.names
    svc = names.services.get(service)
    if svc is None or not svc.takes_appointments:
        screen.say(f"{names.service(service)} takes no appointments: finishing as it is")
        return True
    if not screen.desk.may(Action.BOOK_APPOINTMENT, actor):
        screen.say(
            f"Booking is not your role here: {ticket.code} finishes as needing an appointment",
            timeout=6,
        )
        return True
    from oss_desk.ui.screens.appointment_booking import book_next_step  # loads when first used

    booked = await book_next_step(screen, ticket, service)
    if booked is not None:
        zone = names.timezone(booked.site_id) or "UTC"
        when = time_said(booked.starts_at, zone, names.today(), dated=True)
        screen.say(
            f"{booked.ref} booked for {ticket.code}'s visit: {when} with "
            f"{names.person(booked.adviser)}",
            timeout=6,
        )
        return True
    anyway = await screen.app.push_screen_wait(
        QuestionDialog(
            f"{ticket.code}: finish without booking the appointment?",
            yes="finish; the appointment is booked later",
            no="go back to the desk",
        )
    )
    return bool(anyway)


# No-shows ------------------------------------------------------------------------------------


async def no_show(screen: CounterScreen) -> None:
    """Mark a no-show, asked first: yes marks it (U takes it back); no, they are here after
    all, starts serving them. Yes is what X was pressed for, so a habitual y does that. A key
    typed while it is saved waits, and goes to the desk once it is (N calls the next then)."""
    if (found := screen.with_ticket()) is None:
        return
    ticket, actor = found
    called = f"Called {screen._minutes(ticket.called_at)} min ago" if ticket.called_at else ""
    if ticket.recalls:
        called += f", recalled {ticket.recalls} time{'s' if ticket.recalls > 1 else ''}"
    missing = await screen.app.push_screen_wait(
        QuestionDialog(
            f"{ticket.code}: the resident has not come?",
            yes="mark them a no-show",
            no="they are here: start serving them",
            detail=called,
        )
    )
    if missing is None:
        return
    if not missing:
        await screen.commit(lambda s: QueueService(s, actor).start(ticket.id))
        return
    done = await screen.commit(lambda s: QueueService(s, actor).no_show(ticket.id))
    if isinstance(done, Ok):
        # U must work from the moment the message offers it: remember the no-show first.
        screen.last_no_show = (ticket.id, ticket.code, screen.desk.names.now())
        screen.refresh_bindings()
        screen.notify_done(f"{ticket.code} marked no-show · U takes it back (2 minutes)")


async def undo_no_show(screen: CounterScreen) -> None:
    last = screen.last_no_show
    desk = screen.current_desk()
    if last is None or desk is None:
        return
    ticket_id, code, _at = last
    actor = screen.desk.actor(desk)
    back = await screen.commit(lambda s: QueueService(s, actor).undo_no_show(ticket_id))
    if isinstance(back, Ok):
        screen.last_no_show = None
        again = back.value.ticket.status is TicketStatus.CALLED
        where = "called here again" if again else "next here"
        paper = f" · {PAPER_AGAIN}: queued to print again" if back.value.print_job else ""
        screen.say(f"{code} is back: {where}{paper}", timeout=5)


# Parking ------------------------------------------------------------------------------------


async def park_or_resume(screen: CounterScreen) -> None:
    """With a resident at the desk: park them (why?). Without: resume one parked here."""
    ticket = screen.my_ticket()
    desk = screen.current_desk()
    if desk is None:
        return
    actor = screen.desk.actor(desk)
    if ticket is not None:
        reason = await screen.app.push_screen_wait(ParkDialog(ticket.code))
        if reason is None:
            return
        await screen.commit(
            lambda s: QueueService(s, actor).park(ticket.id, reason),
            f"{ticket.code} parked ({PARK_REASONS[reason]}) · P brings them back",
        )
        return
    parked = screen.parked()
    if not parked:
        screen.say(screen.why_not("park") or "Nobody is parked here")
        return
    chosen: int | None = parked[0].id
    if len(parked) > 1:
        picked = await screen.app.push_screen_wait(
            ChoiceDialog(
                "Resume which parked resident?",
                [
                    (str(t.id), f"{t.code}  {PARK_REASONS.get(t.park_reason or '', '')}")
                    for t in parked
                ],
                meaning="The residents parked at this desk (waiting aside, each with why): the "
                "one picked comes back to be served here; the others stay parked until P brings "
                "them back.",
            )
        )
        chosen = int(picked) if picked else None
    if chosen is None:
        return
    code = next(t.code for t in parked if t.id == chosen)
    ticket_id = chosen
    await screen.commit(
        lambda s: QueueService(s, actor).resume(ticket_id), f"{code} is back at the desk"
    )


# Several services --------------------------------------------------------------------------------


async def add_service(screen: CounterScreen) -> None:
    if (found := screen.with_ticket()) is None:
        return
    ticket, actor = found
    snap = screen.desk.snapshot
    already = [a.service for a in (snap.added.get(ticket.visit_id, ()) if snap else ())]
    code = await pick_service(
        screen,
        f"{ticket.code}: which other service in this visit?",
        [ticket.service, *already],
        meaning="Another service the resident is dealt with for in this same visit, at this "
        "desk: F then asks the outcome of each service, and the reports count each.",
    )
    if code is None:
        return
    name = screen.desk.names.service(code)
    await screen.commit(
        lambda s: QueueService(s, actor).add_service(ticket.id, code),
        f"{ticket.code}: also {name} (its own outcome when you finish)",
    )


# Transfers ----------------------------------------------------------------------------------


async def transfer(screen: CounterScreen) -> None:
    """To another service (a new code, printed here), a desk or a colleague; a key typed from
    one of its dialogs to the next is for the next, never for the desk's keys beneath."""
    if (found := screen.with_ticket()) is not None:
        await _transfer(screen, *found)


async def _transfer(screen: CounterScreen, ticket: Ticket, actor: Actor) -> None:
    names = screen.desk.names
    where = await screen.app.push_screen_wait(
        ChoiceDialog(
            f"Transfer {ticket.code} ({names.service(ticket.service)}) to:",
            [("s", "S  another service"), ("d", "D  a desk"), ("p", "P  a colleague")],
            "S, D or P · Esc: back",
            meaning=f"Where the resident goes next. S, another service: {TO_ANOTHER_SERVICE}. "
            f"D, a desk: {SENT_TO_DESK}. P, a colleague: {SENT_TO_PERSON}. Esc: they stay at "
            "this desk.",
        )
    )
    service = person = None
    if where == "d":  # sent in the desk's box, which says a refusal and stays open
        if (desk := await pick_desk(screen, ticket, actor)) is not None:
            await screen.desk.after_write()
            screen.notify_done(f"{ticket.code} sent to {names.desk(desk)}: first in their queue")
        return
    if where == "s":
        service = await pick_new_service(screen, ticket)
    elif where == "p":
        person = await pick_colleague(screen, ticket)
    if service is None and person is None:
        return
    done = await screen.desk.act(
        lambda s: QueueService(s, actor).move(ticket.id, service=service, person=person)
    )
    if not isinstance(done, Ok):
        return
    screen.desk.show_result(done.value.ticket)
    await screen.desk.after_write()
    if done.value.ticket.code != ticket.code:
        await screen.app.push_screen_wait(NewCodeDialog(screen.desk, ticket, done.value))
    else:
        screen.notify_done(f"{ticket.code} sent to {names.person(person or '')}")


def never_calls(screen: CounterScreen, ticket: Ticket, desk: Desk) -> str | None:
    """Why ``desk`` never calls ``ticket``, whoever is there (the transfer's own rule:
    :func:`~oss_desk.domain.sent_to.desk_never_calls`); None when it may."""
    service = screen.desk.names.service(ticket.service)
    private = ticket.needs_private_room
    return desk_never_calls(
        desk, ticket.site_id, ticket.service, private, service_name=service, code=ticket.code
    )


async def pick_desk(screen: CounterScreen, ticket: Ticket, actor: Actor) -> str | None:
    """Send ``ticket`` to a desk chosen in a box: a desk that refuses it (closed, nobody
    logged in) says why in the box, which stays open. The desk it went to, or None."""
    names = screen.desk.names
    choices = desk_choices(
        screen,
        (
            desk
            for desk in names.desks.values()
            if desk.id != ticket.desk and never_calls(screen, ticket, desk) is None
        ),
        ticket.requires,
    )
    if not choices:
        room = " with a private room" if ticket.needs_private_room else ""
        screen.say(f"No other desk{room} serves {names.service(ticket.service)}")
        return None

    sent = await send_to_chosen_desk(
        screen,
        ticket.code,
        choices,
        partial(_send_to_desk, actor, ticket.id),
        meaning=f"Sent to a desk, {SENT_TO_DESK}. Listed: the other desks that may call them; "
        "one that cannot (closed, nobody logged in) says why here, and the box stays open.",
    )
    if sent is None:
        return None
    desk, moved = sent
    screen.desk.show_result(moved.ticket)
    return desk


def _send_to_desk(actor: Actor, ticket_id: int, desk: str, session: Session) -> Moved:
    """The adviser's T then D: ``ticket_id`` sent to ``desk``."""
    return QueueService(session, actor).move(ticket_id, desk_id=desk)


async def pick_colleague(screen: CounterScreen, ticket: Ticket) -> str | None:
    """A colleague to send ``ticket`` to: those at a desk that may call it first (the choice
    is highlighted on the first), then the rest, each with why sending it to them is refused
    (the transfer's own rule). Where each is logged in is read from the office's records, at
    every site (the desk's snapshot holds only its own site's desks)."""
    names = screen.desk.names
    me = screen.acting_as().person
    colleagues = [(p, name) for p, name in names.colleagues() if p != me]
    if not colleagues:
        screen.say("Nobody else on the staff list calls residents")
        return None

    def logins(session: Session) -> dict[str, str]:
        queue = QueueService(session)
        found = {p: queue.login_of(p) for p, _ in colleagues}
        return {p: login.desk_id for p, login in found.items() if login is not None}

    read = await screen.desk.act(logins)
    if not isinstance(read, Ok):
        return None
    at = {p: names.desks[d] for p, d in read.value.items() if d in names.desks}

    def where(person_id: str) -> tuple[bool, str]:
        """Whether their desk may call the ticket, and where they are, in words."""
        desk = at.get(person_id)
        if desk is None:
            return False, "not logged in"
        why = never_calls(screen, ticket, desk)
        return why is None, desk.name if why is None else f"{desk.name}, which {why}"

    placed = [(where(p), p, name) for p, name in colleagues]
    placed.sort(key=lambda each: not each[0][0])
    choices = [(p, f"{name}  ({words})") for (_, words), p, name in placed]
    return await screen.app.push_screen_wait(
        ChoiceDialog(
            f"Send {ticket.code} to which colleague?",
            choices,
            meaning=f"Sent to a colleague, {SENT_TO_PERSON}. Listed: those at a desk that may "
            "call them first (with where), then the rest (with why not).",
        )
    )


# Notes and history ---------------------------------------------------------------------------


async def note(screen: CounterScreen) -> None:
    if (found := screen.with_ticket()) is None:
        return
    ticket, actor = found
    text = await screen.app.push_screen_wait(
        TextDialog(
            f"Note on {ticket.code}'s visit",
            placeholder="A short note",
            hint=f"{PRIVACY_REMINDER}\nEnter: save the note · Esc: back (nothing saved)",
            room=NOTE_LIMIT,
        )
    )
    if not text:
        return
    await screen.commit(lambda s: QueueService(s, actor).add_note(ticket.id, text), "Note saved")


async def history(screen: CounterScreen, ticket_id: int) -> None:
    """The visit's history and notes (and its booking's), read back here; the read of the
    notes is recorded."""
    actor = screen.acting_as()
    found = await screen.desk.act(lambda s: _history(s, actor, ticket_id))
    if not isinstance(found, Ok):
        return
    shown, lines = found.value
    await screen.desk.after_write()  # the read was recorded
    note = "Reading the notes is recorded (who, where, when)." if shown.notes_shown else ""
    await screen.app.push_screen_wait(
        LinesDialog(f"History of {shown.ticket.code}'s visit", lines, note)
    )


def _history(session: Session, actor: Actor, ticket_id: int) -> tuple[History, list[str]]:
    from oss_desk.services.visit_history import VisitHistory  # loads when first used

    found = VisitHistory(session, actor).of_ticket(ticket_id)
    return found, found.text(session)[1:]


# Leaving the desk -------------------------------------------------------------------------


async def leave_desk(desk: DeskContext) -> None:
    """The desk app closes: its person logs out of its adviser desk, and of this terminal's
    meet-and-greet desk (entering it logged them in), and the desk closes; unless a resident is
    still at it."""
    greet = desk.greet_desk_id if desk.terminal_desk == desk.greet_desk_id else None
    for desk_id in dict.fromkeys((desk.adviser_desk_id, greet)):
        snap = desk.snapshot
        state = snap.desk(desk_id) if snap is not None and desk_id is not None else None
        if state is None or desk_id is None or state.login is None or state.ticket is not None:
            continue
        actor = desk.actor(desk_id)
        if state.login.person == actor.person:
            await desk.act(partial(_log_out, actor, desk_id), quiet=True)


def _log_out(actor: Actor, desk_id: str, session: Session) -> object:
    return QueueService(session, actor).log_out(desk_id)
