"""A resident who cannot watch the board (the "collect in person" need) is not told to watch
it: their printed ticket says a member of staff will come to them, and does not print the need
itself (trial 4, C7). Decoded from the bytes the printer received."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, make_db, site_toml
from .escpos_decoder import decode, text_lines


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-print"])
def test_a_collect_in_person_ticket_says_staff_will_come(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    paper = tmp_path / "paper.bin"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{paper}"))
    cli = Cli(db, monkeypatch)
    now = "2026-11-23T09:40:00Z"
    needs = "large-print,collect-in-person" if large else "collect-in-person"
    args = ("ticket", "issue", "--service", "C", "--desk", "greet-1")
    assert cli(*args, "--needs", needs, now=now).code == 0
    assert cli("worker", "--once", now=now).code == 0
    collected = " ".join(text_lines(decode(paper.read_bytes())))
    paper.unlink()
    assert cli(*args, now=now).code == 0  # someone who can watch the board
    assert cli("worker", "--once", now=now).code == 0
    watching = " ".join(text_lines(decode(paper.read_bytes())))
    assert "A member of staff will come to you." in collected, collected
    assert "watch the board" not in collected
    assert "collect" not in collected.lower()  # the need itself is not printed
    assert "Please watch the board for your number." in watching, watching
    assert "staff will come" not in watching
