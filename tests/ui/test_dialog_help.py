"""F1 in a dialog: that dialog's help (what it is for, its keys, how to leave it) over it, and
Esc or F1 back to it exactly as it was: what was typed, ticked and highlighted, and where the
cursor was. Textual runs none of the app's keys while a dialog is up, so the app's own F1 did
nothing in every dialog but one; the dialogs' shared base binds it now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.events import Key
from textual.widgets import DataTable, Input, OptionList

from oss_desk.clock import FixedClock
from oss_desk.ui.dialogs import BACK, HELP_HINT, ConfirmDialog, HelpScreen
from oss_desk.ui.dialogs.appointments import BookingDialog, ChecklistDialog, ReferenceDialog
from oss_desk.ui.dialogs.blocked import DatabaseBlocked
from oss_desk.ui.dialogs.counter import LookUpDialog
from oss_desk.ui.dialogs.scorecard import FinishDialog, RatingPrompt, SignpostDialog
from oss_desk.ui.scanner import PREFIX
from oss_desk.ui.screens.adviser import AdviserScreen

from ..appointments_site import NOW
from .conftest import (
    AppFactory,
    adviser_desk,
    appointments_office,
    pressed_to,
    rows,
    settled,
    until,
)
from .test_appointments_ui import at, book, open_appointments, scan_keys
from .test_counter_ui import one_ticket
from .test_database_lost import replace, write_lock
from .test_key_bursts import booking_open, burst, fields
from .test_scorecard_ui import called_at_desk, prompt_shown, ratings


def keys_of(help: HelpScreen) -> dict[str, str]:
    """The help's key table: key -> what it does."""
    return {key: does for key, does, _ in help.rows}


