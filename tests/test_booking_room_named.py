"""``appointment book`` (and ``move``) named the private room by its id: "..., room-1" (an
appointments adviser's trial). It is named as the desk list names it: "Interview room 1".
Real SQLite, the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from .appointments_site import NOW, make_office
from .conftest import Cli


def test_the_room_is_named_not_given_by_its_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    now = NOW.isoformat()
    slip = ("--channel", "slip", "--print-to", f"capture://{tmp_path}/slips.bin")
    booked = cli("--user", "tl", "appointment", "book", "--service", "H", "--start",
                 "2026-11-24T10:00:00+00:00", *slip, now=now)  # fmt: skip
    assert booked.code == 0, booked.err
    assert "with Ana Adviser, Interview room 1  [booked]" in booked.out, booked.out
    ref = booked.out.split()[0]
    moved = cli("--user", "tl", "appointment", "move", ref, "--start",
                "2026-11-24T11:00:00+00:00", now=now)  # fmt: skip
    assert moved.code == 0, moved.err
    assert "Interview room 1" in moved.out and "room-1" not in moved.out, moved.out
