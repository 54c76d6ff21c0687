"""`resident find --name` finds a resident however the name is typed: Welsh letters in any
case or without their accents, a straight or curly apostrophe, or none ("OBrien", "O Brien"),
a dash typed as a space or left out ("Mary Jane", "Lloyd Jones"), matched by one rule
(oss_desk.domain.names) against names held in a real database; and "Nothing held" is still said
of another name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oss_desk.domain.names import name_key, name_matches

from .conftest import Cli, make_db, office_for_the_file

NOW = "2026-11-23T09:30:00Z"
HELD = [
    "Siân O’Brien",
    "Gwenllïan ap Dafydd",
    "Llŷr Ŵyn-Jones",
    "Siôn O'Neill",
    "Mary-Jane Smith",
    "Ffion Lloyd-Jones",
]


@pytest.fixture(scope="module")
def held_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo office with the residents of ``HELD`` booked, made once for the file: each
    test finds names in a copy of it (:func:`office`)."""
    folder = tmp_path_factory.mktemp("held-names")
    with office_for_the_file(folder) as m:
        cli = Cli(make_db(folder), m)
        for n, name in enumerate(HELD):
            booked = cli(
                "--user", "amina", "appointment", "book", "--service", "C",
                "--start", f"2026-11-2{4 + n % 4}T{10 + n // 4}:00:00Z", "--channel", "text",
                "--name", name, "--phone", f"07700 90011{n}", now=NOW,
            )  # fmt: skip
            assert booked.code == 0, booked.err
    return cli.db


@pytest.fixture
def office(held_office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A copy of the office with the residents of ``HELD`` booked, for one test."""
    db = tmp_path / held_office.name
    shutil.copy2(held_office, db)
    return Cli(db, monkeypatch)


def _names(cli: Cli, typed: str) -> list[str]:
    found = cli("--user", "amina", "resident", "find", "--name", typed, "--json", now=NOW)
    assert found.code == 0, found.err
    return [str(r["name"]) for r in found.json()["records"]]


@pytest.mark.parametrize(
    ("typed", "held"),
    [
        ("SIÂN", "Siân O’Brien"),
        ("sian", "Siân O’Brien"),
        ("O'Brien", "Siân O’Brien"),
        ("siân o’brien", "Siân O’Brien"),
        ("LLŶR", "Llŷr Ŵyn-Jones"),
        ("ŵyn–jones", "Llŷr Ŵyn-Jones"),  # an en dash typed for the hyphen
        ("GWENLLÏAN", "Gwenllïan ap Dafydd"),
        ("SIÔN O’NEILL", "Siôn O'Neill"),  # curly typed, straight held
        ("obrien", "Siân O’Brien"),  # no apostrophe typed
        ("Sian OBrien", "Siân O’Brien"),
        ("O Brien", "Siân O’Brien"),  # a space for the apostrophe
        ("Mary Jane", "Mary-Jane Smith"),  # a space for the dash
        ("maryjane", "Mary-Jane Smith"),
        ("Lloyd Jones", "Ffion Lloyd-Jones"),
        ("ffion lloydjones", "Ffion Lloyd-Jones"),
        ("wyn jones", "Llŷr Ŵyn-Jones"),
    ],
)
def test_a_name_typed_any_way_finds_the_resident(office: Cli, typed: str, held: str) -> None:
    assert _names(office, typed) == [held]


@pytest.mark.parametrize("typed", ["O'Connor", "O Brian", "Mary Joan", "Lloyd-Evans"])
def test_nothing_held_is_still_said_of_another_name(office: Cli, typed: str) -> None:
    result = office("--user", "amina", "resident", "find", "--name", typed, now=NOW)
    assert result.code == 0 and "Nothing held under that name" in result.out, result.out


@pytest.mark.parametrize("typed", ["'-", "a'", "''", "n -", "’"])
def test_fewer_than_two_letters_are_refused_whatever_their_punctuation(
    office: Cli, typed: str
) -> None:
    """Names are matched by their letters, so a name to find needs two letters, punctuation
    apart: "a'" found every name with an "a" in it (2 records match), "''" said "Nothing held"."""
    found = office("--user", "amina", "resident", "find", "--name", typed, now=NOW)
    assert (found.code, found.out) == (2, ""), found.out
    assert "a name to find needs at least 2 letters" in found.err, found.err
    assert not name_matches("Siân O’Brien", "' -")


def test_the_rule() -> None:
    assert name_key("  SIÂN   O’BRIEN ") == name_key("sian o'brien") == "sian o'brien"
    assert name_key("ＳＩＡＮ") == "sian"  # full-width forms (NFKC)
    assert name_matches("Maß", "MASS") and not name_matches(None, "x")


LETTERS = "abcdefghijklmnopqrstuvwxyzâêîôûŵŷäëïöüÿáéíóúàèìòù"
SEPARATORS = ["", " ", "  ", "'", "’", "ʼ", "-", "–", "‑", "."]


def _accents_away(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@st.composite
def name_and_typed(draw: st.DrawFn) -> tuple[str, str]:
    """A name held (words of letters, apart by spaces, apostrophes or dashes) and a part of it
    typed as a desk might: any letters from it in a row, each in any case, with or without its
    accent, decomposed or not, with any separators (or none) between them."""
    import unicodedata

    words = draw(st.lists(st.text(LETTERS, min_size=1, max_size=8), min_size=1, max_size=4))
    joins = draw(st.lists(st.sampled_from(SEPARATORS[1:]), min_size=len(words) - 1,
                          max_size=len(words) - 1))  # fmt: skip
    held = words[0] + "".join(j + w for j, w in zip(joins, words[1:], strict=True))
    letters = "".join(words)
    start = draw(st.integers(0, len(letters) - 1))
    end = draw(st.integers(start + 1, len(letters)))
    typed = draw(st.sampled_from(SEPARATORS))
    for ch in letters[start:end]:
        ch = draw(st.sampled_from([ch, ch.upper(), _accents_away(ch)]))
        ch = draw(st.sampled_from([ch, unicodedata.normalize("NFD", ch)]))
        typed += ch + draw(st.sampled_from(SEPARATORS))
    return held, typed


@settings(max_examples=400, deadline=None)
@given(name_and_typed())
def test_a_name_always_finds_itself_however_it_is_typed(found: tuple[str, str]) -> None:
    held, typed = found
    assert name_matches(held, typed), (held, typed)
