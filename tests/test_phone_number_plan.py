"""Only numbers Ofcom's numbering plan gives out are taken, and only mobiles are texted (a
review: ``0500 123 4567``, a freephone range withdrawn in 2017, was taken for a ring-back; a
personal ``070`` number, which forwards calls wherever its holder chooses and is no mobile,
was taken for texts and shown as a mobile, ``07012 345678``). A refused number is said in the
words every other mistyped number is; a 070 number is still one to ring, shown as Ofcom writes
it (``070 1234 5678``). One rule, ``domain.phones``. The real ``oss-desk`` commands against a
real SQLite file and the tests' local GOV.UK Notify."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from oss_desk.domain.phones import dialable, national_digits, normalise_mobile, normalise_phone
from oss_desk.errors import InvalidInput

from .conftest import Cli, db_content, make_db
from .followups_site import make_office
from .messaging import NotifyServer
from .test_turn_texts import office

NOW = "2026-11-23T10:00:00Z"
MOBILE = "a UK mobile number is 11 digits starting 07 (07700 900123)"
ANY = "a UK phone number is 10 or 11 digits starting 0 (01632 960123)"
RING = ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "H")


@pytest.mark.parametrize(
    ("number", "wrong"),
    [
        ("07012 345678", "starts 070, a personal number, not a mobile"),
        ("+44 70 1234 5678", "starts 070, a personal number, not a mobile"),
        ("07612 345678", "starts 076, a pager's number, not a mobile"),
    ],
)
def test_a_number_that_is_no_mobile_is_not_texted(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch, number: str, wrong: str
) -> None:
    cli = Cli(office(tmp_path, notify), monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--text-to", number)
    assert issued.code == 2, issued.out
    assert issued.err == f"oss-desk: {number!r} {wrong}: {MOBILE}\n"
    assert cli("queue", "--json").json() == []  # the refused number issued nothing


def test_a_booking_confirmed_by_text_is_refused_a_personal_number_that_may_be_rung(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path)
    cli = Cli(db, monkeypatch)
    book = (
        *("--user", "amina", "appointment", "book", "--service", "C"),
        *("--start", "2026-11-24T10:00:00Z", "--phone", "07012 345678", "--channel"),
    )
    before = db_content(db)
    refused = cli(*book, "text", now=NOW)
    assert refused.code == 2, refused.out
    wrong = "starts 070, a personal number, not a mobile"
    assert refused.err == f"oss-desk: '07012 345678' {wrong}: {MOBILE}\n"
    assert db_content(db) == before  # nothing booked
    kept = cli(*book, "email", "--email", "a@example.org", "--json", now=NOW)
    assert kept.code == 0, kept.err  # a number to ring: any UK number
    shown = cli("--user", "amina", "appointment", "show", kept.json()["ref"], "--contact", now=NOW)
    assert "  phone: 070 1234 5678\n" in shown.out


@pytest.mark.parametrize(
    ("number", "wrong"),
    [
        ("0500 123456", "starts 0500, withdrawn in 2017 (freephone numbers start 0800 or 0808)"),
        ("0500 123 4567", "starts 0500, withdrawn in 2017 (freephone numbers start 0800 or 0808)"),
        ("0512 345 6789", "starts 05 but not 055 or 056, as no UK number does"),
        ("0412 345 6789", "starts 04, as no UK number does"),
        ("0612 345 6789", "starts 06, as no UK number does"),
        (
            "0909 879 000",
            "is too short (10 digits): a UK number starting 09 is 11 digits (0909 879 0000)",
        ),
        (
            "0701 234 567",
            "is too short (10 digits): a UK number starting 07 is 11 digits (07700 900123)",
        ),
    ],
)
def test_a_number_no_one_can_have_is_not_taken_to_ring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: str, wrong: str
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    before = db_content(db)
    refused = cli(*RING, "--phone", number, now=NOW)
    assert refused.code == 2, refused.out
    said = wrong if wrong.startswith("is too") else f"{wrong}: {ANY}"
    assert refused.err == f"oss-desk: {number!r} {said}\n"
    assert db_content(db) == before  # no ring-back made


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("07012345678", "070 1234 5678"),  # a personal number
        ("05612345678", "056 1234 5678"),
        ("05512345678", "055 1234 5678"),
        ("02920180000", "029 2018 0000"),
        ("02079460000", "020 7946 0000"),
        ("01134960000", "0113 496 0000"),
        ("03001234567", "0300 123 4567"),
        ("08001234567", "0800 123 4567"),
        ("09098790000", "0909 879 0000"),
        ("07624123456", "07624 123456"),  # the Isle of Man's mobiles
        ("07700900123", "07700 900123"),
    ],
)
def test_a_number_to_ring_is_shown_as_ofcom_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, shown: str
) -> None:
    assert dialable(normalise_phone(typed)) == shown
    cli = Cli(make_office(tmp_path), monkeypatch)
    made = cli(*RING, "--name", "Ann Other", "--phone", typed, "--json", now=NOW)
    assert made.code == 0, made.err
    said = cli("--user", "ana", "followup", "show", made.json()["ref"], "--contact", now=NOW)
    assert f"  phone: {shown}\n" in said.out


TYPED = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["0", "07", "070", "076", "0762", "07624", "0500", "05", "+44 7", "+44 "]),
    st.text(alphabet="0123456789", min_size=6, max_size=11),
)
"""Numbers as typed: UK starts, many of a mobile's, and 6-11 digits (so many are taken)."""


@given(TYPED)
@example("07012345678")
@example("07612345678")
@example("07624123456")
@example("05001234567")
def test_a_number_is_texted_only_when_it_is_a_mobile_number_to_ring(typed: str) -> None:
    """The two rules agree: a number for texts is one to ring in a mobile's range (071 to 075,
    077 to 079, 07624), and is kept and shown the same."""
    try:
        rung: str | None = normalise_phone(typed)
    except InvalidInput:
        rung = None
    try:
        texted: str | None = normalise_mobile(typed)
    except InvalidInput:
        texted = None
    digits = national_digits(typed)
    a_mobile = re.match(r"07([1-57-9]|624)", digits) is not None
    assert texted == (rung if a_mobile else None), (typed, rung, texted)
    if rung is not None:
        assert not digits.startswith(("04", "0500", "06")), typed
        assert dialable(rung).replace(" ", "") == digits


@pytest.mark.parametrize("normalise", [normalise_mobile, normalise_phone])
def test_a_number_pasted_with_a_fault_says_how_to_put_it_right(normalise: object) -> None:
    """A review: ``447700900123`` (+44 with its + left off) was refused "does not start 07", and a
    zero-width space pasted after a number was shown as ``'07700900123?'``, a character no one
    can see or find. Each now says what to do."""
    assert callable(normalise)
    cases = {
        "447700900123": "'447700900123' starts 44: type it with its + (+44...) or from its 0",
        "44 7700 900123": "'44 7700 900123' starts 44: type it with its + (+44...) or from its 0",
        "07700900123\u200b": "has an invisible character, pasted with it: delete it or type the "
        "number again",
        "\ufeff07700 900123": "has an invisible character, pasted with it",
    }
    for typed, said in cases.items():
        with pytest.raises(InvalidInput) as refused:
            normalise(typed)
        assert said in str(refused.value), (typed, str(refused.value))
    assert normalise("+447700900123") == "+447700900123"
