"""The team leader's keys on the day and the desks (F4): close the day or reopen it (E). Kept
out of the leader's screen module, which lays out and draws the screen; each flow asks the
same rule and says the same words as its ``oss-desk desks`` command."""

from __future__ import annotations

from oss_desk.domain.closed_day import tickets
from oss_desk.services.queue.day_end import close_now, left_open_now, reopen_asked, reopen_now
from oss_desk.ui.context import Ok
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.ui.screens.base import DeskScreen

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
    closed = await screen.commit(lambda s: close_now(s, actor, site))
    if isinstance(closed, Ok) and closed.value:
        screen.notify_done(f"Day closed: {tickets(len(closed.value))} closed as office closed")
    elif isinstance(closed, Ok):
        screen.say(
            "Day closed: no ticket was waiting or called; no arrivals until it is "
            "reopened (E again)",
            timeout=6,
        )
