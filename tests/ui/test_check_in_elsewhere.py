"""A booking at another office is not checked in at this office's reception (an appointments
adviser's trial, finding 1): a booking for the Library, scanned or typed at the Civic Centre's
meet-and-greet, was "checked in · Ticket C001" there, queued at the Library (no board at the
Civic Centre would call it, and the desk said "No printer here"). Now refused, saying where it
is booked and what to do; the command line exits 6 with one line, the desk notifies and keeps
working. Real SQLite, the real command, the desk app under its test pilot."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.ui.screens.greet import GreetScreen

from ..conftest import Cli
from ..test_site_dropped import MONDAY, office, ok
from .conftest import AppFactory, notices, rows, until
from .test_ticket_scan import scan_keys

AT_TEN = "2026-11-23T10:00:00Z"


def _booked_at_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, str]:
    """The two-site office, with a booking at the Library at 10:00 on Monday."""
    cli, _, _ = office(tmp_path, monkeypatch)
    made = cli(
        "--user", "tl", "appointment", "book", "--service", "C", "--start", AT_TEN,
        "--adviser", "adv", "--site", "library", "--channel", "slip", "--print-to",
        f"capture://{tmp_path}/slips.bin", "--json", now=MONDAY,
    )  # fmt: skip
    assert made.code == 0, made.err
    return cli, str(made.json()["ref"])


def test_check_in_at_another_offices_desk_is_refused_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, ref = _booked_at_the_library(tmp_path, monkeypatch)
    here = cli("--user", "tl", "appointment", "check-in", ref, "--desk", "greet-1", now=AT_TEN)
    assert (here.code, here.out) == (6, "")
    assert here.err == (
        f"oss-desk: {ref} is booked at Library, not Civic Centre: send them to Library, or "
        "issue a ticket if they want to be seen as a walk-in now here\n"
    )
    assert rows(cli.db, "SELECT count(*) FROM tickets") == [(0,)]
    assert rows(cli.db, "SELECT status FROM appointments") == [("booked",)]
    # At the Library's own desk it is checked in, as before.
    there = ok(cli, "--user", "tl", "appointment", "check-in", ref, "--desk", "lib-1", now=AT_TEN)
    assert there.startswith("Checked in: ticket C001 (priority)"), there


async def test_a_scan_at_another_offices_desk_is_refused_and_the_desk_keeps_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: AppFactory
) -> None:
    cli, ref = _booked_at_the_library(tmp_path, monkeypatch)
    db = cli.db
    clock = FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    app = make_app(db, "greet-1", clock=clock, scan_pause=5.0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, GreetScreen)
        await pilot.press(*scan_keys(f"OSSD-A:{ref}"))
        await until(lambda: notices(app, f"{ref} is booked at Library, not Civic Centre") == 1)
        assert notices(app, "send them to Library") == 1
        assert rows(db, "SELECT count(*) FROM tickets") == [(0,)]
        assert isinstance(app.screen, GreetScreen)  # no box opened: the desk keeps working
