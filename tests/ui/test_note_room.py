"""A note (O at an adviser desk) is never cut without a word: the box counts the characters
left as the adviser types (domain.text.room_said, counted as the note will be stored), says by
how much a longer one is over and will not save it until it fits; the service refuses a longer
note outright (one limit: domain.notes.NOTE_LIMIT). The trial typed 643 characters and
found 500 in the history."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from oss_desk.domain.notes import NOTE_LIMIT
from oss_desk.domain.text import room_said
from oss_desk.errors import InvalidInput
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import TextDialog
from oss_desk.ui.screens.adviser import AdviserScreen

from .conftest import AppFactory, acting, rows, until

LONG = ("Brought the wrong council tax letter, back tomorrow. " * 20)[:643]


def test_room_is_counted_as_the_text_will_be_stored() -> None:
    assert len(LONG) == 643
    assert room_said("", 500) == ("500 characters left", False)
    assert room_said("x" * 499, 500) == ("1 character left", False)
    assert room_said("x" * 500, 500) == ("0 characters left", False)
    assert room_said("x" * 501, 500) == ("1 character too many: at most 500", True)
    assert room_said(LONG, NOTE_LIMIT) == ("143 characters too many: at most 500", True)
    # Spaces collapse and control characters go when the note is stored: so they count.
    assert room_said("a    b\x1b", 10) == ("7 characters left", False)


def test_the_service_refuses_a_long_note_and_keeps_nothing(office: Path) -> None:
    with acting(office, desk="desk-1") as session:
        queue = QueueService(session)
        called = queue.call_next("desk-1")
        assert called is not None
        with pytest.raises(InvalidInput, match="notes are kept short: at most 500 characters"):
            queue.add_note(called.id, LONG)
        assert rows(office, "SELECT count(*) FROM visit_notes") == [(0,)]
        queue.add_note(called.id, LONG[:NOTE_LIMIT])
        assert rows(office, "SELECT length(text) FROM visit_notes") == [(NOTE_LIMIT,)]


async def test_the_note_box_counts_down_and_saves_only_what_fits(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, AdviserScreen) and app.snapshot is not None)
        await pilot.press("n")
        await until(lambda: app.screen.my_ticket() is not None)  # type: ignore[attr-defined]
        await pilot.press("o")
        # Shown, and composed (under load the screen is on top a moment before its widgets).
        await until(lambda: isinstance(app.screen, TextDialog) and bool(app.screen.query("#text")))
        dialog = app.screen
        box, room = dialog.query_one("#text", Input), dialog.query_one("#text-room", Static)

        def said() -> str:
            return str(room.render())

        assert said() == "500 characters left"
        await until(lambda: room.region.height > 0)
        assert room.region.height == 1 and room.region.width >= len(said())  # in view
        await pilot.press(*"Wrong letter")
        await until(lambda: said() == "488 characters left")
        box.value = LONG  # pasted or typed on: all of it is kept in the box
        await until(lambda: said() == "143 characters too many: at most 500")
        await pilot.press("enter")  # refused: the box stays, with all that was typed
        await pilot.pause()
        assert app.screen is dialog and box.value == LONG
        assert rows(office, "SELECT count(*) FROM visit_notes") == [(0,)]
        box.value = LONG[:NOTE_LIMIT]
        await until(lambda: said() == "0 characters left")
        await pilot.press("enter")
        await until(lambda: rows(office, "SELECT count(*) FROM visit_notes") == [(1,)])
        assert rows(office, "SELECT text FROM visit_notes") == [(LONG[:NOTE_LIMIT],)]
