"""The demo plays every desk's own person from one terminal. Once someone else takes a desk over
from another terminal (the team leader), this terminal is not them: it refuses to act at that
desk, as any desk does when another person holds it, so nothing done here is recorded as theirs
nor done with their role (before, the demo acted as whoever held the desk)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor
from oss_desk.services.queue import QueueService
from oss_desk.services.site import initialise
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.widgets.bars import TopBar

from ..conftest import MONDAY_0930
from .conftest import AppFactory, acting, rows, said, until


def login_at(db: Path, desk: str) -> str | None:
    found = rows(db, "SELECT person FROM desk_sessions WHERE desk_id = ?", desk)
    return str(found[0][0]) if found else None


async def test_a_demo_desk_taken_over_from_elsewhere_is_not_acted_at_as_who_took_it(
    tmp_path: Path, make_app: AppFactory
) -> None:
    db = tmp_path / "demo.sqlite"
    clock = FixedClock(MONDAY_0930)
    initialise(db, clock=clock, demo_dir=tmp_path)
    with acting(db, person="chloe", clock=clock) as greeter:
        QueueService(greeter, Actor("chloe", "greet-1")).issue("C", print_ticket=False)
    app = make_app(db, "desk-1", person="chloe", clock=clock, demo=True)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, AdviserScreen) and app.snapshot is not None)
        await until(lambda: login_at(db, "desk-1") == "ben")  # the desk's own person
        with acting(db, person="amina", desk="desk-1", clock=clock) as leader:
            QueueService(leader, Actor("amina", "desk-1")).log_in("desk-1", take_over=True)
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: screen.held_by_other() == "amina")
        assert "Amina Shah is logged in here" in screen.hint_text(screen.my_state())
        assert app.actor("desk-1").person == "ben"  # never the person who took it over
        assert "Ben Walker (adviser)" in str(screen.query_one(TopBar).render())
        await pilot.press("n")  # call next: refused, Amina has this desk now
        words = "Amina Shah is logged in to Desk 1: F8 chooses another desk"
        await until(lambda: said(app, words))
        assert rows(db, "SELECT count(*) FROM events WHERE kind = 'called'") == [(0,)]
        assert rows(db, "SELECT status FROM tickets") == [("waiting",)]
        assert login_at(db, "desk-1") == "amina"  # nobody took it back as Ben
