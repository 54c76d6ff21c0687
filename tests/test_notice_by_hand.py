"""trial12 W3: a resident booked by slip (no message goes to them) was never told when the council
moved or cancelled the appointment: nothing sent, no alert, and the notice standard counted it
as notice given. Now the move or cancellation says at once that a person must phone or write
to them; it is an alert (``alerts list``, doctor, the team leader's status) until someone
records that they told them (``appointment told``: who, when, how); and the notice standard
counts the notice from that telling, not from the change."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import untold_refs_said
from oss_desk.services.desk_view import take_snapshot
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

from .appointments_site import NOW, office_toml
from .conftest import Cli, rows

MONDAY = "2026-11-23T10:00:00.000Z"
UNTOLD = "the resident was booked by slip (no message goes to them) and has not been told of this"
NO_CONTACT = "no contact details held: tell them when they come in"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    config = tmp_path / "office.toml"
    config.write_text(office_toml(printer=f"capture://{tmp_path}/slips.bin"))
    initialise(tmp_path / "office.sqlite", clock=FixedClock(NOW), config_path=config)
    return Cli(tmp_path / "office.sqlite", monkeypatch)


def by_slip(cli: Cli, start: str, *contacts: str) -> str:
    done = cli(
        "--user", "tl", "appointment", "book", "--service", "C", "--start", start, *contacts,
        "--adviser", "bob", "--channel", "slip", "--desk", "greet-1", "--json", now=MONDAY,
    )  # fmt: skip
    assert done.code == 0, done.err
    return str(done.json()["ref"])


def untold_on_the_leaders_status(cli: Cli) -> tuple[str, ...]:
    """The references the team leader's status line lists as not told (the desk snapshot)."""
    session = open_session(db=cli.db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    try:
        return take_snapshot(session).untold
    finally:
        session.close()


def untold_said_on_the_leaders_status(cli: Cli) -> str:
    """What the team leader's status line says of the bookings not told (the desk snapshot)."""
    session = open_session(db=cli.db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    try:
        snapshot = take_snapshot(session)
        return untold_refs_said(snapshot.untold, snapshot.untold_unreachable)
    finally:
        session.close()


def test_a_council_move_of_a_slip_booking_is_an_alert_until_someone_tells_them(cli: Cli) -> None:
    ref = by_slip(cli, "2026-11-30T11:00:00Z")  # next Monday: 4 working days off
    move = ("--user", "tl", "appointment", "move", ref, "--start", "2026-12-01T11:00:00Z")
    moved = cli(*move, "--by", "council", now=MONDAY)
    assert moved.code == 0, moved.err
    # Said at once, with what to do: no phone or email is held, so they are told in person.
    assert f"  {UNTOLD} change: {NO_CONTACT}" in moved.out, moved.out
    assert "phone or write" not in moved.out
    assert f"oss-desk appointment told {ref}" in moved.out
    shown = cli("appointment", "show", ref, "--json", now=MONDAY).json()
    assert shown["untold_since"] == "2026-11-23T10:00:00.000Z"
    assert (shown["notice_working_days"], shown["notice_breach"]) == (None, False)
    assert f"\n  {UNTOLD} change: {NO_CONTACT}" in cli("appointment", "show", ref, now=MONDAY).out
    # An alert, in the list and in doctor, that `alerts ack --all` does not clear.
    (alert,) = cli("alerts", "list", "--json", now=MONDAY).json()
    assert (alert["alert"], alert["appointment_ref"], alert["kind"]) == ("not_told", ref, "booked")
    listed = cli("alerts", "list", now=MONDAY).out
    assert f"appointment {ref} on Tue 01 Dec: {UNTOLD} change: {NO_CONTACT}" in listed
    assert alert["reason"].endswith(f": {NO_CONTACT}")
    assert untold_said_on_the_leaders_status(cli) == f"{ref}: {NO_CONTACT}"
    assert untold_on_the_leaders_status(cli) == (ref,)
    doctor = cli("doctor", now=MONDAY).out
    assert "1 resident(s) booked by slip (no message goes to them) not told of a council" in doctor
    assert f"({ref}: {NO_CONTACT})" in doctor
    refused = cli("alerts", "ack", alert["id"], now=MONDAY)
    assert refused.code == 2 and "appointment told" in refused.err
    cli("--user", "tl", "alerts", "ack", "--all", now=MONDAY)
    assert len(cli("alerts", "list", "--json", now=MONDAY).json()) == 1
    # Moved again before anyone told them: still one alert, to the day they knew.
    again = cli(*move[:-1], "2026-12-02T11:00:00Z", "--by", "council", now=MONDAY)
    assert again.code == 0, again.err
    assert len(cli("alerts", "list", "--json", now=MONDAY).json()) == 1
    # Told on Friday by phone: attributable, the alert goes, the notice counts from Friday to
    # the sooner of the day they knew (Monday 30th) and the new day: 1 working day.
    told = cli(
        "--user", "tl", "appointment", "told", ref, "--how", "phone",
        now="2026-11-27T10:00:00Z",
    )  # fmt: skip
    assert told.code == 0, told.err
    assert told.out.startswith(f"{ref}: told (phone), by Team Leader; 1 working day's notice")
    assert cli("alerts", "list", "--json", now="2026-11-27T10:00:00Z").json() == []
    assert untold_on_the_leaders_status(cli) == ()
    after = cli("appointment", "show", ref, "--json", now="2026-11-27T10:00:00Z").json()
    assert after["untold_since"] is None and after["notice_working_days"] == 1
    (event,) = rows(
        cli.db,
        "SELECT actor, at, json_extract(data, '$.how'), json_extract(data, '$.change'),"
        " json_extract(data, '$.notice_working_days') FROM events WHERE kind = 'appointment_told'",
    )
    assert event == ("tl", "2026-11-27T10:00:00.000Z", "phone", "moved", 1)
    again_told = cli("--user", "tl", "appointment", "told", ref, "--how", "phone", now=MONDAY)
    assert again_told.code == 6 and "owes no notice" in again_told.err  # a rule: exit 6


def test_a_council_cancellation_counts_its_notice_from_the_telling(cli: Cli) -> None:
    ref = by_slip(cli, "2026-11-30T11:00:00Z")
    cancel = ("--user", "tl", "appointment", "cancel", ref, "--by", "council")
    cancelled = cli(*cancel, "--reason", "room flooded", "--json", now=MONDAY)
    assert cancelled.code == 0, cancelled.err
    # 4 working days' notice had they been told on Monday; not counted as given: not told.
    assert cancelled.json()["notice_working_days"] is None
    assert cancelled.json()["untold_since"] == "2026-11-23T10:00:00.000Z"
    report = ("report", "monthly", "--month", "2026-11", "--format", "json")
    before = cli(*report, now=MONDAY).json()
    assert before["council_cancellations"]["total"] == 0  # no notice given yet
    assert before["appointments_cancelled"]["council"] == 1
    said = cli("--user", "tl", "appointment", "told", ref, "--how", "letter", now=MONDAY)
    assert said.code == 0, said.err
    told = cli("appointment", "show", ref, "--json", now=MONDAY).json()
    assert (told["notice_working_days"], told["notice_breach"]) == (5, False)
    after = cli(*report, now=MONDAY).json()["council_cancellations"]
    assert (after["total"], after["with_notice"], after["notice_days"]["5+"]) == (1, 1, 1)
    # Told only on the Sunday before: no working day's notice, a breach, counted that day.
    late = by_slip(cli, "2026-12-07T11:00:00Z")
    cli(*cancel[:4], late, *cancel[5:], now=MONDAY)
    late_told = cli(
        "--user", "tl", "appointment", "told", late, "--how", "phone", now="2026-12-06T12:00:00Z"
    )
    assert late_told.code == 0, late_told.err
    assert "short notice: recorded, 0 working days' notice" in late_told.out


def test_a_slip_booking_that_holds_a_phone_is_said_as_booked_by_slip(cli: Cli) -> None:
    """review20 #5: a slip booking may hold a phone; it is owed by hand because it was booked by
    slip (no message goes), and was said to have "no email or phone"."""
    ref = by_slip(cli, "2026-11-30T11:00:00Z", "--phone", "07700900777")
    cancel = ("--user", "tl", "appointment", "cancel", ref, "--by", "council")
    cancelled = cli(*cancel, "--reason", "adviser ill", now=MONDAY)
    assert cancelled.code == 0, cancelled.err
    assert f"{UNTOLD} cancellation: phone or write to them" in cancelled.out, cancelled.out
    assert NO_CONTACT not in cancelled.out
    (alert,) = cli("alerts", "list", "--json", now=MONDAY).json()
    assert alert["reason"].endswith(": phone or write to them")
    assert untold_said_on_the_leaders_status(cli).endswith(f"{ref}: phone or write to them")
    said = [
        cancelled.out,
        cli("appointment", "show", ref, now=MONDAY).out,
        cli("alerts", "list", now=MONDAY).out,
        cli("doctor", now=MONDAY).out,
    ]
    assert all("no email or phone" not in out for out in said), said


def test_how_they_were_told_is_a_choice_and_no_words_of_a_note_reach_the_event_log(
    cli: Cli,
) -> None:
    ref = by_slip(cli, "2026-11-30T11:00:00Z")
    cancelled = cli("--user", "tl", "appointment", "cancel", ref, "--by", "council", now=MONDAY)
    assert cancelled.code == 0, cancelled.err
    told = ("--user", "tl", "appointment", "told", ref, "--how")
    note = cli(*told, "phoned Mrs Jones on 07700900777", now=MONDAY)
    assert note.code == 2 and len(note.err.strip().splitlines()) == 1, note.err
    assert "phone, letter, in-person, email" in note.err and "--how" in note.err
    assert "never a name, a number or a note" in note.err
    help_text = cli("appointment", "told", "--help").out
    assert "phone|letter|in-person|email" in help_text
    said = cli(*told, "In person", now=MONDAY)
    assert said.code == 0, said.err
    assert said.out.startswith(f"{ref}: told (in-person), by Team Leader")
    hows = rows(
        cli.db, "SELECT json_extract(data, '$.how') FROM events WHERE kind = 'appointment_told'"
    )
    assert hows == [("in-person",)]
    events = "".join(str(r) for r in rows(cli.db, "SELECT data FROM events"))
    assert "Jones" not in events and "07700900777" not in events


def test_one_rule_for_what_goes_into_an_event() -> None:
    from oss_desk.domain.event_data import TOLD_HOW, for_event
    from oss_desk.errors import InvalidInput
    from oss_desk.services.subject_access import case_reference

    assert for_event("EMAIL", choices=TOLD_HOW, what="how") == "email"
    assert case_reference("IG-2026-114") == "IG-2026-114"
    for bad in ("Mrs Jones, 07700900777", "07700900777", "jo@example.org"):
        with pytest.raises(InvalidInput):
            case_reference(bad)
        with pytest.raises(InvalidInput):
            for_event(bad, choices=TOLD_HOW, what="how")
