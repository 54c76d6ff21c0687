"""A mobile number's digits are 0-9, however typed: a full-width ``９`` (a phone's keyboard) or
Arabic-Indic digits are read as the digits they are, and a number is kept only in ASCII, the
form GOV.UK Notify takes (it was kept as typed, ``+447700９00123``: the promised texts never
went). A superscript ``²`` is no digit (``str.isdigit`` took it). ``+44 (0)7700 900123`` is a UK
number (it was refused as "not a UK number": the ``(0)`` was read as a foreign code's ``00``).
The real ``oss-desk`` command against a real SQLite file and the tests' local GOV.UK Notify;
every number the rules take, whatever was typed, is +44 and ten ASCII digits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from oss_desk.domain.phones import normalise_mobile, normalise_phone
from oss_desk.errors import InvalidInput

from .conftest import Cli, rows
from .messaging import NotifyServer
from .test_turn_texts import office

RULE = "a UK mobile number is 11 digits starting 07 (07700 900123)"


@pytest.mark.parametrize(
    "typed",
    [
        "07700\uff1900123",  # a full-width 9
        "\u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0661\u0662\u0663",  # Arabic-Indic
        "+44 (0)7700 900123",
        "0044 (0) 7700 900123",
        "+44 07700 900123",
    ],
)
def test_a_ticket_s_texts_go_to_the_number_in_ascii(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    cli = Cli(office(tmp_path, notify), monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", "--text-to", typed)
    assert issued.code == 0, issued.err
    assert rows(cli.db, "SELECT phone FROM visit_phones") == [("+447700900123",)]


@pytest.mark.parametrize("typed", ["0770\u00b2900123", "07700 900\u00b9\u00b2\u00b3"])
def test_a_character_that_only_looks_like_a_digit_is_refused(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    cli = Cli(office(tmp_path, notify), monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", "--text-to", typed)
    assert issued.code == 2, issued.out
    assert issued.err == f"oss-desk: {typed!r} has a character that is not a digit: {RULE}\n"
    assert rows(cli.db, "SELECT count(*) FROM tickets") == [(0,)]


ODD = st.text(
    alphabet=st.sampled_from(
        "0123456789+()-. \t\u00a0\uff10\uff17\uff19\u0660\u0667\u0966\u00b2\u00b9\u2077"
        "\u2460\U0001d7ce\u00bdxO"
    ),
    max_size=22,
)
"""Odd things typed as a number: ASCII and other scripts' digits, superscripts, a circled 1, a
half, brackets, pluses, dashes, dots and several kinds of space."""
PLAUSIBLE = st.builds(
    "".join,
    st.lists(
        st.sampled_from(["+44", "0044", "(0)", "0", "7", "7700", "900123", " ", "\uff19", "-"]),
        max_size=8,
    ),
)
"""Pieces of real numbers, so that many examples are taken and the property is about them."""


@given(st.one_of(ODD, PLAUSIBLE))
@example("07700\uff1900123")
@example("+44 (0)7700 900123")
@example("0770\u00b2900123")
def test_every_number_taken_is_plus_44_and_ascii_digits(typed: str) -> None:
    try:
        mobile = normalise_mobile(typed)
    except InvalidInput:
        pass
    else:
        assert re.fullmatch(r"\+447[0-9]{9}", mobile, re.ASCII), (typed, mobile)
    try:
        phone = normalise_phone(typed)
    except InvalidInput:
        pass
    else:
        assert re.fullmatch(r"\+44[0-9]{9,10}", phone, re.ASCII), (typed, phone)


def test_a_number_is_read_the_same_in_any_script_s_digits() -> None:
    ascii_number = "07700 900123"
    full_width = ascii_number.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert normalise_mobile(full_width) == normalise_mobile(ascii_number) == "+447700900123"
    assert normalise_phone("\uff10\uff12\uff10 7946 0000") == "+442079460000"  # a landline
