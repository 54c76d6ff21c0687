"""A number to ring has the length of its range (a review: ``0770090012``, a mobile number of 10
digits that cannot exist, was taken for a ring-back), and every number taken is shown as it is
dialled, in Ofcom's groups (``016977 2345`` and ``0800 123456`` were shown ``+44169772345``
and ``+44800123456``), by the CLI too (``followup show --contact``, ``appointment show
--contact`` and ``resident find`` printed the stored ``+44...``; their JSON still keeps it).
One rule, ``domain.phones``. The real `oss-desk` commands against a real SQLite file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from oss_desk.domain.phones import dialable, national_digits, normalise_mobile, normalise_phone
from oss_desk.errors import InvalidInput

from . import appointments_site
from .conftest import Cli, db_content
from .followups_site import make_office
from .test_cancel_reason_shown import booked_by_ana

NOW = "2026-11-23T10:00:00Z"
ANY = "a UK phone number is 10 or 11 digits starting 0 (01632 960123)"


def _range(start: str, digits: str, example: str) -> str:
    return f"a UK number starting {start} is {digits} digits ({example})"


@pytest.mark.parametrize(
    ("number", "wrong"),
    [
        ("0770090012", "is too short (10 digits): " + _range("07", "11", "07700 900123")),
        ("+44 770090012", "is too short (10 digits): " + _range("07", "11", "07700 900123")),
        ("020 7946 000", "is too short (10 digits): " + _range("02", "11", "020 7946 0000")),
        ("0300 123 456", "is too short (10 digits): " + _range("03", "11", "0300 123 4567")),
        ("0808 157 000", "is too short (10 digits): " + _range("08", "11", "0808 157 0000")),
        ("0800 12345", "is too short (9 digits): " + _range("0800", "10 or 11", "0800 123 4567")),
        (
            "0800 123 45678",
            "is too long (12 digits): " + _range("0800", "10 or 11", "0800 123 4567"),
        ),
        ("01632 9601", f"is too short (9 digits): {ANY}"),
    ],
)
def test_a_ring_back_number_too_short_for_its_range_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: str, wrong: str
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    before = db_content(db)
    add = ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "H")
    refused = cli(*add, "--phone", number, now=NOW)
    assert refused.code == 2, refused.out
    assert refused.err == f"oss-desk: {number!r} {wrong}\n"
    assert db_content(db) == before  # no ring-back made


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("016977 2345", "016977 2345"),  # Brampton's four-digit numbers
        ("016977 23456", "016977 23456"),
        ("015396 20123", "015396 20123"),  # Sedbergh: a six-digit code
        ("01632 96012", "01632 96012"),  # a five-digit local number
        ("01632 960123", "01632 960123"),
        ("0161 496 0000", "0161 496 0000"),
        ("0113 496 0000", "0113 496 0000"),
        ("020 7946 0000", "020 7946 0000"),
        ("0300 123 4567", "0300 123 4567"),
        ("0800 123456", "0800 123456"),
        ("0800 123 4567", "0800 123 4567"),
        ("0808 157 0000", "0808 157 0000"),
        ("07700 900123", "07700 900123"),
    ],
)
def test_a_number_taken_is_shown_in_its_groups(typed: str, shown: str) -> None:
    assert dialable(normalise_phone(typed)) == shown


TYPED = st.builds(
    lambda prefix, rest, spaced: prefix + (" ".join(rest) if spaced else rest),
    st.sampled_from(["0", "+44", "0044", "+44 (0)", "\uff10", "\uff0b44"]),
    st.text(alphabet="0123456789", min_size=8, max_size=11),
    st.booleans(),
)
"""Numbers as typed: a UK start and 8-11 digits (so many are taken), sometimes spaced out."""


@given(TYPED)
@example("016977 2345")
@example("0800 123456")
@example("0500 123456")
@example("01632 96012")
def test_every_number_taken_is_shown_as_national_digits_in_groups(typed: str) -> None:
    try:
        stored = normalise_phone(typed)
    except InvalidInput:
        return
    shown = dialable(stored)
    assert re.fullmatch(r"0[0-9]+( [0-9]+)+", shown, re.ASCII), (typed, stored, shown)
    assert shown.replace(" ", "") == national_digits(stored)


def test_a_full_width_plus_is_read_as_a_plus() -> None:
    assert normalise_mobile("\uff0b44 7700 900123") == "+447700900123"
    assert normalise_phone("\uff0b\uff14\uff14 20 7946 0000") == "+442079460000"
    with pytest.raises(InvalidInput, match="is not a UK number"):  # another country's
        normalise_phone("\uff0b33 6 12 34 56 78")


def test_the_cli_shows_a_number_to_ring_as_it_is_dialled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    add = ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "H")
    made = cli(*add, "--name", "Ann Other", "--phone", "016977 2345", "--json", now=NOW)
    assert made.code == 0, made.err
    ref = made.json()["ref"]
    shown = cli("--user", "ana", "followup", "show", ref, "--contact", now=NOW)
    assert shown.code == 0, shown.err
    assert "  phone: 016977 2345\n" in shown.out
    assert "+44" not in shown.out
    as_json = cli("--user", "ana", "followup", "show", ref, "--contact", "--json", now=NOW)
    assert as_json.json()["contact"]["phone"] == "+44169772345"  # as stored
    found = cli("--user", "tl", "resident", "find", "--phone", "+44 16977 2345", now=NOW)
    assert found.code == 0, found.err
    assert "phone: 016977 2345" in found.out
    assert "+44" not in found.out
    find = ("--user", "tl", "resident", "find", "--phone", "016977 2345", "--json")
    found_json = cli(*find, now=NOW)
    assert "+44169772345" in found_json.out


def test_an_appointment_s_number_is_shown_as_it_is_dialled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = appointments_site.make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    ref = booked_by_ana(cli, tmp_path, "--phone", "0800 123456")
    shown = cli("--user", "ana", "appointment", "show", ref, "--contact", now=NOW)
    assert shown.code == 0, shown.err
    assert "  phone: 0800 123456\n" in shown.out
    assert "+44" not in shown.out
