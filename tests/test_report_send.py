"""Reports that arrive by themselves (`oss-desk report send`): the daily summary reaches a real
(aiosmtpd) mail server through the outbox and the device worker with the figures `report daily`
prints; a report is queued once however often the command runs; a mail server down then back
gets it exactly once; the monthly dashboard waits for the first working day of the office's
nation; bad input is one line and a documented exit status."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock, read_instant
from oss_desk.services.session import open_session
from oss_desk.worker.report_mail import ReportMailDelivery, ReportMailReport

from .conftest import Cli, make_db, rows, run_cli_process, site_toml
from .messaging import SmtpServer, free_port

LEADER = "team.leader@council.example"
ADVISER = '\n[[staff]]\nid = "ben"\nname = "Benedict Quuxworth"\n'
MONDAY_EVENING = "2026-11-23T17:30:00Z"  # the office (09:00-17:00, GMT) has closed


def office(
    tmp_path: Path,
    smtp_url: str | None,
    *,
    leader_email: bool = True,
    extra: str = "",
    opening_hours: str | None = None,
) -> Path:
    mail = f'\n[email]\nsmtp_url = "{smtp_url}"\n' if smtp_url else ""
    toml = site_toml(extra=ADVISER + extra + mail)
    if opening_hours is not None:
        site = 'name = "Civic Centre"\n'
        toml = toml.replace(site, f"{site}opening_hours = {opening_hours}\n")
    if leader_email:
        toml = toml.replace('role = "team-leader"\n', f'role = "team-leader"\nemail = "{LEADER}"\n')
    return make_db(tmp_path, toml)


def deliver(db: Path, when: str | datetime) -> ReportMailReport:
    """One pass of the worker's report-email lane at ``when`` (simulated time)."""
    instant = read_instant(when) if isinstance(when, str) else when
    session = open_session(db=db, clock=FixedClock(instant), person="worker", host=True)
    try:
        return ReportMailDelivery(session).deliver_due()
    finally:
        session.close()


def a_day(cli: Cli) -> None:
    """Monday 23 November: three walk-ins, two served at desk-1 by Ben, one left waiting."""
    for n, (service, at) in enumerate((("C", "09:05"), ("B", "09:20"), ("C", "10:00"))):
        issued = cli("ticket", "issue", "--service", service, "--json", now=f"2026-11-23T{at}:00Z")
        assert issued.code == 0, issued.err
        if n < 2:
            called = cli(
                "--user",
                "ben",
                "ticket",
                "call-next",
                "--desk",
                "desk-1",
                "--json",
                now=f"2026-11-23T{at[:3]}{int(at[3:]) + 7:02d}:00Z",
            )
            assert called.code == 0, called.err
            code = called.json()["code"]
            done = cli(
                "--user",
                "ben",
                "ticket",
                "finish",
                code,
                "--outcome",
                "resolved",
                now=f"2026-11-23T{at[:3]}{int(at[3:]) + 9:02d}:00Z",
            )
            assert done.code == 0, done.err


def without_advisers(text: str) -> str:
    """`report daily`'s text without the advisers' block (the email names no person)."""
    lines = text.rstrip("\n").split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Advisers"))
    end = start + 1
    while end < len(lines) and lines[end].strip():
        end += 1
    return "\n".join(lines[: start - 1] + lines[end:])


@pytest.fixture
def smtp() -> Any:
    server = SmtpServer()
    yield server
    server.stop()


