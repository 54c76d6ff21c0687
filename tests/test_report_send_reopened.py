"""A day closed by hand, its summary sent early, then reopened: the team leader still gets the
whole day's summary. Reopening cancels the early one while it has not gone (the reopen's line
says so); one that went is followed after closing time by the whole day's, whose subject and
first line say it replaces the early one. A day closed by hand and never reopened keeps its
early summary: nothing is sent twice. Real SQLite files, the real commands and a real
(aiosmtpd) mail server through the device worker's report-email lane."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Cli, rows
from .messaging import SmtpServer
from .test_report_send import LEADER, deliver, office

CLOSED = "2026-11-23T10:00:00Z"  # Monday: the office opens 09:00-17:00 (GMT)
REOPENED = "2026-11-23T10:05:00Z"
EVENING = "2026-11-23T17:30:00Z"
LEADER_CLI = ("--user", "tl")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def a_visit_at_eleven(cli: Cli) -> None:
    """The day goes on after it is reopened: a walk-in at 11:00, served and resolved."""
    issued = cli("ticket", "issue", "--service", "C", "--json", now="2026-11-23T11:00:00Z")
    assert issued.code == 0, issued.err
    code = issued.json()["code"]
    called = cli(
        "--user", "ben", "ticket", "call-next", "--desk", "desk-1", now="2026-11-23T11:04:00Z"
    )
    assert called.code == 0, called.err
    done = cli(
        "--user",
        "ben",
        "ticket",
        "finish",
        code,
        "--outcome",
        "resolved",
        now="2026-11-23T11:10:00Z",
    )
    assert done.code == 0, done.err


def close_and_send_early(cli: Cli) -> dict[str, object]:
    closed = cli(*LEADER_CLI, "desks", "close-day", "--yes", now=CLOSED)
    assert closed.code == 0, closed.err
    sent = cli(*LEADER_CLI, "report", "send", "daily", "--json", now=CLOSED)
    assert sent.code == 0, sent.err
    [early] = sent.json()
    assert early["queued"] is True and "closed by hand" in str(early["closed_early"])
    return dict(early)


def visits(body: str) -> int:
    found = re.search(r"\n  Visits \(arrivals\) +(\d+)\n", body)
    assert found is not None, body
    return int(found.group(1))


def test_reopening_cancels_the_early_summary_not_sent_yet_and_the_whole_day_goes_after_closing(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed at 10:00 and its summary queued then; reopened at 10:05 before the worker sent
    it; a resident served at 11:00. Before, at 17:30 `report send daily` said the summary "was
    already queued ... nothing queued", and the one email that went held the figures of 10:00
    (no visit)."""
    cli = Cli(office(tmp_path, smtp.url), monkeypatch)
    close_and_send_early(cli)
    reopened = cli(*LEADER_CLI, "desks", "reopen-day", now=REOPENED)
    assert reopened.code == 0, reopened.err
    assert reopened.out == (
        "Day reopened (it was closed by Team Leader at 10:00): tickets and check-ins again. "
        "The daily summary queued when it was closed had not gone: cancelled; the whole day's "
        "summary is sent after closing time instead.\n"
    )
    # Kept as cancelled, with when and by whom (before, the row was deleted: no record of it,
    # and the whole day's summary took its number).
    assert rows(
        cli.db, "SELECT id, round, status, cancelled_at, cancelled_by, sent_at FROM report_mails"
    ) == [(1, 1, "cancelled", "2026-11-23T10:05:00.000Z", "tl", None)]
    assert deliver(cli.db, REOPENED).sent == 0  # nothing left to go
    a_visit_at_eleven(cli)
    sent = cli(*LEADER_CLI, "report", "send", "daily", now=EVENING)
    assert sent.code == 0, sent.err
    assert sent.out == (
        f"Daily summary of Civic Centre for 2026-11-23 queued for {LEADER} (email 2). The "
        "summary queued early (email 1) was cancelled at 10:05 by Team Leader, when the day was "
        "reopened: it never went.\n"
    )
    assert deliver(cli.db, EVENING).sent == 1
    assert rows(cli.db, "SELECT id, round, status FROM report_mails ORDER BY id") == [
        (1, 1, "cancelled"),
        (2, 2, "sent"),
    ]
    listed = cli(*LEADER_CLI, "report", "send", "daily", "--json", now=EVENING)
    assert listed.code == 0, listed.err
    [whole] = listed.json()
    assert (whole["id"], whole["queued"], whole["status"]) == (2, False, "sent")
    assert whole["cancelled_before"] == {
        "id": 1,
        "status": "cancelled",
        "cancelled_at": "2026-11-23T10:05:00.000Z",
        "cancelled_by": "tl",
    }
    [mail] = smtp.mailbox.messages
    assert mail["To"] == LEADER
    assert mail["Subject"] == "Daily summary: Civic Centre, 2026-11-23"  # the only one
    assert visits(mail.get_content().replace("\r\n", "\n")) == 1


