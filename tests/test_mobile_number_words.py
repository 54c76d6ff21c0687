"""A mistyped mobile number for texts says what is wrong with it and what a UK mobile number
is: too short, too long, or not starting 07 (it said only "is not a UK mobile number (07...)",
the same for a digit missing as for a landline). The real `oss-desk ticket issue --text-to`,
against a real SQLite file and the tests' local GOV.UK Notify."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oss_desk.domain.public import normalise_mobile
from oss_desk.errors import InvalidInput

from .conftest import Cli
from .messaging import NotifyServer
from .test_turn_texts import office

RULE = "a UK mobile number is 11 digits starting 07 (07700 900123)"


@pytest.mark.parametrize(
    ("number", "wrong"),
    [
        ("0770090012", "is too short (10 digits)"),
        ("077009001234", "is too long (12 digits)"),
        ("01632960000", "does not start 07"),
        ("+44 1632 960000", "does not start 07"),
        ("07700 9OO123", "has a character that is not a digit"),
    ],
)
def test_the_command_line_says_what_is_wrong_with_the_number(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch, number: str, wrong: str
) -> None:
    cli = Cli(office(tmp_path, notify), monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--text-to", number)
    assert issued.code == 2, issued.err
    assert issued.err == f"oss-desk: {number!r} {wrong}: {RULE}\n", issued.err
    assert cli("queue", "--json").json() == []  # the refused number issued nothing


@pytest.mark.parametrize("number", ["07700 900123", "+44 7700 900123", "0044 (7700) 900-123"])
def test_a_mobile_number_however_typed_is_kept_as_one(number: str) -> None:
    assert normalise_mobile(number) == "+447700900123"


def test_nothing_typed_is_said_as_empty() -> None:
    with pytest.raises(InvalidInput, match=re.escape(f"the number is empty: {RULE}")):
        normalise_mobile("  ")
