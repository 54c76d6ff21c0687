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


def office(tmp_path: Path, notify: NotifyServer) -> Path:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    extra = (
        f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
        'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
    )
    greet = f"capture://{tmp_path}/greet.bin"  # meet-and-greet prints; the desks have none
    return make_db(tmp_path, site_toml(desks=2, greet_printer=greet, extra=extra))


def test_a_transfer_printed_nowhere_says_to_tell_the_new_code_and_the_text_names_both(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, notify), monkeypatch)
    issue = ("ticket", "issue", "--service", "W", "--desk", "greet-1", "--text-to", "07700900123")
    assert cli(*issue, now=NOW).code == 0  # W001, printed at meet-and-greet
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
        assert moved.print_job is not None and moved.paper_code == "C001"  # (its paper to come)
        queue.call(moved.ticket.id, "desk-1")
        with session.store.read() as conn:
            called = q.get_ticket(conn, moved.ticket.id)
        assert called is not None
        not_yet = TurnTexts(session).compose("called", called).sms
        assert not_yet == "C001 (your ticket W001): please go to Desk 1 now.", not_yet
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
    assert welsh.startswith("C001 (eich tocyn W001): ewch i "), text
    assert english == "C001 (your ticket W001): please go to Desk 1 now.", text
