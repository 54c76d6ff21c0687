"""Refusals give the true reason. A ticket in the wrong state is refused for its state,
whoever asks: an adviser starting, finishing or marking no-show a WAITING ticket (called
nowhere) is told it is waiting, as a team leader is, not that it is "called to another desk";
ownership still refuses a called ticket of another desk. The feedback link is refused as what
it is, not as "the reports"."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli
from .test_access import NOW_TEXT, build_office


@pytest.fixture
def office_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(build_office(tmp_path).db, monkeypatch)


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (("start",), "only a called ticket can be started"),
        (("finish", "--outcome", "resolved"), "only a called or serving ticket can be finished"),
        (("no-show",), "only a called ticket can be a no-show (use cancel if they left before"),
        (("recall",), "only a called ticket can be recalled"),
    ],
)
def test_a_waiting_ticket_is_refused_for_being_waiting_to_everyone(
    office_cli: Cli, command: tuple[str, ...], reason: str
) -> None:
    said = {}
    for person in ("adv", "tl"):
        verb, *rest = command
        done = office_cli("--user", person, "ticket", verb, "W001", *rest, now=NOW_TEXT)
        assert done.code == 6, (person, done.err)
        assert done.err.startswith("oss-desk: W001 is waiting"), done.err
        assert reason in done.err and "another desk" not in done.err, done.err
        said[person] = done.err
    assert said["adv"] == said["tl"]


def test_a_called_ticket_of_another_desk_is_still_refused_as_such(office_cli: Cli) -> None:
    done = office_cli("--user", "adv2", "ticket", "start", "C001", now=NOW_TEXT)
    assert done.code == 9, done.err
    assert "may not start serving a ticket called to another desk" in done.err


def test_the_feedback_link_is_refused_for_what_it_is(office_cli: Cli) -> None:
    refused = office_cli("--user", "adv", "desks", "feedback-link", "desk-1", now=NOW_TEXT)
    assert (refused.code, refused.err) == (
        9,
        "oss-desk: Sam Patel (adviser) may not get a desk's feedback page link (it needs the "
        "right to see the reports)\n",
    )
    given = office_cli("--user", "tl", "desks", "feedback-link", "desk-1", now=NOW_TEXT)
    assert given.code == 0 and given.out.startswith("/f/"), given.err
