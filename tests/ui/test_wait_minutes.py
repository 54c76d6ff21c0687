"""The team leader's Longest and the queue list's Wait show the same minutes for the same
ticket (a new user saw "10 min" beside "9 min", and "1 min" for a ten-second wait shown "0 min"
in the list): both are domain.waits.waited_minutes, rounded down."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable, Static

from oss_desk.clock import FixedClock
from oss_desk.services.desk_view import service_line
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.queue_table import QueueTable, waited_text

from ..conftest import MONDAY_0930, site_toml
from ..test_waits import waiting
from .conftest import AppFactory, acting, office_db, pressed_to, until


async def test_longest_and_wait_agree_on_the_leaders_screen(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = office_db(migrated, tmp_path, site_toml())
    clock = FixedClock(MONDAY_0930)
    with acting(db, clock=clock) as session:
        queue = QueueService(session)
        for service, ago in (("W", 9 * 60 + 50), ("C", 10)):
            clock.set(MONDAY_0930 - timedelta(seconds=ago))
            queue.issue(service, print_ticket=False)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36)) as pilot:
        await pressed_to(pilot, LeaderScreen, "f4")
        table = app.screen.query_one(QueueTable)
        services = app.screen.query_one("#by-service", DataTable)
        await until(lambda: table.row_count == 2 and services.row_count >= 2)
        shown = {
            str(table.get_row_at(r)[1]): str(table.get_row_at(r)[3]) for r in range(table.row_count)
        }
        assert shown == {"W001": "9 min", "C001": "0 min"}
        assert str(services.get_cell("W", "longest")) == "9 min"
        assert str(services.get_cell("C", "longest")) == "0 min"


@given(st.lists(st.integers(min_value=0, max_value=6 * 3600), min_size=1, max_size=30))
def test_the_longest_shown_is_the_largest_wait_in_the_list(waits: list[int]) -> None:
    entries = [waiting(i, s) for i, s in enumerate(waits, start=1)]
    table = QueueTable()
    listed = [table.cells(e)[3] for e in entries]
    longest = waited_text(service_line("W", "Waste", entries, 15 * 60).longest_wait_seconds)
    assert longest == str(max(listed, key=lambda cell: int(str(cell).split()[0])))


async def test_staff_see_why_an_urgent_resident_is_first(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """The adviser's and the leader's lists, the called ticket's panel and its details say
    "Urgent" (domain.queue.staff_marks) as a flag apart from the needs (a Flag column while
    a ticket listed has one); a resident who is not urgent is not marked."""
    db = office_db(migrated, tmp_path, site_toml())
    with acting(db) as session:
        queue = QueueService(session)
        queue.issue("C", print_ticket=False)
        queue.issue("W", urgent=True, needs="wheelchair", print_ticket=False)
    app = make_app(db, "desk-1")
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: isinstance(app.screen, AdviserScreen) and app.snapshot is not None)
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 2)
        assert [str(c.label) for c in table.ordered_columns][2] == "Flag"
        marks = {
            str(row[1]): (str(row[2]), str(row[6]))
            for row in (table.get_row_at(r) for r in range(2))
        }
        assert marks == {"W001": ("Urgent", "Wheelchair"), "C001": ("", "")}
        await pilot.press("n")
        panel = app.screen.query_one("#now-needs", Static)
        await until(lambda: "Urgent" in str(panel.render()))
        assert str(panel.render()) == "Flag: Urgent  Needs: Wheelchair access"
        await pressed_to(pilot, LookUpDialog, "f7")  # the ticket's details say it too
        dialog = await pressed_to(pilot, TicketDialog, *"w001", "enter")
        details = dialog.lines
        assert "Flag:      Urgent" in details
        assert "Needs:     Wheelchair access" in details
        await pressed_to(pilot, AdviserScreen, "escape")
        await pressed_to(pilot, LeaderScreen, "f4")
        await until(lambda: app.screen.query_one(QueueTable).row_count == 1)
        table = app.screen.query_one(QueueTable)
        row = table.get_row_at(0)
        assert (str(row[1]), str(row[5])) == ("C001", "")
        assert "Flag" not in [str(c.label) for c in table.ordered_columns]  # none flagged now
