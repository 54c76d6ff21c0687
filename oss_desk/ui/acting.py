"""Who acts at this terminal: the person who opened it; in the demo, where one terminal plays
every desk's person, whoever is at each desk (see ``domain.counter.demo_person_at``).

Kept out of the app module (the app's methods ask these), so every screen's changes are
attributed the one way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from oss_desk.domain.counter import demo_person_at
from oss_desk.domain.models import Actor, Role

if TYPE_CHECKING:
    from oss_desk.services.desk_view import DeskSnapshot
    from oss_desk.services.runner import SessionRunner


class Terminal(Protocol):
    """What these ask of the desk app (they never import it)."""

    demo: bool
    person: str
    runner: SessionRunner
    terminal_desk: str | None
    greet_desk_id: str | None
    adviser_desk_id: str | None

    @property
    def snapshot(self) -> DeskSnapshot | None: ...


def desk_actor(app: Terminal, desk_id: str | None) -> Actor:
    """Who acts at ``desk_id``: the terminal's person; in the demo, the person logged in to
    the desk (one who took it over, too), else the desk's own person."""
    if not app.demo or desk_id is None:
        return Actor(person=app.person, desk_id=desk_id)
    desk = next((d for d in app.runner.session.settings.desks if d.id == desk_id), None)
    snap = app.snapshot
    state = snap.desk(desk_id) if snap is not None else None
    login = state.login if state is not None else None
    person = demo_person_at(login, desk.person if desk is not None else None, app.person)
    return Actor(person=person, desk_id=desk_id)


def leader_actor(app: Terminal) -> Actor:
    """The team leader: the terminal's person (in the demo, the demo's team leader)."""
    if app.demo:
        for person in app.runner.session.settings.staff:
            if person.role is Role.TEAM_LEADER:
                return Actor(person=person.id, desk_id=app.terminal_desk)
    return Actor(person=app.person, desk_id=app.terminal_desk)


def mode_actor(app: Terminal, mode: str) -> Actor:
    """Who acts in ``mode`` (in the demo each mode has its own person)."""
    if mode == "greet":
        return desk_actor(app, app.greet_desk_id)
    if mode == "desk":
        return desk_actor(app, app.adviser_desk_id)
    if mode in ("leader", "reports"):
        return leader_actor(app)
    return desk_actor(app, app.terminal_desk or app.greet_desk_id)
