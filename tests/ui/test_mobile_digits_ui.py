"""Meet-and-greet's Ctrl+N box keeps a mobile number in ASCII digits, whatever script they were
typed in (a full-width ``９`` was kept as typed: Notify refuses it, and the texts the desk said
would go never went), and takes ``+44 (0)7700 ...`` as the UK number it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from oss_desk.ui.dialogs.scorecard import MobileDialog

from .conftest import AppFactory, pressed_to, rows, until
from .test_turn_text_ui import texting_office


@pytest.mark.parametrize("typed", ["07700\uff1900123", "+44 (0)7700 900123"])
async def test_ctrl_n_keeps_the_number_in_ascii_digits(
    migrated: Path, tmp_path: Path, make_app: AppFactory, typed: str
) -> None:
    db = texting_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("c", "enter")
        await until(lambda: rows(db, "SELECT count(*) FROM tickets") == [(1,)])
        dialog = await pressed_to(pilot, MobileDialog, "ctrl+n")
        dialog.query_one("#text", Input).insert_text_at_cursor(typed)  # as a paste types it
        await pilot.press("enter")
        await until(lambda: rows(db, "SELECT phone FROM visit_phones") == [("+447700900123",)])
