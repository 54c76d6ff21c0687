"""T, D at an adviser's desk: a desk that cannot take the resident (closed: nobody is logged in
to it) says why in the box, which stays open for another choice; nothing changes. (A new user's
trial: the box closed, then the refusal came, and the adviser started again.) The ticket is
sent once the desk is chosen, the box gone (a key typed meanwhile is held and acts after);
a refusal opens the box again, that desk highlighted, saying why in red."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import OptionList, Static

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ChoiceDialog

from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    call_next,
    kept_notices,
    pressed_to,
    rows,
    staffed,
    until,
)


def refused(box: object) -> str:
    """The refusal in red in the box (none: "")."""
    if not isinstance(box, ChoiceDialog) or not box.query("#choice-refused"):
        return ""
    said = box.query_one("#choice-refused", Static).content
    return said.plain if isinstance(said, Text) else str(said)


async def test_a_closed_desk_says_why_in_the_box_which_stays_open(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    said = kept_notices(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await call_next(pilot, screen)
        box = await pressed_to(pilot, ChoiceDialog, "t", "d")
        assert str(box.heading) == "Send C001 to which desk?"
        keys = [key for key, _ in box.choices]
        assert dict(box.choices)["desk-2"] == "Desk 2  (nobody logged in, closed)"
        before = rows(db, "SELECT * FROM tickets ORDER BY id")
        await pilot.press(*["down"] * keys.index("desk-2"), "enter")
        await until(lambda: bool(refused(app.screen)))  # the box again, saying why
        assert isinstance(app.screen, ChoiceDialog)
        box = app.screen
        assert refused(box) == (  # the service's own words, as the command line says them
            "nobody is logged in to Desk 2: nobody there would call C001; open the desk first, "
            "or send it to an open one"
        )
        await pilot.pause()  # (the transfer's flow waits on the box: no settling here)
        assert app.screen is box  # open, for another choice
        assert box.query_one(OptionList).highlighted == keys.index("desk-2")
        assert rows(db, "SELECT * FROM tickets ORDER BY id") == before
        assert not any("nobody there would call" in m for m in said)  # not a notification
        with acting(db, person="dev", desk="desk-2") as session:
            QueueService(session).log_in("desk-2")  # Dev comes to Desk 2
        await pilot.press("enter")
        await until(lambda: app.screen is screen)
        await until(lambda: any(m.startswith("C001 sent to Desk 2") for m in said))
