"""At 80x24 the follow-up form's refusal, two lines long, leaves the form's hint line in view
(a new user's trial found it pushed out of the box)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList

from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.followups import FollowupDialog

from .conftest import AppFactory, followups_office, pressed_to, until
from .test_followups_ui import open_followups


async def test_a_two_line_refusal_keeps_the_hint_in_view_at_80x24(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    notify = f'[notify]\nbase_url = "capture://{tmp_path}/notify.jsonl"\n'
    db = followups_office(migrated, tmp_path, extra=notify)
    app = make_app(db, "desk-1", person="ana")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_followups(app, pilot)
        await pressed_to(pilot, ChoiceDialog, "n")
        form = await pressed_to(pilot, FollowupDialog, "2")  # referral
        form.query_one("#fu-service", Input).value = "C"
        form.query_one("#fu-office", OptionList).highlighted = 0
        form.query_one("#fu-phone", Input).value = "01632 960000"  # a landline: refused
        await pilot.press("ctrl+s")
        error = form.query_one("#fu-error")
        await until(lambda: "does not start 07" in str(error.render()))
        await pilot.pause()
        assert error.region.height >= 2  # two lines at 80 columns
        box = form.query_one(".dialog").content_region
        for part in (error.region, form.query_one(".hint").region):
            assert part.height > 0 and box.contains_region(part), (part, box)
