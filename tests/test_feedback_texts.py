"""The follow-up text asking how a visit went (issue 15, item 4), against a local GOV.UK Notify
(a real loopback HTTP server speaking Notify's API, tests/messaging.py), sent by the real device
worker on a real SQLite file.

Consent off: nothing. Consent on: exactly one text, after the finish and not before, in the
office's languages, naming nobody (text and reference); none when the visit was rated at the
desk; sent once through an outage and through a Notify timeout (looked up, not repeated); the
number purged on the retention schedule; bad input on the command line is one line and a
documented exit code.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.feedback_texts import answer_open, text_due
from oss_desk.errors import RuleViolation
from oss_desk.services.dbops import RetentionService
from oss_desk.services.feedback_texts import FeedbackTexts
from oss_desk.services.queue import QueueService
from oss_desk.services.ratings import Ratings
from oss_desk.services.session import Session, open_session
from oss_desk.worker.run import DeviceWorker

from .conftest import Cli, make_db, rows, site_toml
from .messaging import API_KEY, NotifyServer

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, 09:00 in London
ANN = "07700 900001"
BOB = "07700 900002"
PUBLIC = "https://queue.example.gov.uk"
REFERENCE = re.compile(r"oss-f-[0-9a-f]{16}")


def e164(phone: str) -> str:
    return "+44" + phone.replace(" ", "")[1:]


def office_toml(
    notify: NotifyServer, tmp_path: Path, *, welsh: bool = False, extra: str = ""
) -> str:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    settings = (
        f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
        'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
        f'[screen]\npublic_url = "{PUBLIC}"\n' + extra
    )
    toml = site_toml(desks=2, extra=settings)
    if welsh:
        toml = toml.replace('name = "Civic Centre"\n', 'name = "Civic Centre"\nnation = "WLS"\n')
        toml = toml.replace(
            'name = "Test Council"\n', 'name = "Test Council"\nname_cy = "Cyngor Prawf"\n'
        )
    return toml


class Day:
    """The office on a fixed clock: meet-and-greet, a desk, and the device worker."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.clock = FixedClock(START)
        self.session: Session = open_session(
            db=db, clock=self.clock, person="tl", desk_id="greet-1"
        )
        self.queue = QueueService(self.session)
        self.texts = FeedbackTexts(self.session)

    def at(self, minutes: float) -> None:
        self.clock.set(START + timedelta(minutes=minutes))

    def visit(self, phone: str | None = None, *, finish: bool = True) -> tuple[str, int]:
        """A resident issued a ticket (consenting with ``phone``), called and finished."""
        ticket = self.queue.issue("C", print_ticket=False).ticket
        if phone is not None:
            self.texts.consent(ticket.code, phone)
        if finish:
            self.queue.call_next("desk-1")
            self.queue.finish(ticket.code, "resolved")
        return ticket.code, ticket.visit_id

    def worker(self) -> None:
        DeviceWorker(lambda: open_session(db=self.db, clock=self.clock, person="worker")).run_once()

    def close(self) -> None:
        self.session.close()


def sent_to(notify: NotifyServer, phone: str) -> list[dict[str, Any]]:
    return [n for n in notify.state.sent if n["phone_number"] == e164(phone)]


def test_when_the_text_is_due() -> None:
    london = "Europe/London"
    at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    due = text_due(at, london, delay_minutes=120, earliest_hour=9, latest_hour=20)
    assert due == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    # Finished 18:30: due 20:30 is too late in the evening; 09:00 the next morning.
    late = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    assert text_due(late, london, delay_minutes=120, earliest_hour=9, latest_hour=20) == datetime(
        2026, 11, 24, 9, 0, tzinfo=UTC
    )
    # Summer time: the hours are local (09:00 BST is 08:00 UTC).
    early = datetime(2026, 7, 1, 5, 0, tzinfo=UTC)
    assert text_due(early, london, delay_minutes=0, earliest_hour=9, latest_hour=20) == datetime(
        2026, 7, 1, 8, 0, tzinfo=UTC
    )
    # Never before the finish, whatever the settings.
    assert text_due(at, london, delay_minutes=0, earliest_hour=0, latest_hour=24) == at
    sent = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert answer_open(sent, sent + timedelta(days=6, hours=23), 7)
    assert not answer_open(sent, sent + timedelta(days=7), 7)


