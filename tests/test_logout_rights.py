"""Logging someone else out of their desk closes it and sends its tickets back: it needs the
same right as closing another desk (a team leader), while anyone logs themselves out; naming
the desk on the command line does not make it the person's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, rows
from .test_access import NOW_TEXT, build_office


@pytest.fixture
def office_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(build_office(tmp_path).db, monkeypatch)


def _logged_in(db: Path) -> dict[str, str]:
    return {str(d): str(p) for d, p in rows(db, "SELECT desk_id, person FROM desk_sessions")}


def test_an_adviser_or_greeter_may_not_log_the_team_leader_out(office_cli: Cli) -> None:
    cli = office_cli
    assert cli("--user", "tl", "desks", "login", "desk-3", now=NOW_TEXT).code == 0
    for person, name, role in (
        ("adv2", "Ada Second", "adviser"),
        ("mg", "Mo Greeter", "meet-and-greet"),
    ):
        refused = cli("--user", person, "desks", "logout", "desk-3", now=NOW_TEXT)
        assert refused.code == 9, refused.err
        assert refused.err == (
            f"oss-desk: {name} ({role}) may not log another person out of a desk (it needs "
            "the right to open, pause or close another desk)\n"
        )
        # as closing it is refused
        assert cli("--user", person, "desks", "close", "desk-3", now=NOW_TEXT).code == 9
    assert _logged_in(cli.db).get("desk-3") == "tl"
    assert rows(cli.db, "SELECT status FROM desks WHERE id = 'desk-3'") == [("open",)]


def test_own_logout_and_a_team_leaders_stay_allowed(office_cli: Cli) -> None:
    cli = office_cli
    assert cli("--user", "adv2", "desks", "login", "desk-2", now=NOW_TEXT).code == 0
    mine = cli("--user", "adv2", "desks", "logout", "desk-2", now=NOW_TEXT)
    assert mine.code == 0, mine.err
    assert mine.out.startswith("desk-2: Ada Second logged out, closed")
    assert cli("--user", "adv2", "desks", "login", "desk-2", now=NOW_TEXT).code == 0
    by_leader = cli("--user", "tl", "desks", "logout", "desk-2", now=NOW_TEXT)
    assert by_leader.code == 0, by_leader.err
    assert "desk-2" not in _logged_in(cli.db)


def test_closing_a_desk_nobody_is_at_by_logging_out_needs_the_same_right(
    office_cli: Cli,
) -> None:
    cli = office_cli
    assert "desk-3" not in _logged_in(cli.db)
    refused = cli("--user", "adv2", "desks", "logout", "desk-3", now=NOW_TEXT)
    assert (refused.code, refused.err) == (
        9,
        "oss-desk: Ada Second (adviser) may not open, pause or close another desk\n",
    )
    assert rows(cli.db, "SELECT status FROM desks WHERE id = 'desk-3'") == [("open",)]
    own = cli("--user", "adv2", "desks", "logout", "desk-2", now=NOW_TEXT)  # hers (config)
    assert own.code == 0, own.err
