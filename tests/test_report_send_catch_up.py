"""The team leader's month end (trial 36): reports the timer sends after the fact. A monthly
dashboard sent by hand while its month went on ("to date") is followed, once the month is over,
by the whole month's, saying it replaces it (before, it blocked the whole month's for good);
every missed evening of the last week is caught up, not only the latest; a report found queued
before says when it was sent, in the office's time, or how to send one that failed again.
Real SQLite files, the real commands and a real (aiosmtpd) mail server through the device
worker's report-email lane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Cli, rows
from .messaging import SmtpServer, free_port
from .test_report_send import LEADER, deliver, office


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def test_a_dashboard_sent_to_date_is_followed_by_the_whole_months_once_it_is_over(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, smtp.url), monkeypatch)
    early = cli(
        "report", "send", "monthly", "--month", "2026-12", "--json", now="2026-12-01T18:00:00Z"
    )
    assert early.code == 0, early.err
    [first] = early.json()
    assert (first["period"], first["queued"]) == ("2026-12", True)
    assert deliver(cli.db, "2026-12-01T18:01:00Z").sent == 1
    # Sent again by hand while December goes on: nothing new (it is still to date).
    later = cli(
        "report", "send", "monthly", "--month", "2026-12", "--json", now="2026-12-20T12:00:00Z"
    )
    assert [q["queued"] for q in later.json()] == [False]
    # The first working day of January, the timer's run: the whole month's, replacing it.
    due = cli("report", "send", "due", now="2027-01-04T17:30:00Z")
    assert due.code == 0, due.err
    assert f"Monthly dashboard of Civic Centre for 2026-12 queued for {LEADER} (email " in due.out
    assert f"the whole month's, replacing the one sent to date (email {first['id']})." in due.out
    assert deliver(cli.db, "2027-01-04T17:31:00Z").sent >= 1
    monthly = [m for m in smtp.mailbox.messages if m["Subject"].startswith("Monthly")]
    assert [m["Subject"] for m in monthly] == [
        "Monthly dashboard: Civic Centre, 2026-12, to date (to Tuesday 1 December 2026)",
        "Monthly dashboard: Civic Centre, 2026-12 "
        "(the whole month, replacing the dashboard sent to date)",
    ]
    to_date, whole = (m.get_content().replace("\r\n", "\n") for m in monthly)
    assert "to date" in to_date
    assert whole.split("\n")[0] == (
        "This is the whole month's dashboard: it replaces the one sent on Tue 01 Dec, which "
        "counted the month only to that day."
    )
    assert "December 2026" in whole and "to date" not in whole
    # Once only: the next runs, and the command by hand, find the whole month's queued.
    again = cli("report", "send", "due", "--json", now="2027-01-05T17:30:00Z")
    assert [q["queued"] for q in again.json()["reports"] if q["kind"] == "monthly"] == [False]
    by_hand = cli(
        "report", "send", "monthly", "--month", "2026-12", "--json", now="2027-01-06T09:00:00Z"
    )
    assert [(q["queued"], q["replaces"]) for q in by_hand.json()] == [(False, None)]
    assert rows(cli.db, "SELECT round, status FROM report_mails WHERE kind = 'monthly'") == [
        (1, "sent"),
        (2, "sent"),
    ]


def test_a_dashboard_sent_while_its_month_goes_on_says_to_date_in_its_subject(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trial's month end: the dashboard emailed on 22 December said "to date" in its first
    line but its subject read as the whole of December's. Its subject now ends as its heading
    does; a whole month's subject is as it was."""
    cli = Cli(office(tmp_path, smtp.url), monkeypatch)
    for month in ("2026-12", "2026-11"):
        sent = cli("report", "send", "monthly", "--month", month, now="2026-12-22T18:00:00Z")
        assert sent.code == 0, sent.err
    assert deliver(cli.db, "2026-12-22T18:01:00Z").sent == 2
    heads = {
        m["Subject"]: m.get_content().replace("\r\n", "\n").split("\n")[0]
        for m in smtp.mailbox.messages
    }
    to_date = "to date (to Tuesday 22 December 2026)"
    assert heads == {
        f"Monthly dashboard: Civic Centre, 2026-12, {to_date}": (
            f"Monthly dashboard: Civic Centre, December 2026, {to_date}"
        ),
        "Monthly dashboard: Civic Centre, 2026-11": (
            "Monthly dashboard: Civic Centre, November 2026"
        ),
    }


