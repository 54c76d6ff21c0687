"""Trial 7's findings outside the desk app: ``absence list`` names people (P12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import format_instant

from .appointments_site import NOW, make_office
from .conftest import Cli


def test_absence_list_names_people_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Who is away, by name as every other output says it (JSON keeps the staff id too)."""
    cli = Cli(make_office(tmp_path), monkeypatch)
    now = format_instant(NOW)
    added = cli("absence", "add", "ana", "--from", "2026-11-25", "--to", "2026-11-26", now=now)
    assert added.code == 0, added.err
    listed = cli("absence", "list", now=now)
    assert listed.code == 0, listed.err
    assert "Ana Adviser" in listed.out and " ana " not in listed.out, listed.out
    as_json = cli("absence", "list", "--json", now=now).json()
    assert [(x["person"], x["name"]) for x in as_json] == [("ana", "Ana Adviser")]
