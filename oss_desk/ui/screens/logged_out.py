"""A desk app whose person was logged out of their desk from elsewhere says so, once.

Every snapshot is compared with the one before: when this terminal's person was logged in to the
desk this terminal is at (its adviser desk, or its meet-and-greet desk) and no longer is, the
event log says who did it and when; unless it was the person themselves (Z, or moving desk with
F8), a notice tells them ("You were logged out of Desk 1 at 10:05 by Tara Leader: Z logs you
in again"). The screen itself shows the desk as the snapshot has it (closed). What was seen is
kept per desk app, so every screen that follows the snapshot may ask and it is said once.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from oss_desk.domain.logged_out import logged_out_words
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.faults import guard

if TYPE_CHECKING:
    from textual.screen import Screen

    from oss_desk.services.desk_view import DeskSnapshot

_seen: WeakKeyDictionary[DeskContext, set[tuple[str, str]]] = WeakKeyDictionary()
"""By desk app: the (desk, person) pairs of this terminal logged in at the last snapshot."""


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
    for desk_id, person in sorted((before & mine) - now):
        tell = partial(_tell, screen, desk, desk_id, person, snapshot.business_day)
        screen.run_worker(guard(screen, tell), group="logged-out", exit_on_error=False)


async def _tell(
    screen: Screen[None], desk: DeskContext, desk_id: str, person: str, day: str
) -> None:
    from oss_desk.services.desk_view import last_logout  # loaded with the first snapshot

    found = await desk.act(lambda s: last_logout(s, desk_id, day), quiet=True)
    gone = found.value if isinstance(found, Ok) else None
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
    screen.app.notify(words, title="Logged out", severity="warning", markup=False, timeout=60)
