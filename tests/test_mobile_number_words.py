"""A mistyped mobile number for texts says what is wrong with it and what a UK mobile number
is: too short, too long, not starting 07, or another country's (it said only "is not a UK
mobile number (07...)", the same for a digit missing as for a landline). Every number that will
be texted meets the one rule in the same words: a ticket's texts, a booking confirmed by text,
a referral sent by text (a booking took a 10-digit number, a referral a landline). The real
`oss-desk` commands, against a real SQLite file and the tests' local GOV.UK Notify."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oss_desk.domain.phones import normalise_mobile
from oss_desk.errors import InvalidInput

from .conftest import Cli, db_content, make_db
from .followups_site import make_office
from .messaging import API_KEY, NotifyServer
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
        ("+3361234567", "is not a UK number (+44 or 07...)"),
        ("0033 612 345 678", "is not a UK number (+44 or 07...)"),
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


WRONG = [
    ("0770090012", "is too short (10 digits)"),
    ("01632 960000", "does not start 07"),
    ("+3361234567", "is not a UK number (+44 or 07...)"),
]


@pytest.mark.parametrize(("number", "wrong"), WRONG)
def test_a_booking_confirmed_by_text_takes_only_a_mobile_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: str, wrong: str
) -> None:
    db = make_db(tmp_path)
    cli = Cli(db, monkeypatch)
    book = (
        *("--user", "amina", "appointment", "book", "--service", "C"),
        *("--start", "2026-11-24T10:00:00Z", "--channel", "text", "--phone"),
    )
    before = db_content(db)
    now = "2026-11-23T10:00:00Z"
    refused = cli(*book, number, now=now)
    assert refused.code == 2, refused.out
    assert refused.err == f"oss-desk: {number!r} {wrong}: {RULE}\n"
    assert db_content(db) == before  # nothing booked
    assert cli(*book, "07700 900123", now=now).code == 0
    # A number only kept to ring the resident may be a landline: nothing is texted to it.
    email = ("--channel", "email", "--email", "a@example.org", "--phone", "01632 960000")
    rung = cli(*book[:-5], "--start", "2026-11-24T11:00:00Z", *email, now=now)
    assert rung.code == 0, rung.err


@pytest.mark.parametrize(("number", "wrong"), WRONG)
def test_a_reference_sent_by_text_takes_only_a_mobile_number(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch, number: str, wrong: str
) -> None:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    db = make_office(
        tmp_path,
        extra=(
            f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
            'sms_template = "22222222-2222-2222-2222-222222222222"\n'
        ),
    )
    cli = Cli(db, monkeypatch)
    add = ("--user", "ana", "followup", "add", "--service", "H", "--topic", "arrears")
    refer = (*add, "--kind", "referral", "--back-office", "housing", "--send-by", "text")
    now = "2026-11-23T10:00:00Z"
    before = db_content(db)
    refused = cli(*refer, "--phone", number, now=now)
    assert refused.code == 2, refused.out
    assert refused.err == f"oss-desk: {number!r} {wrong}: {RULE}\n"
    assert db_content(db) == before  # nothing queued
    assert cli(*refer, "--phone", "07700 900417", now=now).code == 0
    # A ring-back is a call: a landline is its number.
    rung = cli(*add, "--kind", "ringback", "--phone", "01632 960000", now=now)
    assert rung.code == 0, rung.err