def test_the_daily_summary_arrives_with_the_figures_of_report_daily(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = office(tmp_path, smtp.url)
    cli = Cli(db, monkeypatch)
    a_day(cli)
    sent = cli("--user", "tl", "report", "send", "daily", "--json", now=MONDAY_EVENING)
    assert sent.code == 0, sent.err
    [queued] = sent.json()
    assert (queued["kind"], queued["period"], queued["to"], queued["queued"]) == (
        "daily",
        "2026-11-23",
        LEADER,
        True,
    )
    assert queued["status"] == "pending" and queued["sent_at"] is None  # not sent: queued
    assert smtp.mailbox.messages == []
    assert deliver(db, MONDAY_EVENING).sent == 1
    [mail] = smtp.mailbox.messages
    assert mail["To"] == LEADER
    # The office by its name, as the README's example (it named the council), from the
    # council by name, as the emails to residents are (it came from a bare address).
    assert mail["Subject"] == "Daily summary: Civic Centre, 2026-11-23"
    assert mail["From"] == "Test Council <oss-desk@localhost>", mail["From"]
    body = mail.get_content().replace("\r\n", "\n").rstrip("\n")
    printed = cli("report", "daily", "--date", "2026-11-23", now=MONDAY_EVENING)
    assert printed.code == 0, printed.err
    assert "Quuxworth" in printed.out  # `report daily` names the adviser...
    assert body == without_advisers(printed.out)  # ...the email has every other line of it
    assert "Quuxworth" not in body
    # The figures of the day, worked by hand: 3 arrivals, 2 served within 15 minutes (7 min
    # waits), the third still waiting at closing (closed as 'office closed': a miss): 2 of 3.
    assert re.search(r"\n  Visits \(arrivals\) +3\n", body), body
    assert "66.7%   (2 of 3 counted)" in body
    row = rows(db, "SELECT status, sent_at, provider_id, queued_by FROM report_mails")
    assert row == [("sent", "2026-11-23T17:30:00.000Z", str(mail["Message-ID"]), "tl")]


def test_sending_twice_queues_once_unless_again(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = office(tmp_path, smtp.url)
    cli = Cli(db, monkeypatch)
    first = cli("report", "send", "daily", "--date", "2026-11-23", now=MONDAY_EVENING)
    assert first.code == 0 and "queued for" in first.out
    again = cli("report", "send", "daily", "--date", "2026-11-23", "--json", now=MONDAY_EVENING)
    assert again.code == 0 and again.json()[0]["queued"] is False
    deliver(db, MONDAY_EVENING)
    after = cli("report", "send", "daily", "--date", "2026-11-23", now=MONDAY_EVENING)
    assert after.out == (
        f"Daily summary of Civic Centre for 2026-11-23 was already queued for {LEADER} "
        "(email 1, sent Mon 23 Nov 17:30); nothing queued.\n"
    )
    deliver(db, MONDAY_EVENING)
    assert len(smtp.mailbox.messages) == 1
    more = cli(
        "report", "send", "daily", "--date", "2026-11-23", "--again", "--json", now=MONDAY_EVENING
    )
    assert more.json()[0]["round"] == 2 and more.json()[0]["queued"] is True
    deliver(db, MONDAY_EVENING)
    assert len(smtp.mailbox.messages) == 2
    assert rows(db, "SELECT round, status FROM report_mails ORDER BY id") == [
        (1, "sent"),
        (2, "sent"),
    ]


def test_a_mail_outage_then_recovery_delivers_it_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    db = office(tmp_path, f"smtp://127.0.0.1:{port}?starttls=off")
    cli = Cli(db, monkeypatch)
    assert cli("report", "send", "daily", "--date", "2026-11-23", now=MONDAY_EVENING).code == 0
    start = read_instant(MONDAY_EVENING)
    tries = 0
    for minute in range(30):  # nobody listens: refused, again and again, never given up
        report = deliver(db, start + timedelta(minutes=minute))
        assert (report.sent, report.failed) == (0, 0)
        tries += report.retried
    assert tries >= 5
    [(status, sent_at, error)] = rows(db, "SELECT status, sent_at, last_error FROM report_mails")
    assert (status, sent_at) == ("pending", None) and "cannot reach the mail server" in error
    server = SmtpServer(port)  # the mail server is back
    try:
        sent = sum(deliver(db, start + timedelta(minutes=m)).sent for m in range(30, 40))
        assert sent == 1
        assert deliver(db, start + timedelta(hours=3)).sent == 0
        ids = Counter(str(m["Message-ID"]) for m in server.mailbox.messages)
        assert list(ids.values()) == [1]
        assert rows(db, "SELECT status, last_error FROM report_mails") == [("sent", None)]
    finally:
        server.stop()


@pytest.mark.parametrize(("nation", "first_day"), [("ENG", "2027-01-04"), ("SCT", "2027-01-05")])
def test_the_monthly_dashboard_waits_for_the_first_working_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nation: str, first_day: str
) -> None:
    """New Year's Day 2027 is a Friday: England's first working day of January is Monday 4th;
    Scotland's is Tuesday 5th (2 January, a Saturday, is made up on the Monday)."""
    db = office(tmp_path, "smtp://127.0.0.1:1?starttls=off")
    config = tmp_path / "site.toml"
    config.write_text(
        config.read_text().replace(
            'name = "Civic Centre"\n', f'name = "Civic Centre"\nnation = "{nation}"\n'
        )
    )
    cli = Cli(db, monkeypatch)

    def due(when: str) -> list[tuple[str, str, bool]]:
        done = cli(
            "report", "send", "due", "--json", now=when, env={"OSS_DESK_CONFIG": str(config)}
        )
        assert done.code == 0, done.err
        return [(q["kind"], q["period"], q["queued"]) for q in done.json()["reports"]]

    # 1 January after closing: not a working day, so the summaries of the working days of
    # the week before that were never sent (29 to 31 December, caught up; 28 December was a
    # bank holiday), and no dashboard yet.
    assert due("2027-01-01T18:00:00Z") == [
        ("daily", "2026-12-29", True),
        ("daily", "2026-12-30", True),
        ("daily", "2026-12-31", True),
    ]
    monday = due("2027-01-04T17:30:00Z")
    if nation == "ENG":
        assert monday == [("daily", "2027-01-04", True), ("monthly", "2026-12", True)]
    else:  # a Scottish bank holiday: the last working day's summary was queued already
        assert monday == [("daily", "2026-12-31", False)]
    tuesday = due("2027-01-05T17:30:00Z")
    assert ("monthly", "2026-12", first_day == "2027-01-05") in tuesday
    assert rows(db, "SELECT count(*) FROM report_mails WHERE kind = 'monthly'") == [(1,)]
    days = rows(db, "SELECT period FROM report_mails WHERE kind = 'daily' ORDER BY id")
    holiday = [] if nation == "SCT" else [("2027-01-04",)]
    caught_up = [("2026-12-29",), ("2026-12-30",), ("2026-12-31",)]
    assert days == [*caught_up, *holiday, ("2027-01-05",)]


@pytest.mark.parametrize(
    ("now", "said"),
    [
        ("2026-11-23T15:00:00Z", "is still open today: it closes at 17:00; its summary is sent"),
        (
            "2026-11-23T08:20:00Z",  # Monday, before it opens: never "still open"
            "today is not over yet at Civic Centre: it opens at 09:00 and closes at 17:00; its "
            "summary is sent",
        ),
    ],
)
def test_today_before_closing_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, said: str
) -> None:
    db = office(tmp_path, "smtp://127.0.0.1:1?starttls=off")
    done = Cli(db, monkeypatch)("report", "send", "daily", now=now)
    assert done.code == 6
    assert done.err.count("\n") == 1 and said in done.err, done.err
    assert "after closing (or give an earlier day)" in done.err, done.err
    assert rows(db, "SELECT count(*) FROM report_mails") == [(0,)]


