"""A council move with less than the standard notice: ``appointment move --by council`` said
only the booking's line (the breach was in the event log alone), while a cancellation said it
was recorded. Both now say it in the one wording (``domain.appointments.short_notice_said``),
and the appointment keeps the notice of its latest change, as a cancellation does."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise

from .appointments_site import NOW, office_toml
from .conftest import Cli

MONDAY = "2026-11-23T10:00:00Z"
SHORT = "  short notice: recorded, 1 working day's notice\n"


def strict_office(tmp_path: Path) -> Path:
    """The appointments office, whose council owes 3 working days' notice."""
    config = tmp_path / "office.toml"
    # Booked by email (never sent here): a slip-only resident is told by hand, and the notice
    # counts from then (test_notice_by_hand.py).
    smtp = "smtp://127.0.0.1:9?starttls=off"
    text = office_toml(smtp_url=smtp, printer=f"capture://{tmp_path}/slips.bin")
    config.write_text(
        text.replace("grace_minutes = 15", "grace_minutes = 15\nmin_notice_working_days = 3")
    )
    initialise(tmp_path / "office.sqlite", clock=FixedClock(NOW), config_path=config)
    return tmp_path / "office.sqlite"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(strict_office(tmp_path), monkeypatch)


def booked(cli: Cli) -> str:
    done = cli(
        "--user", "tl", "appointment", "book", "--service", "C", "--start",
        "2026-11-24T11:00:00Z", "--adviser", "bob", "--channel", "email",
        "--email", "ann@example.org", "--json", now=MONDAY,
    )  # fmt: skip
    assert done.code == 0, done.err
    return str(done.json()["ref"])


def test_a_council_move_at_short_notice_says_so_as_a_cancellation_does(cli: Cli) -> None:
    ref = booked(cli)
    move = ("--user", "tl", "appointment", "move", ref, "--start", "2026-11-25T09:00:00Z")
    by_council = cli(*move, "--by", "council", now=MONDAY)
    assert by_council.code == 0, by_council.err
    assert by_council.out.startswith(f"{ref}  Wed 25 Nov 09:00  ")
    assert by_council.out.endswith(f"[booked]\n{SHORT}"), by_council.out
    shown = cli("appointment", "show", ref, "--json", now=MONDAY).json()
    assert (shown["notice_working_days"], shown["notice_breach"]) == (1, True)
    # Its text says so too (review 15, finding 5: only the JSON and the desk did).
    text = cli("appointment", "show", ref, now=MONDAY).out
    assert "\n  moved by the council, short notice: recorded, 1 working day's notice\n" in text
    # The resident asks to move it again: they are owed no notice, and nothing is said.
    later = ("--user", "tl", "appointment", "move", ref, "--start", "2026-11-25T10:00:00Z")
    by_resident = cli(*later, "--json", now=MONDAY)
    assert by_resident.code == 0, by_resident.err
    moved = by_resident.json()
    assert (moved["notice_working_days"], moved["notice_breach"]) == (None, False)
    assert "short notice" not in cli(*move, now=MONDAY).out
    # The same words for a cancellation at short notice (Wednesday's: 2 working days).
    cancel = ("--user", "tl", "appointment", "cancel", ref, "--by", "council")
    cancelled = cli(*cancel, "--reason", "adviser ill", now=MONDAY)
    assert cancelled.code == 0, cancelled.err
    said = (
        "[cancelled]\n  the cancellation will be sent by email (the device worker sends it)\n"
        "  short notice: recorded, 2 working days' notice\n"
    )
    assert cancelled.out.endswith(said), cancelled.out
