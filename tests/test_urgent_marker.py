"""Urgent is marked for staff, from one home (domain.queue.staff_marks), and for nobody else.

A resident flagged urgent or vulnerable at meet-and-greet is called first; staff must see why
(the lists' Needs column, the called ticket's panel, ``oss-desk queue``, ``"urgent": true`` in
JSON), but the flag is sensitive: the board, the waiting-room screen and the printed ticket
never carry it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.queue import URGENT_MARK, marks_said, staff_marks
from oss_desk.services.queue import QueueService
from oss_desk.services.screen import screen_state
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, Cli, make_db, site_toml
from .escpos_decoder import decode, text_lines
from .test_waits import waiting

NOW = "2026-11-23T09:30:00Z"


def test_only_an_urgent_ticket_is_marked() -> None:
    plain = waiting(1, 60).ticket
    assert staff_marks(plain) == ()
    for priority in (1, 2):
        marked = staff_marks(replace(plain, priority=priority))
        assert marked == ((URGENT_MARK,) if priority == 2 else ())


def test_the_queue_command_says_urgent_in_text_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    assert cli("ticket", "issue", "--service", "C", now=NOW).code == 0
    assert cli("ticket", "issue", "--service", "W", "--urgent", now=NOW).code == 0
    text = cli("queue", now=NOW)
    assert text.code == 0
    lines = {line.split()[1]: line for line in text.out.splitlines() if ". " in line}
    assert "Flag: Urgent" in lines["W001"] and "Urgent" not in lines["C001"]
    listed = cli("queue", "--json", now=NOW)
    found = {t["code"]: t["urgent"] for t in _tickets(listed.json())}
    assert found == {"W001": True, "C001": False}


def _tickets(data: object) -> list[dict[str, object]]:
    if isinstance(data, dict):
        for key in ("waiting", "queue", "tickets"):
            if isinstance(data.get(key), list):
                return [t.get("ticket", t) for t in data[key]]
    assert isinstance(data, list)
    return [t.get("ticket", t) if isinstance(t, dict) else t for t in data]


def test_nothing_public_says_urgent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paper, frames = tmp_path / "ticket.escpos", tmp_path / "board.frames"
    toml = site_toml(
        greet_printer=f"capture://{paper}",
        extra=f'\n[board]\nurl = "ascii+capture://{frames}?rows=4&cols=24"\n',
    )
    db = make_db(tmp_path, toml)
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl", desk_id="greet-1")
    try:
        queue = QueueService(session)
        queue.issue("W", urgent=True, needs="wheelchair")
        queue.call_next("desk-1")
        state = json.dumps(screen_state(session))
    finally:
        session.close()
    cli = Cli(db, monkeypatch)
    assert cli("worker", "--once", now=NOW).code == 0
    printed = text_lines(decode(paper.read_bytes()))
    assert "W001" in printed and "urgent" not in " ".join(printed).lower()
    assert b"urgent" not in paper.read_bytes().lower()
    board = frames.read_bytes()
    assert b"W001" in board and b"urgent" not in board.lower()
    assert "W001" in state and "urgent" not in state.lower()


def test_text_without_columns_shows_the_flag_beside_the_needs_in_words() -> None:
    """``oss-desk queue``'s line (domain.queue.marks_said): the flag apart, as the desk's
    panel shows it, then the needs in words, never their stored keys."""
    plain = waiting(1, 60).ticket
    assert marks_said(plain) == ""
    needs = replace(plain, needs=("interpreter:polish", "wheelchair"))
    assert marks_said(needs) == "Needs: Interpreter (Polish), Wheelchair access"
    assert marks_said(replace(needs, priority=2)) == (
        "Flag: Urgent  Needs: Interpreter (Polish), Wheelchair access"
    )
    assert marks_said(replace(plain, priority=2)) == "Flag: Urgent"
