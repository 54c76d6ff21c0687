"""Every flow a key starts in a screen's exclusive worker group runs under the key hold: a key
typed while it saves (another desk's writer has the database's turn) waits, and acts once the
flow has said what it did; it never cancels the flow half-way (review 13, nit 6: the team
leader's P, reprint, was cut short by an X typed while it saved, and "reprint queued" was never
said). Pilot, real SQLite files, a real second writer holding the write lock."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oss_desk.storage.writelock import lock_path
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.dialogs.hold import KeyHold
from oss_desk.ui.screens.adviser import AdviserScreen

from .conftest import AppFactory, kept_notices, leader_queue, rows, until
from .test_scorecard_ui import called_at_desk


@contextmanager
def another_writer(db: Path) -> Iterator[None]:
    """Another process's write turn on ``db`` (its ``flock``), held until the block ends."""
    holder = os.open(lock_path(db), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(holder)  # lets the turn go


def waits_for_turn(db: Path) -> bool:
    """A thread of this process waits in the kernel for its write turn on ``db``."""
    inode, pid = os.stat(lock_path(db)).st_ino, str(os.getpid())
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields:  # a blocked waiter: "N: -> FLOCK ADVISORY WRITE PID MAJ:MIN:INODE"
            at = fields.index("->")
            if fields[at + 4] == pid and fields[at + 5].endswith(f":{inode}"):
                return True
    return False


async def test_an_x_typed_while_the_leader_reprints_acts_after_the_reprint_is_said(
    office: Path, make_app: AppFactory
) -> None:
    db = office  # four waiting, the last W001; meet-and-greet's printer
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        queue = await leader_queue(pilot, 4)
        queue.focus()
        queue.move_cursor(row=queue.get_row_index("4"))
        said = kept_notices(app)
        with another_writer(db):
            await pilot.press("p")
            await until(lambda: waits_for_turn(db))  # the reprint saves: it waits its turn
            await pilot.press("x")  # cancel W001: typed while the reprint waits
            assert isinstance(app.screen, KeyHold)  # kept
        await until(lambda: isinstance(app.screen, ChoiceDialog))
        assert "Cancel W001" in str(app.screen.heading)  # type: ignore[attr-defined]
        assert any(m.startswith("W001: reprint queued") for m in said), said
        assert rows(db, "SELECT count(*) FROM print_jobs") == [(1,)]


async def test_an_x_typed_while_the_adviser_recalls_asks_after_the_recall_is_said(
    office: Path, make_app: AppFactory
) -> None:
    """The adviser's R (no dialog, only a save) is a flow of the desk's group too."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        assert isinstance(screen, AdviserScreen)
        said = kept_notices(app)
        with another_writer(office):
            await pilot.press("r")
            await until(lambda: waits_for_turn(office))
            await pilot.press("x")
            assert isinstance(app.screen, KeyHold)
        await until(lambda: isinstance(app.screen, QuestionDialog))
        assert "C001 called again" in said, said
        assert rows(office, "SELECT recalls FROM tickets WHERE id = 1") == [(1,)]
