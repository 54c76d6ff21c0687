"""A report email that failed for good is an alert (`oss-desk alerts`), like a resident's
message that failed: listed until someone acknowledges it, then gone everywhere."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import read_instant

from .conftest import Cli, make_db, rows
from .messaging import free_port
from .test_report_send import MONDAY_EVENING, deliver, office
from .test_report_send_due import TWO_SITES


def test_a_report_email_failed_for_good_is_an_alert_until_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()  # nobody ever listens there
    db = office(tmp_path, f"smtp://127.0.0.1:{port}?starttls=off")
    cli = Cli(db, monkeypatch)
    assert cli("report", "send", "daily", "--date", "2026-11-23", now=MONDAY_EVENING).code == 0
    start = read_instant(MONDAY_EVENING)
    assert deliver(db, start).retried == 1
    later = "2026-11-23T18:00:00Z"
    assert cli("alerts", "list", "--json", now=later).json() == []  # retried: not failed yet
    report = deliver(db, start + timedelta(hours=25))  # past messages.notice_hours (24)
    assert report.failed == 1
    [(mail_id, status)] = rows(db, "SELECT id, status FROM report_mails")
    assert status == "failed"

    now = "2026-11-24T19:00:00Z"
    listed = cli("alerts", "list", "--json", now=now).json()
    assert [(a["id"], a["alert"], a["kind"], a["period"]) for a in listed] == [
        (f"r{mail_id}", "failed", "daily_report", "2026-11-23")
    ]
    assert "team.leader" not in str(listed)  # the recipient is not shown
    text = cli("alerts", "list", now=now)
    assert text.code == 0 and f"r{mail_id}" in text.out and "daily report email" in text.out
    assert "2026-11-23" in text.out and "failed" in text.out

    wrong = cli("alerts", "ack", f"r{mail_id + 1}", now=now)
    assert (
        wrong.code == 5 and wrong.err.count("\n") == 1 and f"no alert r{mail_id + 1}" in wrong.err
    )
    hint = wrong.err.split("`")[1].split()  # the command it points to lists the alerts
    assert hint[0] == "oss-desk" and cli(*hint[1:], now=now).out == text.out
    bad = cli("alerts", "ack", "rx", now=now)
    assert bad.code == 2 and "Traceback" not in bad.err
    acked = cli("alerts", "ack", f"r{mail_id}", "--json", now=now)
    assert acked.code == 0 and acked.json() == {"acknowledged": 1}
    assert cli("alerts", "list", "--json", now=now).json() == []
    assert rows(db, "SELECT acknowledged_by IS NOT NULL FROM report_mails") == [(1,)]


LATER = "2026-11-23T17:45:00Z"  # Monday, after closing


def failed_for_good(cli: Cli, *send: str) -> None:
    """Monday's summary queued (``send``: ``report send``'s options), tried and given up."""
    for args in send:
        queued = cli("report", "send", "daily", "--date", "2026-11-23", *args.split(), now=LATER)
        assert queued.code == 0, queued.err
    start = read_instant(LATER)
    assert deliver(cli.db, start).retried == len(send)
    assert deliver(cli.db, start + timedelta(hours=25)).failed == len(send)


def test_a_failed_report_email_names_its_site_not_every_office_at_an_office_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trial: at an office of one site, the alert said "(every office)". It names the site, as
    the email's subject does; at an office of several, a report of them all is every office's
    and one site's report names that site."""
    one = Cli(office(tmp_path, f"smtp://127.0.0.1:{free_port()}?starttls=off"), monkeypatch)
    failed_for_good(one, "")
    [line] = one("alerts", "list", now="2026-11-24T19:00:00Z").out.splitlines()
    assert line.split(None, 1)[1].startswith(
        "daily report email for 2026-11-23 (Civic Centre) failed: "
    )
    (tmp_path / "two").mkdir()
    two = Cli(make_db(tmp_path / "two", TWO_SITES), monkeypatch)
    failed_for_good(two, "", "--site library")
    lines = two("alerts", "list", now="2026-11-24T19:00:00Z").out.splitlines()
    assert [line.split(" failed: ")[0].split(None, 1)[1] for line in lines] == [
        "daily report email for 2026-11-23 (every office)",
        "daily report email for 2026-11-23 (Library One Stop Shop)",
    ]
    # Each line names the command that sends it again, and that command queues it once more.
    agains = [line.rsplit("(to send it again: ", 1)[1].rstrip(")") for line in lines]
    assert agains == [
        "oss-desk report send daily --date 2026-11-23 --again",
        "oss-desk report send daily --date 2026-11-23 --site library --again",
    ]
    for again in agains:
        queued = two(*again.split()[1:], "--json", now="2026-11-24T19:00:00Z")
        assert queued.code == 0, queued.err
    assert rows(two.db, "SELECT count(*) FROM report_mails WHERE status = 'pending'") == [(2,)]
