"""An appointment slip that failed at an adviser's printer: ``appointment show`` said only "told
by: slip" though the resident never got it, and there was no way to print it again. It now says
the slip's print state in the desks' words, and ``appointment slip REF`` prints it again (a
printed one settles the failed one: nobody is asked about it any more)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor
from oss_desk.errors import RuleViolation
from oss_desk.services.delivery import answer_job, jobs_needing_answer
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, Cli, make_db, rows
from .escpos_decoder import decode, text_lines
from .hardware.fakes import COVER_OPEN, HEALTHY, FakePrinter, closed_port

NOW = "2026-11-23T09:30:00Z"
HOURS = "[sites.opening_hours]\n" + "".join(
    f'{day} = "09:00-17:00"\n' for day in ("mon", "tue", "wed", "thu", "fri")
)


def office(printer: str) -> str:
    return (
        '[access]\nuser_override = "anyone"\n\n[council]\nname = "Test Council"\n\n'
        f'[[sites]]\nid = "hq"\nname = "Civic Centre"\n{HOURS}\n'
        '[[services]]\ncode = "C"\nname = "Council Tax"\nappointment_minutes = 30\n\n'
        '[[desks]]\nid = "greet-1"\nname = "Greeting"\nkind = "meet-and-greet"\n\n'
        f'[[desks]]\nid = "desk-1"\nname = "Desk 1"\nprinter = "{printer}"\n\n'
        '[[staff]]\nid = "tl"\nname = "Tara Leader"\nrole = "team-leader"\n\n'
        '[[staff]]\nid = "adv"\nname = "Adam Viser"\nrole = "adviser"\n\n'
        "[printing]\nattempts = 1\n"
    )


def _booked_by_slip(cli: Cli) -> str:
    """An adviser books at Desk 1 a resident who hears from us by slip; its reference."""
    booked = cli(
        "--user", "adv", "appointment", "book", "--service", "C", "--start",
        "2026-11-23T14:00:00Z", "--name", "Bob Private", "--channel", "slip", "--desk",
        "desk-1", "--json", now=NOW,
    )  # fmt: skip
    assert booked.code == 0, booked.err
    return str(booked.json()["ref"])


def test_a_failed_slip_is_shown_and_printed_again(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"tcp://127.0.0.1:{closed_port()}?timeout=1"
    db = make_db(tmp_path, office(dead))
    cli = Cli(db, monkeypatch)
    ref = _booked_by_slip(cli)
    assert cli("worker", "--once", now=NOW).code == 0  # Desk 1's printer is not there
    shown = cli("appointment", "show", ref, now=NOW)
    assert "  told by: slip\n  slip: print job 1: not printed: connection refused\n" in shown.out
    assert cli("appointment", "show", ref, "--json", now=NOW).json()["slip_print_state"] == (
        "failed"
    )

    # An adviser may not reprint (the roles table): refused in one line, nothing queued.
    refused = cli("--user", "adv", "appointment", "slip", ref, "--desk", "desk-1", now=NOW)
    assert refused.code == 9 and refused.err.count("\n") == 1, refused.err
    assert "Traceback" not in refused.err

    # The printer is put right (here: Desk 1's slip goes to another); the leader prints it again.
    again = cli("--user", "tl", "appointment", "slip", ref, "--print-to", printer.url, now=NOW)
    assert again.code == 0, again.err
    assert again.out == f"Slip of {ref}: queued to print (job 2)\n"
    assert cli("worker", "--once", now=NOW).code == 0
    assert len(printer.jobs) == 1 and ref.encode() in printer.jobs[0]
    shown = cli("appointment", "show", ref, now=NOW)
    assert "  slip: print job 2: printed\n" in shown.out, shown.out
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        assert jobs_needing_answer(session) == []  # the failed one is settled by the new one
    finally:
        session.close()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM print_jobs ORDER BY id").fetchall() == [
        ("failed",),
        ("done",),
    ]
    conn.close()


def test_a_slip_still_waiting_to_print_is_not_queued_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The printer is off: the booking's slip waits for it. ``appointment slip`` queued a second
    one (exit 0), and when the printer came back the resident got two identical slips, neither
    marked COPY. It is now refused in one line (exit 6), and the printer prints the slip once."""
    port = closed_port()
    url = f"tcp://127.0.0.1:{port}?timeout=1"
    db = make_db(tmp_path, office(url))
    cli = Cli(db, monkeypatch)
    booked = cli(
        "--user", "tl", "appointment", "book", "--service", "C", "--start",
        "2026-11-23T14:00:00Z", "--channel", "slip", "--desk", "greet-1", "--print-to", url,
        "--json", now=NOW,
    )  # fmt: skip
    assert booked.code == 0, booked.err
    ref = booked.json()["ref"]
    again = cli("--user", "tl", "appointment", "slip", ref, "--print-to", url, now=NOW)
    assert again.code == 6, (again.out, again.err)
    assert again.err.count("\n") == 1 and "Traceback" not in again.err, again.err
    assert (
        "the slip (print job 1) is still waiting to print: it prints when the printer answers"
        in (again.err)
    )
    printer = FakePrinter(port=port)
    try:
        assert cli("worker", "--once", now=NOW).code == 0
        assert len(printer.jobs) == 1 and ref.encode() in printer.jobs[0]
        assert "COPY" not in text_lines(decode(printer.jobs[0]))
    finally:
        printer.close()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT id, status FROM print_jobs").fetchall() == [(1, "done")]
    conn.close()


