"""Logging in to and out of a desk from the adviser screen (Z, entering the desk, F8) and
meet-and-greet (entering its desk), and a break asked first when a resident is called there
(B). Logging out closes the desk; the tickets sent to it go back to the queue, and the question
and the notice say which."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from oss_desk.domain.counter import still_here_said
from oss_desk.domain.models import Actor, DeskKind, TicketStatus
from oss_desk.domain.sent_to import back_to_queue_words, closed_words, on_break_words
from oss_desk.services.queue import DeskHeld, LoggedIn, QueueService
from oss_desk.services.session import Session
from oss_desk.ui.context import Ok
from oss_desk.ui.dialogs import ChoiceDialog, InfoDialog
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.faults import guard
from oss_desk.ui.keyline import behind

if TYPE_CHECKING:
    from oss_desk.ui.screens.base import DeskScreen
    from oss_desk.ui.screens.counter import CounterScreen


def log_in_on_entering(screen: DeskScreen, entered: set[tuple[str, str]]) -> None:
    """Entering a desk (the adviser screen's, or meet-and-greet's at its own terminal): log the
    person in to it, once (a desk someone else holds asks, or says who: :func:`log_in`).
    ``entered``: the (desk, person) the screen has entered; after that only a key logs in or
    out there (a later snapshot without this person, after their own log-out, must not log them
    back in)."""
    desk, snap = screen.current_desk(), screen.desk.snapshot
    state = snap.desk(desk) if snap is not None and desk is not None else None
    if desk is None or state is None:
        return
    actor = screen.acting_as()
    if (desk, actor.person) in entered:
        return
    entered.add((desk, actor.person))
    if state.login is not None and state.login.person == actor.person:
        return

    async def entering() -> None:
        tried = await screen.desk.act(partial(_attempt, desk, actor))
        if not isinstance(tried, Ok):
            return
        if isinstance(tried.value, DeskHeld):  # someone else is there: asked or told, keys
            # not held back (they answer the dialog)
            answer = guard(screen, partial(_held_there, screen, desk, actor, tried.value))
            screen.run_worker(answer, group="login", exit_on_error=False)
            return
        screen.desk.show_login(desk, actor.person)
        await screen.desk.after_write()

    flow = screen.run_worker(guard(screen, entering), group="login", exit_on_error=False)
    # A key typed at once (N after F3) waits for the log-in and its refresh, then acts at the
    # desk as the person sees it (theirs, open), never refused as closed meanwhile.
    behind(screen.app, flow)


def _attempt(desk: str, actor: Actor, session: Session) -> LoggedIn | DeskHeld:
    try:
        return QueueService(session, actor).log_in(desk)
    except DeskHeld as held:
        return held


async def log_in(screen: DeskScreen, desk: str, actor: Actor, quiet: bool = False) -> bool:
    """Log in to the desk; someone else there: a team leader is asked whether to take over
    (recorded), anyone else is told who is there (``quiet``: entering the desk, whose title
    then shows who is logged in, says nothing more when it simply works). True: logged in."""
    tried = await screen.desk.act(partial(_attempt, desk, actor))
    if not isinstance(tried, Ok):
        return False
    if isinstance(tried.value, LoggedIn):
        screen.desk.show_login(desk, actor.person)
        if not tried.value.already and not quiet:
            screen.say(
                f"{screen.desk.names.person(actor.person)} logged in to "
                f"{screen.desk.names.desk(desk)}",
                timeout=3,
            )
        await screen.desk.after_write()
        return True
    return await _held_there(screen, desk, actor, tried.value)


async def _held_there(screen: DeskScreen, desk: str, actor: Actor, held: DeskHeld) -> bool:
    """Someone else is logged in to ``desk``: a team leader is asked whether to take over,
    anyone else is told who is there. True: taken over."""
    if not held.may_take_over:
        await screen.app.push_screen_wait(
            InfoDialog(
                f"{screen.desk.names.desk(desk)} is in use",
                [held.message, "F8 chooses another desk."],
            )
        )
        await screen.desk.after_write()
        return False
    take = await screen.app.push_screen_wait(
        QuestionDialog(
            f"{screen.desk.names.desk(desk)} is in use",
            yes=f"take it over from {held.holder} (recorded)",
            no="leave it",
            detail=held.message,
        )
    )
    if not take:
        return False
    took = await screen.commit(lambda s: QueueService(s, actor).log_in(desk, take_over=True))
    if not isinstance(took, Ok):
        return False
    # What was sent to the person taken over from goes back.
    done = f"You took {screen.desk.names.desk(desk)} over from {held.holder}"
    screen.notify_done(closed_words(done, took.value.sent_back))
    return True


async def log_in_or_out(screen: CounterScreen) -> None:
    desk = screen.current_desk()
    state = screen.my_state()
    if desk is None or state is None:
        return
    actor = screen.desk.actor(desk)
    name = screen.desk.names.desk(desk)
    screen.entered.add((desk, actor.person))  # from now on only Z logs in or out here
    if state.login is None or state.login.person != actor.person:
        await log_in(screen, desk, actor)
        return
    if state.ticket is not None:
        snap = screen.desk.snapshot
        today = snap.business_day if snap is not None else state.ticket.business_day
        screen.say(still_here_said(state.ticket, name, today))
        return
    going = screen.desk.snapshot.sent_back_if_closed(desk) if screen.desk.snapshot else []
    if not await screen.app.push_screen_wait(
        QuestionDialog(
            f"Log out of {name}?",
            yes="log out; the desk closes",
            no="stay",
            detail=back_to_queue_words(going),
        )
    ):
        return
    done = await screen.desk.act(lambda s: QueueService(s, actor).log_out(desk))
    if isinstance(done, Ok):
        screen.desk.show_login(desk, None)  # at once: the fresh look follows
        screen.notify_done(closed_words(f"Logged out: {name} closed", done.value.sent_back))
        await screen.desk.after_write()


async def break_with_resident(screen: CounterScreen) -> bool:
    """B with a resident called or at the desk, or sent to it (only this desk calls them):
    asked first (they are on their way, here, or waiting for this desk, as Z's question says
    of those who go back to the queue). True: go on the break."""
    ticket = screen.my_ticket()
    desk = screen.current_desk()
    snap = screen.desk.snapshot
    name = screen.desk.names.desk(desk)
    waiting = on_break_words(snap.sent_here(desk) if snap and desk else [], name)
    if ticket is None and not waiting:
        return True
    if ticket is None:
        question = QuestionDialog(
            f"Go on a break from {name}?", yes="on a break", no="stay open", detail=waiting
        )
    else:
        where = "called to" if ticket.status is TicketStatus.CALLED else "being served at"
        question = QuestionDialog(
            f"{ticket.code} is {where} {name}: go on a break?",
            yes=f"on a break; {ticket.code} stays at {name}",
            no="stay open",
            detail=waiting,
        )
    answer = await screen.app.push_screen_wait(question)
    return answer is True


async def change_desk(screen: CounterScreen) -> None:
    names = screen.desk.names
    desks = [
        (d.id, f"{d.name}  ({d.kind.value})")
        for d in names.desks.values()
        if d.services and d.kind is not DeskKind.MEET_AND_GREET
    ]
    chosen = await screen.app.push_screen_wait(
        ChoiceDialog(
            "Which desk is this terminal?",
            desks,
            meaning="The desk this terminal works as from now on: N calls that desk's "
            "residents, and its queue and printer are that desk's. Listed: the desks that "
            "serve residents (not meet-and-greet).",
        )
    )
    if chosen is None or chosen == screen.current_desk():
        return
    # The move is a log-in there first: refused (someone else is there, and is not taken over),
    # the terminal stays at its own desk, its person still logged in to it.
    actor = screen.desk.actor(chosen)
    if not await log_in(screen, chosen, actor):
        return
    screen.entered.add((chosen, actor.person))
    screen.desk.use_adviser_desk(chosen)
    if screen.desk.snapshot is not None:
        screen._on_snapshot(screen.desk.snapshot)
