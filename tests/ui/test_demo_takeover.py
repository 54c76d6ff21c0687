"""The demo plays every desk's person from one terminal: once someone else takes a desk over
(the team leader, from another terminal), what the demo does at that desk is theirs, never the
desk's configured person's (before, it went on acting as Ben, who had been logged out)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.widgets.bars import TopBar

from ..conftest import MONDAY_0930
from .conftest import AppFactory, rows, until


def login_at(db: Path, desk: str) -> str | None:
    found = rows(db, "SELECT person FROM desk_sessions WHERE desk_id = ?", desk)
    return str(found[0][0]) if found else None


async def test_after_a_takeover_the_demo_desk_acts_as_who_took_it_over(
    tmp_path: Path, make_app: AppFactory
) -> None:
    db = tmp_path / "demo.sqlite"
    clock = FixedClock(MONDAY_0930)
    initialise(db, clock=clock, demo_dir=tmp_path)
    greeter = open_session(db=db, clock=clock, person="chloe", desk_id="greet-1")
    try:
        QueueService(greeter, Actor("chloe", "greet-1")).issue("C", print_ticket=False)
    finally:
        greeter.close()
    app = make_app(db, "desk-1", person="chloe", clock=clock, demo=True)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, AdviserScreen) and app.snapshot is not None)
        await until(lambda: login_at(db, "desk-1") == "ben")  # the desk's own person
        leader = open_session(db=db, clock=clock, person="amina", desk_id="desk-1")
        try:
            QueueService(leader, Actor("amina", "desk-1")).log_in("desk-1", take_over=True)
        finally:
            leader.close()
        screen = app.screen
        await until(lambda: "Amina Shah" in str(screen.query_one(TopBar).render()))
        assert app.actor("desk-1").person == "amina"
        await pilot.press("n")  # call next: Amina's call, at her desk now
        await until(lambda: bool(rows(db, "SELECT 1 FROM events WHERE kind = 'called'")))
        called = rows(db, "SELECT actor, desk_id FROM events WHERE kind = 'called'")
        assert called == [("amina", "desk-1")]
        assert login_at(db, "desk-1") == "amina"  # nobody took it back as Ben
