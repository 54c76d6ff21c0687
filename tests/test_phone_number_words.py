"""A mistyped phone number to ring (a ring-back's, `resident find --phone`) says what is wrong
with it and what a UK phone number is, in the words a mobile number for texts is refused in
(too short, too long, a character not a digit, the wrong start, another country's): it said
only "is not a UK phone number" whatever was wrong. One rule, ``domain.phones``. The real
`oss-desk` commands against a real SQLite file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oss_desk.domain.phones import normalise_phone
from oss_desk.errors import InvalidInput

from .conftest import Cli, db_content
from .followups_site import make_office

RULE = "a UK phone number is 10 or 11 digits starting 0 (01632 960123)"
NOW = "2026-11-23T10:00:00Z"


@pytest.mark.parametrize(
    ("number", "wrong"),
    [
        ("0163296012", None),
        ("016329601", "is too short (9 digits)"),
        ("016329601234", "is too long (12 digits)"),
        ("01632 96O123", "has a character that is not a digit"),
        ("1632 960123", "does not start 0"),
        ("+33 6 12 34 56 78", "is not a UK number (+44 or 0...)"),
    ],
)
def test_a_ring_back_and_a_search_say_what_is_wrong_with_the_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: str, wrong: str | None
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    add = ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "H")
    before = db_content(db)
    rung = cli(*add, "--phone", number, now=NOW)
    found = cli("--user", "tl", "resident", "find", "--phone", number, now=NOW)
    if wrong is None:  # a 10-digit landline: a UK number
        assert (rung.code, found.code) == (0, 0), rung.err + found.err
        return
    for refused in (rung, found):
        assert refused.code == 2, refused.out
        assert refused.err == f"oss-desk: {number!r} {wrong}: {RULE}\n"
    assert db_content(db) == before  # no ring-back made


@pytest.mark.parametrize("number", ["01632 960123", "+44 1632 960123", "0044 (1632) 960-123"])
def test_a_phone_number_however_typed_is_kept_as_one(number: str) -> None:
    assert normalise_phone(number) == "+441632960123"


def test_nothing_typed_is_said_as_empty() -> None:
    with pytest.raises(InvalidInput, match=re.escape(f"the number is empty: {RULE}")):
        normalise_phone(" ")