def test_a_day_closed_by_hand_is_sent_before_its_closing_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The team leader closes the day at 15:40 (the office shut early): the day is over, so
    `report send daily` queues its summary at 16:00, saying why it went before closing time,
    where it said "still open today" and queued nothing. Reopened, the day waits again."""
    db = office(tmp_path, "smtp://127.0.0.1:1?starttls=off")
    cli = Cli(db, monkeypatch)
    a_day(cli)
    closed = cli("--user", "tl", "desks", "close-day", "--yes", now="2026-11-23T15:40:00Z")
    assert closed.code == 0, closed.err
    sent = cli("--user", "tl", "report", "send", "daily", now="2026-11-23T16:00:00Z")
    assert sent.code == 0, sent.err
    assert sent.out.count("\n") == 1, sent.out
    assert "Daily summary of Civic Centre for 2026-11-23 queued for" in sent.out
    assert sent.out.rstrip().endswith(
        "The day was closed by hand (by Team Leader at 15:40): its summary is sent now, "
        "before closing time."
    ), sent.out
    assert rows(db, "SELECT kind, period FROM report_mails") == [("daily", "2026-11-23")]
    # The email says it is early, first, in its subject and body: it read as the whole day's.
    ((subject, body),) = rows(db, "SELECT subject, body FROM report_mails")
    assert subject == "Daily summary: Civic Centre, 2026-11-23, to 15:40 (day closed early)"
    assert str(body).split("\n")[0] == (
        "The day was closed early, by hand, at 15:40 (closing time 17:00): this summary covers "
        "the day to 15:40 only."
    ), body
    assert "Team Leader" not in str(body)  # a report email names no person
    again = cli("--user", "tl", "report", "send", "daily", "--json", now="2026-11-23T16:01:00Z")
    assert again.code == 0, again.err
    [queued] = again.json()
    assert queued["queued"] is False and "closed by hand" in queued["closed_early"]
    reopened = cli("--user", "tl", "desks", "reopen-day", now="2026-11-23T16:05:00Z")
    assert reopened.code == 0, reopened.err
    waits = cli("--user", "tl", "report", "send", "daily", now="2026-11-23T16:10:00Z")
    assert waits.code == 6 and "still open today" in waits.err


@pytest.mark.parametrize(
    ("now", "why"),
    [
        ("2026-11-22T12:00:00Z", "a Sunday: a day of the week without opening hours"),
        ("2026-12-25T12:00:00Z", "Christmas Day: a bank holiday on an opening weekday"),
        ("2026-11-24T12:00:00Z", "a Tuesday at a site that opens only on Mondays"),
    ],
)
def test_today_is_sent_at_once_on_a_day_the_office_does_not_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, why: str
) -> None:
    """A closed day is never "still open": its summary is queued the same way, whether the
    day has no hours of the week or is a bank holiday (one rule)."""
    hours = '{ mon = "09:00-17:00" }' if "Mondays" in why else None
    db = office(tmp_path, "smtp://127.0.0.1:1?starttls=off", opening_hours=hours)
    done = Cli(db, monkeypatch)("report", "send", "daily", "--json", now=now)
    assert done.code == 0, (why, done.err)
    assert "still open" not in done.err
    assert [(q["kind"], q["period"]) for q in done.json()] == [("daily", now[:10])]


@pytest.mark.parametrize(
    ("args", "leader_email", "smtp_url", "code", "says"),
    [
        (("daily", "--date", "2026-11-32"), True, "smtp://127.0.0.1:1", 2, "is not a date"),
        (("monthly", "--month", "2026-13"), True, "smtp://127.0.0.1:1", 2, "is not a month"),
        (("daily", "--date", "2026-11-23"), False, "smtp://127.0.0.1:1", 3, "no one to send"),
        (("due",), False, "smtp://127.0.0.1:1", 3, "no one to send reports to"),
        (("daily", "--date", "2026-11-23"), True, None, 3, "no mail server"),
    ],
)
def test_bad_input_is_one_line_and_a_documented_exit_status(
    tmp_path: Path,
    args: tuple[str, ...],
    leader_email: bool,
    smtp_url: str | None,
    code: int,
    says: str,
) -> None:
    db = office(tmp_path, smtp_url, leader_email=leader_email)
    done = run_cli_process(
        "report", "send", *args, env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": MONDAY_EVENING}
    )
    assert done.returncode == code, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("oss-desk: ")
    assert says in done.stderr and "Traceback" not in done.stderr
    assert rows(db, "SELECT count(*) FROM report_mails") == [(0,)]


def test_send_to_overrides_the_team_leader(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = office(tmp_path, smtp.url, extra='\n[reports]\nsend_to = ["a@x.example", "b@x.example"]\n')
    done = Cli(db, monkeypatch)(
        "report", "send", "monthly", "--month", "2026-11", "--json", now=MONDAY_EVENING
    )
    assert [q["to"] for q in done.json()] == ["a@x.example", "b@x.example"]
    # The device worker, in a process of its own, sends them (the same outbox lane it runs).
    worker = run_cli_process(
        "worker", "--once", "--json", env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": MONDAY_EVENING}
    )
    assert worker.returncode == 0, worker.stderr
    assert json.loads(worker.stdout)["report_emails_sent"] == 2
    assert sorted(str(m["To"]) for m in smtp.mailbox.messages) == ["a@x.example", "b@x.example"]
    assert all("Monthly dashboard" in str(m["Subject"]) for m in smtp.mailbox.messages)
    assert deliver(db, MONDAY_EVENING).sent == 0


def test_a_worker_gone_mid_send_leaves_it_to_the_next_owner(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two earlier owners died mid-send: one before the hand-over (certainly not accepted: sent
    now), one after it (it may have been accepted: sent once more at most, with the same
    Message-ID, so the mail system can drop a duplicate)."""
    from oss_desk.storage import outbox as o
    from oss_desk.storage.hand_over import hand_over

    db = office(tmp_path, smtp.url)
    cli = Cli(db, monkeypatch)
    for args in (("daily", "--date", "2026-11-23"), ("monthly", "--month", "2026-11")):
        assert cli("report", "send", *args, now=MONDAY_EVENING).code == 0
    session = open_session(db=db, clock=FixedClock(read_instant(MONDAY_EVENING)), person="w")
    try:
        with session.store.write() as conn:
            first, second = (
                o.claim(conn, o.REPORT_MAILS, owner=name, now="2026-11-23T17:30:00.000Z")[0]
                for name in ("gone-1", "gone-2")
            )
            hand_over(
                conn,
                second["id"],
                owner="gone-2",
                now="2026-11-23T17:30:01.000Z",
                box=o.REPORT_MAILS,
            )
        assert deliver(db, MONDAY_EVENING).sent == 0  # both are 'sending': nothing due
        adopted = ReportMailDelivery(session).recover()
    finally:
        session.close()
    assert adopted == 2
    assert deliver(db, "2026-11-23T17:45:00Z").sent == 2
    by_id = {r[0]: r[1:] for r in rows(db, "SELECT id, status, unconfirmed FROM report_mails")}
    assert by_id[first["id"]] == ("sent", 0)
    assert by_id[second["id"]] == ("sent", 1)  # sent again once; its first send unconfirmed
    ids = Counter(str(m["Message-ID"]) for m in smtp.mailbox.messages)
    assert sorted(ids.values()) == [1, 1]


