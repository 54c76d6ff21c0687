"""The team leader's D (send to a desk) marks the desks that meet the resident's needs, by
what the call order reads (the desk's facilities and its person's skills), and warns, without
refusing, before sending them to one that does not (a resident needing BSL was sent to a desk
without a signer, with no word)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.screens.leader import LeaderScreen

from ..conftest import site_toml
from .conftest import AppFactory, acting, leader_queue, office_db, pressed_to, rows, until

SIGNER = '[[staff]]\nid = "sam"\nname = "Sam Signer"\nrole = "adviser"\nskills = ["bsl"]\n'


async def choose(pilot: object, desk: str) -> None:
    dialog = await pressed_to(pilot, ChoiceDialog, "d")  # type: ignore[arg-type]
    options = dialog.query_one(OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    options.highlighted = ids.index(desk)


async def test_sending_a_bsl_resident_marks_the_signing_desk_and_warns_elsewhere(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = office_db(migrated, tmp_path, site_toml(extra=SIGNER))
    with acting(db) as session:
        ticket = QueueService(session).issue("C", needs=["bsl"], print_ticket=False).ticket
    with acting(db, person="sam", desk="desk-2") as session:
        QueueService(session).log_in("desk-2")
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        table = await leader_queue(pilot, 1)
        table.focus()
        dialog = await pressed_to(pilot, ChoiceDialog, "d")
        labels = dict(dialog.choices)
        assert labels["desk-2"] == "Desk 2  (Sam Signer, meets BSL)"
        assert labels["desk-1"] == "Desk 1  (nobody logged in)"
        await pressed_to(pilot, LeaderScreen, "escape")
        # Another desk: warned; n leaves the resident where they are.
        await choose(pilot, "desk-1")
        question = await pressed_to(pilot, QuestionDialog, "enter")
        said = "Desk 1 does not meet C001's needs (BSL): send them there anyway?"
        assert str(question.heading) == said
        await pressed_to(pilot, LeaderScreen, "n")
        sent = f"SELECT assigned_desk_id FROM tickets WHERE id = {ticket.id}"
        assert rows(db, sent) == [(None,)]
        # y sends them anyway (a warning, not a refusal).
        await choose(pilot, "desk-1")
        await pressed_to(pilot, QuestionDialog, "enter")
        await pilot.press("y")
        await until(lambda: rows(db, sent) == [("desk-1",)])
        # The desk that meets the needs is sent to without a question.
        await choose(pilot, "desk-2")
        await pilot.press("enter")
        await until(lambda: rows(db, sent) == [("desk-2",)])
        assert not isinstance(app.screen, QuestionDialog)
