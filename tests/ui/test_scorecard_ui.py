"""The council's scorecard in the desk app, key by key with Pilot and checked in the database:
finishing records the outcome with "helped to use the website", "could have been done online"
and where a signposted resident was sent; the resident's own rating follows with one key (as
`ticket rate`), is refused once the visit was rated elsewhere, and never holds the desk up;
meet-and-greet marks the next ticket urgent (called first) or come back about the same matter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oss_desk.domain.models import Actor, DeskStatus
from oss_desk.services.ratings import Ratings
from oss_desk.ui.dialogs import scorecard as scorecard_dialogs
from oss_desk.ui.dialogs.scorecard import FinishDialog, RatingPrompt, SignpostDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.key_bar import KeyBar

from .conftest import AppFactory, acting, adviser_desk, call_next, pressed_to, rows, said, until


def event_data(db: Path, kind: str) -> list[dict[str, object]]:
    return [
        json.loads(str(r[0]))
        for r in rows(db, "SELECT data FROM events WHERE kind = ? ORDER BY id", kind)
    ]


def ratings(db: Path) -> list[tuple[object, ...]]:
    return rows(db, "SELECT visit_id, rating, source, desk_id, recorded_by FROM visit_ratings")


def prompt_shown(screen: object, ready: bool = True) -> bool:
    """The rating prompt is up (and, ``ready``, past its double-tap guard)."""
    found = list(screen.query(RatingPrompt))  # type: ignore[attr-defined]
    return bool(found) and found[0].has_focus and (found[0].ready or not ready)


async def called_at_desk(app: Any, pilot: Any) -> AdviserScreen:
    """Desk 1's screen once it has called its first resident."""
    screen = await adviser_desk(app)
    await call_next(pilot, screen)
    return screen


