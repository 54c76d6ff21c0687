"""The desk's T, P (transfer to a colleague) and ``ticket transfer --to``: one rule. A colleague
logged in at a desk that does not serve the ticket's service is named so in the list, and
choosing them is refused with the command line's words; nothing is sent (it was sent, waited
unseen, and went back to the queue at their next logout, unexplained)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.widgets import OptionList

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.adviser import AdviserScreen

from ..conftest import site_toml
from .conftest import (
    ADVISERS,
    AppFactory,
    acting,
    call_next,
    four_waiting,
    office_db,
    pressed_to,
    rows,
    said,
    staffed,
    until,
)


async def transfer_list(app: Any, pilot: Any, key: str, heading: str) -> None:
    """T, then ``key`` (P: a colleague, D: a desk): the list whose heading says ``heading``."""
    await pressed_to(pilot, ChoiceDialog, "t")
    await pilot.press(key)
    await until(lambda: isinstance(app.screen, ChoiceDialog) and heading in str(app.screen.heading))


def shown_choices(app: Any) -> tuple[OptionList, list[str]]:
    """The list on top, and its choices' words in order."""
    options = app.screen.query_one(OptionList)
    return options, [
        str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
    ]


@asynccontextmanager
async def c001_called_at_desk_1(
    db: Path, make_app: AppFactory, *, dev_at: str
) -> AsyncIterator[tuple[Any, Any, AdviserScreen]]:
    """Dev Patel logged in at ``dev_at``; Ben at Desk 1, C001 (Council Tax) called."""
    with acting(db, "dev", dev_at) as session:
        QueueService(session).log_in(dev_at)
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: staffed(screen))
        await call_next(pilot, screen)  # C001
        yield app, pilot, screen


REFUSAL = (
    "Dev Patel is at Desk 2, which does not serve Council Tax: nobody there would call C001; "
    "send it to a colleague at a desk that may, or to a desk"
)


async def test_a_colleague_whose_desk_never_calls_the_ticket_is_named_and_refused(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    toml = site_toml(extra=ADVISERS).replace(
        'id = "desk-2"\nname = "Desk 2"\n', 'id = "desk-2"\nname = "Desk 2"\nservices = ["B"]\n'
    )
    db = four_waiting(office_db(migrated, tmp_path, toml), "CBHW")
    async with c001_called_at_desk_1(db, make_app, dev_at="desk-2") as (
        app,
        pilot,
        _screen,
    ):
        await transfer_list(app, pilot, "p", "colleague")
        options, labels = shown_choices(app)
        assert "Dev Patel  (Desk 2, which does not serve Council Tax)" in labels, labels
        options.highlighted = next(i for i, text in enumerate(labels) if "Dev Patel" in text)
        await pilot.press("enter")
        await until(lambda: said(app, REFUSAL))
    assert rows(db, "SELECT status, desk_id, assigned_person FROM tickets WHERE id = 1") == [
        ("called", "desk-1", None)
    ]


async def test_a_desk_without_the_private_room_a_ticket_needs_is_not_offered(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """T, D lists the desks that may call the ticket: H001, who needs a private room, is served
    at the interview room only; the adviser desks (no private room) were offered, and sending
    it to one is now refused."""
    office = office_db(migrated, tmp_path, site_toml(extra=ADVISERS))
    db = four_waiting(office, "HCBW", needs={"H": "private-room"})
    app = make_app(db, "room-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: staffed(screen))
        await call_next(pilot, screen)
        assert rows(db, "SELECT status, desk_id FROM tickets WHERE id = 1") == [
            ("called", "room-1")
        ]
        await pressed_to(pilot, ChoiceDialog, "t")
        await pilot.press("d")
        await until(lambda: said(app, "No other desk with a private room serves Housing"))
        assert not isinstance(app.screen, ChoiceDialog)


async def test_colleagues_who_may_take_it_come_first_and_esc_goes_back(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Trial 10, P2: the list began with a colleague not logged in (then refused), and its hint
    had no way back. Those at a desk that may call the ticket come first; Esc goes back."""
    db = four_waiting(office_db(migrated, tmp_path, site_toml(extra=ADVISERS)), "CBHW")
    async with c001_called_at_desk_1(db, make_app, dev_at="desk-2") as (
        app,
        pilot,
        screen,
    ):
        await transfer_list(app, pilot, "p", "colleague")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        _, labels = shown_choices(app)
        assert labels[0] == "Dev Patel  (Desk 2)", labels
        assert len(labels) > 1 and all("not logged in" in label for label in labels[1:]), labels
        assert "Esc: back" in dialog.hint
        await pilot.press("escape")
        await until(lambda: app.screen is screen)
    assert rows(db, "SELECT status, desk_id FROM tickets WHERE id = 1") == [("called", "desk-1")]


async def test_the_colleague_list_asks_the_transfers_own_rule(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Review 15, finding 2: a colleague logged in at meet-and-greet was listed first as able to
    take it, and choosing them was refused ("calls nobody from the queue"). The list now says
    what the transfer will: such a colleague comes after those who may take it, with why."""
    db = four_waiting(office_db(migrated, tmp_path, site_toml(extra=ADVISERS)), "CBHW")
    async with c001_called_at_desk_1(db, make_app, dev_at="greet-1") as (
        app,
        pilot,
        _screen,
    ):
        await transfer_list(app, pilot, "p", "colleague")
        _, labels = shown_choices(app)
        dev = next(label for label in labels if label.startswith("Dev Patel"))
        assert dev.endswith(", which calls nobody from the queue)"), labels


async def test_two_sites_the_lists_say_where_each_is(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Review 15, finding 3: a colleague logged in at the other site showed as "not logged in"
    (the desk's snapshot holds only its own site), and T, D offered the other site's desks,
    which the transfer then refused. Where each colleague is comes from the records; a desk at
    another site is not offered."""
    north = '\n[[sites]]\nid = "north"\nname = "North Office"\n\n[[desks]]\nid = "north-1"\n'
    north += 'name = "North desk"\nsite = "north"\n'
    toml = site_toml(desks=2, extra=ADVISERS + north)
    for desk in ("greet-1", "room-1", "desk-1", "desk-2"):
        toml = toml.replace(f'id = "{desk}"\n', f'id = "{desk}"\nsite = "hq"\n')
    db = four_waiting(office_db(migrated, tmp_path, toml), "CBHW")
    async with c001_called_at_desk_1(db, make_app, dev_at="north-1") as (
        app,
        pilot,
        screen,
    ):
        await transfer_list(app, pilot, "p", "colleague")
        _, labels = shown_choices(app)
        assert "Dev Patel  (North desk, which is at another site)" in labels, labels
        await pilot.press("escape")
        await until(lambda: app.screen is screen)
        await transfer_list(app, pilot, "d", "desk?")
        _, labels = shown_choices(app)
        assert labels and not any("North" in label for label in labels), labels
