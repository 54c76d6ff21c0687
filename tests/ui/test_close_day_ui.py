"""The team leader closes the day from the leader's screen (issue 17, item 9): a key, a question
that says how many tickets will be closed as "office closed", and the same close of day the first
action after closing time and the device worker use. Advisers are refused in the service."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.errors import Forbidden
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now, left_open_now
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen

from ..conftest import MONDAY_0930, site_toml
from .conftest import AppFactory, acting, office_db, pressed_to, rows, said, settled, until


def statuses(db: Path) -> dict[str, str]:
    return dict(
        rows(db, "SELECT printf('%s%03d', service_code, number), status FROM tickets ORDER BY id")
    )


def closed_events(db: Path) -> list[tuple[str, str, str, dict[str, object]]]:
    """(code, at, actor, data) of each ticket closed as "office closed"."""
    found = rows(
        db,
        "SELECT printf('%s%03d', t.service_code, t.number), e.at, e.actor, e.data FROM events e"
        " JOIN tickets t ON t.id = e.ticket_id WHERE e.kind = 'cancelled' ORDER BY e.id",
    )
    return [(str(c), str(at), str(actor), json.loads(d)) for c, at, actor, d in found]


def close_by_hand(db: Path) -> None:
    """The team leader closes the day at 09:30 (Monday), as E on the leader's screen does."""
    with acting(db) as session:
        close_now(session)


def call_and_serve(db: Path) -> None:
    """C001 called to desk-1 (not come yet), B001 being served at desk-2; C002, W001 waiting."""
    with acting(db) as session:
        queue = QueueService(session)
        queue.call("C001", desk_id="desk-1")
        queue.call("B001", desk_id="desk-2")
        queue.start("B001")


async def test_the_team_leader_closes_the_day_after_a_question_naming_what_happens(
    office: Path, make_app: AppFactory
) -> None:
    call_and_serve(office)
    assert statuses(office) == {
        "C001": "called",
        "B001": "serving",
        "C002": "waiting",
        "W001": "waiting",
    }
    app = make_app(office, "greet-1")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LeaderScreen, "f4")
        # "No" first: nothing changes.
        dialog = await pressed_to(pilot, ConfirmDialog, "e")
        question = str(dialog.heading)
        assert question.startswith('Close the day now? 3 tickets will be closed as "office closed"')
        assert "2 waiting, 1 called and not come to a desk" in question
        assert "being served stay with their advisers" in question
        assert "reopening the day will not bring them back" in question
        await pressed_to(pilot, LeaderScreen, "n")
        await settled(pilot)
        assert closed_events(office) == []
        # Now "yes".
        await pressed_to(pilot, ConfirmDialog, "e")
        await pilot.press("y")
        await until(lambda: len(closed_events(office)) == 3)
        await until(lambda: said(app, "Day closed: 3 tickets"))
        # The leader's queue is empty now; the resident being served is still there.
        await until(lambda: app.snapshot is not None and not app.snapshot.waiting)
        # Nothing left to close: the key says so, and offers to reopen the day ("no" here).
        reopen = await pressed_to(pilot, ConfirmDialog, "e")
        assert str(reopen.heading).startswith(
            "Nothing to close: the day was closed by Team Leader at 09:30. Reopen it"
        )
        # Reopening is no undo: the question says the closed tickets stay closed.
        assert str(reopen.heading).endswith(
            "The 3 tickets it closed stay closed: issue them new tickets."
        )
        await pressed_to(pilot, LeaderScreen, "n")
        await settled(pilot)
        assert rows(office, "SELECT reopened_by FROM day_closures") == [(None,)]
    assert statuses(office) == {
        "C001": "cancelled",
        "B001": "serving",
        "C002": "cancelled",
        "W001": "cancelled",
    }
    closed = closed_events(office)
    # Recorded now (09:30, before the 17:00 closing time), by the team leader, by hand.
    assert [(code, at, actor) for code, at, actor, _ in closed] == [
        ("C001", "2026-11-23T09:30:00.000Z", "tl"),
        ("C002", "2026-11-23T09:30:00.000Z", "tl"),
        ("W001", "2026-11-23T09:30:00.000Z", "tl"),
    ]
    assert [(d["reason"], d["automatic"], d["was"]) for *_, d in closed] == [
        ("office_closed", False, "called"),
        ("office_closed", False, "waiting"),
        ("office_closed", False, "waiting"),
    ]
    # Their visits are over; the served one's is not.
    assert (
        rows(
            office,
            "SELECT v.status FROM visits v JOIN tickets t ON t.visit_id = v.id"
            " WHERE t.status = 'cancelled' ORDER BY t.id",
        )
        == [("cancelled",)] * 3
    )


