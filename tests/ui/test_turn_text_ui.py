"""Meet-and-greet: Ctrl+N after issuing a ticket takes the resident's mobile for texts."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from textual.widgets import Checkbox, Input, Static

from oss_desk.ui.dialogs.scorecard import MobileDialog
from oss_desk.ui.screens.greet import GreetScreen

from ..conftest import site_toml
from .conftest import AppFactory, kept_notices, office_db, pressed_to, rows, until


def in_sentence(words: str) -> str:
    """Words as they read within a sentence: their first letter small."""
    return words[:1].lower() + words[1:]


def texting_office(migrated: Path, tmp_path: Path) -> Path:
    """An office whose texts are kept in a file, as Notify would send them; its database."""
    phone = tmp_path / "phone.txt"
    return office_db(
        migrated, tmp_path, site_toml(extra=f'[notify]\nbase_url = "capture://{phone}"\n')
    )


async def test_ctrl_n_takes_a_number_for_the_last_ticket(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = texting_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    said = kept_notices(app)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("ctrl+n")  # nothing issued yet: a notice, no dialog
        await until(lambda: any("Issue the ticket first" in m for m in said))
        await pilot.press("c", "enter")
        await until(lambda: rows(db, "SELECT count(*) FROM tickets") == [(1,)])
        dialog = await pressed_to(pilot, MobileDialog, "ctrl+n")
        await until(lambda: bool(dialog.query("#turn-texts")))  # composed
        # C001 is next already: the box offers what the desk will say once it is saved.
        offered = str(dialog.query_one("#turn-texts", Checkbox).label)
        assert offered == "[\u2713] Text when called", offered
        why = str(dialog.query_one("#held-back", Static).render())
        assert why == 'Already near the front: no "nearly your turn" text unless they fall back'
        await pilot.press(*"07700 9001", "enter")  # mistyped: refused in the box, kept typed
        error = dialog.query_one("#mobile-error", Static)
        said_wrong = "'07700 9001' is too short (9 digits): a UK mobile number is 11 digits"
        await until(lambda: str(error.render()).startswith(said_wrong))
        assert app.screen is dialog and dialog.query_one("#text", Input).value == "07700 9001"
        assert dialog.query_one("#text", Input).has_focus
        assert rows(db, "SELECT count(*) FROM visit_phones") == [(0,)]
        # No public address for the answer link here: the follow-up text cannot be offered.
        box = app.screen.query_one("#follow-up", Checkbox)
        assert box.disabled and str(box.label) == (
            "[ ] Text me afterwards to ask how we did (not set up here)"
        )
        await pilot.press(*["backspace"] * 10, *"07700900123", "enter")  # put right in the box
        await until(lambda: rows(db, "SELECT phone FROM visit_phones") == [("+447700900123",)])
        # C001 is next already, the resident still here: no "nearly your turn" text, said so,
        # in the words the box offered (one wording). Said once the save is back from the
        # database, which may be a moment after its row is there.
        choice = offered.removeprefix("[\u2713] ")
        await until(lambda: f"C001: a {in_sentence(choice)} ({in_sentence(why)})" in said)
        assert any(
            m == 'C001: a text when called (already near the front: no "nearly your turn" text '
            "unless they fall back)"
            for m in said
        ), said
        kinds = [r[0] for r in rows(db, "SELECT kind FROM events ORDER BY id")]
        assert "phone_given" in kinds
        # The follow-up text is a choice of its own, off unless ticked: nothing was agreed.
        assert rows(db, "SELECT count(*) FROM feedback_consents") == [(0,)]


async def test_ctrl_n_records_consent_to_a_follow_up_text_only_when_ticked(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    phone = tmp_path / "phone.txt"
    extra = (
        f'[notify]\nbase_url = "capture://{phone}"\n'
        '[screen]\npublic_url = "https://queue.example.gov.uk"\n'
    )
    db = office_db(migrated, tmp_path, site_toml(extra=extra))
    app = make_app(db, "greet-1")
    said = kept_notices(app)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("c", "enter")
        await until(lambda: rows(db, "SELECT count(*) FROM tickets") == [(1,)])
        dialog = await pressed_to(pilot, MobileDialog, "ctrl+n")
        await until(lambda: bool(dialog.query("#follow-up")))  # composed

        assert dialog.query_one("#follow-up", Checkbox).value is False  # off by default
        await pilot.press(*"07700900123")
        await pilot.press("tab", "space")  # untick "nearly their turn"
        await pilot.press("tab", "space")  # tick "text me afterwards"
        assert dialog.choice().turn_texts is False and dialog.choice().follow_up is True
        # Ticked or not is said by a mark, not colour alone.
        await until(
            lambda: str(dialog.query_one("#follow-up", Checkbox).label).startswith("[\u2713]")
        )
        assert str(dialog.query_one("#turn-texts", Checkbox).label).startswith("[ ]")
        await pilot.press("f9")
        await until(lambda: rows(db, "SELECT count(*) FROM feedback_consents") == [(1,)])
        ((number, given_by, source),) = rows(
            db, "SELECT phone, given_by, source FROM feedback_consents"
        )
        assert (number, source) == ("+447700900123", "greet") and given_by
        # Who took the consent: the person at the desk, the same as on every other event.
        assert rows(db, "SELECT actor FROM events WHERE kind = 'feedback_consent_given'") == [
            (given_by,)
        ]
        issued_by = rows(db, "SELECT actor FROM events WHERE kind = 'ticket_issued'")
        assert issued_by == [(given_by,)]
        assert rows(db, "SELECT count(*) FROM visit_phones") == [(0,)]  # not asked for
        await until(lambda: any("a text afterwards asking how we did" in m for m in said))
        assert isinstance(app.screen, GreetScreen)


async def test_ctrl_n_offers_the_nearly_your_turn_text_to_a_ticket_further_back(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """With four people ahead of it, C005 may be texted "nearly your turn": the box offers
    both texts, in the words meet-and-greet says once they are saved."""
    db = texting_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    said = kept_notices(app)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        for issued in range(1, 6):
            await pilot.press("c", "enter")
            await until(lambda: rows(db, "SELECT count(*) FROM tickets") == [(issued,)])  # noqa: B023
        dialog = await pressed_to(pilot, MobileDialog, "ctrl+n")
        await until(lambda: bool(dialog.query("#turn-texts")))  # composed
        assert str(dialog.heading) == "Texts for C005"
        offered = str(dialog.query_one("#turn-texts", Checkbox).label)
        assert offered == "[\u2713] Text when nearly their turn, and when called", offered
        assert not dialog.query("#held-back")
        await pilot.press(*"07700900123", "f9")
        await until(lambda: rows(db, "SELECT phone FROM visit_phones") == [("+447700900123",)])
        await until(lambda: "C005: a text when nearly their turn, and when called" in said)


async def test_ctrl_n_typed_with_the_ticket_asks_for_its_number(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """C, Enter and Ctrl+N in one burst while another process holds the database: Ctrl+N
    waits for the ticket to be issued (Enter's save), then asks for its number; never "issue
    the ticket first"."""
    db = texting_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    said = kept_notices(app)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        holder = sqlite3.connect(db, timeout=10)
        try:
            holder.execute("BEGIN IMMEDIATE")  # Enter's save waits for the database
            await pilot.press("c", "enter", "ctrl+n")
            await asyncio.sleep(0.8)
        finally:
            holder.rollback()
            holder.close()
        await until(lambda: isinstance(app.screen, MobileDialog))
        assert rows(db, "SELECT count(*) FROM tickets") == [(1,)]
        assert not any("Issue the ticket first" in m for m in said), said
