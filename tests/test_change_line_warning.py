"""init's warning that texts will cut the "to change or cancel" lines names the room the
office's real texts have (review 23, finding 2). A service that never books a private room is
measured in no room, as its bookings are, not in a made-up booking in the longest-named
interview room; and a service whose change notice is over GOV.UK Notify's 918 characters with
no change line at all (a long checklist) is named by its checklist settings, which is what the
text cuts, not the change lines, which no length would fit. Real configuration files loaded by
the real `oss-desk init`, and the texts composed from real bookings as the worker composes
them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.messages import compose

from .appointments_site import office_toml, service_at
from .conftest import Cli
from .test_welsh import welsh_toml

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
PHONE = "07700 900123"
LONG_ROOM = "Interview room 1, ground floor, beside the Registrars' entrance"
LINE = ("To change or cancel, call 01632 960000 or visit testtown.gov.uk/appointments. " * 3)[
    :195
].strip()


def item(n: int) -> str:
    return f"Item {n}: a document that shows your household income for the year"


def config(tmp_path: Path, items: int, line: str = LINE) -> Path:
    """The appointments office (Council Tax, C, is booked at desks and never into a private
    room, though its interview room also calls C's walk-ins), its interview room named at
    length, C's checklist of ``items`` long items and the change line ``line``."""
    toml = office_toml(extra=f'[notify]\nbase_url = "capture://{tmp_path}/texts.txt"\n')
    toml = toml.replace('name = "Interview room 1"', f'name = "{LONG_ROOM}"', 1)
    listed = ", ".join(f'"{item(n)}"' for n in range(1, items + 1))
    toml = toml.replace('checklist = ["Your bill", "Photo ID"]', f"checklist = [{listed}]", 1)
    toml = toml.replace("[appointments]\n", f'[appointments]\nchange_line = "{line}"\n', 1)
    path = tmp_path / "office.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def init_warnings(cli: Cli, path: Path) -> list[str]:
    done = cli("init", "--config", str(path), now="2026-11-23T09:30:00Z")
    assert done.code == 0, done.err
    return [line for line in (done.out + done.err).splitlines() if line.startswith("Warning:")]


def moved_text(db: Path) -> str:
    """The change notice of a real Council Tax booking (by text, so the text carries what to
    bring), moved: the longest text that carries the change line."""
    svc, session = service_at(db, FixedClock(MONDAY), desk="greet-1", person="tl")
    try:
        first, *later = svc.slots("C", days=14, limit=40)
        booked = svc.book("C", first.start, channel="text", phone=PHONE)
        assert booked.room is None  # C's bookings have no room
        moved = svc.move(booked.ref, later[-1].start)
        return compose(session, moved, "change").sms
    finally:
        session.close()


def test_a_service_booked_in_no_room_is_not_measured_in_the_interview_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, init warned that the change notice for Council Tax had room for 138 characters
    of the 194-character line: the room of a booking in the long-named interview room, which C
    is never booked into. Its real change notice carries the line whole: no warning."""
    db = tmp_path / "office.sqlite"
    cli = Cli(db, monkeypatch)
    assert init_warnings(cli, config(tmp_path, items=8)) == []
    text = moved_text(db)
    assert LINE in text and LONG_ROOM not in text, text
    assert item(8) in text, text  # what to bring goes whole too


def test_a_checklist_too_long_for_any_change_line_is_named_by_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C's checklist is so long that its change notice is over 918 characters with no change
    line: before, init said the change notice "has room for 0 characters" of the change lines
    and to shorten them, which no length fixes. It names the checklist, which the text cuts."""
    db = tmp_path / "office.sqlite"
    cli = Cli(db, monkeypatch)
    short_line = "To change or cancel, call 01632 960000."
    (warning,) = init_warnings(cli, config(tmp_path, items=14, line=short_line))
    assert warning == (
        "Warning: texts will cut the checklist of Council Tax (C) at Civic Centre short (ending "
        "'...'): its change notice is over GOV.UK Notify's 918 characters with no \"to change "
        'or cancel" line at all, so no length of those lines helps: shorten the [[services]] '
        "checklist of C"
    )
    assert "room for 0" not in warning
    text = moved_text(db)
    assert len(text) < 918 and item(14) not in text and "..." in text, text
    assert short_line not in text, text  # the change line goes first, whatever its length


def test_a_bilingual_office_is_told_of_both_checklists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a Welsh office the text carries C's Welsh checklist as well: the warning names both
    settings."""
    toml = welsh_toml(extra=f'[notify]\nbase_url = "capture://{tmp_path}/texts.txt"\n')
    english = ", ".join(f'"{item(n)}"' for n in range(1, 8))
    welsh = ", ".join(f'"Eitem {n}: dogfen sy\'n dangos incwm eich cartref"' for n in range(1, 8))
    old = (
        'checklist = ["Your bill", "Photo ID"]\nchecklist_cy = ["Eich bil", "Prawf adnabod â llun"]'
    )
    assert old in toml
    toml = toml.replace(old, f"checklist = [{english}]\nchecklist_cy = [{welsh}]", 1)
    path = tmp_path / "office.toml"
    path.write_text(toml, encoding="utf-8")
    warnings = init_warnings(Cli(tmp_path / "office.sqlite", monkeypatch), path)
    (warning,) = [w for w in warnings if "texts will cut" in w]
    assert warning.startswith("Warning: texts will cut the checklist of "), warning
    assert warning.endswith("shorten the [[services]] checklist and checklist_cy of C"), warning
