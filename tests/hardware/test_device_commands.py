"""`oss-desk printer test` and `board test` as an office uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import Cli, make_db, site_toml
from ..escpos_decoder import decode, text_lines

NOW = "2026-11-23T09:30:00Z"


def test_the_test_page_shows_the_offices_own_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = site_toml().replace(
        'name = "Civic Centre"', 'name = "Civic Centre"\ntimezone = "Europe/Paris"'
    )
    db = make_db(tmp_path, toml)
    paper = tmp_path / "paper.bin"
    result = Cli(db, monkeypatch)("printer", "test", f"capture://{paper}", now=NOW)
    assert result.code == 0, result.err
    lines = text_lines(decode(paper.read_bytes()))
    assert "Time: 23 Nov 10:30 (Europe/Paris)" in lines  # 09:30 UTC is 10:30 in Paris


def test_without_an_office_the_test_page_says_uk_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper = tmp_path / "paper.bin"
    cli = Cli(tmp_path / "no-office.sqlite", monkeypatch)
    result = cli("printer", "test", f"capture://{paper}", now="2026-07-01T09:30:00Z")
    assert result.code == 0, result.err
    assert "Time: 01 Jul 10:30 (Europe/London)" in text_lines(decode(paper.read_bytes()))
    assert not (tmp_path / "no-office.sqlite").exists()  # trying a printer creates nothing
