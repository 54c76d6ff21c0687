"""`oss-desk absence add` says the absence as a team leader reads it (who by name, from when to
when, why) instead of echoing its id and the staff id, and lists the bookings it strands under
the one "still booked" heading the configuration load also uses (``domain.site_change``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import format_instant
from oss_desk.domain.site_change import still_booked

from .appointments_site import NOW, make_office
from .conftest import Cli


def test_absence_add_says_who_and_when_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin"), monkeypatch)
    now = format_instant(NOW)  # Monday 23 November 2026
    booked = cli(
        *("appointment", "book", "--service", "C", "--start", "2026-11-25T14:00:00Z"),
        *("--adviser", "ana", "--desk", "greet-1", "--json"),
        now=now,
    )
    assert booked.code == 0, booked.err
    ref = booked.json()["ref"]
    away = cli("absence", "add", "ana", "--from", "2026-11-25", "--to", "2026-11-26", now=now)
    assert away.code == 0, away.err
    assert away.out.splitlines() == [
        "Ana Adviser is away from Wed 25 Nov to Thu 26 Nov (annual leave): no appointments "
        "with them those days",
        still_booked("with Ana Adviser", 1),
        f"  {ref}  C  Wed 25 Nov 14:00",
    ]
    one_day = cli(
        *("absence", "add", "bob", "--from", "2026-11-27", "--to", "2026-11-27"),
        *("--reason", "training"),
        now=now,
    )
    assert one_day.code == 0, one_day.err
    assert one_day.out == (
        "Bob Adviser is away on Fri 27 Nov (training): no appointments with them that day\n"
    )
    next_year = cli("absence", "add", "bob", "--from", "2027-01-04", "--to", "2027-01-05", now=now)
    assert next_year.out.startswith("Bob Adviser is away from Mon 04 Jan 2027 to Tue 05 Jan 2027")
    # The JSON keeps what scripts read (the id to remove it by, the staff id).
    listed = cli("absence", "list", "--json", now=now).json()
    assert [x["person"] for x in listed] == ["ana", "bob", "bob"]
