"""Desks, transfers and who did what, on the demo office through the real command line: who is
recorded for a command acting for a desk, a mistyped --user, transfers and resumes where
nobody would call the resident, an adviser's own logged-in desk, parked tickets shown as
parked, and who is logged in where."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from oss_desk.domain.waits import ahead_said

from .conftest import ROOT, Cli, db_content, make_db

NOW = "2026-11-23T10:00:00+00:00"  # a Monday, 10:00 in London


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The demo office (strict about staffed desks) with C001, C002 and Q001 waiting."""
    cli = Cli(make_db(tmp_path), monkeypatch)
    for service in ("C", "C", "Q"):
        issued = cli("--user", "chloe", "ticket", "issue", "--service", service, now=NOW)
        assert issued.code == 0, issued.err
    return cli


def ok(cli: Cli, *args: str) -> str:
    result = cli(*args, now=NOW)
    assert result.code == 0, (args, result.err)
    return result.out


def actors(db: Path, kind: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT actor FROM events WHERE kind = ? ORDER BY id", [kind])
        return [str(r[0]) for r in rows]
    finally:
        conn.close()


def test_a_command_for_a_desk_is_recorded_under_the_person_logged_in_there(demo: Cli) -> None:
    # Desk 1's configured person is Ben; Amina has taken the desk over.
    ok(demo, "--user", "ben", "desks", "login", "desk-1")
    ok(demo, "--user", "amina", "desks", "login", "desk-1", "--take-over")
    # The host's own login (not on the staff list) calls for Desk 1: Amina is there.
    ok(demo, "ticket", "call", "C001", "--desk", "desk-1")
    ok(demo, "ticket", "recall", "C001")
    assert actors(demo.db, "called") == ["amina"]
    history = ok(demo, "ticket", "history", "C001")
    assert "called  (Amina Shah, Desk 1)" in history
    assert "Ben" not in history


def test_a_visit_history_names_people_and_desks_as_every_screen_does(demo: Cli) -> None:
    """Engineers' notes, round 11: ``ticket history`` said ``(chloe, Reception)``, the staff
    id, where every other screen says the person's name. The text names them; the JSON keeps
    the id as recorded (``person``) and adds the name (``person_name``)."""
    ok(demo, "--user", "ben", "desks", "login", "desk-1")
    ok(demo, "--user", "ben", "ticket", "call", "C001", "--desk", "desk-1")
    ok(demo, "--user", "ben", "ticket", "finish", "C001", "--outcome", "resolved")
    history = ok(demo, "ticket", "history", "C001")
    assert "ticket C001 (Council Tax)  (Chloe Price)" in history, history
    assert "C001 called  (Ben Walker, Desk 1)" in history, history
    assert "finished: resolved  (Ben Walker, Desk 1)" in history, history
    assert "(chloe" not in history and "(ben" not in history
    lines = demo("ticket", "history", "C001", "--json", now=NOW).json()["lines"]
    called = next(line for line in lines if line["what"] == "C001 called")
    assert (called["person"], called["person_name"], called["desk"]) == (
        "ben",
        "Ben Walker",
        "Desk 1",
    )


def test_a_mistyped_user_is_refused_in_one_line(demo: Cli) -> None:
    before = db_content(demo.db)
    result = demo("--user", "amnia", "ticket", "cancel", "C001", "--reason", "error", now=NOW)
    assert result.code == 9
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert "'amnia' is not on the staff list" in result.err
    assert db_content(demo.db) == before
    # The person meant, and the host's own login (no --user), still act.
    ok(demo, "--user", "amina", "ticket", "cancel", "C001", "--reason", "error")
    assert "live queue" in ok(demo, "queue")
    # An office that means to let made-up names act says so.
    allowed = demo(
        "--user",
        "amnia",
        "ticket",
        "cancel",
        "C002",
        now=NOW,
        env={"OSS_DESK_ACCESS__NAME_UNLISTED": "true"},
    )
    assert allowed.code == 0, allowed.err


def test_a_ticket_is_not_sent_to_a_colleague_logged_in_nowhere(demo: Cli) -> None:
    before = db_content(demo.db)
    refused = demo("ticket", "transfer", "C001", "--to", "fatima", now=NOW)
    assert refused.code == 6
    assert refused.err == (
        "oss-desk: Fatima Okoro is not logged in to any desk: nobody there would call C001; "
        "send it once they have logged in, or to a desk\n"
    )
    assert db_content(demo.db) == before
    # Once she is logged in, it goes to her, and both the line and the JSON say so.
    ok(demo, "--user", "fatima", "desks", "login", "desk-4")
    assert ok(demo, "ticket", "transfer", "C001", "--to", "fatima").startswith(
        "now C001  Council Tax  waiting, sent to Fatima Okoro"
    )
    shown = demo("ticket", "show", "C001", "--json", now=NOW).json()
    assert shown["assigned_person"] == "fatima"
    assert "(sent to Fatima Okoro)" in ok(demo, "queue")
    assert ok(demo, "--user", "fatima", "ticket", "call-next", "--desk", "desk-4").startswith(
        "C001"
    )


def test_the_live_queue_names_a_ticket_sent_to_a_desk_as_staff_know_the_desk(demo: Cli) -> None:
    ok(demo, "--user", "fatima", "desks", "login", "desk-4")
    ok(demo, "--user", "amina", "ticket", "transfer", "C002", "--desk", "desk-4")
    shown = ok(demo, "queue")
    assert "(sent to Desk 4)" in shown and "desk-4" not in shown


def test_a_parked_resident_is_not_resumed_at_a_closed_desk(demo: Cli) -> None:
    ok(demo, "--user", "ben", "desks", "login", "desk-1")
    ok(demo, "--user", "ben", "ticket", "call", "Q001", "--desk", "desk-1")
    ok(demo, "--user", "ben", "ticket", "park", "Q001", "--reason", "phone")
    # Shown as parked, with why (staff only), not as waiting.
    assert ok(demo, "ticket", "show", "Q001").splitlines(keepends=True)[0] == (
        "Q001  General enquiries  parked at Desk 1 (making a phone call); no print job\n"
    )
    shown = demo("ticket", "show", "Q001", "--json", now=NOW).json()
    assert shown["parked"] is True and shown["park_reason"] == "phone"
    # The desk as staff know it, as ticket show names it (not its id "desk-1").
    assert "Q001  General enquiries        parked   Desk 1     waited" in ok(demo, "queue")
    before = db_content(demo.db)
    refused = demo("--user", "amina", "ticket", "resume", "Q001", "--desk", "desk-3", now=NOW)
    assert refused.code == 6
    assert "Desk 3" in refused.err and "nobody there would call Q001" in refused.err
    assert refused.err.count("\n") == 1
    assert db_content(demo.db) == before
    ok(demo, "desks", "close", "desk-3")
    closed = demo("--user", "amina", "ticket", "resume", "Q001", "--desk", "desk-3", now=NOW)
    assert closed.err.startswith("oss-desk: Desk 3 is closed: nobody there would call Q001")
    assert db_content(demo.db)[-5:] == before[-5:]
    # At a desk someone is logged in to, it works.
    ok(demo, "--user", "gwen", "desks", "login", "desk-2")
    resumed = ok(demo, "--user", "amina", "ticket", "resume", "Q001", "--desk", "desk-2")
    assert resumed.startswith("Q001  General enquiries  serving at Desk 2")  # never its id


def test_an_adviser_pauses_the_desk_they_are_logged_in_to(demo: Cli) -> None:
    ok(demo, "--user", "fatima", "desks", "login", "desk-4")
    assert ok(demo, "--user", "fatima", "desks", "break", "desk-4") == "Desk 4: open -> break\n"
    # Twice: it says the desk is on a break already (not "break -> break").
    again = ok(demo, "--user", "fatima", "desks", "break", "desk-4")
    assert again == "Desk 4 is already on a break\n"
    assert ok(demo, "--user", "fatima", "desks", "open", "desk-4") == "Desk 4: break -> open\n"
    assert ok(demo, "--user", "fatima", "desks", "open", "desk-4") == "Desk 4 is already open\n"
    # Another desk is still not hers.
    other = demo("--user", "fatima", "desks", "break", "desk-2", now=NOW)
    assert other.code == 9
    assert "may not open, pause or close another desk" in other.err


def test_desks_list_says_who_is_logged_in_where(demo: Cli) -> None:
    ok(demo, "--user", "fatima", "desks", "login", "desk-4")
    rows = {r["id"]: r for r in demo("desks", "list", "--json", now=NOW).json()}
    assert rows["desk-4"]["person"] == "fatima"
    assert rows["desk-4"]["person_name"] == "Fatima Okoro"
    assert rows["desk-1"]["person"] is None
    lines = {line.split()[0]: line for line in ok(demo, "desks", "list").splitlines()}
    assert "Fatima Okoro" in lines["desk-4"]
    assert "Fatima" not in lines["desk-1"]


def test_the_call_order_in_words_follows_the_call_order() -> None:
    """The adviser's help says :data:`CALL_ORDER_WORDS`: each term of the call order is named
    there, in the same order."""
    from oss_desk.domain.queue import CALL_ORDER, CALL_ORDER_WORDS

    said = {
        "assigned_desk": ["sent to this desk"],
        "assigned_person": ["the person at it"],
        "priority": ["urgent", "appointments"],
        "queued_ms": ["longest wait"],
    }
    places = [
        CALL_ORDER_WORDS.index(words)
        for term in CALL_ORDER
        for words in said.get(term.attribute, [])
    ]
    assert len(places) == 5
    assert places == sorted(places)


def test_the_readme_says_the_call_order_in_the_same_words() -> None:
    """README's `ticket call-next` row gives :data:`CALL_ORDER_WORDS` as the adviser's F1 does
    (trial 8: the README left out urgent residents)."""
    from oss_desk.domain.queue import CALL_ORDER_WORDS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (row,) = [
        line for line in readme.splitlines() if line.startswith("| `oss-desk ticket call-next")
    ]
    assert f"in the one call order: {CALL_ORDER_WORDS};" in row, row


def test_ticket_show_gives_the_place_and_wait_the_queue_gives(demo: Cli) -> None:
    """README: `ticket show` gives a waiting ticket's place (the people ahead, as its paper
    counts them) and estimated wait; the line says what its JSON and `oss-desk queue` say
    (found by a new user's trial: only --json had them)."""
    before = ok(demo, "ticket", "show", "C001")  # nobody logged in: no estimate, and why
    assert "waiting, no open desk serves this now; " in before, before
    ok(demo, "--user", "ben", "desks", "login", "desk-1")
    for code in ("C001", "C002", "Q001"):
        data = demo("ticket", "show", code, "--json", now=NOW).json()
        line = ok(demo, "ticket", "show", code)
        place = f"{ahead_said(data['ahead'])}, estimated wait: "
        assert place in line, line
        minutes = data["estimated_wait_min"]
        assert line.split("estimated wait: ")[1].startswith(
            "now" if minutes == 0 else f"about {minutes} min"
        ), line
    ok(demo, "--user", "ben", "ticket", "call", "C001", "--desk", "desk-1")
    assert "place" not in ok(demo, "ticket", "show", "C001")  # called: no place any more


def test_a_break_names_the_tickets_that_wait_for_the_desk_as_the_desk_does(demo: Cli) -> None:
    """C002 sent to Desk 4 and Q001 to Fatima, logged in there: `desks break` says they wait
    for Desk 4 until it opens again (it said only "open -> break"), in the words of the desk
    app's own break question, from its snapshot of the queue; `--json` lists them; a desk with
    none sent to it says nothing more, and closing sends them back."""
    from oss_desk.clock import FixedClock
    from oss_desk.domain.sent_to import on_break_words
    from oss_desk.services.desk_view import take_snapshot
    from oss_desk.services.session import open_session

    ok(demo, "--user", "fatima", "desks", "login", "desk-4")
    ok(demo, "--user", "amina", "ticket", "transfer", "C002", "--desk", "desk-4")
    ok(demo, "--user", "amina", "ticket", "transfer", "Q001", "--to", "fatima")
    session = open_session(
        db=demo.db, clock=FixedClock(datetime.fromisoformat(NOW)), person="fatima"
    )
    try:
        desk_words = on_break_words(take_snapshot(session).sent_here("desk-4"), "Desk 4")
    finally:
        session.close()
    assert desk_words == "C002 and Q001 wait for Desk 4 until it opens again"
    said = ok(demo, "--user", "fatima", "desks", "break", "desk-4")
    assert said == f"Desk 4: open -> break; {desk_words}\n"
    twice = ok(demo, "--user", "fatima", "desks", "break", "desk-4")
    assert twice == f"Desk 4 is already on a break; {desk_words}\n"
    again = demo("--user", "fatima", "desks", "break", "desk-4", "--json", now=NOW).json()
    assert again == {
        "desk": "desk-4",
        "was": "break",
        "status": "break",
        "sent_back": [],
        "waiting_for_desk": ["C002", "Q001"],
    }
    ok(demo, "--user", "gwen", "desks", "login", "desk-2")
    assert ok(demo, "--user", "gwen", "desks", "break", "desk-2") == "Desk 2: open -> break\n"
    closed = demo("--user", "fatima", "desks", "close", "desk-4", "--json", now=NOW).json()
    assert (closed["sent_back"], closed["waiting_for_desk"]) == (["C002", "Q001"], [])


def test_ticket_lines_and_refusals_name_the_desk_as_staff_know_it(demo: Cli) -> None:
    """A new user's trial: `ticket start C001` said "serving at desk-1" (the desk's id) where
    everything else says "Desk 1"; a refusal said "C001 is called to desk-1"."""
    ok(demo, "--user", "ben", "desks", "login", "desk-1")
    ok(demo, "--user", "dev", "desks", "login", "desk-2")
    assert ok(demo, "--user", "ben", "ticket", "call-next", "--desk", "desk-1") == (
        "C001 -> Desk 1\n"
    )
    taken = demo("--user", "dev", "ticket", "call", "C001", "--desk", "desk-2", now=NOW)
    assert (taken.code, taken.err) == (
        6,
        "oss-desk: C001 is called to Desk 1: only a waiting ticket can be called\n",
    )
    started = ok(demo, "--user", "ben", "ticket", "start", "C001")
    assert started.startswith("C001  Council Tax  serving at Desk 1"), started
    ok(demo, "--user", "ben", "ticket", "park", "C001", "--reason", "phone")
    parked = demo("--user", "dev", "ticket", "call", "C001", "--desk", "desk-2", now=NOW)
    assert parked.err == (
        "oss-desk: C001 is parked at Desk 1 (making a phone call): resume it there "
        "(or transfer it)\n"
    )
