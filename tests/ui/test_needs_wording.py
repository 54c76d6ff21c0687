"""A resident's needs are worded by the domain wherever staff read them: in words
(domain.needs.describe_need) on the command line, in the called ticket's panel and in the
ticket's details, and in short (short_need) in the queue table. Never the stored keys
("bsl", "interpreter:polish"): those stay in JSON, as data. Every need there is, on one ticket
(one language: a visit records one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from oss_desk.domain.needs import SIMPLE_NEEDS, describe_need, parse_needs, short_need
from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.widgets.queue_table import QueueTable

from ..conftest import Cli
from .conftest import AppFactory, appointments_office, pressed_to, until

NOW = "2026-11-23T09:30:00Z"
NEEDS = parse_needs([*SIMPLE_NEEDS, "interpreter:Portuguese (Brazil)"], spoken=())


def no_keys(text: str) -> None:
    """``text`` holds no stored need key (the words differ from every key: case, hyphens)."""
    for need in NEEDS:
        assert need not in text, (need, text)
    assert "interpreter:" not in text and "portuguese" not in text


async def test_every_place_words_needs_by_the_domain(
    migrated: Path, tmp_path: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = appointments_office(migrated, tmp_path)
    cli = Cli(db, monkeypatch)
    needs = ",".join(NEEDS)
    issued = cli("ticket", "issue", "--service", "C", "--needs", needs, "--json", now=NOW)
    assert issued.code == 0 and issued.json()["needs"] == list(NEEDS)  # JSON: the keys
    ticket_id = str(issued.json()["id"])
    words = [describe_need(n) for n in NEEDS]
    assert "Interpreter (Portuguese (Brazil))" in words

    listed = cli("queue", now=NOW)
    line = next(line for line in listed.out.splitlines() if "C001" in line)
    assert line.endswith("  Needs: " + ", ".join(words))  # no flag: not urgent
    no_keys(line)
    assert cli("queue", "--json", now=NOW).out.count('"interpreter:portuguese (brazil)"') == 1

    booked = cli(
        "appointment", "book", "--service", "C", "--start", "2026-11-24T11:00:00Z",
        "--print-to", f"capture://{tmp_path / 'slip.bin'}", "--needs", needs, "--json",
        now=NOW,
    )  # fmt: skip
    assert booked.code == 0, booked.err
    shown = cli("appointment", "show", booked.json()["ref"], now=NOW)
    said = next(line for line in shown.out.splitlines() if "needs:" in line)
    assert said == "  needs: " + ", ".join(words)
    no_keys(said)

    app = make_app(db, "room-1")  # a private room: it may call a resident who needs one
    async with app.run_test(size=(200, 40)) as pilot:
        await until(lambda: isinstance(app.screen, AdviserScreen) and app.snapshot is not None)
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 1)
        assert str(table.get_cell(ticket_id, "needs")) == ", ".join(map(short_need, NEEDS))
        await pilot.press("n")
        panel = app.screen.query_one("#now-needs", Static)
        await until(lambda: "Needs:" in str(panel.render()))
        assert str(panel.render()).endswith("Needs: " + ", ".join(words))
        await pressed_to(pilot, LookUpDialog, "f7")  # the ticket's details
        dialog = await pressed_to(pilot, TicketDialog, *"c001", "enter")
        assert "Needs:     " + ", ".join(words) in dialog.lines