def test_an_adviser_may_not_close_the_day(migrated: Path, tmp_path: Path) -> None:
    adviser = '[[staff]]\nid = "ann"\nname = "Ann Adviser"\nrole = "adviser"\n'
    office = office_db(migrated, tmp_path, site_toml(extra=adviser))
    with acting(office) as session:
        for code in ("C", "W"):
            QueueService(session).issue(code, print_ticket=False)
    with acting(office, person="ann", desk="desk-1") as session:
        assert left_open_now(session).total == 2
        with pytest.raises(Forbidden, match=r"may not close the day \(it needs") as refused:
            close_now(session)
        assert refused.value.exit_code == 9
    assert set(statuses(office).values()) == {"waiting"}
    assert closed_events(office) == []


def test_after_closing_time_the_day_closes_at_closing_time_and_later_arrivals_now(
    office: Path,
) -> None:
    """Closed by hand after closing time: those who came before it at 17:00 (as the automatic
    close would record them), one who came after it (an evening event) at that moment."""
    clock = FixedClock(MONDAY_0930.replace(hour=17, minute=20))
    with acting(office, clock=clock) as session:
        late = QueueService(session).issue("C", print_ticket=False).ticket
        clock.set(clock.now() + timedelta(minutes=10))
        assert late.code == "C003"
        # The issue itself closed the day's leftovers at 17:00 (the first action after
        # closing): only the evening ticket is left.
        assert left_open_now(session).total == 1
        closed = close_now(session)
    assert [t.code for t in closed] == ["C003"]
    assert [(code, at, d["automatic"]) for code, at, _, d in closed_events(office)] == [
        ("C001", "2026-11-23T17:00:00.000Z", True),
        ("B001", "2026-11-23T17:00:00.000Z", True),
        ("C002", "2026-11-23T17:00:00.000Z", True),
        ("W001", "2026-11-23T17:00:00.000Z", True),
        ("C003", "2026-11-23T17:30:00.000Z", False),
    ]


async def test_meet_and_greet_is_told_the_day_is_closed_and_a_leader_reopens_it(
    office: Path, make_app: AppFactory
) -> None:
    """After the team leader closed the day, a ticket at meet-and-greet is refused with one
    notification (who closed it, when) and the desk keeps working; E on the leader's screen
    then reopens the day, after a question, and the next ticket is issued."""
    close_by_hand(office)
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        assert isinstance(app.screen, GreetScreen)
        await pilot.press("c", "enter")
        words = "The day is closed (by Team Leader at 09:30): no tickets or check-ins until a "
        await until(lambda: said(app, words), timeout=30)
        assert rows(office, "SELECT count(*) FROM tickets WHERE status = 'waiting'") == [(0,)]
        assert isinstance(app.screen, GreetScreen)  # still working: the leader's screen opens
        await pressed_to(pilot, LeaderScreen, "f4", timeout=30)
        await pressed_to(pilot, ConfirmDialog, "e", timeout=30)
        await pilot.press("y")
        await until(
            lambda: rows(office, "SELECT reopened_by FROM day_closures") == [("tl",)], timeout=30
        )
        await until(lambda: said(app, "Day reopened"), timeout=30)
        await pressed_to(pilot, GreetScreen, "f2", timeout=30)
        await pilot.press("c", "enter")
        await until(
            lambda: rows(office, "SELECT count(*) FROM tickets WHERE status = 'waiting'") == [(1,)],
            timeout=30,
        )


async def test_closing_an_empty_day_is_asked_too(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """With no ticket open, E still asks before it closes the day (it stops arrivals): "no"
    leaves the day open, "yes" closes it."""
    office = office_db(migrated, tmp_path, site_toml())
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pressed_to(pilot, LeaderScreen, "f4", timeout=30)
        for answer in ("n", "y"):
            dialog = await pressed_to(pilot, ConfirmDialog, "e", timeout=30)
            assert str(dialog.heading) == (
                "Close the day now? No ticket is waiting or called. Then no tickets or "
                "check-ins until a team leader reopens the day."
            )
            await pressed_to(pilot, LeaderScreen, answer, timeout=30)
            await settled(pilot)
            if answer == "n":
                assert rows(office, "SELECT count(*) FROM day_closures") == [(0,)]
        await until(lambda: rows(office, "SELECT count(*) FROM day_closures") == [(1,)])
        await until(lambda: said(app, "Day closed: no ticket"))
