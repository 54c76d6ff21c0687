"""The adviser's T then D (send to a desk): a key typed right after the desk is chosen is held
while the ticket is sent, and acts on the desk once it has gone (N calls the next), as the team
leader's D does (a key typed then went to the box, and was lost when it closed). The real desk
app (Pilot), a real database file, another connection holding the write lock while the ticket is
sent, the keys queued as the terminal's driver does."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from textual.widgets import OptionList

from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ChoiceDialog

from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    call_next,
    pressed_to,
    rows,
    said,
    staffed,
    until,
)
from .test_key_bursts import burst


def _let_go(writer: sqlite3.Connection) -> None:
    writer.execute("ROLLBACK")
    writer.close()


def _dev_at_desk_2(db: Path) -> None:
    with acting(db, person="dev", desk="desk-2") as session:
        QueueService(session).log_in("desk-2")


async def test_n_typed_right_after_the_desk_is_chosen_calls_the_next(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    _dev_at_desk_2(db)
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await call_next(pilot, screen)
        box = await pressed_to(pilot, ChoiceDialog, "t", "d")
        options = box.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("desk-2")
        writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        writer.execute("BEGIN IMMEDIATE")  # another writer (the worker, a backup): the send waits
        let_go = threading.Timer(1.0, _let_go, (writer,))
        let_go.start()
        burst(app, "enter")
        await until(lambda: box.acting or not box.is_attached)
        burst(app, "n")  # typed while the ticket is being sent
        let_go.join()
        sent = "SELECT assigned_desk_id FROM tickets WHERE id = 1"
        await until(lambda: rows(db, sent) == [("desk-2",)])
        called = "SELECT id FROM tickets WHERE status = 'called' AND desk_id = 'desk-1'"
        await until(lambda: rows(db, called) == [(2,)])  # N acted once C001 had gone
        await until(lambda: app.screen is screen)
        assert said(app, "C001 sent to Desk 2")
