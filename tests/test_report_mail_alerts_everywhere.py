"""A report email that failed for good wants the team leader's attention wherever alerts are
shown (trial 36): the leader's status line and A, ``doctor`` and the worker's summary, not only
``alerts list``; and it is settled once a later round of the same report to the same
recipient was sent (``report send ... --again``, delivered). Real SQLite files, the real
commands, the worker's report-email lane against a closed port, then a real (aiosmtpd) mail
server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import read_instant

from .conftest import Cli
from .messaging import SmtpServer, free_port
from .test_report_send import MONDAY_EVENING, deliver, office
from .test_unsure_alerts import doctor_line, leader_acknowledges, leader_sees, listed

NEXT_EVENING = "2026-11-24T19:00:00+00:00"  # past messages.notice_hours (24) after queueing


def failing_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, int]:
    """Monday's summary queued for a mail server nobody listens on, tried once (to retry)."""
    port = free_port()
    cli = Cli(office(tmp_path, f"smtp://127.0.0.1:{port}?starttls=off"), monkeypatch)
    assert cli("report", "send", "daily", "--date", "2026-11-23", now=MONDAY_EVENING).code == 0
    assert deliver(cli.db, MONDAY_EVENING).retried == 1
    return cli, port


def test_a_report_email_failed_for_good_shows_to_the_leader_in_doctor_and_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, _ = failing_summary(tmp_path, monkeypatch)
    assert leader_sees(cli.db, NEXT_EVENING) == []
    assert "none late or failed" in doctor_line(cli, NEXT_EVENING)
    # The worker's pass that gives it up says so, in words and in JSON.
    worker = cli("worker", "--once", now=NEXT_EVENING)
    assert worker.code == 0, worker.err
    assert "report emails sent 0, failed 1;" in worker.out, worker.out
    again = cli("worker", "--once", "--json", now=NEXT_EVENING)
    assert again.code == 0, again.err
    assert (again.json()["report_emails_sent"], again.json()["report_emails_failed"]) == (0, 0)
    # The team leader's status line, and doctor (which fails until it is seen to).
    assert leader_sees(cli.db, NEXT_EVENING) == ["1 report email failed", "1 not sent"]
    line = doctor_line(cli, NEXT_EVENING)
    assert line.split()[0] == "fail" and "1 report email failed" in line, line
    # The leader's A says it is seen to: gone everywhere.
    assert leader_acknowledges(cli.db, NEXT_EVENING) == 1
    assert leader_sees(cli.db, NEXT_EVENING) == []
    assert "none late or failed" in doctor_line(cli, NEXT_EVENING)
    assert listed(cli, NEXT_EVENING) == []


def test_a_failed_report_sent_again_and_delivered_is_no_longer_an_alert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, port = failing_summary(tmp_path, monkeypatch)
    assert deliver(cli.db, read_instant(MONDAY_EVENING) + timedelta(hours=25)).failed == 1
    [alert] = listed(cli, NEXT_EVENING)
    assert alert["period"] == "2026-11-23"
    server = SmtpServer(port)  # the mail server is back
    try:
        sent = cli("report", "send", "daily", "--date", "2026-11-23", "--again", now=NEXT_EVENING)
        assert sent.code == 0, sent.err
        # Queued, not sent yet: the failed one still wants attention.
        assert [a["id"] for a in listed(cli, NEXT_EVENING)] == [alert["id"]]
        assert deliver(cli.db, NEXT_EVENING).sent == 1
        assert len(server.mailbox.messages) == 1
    finally:
        server.stop()
    # Sent: the failed round is settled, everywhere.
    assert listed(cli, NEXT_EVENING) == []
    assert leader_sees(cli.db, NEXT_EVENING) == []
    assert "none late or failed" in doctor_line(cli, NEXT_EVENING)


def test_report_daily_lists_the_days_failed_report_emails_as_the_leader_and_doctor_say_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trial's month end: the leader's status line and doctor said "1 report email failed",
    and `report daily` said nothing of it. Today's summary now lists every one not seen to, in
    the same words; a past day's, its own summary's (Monday's, not Tuesday's)."""
    cli, _ = failing_summary(tmp_path, monkeypatch)
    assert deliver(cli.db, read_instant(MONDAY_EVENING) + timedelta(hours=25)).failed == 1
    now = "2026-11-25T19:00:00+00:00"  # Wednesday, after closing

    def listed_under_summary(*args: str) -> list[str]:
        done = cli("--user", "tl", "report", "daily", *args, now=now)
        assert done.code == 0, done.err
        _, found, below = done.out.partition("\n  Messages not delivered (until acknowledged")
        return [line.strip() for line in below.splitlines()[1:]] if found else []

    [said, _] = leader_sees(cli.db, now)
    assert said == "1 report email failed" and said in doctor_line(cli, now)
    assert listed_under_summary() == [said]
    assert listed_under_summary("--date", "2026-11-23") == [said]
    assert listed_under_summary("--date", "2026-11-24") == []
    assert leader_acknowledges(cli.db, now) == 1
    assert listed_under_summary() == []
