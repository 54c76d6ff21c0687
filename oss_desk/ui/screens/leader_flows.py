"""The team leader's keys on the day and the desks (F4): close the highlighted desk (Z), put it
on a break or open it again (B), close the day or reopen it (E). Kept out of the leader's
screen module, which lays out and draws the screen; each flow asks the same rule and says the
same words as its ``oss-desk desks`` command."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable

from oss_desk.domain.closed_day import day_closed_said
from oss_desk.domain.counter import still_at_desk
from oss_desk.domain.models import DeskStatus, TicketStatus
from oss_desk.domain.sent_to import back_to_queue_words, desk_status_said, on_break_words
from oss_desk.errors import RuleViolation
from oss_desk.services.desk_view import DeskState
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now, left_open_now, reopen_asked, reopen_now
from oss_desk.ui.context import Ok
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.ui.screens.base import DeskScreen

CLOSE_DESK_MEANING = (
    "y closes the desk: nobody there calls residents until someone logs in to it, which opens "
    "it again. The tickets sent to it go back to the queue at their place (the question names "
    "them). n or Esc: it stays open."
)
BREAK_MEANING = (
    "y puts the desk on a break: it calls nobody until it is opened again (B again, or the "
    "adviser's own B). A resident called to it or at it stays there, and the tickets sent to "
    "it (or to the person logged in there) wait for it: the question names them. n or Esc: it "
    "stays open."
)

CLOSE_DAY = (
    'y closes the day now: every ticket still waiting or called is closed as "office closed", '
    "and meet-and-greet issues no tickets (nor check-ins) until the day is reopened (E again). "
    "Reopening it does not bring those tickets back: their residents need new tickets. "
    "n or Esc: the day stays open."
)
REOPEN = (
    "y reopens the day closed early: meet-and-greet issues tickets and appointments check "
    "residents in again. The tickets the close closed stay closed (the question says how "
    "many): issue their residents new tickets. n or Esc: it stays closed."
)


async def close_or_reopen_day(screen: DeskScreen) -> None:
    """E: close the day now (the office closes early, or everyone has gone), after a question
    that says how many tickets are closed as "office closed" and that reopening will not bring
    them back; while the day is closed with nothing left to close, reopen it after a question
    that says how many tickets the close closed, which stay closed."""
    snap = screen.desk.snapshot
    site = snap.site_id if snap is not None else None
    left = await screen.desk.act(lambda s: (left_open_now(s, site), reopen_asked(s, site)))
    if not isinstance(left, Ok):
        return
    open_now, reopen = left.value
    actor = screen.acting_as()
    if open_now.total == 0 and reopen is not None:
        if not await screen.app.push_screen_wait(ConfirmDialog(reopen, meaning=REOPEN)):
            return
        if isinstance(done := await screen.commit(lambda s: reopen_now(s, actor, site)), Ok):
            screen.notify_done(done.value.line("Day reopened: tickets and check-ins again"))
        return
    if not await screen.app.push_screen_wait(ConfirmDialog(open_now.question(), meaning=CLOSE_DAY)):
        return
    closed = await screen.commit(lambda s: (close_now(s, actor, site), s.today(s.site(site))))
    if isinstance(closed, Ok) and closed.value[0]:
        found, today = closed.value
        said = [(t.business_day, t.code) for t in found]
        screen.notify_done(day_closed_said(said, date.fromisoformat(today), codes=False))
    elif isinstance(closed, Ok):
        screen.say(
            "Day closed: no ticket was waiting or called; no arrivals until it is "
            "reopened (E again)",
            timeout=6,
        )


def highlighted_desk(screen: DeskScreen) -> DeskState | None:
    """The desk highlighted in the leader's desks table, as the live queue last saw it."""
    table = screen.query_one("#desks", DataTable)
    snap = screen.desk.snapshot
    if table.row_count == 0 or snap is None:
        return None
    row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    return snap.desk(str(row_key.value))


async def close_desk(screen: DeskScreen) -> None:
    """Z: close the highlighted desk, after a question that names the tickets sent to it, which
    go back to the queue (never one with a resident called or at it: said before asking)."""
    state = highlighted_desk(screen)
    snap = screen.desk.snapshot
    if state is None or snap is None:
        return
    desk_id = state.desk.id
    wanted = DeskStatus.OPEN if state.status is DeskStatus.CLOSED else DeskStatus.CLOSED
    if wanted is DeskStatus.CLOSED and state.ticket is not None:  # said before asking
        screen.say(
            still_at_desk(state.desk.name, state.ticket, snap.business_day),
            title=RuleViolation.title,
            severity="warning",
        )
        return
    going = back_to_queue_words(snap.sent_back_if_closed(desk_id))
    if wanted is DeskStatus.CLOSED and not await screen.app.push_screen_wait(
        ConfirmDialog(
            f"Close {state.desk.name}?" + (f" ({going})" if going else ""),
            meaning=CLOSE_DESK_MEANING,
        )
    ):
        return
    actor = screen.acting_as()
    done = await screen.commit(lambda s: QueueService(s, actor).set_desk_status(desk_id, wanted))
    if isinstance(done, Ok):  # said as ``oss-desk desks close`` (and ``open``) says it
        change = done.value
        sent_back = [t.code for t in change.sent_back]
        screen.notify_done(
            desk_status_said(state.desk.name, change.previous, wanted, sent_back, change.waiting)
        )


async def pause_desk(screen: DeskScreen) -> None:
    """B: put the highlighted desk on a break, or open it again when it is on one, by the rule
    ``oss-desk desks break`` and ``open`` ask, saying what they say (the residents who wait for
    it). Asked first only when a resident is called to it or at it, or waits for it."""
    state = highlighted_desk(screen)
    snap = screen.desk.snapshot
    if state is None or snap is None:
        return
    desk_id, name = state.desk.id, state.desk.name
    wanted = DeskStatus.OPEN if state.status is DeskStatus.BREAK else DeskStatus.BREAK
    waiting = on_break_words(snap.sent_here(desk_id), name)
    ticket = state.ticket
    if wanted is DeskStatus.BREAK and (ticket is not None or waiting):
        question = f"Put {name} on a break?"
        if ticket is not None:
            where = "called to" if ticket.status is TicketStatus.CALLED else "being served at"
            question = f"{ticket.code} is {where} {name} and stays there: put it on a break?"
        detail = f"\n{waiting}." if waiting else ""
        if not await screen.app.push_screen_wait(
            ConfirmDialog(question + detail, meaning=BREAK_MEANING)
        ):
            return
    actor = screen.acting_as()
    done = await screen.commit(lambda s: QueueService(s, actor).set_desk_status(desk_id, wanted))
    if isinstance(done, Ok):
        change = done.value
        sent_back = [t.code for t in change.sent_back]
        screen.notify_done(
            desk_status_said(name, change.previous, wanted, sent_back, change.waiting)
        )