def test_the_running_worker_starts_its_report_email_lane_with_the_first_report_queued(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No thread nor database connection is held for report emails until one is queued; the
    running worker then starts the lane, and the summary arrives."""
    import threading
    import time

    from oss_desk.worker.run import DeviceWorker

    db = office(tmp_path, smtp.url)
    cli = Cli(db, monkeypatch)
    a_day(cli)
    clock = FixedClock(read_instant(MONDAY_EVENING))
    worker = DeviceWorker(lambda: open_session(db=db, clock=clock, person="worker"))
    worker.start()
    try:
        time.sleep(0.3)  # its lanes are running
        names = {t.name for t in threading.enumerate()}
        assert "oss-desk-changes" in names and "oss-desk-report-emails" not in names
        sent = cli("--user", "tl", "report", "send", "daily", now=MONDAY_EVENING)
        assert sent.code == 0, sent.err
        deadline = time.monotonic() + 30
        while not smtp.mailbox.messages:
            assert time.monotonic() < deadline, "the summary was never sent"
            time.sleep(0.02)
        assert "oss-desk-report-emails" in {t.name for t in threading.enumerate()}
        assert smtp.mailbox.messages[0]["Subject"] == "Daily summary: Civic Centre, 2026-11-23"
    finally:
        worker.join()