async def test_f1_in_the_finish_box_and_back_with_the_outcome_and_ticks_kept(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await called_at_desk(app, pilot)
        dialog = await pressed_to(pilot, FinishDialog, "f")
        outcomes = dialog.query_one(OptionList)
        await pilot.press("down", "w")  # "signposted" highlighted, "helped online" ticked
        await until(lambda: outcomes.highlighted == 1 and dialog.flags["assisted_digital"])
        help = await pressed_to(pilot, HelpScreen, "f1")
        assert app.screen_stack[-2] is dialog  # over the box, not instead of it
        assert help.about == FinishDialog.HELP
        assert "W ticks" in help.about and "Esc goes back" in help.about
        assert "Finish C001" in str(help.heading)
        keys = keys_of(help)
        assert keys["w"] == "Website" and keys["o"] == "Online"  # from its own bindings
        # The outcomes' numbers are no bindings: the table says them first all the same (a new
        # adviser's trial read only W, O, Esc and F1 there).
        assert help.rows[0][:2] == ("1, 2, 3, 5", "Answer")  # only those offered: no 4 here
        assert keys["esc"] == "Cancel" and keys["f1"] == "Help"
        assert not {"f2", "f3", "n"} & set(keys)  # no key of the app or the desk beneath
        assert BACK in str(help.query_one(".hint").render())
        back = await pressed_to(pilot, FinishDialog, "escape")
        assert back is dialog and not dialog.answered  # Esc closed the help, not the box
        assert outcomes.highlighted == 1 and outcomes.has_focus
        assert dialog.flags == {"assisted_digital": True, "avoidable": False}
        await pressed_to(pilot, HelpScreen, "f1")
        await pressed_to(pilot, FinishDialog, "f1")  # F1 closes it too
        await pressed_to(pilot, SignpostDialog, "enter")  # the outcome highlighted before
        assert rows(office, "SELECT status FROM tickets WHERE id = 1") == [("called",)]


async def test_f1_in_the_booking_form_keeps_what_was_typed_and_the_cursor(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = appointments_office(migrated, tmp_path, smtp_url="smtp://127.0.0.1:9")
    app = make_app(one_ticket(db), "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        dialog = await booking_open(app, pilot, db)
        burst(app, "\r", *"Bob", "\t", *"ann@exa")
        await until(lambda: fields(dialog) == ("Bob", "ann@exa", ""))
        email = dialog.query_one("#booking-email", Input)
        assert email.has_focus
        help = await pressed_to(pilot, HelpScreen, "f1")
        assert help.about == BookingDialog.HELP and keys_of(help)["^s"] == "Book"
        assert "a date (YYYY-MM-DD) and Enter" in help.about  # it read "(YYYY-MM- DD)"
        assert fields(dialog) == ("Bob", "ann@exa", "")  # F1 was not typed into the field
        await pressed_to(pilot, BookingDialog, "escape")
        assert email.has_focus and fields(dialog) == ("Bob", "ann@exa", "")
        await pilot.press(*"mple.org")  # on from where the cursor was
        await until(lambda: fields(dialog)[1] == "ann@example.org")
        assert fields(dialog) == ("Bob", "ann@example.org", "")


async def test_a_text_box_keeps_its_text_and_takes_more_after_the_help(
    office: Path, make_app: AppFactory
) -> None:
    """A one-line box selects its text when it takes the focus: coming back from the help,
    the next key typed goes on after the text, it does not replace it."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await adviser_desk(app)
        dialog = await pressed_to(pilot, LookUpDialog, "f7")
        await pilot.press(*"C0")
        text = dialog.query_one(Input)
        await until(lambda: text.value == "C0")
        help = await pressed_to(pilot, HelpScreen, "f1")
        assert help.about == LookUpDialog.HELP and "Find a ticket" in str(help.heading)
        await pressed_to(pilot, LookUpDialog, "escape")
        await pilot.press(*"01")
        await until(lambda: text.value == "C001")


@pytest.mark.parametrize("opened", [True, False], ids=["box-open", "typed-with-f"])
async def test_a_burst_of_f1_escape_and_a_key_reaches_the_box(
    office: Path, make_app: AppFactory, opened: bool
) -> None:
    """F1, Esc and the outcome's key all at once: the help opens and closes, and the key
    finishes the visit in the box beneath (not lost in the help, nor sent to the desk). Typed
    with the F that opens the box, F1 waits for the box (the flow's key hold keeps it) and
    shows the box's help, not the desk's."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        if opened:
            await pressed_to(pilot, FinishDialog, "f")
        else:
            burst(app, "f")
        shown: list[str] = []
        original = app.push_screen

        def push_screen(pushed: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(pushed, HelpScreen):
                shown.append(pushed.about)
            return original(pushed, *args, **kwargs)

        app.push_screen = push_screen  # type: ignore[method-assign, assignment]
        app.post_message(Key("f1", None))  # all queued before the app reads the first
        burst(app, "\x1b", "1")
        finished = "SELECT status, outcome FROM tickets WHERE id = 1"
        await until(lambda: rows(office, finished) == [("done", "resolved")])
        await until(lambda: app.screen is screen and prompt_shown(screen, ready=False))
        await settled(pilot)
        assert shown == [FinishDialog.HELP]  # the box's help, once


async def test_a_box_that_closes_itself_takes_its_help_with_it(
    office: Path, make_app: AppFactory
) -> None:
    """A box answered from elsewhere while its help is up (a print question answered at
    another desk): the box and its help both go, and the desk is left working (Textual closes
    the screen on top: the help went, the box stayed up, answered, deaf to Esc)."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        answers: list[bool | None] = []
        dialog = ConfirmDialog("Reprint C001?", meaning="y prints it again.")
        app.push_screen(dialog, answers.append)
        await until(lambda: app.screen is dialog)
        help = await pressed_to(pilot, HelpScreen, "f1")
        # What this question means, from whoever asked it, then the box's own words.
        assert help.about == f"y prints it again.\n\n{ConfirmDialog.HELP}"
        dialog.dismiss(None)  # as PrintQuestion does when another desk answered
        await until(lambda: app.screen is screen and answers == [None])
        assert not any(isinstance(s, HelpScreen | ConfirmDialog) for s in app.screen_stack)


async def test_f1_at_the_rating_question_keeps_it_asked(office: Path, make_app: AppFactory) -> None:
    """The resident's rating is asked on the desk, not in a box: F1 there took the question
    away (as any key but an answer does) and showed the desk's help. Now it shows what the
    rating is and its keys, and Esc comes back to the question, still asked: 4 rates it."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        await pressed_to(pilot, FinishDialog, "f")
        await pilot.press("1")
        await until(lambda: prompt_shown(screen))
        # It says F1 as every box does (it did not: a review), on its line of keys.
        said = screen.query_one(RatingPrompt).render()
        assert str(said).endswith(f"any other key: not asked · {HELP_HINT}"), said
        help = await pressed_to(pilot, HelpScreen, "f1")
        assert help.about == RatingPrompt.HELP and "would rather not say" in help.about
        keys = keys_of(help)
        assert keys["d"] == "Declined" and keys["esc"] == "Not asked" and "n" not in keys
        await pressed_to(pilot, AdviserScreen, "escape")
        await until(lambda: prompt_shown(screen))  # still asked, and has the keys
        await pilot.press("4")
        await until(lambda: ratings(office) == [(1, 4, "desk", "desk-1", "ben")])


async def test_a_scan_while_the_help_is_over_the_check_in_box_checks_in(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """A booking's QR code scanned while the help is over the check-in box goes to the box (it
    waited, unseen, for the box to close, and then did another box's work)."""
    db = appointments_office(migrated, tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    appt = book(db, at(23, 10, 30))
    app = make_app(db, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_appointments(app, pilot)
        await pressed_to(pilot, ReferenceDialog, "c")
        await pressed_to(pilot, HelpScreen, "f1")
        await pressed_to(pilot, ChecklistDialog, *scan_keys(PREFIX + appt.ref))
        assert rows(db, "SELECT status FROM appointments") == [("checked_in",)]
        assert not any(isinstance(s, HelpScreen | ReferenceDialog) for s in app.screen_stack)


async def test_f1_on_the_blocked_desk_says_what_to_do(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        with write_lock(office):
            replace(office)
        blocked = await pressed_to(pilot, DatabaseBlocked)
        await until(lambda: bool(blocked.query("#blocked-message")))
        help = await pressed_to(pilot, HelpScreen, "f1")
        assert help.about == DatabaseBlocked.HELP and "^q" in keys_of(help)
        assert await pressed_to(pilot, DatabaseBlocked, "escape") is blocked  # still blocked


async def test_the_help_shows_every_key_of_the_box_at_80x24(
    office: Path, make_app: AppFactory
) -> None:
    """The key table is as tall as its lines, a row whose words wrap taking two (it was as
    tall as its rows: the last key, F1 itself, was hidden below a scroll bar)."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await called_at_desk(app, pilot)
        await pressed_to(pilot, FinishDialog, "f")
        help = await pressed_to(pilot, HelpScreen, "f1")
        table = help.query_one("#keys", DataTable)
        assert help.key_lines > len(help.rows)  # the website and online rows wrap
        # Every line shows (the header's too): nothing below a scroll bar.
        await until(lambda: table.size.height == help.key_lines + 1 and table.max_scroll_y == 0)