def test_consent_off_on_and_rated_at_the_desk(tmp_path: Path, notify: NotifyServer) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    day = Day(db)
    try:
        day.visit()  # no consent: never a text
        c002, visit_ann = day.visit(ANN)
        _c003, visit_bob = day.visit(BOB)
        Ratings(day.session).rate_visit(visit_bob, 4)  # rated at the desk: no text needed
        day.worker()
        assert notify.state.sent == []  # finished at 09:00: due at 11:00, not before
        day.at(119)
        day.worker()
        assert notify.state.sent == []
        day.at(121)
        for _ in range(3):  # looking again and again sends nothing more
            day.worker()
        assert len(notify.state.sent) == 1
        (text,) = sent_to(notify, ANN)
        body = str(text["personalisation"]["body"])
        assert body.startswith("How did we do at Civic Centre today? Please tell us, from 1 to 5:")
        link = body.splitlines()[-1]
        assert re.fullmatch(re.escape(PUBLIC) + r"/r/[A-Za-z0-9_-]{20}", link)
        assert Ratings(day.session).text_visit(link.rsplit("/", 1)[1]) == visit_ann
        # Nothing personal or sensitive: not the service, the ticket, the desk, the number.
        everything = " ".join(str(v) for v in text["personalisation"].values())
        for secret in ("Council Tax", c002, "Desk 1", "900001", "Team Leader"):
            assert secret not in everything and secret not in text["reference"]
        assert REFERENCE.fullmatch(text["reference"])
        assert rows(db, "SELECT visit_id, status FROM feedback_texts ORDER BY id") == [
            (visit_ann, "sent"),
            (visit_bob, "cancelled"),
        ]
        # Who took the consent down is recorded, with the consent's own event (no number).
        assert rows(db, "SELECT given_by, source FROM feedback_consents ORDER BY visit_id") == [
            ("tl", "greet"),
            ("tl", "greet"),
        ]
        events = rows(db, "SELECT kind, actor, data FROM events WHERE kind LIKE 'feedback%'")
        assert [e[0] for e in events].count("feedback_consent_given") == 2
        assert ("feedback_text_sent", "worker") in [(e[0], e[1]) for e in events]
        assert not any("0770" in str(e[2]) or "+44" in str(e[2]) for e in events)
    finally:
        day.close()


def welsh_text(tmp_path: Path, notify: NotifyServer) -> tuple[Path, list[str]]:
    """A bilingual office: Ann's visit finished, the text sent two hours later; the database
    and the body of every text Ann's number got."""
    db = make_db(tmp_path, office_toml(notify, tmp_path, welsh=True))
    day = Day(db)
    try:
        day.visit(ANN)
        day.at(125)
        day.worker()
    finally:
        day.close()
    texts = sent_to(notify, ANN)
    return db, [str(t["personalisation"]["body"]) for t in texts]


def test_welsh_first_in_a_bilingual_office(tmp_path: Path, notify: NotifyServer) -> None:
    _db, (body,) = welsh_text(tmp_path, notify)
    lines = body.splitlines()
    assert lines[0].startswith("Sut wnaethon ni yn ")
    assert lines[1].startswith("How did we do at ")
    assert lines[2].startswith(PUBLIC + "/r/")


def test_notify_down_then_up_sends_once(tmp_path: Path, notify: NotifyServer) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    day = Day(db)
    try:
        day.visit(ANN)
        notify.state.script = ["500", "429"]  # an outage, then the rate limit
        day.at(121)
        day.worker()
        assert rows(db, "SELECT status, attempts FROM feedback_texts") == [("pending", 1)]
        day.worker()  # not due again yet (the backoff): nothing asked
        assert sum(r.startswith("POST") for r in notify.state.requests) == 1
        day.at(122)
        day.worker()
        assert rows(db, "SELECT status, attempts FROM feedback_texts") == [("pending", 2)]
        day.at(125)
        day.worker()
        assert len(sent_to(notify, ANN)) == 1
        status, provider = rows(db, "SELECT status, provider_id FROM feedback_texts")[0]
        assert status == "sent" and provider == notify.state.sent[0]["id"]
        day.at(200)
        day.worker()
        assert len(sent_to(notify, ANN)) == 1
    finally:
        day.close()


