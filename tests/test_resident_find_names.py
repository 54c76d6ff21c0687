"""`resident find --name` finds a resident however the name is typed: Welsh letters in any
case or without their accents, and a straight or curly apostrophe, matched by one rule
(oss_desk.domain.names) against names held in a real database."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.domain.names import name_key, name_matches

from .conftest import Cli, make_db

NOW = "2026-11-23T09:30:00Z"
HELD = ["Siân O’Brien", "Gwenllïan ap Dafydd", "Llŷr Ŵyn-Jones", "Siôn O'Neill"]


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    cli = Cli(make_db(tmp_path), monkeypatch)
    for n, name in enumerate(HELD):
        booked = cli(
            "--user", "amina", "appointment", "book", "--service", "C",
            "--start", f"2026-11-2{4 + n}T10:00:00Z", "--channel", "text",
            "--name", name, "--phone", f"07700 90011{n}", now=NOW,
        )  # fmt: skip
        assert booked.code == 0, booked.err
    return cli


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
    ],
)
def test_a_name_typed_any_way_finds_the_resident(office: Cli, typed: str, held: str) -> None:
    assert _names(office, typed) == [held]


def test_nothing_held_is_still_said_of_another_name(office: Cli) -> None:
    result = office("--user", "amina", "resident", "find", "--name", "O'Connor", now=NOW)
    assert result.code == 0 and "Nothing held under that name" in result.out, result.out


def test_the_rule() -> None:
    assert name_key("  SIÂN   O’BRIEN ") == name_key("sian o'brien") == "sian o'brien"
    assert name_key("ＳＩＡＮ") == "sian"  # full-width forms (NFKC)
    assert name_matches("Maß", "MASS") and not name_matches(None, "x")
