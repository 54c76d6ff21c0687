"""F7 at 80x24 on a ticket with a long story and an action offered: the newest steps show on
opening, Page Up and Page Down scroll the details while the action list keeps the arrows, and
the actions and the hint line stay in view (found in a new user's trial: the box cut both)."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static

from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog

from .conftest import AppFactory, adviser_desk, call_next, pressed_to, settled, until


async def test_a_long_ticket_story_opens_on_its_newest_steps_with_its_keys_in_view(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        for key in ("r", "r", "q"):  # recalled twice, then put back in the queue
            await pilot.press(key)
            await settled(pilot)
        await until(lambda: screen.my_ticket() is None)
        await pressed_to(pilot, LookUpDialog, "f7")
        dialog = await pressed_to(pilot, TicketDialog, *"c001", "enter")
        body = dialog.query_one("#ticket-body", VerticalScroll)
        await until(lambda: body.max_scroll_y > 0 and body.scroll_y == body.max_scroll_y)
        box = dialog.query_one(".dialog").content_region
        actions = dialog.query_one(OptionList)
        hint = dialog.query_one(".hint", Static)
        for part in (body.region, actions.region, hint.region):
            assert part.height > 0 and box.contains_region(part), (part, box)
        assert "PgUp/PgDn: scroll" in str(hint.render())
        assert "back in the queue" in dialog.lines[-1], dialog.lines
        assert actions.has_focus and actions.highlighted == 0
        await pilot.press("pageup")
        await until(lambda: body.scroll_y < body.max_scroll_y)
        await pilot.press("pageup", "pageup")
        await until(lambda: body.scroll_y == 0)
        await pilot.press("pagedown", "pagedown", "pagedown")
        await until(lambda: body.scroll_y == body.max_scroll_y)
        assert actions.has_focus and actions.highlighted == 0
        assert isinstance(app.screen, TicketDialog)
