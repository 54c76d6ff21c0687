"""A resident moved to another service at a desk with no printer holds their old code on paper:
the transfer tells the adviser to pass the new code on, in the command line and the desk app's
words (one wording), and the come-to-the-desk text names the code on their paper beside the new
one, as the real device worker sends it through a local GOV.UK Notify."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.turn_texts import TurnTexts
from oss_desk.storage import queue as q

from .conftest import Cli, make_db, rows, site_toml
from .messaging import API_KEY, NotifyServer
from .test_welsh import welsh_toml

NOW = "2026-11-23T10:00:00Z"
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
UNTOLD = "no printer here: tell the resident their new code C001 (their ticket says W001)"


def office(tmp_path: Path, notify: NotifyServer, greet: str | None = "", desks: int = 2) -> Path:
    """Meet-and-greet prints (``greet``: its printer, "" one that works, None: none); the
    desks have none."""
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    extra = (
        f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
        'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
    )
    printer = f"capture://{tmp_path}/greet.bin" if greet == "" else greet
    return make_db(tmp_path, site_toml(desks=desks, greet_printer=printer, extra=extra))


def test_a_transfer_printed_nowhere_says_to_tell_the_new_code_and_the_text_names_both(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, notify), monkeypatch)
    issue = ("ticket", "issue", "--service", "W", "--desk", "greet-1", "--text-to", "07700900123")
    assert cli(*issue, now=NOW).code == 0  # W001, printed at meet-and-greet:
    assert cli("worker", "--once", now=NOW).code == 0  # its paper is out
    assert cli("ticket", "call-next", "--desk", "desk-1", now=NOW).code == 0
    moved = cli("--user", "tl", "ticket", "transfer", "W001", "--service", "C", now=NOW)
    assert moved.code == 0, moved.err
    assert moved.out.startswith("now C001 ") and moved.out.endswith(f"; {UNTOLD}\n"), moved.out
    shown = cli("ticket", "show", "C001", "--json", now=NOW).json()
    assert shown["code"] == "C001"
    # Desk 2 calls them; the text names the code on their paper too.
    called = cli("ticket", "call-next", "--desk", "desk-2", "--json", now=NOW).json()
    assert called["code"] == "C001"
    assert cli("worker", "--once", now=NOW).code == 0
    bodies = [str(n["personalisation"]["body"]) for n in notify.state.sent]
    assert "C001 (your ticket W001): please go to Desk 2 now." in bodies, bodies


def test_a_printed_transfer_says_the_new_code_alone(tmp_path: Path, notify: NotifyServer) -> None:
    """Transferred from meet-and-greet, whose printer prints the new ticket, the paper shows the
    new code: the text names it alone. While that paper has not printed yet (the printer down,
    retrying), the text names both codes: the resident may hold only the old one."""
    db = office(tmp_path, notify)
    session = open_session(db=db, clock=FixedClock(MONDAY), person="tl", desk_id="greet-1")
    try:
        queue = QueueService(session)
        first = queue.issue("W").ticket
        queue.call(first.id, "desk-1")
        moved = queue.move(first.id, service="C")
        assert moved.print_job is not None and moved.held == ("C001", True)  # (its paper to come)
        queue.call(moved.ticket.id, "desk-1")
        with session.store.read() as conn:
            called = q.get_ticket(conn, moved.ticket.id)
        assert called is not None
        not_yet = TurnTexts(session).compose("called", called).sms
        # (W001's own paper was never confirmed either: "given", not "your ticket")
        assert not_yet == "C001 (you were given W001): please go to Desk 1 now.", not_yet
        with session.store.write() as conn:  # the printer confirms both papers
            conn.execute("UPDATE print_jobs SET status = 'done'")
        assert TurnTexts(session).compose("called", called).sms == "C001: please go to Desk 1 now."
    finally:
        session.close()


def test_the_welsh_text_names_the_code_on_paper_first_in_welsh(tmp_path: Path) -> None:
    phone = f'[notify]\nbase_url = "capture://{tmp_path}/texts.txt"\n'
    db = make_db(tmp_path, welsh_toml(extra=phone))
    session = open_session(db=db, clock=FixedClock(MONDAY), person="tl", desk_id="desk-1")
    try:
        queue = QueueService(session)
        first = queue.issue("W", print_ticket=False).ticket
        queue.call(first.id, "desk-1")
        moved = queue.move(first.id, service="C").ticket
        assert rows(db, "SELECT count(*) FROM print_jobs") == [(0,)]
        queue.call(moved.id, "desk-1")
        with session.store.read() as conn:
            called = q.get_ticket(conn, moved.id)
        assert called is not None
        text = TurnTexts(session).compose("called", called).sms
    finally:
        session.close()
    welsh, english = text.split("\n")
    # No paper was ever printed: W001 was said to them, and no "ticket" of theirs says it.
    assert welsh.startswith("C001 (rhoddwyd W001 i chi): ewch i "), text
    assert english == "C001 (you were given W001): please go to Desk 1 now.", text


GIVEN = "no printer here: tell the resident their new code C001 (they were told H001)"


@pytest.mark.parametrize("greet", ["none", "down"])
def test_a_resident_never_given_paper_is_not_told_of_their_ticket(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch, greet: str
) -> None:
    """Meet-and-greet has no printer (or its printer never answers): H001 was said to the
    resident, never printed. Transferred at a desk with no printer, the adviser is told to pass
    the new code on beside the one the resident was told (not "their ticket says"), and the
    come-to-the-desk text says "you were given", never "your ticket", as the real device worker
    sends it through a local GOV.UK Notify."""
    dead = "tcp://127.0.0.1:9?timeout=0.2"  # (the discard port: nothing listens)
    cli = Cli(office(tmp_path, notify, dead if greet == "down" else None, desks=1), monkeypatch)
    issue = ("ticket", "issue", "--service", "H", "--desk", "greet-1", "--text-to", "07700900130")
    assert cli(*issue, now=NOW).code == 0
    if greet == "down":
        assert cli("worker", "--once", now=NOW).code == 0  # its paper does not print
    assert cli("ticket", "call", "H001", "--desk", "desk-1", now=NOW).code == 0
    moved = cli("--user", "tl", "ticket", "transfer", "H001", "--service", "C", now=NOW)
    assert moved.code == 0, moved.err
    assert moved.out.startswith("now C001 ") and moved.out.endswith(f"; {GIVEN}\n"), moved.out
    again = cli("ticket", "show", "C001", "--json", now=NOW).json()
    assert again["code"] == "C001"
    assert cli("ticket", "call-next", "--desk", "desk-1", now=NOW).code == 0
    assert cli("worker", "--once", now=NOW).code == 0
    bodies = [str(n["personalisation"]["body"]) for n in notify.state.sent]
    assert "C001 (you were given H001): please go to Desk 1 now." in bodies, bodies
    assert not [b for b in bodies if "your ticket" in b], bodies


def test_a_transfer_says_in_json_whether_paper_holds_the_code(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--json` names the code the resident holds and whether the printer confirmed its paper:
    W001 printed at meet-and-greet is on paper; with no printer anywhere, it is not."""
    cli = Cli(office(tmp_path, notify), monkeypatch)
    assert cli("ticket", "issue", "--service", "W", "--desk", "greet-1", now=NOW).code == 0
    assert cli("ticket", "issue", "--service", "W", now=NOW).code == 0  # W002: no printer
    assert cli("worker", "--once", now=NOW).code == 0  # W001's paper printed
    for code, printed in (("W001", True), ("W002", False)):
        assert cli("ticket", "call", code, "--desk", "desk-1", now=NOW).code == 0
        moved = cli("--user", "tl", "ticket", "transfer", code, "--service", "C", "--json", now=NOW)
        assert moved.code == 0, moved.err
        data = moved.json()
        assert (data["code_on_paper"], data["code_printed"]) == (code, printed), data
