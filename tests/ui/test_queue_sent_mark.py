"""A ticket sent to a desk, in the queue at 80 columns: the other tickets keep their estimates
and the sent one says where it was sent."""

from __future__ import annotations

from pathlib import Path

from oss_desk.domain.counter import sent_mark
from oss_desk.domain.waits import NEXT
from oss_desk.services.queue import QueueService
from oss_desk.ui.widgets.queue_table import QueueTable

from .conftest import AppFactory, acting, until
from .test_trial5_desks import leader_office


def test_where_a_ticket_was_sent_is_written_short_in_narrow_lists() -> None:
    assert sent_mark("Desk 1") == "→D1"
    assert sent_mark("Interview room") == "→IR"
    assert sent_mark("Ben Walker") == "→BW"
    assert sent_mark("Library desk 12") == "→LD12"


async def test_a_ticket_sent_to_a_desk_keeps_the_estimates_at_80_columns(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """One ticket sent to Desk 2 (no flag anywhere): at the adviser's desk at 80x24 (the queue
    half the screen) every row keeps its estimate, and the sent one says "→D2" in its place."""
    db, ids = leader_office(migrated, tmp_path)
    with acting(db) as session:
        QueueService(session).transfer(ids["W001"], desk_id="desk-2")
    app = make_app(db, "desk-2", person="gwen")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None)
        queue = app.screen.query_one(QueueTable)
        await until(lambda: queue.row_count >= 2)
        await pilot.pause()
        assert "est" in queue.shown_columns
        assert str(queue.get_cell(str(ids["W001"]), "est")) == "→D2"
        estimate = str(queue.get_cell(str(ids["C002"]), "est"))
        assert estimate == NEXT or estimate.endswith("m")  # "now", "5m"
        assert queue.virtual_size.width <= queue.scrollable_content_region.width
        headings = [str(c.label) for c in queue.ordered_columns]
        assert queue.render_line(0).text.split() == headings


async def test_where_the_estimates_give_way_all_the_same_the_flag_column_says_where(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """A long queue at the adviser's desk at 80x24 (a scroll bar, places of two digits): the
    Est. column gives way even with "→D2"; the Flag column then comes, and says "→D2" (the
    words would not fit)."""
    db, ids = leader_office(migrated, tmp_path)
    with acting(db) as session:
        queue_service = QueueService(session)
        for n in range(14):
            queue_service.issue("CBW"[n % 3], print_ticket=False)
        queue_service.transfer(ids["W001"], desk_id="desk-2")
    app = make_app(db, "desk-2", person="gwen")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.snapshot is not None)
        queue = app.screen.query_one(QueueTable)
        await until(lambda: queue.row_count >= 16)
        await pilot.pause()
        assert "est" not in queue.shown_columns
        assert str(queue.get_cell(str(ids["W001"]), "flag")) == "→D2"
        assert str(queue.get_cell(str(ids["C002"]), "flag")) == ""
        assert queue.virtual_size.width <= queue.scrollable_content_region.width
        headings = [str(c.label) for c in queue.ordered_columns]
        assert queue.render_line(0).text.split() == headings
