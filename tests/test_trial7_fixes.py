"""Trial 7's findings outside the desk app: ``absence list`` names people (P12); a booking's
refusal points only to channels that work at that desk, and ``doctor`` names desks where none
does (C2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import format_instant
from oss_desk.domain.appointments import Preferred
from oss_desk.domain.channels import NONE_WORKS, BookingChannels

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


def test_each_refusal_names_only_channels_that_work() -> None:
    slip_only = BookingChannels(email=False, texts=False, printer=True)
    assert slip_only.working == (Preferred.SLIP,)
    for channel in (Preferred.EMAIL, Preferred.TEXT):
        said = slip_only.refusal(channel)
        assert said is not None and said.endswith(": offer a printed slip instead"), said
    email_only = BookingChannels(email=True, texts=False, printer=False)
    assert email_only.refusal(Preferred.SLIP) == (
        "a printed slip needs a desk with a printer: offer an email instead"
    )
    assert email_only.refusal(Preferred.EMAIL) is None
    nothing = BookingChannels(email=False, texts=False, printer=False)
    assert {nothing.refusal(c) for c in Preferred} == {NONE_WORKS}
    assert nothing.label(Preferred.TEXT) == "Text (not set up here)"


BOOK = ("appointment", "book", "--service", "C", "--start", "2026-11-24T11:00:00Z")


def test_a_booking_refusal_points_to_what_works_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No email, no texts (as deploy/config.example.toml), a printer only at greet-1."""
    cli = Cli(make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin"), monkeypatch)
    now = format_instant(NOW)
    email = cli(
        *BOOK, "--channel", "email", "--email", "a@example.org", "--desk", "greet-1", now=now
    )
    text = cli(*BOOK, "--channel", "text", "--phone", "07700900123", "--desk", "greet-1", now=now)
    for refused, what in ((email, "email is"), (text, "texts are")):
        assert refused.code == 6, refused.err
        assert refused.err.startswith(f"oss-desk: {what} not set up for this office"), refused.err
        assert refused.err.endswith(": offer a printed slip instead\n"), refused.err
    # At a desk without a printer nothing works: what would is said.
    for channel in ("slip", "email"):
        nowhere = cli(
            *BOOK, "--channel", channel, "--email", "a@example.org", "--desk", "desk-1", now=now
        )
        assert nowhere.code == 6
        assert nowhere.err == f"oss-desk: {NONE_WORKS} (or give a printer with --print-to URL)\n"
    slip = cli(*BOOK, "--channel", "slip", "--desk", "greet-1", now=now)
    assert slip.code == 0, slip.err
    doctor = cli("doctor")
    (line,) = [x for x in doctor.out.splitlines() if "booking channels:" in x]
    assert line.startswith("warn") and "at Desk 1, Interview room 1:" in line, line
    assert "greet" not in line.lower()


def test_doctor_is_content_once_email_is_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path, smtp_url=f"capture://{tmp_path}/mail"), monkeypatch)
    # ... and the messages say how to reach the council (the default line does not: a warning).
    reach = {"OSS_DESK_APPOINTMENTS__CHANGE_LINE": "To change or cancel, call 01632 960000."}
    (line,) = [x for x in cli("doctor", env=reach).out.splitlines() if "booking channels:" in x]
    assert line.split()[0] == "ok" and line.endswith(
        "booking channels: every desk can confirm a booking"
    )
