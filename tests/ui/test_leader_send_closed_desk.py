"""The team leader's D (send to a desk): a desk closed after the box was opened says why in the
box in the transfer's own words ("Desk 1 is closed: nobody there would call C001; ..."), which
is there again, that desk highlighted, for another choice, and the desk keeps working; nothing
changes. (A leader saw a
refusal after the box had gone, with no word of which desk or why.)"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import OptionList, Static

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.leader import LeaderScreen

from ..conftest import make_db, site_toml
from .conftest import AppFactory, acting, kept_notices, leader_queue, pressed_to, rows, until


def refused(box: ChoiceDialog) -> str:
    said = box.query_one("#choice-refused", Static).content
    return said.plain if isinstance(said, Text) else str(said)


async def test_a_desk_closed_while_the_box_is_open_says_why_in_the_box(
    tmp_path: Path, make_app: AppFactory
) -> None:
    db = make_db(tmp_path, site_toml())
    with acting(db) as session:
        ticket = QueueService(session).issue("C", print_ticket=False).ticket
    app = make_app(db, "greet-1")
    said = kept_notices(app)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        table = await leader_queue(pilot, 1)
        table.focus()
        box = await pressed_to(pilot, ChoiceDialog, "d")
        options = box.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("desk-1")
        with acting(db, person="tl", desk="greet-1") as session:
            QueueService(session).set_desk_status("desk-1", "closed")  # meanwhile, elsewhere
        before = rows(db, "SELECT * FROM tickets ORDER BY id")
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, ChoiceDialog) and bool(refused(app.screen)))
        again = app.screen
        assert isinstance(again, ChoiceDialog)
        assert refused(again) == (
            "Desk 1 is closed: nobody there would call C001; open the desk first, or send it "
            "to an open one"
        )
        assert again.query_one(OptionList).highlighted == ids.index("desk-1")  # for another choice
        assert rows(db, "SELECT * FROM tickets ORDER BY id") == before
        assert not any("nobody there would call" in m for m in said)  # said in the box only
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, LeaderScreen))
        # The desk keeps working: D again sends the resident to an open desk.
        box = await pressed_to(pilot, ChoiceDialog, "d")
        options = box.query_one(OptionList)
        options.highlighted = ids.index("desk-2")
        await pilot.press("enter")
        sent = f"SELECT assigned_desk_id FROM tickets WHERE id = {ticket.id}"
        await until(lambda: rows(db, sent) == [("desk-2",)])
        await until(lambda: any(m.startswith("Sent to Desk 2") for m in said))
