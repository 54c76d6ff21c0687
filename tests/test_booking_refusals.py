"""A booking refused says why (an appointments adviser's trial, finding 3): before opening, off
the 15-minute grid, an adviser's day off, another booking in the way all said "... is not free
for Council Tax with bob: choose another slot", naming the adviser by their id. Now the reason
is named (``domain.slots.not_free_said``) with the adviser's name. (The desk's booking form
offers only free slots, and lists them again when another desk books one; a refusal it still
meets shows the same words, inline.) Real SQLite, the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from .appointments_site import NOW, make_office
from .conftest import Cli, rows


def test_each_refusal_names_its_reason_and_the_advisers_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = make_office(tmp_path)
    cli = Cli(office, monkeypatch)
    slip = ("--channel", "slip", "--print-to", f"capture://{tmp_path}/slips.bin")

    def book(start: str, *adviser: str) -> tuple[int, str]:
        done = cli("--user", "tl", "appointment", "book", "--service", "C", "--start",
                   start, *adviser, *slip, now=NOW.isoformat())  # fmt: skip
        return done.code, done.err

    assert book("2026-11-24T10:00:00+00:00", "--adviser", "ana")[0] == 0  # 10:00-10:20
    assert book("2026-11-24T10:00:00+00:00", "--adviser", "bob")[0] == 0
    refused = {
        ("2026-11-24T08:30:00+00:00",): "Tue 24 Nov 08:30 is not free for Council Tax: outside "
        "opening hours (09:00-17:00); choose another slot",
        ("2026-11-24T16:50:00+00:00",): "Tue 24 Nov 16:50 is not free for Council Tax: a "
        "20-minute appointment would end after closing (17:00); choose another slot",
        ("2026-11-24T11:05:00+00:00",): "Tue 24 Nov 11:05 is not free for Council Tax: slots "
        "start every 15 min from 09:00 (11:00 or 11:15); choose another slot",
        ("2026-11-25T11:00:00+00:00", "--adviser", "bob"): "Wed 25 Nov 11:00 is not free for "
        "Council Tax with Bob Adviser: Bob Adviser does not work on Wednesdays; choose another "
        "slot",
        ("2026-11-30T12:30:00+00:00", "--adviser", "ana"): "Mon 30 Nov 12:30 is not free for "
        "Council Tax with Ana Adviser: Ana Adviser works 09:00-12:30, 13:30-17:00 on Mondays; "
        "choose another slot",
        ("2026-11-24T10:15:00+00:00", "--adviser", "ana"): "Tue 24 Nov 10:15 is not free for "
        "Council Tax with Ana Adviser: Ana Adviser has a booking until 10:20; choose another "
        "slot",
        ("2026-11-24T09:45:00+00:00",): "Tue 24 Nov 09:45 is not free for Council Tax: Ana "
        "Adviser has a booking at 10:00; Bob Adviser has a booking at 10:00; choose another slot",
    }
    for (start, *adviser), said in refused.items():
        assert book(start, *adviser) == (6, f"oss-desk: {said}\n")
    assert rows(office, "SELECT count(*) FROM appointments") == [(2,)]


def test_a_service_no_adviser_takes_is_said_without_a_double_negative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody left who takes Housing appointments: "nobody takes Housing - homelessness
    appointments", not "nobody takes no ..." (an IT administrator's trial); one adviser named
    who does not take it: "Bob Adviser takes no ... appointments"."""
    office = make_office(tmp_path)
    config = tmp_path / "office.toml"
    config.write_text(
        config.read_text().replace('appointments = ["C", "H"]', 'appointments = ["C"]')
    )
    assert Cli(office, monkeypatch)("init", "--config", str(config)).code == 0
    cli = Cli(office, monkeypatch)
    slip = ("--channel", "slip", "--print-to", f"capture://{tmp_path}/slips.bin")

    def book(*adviser: str) -> tuple[int, str]:
        done = cli("--user", "tl", "appointment", "book", "--service", "H", "--start",
                   "2026-11-24T10:00:00+00:00", *adviser, *slip, now=NOW.isoformat())  # fmt: skip
        return done.code, done.err

    assert book() == (
        6,
        "oss-desk: Tue 24 Nov 10:00 is not free for Housing - homelessness: nobody takes "
        "Housing - homelessness appointments; choose another slot\n",
    )
    assert book("--adviser", "bob") == (
        6,
        "oss-desk: Tue 24 Nov 10:00 is not free for Housing - homelessness with Bob Adviser: Bob "
        "Adviser takes no Housing - homelessness appointments; choose another slot\n",
    )