def test_a_timeout_is_looked_up_not_sent_again(tmp_path: Path, notify: NotifyServer) -> None:
    """Notify got it but the answer never came: the next try asks Notify by reference first."""
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    day = Day(db)
    try:
        day.visit(ANN)
        notify.state.script = ["timeout"]
        notify.state.timeout_seconds = 2.0  # past notify.timeout (1 s)
        day.at(121)
        day.worker()
        assert rows(db, "SELECT status, unconfirmed FROM feedback_texts") == [("pending", 1)]
        day.at(130)
        day.worker()
        assert len(sent_to(notify, ANN)) == 1  # the one Notify took; never a second
        assert rows(db, "SELECT status FROM feedback_texts") == [("sent",)]
        assert any(r.startswith("GET") for r in notify.state.requests)
    finally:
        day.close()


def test_the_number_is_purged_on_schedule(tmp_path: Path, notify: NotifyServer) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    day = Day(db)
    try:
        day.visit(ANN)  # sent
        day.at(121)
        day.worker()
        day.visit(BOB, finish=False)  # still in the queue at closing: never finished
        retention = RetentionService(day.session)
        day.at(13 * 24 * 60)
        first = retention.purge()
        assert first.counts["feedback_numbers"] == 0  # 14 days are kept
        assert first.counts["feedback_text_traces"] == 1  # Notify's id: after 7 days
        day.at(15 * 24 * 60)
        assert retention.purge(dry_run=True).counts["feedback_numbers"] == 2
        result = retention.purge()
        assert result.counts["feedback_numbers"] == 2
        assert rows(db, "SELECT phone, given_by FROM feedback_consents") == [
            (None, "tl"),
            (None, "tl"),
        ]
        assert rows(db, "SELECT provider_id FROM feedback_texts") == [(None,)]
    finally:
        day.close()
    raw = db.read_bytes() + (
        db.with_name(db.name + "-wal").read_bytes()
        if db.with_name(db.name + "-wal").exists()
        else b""
    )
    assert b"+447700900001" not in raw and b"+447700900002" not in raw


def test_consent_rules(tmp_path: Path, notify: NotifyServer) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    day = Day(db)
    try:
        code, _visit = day.visit()
        with pytest.raises(RuleViolation, match="before the visit ends"):
            day.texts.consent(code, ANN)
    finally:
        day.close()
    # Without the screen's public address there is no link to answer: refused, one line.
    bare = tmp_path / "bare"
    bare.mkdir()
    db2 = make_db(bare, office_toml(notify, bare).replace(f'public_url = "{PUBLIC}"', ""))
    day2 = Day(db2)
    try:
        ticket = day2.queue.issue("C", print_ticket=False).ticket
        with pytest.raises(RuleViolation, match=r"screen\.public_url"):
            day2.texts.consent(ticket.code, ANN)
    finally:
        day2.close()


