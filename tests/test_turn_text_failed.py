"""A turn text that fails for good (Notify down for a few minutes) is said where the ticket's
other deliveries are: `ticket show`, `alerts list` while the ticket is open, and the desk that
called (tests/ui/test_turn_text_failed_ui.py); never with the resident's number."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.domain.sending import look_up_wait

from .conftest import Cli, rows
from .messaging import NotifyServer
from .test_turn_texts import PHONES, START, Day, office


def called_text_failed(tmp_path: Path, notify: NotifyServer) -> Day:
    """Ann's ticket C001 (next as she gives her number: no nearly-your-turn text) is called to
    Desk 1 while Notify answers 500, until the worker gives the text up."""
    day = Day(office(tmp_path, notify))
    day.issue("C", "ann")
    notify.state.script = ["500"] * 50
    day.queue.call_next("desk-1")
    for minute in range(30):  # the worker's passes, a minute apart
        day.clock.set(START + timedelta(minutes=minute))
        day.worker()
        if rows(day.db, "SELECT status FROM turn_texts WHERE kind = 'called'") == [("failed",)]:
            return day
    raise AssertionError(
        rows(day.db, "SELECT status, attempts FROM turn_texts WHERE kind = 'called'")
    )


def test_a_failed_called_text_is_said_by_ticket_show_and_alerts_while_the_ticket_is_open(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = called_text_failed(tmp_path, notify)
    now = day.clock.now().isoformat()
    cli = Cli(day.db, monkeypatch)
    said = "come-to-the-desk text failed: Notify failed (500)"
    shown = cli("ticket", "show", "C001", now=now)
    assert shown.code == 0, shown.err
    assert f"; no print job; {said}" in shown.out, shown.out  # (and why, if Notify says more)
    (text,) = cli("ticket", "show", "C001", "--json", now=now).json()["texts_not_sent"]
    assert text.startswith(said) and shown.out.splitlines()[0].endswith(text)
    listed = cli("alerts", "list", now=now)
    # t2: the first row is her "nearly your turn" text, not needed (she was next already).
    assert f"t2  ticket C001, at desk-1: {text} (listed while the ticket is open)" in listed.out
    (alert,) = cli("alerts", "list", "--json", now=now).json()
    assert (alert["id"], alert["kind"], alert["ticket"], alert["desk"]) == (
        "t2",
        "called_text",
        "C001",
        "desk-1",
    )
    digits = PHONES["ann"].replace(" ", "")[1:]
    for out in (shown.out, listed.out, str(alert)):
        assert digits not in out
    refused = cli("--user", "tl", "alerts", "ack", "t2", now=now)
    assert refused.code == 2 and "goes when it ends" in refused.err
    # The resident came all the same and was seen: the alert goes with the ticket.
    day.queue.finish("C001", "resolved")
    assert cli("alerts", "list", "--json", now=now).json() == []
    assert cli("ticket", "show", "C001", now=now).out.splitlines()[0].endswith(text)


def until_given_up(day: Day, since: int) -> None:
    """The worker's passes, a minute apart from ``since`` minutes, until no come-to-the-desk
    text is left to try (Notify answering 500 throughout: the new call's fails for good)."""
    trying = "SELECT count(*) FROM turn_texts WHERE status IN ('pending', 'sending')"
    for minute in range(since, since + 30):
        day.clock.set(START + timedelta(minutes=minute))
        day.worker()
        if rows(day.db, trying) == [(0,)]:
            return
    raise AssertionError(rows(day.db, "SELECT id, status, attempts FROM turn_texts"))


def test_an_alert_s_id_names_one_failure_for_ever(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ann's come-to-the-desk text for Desk 1 failed (t2); she is sent on to Desk 2 and called
    there, and that text fails too. It is a failure of its own, t3: t2 still names the first
    (its call, desk and reason kept), no longer listed, as the later text says how telling her
    went now; it was the same row rewritten, so t2 came to name the second failure."""
    day = called_text_failed(tmp_path, notify)
    cli = Cli(day.db, monkeypatch)
    first = rows(day.db, "SELECT * FROM turn_texts WHERE id = 2")
    day.queue.transfer("C001", desk_id="desk-2")
    day.clock.set(day.clock.now() + timedelta(minutes=1))
    day.queue.call_next("desk-2")
    until_given_up(day, 40)
    now = day.clock.now().isoformat()
    assert rows(day.db, "SELECT * FROM turn_texts WHERE id = 2") == first
    (alert,) = cli("alerts", "list", "--json", now=now).json()
    assert (alert["id"], alert["ticket"], alert["desk"]) == ("t3", "C001", "desk-2")
    refused = cli("--user", "tl", "alerts", "ack", "t2", now=now)
    assert refused.code == 2 and "goes when it ends" in refused.err
    assert rows(day.db, "SELECT * FROM turn_texts WHERE id = 2") == first
    day.close()


UNSURE = (
    "come-to-the-desk text may have been sent: the ticket is serving now; an earlier try may "
    "have reached Notify, and Notify could not be asked whether it did (cannot check Notify "
    "for an earlier send (500))"
)


def called_text_unsure(tmp_path: Path, notify: NotifyServer) -> Day:
    """Ann's ticket C001 is called to Desk 1; Notify takes the come-to-the-desk text in and
    never answers; Ann comes to the desk all the same (serving), and when the text's turn
    comes again Notify cannot be looked up: it may have been sent."""
    day = Day(office(tmp_path, notify))
    day.issue("C", "ann")
    day.queue.call_next("desk-1")
    notify.state.script = ["lost"]
    day.worker()
    notify.state.release.set()
    notify.state.wait_until(lambda line: line.startswith("LOST "))
    day.queue.start("C001")
    notify.state.look_up_script = ["500"]
    day.clock.set(START + timedelta(seconds=look_up_wait(1.0) + 1))
    day.worker()
    assert rows(day.db, "SELECT status FROM turn_texts WHERE kind = 'called'") == [("uncertain",)]
    return day


def test_a_text_that_may_have_been_sent_is_said_so_apart_from_the_texts_not_sent(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ticket show --json` lists it under ``texts_uncertain`` (it was under
    ``texts_not_sent``, which tells the desk to call the resident aloud), and its line says
    "may have been sent"."""
    day = called_text_unsure(tmp_path, notify)
    day.close()
    now = day.clock.now().isoformat()
    cli = Cli(day.db, monkeypatch)
    shown = cli("ticket", "show", "C001", "--json", now=now).json()
    assert (shown["texts_not_sent"], shown["texts_uncertain"]) == ([], [UNSURE])
    line = cli("ticket", "show", "C001", now=now).out
    assert line.splitlines()[0].endswith(f"; {UNSURE}"), line
    assert "failed" not in line and "not sent" not in line
