"""The follow-ups at 120 columns use the room there is: the complaint form's "Came in by"
choices are whole ("In person", not "In pers…") and Left and Right choose the one beside the
chosen one; the list shows a referral's kind and a short service whole ("Referral",
"Benefits"), shortening who took it and its status first."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, RadioButton, RadioSet

from oss_desk.domain.models import Actor
from oss_desk.services.followups import FollowupService, Request
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.followups import FollowupDialog

from .conftest import AppFactory, acting, followups_office, pressed_to, until
from .test_followups_ui import buttons, open_followups


async def test_came_in_by_is_whole_and_the_arrows_choose(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    app = make_app(followups_office(migrated, tmp_path), "desk-1", person="tl")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_followups(app, pilot)
        await pressed_to(pilot, ChoiceDialog, "n")
        await pressed_to(pilot, FollowupDialog, "5")
        dialog = app.screen
        group = dialog.query_one("#fu-channel", RadioSet)
        await pilot.pause()
        for button in group.query(RadioButton):
            # as wide as its words and the mark before them: nothing cut
            assert button.size.width >= len(str(button.label)) + 4, str(button.label)
        group.focus()
        await pilot.press("right")
        await until(lambda: buttons(dialog, "fu-channel")[1] == ("Phone", True))
        assert [chosen for _, chosen in buttons(dialog, "fu-channel")].count(True) == 1
        await pilot.press("right", "right")
        await until(lambda: buttons(dialog, "fu-channel")[3] == ("Email", True))
        await pilot.press("left")
        await until(lambda: buttons(dialog, "fu-channel")[2] == ("Letter", True))
        assert [chosen for _, chosen in buttons(dialog, "fu-channel")].count(True) == 1


async def test_the_list_shows_kind_and_service_whole_at_120_columns(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = followups_office(migrated, tmp_path)
    with acting(db, desk="desk-1") as session:
        followups = FollowupService(session, Actor("tl"))
        for n in range(3):
            followups.add(
                Request(kind="referral", service="C", back_office="revenues", topic=f"bill {n}")
            )
            ring = followups.add(Request(kind="ringback", service="W", phone="07700 900123"))
            followups.take(ring.followup.ref)  # taken by Tia Leader
        followups.attempt(ring.followup.ref, "no-answer")
        followups.done(ring.followup.ref, unreachable=True)
        followups.add(Request(kind="complaint", category="staff"))
    app = make_app(db, "desk-1", person="tl")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_followups(app, pilot)
        await pilot.pause()
        table = screen.query_one("#followup-table", DataTable)
        shown = [[cell.plain for cell in table.get_row(key)] for key in table.rows]
        kinds = {row[1] for row in shown}
        services = {row[2] for row in shown}
        assert {"Referral", "Ring-back", "Complaint"} <= kinds, shown
        assert {"Waste", "Council Tax"} <= services and not any("…" in k for k in kinds), shown
        assert table.size.width >= 80  # the list has the room; the panel beside it keeps 36
