"""What a new team leader meets in the demo: three weeks of an office that is busy (Mondays
busiest) but staffed for it, so its figures look like a working office's; appointments kept on
time, a few late and a few missed, so the appointment standards have real figures; and report
emails and follow-up texts that work, landing in the demo's mailbox and phone."""

from __future__ import annotations

import mailbox
import shutil
import sqlite3
import statistics
from contextlib import closing
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli, rows

NOW = "2026-12-21T11:00:00Z"  # a Monday: the history is 23 November to 18 December
TEAM_LEADER = "amina@demo-borough.example"
SENDER = "one-stop-shop@demo-borough.example"


def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, days: int) -> Cli:
    cli = Cli(tmp_path / "demo" / "oss-desk-demo.sqlite", monkeypatch)
    built = cli("--db", str(cli.db), "demo", "--no-app", "--days", str(days), now=now)
    assert built.code == 0, built.err
    return cli


@pytest.fixture(scope="module")
def four_weeks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo folder as `oss-desk demo --no-app` builds it at NOW with its default history
    (the four weeks before): built once for the two tests that read it (a build takes 20-50 s),
    each of which reads a copy of its own."""
    folder = tmp_path_factory.mktemp("four-weeks") / "demo"
    with pytest.MonkeyPatch.context() as monkeypatch:
        cli = Cli(folder / "oss-desk-demo.sqlite", monkeypatch)
        built = cli("--db", str(cli.db), "demo", "--no-app", now=NOW)
    assert built.code == 0, built.err
    return folder


def copy_of(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    shutil.copytree(folder, tmp_path / "demo")
    return Cli(tmp_path / "demo" / "oss-desk-demo.sqlite", monkeypatch)


def test_the_demo_month_is_busy_but_served_and_keeps_appointments(
    four_weeks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every day of the history, by the daily report: no median wait over 20 minutes (before,
    each Monday was a collapse: 61 minutes on 7 December, 49.5 on 30 November), Mondays the
    busiest; December by its dashboard: seen within 15 minutes between 75% and 95%, and
    appointments kept (on time and late) and missed. A past day's appointments are listed; none
    is left booked; every message went in time (no alert)."""
    cli = copy_of(four_weeks, tmp_path, monkeypatch)
    days = [d for (d,) in rows(cli.db, "SELECT DISTINCT business_day FROM visits ORDER BY 1")]
    past = [d for d in days if d < NOW[:10]]
    assert len(past) == 20
    daily: dict[str, dict[str, Any]] = {}
    for day in past:
        report = cli("report", "daily", "--date", day, "--json", now=NOW)
        assert report.code == 0, report.err
        daily[day] = report.json()
    medians = {day: r["wait_median_minutes"] for day, r in daily.items()}
    assert max(medians.values()) <= 20, medians
    arrivals = {day: r["visits"] for day, r in daily.items()}
    mondays = [n for day, n in arrivals.items() if date.fromisoformat(day).weekday() == 0]
    others = [n for day, n in arrivals.items() if date.fromisoformat(day).weekday() != 0]
    assert statistics.mean(mondays) > 1.15 * statistics.mean(others), arrivals
    assert sum(r["appointments_checked_in_late"] for r in daily.values()) > 0
    assert sum(r["appointments_seen_on_time"] for r in daily.values()) > 5 * len(past)

    month = cli("report", "monthly", "--month", "2026-12", "--json", now=NOW).json()
    assert 75 <= month["within_15_min_pct"] <= 95, month["within_15_min_pct"]
    assert month["appointments_kept"] > 5 * len(past)
    assert month["appointments_no_show"] > 0
    assert month["appointments_kept"] > 10 * month["appointments_no_show"]
    standards = {s["key"]: s for s in month["standards"]}
    assert standards["appointment_punctuality"]["value"] is not None

    listed = cli("appointment", "list", "--date", past[-1], now=NOW)
    assert listed.code == 0 and "[seen]" in listed.out, listed.out
    left = "SELECT count(*) FROM appointments WHERE status = 'booked' AND starts_at < ?"
    assert rows(cli.db, left, NOW.replace("Z", ".000Z")) == [(0,)]
    alerts = cli("alerts", "list", now=NOW)
    assert alerts.out.startswith("No alerts"), alerts.out