def test_a_whole_months_dashboard_sent_after_it_is_over_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)
    sent = cli(
        "report", "send", "monthly", "--month", "2026-11", "--json", now="2026-12-01T18:00:00Z"
    )
    assert [q["queued"] for q in sent.json()] == [True]
    due = cli("report", "send", "due", "--json", now="2026-12-02T17:30:00Z")
    assert [
        (q["queued"], q["replaces"]) for q in due.json()["reports"] if q["kind"] == "monthly"
    ] == [(False, None)]


def test_every_missed_evening_of_the_last_week_is_caught_up_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer ran on Friday 27 November, then not on Monday 30 November: its run on Tuesday
    1 December after closing sends Monday's and Tuesday's (before, only Tuesday's: Monday's was
    never sent, and nothing said so)."""
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)

    def due(now: str) -> list[str]:
        done = cli("report", "send", "due", "--json", now=now)
        assert done.code == 0, done.err
        return [q["period"] for q in done.json()["reports"] if q["kind"] == "daily" and q["queued"]]

    # The first run: the week so far (records begin on Monday 23 November).
    assert due("2026-11-27T17:30:00Z") == [
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-11-26",
        "2026-11-27",
    ]
    assert due("2026-12-01T18:00:00Z") == ["2026-11-30", "2026-12-01"]
    out = cli("report", "send", "due", now="2026-12-01T19:15:00Z")
    assert (out.code, out.out) == (0, "")  # once each
    assert rows(
        cli.db, "SELECT period FROM report_mails WHERE period >= '2026-11-30' ORDER BY id"
    ) == [("2026-11-30",), ("2026-12-01",)]


def test_a_missed_evening_older_than_a_week_is_not_caught_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)
    done = cli("report", "send", "due", "--json", now="2026-12-03T17:30:00Z")
    assert done.code == 0, done.err
    # Thursday 3 December: the last 7 days back to Thursday 26 November, not Monday 23rd.
    assert [q["period"] for q in done.json()["reports"] if q["kind"] == "daily"] == [
        "2026-11-26",
        "2026-11-27",
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
    ]


def test_a_report_queued_before_says_when_it_was_sent_in_local_time(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, smtp.url), monkeypatch)
    summer = "2027-06-14T17:30:00Z"  # Monday, 18:30 in London (BST): the office has closed
    assert cli("report", "send", "daily", "--date", "2027-06-14", now=summer).code == 0
    assert deliver(cli.db, summer).sent == 1
    again = cli("report", "send", "daily", "--date", "2027-06-14", now="2027-06-15T08:00:00Z")
    assert again.out == (
        f"Daily summary of Civic Centre for 2027-06-14 was already queued for {LEADER} "
        "(email 1, sent Mon 14 Jun 18:30); nothing queued.\n"
    )


def test_a_failed_report_found_queued_says_how_to_send_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, f"smtp://127.0.0.1:{free_port()}?starttls=off"), monkeypatch)
    evening = "2026-11-23T17:30:00Z"
    assert cli("report", "send", "daily", "--date", "2026-11-23", now=evening).code == 0
    assert deliver(cli.db, evening).retried == 1
    assert deliver(cli.db, "2026-11-24T18:00:00Z").failed == 1  # past messages.notice_hours
    again = cli("report", "send", "daily", "--date", "2026-11-23", now="2026-11-24T18:05:00Z")
    assert again.out == (
        f"Daily summary of Civic Centre for 2026-11-23 was already queued for {LEADER} "
        "(email 1, failed: send it again with --again); nothing queued.\n"
    )


def test_in_scotland_the_whole_month_follows_on_its_first_working_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monday 4 January 2027 is a Scottish bank holiday (2 January's substitute): the whole
    month's dashboard waits for Tuesday 5th, then replaces the one sent to date."""
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)
    config = tmp_path / "site.toml"
    config.write_text(
        config.read_text().replace(
            'name = "Civic Centre"\n', 'name = "Civic Centre"\nnation = "SCT"\n'
        )
    )
    scottish = {"OSS_DESK_CONFIG": str(config)}

    def monthly(*args: str, now: str) -> list[tuple[bool, object]]:
        done = cli("report", "send", *args, "--json", now=now, env=scottish)
        assert done.code == 0, done.err
        found = done.json()  # `due` lists the reports under "reports"
        found = found["reports"] if args[0] == "due" else found
        return [(q["queued"], q["replaces"]) for q in found if q["kind"] == "monthly"]

    assert monthly("monthly", "--month", "2026-12", now="2026-12-01T18:00:00Z") == [(True, None)]
    assert monthly("due", now="2027-01-04T17:30:00Z") == []
    assert monthly("due", now="2027-01-05T17:30:00Z") == [(True, 1)]