def test_an_early_summary_that_went_is_replaced_by_the_whole_days_after_closing(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The early summary went at 10:01; the day was reopened at 10:05 and a resident served at
    11:00. Before, the timer's run after closing (`report send due`) found it "already queued"
    and the team leader never had the day's figures. Now it queues a second email that says it
    replaces the first; once only."""
    cli = Cli(office(tmp_path, smtp.url), monkeypatch)
    early = close_and_send_early(cli)
    assert deliver(cli.db, "2026-11-23T10:01:00Z").sent == 1
    reopened = cli(*LEADER_CLI, "desks", "reopen-day", "--json", now=REOPENED)
    assert reopened.code == 0, reopened.err
    said = reopened.json()
    assert said["summaries_cancelled"] == 0
    assert said["summary"] == (
        "The daily summary sent when it was closed stays sent: the whole day's summary follows "
        "after closing time, replacing it."
    )
    a_visit_at_eleven(cli)
    due = cli("report", "send", "due", now=EVENING)
    assert due.code == 0, due.err
    assert due.out == (
        f"Daily summary of Civic Centre for 2026-11-23 queued for {LEADER} (email 2): the whole "
        f"day's, replacing the one sent early (email {early['id']}).\n"
    )
    assert deliver(cli.db, EVENING).sent == 1
    first, whole = smtp.mailbox.messages
    assert (
        first["Subject"] == "Daily summary: Civic Centre, 2026-11-23, to 10:00 (day closed early)"
    )
    assert visits(first.get_content().replace("\r\n", "\n")) == 0
    assert whole["Subject"] == (
        "Daily summary: Civic Centre, 2026-11-23 (the whole day, replacing the summary sent early)"
    )
    body = whole.get_content().replace("\r\n", "\n")
    assert body.split("\n")[0] == (
        "This is the whole day's summary: it replaces the one sent at 10:01, while the day was "
        "closed by hand, before it was reopened."
    )
    assert visits(body) == 1
    again = cli("report", "send", "due", "--json", now="2026-11-23T18:15:00Z")
    assert again.code == 0, again.err
    assert [(q["id"], q["queued"], q["replaces"]) for q in again.json()["reports"]] == [
        (2, False, None)
    ]
    assert rows(cli.db, "SELECT round, status FROM report_mails ORDER BY id") == [
        (1, "sent"),
        (2, "sent"),
    ]


def test_a_day_closed_by_hand_and_never_reopened_keeps_its_early_summary(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing came after the close (it takes no arrivals): the summary sent early is the
    day's, and the evening's run queues nothing more."""
    cli = Cli(office(tmp_path, smtp.url), monkeypatch)
    early = close_and_send_early(cli)
    assert deliver(cli.db, "2026-11-23T10:01:00Z").sent == 1
    due = cli("report", "send", "due", "--json", now=EVENING)
    assert due.code == 0, due.err
    assert [(q["id"], q["queued"]) for q in due.json()["reports"]] == [(early["id"], False)]
    assert len(smtp.mailbox.messages) == 1


def test_the_timer_sends_a_day_closed_by_hand_at_once_as_send_daily_does(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed by hand at 10:00: `report send daily` queues its summary at once, and the
    timer's `report send due` now does too (before, it waited for the 17:00 closing time: one
    rule, summary_waits, asked by both). Reopened, the day waits for closing time again."""
    cli = Cli(office(tmp_path, smtp.url), monkeypatch)
    closed = cli(*LEADER_CLI, "desks", "close-day", "--yes", now=CLOSED)
    assert closed.code == 0, closed.err
    due = cli("report", "send", "due", now=CLOSED)
    assert due.code == 0, due.err
    assert due.out == (
        f"Daily summary of Civic Centre for 2026-11-23 queued for {LEADER} (email 1). The day "
        "was closed by hand (by Team Leader at 10:00): its summary is sent now, before closing "
        "time.\n"
    )
    reopened = cli(*LEADER_CLI, "desks", "reopen-day", now=REOPENED)
    assert reopened.code == 0, reopened.err
    later = cli("report", "send", "due", "--json", now="2026-11-23T10:10:00Z")
    assert later.code == 0, later.err
    assert later.json()["reports"] == []  # today's waits for 17:00 again; nothing else is due
