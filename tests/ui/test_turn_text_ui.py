"""Meet-and-greet: Ctrl+N after issuing a ticket takes the resident's mobile for texts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oss_desk.ui.dialogs import TextDialog
from oss_desk.ui.screens.greet import GreetScreen

from ..conftest import make_db, site_toml
from .conftest import AppFactory, rows, until


async def test_ctrl_n_takes_a_number_for_the_last_ticket(
    tmp_path: Path, make_app: AppFactory
) -> None:
    phone = tmp_path / "phone.txt"
    db = make_db(tmp_path, site_toml(extra=f'[notify]\nbase_url = "capture://{phone}"\n'))
    app = make_app(db, "greet-1")
    said: list[str] = []
    shown = app.notify

    def notify(message: str, **kwargs: Any) -> None:  # kept, however long the test takes
        said.append(message)
        shown(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("ctrl+n")  # nothing issued yet: a notice, no dialog
        await until(lambda: any("Issue the ticket first" in m for m in said))
        await pilot.press("c", "enter")
        await until(lambda: rows(db, "SELECT count(*) FROM tickets") == [(1,)])
        await pilot.press("ctrl+n")
        await until(lambda: isinstance(app.screen, TextDialog))
        await pilot.press(*"0770090012", "enter")  # one digit short: refused, nothing kept
        await until(lambda: any("not a UK" in m for m in said))
        assert rows(db, "SELECT count(*) FROM visit_phones") == [(0,)]
        await until(lambda: isinstance(app.screen, GreetScreen))
        await pilot.press("ctrl+n")
        await until(lambda: isinstance(app.screen, TextDialog))
        await pilot.press(*"07700900123", "enter")
        await until(lambda: rows(db, "SELECT phone FROM visit_phones") == [("+447700900123",)])
        assert any("a text when nearly their turn" in m for m in said)
        kinds = [r[0] for r in rows(db, "SELECT kind FROM events ORDER BY id")]
        assert "phone_given" in kinds