def test_a_slip_that_may_have_printed_prints_again_marked_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The printer took the slip but said its cover was open after it: the slip may have
    printed. Printed again, the new slip says COPY (it said nothing: two slips, neither COPY)."""
    printer = FakePrinter()
    printer.before_answer = lambda: printer.replies.update(COVER_OPEN)
    try:
        db = make_db(tmp_path, office(printer.url))
        cli = Cli(db, monkeypatch)
        booked = cli(
            "--user", "tl", "appointment", "book", "--service", "C", "--start",
            "2026-11-23T14:00:00Z", "--channel", "slip", "--desk", "greet-1", "--print-to",
            printer.url, "--json", now=NOW,
        )  # fmt: skip
        assert booked.code == 0, booked.err
        ref = booked.json()["ref"]
        assert cli("worker", "--once", now=NOW).code == 0
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT status FROM print_jobs").fetchall() == [("uncertain",)]
        conn.close()
        printer.replies.update(HEALTHY)  # the cover is shut
        again = cli("--user", "tl", "appointment", "slip", ref, "--print-to", printer.url, now=NOW)
        assert again.code == 0, again.err
        assert cli("worker", "--once", now=NOW).code == 0
        assert len(printer.jobs) == 2, printer.jobs
        first, second = (text_lines(decode(job)) for job in printer.jobs)
        assert "COPY" not in " ".join(first)
        assert "COPY" in " ".join(second), second
    finally:
        printer.close()


def test_a_slip_printed_again_is_recorded_against_its_person(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Printing a slip again was recorded nowhere (a print job has no "queued by"): it is now
    the booking's reprint event, against the person acting, carrying the reference and the job
    only, and ``appointment show`` says who printed it again and when."""
    db = make_db(tmp_path, office(printer.url))
    cli = Cli(db, monkeypatch)
    ref = _booked_by_slip(cli)
    assert cli("worker", "--once", now=NOW).code == 0  # the first slip printed (lost since)
    again = cli("--user", "tl", "appointment", "slip", ref, "--desk", "desk-1", now=NOW)
    assert again.code == 0, again.err

    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT e.actor, e.data, e.appointment_id = a.id FROM events e "
        "JOIN appointments a ON a.ref = ? WHERE e.kind = 'reprint_requested'",
        [ref],
    ).fetchall()
    conn.close()
    assert rows == [("tl", f'{{"job":2,"ref":"{ref}"}}', 1)]
    assert "Bob" not in rows[0][1]

    shown = cli("appointment", "show", ref, now=NOW)
    said = "  slip asked to print again by Tara Leader, 09:30 (print job 2): waiting to print\n"
    assert said in shown.out, shown.out
    fields = cli("appointment", "show", ref, "--json", now=NOW).json()
    assert cli("db", "check", now=NOW).code == 0  # the report figures unchanged by it
    assert fields["slip_printed_again"] == [
        {"by": "tl", "at": "2026-11-23T09:30:00.000Z", "job": 2, "print_state": "queued"}
    ]


