"""A new user's trial of the desk screens (round 9): the help's key table, the urgent flag,
tables that give back width, and a key typed while the screen changes."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from oss_desk.clock import FixedClock
from oss_desk.domain.text import name_within
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import HelpScreen
from oss_desk.ui.dialogs.resident_view import ResidentViewDialog
from oss_desk.ui.keys import DeskBinding
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.screens.reports import ReportsScreen
from oss_desk.ui.widgets.queue_table import QueueTable

from ..conftest import MONDAY_0930, make_db, site_toml
from .conftest import AppFactory, acting, office_db, pressed_to, rows, said, settled, until


async def test_greet_help_lists_every_key_the_screen_binds(
    office: Path, make_app: AppFactory
) -> None:
    """F1 at meet-and-greet lists Enter (bound by the service list for the screen) with the
    screen's own keys, the hidden Ctrl+U and Ctrl+G too; its words say what Ctrl+G does."""
    app = make_app(office, "greet-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        screen = app.screen
        assert isinstance(screen, GreetScreen)
        bound = {
            b.id
            for node in (screen, *screen.query("*"))
            for b in type(node).BINDINGS
            if isinstance(b, DeskBinding)
        } - {"greet.text"}  # Ctrl+N is not offered where texts are not set up (as here)
        help_screen = await pressed_to(pilot, HelpScreen, "f1", timeout=30)
        described = {does for _, does, _ in help_screen.rows}
        by_id = {
            b.id: b.description
            for node in (screen, *screen.query("*"))
            for b in type(node).BINDINGS
            if isinstance(b, Binding)
        }
        assert {by_id[i] for i in bound} <= described
        assert "Issue" in described  # Enter
        assert ("⏎", "Issue") in {(key, does) for key, does, _ in help_screen.rows}
        assert "Ctrl+G marks that they came back about the same matter" in help_screen.about
        assert "as come back" not in help_screen.about
        await pilot.pause()
        # At 80x24 the words give way (they scroll), the keys are in view: several rows of them
        table = help_screen.query_one("#keys", DataTable)
        box = help_screen.query_one(".dialog").content_region
        assert table.region.height >= 8 and box.contains_region(table.region)
        assert box.contains_region(help_screen.query_one(".hint").region)


def _long_service_office(migrated: Path, tmp_path: Path) -> Path:
    """A Council Tax resident with several needs, then Waste (renamed long)."""
    toml = site_toml().replace('name = "Waste"', 'name = "Waste and recycling collections"')
    db = office_db(migrated, tmp_path, toml)
    clock = FixedClock(MONDAY_0930 - timedelta(minutes=2))
    with acting(db, clock=clock) as session:
        queue = QueueService(session)
        queue.issue("C", needs="wheelchair,hearing-loop,large-print", print_ticket=False)
        clock.set(MONDAY_0930 - timedelta(minutes=1))
        queue.issue("W", print_ticket=False)
    return db


async def test_a_table_gives_back_the_width_of_a_row_that_left(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """At 80x24 the queue at meet-and-greet shortens the service and the needs to fit. When the
    resident with the long needs is served, the service gets their room, and the needs column
    gives its width back: the table still fits its panel and shows its last heading whole
    (it had kept the needs' width, so the table overflowed and "Needs" showed as "N")."""
    db = _long_service_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 2, timeout=30)
        await pilot.pause()
        needs = table.columns[ColumnKey("needs")]
        assert needs.content_width > len("Needs")
        assert table.virtual_size.width <= table.scrollable_content_region.width
        with acting(db, desk="desk-1") as session:
            called = QueueService(session).call_next("desk-1")
            assert called is not None and called.code == "C001"
        await until(lambda: table.row_count == 1, timeout=30)
        await pilot.pause()
        assert table.render_line(0).text.split()[-1] == "Needs"  # the headings, whole
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert needs.content_width == len("Needs")


async def test_a_key_typed_during_a_screen_switch_reaches_the_new_screen(
    office: Path, make_app: AppFactory
) -> None:
    """F2 then N read together at the adviser desk: N is for meet-and-greet (where it is not a
    key), never the adviser's call next on the screen being left."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, AdviserScreen), timeout=30)
        await until(lambda: app.snapshot is not None, timeout=30)
        await settled(pilot)
        app.post_message(events.Key("f2", None))  # both waiting before either is handled
        app.post_message(events.Key("n", "n"))
        await until(lambda: isinstance(app.screen, GreetScreen), timeout=30)
        await settled(pilot)
        await until(lambda: said(app, "not a key here"))
        assert rows(office, "SELECT count(*) FROM tickets WHERE status = 'called'") == [(0,)]


def _busy_office(migrated: Path, tmp_path: Path) -> Path:
    """Twelve waiting (more than the panel's rows at 80x24), one urgent, one with long needs."""
    db = office_db(migrated, tmp_path, site_toml())
    clock = FixedClock(MONDAY_0930 - timedelta(minutes=40))
    with acting(db, clock=clock) as session:
        queue = QueueService(session)
        for n in range(12):
            clock.set(MONDAY_0930 - timedelta(minutes=40 - 3 * n))
            needs = "wheelchair,hearing-loop,interpreter:polish" if n == 3 else None
            queue.issue("HCBW"[n % 4], needs=needs, urgent=n == 5, print_ticket=False)
    return db


@pytest.mark.parametrize(("desk", "gave_way"), [("greet-1", ["Est."]), ("desk-1", ["Est.", "#"])])
async def test_the_queue_shows_every_heading_whole_at_80x24(
    migrated: Path, tmp_path: Path, make_app: AppFactory, desk: str, gave_way: list[str]
) -> None:
    """A long queue (scroll bar), a flag and long needs: the queue at meet-and-greet and at the
    adviser desk still fits its panel, every heading whole ("Needs", not "N"): the estimate
    gives way first, then the place (the rows are in call order)."""
    db = _busy_office(migrated, tmp_path)
    app = make_app(db, desk, person="tl")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count >= 11, timeout=30)
        await pilot.pause()
        headings = [str(c.label) for c in table.ordered_columns]
        every = ["#", "Code", "Flag", "Service", "Wait", "Est.", "Needs"]
        assert headings == [h for h in every if h not in gave_way]
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert table.render_line(0).text.split() == headings


@pytest.mark.parametrize(("size", "shown"), [((80, 24), "Ben W."), ((120, 36), "Ben Walker")])
async def test_the_leader_s_desks_say_who_in_shorter_words_at_80x24(
    tmp_path: Path, make_app: AppFactory, size: tuple[int, int], shown: str
) -> None:
    """F4 at 80x24 (the demo office): a name that does not fit is its first name and initial
    ("Ben W."), never cut to "Ben…"; whole at 120 columns."""
    db = make_db(tmp_path, None)
    with acting(db, person="ben", desk="desk-1") as session:
        QueueService(session).log_in("desk-1")
    app = make_app(db, "greet-1", person="amina")
    async with app.run_test(size=size) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pressed_to(pilot, LeaderScreen, "f4", timeout=30)
        desks = app.screen.query_one("#desks", DataTable)
        await until(lambda: desks.row_count > 0 and desks.size.width > 0, timeout=30)
        await until(lambda: str(desks.get_cell("desk-1", "person")) == shown, timeout=30)
        await pilot.pause()
        assert desks.virtual_size.width <= desks.scrollable_content_region.width


def test_a_name_is_written_shorter_not_cut() -> None:
    assert name_within("Ben Walker", 10) == "Ben Walker"
    assert name_within("Ben Walker", 6) == "Ben W."
    assert name_within("Ben Walker", 5) == "Ben"
    assert name_within("Fatima Okoro", 8) == "Fatima"
    assert name_within("Mary Anne Smith", 10) == "Mary A.S."
    assert name_within("Bartholomew", 6) == "Barth…"


@pytest.mark.parametrize(
    ("keys", "period", "titles"),
    [
        # The office began that day: the weeks before have no records, and the chart says so.
        (("f6",), ("day", "2026-11-23"), ("Arrivals by hour", "Since records began")),
        # The month began before the records (23 Nov): the key keeps room for its mark.
        (("f6", "m"), ("month", "2026-11"), ("Visits by day", "* 15m, + 1st (from 23 Nov)")),
    ],
)
async def test_the_report_charts_keep_their_titles_at_80x24(
    migrated: Path,
    tmp_path: Path,
    make_app: AppFactory,
    keys: tuple[str, ...],
    period: tuple[str, str],
    titles: tuple[str, str],
) -> None:
    """Each chart of the reports screen has a title at 80x24, in fewer words where the long
    one does not fit (plotext leaves out a title wider than its chart)."""
    db = office_db(migrated, tmp_path, site_toml())
    app = make_app(db, "greet-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.press(*keys)
        await until(
            lambda: isinstance(app.screen, ReportsScreen) and app.screen.shown == period,
            timeout=30,
        )
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        text = html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")
        for title in titles:
            assert title in text, [x for x in text.splitlines() if "contact" in x or "from " in x]


async def test_the_resident_s_view_shows_the_board_at_80x24(
    tmp_path: Path, make_app: AppFactory
) -> None:
    """F10 at 80x24 (the demo office, a ticket just issued): the paper gives way (it scrolls)
    and the board and the dialog's last line are in view, not cut off below the screen."""
    db = make_db(tmp_path, None)
    app = make_app(db, "greet-1", person="chloe", demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.press("h", "enter")
        await until(lambda: rows(db, "SELECT count(*) FROM tickets") == [(1,)], timeout=30)
        await pressed_to(pilot, ResidentViewDialog, "f10", timeout=30)
        await pilot.pause(0.2)
        dialog = app.screen
        box = dialog.query_one(".dialog").content_region
        board = dialog.query_one("#board-lines")
        hint = dialog.query_one(".hint")
        assert "Please take a ticket" in str(board.render())
        for part in (board.region, hint.region):
            assert part.height > 0 and box.contains_region(part), (part, box)
        paper = dialog.query_one("#paper-box")
        assert paper.max_scroll_y > 0  # the paper scrolls: it gave way
