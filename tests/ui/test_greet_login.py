"""The meet-and-greet desk app logs its person in to its desk on opening, as the adviser screen
does (the team leader's desks table said "Reception - open" with nobody there, and `desks
list` no one), and out again on quitting."""

from __future__ import annotations

from pathlib import Path

from oss_desk.services.queue import QueueService
from oss_desk.ui.screens.greet import GreetScreen

from .conftest import AppFactory, acting, rows, settled, until


def logins(db: Path) -> dict[str, str]:
    return {str(d): str(p) for d, p in rows(db, "SELECT desk_id, person FROM desk_sessions")}


def greet_events(db: Path) -> list[tuple[object, ...]]:
    return rows(
        db,
        "SELECT kind, actor FROM events WHERE kind IN ('desk_login', 'desk_logout') "
        "AND desk_id = 'greet-1' ORDER BY id",
    )


async def test_meet_and_greet_logs_its_person_in_and_out(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, GreetScreen))
        await until(lambda: logins(office) == {"greet-1": "tl"})
        assert rows(office, "SELECT status FROM desks WHERE id = 'greet-1'") == [("open",)]
        # The team leader's view of the desks says who is there, as the service does.
        with acting(office, person="tl") as session:
            assert QueueService(session).login_of("tl") is not None
        await settled(pilot)
        await pilot.press("ctrl+q")
    assert logins(office) == {}
    assert rows(office, "SELECT status FROM desks WHERE id = 'greet-1'") == [("closed",)]
    assert greet_events(office) == [("desk_login", "tl"), ("desk_logout", "tl")]


async def test_an_adviser_looking_at_meet_and_greet_is_not_moved_there(
    office: Path, make_app: AppFactory
) -> None:
    """At an adviser's terminal, meet-and-greet (F2) is looked at, not entered: the person
    stays logged in to their own desk."""
    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: logins(office) == {"desk-1": "tl"})
        await pilot.press("f2")
        await until(lambda: isinstance(app.screen, GreetScreen))
        await settled(pilot)
        assert logins(office) == {"desk-1": "tl"}
        assert greet_events(office) == []
