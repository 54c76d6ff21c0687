"""``appointment check-in --no-print`` at a desk with a printer said "no printer: tell them the
code" (an appointments adviser's trial, finding 9): the desk has one, it was asked not to use
it. Now "not printed (--no-print): tell them the code"; with no printer, as before. Real
SQLite, the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from .appointments_site import NOW, make_office
from .conftest import Cli, rows


def test_no_print_says_it_was_asked_not_to_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/greet.bin")
    cli = Cli(db, monkeypatch)
    now = NOW.isoformat()
    refs = []
    for start in ("2026-11-23T10:15:00+00:00", "2026-11-23T10:30:00+00:00"):
        booked = cli("--user", "tl", "appointment", "book", "--service", "C", "--start", start,
                     "--channel", "slip", "--desk", "greet-1", "--json", now=now)  # fmt: skip
        assert booked.code == 0, booked.err
        refs.append(str(booked.json()["ref"]))
    jobs = rows(db, "SELECT count(*) FROM print_jobs")[0][0]  # the slips
    done = cli("--user", "tl", "appointment", "check-in", refs[0], "--desk", "greet-1",
               "--no-print", now=now)  # fmt: skip
    assert done.code == 0, done.err
    assert done.out.startswith("Checked in: ticket C001 (priority); not printed (--no-print): "
                               "tell them the code\n"), done.out  # fmt: skip
    assert rows(db, "SELECT count(*) FROM print_jobs") == [(jobs,)]
    # Without a desk (so no printer): said as before.
    plain = cli("--user", "tl", "appointment", "check-in", refs[1], now=now)
    assert plain.code == 0, plain.err
    assert "; no printer: tell them the code" in plain.out, plain.out
