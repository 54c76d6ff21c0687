"""A ticket's QR read at a desk by a keyboard-wedge scanner opens that ticket, in either form:
its code (``OSSD-T:...``) or its phone-page link (where the office has a public address)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oss_desk.domain.qr_codes import NOT_OURS, NOT_OURS_TITLE
from oss_desk.services.queue import QueueService
from oss_desk.services.resident import public_link
from oss_desk.ui.dialogs.counter import TicketDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.greet import GreetScreen

from ..conftest import site_toml
from .conftest import AppFactory, acting, kept_notices, office_db, pressed_to, rows, until

KEY_NAMES = {"-": "minus", ":": "colon", "/": "slash", ".": "full_stop", "_": "underscore"}


def scan_keys(payload: str) -> list[str]:
    return [KEY_NAMES.get(c, c) for c in payload] + ["enter"]


def events(db: Path) -> list[str]:
    return [str(r[0]) for r in rows(db, "SELECT kind FROM events ORDER BY id")]


async def test_scanning_a_tickets_code_at_an_adviser_desk_opens_it(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", scan_pause=5.0)  # a loaded machine types slowly
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, AdviserScreen)
        await until(lambda: "desk_login" in events(office))  # entering the desk logs ben in
        before = events(office)
        # Caps Lock on: "n" would call next, "s" start, "x" a no-show.
        dialog = await pressed_to(
            pilot, TicketDialog, *scan_keys("OSSD-T:hq:2026-11-23:C002".lower())
        )
        assert str(dialog.heading) == "Ticket C002"
        # Third in the call order, but with desks free nobody is ahead: as its paper says.
        assert any("Place:     nobody ahead" in line for line in dialog.lines)
        assert events(office) == before  # nothing called, started or closed
        await pressed_to(pilot, AdviserScreen, "escape")


async def test_a_ticket_of_another_day_is_refused(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1", scan_pause=5.0)
    said = kept_notices(app)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        before = rows(office, "SELECT count(*) FROM tickets")
        await pilot.press(*scan_keys("OSSD-T:hq:2026-11-20:C002"))
        await until(lambda: any("not today" in m for m in said), timeout=20)
        assert isinstance(app.screen, GreetScreen)
        assert rows(office, "SELECT count(*) FROM tickets") == before  # Enter issued nothing


async def test_scanning_a_tickets_link_opens_it(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = office_db(
        migrated, tmp_path, site_toml(extra='[screen]\npublic_url = "https://q.example.gov.uk/"\n')
    )
    with acting(db) as session:
        queue = QueueService(session)
        queue.issue("C", print_ticket=False)
        ticket = queue.issue("W", print_ticket=False).ticket
        link = public_link(session, ticket)
    assert link is not None and link.startswith("https://q.example.gov.uk/t/")
    app = make_app(db, "desk-1", scan_pause=5.0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        dialog = await pressed_to(pilot, TicketDialog, *scan_keys(link))
        assert str(dialog.heading) == "Ticket W001"
        assert not any(kind == "called" for kind in events(db))


@pytest.mark.parametrize("scanned", ["OSSD-T:hq:2026-11-23:parcel", "OSSD-T:parcel"])
async def test_a_code_that_is_no_ticket_says_so_in_the_desks_words(
    office: Path, make_app: AppFactory, scanned: str
) -> None:
    """A scan at check-in that is none of the office's codes says so in the desk's words under
    its own heading: it said "Invalid input" (the command line's heading) over "'parcel' is not
    a ticket: give its code (e.g. C012) or its id (e.g. 42)"."""
    app = make_app(office, "greet-1", scan_pause=5.0)
    said: list[tuple[str, str]] = []
    shown = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        said.append((str(kwargs.get("title", "")), message))
        shown(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        before = rows(office, "SELECT count(*) FROM tickets")
        await pilot.press(*scan_keys(scanned))
        await until(lambda: any(title == NOT_OURS_TITLE for title, _ in said), timeout=20)
        assert (NOT_OURS_TITLE, NOT_OURS) in said
        assert NOT_OURS.startswith("That code is not an oss-desk ticket or booking")
        assert not any("Invalid input" in title for title, _ in said)
        assert isinstance(app.screen, GreetScreen)  # the desk keeps working
        assert rows(office, "SELECT count(*) FROM tickets") == before  # Enter issued nothing
