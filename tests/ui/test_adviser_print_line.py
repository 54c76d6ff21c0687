"""An adviser, who may not reprint, is never asked "Reprint it?" about paper at their desk that
did not print: the team leader is. Their status line said only "Check: 1" (or "Check: ticket C001
not printed"), with no question coming and no hint of what to check or who would: it now says
who is asked, in the words the question is asked in, at every width. The team leader is asked
the question the line names (the two views follow one rule, ``domain.print_questions``). Real
SQLite file, the desk driven with Pilot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oss_desk.domain.delivery import needing_answer_words
from oss_desk.domain.print_questions import (
    Asker,
    asked_elsewhere_words,
    asked_here,
    asked_instead,
)
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.ui.widgets.bars import StatusBar

from ..conftest import site_toml
from .conftest import (
    ADVISERS,
    AppFactory,
    acting,
    adviser_desk,
    office_db,
    settled,
    staffed,
    until,
)
from .test_delivery_ui import _worker_alive


@pytest.fixture
def adviser_printer(migrated: Path, tmp_path: Path) -> Path:
    """Desk 1 has a receipt printer, where ticket C001 (issued there) did not print; Ben, an
    adviser, works at Desk 1."""
    toml = site_toml(extra=ADVISERS).replace(
        'id = "desk-1"\nname = "Desk 1"\n',
        f'id = "desk-1"\nname = "Desk 1"\nprinter = "capture://{tmp_path / "desk-1.bin"}"\n',
    )
    db = office_db(migrated, tmp_path, toml)
    with acting(db, desk="desk-1") as session:
        issued = QueueService(session).issue("C")
    assert issued.print_job is not None
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE print_jobs SET status = 'failed', last_error = 'connection refused' WHERE id = ?",
        [issued.print_job],
    )
    conn.commit()
    conn.close()
    return db


@pytest.mark.parametrize(
    ("width", "said"),
    [
        (120, "Check: 1 not printed, team leader asked"),
        (80, "Check: 1 for team leader"),
    ],
)
async def test_an_adviser_s_line_says_the_team_leader_is_asked(
    adviser_printer: Path, make_app: AppFactory, width: int, said: str
) -> None:
    db = adviser_printer
    lock = _worker_alive(db)
    try:
        adviser = make_app(db, "desk-1", person="ben")
        async with adviser.run_test(size=(width, 30)) as pilot:
            bar = adviser.screen.query_one(StatusBar)
            # Who is asked follows from who is logged in at Desk 1: the desk logs Ben in on
            # entering it, after its first snapshot, whose line says "asked at the desk that
            # printed it" until the next one (a fixed half-second pause was not always enough).
            await adviser_desk(adviser, staffed)
            await until(lambda: said in str(bar.render()))
            await settled(pilot)  # a question asked here would have come with that snapshot
            assert not isinstance(adviser.screen, ConfirmDialog)
            line = str(bar.render())
            assert said in line, line
            assert len(line) <= width - 2
        leader = make_app(db, "desk-2")  # the team leader, at Desk 2, is the one asked
        async with leader.run_test(size=(width, 30)):
            await until(lambda: isinstance(leader.screen, ConfirmDialog))
            assert isinstance(leader.screen, ConfirmDialog)
            assert str(leader.screen.heading) == (
                "Ticket C001 at Desk 1 was not printed (connection refused). Reprint it?"
            )
    finally:
        lock.release()


def test_who_is_asked_is_said_as_the_rule_asks() -> None:
    """The line names whoever :func:`asked_here` asks instead: the team leader for a paper that
    is not a ticket and for an adviser's desk; else the desk that printed it."""
    team_leader = Asker(None, may_reprint=True, leader=True)
    forms = needing_answer_words(["ticket C001"], [])
    for kind, desk_may in [("ticket", False), ("appointment_slip", True), ("daily_summary", None)]:
        asked = asked_instead(kind, desk_may_reprint=desk_may)
        assert asked_here(team_leader, "desk-1", kind, desk_may_reprint=desk_may)
        assert asked_elsewhere_words(forms, asked)[1] == "1 not printed, team leader asked"
    for desk_may in (True, None):  # its person, or the next person to open that desk
        asked = asked_instead("ticket", desk_may_reprint=desk_may)
        assert not asked_here(team_leader, "greet-1", "ticket", desk_may_reprint=desk_may)
        assert asked_elsewhere_words(forms, asked) == (
            "ticket C001 not printed: asked at the desk that printed it",
            "1 not printed, asked at its desk",
            "1 for its desk",
        )
