"""Who acts at this terminal: the person who opened it; in the demo, where one terminal plays
every desk's person, each desk's own person (never someone who took the desk over: see
:func:`desk_actor`).

Kept out of the app module (the app's methods ask these), so every screen's changes are
attributed the one way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from oss_desk.domain.models import Actor, Role

if TYPE_CHECKING:
    from oss_desk.services.runner import SessionRunner


class Terminal(Protocol):
    """What these ask of the desk app (they never import it)."""

    demo: bool
    person: str
    runner: SessionRunner
    terminal_desk: str | None
    greet_desk_id: str | None
    adviser_desk_id: str | None


def desk_actor(app: Terminal, desk_id: str | None) -> Actor:
    """Who acts at ``desk_id``: the terminal's person; in the demo, the desk's own person (the
    terminal's when it has none). Never whoever holds the desk now: once someone took it over
    from another terminal, this terminal is not them, so the desk screen refuses to act there
    as it does anywhere ("Amina Shah is logged in to Desk 1"), and every change stays the real
    person's at this terminal (with their role, not the one who took the desk over)."""
    if not app.demo or desk_id is None:
        return Actor(person=app.person, desk_id=desk_id)
    desk = next((d for d in app.runner.session.settings.desks if d.id == desk_id), None)
    person = desk.person if desk is not None and desk.person else app.person
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
    if mode in ("leader", "reports") or (mode == "followups" and app.demo):
        # The demo's follow-ups are its team leader's, who sees every kind (complaints too)
        return leader_actor(app)
    return desk_actor(app, app.terminal_desk or app.greet_desk_id)