def test_the_demo_sends_report_emails_and_follow_up_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's team leader has an email, and its phone page has an address: `report send`
    and a follow-up text work, and land in the demo's mailbox and phone (its folder); a
    referral's email comes from the office's sender, not an appointments address."""
    now = "2026-11-27T11:00:00Z"
    cli = build(tmp_path, monkeypatch, now, 1)
    folder = cli.db.parent
    sent = cli("report", "send", "daily", "--date", "2026-11-26", now=now)
    assert sent.code == 0, sent.err
    assert TEAM_LEADER in sent.out
    referral = cli(
        *("--user", "ben", "followup", "add", "--kind", "referral", "--back-office", "waste"),
        *("--service", "W", "--send-by", "email", "--email", "a@b.example"),
        now=now,
    )
    assert referral.code == 0, referral.err
    issued = cli(
        *("ticket", "issue", "--service", "W", "--desk", "greet-1", "--no-print"),
        *("--mobile", "07700900555", "--feedback-text", "--json"),
        now=now,
    )
    assert issued.code == 0, issued.err
    ours = issued.json()["code"]
    at_desk = "SELECT id FROM tickets WHERE desk_id = 'desk-1' AND status IN ('called', 'serving')"
    for (busy,) in rows(cli.db, at_desk):  # the demo's Ben is busy now: he finishes first
        done = cli("--user", "ben", "ticket", "finish", str(busy), "--outcome", "resolved", now=now)
        assert done.code == 0, done.err
    for _ in range(40):  # Desk 1 serves the queue until it reaches our resident
        called = cli("--user", "ben", "ticket", "call-next", "--desk", "desk-1", "--json", now=now)
        assert called.code == 0, called.err
        code = called.json()["code"]
        done = cli("--user", "ben", "ticket", "finish", code, "--outcome", "resolved", now=now)
        assert done.code == 0, done.err
        if code == ours:
            break
    else:
        raise AssertionError(f"{ours} was never called")
    worker = cli("worker", "--once", now="2026-11-27T14:00:00Z")  # its round, in-process
    assert worker.code == 0, worker.err
    mails = list(mailbox.mbox(folder / "mailbox.mbox"))
    summary = [m for m in mails if str(m["Subject"]).startswith("Daily summary")]
    assert [m["To"] for m in summary] == [TEAM_LEADER]
    [referred] = [m for m in mails if str(m["Subject"]).startswith("Your referral")]
    assert referred["To"] == "a@b.example"
    assert {parseaddr(str(m["From"]))[1] for m in mails} == {SENDER}
    assert referred["From"] == f"Demo Borough Council <{SENDER}>"  # a resident's: the name
    texts = (folder / "texts.txt").read_text(encoding="utf-8")
    assert "How did we do at Town Hall One Stop Shop today?" in texts
    assert "http://127.0.0.1:8100/r/" in texts


def test_the_demos_history_covers_the_weeks_its_reports_compare(
    four_weeks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default the demo's history reaches back over the weeks the daily report (and F6's
    "this weekday, the last 4 weeks") compares a day with: each of them is a day of the demo's
    office with its visits, never a day before its history began shown as an empty one (it
    was: the fourth week back shown as `0  0  0  n/a`)."""
    cli = copy_of(four_weeks, tmp_path, monkeypatch)
    report = cli("report", "daily", "--json", now=NOW)
    assert report.code == 0, report.err
    weeks = report.json()["previous_weeks"]
    assert [w["date"] for w in weeks] == ["2026-12-14", "2026-12-07", "2026-11-30", "2026-11-23"]
    assert all(w["recorded"] and w["visits"] > 50 for w in weeks), weeks
    # Its records begin on one day, its first of visits: no booking, follow-up or complaint
    # before it (they made October a month of records with no visits in it).
    assert report.json()["records_begin"] == "2026-11-23"
    october = cli("report", "monthly", "--month", "2026-10", now=NOW)
    assert october.code == 2 and "records begin (2026-11-23)" in october.err
    with closing(sqlite3.connect(cli.db)) as conn:
        kinds = conn.execute(
            "SELECT kind FROM events WHERE business_day < '2026-11-23' GROUP BY kind"
        ).fetchall()
    assert kinds == []
