"""F10, what the resident sees, in a bilingual office: the board's two pages, the desks named in
Welsh and then in English, as the board shows them in turn (it showed the first page only)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.services.queue import QueueService

from ..conftest import site_toml
from .conftest import AppFactory, acting, office_db, rows, until


async def test_f10_shows_both_pages_of_a_bilingual_board(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    board = f"ascii+capture://{tmp_path}/board.frames"
    toml = site_toml(extra=f'\n[board]\nurl = "{board}"\n')
    toml = toml.replace('name = "Civic Centre"\n', 'name = "Civic Centre"\nlanguage = "cy+en"\n')
    toml = toml.replace('name = "Desk 1"\n', 'name = "Desk 1"\nname_cy = "Desg 1"\n')
    db = office_db(migrated, tmp_path, toml)
    with acting(db) as greet:  # at the app's fixed clock
        ticket = QueueService(greet).issue("C", print_ticket=False).ticket
    app = make_app(db, "desk-1", person="tl")
    async with app.run_test(size=(100, 40)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.press("n")
        called = f"SELECT desk_id FROM tickets WHERE id = {ticket.id}"
        await until(lambda: rows(db, called) == [("desk-1",)], timeout=30)
        await pilot.press("f10")
        await until(lambda: bool(app.screen.query("#board-lines")), timeout=30)
        shown = str(app.screen.query_one("#board-lines").render()).splitlines()
        assert shown == [
            "|C001 -> Desg 1      |",
            "|                    |",
            "in turn with:",
            "|C001 -> Desk 1      |",
            "|                    |",
        ], shown
