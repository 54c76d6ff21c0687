"""A desk app whose person was logged out of their desk from elsewhere says so, once.

Every snapshot is compared with the one before: when this terminal's person was logged in to the
desk this terminal is at (its adviser desk, or its meet-and-greet desk) and no longer is, the
event log says who did it and when; unless it was the person themselves (Z, or moving desk with
F8), a notice tells them ("You were logged out of Desk 1 at 10:05 by Tara Leader: Z logs you
in again"). The screen itself shows the desk as the snapshot has it (closed). What was seen is
kept per desk app, so every screen that follows the snapshot may ask and it is said once. The
notice is taken down when its person is logged in to that desk again (Z, or from elsewhere): it
was about a desk they are back at, and stayed for its minute above the "logged in" that
followed (trial 8).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from textual.notifications import Notification, Notify

from oss_desk.domain.logged_out import NOTICE_SECONDS, logged_out_words
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.faults import guard

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from oss_desk.services.desk_view import DeskSnapshot

_seen: WeakKeyDictionary[DeskContext, set[tuple[str, str]]] = WeakKeyDictionary()
"""By desk app: the (desk, person) pairs of this terminal logged in at the last snapshot."""
_notices: WeakKeyDictionary[DeskContext, dict[str, Notification]] = WeakKeyDictionary()
"""By desk app: the logged-out notice shown for each desk, until its person is back there."""


def watch_logins(screen: Screen[None], desk: DeskContext, snapshot: DeskSnapshot | None) -> None:
    """Compare ``snapshot`` with the last one: a person of this terminal logged out of its desk
    since then is told by whom and when (the event log is read on the database thread)."""
    if snapshot is None:
        return
    mine = {
        (desk_id, desk.actor(desk_id).person)
        for desk_id in (desk.adviser_desk_id, desk.greet_desk_id)
        if desk_id is not None
    }
    now = {
        (desk_id, person)
        for desk_id, person in mine
        if (state := snapshot.desk(desk_id)) is not None
        and state.login is not None
        and state.login.person == person
    }
    before = _seen.get(desk, set())
    _seen[desk] = now
    for desk_id, _ in now - before:  # logged in again: the notice about it is over
        _take_down(screen.app, _notices.get(desk, {}).pop(desk_id, None))
    for desk_id, person in sorted((before & mine) - now):
        tell = partial(_tell, screen, desk, desk_id, person, snapshot.business_day)
        screen.run_worker(guard(screen, tell), group="logged-out", exit_on_error=False)


async def _tell(
    screen: Screen[None], desk: DeskContext, desk_id: str, person: str, day: str
) -> None:
    from oss_desk.services.desk_view import last_logout  # loaded with the first snapshot

    found = await desk.act(lambda s: last_logout(s, desk_id, day), quiet=True)
    gone = found.value if isinstance(found, Ok) else None
    if (desk_id, person) in _seen.get(desk, set()):
        return  # logged in there again while the event log was read: nothing to tell
    if gone is not None and gone.by == person and not gone.by_config:
        return  # they logged out themselves (Z here, or another desk chosen with F8)
    names = desk.names
    keys = desk_id == desk.adviser_desk_id  # Z and F8 are the adviser screen's
    if gone is None:  # not in the event log (a restored copy, another day): who is not known
        words = logged_out_words(names.desk(desk_id), None, None, keys=keys)
    else:
        words = logged_out_words(
            names.desk(desk_id),
            names.local_time(gone.at),
            names.person(gone.by),
            taken_over=gone.taken_over,
            by_config=gone.by_config,
            keys=keys,
        )
    notice = Notification(words, "Logged out", "warning", NOTICE_SECONDS, markup=False)
    _take_down(screen.app, _notices.setdefault(desk, {}).pop(desk_id, None))
    _notices[desk][desk_id] = notice
    screen.app.post_message(Notify(notice))  # what ``App.notify`` posts, kept to take down


def _take_down(app: App[object], notice: Notification | None) -> None:
    """Take ``notice`` off the screen: it is made to have expired, and posted again so that
    the app drops it from its notifications and the screen's toasts (Textual's public message;
    an expired notification is never shown, and the toast's own timer then finds it gone)."""
    if notice is None:
        return
    notice.timeout = 0
    app.post_message(Notify(notice))