def test_the_monthly_defaults_are_said_alike_and_a_refusal_names_the_month_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trial's month end: `report monthly` showed this month to date and `report send monthly`
    sent the month before, and only one --help said its default; sent in the office's first
    month, the refusal named a `--month 2026-10` nobody typed. Each --help now says both
    defaults alike, and the refusal says which month was chosen and why."""
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)

    def said(*args: str) -> str:
        done = cli(*args, "--help")
        assert done.code == 0, done.err
        return " ".join(done.out.split())

    shown, sent = said("report", "monthly"), said("report", "send", "monthly")
    for text in (shown, sent):
        assert "this month, to date" in text
        assert "the month before" in text and "the last whole month" in text
    refused = cli("report", "send", "monthly", now="2026-11-23T17:30:00Z")
    assert refused.code == 2 and refused.err.count("\n") == 1, refused.err
    assert refused.err == (
        "oss-desk: The month before this one, the last whole month: 2026-10 is before this "
        "office's records begin (2026-11-23)\n"
    )
    typed = cli("report", "send", "monthly", "--month", "2026-10", now="2026-11-23T17:30:00Z")
    assert (
        typed.err
        == "oss-desk: --month 2026-10 is before this office's records begin (2026-11-23)\n"
    )
    # Each default, seen: the dashboard shows December to date; the one sent is November's.
    heading = cli("report", "monthly", now="2026-12-01T17:30:00Z").out.split("\n")[0]
    assert heading.endswith("December 2026, to date (to Tuesday 1 December 2026)")
    queued = cli("report", "send", "monthly", "--json", now="2026-12-01T17:30:00Z")
    assert [q["period"] for q in queued.json()] == ["2026-11"]


def test_working_days_older_than_the_week_caught_up_are_named_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer ran on Friday 27 November, then not until Tuesday 15 December: the week back
    to Tuesday 8 December is caught up, and the six working days before it with no summary are
    named, with the command that sends one, by the run and by doctor (before, they were dropped
    and nothing said so). None of them is sent by the timer. The run says it once per change
    (before, the hourly timer said the same line every hour), and its JSON gives the days."""
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)
    assert cli("report", "send", "due", now="2026-11-27T17:30:00Z").code == 0
    said = (
        "6 working days more than a week ago (from Mon 30 Nov to Mon 07 Dec) have no daily "
        "summary; `report send due` sends only the last week's: send one with "
        "`oss-desk report send daily --date 2026-11-30`"
    )
    done = cli("report", "send", "due", now="2026-12-15T17:30:00Z")
    assert done.code == 0, done.err
    assert done.out.splitlines()[-1] == said
    queued = rows(cli.db, "SELECT period FROM report_mails WHERE period > '2026-11-27'")
    assert [p for (p,) in queued] == [
        "2026-12-08",
        "2026-12-09",
        "2026-12-10",
        "2026-12-11",
        "2026-12-14",
        "2026-12-15",
    ]
    # Said once per change: the next hourly run, with nothing changed, says nothing (its
    # journal and the alerts read from it held the same line every hour); --verbose says it.
    quiet = cli("report", "send", "due", now="2026-12-15T18:15:00Z")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")
    verbose = cli("report", "send", "due", "--verbose", now="2026-12-15T18:20:00Z")
    assert verbose.out.splitlines()[-1] == said
    # The JSON says them at every run: the days, and the command that sends the first.
    again = cli("report", "send", "due", "--json", now="2026-12-15T18:30:00Z")
    assert (again.code, again.err) == (0, "")
    assert not any(q["queued"] for q in again.json()["reports"])
    assert again.json()["older_unsent"] == [
        {
            "site": "hq",
            "days": [
                "2026-11-30",
                "2026-12-01",
                "2026-12-02",
                "2026-12-03",
                "2026-12-04",
                "2026-12-07",
            ],
            "command": "oss-desk report send daily --date 2026-11-30",
            "line": said,
        }
    ]
    doctor = cli("doctor", now="2026-12-15T18:30:00Z")
    assert f"warn  daily summaries: {said}" in doctor.out.splitlines()
    # One sent by hand: a change, so the next run says the line that counts the rest, once.
    by_hand = cli("report", "send", "daily", "--date", "2026-11-30", now="2026-12-15T18:40:00Z")
    assert by_hand.code == 0, by_hand.err
    later = cli("report", "send", "due", now="2026-12-15T18:45:00Z")
    assert later.out.strip() == (
        "5 working days more than a week ago (from Tue 01 Dec to Mon 07 Dec) have no daily "
        "summary; `report send due` sends only the last week's: send one with "
        "`oss-desk report send daily --date 2026-12-01`"
    )
    assert cli("report", "send", "due", now="2026-12-15T19:15:00Z").out == ""