def test_the_command_line(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    cli = Cli(db, monkeypatch)
    now = "2026-11-23T09:00:00Z"
    issued = cli(
        "ticket", "issue", "--service", "C", "--mobile", ANN, "--feedback-text", "--json", now=now
    )
    assert issued.code == 0, issued.err
    assert issued.json()["feedback_text"] is True and issued.json()["texts"] is False
    assert rows(db, "SELECT phone, source FROM feedback_consents") == [(e164(ANN), "cli")]
    assert rows(db, "SELECT count(*) FROM visit_phones") == [(0,)]  # not the turn texts' number
    bad = [
        (("--mobile", ANN), 2, "add --feedback-text"),
        (("--feedback-text",), 2, "needs the resident's mobile"),
        (("--mobile", "12345", "--feedback-text"), 2, "a UK mobile number is 11 digits"),
    ]
    for extra, code, words in bad:
        result = cli("ticket", "issue", "--service", "C", *extra, now=now)
        assert result.code == code, (extra, result.err)
        assert words in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert len(cli("queue", "--json", now=now).json()) == 1  # nothing more was issued
    given = cli("ticket", "feedback-text", "C001", BOB, now=now)
    assert given.code == 0 and given.out.startswith("C001: a text about 120 minutes after")
    assert rows(db, "SELECT phone FROM feedback_consents") == [(e164(BOB),)]
    cli("ticket", "call-next", "--desk", "desk-1", now=now)
    cli("ticket", "finish", "C001", "--outcome", "resolved", now=now)
    late = cli("ticket", "feedback-text", "C001", ANN, now=now)
    assert late.code == 6 and "before the visit ends" in late.err
    assert cli("worker", "--once", "--json", now=now).json()["feedback_texts_sent"] == 0
    sent = cli("worker", "--once", "--json", now="2026-11-23T11:05:00Z").json()
    assert sent["feedback_texts_sent"] == 1
    assert [n["phone_number"] for n in notify.state.sent] == [e164(BOB)]


def test_kill_9_while_waiting_for_notify_never_sends_twice(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """The worker (its own process) is killed after handing the text to Notify and before the
    answer: the next owner treats it as possibly sent (unconfirmed), asks Notify by reference,
    and records it sent without a second request."""
    import os
    import signal
    import subprocess
    import sys

    db = make_db(
        tmp_path, office_toml(notify, tmp_path, extra="").replace("timeout = 1", "timeout = 30")
    )
    day = Day(db)
    try:
        day.visit(ANN)
    finally:
        day.close()
    notify.state.script = ["timeout"]
    notify.state.timeout_seconds = 10.0
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T11:05:00Z"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Killed once Notify has the whole request (stored, its answer held back): a request
        # seen before its body arrived is not one yet, and killed then the text was never sent.
        notify.state.wait_until(lambda said: said.startswith("ACCEPTED"), timeout=30)
        assert worker.poll() is None
        handed = rows(db, "SELECT status, handed_over_at IS NOT NULL FROM feedback_texts")
        assert handed == [("sending", 1)]
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    assert len(notify.state.sent) == 1  # Notify has it; the worker never heard back

    def once(now: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "oss_desk", "worker", "--once", "--json"],
            env=env | {"OSS_DESK_NOW": now},
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = once("2026-11-23T11:06:00Z")
    assert first.returncode == 0, first.stderr
    assert rows(db, "SELECT status, unconfirmed FROM feedback_texts") == [("pending", 1)]
    second = once("2026-11-23T11:08:00Z")
    assert second.returncode == 0, second.stderr
    assert rows(db, "SELECT status, provider_id FROM feedback_texts") == [
        ("sent", notify.state.sent[0]["id"])
    ]
    assert sum(r.startswith("POST") for r in notify.state.requests) == 1
    assert len(sent_to(notify, ANN)) == 1


def test_a_booking_that_carries_the_consent(tmp_path: Path, notify: NotifyServer) -> None:
    """Booked with a mobile and the consent: at check-in the visit has its consent (taken by the
    person who booked), and the text follows the finish like a walk-in's."""
    from oss_desk.errors import InvalidInput

    from .appointments_site import NOW, make_office, service_at

    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    extra = f'[screen]\npublic_url = "{PUBLIC}"\n[feedback]\ntext_delay_minutes = 30\n'
    db = make_office(tmp_path, notify_url=notify.url, key_file=str(key), extra=extra)
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock, person="tl")
    try:
        start = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
        with pytest.raises(InvalidInput, match="mobile"):
            svc.book("C", start, channel="slip", feedback_text=True, print_to="capture://x")
        with pytest.raises(InvalidInput, match="does not start 07: a UK mobile"):
            svc.book("C", start, channel="text", phone="01632 960001", feedback_text=True)
        with_consent = svc.book("C", start, channel="text", phone=ANN, feedback_text=True)
        without = svc.book("C", start + timedelta(minutes=60), channel="text", phone=BOB)
        assert rows(db, "SELECT count(*) FROM feedback_consents") == [(0,)]
        clock.set(datetime(2026, 11, 23, 10, 55, tzinfo=UTC))
        ticket = svc.check_in(with_consent.ref)
        clock.set(datetime(2026, 11, 23, 11, 55, tzinfo=UTC))
        other = svc.check_in(without.ref)
        assert rows(db, "SELECT visit_id, phone, given_by, source FROM feedback_consents") == [
            (ticket.visit_id, e164(ANN), "tl", "appointment")
        ]
        queue = QueueService(open_session(db=db, clock=clock, person="ana", desk_id="room-1"))
        for _ in (ticket, other):
            called = queue.call_next("room-1")
            assert called is not None
            queue.finish(called.id, "resolved")
        DeviceWorker(lambda: open_session(db=db, clock=clock, person="worker")).run_once()
        texts_now = [n for n in notify.state.sent if "/r/" in str(n["personalisation"]["body"])]
        assert texts_now == []  # due 30 minutes after the finish
        clock.set(datetime(2026, 11, 23, 12, 30, tzinfo=UTC))
        DeviceWorker(lambda: open_session(db=db, clock=clock, person="worker")).run_once()
        follow_ups = [n for n in notify.state.sent if "/r/" in str(n["personalisation"]["body"])]
        assert [n["phone_number"] for n in follow_ups] == [e164(ANN)]
    finally:
        session.close()


def test_a_text_failed_for_good_is_an_alert_until_acknowledged(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    day = Day(db)
    try:
        _code, visit = day.visit(ANN)
        notify.state.script = ["400"]  # Notify refuses it: not tried again
        day.at(121)
        day.worker()
        [(text_id, status)] = rows(db, "SELECT id, status FROM feedback_texts")
        assert status == "failed"
    finally:
        day.close()
    cli = Cli(db, monkeypatch)
    now = "2026-11-23T12:00:00Z"
    listed = cli("alerts", "list", "--json", now=now).json()
    assert [(a["id"], a["kind"], a["visit"], a["site"]) for a in listed] == [
        (f"f{text_id}", "followup_text", visit, "hq")
    ]
    assert "900001" not in str(listed)  # named by its visit, never by the number
    shown = cli("alerts", "list", now=now)
    assert f"f{text_id}  follow-up text for visit {visit} failed" in shown.out
    wrong = cli("alerts", "ack", f"f{text_id + 1}", now=now)
    assert wrong.code == 5 and f"no alert f{text_id + 1}" in wrong.err
    acked = cli("--user", "tl", "alerts", "ack", f"F{text_id}", "--json", now=now)
    assert acked.json() == {"acknowledged": 1}
    assert cli("alerts", "list", "--json", now=now).json() == []
    assert rows(db, "SELECT acknowledged_by FROM feedback_texts") == [("tl",)]


def test_a_text_held_to_the_next_morning_asks_about_yesterday(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """A visit finished at 18:30 is asked about at 09:00 the next morning: "yesterday", in
    both languages, never "today" (trial12 W1)."""
    db = make_db(tmp_path, office_toml(notify, tmp_path, welsh=True))
    day = Day(db)
    try:
        day.at(9 * 60 + 30)  # Monday 18:30
        day.visit(ANN)
        day.at(11 * 60 + 31)  # 20:31: after the latest sending hour, nothing yet
        day.worker()
        assert sent_to(notify, ANN) == []
        day.at(24 * 60 + 1)  # Tuesday 09:01
        day.worker()
    finally:
        day.close()
    (text,) = sent_to(notify, ANN)
    lines = str(text["personalisation"]["body"]).splitlines()
    assert lines[0].startswith("Sut wnaethon ni yn ") and lines[0].endswith(
        " ddoe? Dywedwch wrthym, o 1 i 5:"
    )
    assert lines[1].startswith("How did we do at ") and " yesterday? " in lines[1]
    assert "heddiw" not in lines[0] and "today" not in lines[1]


def test_which_day_the_question_names() -> None:
    from datetime import date

    from oss_desk.domain.feedback_texts import question_key
    from oss_desk.domain.wording import ENGLISH

    monday = date(2026, 11, 23)
    assert question_key(monday, monday) == "text.feedback"
    assert question_key(monday, date(2026, 11, 24)) == "text.feedback_yesterday"
    assert question_key(monday, date(2026, 11, 26)) == "text.feedback_on"
    assert "{day}" in ENGLISH["text.feedback_on"] and "today" not in ENGLISH["text.feedback_on"]
