"""Logging out of a desk with Z then y closes it and it stays closed: the desk app never logs its
person straight back in (trial 4, W3), whether they were logged in before the app opened, logged
in on entering, or logged in again with Z. And B with a resident called there asks first (C10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.screens.adviser import AdviserScreen

from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    logged_in,
    notices,
    pressed_to,
    rows,
    settled,
    until,
)

pytestmark = pytest.mark.usefixtures("quick_keys")  # every step waits for what its keys lead to

ROUNDS = 3
"""The first round logs out of the desk as the app found it (logged in before, or on entry); the
next two log out after a log-in with Z (the refresh that followed a log-out logged the person
straight back in, at once, every time: more rounds repeated the second)."""


def desk_kinds(db: Path) -> list[str]:
    return [
        str(r[0])
        for r in rows(
            db,
            "SELECT kind FROM events WHERE kind IN ('desk_login', 'desk_logout') "
            "AND desk_id = 'desk-1' ORDER BY id",
        )
    ]


def desk_row(db: Path) -> list[tuple[object, ...]]:
    return rows(
        db,
        "SELECT d.status, s.person FROM desks d LEFT JOIN desk_sessions s ON s.desk_id = d.id "
        "WHERE d.id = 'desk-1'",
    )


@pytest.mark.parametrize("before", [True, False], ids=["logged-in-before", "logged-in-on-entry"])
async def test_log_out_stays_logged_out_round_after_round(
    counter_office: Path, make_app: AppFactory, before: bool
) -> None:
    db = counter_office
    if before:  # as the demo, or a terminal closed without logging out, leaves it
        with acting(db, person="ben", desk="desk-1") as session:
            QueueService(session).log_in("desk-1")
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: desk_row(db) == [("open", "ben")])
        await settled(pilot)
        assert desk_kinds(db) == ["desk_login"]
        for round_ in range(ROUNDS):
            app.clear_notifications()
            await pressed_to(pilot, QuestionDialog, "z")
            await pilot.press("y")
            # The desk app has said so and refreshed after its own write, and everything it
            # started since has ended.
            await until(lambda: notices(app, "Logged out: Desk 1 closed") == 1)
            await settled(pilot)
            assert desk_kinds(db)[-1] == "desk_logout", round_
            assert desk_row(db) == [("closed", None)], round_
            # Z logs in again (asked nothing), and the next round logs out once more.
            await pilot.press("z")
            await until(lambda: desk_row(db) == [("open", "ben")])
            await until(lambda: screen.held_by_other() is None and logged_in(screen))
            await settled(pilot)
        assert desk_kinds(db) == ["desk_login"] + ["desk_logout", "desk_login"] * ROUNDS


async def test_a_break_with_a_resident_called_is_asked_first(
    counter_office: Path, make_app: AppFactory
) -> None:
    """B while a resident is on their way to the desk: asked; n keeps the desk open."""
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: desk_row(db) == [("open", "ben")] and logged_in(screen))
        await settled(pilot)
        await pilot.press("n")
        await until(lambda: (ticket := screen.my_ticket()) is not None and ticket.code == "C001")
        await pressed_to(pilot, QuestionDialog, "b")
        heading = str(app.screen.heading)  # type: ignore[attr-defined]
        assert heading == "C001 is called to Desk 1: go on a break?"
        await pilot.press("n")
        await settled(pilot)
        assert desk_row(db) == [("open", "ben")]
        await pressed_to(pilot, QuestionDialog, "b")
        await pilot.press("y")
        await until(lambda: desk_row(db) == [("break", "ben")])


async def test_logging_out_names_the_tickets_that_go_back_to_the_queue(
    counter_office: Path, make_app: AppFactory
) -> None:
    """A ticket sent to Desk 1: Z asks with it named, and y says it went back (trial 4, W4)."""
    db = counter_office
    with acting(db, person="ben", desk="desk-1") as session:
        QueueService(session).log_in("desk-1")
    with acting(db) as leader:
        QueueService(leader).transfer("B001", desk_id="desk-1")  # the team leader's D
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await adviser_desk(app, logged_in)
        await settled(pilot)
        await pressed_to(pilot, QuestionDialog, "z")
        assert app.screen.detail == "B001 goes back to the queue"  # type: ignore[attr-defined]
        await pilot.press("y")
        words = "Logged out: Desk 1 closed; B001 goes back to the queue"
        await until(lambda: notices(app, words) == 1)
        assert rows(db, "SELECT assigned_desk_id FROM tickets WHERE id = 2") == [(None,)]


async def test_logging_out_with_a_resident_parked_names_them_and_they_go_back(
    counter_office: Path, make_app: AppFactory
) -> None:
    """C001 seen at Desk 1 and parked (fetching a document): Z asks with them named, and y
    says they went back to the queue at their place (nobody at a closed desk would resume
    them); the desk's parked line is gone."""
    db = counter_office
    with acting(db, person="ben", desk="desk-1") as session:
        queue = QueueService(session)
        queue.log_in("desk-1")
        assert queue.call_next("desk-1").code == "C001"  # type: ignore[union-attr]
        queue.start("C001")
        queue.park("C001", "document")
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await adviser_desk(app, logged_in)
        await settled(pilot)
        await pressed_to(pilot, QuestionDialog, "z")
        assert app.screen.detail == "C001 goes back to the queue"  # type: ignore[attr-defined]
        await pilot.press("y")
        words = "Logged out: Desk 1 closed; C001 goes back to the queue"
        await until(lambda: notices(app, words) == 1)
        assert rows(db, "SELECT status, parked_at, desk_id FROM tickets WHERE id = 1") == [
            ("waiting", None, None)
        ]


async def test_a_break_names_the_tickets_waiting_for_the_desk(
    counter_office: Path, make_app: AppFactory
) -> None:
    """A ticket sent to Desk 1 (a checked-in appointment "for Desk 1"): B asks first and says
    what becomes of it in Z's words; n keeps the desk open, y goes on the break and the ticket
    still waits for Desk 1."""
    from oss_desk.domain.sent_to import back_to_queue_words, on_break_words

    db = counter_office
    with acting(db, person="ben", desk="desk-1") as session:
        QueueService(session).log_in("desk-1")
    with acting(db) as leader:
        QueueService(leader).transfer("B001", desk_id="desk-1")
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await adviser_desk(app, logged_in)
        await settled(pilot)
        question = await pressed_to(pilot, QuestionDialog, "b")
        assert str(question.heading) == "Go on a break from Desk 1?"
        assert question.detail == "B001 waits for Desk 1 until it opens again"
        await pilot.press("n")
        await settled(pilot)
        assert desk_row(db) == [("open", "ben")]
        await pressed_to(pilot, QuestionDialog, "b")
        await pilot.press("y")
        await until(lambda: desk_row(db) == [("break", "ben")])
        assert rows(db, "SELECT assigned_desk_id FROM tickets WHERE id = 2") == [("desk-1",)]
    # One wording: the break's line and Z's are the same list, each with its own ending.
    assert on_break_words(["B001", "C002"], "Desk 1") == (
        "B001 and C002 wait for Desk 1 until it opens again"
    )
    assert back_to_queue_words(["B001", "C002"]) == "B001 and C002 go back to the queue"
