"""``ticket transfer --to PERSON`` sent a ticket to a colleague logged in at a desk that never
calls it (a desk that does not serve its service, one without the private room it needs, a
desk at another site): it waited there unseen, then went back to the queue at the next close,
logout or load, unexplained. It is refused in one line (exit 6), as a desk chosen by name is,
through the one rule of the call order (``domain.queue.never_called_at``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, rows
from .test_worker_rounds import OFFICE

MONDAY = "2026-11-23T09:00:00Z"
BENEFITS_DESK = (
    '[[services]]\ncode = "B"\nname = "Benefits"\n\n'
    '[[desks]]\nid = "desk-2"\nname = "Desk 2"\nsite = "hq"\nservices = ["B"]\n\n'
    '[[desks]]\nid = "room-1"\nname = "Interview room"\nsite = "hq"\nkind = "interview-room"\n\n'
    '[[staff]]\nid = "dev"\nname = "Dev Patel"\nrole = "adviser"\n\n'
)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Desk 1 serves every service, Desk 2 only Benefits (Dev is there), the interview room has
    a private room, the Library desk is at another site (Adam is there); C001 waits for Council
    Tax, C002 (who needs a private room) too."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config = tmp_path / "office.toml"
    config.write_text(OFFICE.replace("[[staff]]\n", BENEFITS_DESK + "[[staff]]\n", 1), "utf-8")
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    for args in (
        ("init", "--config", str(config)),
        ("--user", "dev", "desks", "login", "desk-2"),
        ("--user", "adv", "desks", "login", "lib-1"),
        ("--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1"),
        ("--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1",
         "--needs", "private-room"),
    ):  # fmt: skip
        done = cli(*args, now=MONDAY)
        assert done.code == 0, done.err
    return cli


def sent_to(cli: Cli) -> list[tuple[object, ...]]:
    return rows(cli.db, "SELECT id, status, assigned_person, assigned_desk_id FROM tickets")


def test_a_colleague_at_a_desk_that_never_calls_the_ticket_is_refused(office: Cli) -> None:
    cli = office
    before = sent_to(cli)
    refused = cli("--user", "tl", "ticket", "transfer", "C001", "--to", "dev", now=MONDAY)
    assert (refused.code, refused.out, refused.err) == (
        6,
        "",
        "oss-desk: Dev Patel is at Desk 2, which does not serve Council Tax: nobody there "
        "would call C001; send it to a colleague at a desk that may, or to a desk\n",
    )
    elsewhere = cli("--user", "tl", "ticket", "transfer", "C001", "--to", "adv", now=MONDAY)
    assert (elsewhere.code, elsewhere.err) == (
        6,
        "oss-desk: Adam Viser is at Library desk, which is at another site: nobody there "
        "would call C001; send it to a colleague at a desk that may, or to a desk\n",
    )
    assert sent_to(cli) == before  # nothing changed


def test_the_same_rule_for_a_desk_chosen_by_name_and_for_a_new_service(office: Cli) -> None:
    cli = office
    room = cli("--user", "tl", "ticket", "transfer", "C002", "--desk", "desk-1", now=MONDAY)
    assert (room.code, room.err) == (
        6,
        "oss-desk: Desk 1 has no private room (C002 needs one)\n",
    )
    served = cli("--user", "tl", "ticket", "transfer", "C001", "--desk", "desk-2", now=MONDAY)
    assert (served.code, served.err) == (6, "oss-desk: Desk 2 does not serve Council Tax\n")
    # To Benefits, which Dev's desk serves: sent to him, a new code.
    moved = cli(
        "--user", "tl", "ticket", "transfer", "C001", "--service", "B", "--to", "dev",
        now=MONDAY,
    )  # fmt: skip
    assert moved.code == 0, moved.err
    # Two sites, each starting at B001: the new ticket named with its id, as every line does.
    assert moved.out.startswith("now B001 (id 3)  Benefits  waiting, sent to Dev Patel"), moved.out
    assert sent_to(cli)[-1] == (3, "waiting", "dev", None)