def test_a_slip_asked_again_that_never_printed_is_not_said_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``appointment show`` said "slip printed again by Tara Leader, 09:30 (print job 2)" of a
    job the printer refused: asking is not printing. It says the job was asked for, by whom,
    then the job's own state."""
    dead = f"tcp://127.0.0.1:{closed_port()}?timeout=1"
    db = make_db(tmp_path, office(dead))
    cli = Cli(db, monkeypatch)
    ref = _booked_by_slip(cli)
    assert cli("worker", "--once", now=NOW).code == 0  # Desk 1's printer is not there
    again = cli("--user", "tl", "appointment", "slip", ref, "--desk", "desk-1", now=NOW)
    assert again.code == 0, again.err
    assert cli("worker", "--once", now=NOW).code == 0  # nor for the second slip
    shown = cli("appointment", "show", ref, now=NOW)
    assert "printed again by" not in shown.out, shown.out
    said = (
        "  slip asked to print again by Tara Leader, 09:30 (print job 2): "
        "not printed: connection refused\n"
    )
    assert said in shown.out, shown.out
    fields = cli("appointment", "show", ref, "--json", now=NOW).json()
    assert [a["print_state"] for a in fields["slip_printed_again"]] == ["failed"]


@pytest.mark.parametrize("change", ["cancel", "move"])
def test_the_leaders_reprint_of_a_slip_follows_its_booking_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A slip that did not print, its booking cancelled or moved since: the leader's "Reprint
    it?" (which did not say which booking) queued a copy of the old paper, the cancelled
    booking's day and time. A cancellation settles the question with it (nobody is said to
    have answered it); for a move the question names the booking, and `y` draws the slip
    afresh from the booking as it is now."""
    dead = f"tcp://127.0.0.1:{closed_port()}?timeout=1"
    db = make_db(tmp_path, office(dead))
    cli = Cli(db, monkeypatch)
    ref = _booked_by_slip(cli)
    assert cli("worker", "--once", now=NOW).code == 0  # Desk 1's printer is not there
    if change == "cancel":
        done = cli("--user", "tl", "appointment", "cancel", ref, "--by", "resident", now=NOW)
    else:
        later = "2026-11-23T15:30:00Z"
        done = cli("--user", "tl", "appointment", "move", ref, "--start", later, now=NOW)
    assert done.code == 0, done.err
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        asked = jobs_needing_answer(session)
        tl = Actor("tl", "desk-1")
        if change == "cancel":
            assert asked == []
            with pytest.raises(RuleViolation, match="no answer needed"):
                answer_job(session, tl, 1, reprint=True)
            assert rows(db, "SELECT count(*) FROM print_jobs") == [(1,)]
            shown = cli("appointment", "show", ref, now=NOW)
            assert "  slip: print job 1: not printed: connection refused\n" in shown.out
            assert " said " not in shown.out, shown.out
        else:
            assert [(j.id, j.kind, j.reference) for j in asked] == [(1, "appointment_slip", ref)]
            new = answer_job(session, tl, 1, reprint=True)
            assert new == 2
            old, fresh = (
                json.loads(p) for (p,) in rows(db, "SELECT payload FROM print_jobs ORDER BY id")
            )
            assert (old["time"], fresh["time"]) == ("14:00", "15:30"), (old, fresh)
            assert fresh["reference"] == ref
        assert jobs_needing_answer(session) == []
    finally:
        session.close()