async def test_finish_with_the_councils_flags_then_a_rating(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        dialog = await pressed_to(pilot, FinishDialog, "f")
        await pilot.press("w", "o")
        await until(lambda: dialog.flags == {"assisted_digital": True, "avoidable": True})
        shown = str(dialog.query_one("#finish-flags").render())
        assert "[\u2713] W" in shown and "[\u2713] O" in shown
        await pilot.press("o")  # untick: it could not have been done online after all
        await until(lambda: dialog.flags == {"assisted_digital": True, "avoidable": False})
        await pressed_to(pilot, SignpostDialog, "2")  # signposted
        await pilot.press("3")  # the third organisation configured: DWP (Jobcentre Plus)
        await until(lambda: len(event_data(office, "finished")) == 1)
        [finished] = event_data(office, "finished")
        assert finished["signposted_to"] == "dwp"
        assert finished["assisted_digital"] is True and "avoidable" not in finished
        assert rows(office, "SELECT status, outcome FROM tickets WHERE id = 1") == [
            ("done", "signposted")
        ]
        await until(lambda: prompt_shown(screen))
        assert ratings(office) == []
        await pilot.press("4")
        await until(lambda: ratings(office) == [(1, 4, "desk", "desk-1", "ben")])
        await until(lambda: not screen.query(RatingPrompt))
        await until(lambda: said(app, "rated 4 of 5"))
        assert [d["rating"] for d in event_data(office, "rating_recorded")] == [4]


async def test_a_visit_rated_already_is_refused_with_a_notification(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        await pilot.press("f", "1")
        await until(lambda: prompt_shown(screen))
        # Meanwhile the resident rated it on the counter's tablet (another connection).
        with acting(office, desk=None) as other:
            Ratings(other, Actor("tl")).rate_visit(1, 5)
        await pilot.press("2")
        await until(lambda: said(app, "rated already"))
        assert ratings(office) == [(1, 5, "desk", "desk-1", "tl")]
        assert len(event_data(office, "rating_recorded")) == 1
        assert isinstance(app.screen, AdviserScreen)  # the desk goes on


async def test_the_outcome_key_pressed_twice_is_not_a_rating(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F, 1 (resolved), 1 again at once: the second 1 is a double tap, not the resident's
    "poor"; the prompt stays for the real answer."""
    # A longer guard than the desk's 0.6 s, so that a machine stalled under load cannot let
    # the guard run out between the prompt appearing and the second key.
    monkeypatch.setattr(scorecard_dialogs, "RATING_GUARD_SECONDS", 3.0)
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        await pilot.press("f", "1")
        await until(lambda: prompt_shown(screen, ready=False))
        await pilot.press("1")  # the double tap
        (prompt,) = screen.query(RatingPrompt)
        assert not prompt.ready and ratings(office) == [] and prompt.has_focus
        await until(lambda: prompt_shown(screen), timeout=10)
        await pilot.press("4")  # the resident's answer
        await until(lambda: ratings(office) == [(1, 4, "desk", "desk-1", "ben")])


async def test_any_other_key_skips_the_rating_and_does_its_own_work(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        screen = app.screen
        await pilot.press("n")
        await until(lambda: screen.query_one(BigCode).code == "C001")
        await pilot.press("f", "1")
        await until(lambda: prompt_shown(screen))
        await pilot.press("n")  # call the next resident: no rating asked
        await until(lambda: screen.query_one(BigCode).code == "B001")
        await until(lambda: not screen.query(RatingPrompt))
        assert ratings(office) == []
        await pilot.press("d")  # the prompt is gone: D does nothing to the finished visit
        assert ratings(office) == []


async def test_a_desk_key_taken_before_the_focus_still_takes_the_prompt_away(
    office: Path, make_app: AppFactory
) -> None:
    """The adviser's keys act before the focused widget sees them; the prompt is still told
    of each key first, so B (a break) takes it away and does its own work, as N does."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        await until(lambda: screen.query_one(BigCode).code == "C001")
        await pilot.press("f", "1")
        await until(lambda: prompt_shown(screen))
        await pilot.press("b")
        await until(lambda: screen.my_status() is DeskStatus.BREAK)
        await until(lambda: not screen.query(RatingPrompt))
        assert ratings(office) == []


async def test_going_back_from_the_destination_finishes_nothing(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        await pressed_to(pilot, SignpostDialog, "f", "w", "2")
        await pressed_to(pilot, AdviserScreen, "escape")
        assert rows(office, "SELECT status FROM tickets WHERE id = 1") == [("called",)]
        assert event_data(office, "finished") == []
        assert not screen.query(RatingPrompt)


async def test_urgent_and_came_back_at_meet_and_greet(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        screen = app.screen
        assert isinstance(screen, GreetScreen)
        await pilot.press("ctrl+u", "ctrl+g")
        line = str(screen.query_one("#needs-line").render())
        assert "Marked: URGENT · came back" in line
        await pilot.press("w", "enter")  # Waste: issued urgent, come back
        await until(lambda: len(rows(office, "SELECT id FROM tickets")) == 5)
        await pilot.press("ctrl+g", "w", "enter")  # the next: come back only (the flags were reset)
        await until(lambda: len(rows(office, "SELECT id FROM tickets")) == 6)
        flags = [
            {k: v for k, v in d.items() if k in ("urgent", "repeat")}
            for d in event_data(office, "arrived")
        ]
        assert flags[-2:] == [{"urgent": True, "repeat": True}, {"repeat": True}]
        urgent, plain = rows(office, "SELECT priority FROM tickets ORDER BY id")[-2:]
        assert urgent[0] > plain[0]
        line = str(screen.query_one("#needs-line").render())
        assert "Marked" not in line
        # Called first: the urgent walk-in comes before the four who waited longer.
        with acting(office, person="ben", desk=None) as desk:
            from oss_desk.services.queue import QueueService

            called = QueueService(desk, Actor("ben", "desk-1")).call_next("desk-1")
        assert called is not None and called.code == "W002"


async def test_the_rating_keys_say_what_each_number_means(
    office: Path, make_app: AppFactory
) -> None:
    """The key bar under the rating prompt names each number with the residents' own words
    (domain.wording.rating_word: "Very poor" to "Very good"), not "Rated 1 ... Rated 5"."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        await pilot.press("f", "1")
        await until(lambda: prompt_shown(screen, ready=False))
        bar = screen.query_one(KeyBar)
        await until(lambda: any(item.plain.startswith("1 ") for item in bar.items()))
        shown = [item.plain for item in bar.items()]
        words = ["Very poor", "Poor", "OK", "Good", "Very good"]
        assert [f"{n} {word}" for n, word in enumerate(words, start=1)] == [
            s for s in shown if s[:1].isdigit()
        ]
        prompt = str(screen.query_one(RatingPrompt).render())
        assert "1 (very poor) to 5 (very good)" in prompt
