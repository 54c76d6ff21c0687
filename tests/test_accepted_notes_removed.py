"""Every lane that sends: a message the provider accepted while another process held the
database is noted beside it at the first refused write (``<db>.accepted.<table>.<row>``), and
once the outcome is recorded the note is gone (by the worker that wrote it, or by the next one
that recorded it from the note): none is left beside the database for ever, and ``doctor`` has
no line about notes after it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant, read_instant
from oss_desk.storage.accepted_notes import note_path

from . import test_feedback_texts as feedback
from .appointments_site import NOW, make_office, service_at
from .conftest import Cli, make_db, rows
from .followups_site import make_office as make_followups_office
from .messaging import API_KEY, NotifyServer, SmtpServer
from .test_followup_messages import NOW as REFERRED
from .test_followup_messages import refer
from .test_message_accepted_at_stop import stopped_while_locked
from .test_message_outcome_locked import (
    HELD,
    locked_for,
    locked_until_noted,
    oss_desk_here,
    oss_desk_quick,
)
from .test_messages import at
from .test_report_send import MONDAY_EVENING as EVENING
from .test_report_send import office as report_office
from .test_text_outcome_locked import MORNING, nearly_due, referred_by_text

Lane = Callable[[Path, SmtpServer, NotifyServer, pytest.MonkeyPatch], tuple[Path, str, str]]
"""An office whose next send is in one lane: its database, the table, and when the worker
sends it."""


def _booked(db: Path, channel: str, email: str | None, phone: str | None) -> tuple[Path, str, str]:
    """A booking at ``db`` that its resident hears of by ``channel``: its confirmation waits."""
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel=channel, email=email, phone=phone)
    session.close()
    return db, "messages", ""


def _appointment_email(
    tmp: Path, smtp: SmtpServer, notify: NotifyServer, mp: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    return _booked(make_office(tmp, smtp_url=smtp.url), "email", "resident@example.org", None)


def _appointment_text(
    tmp: Path, smtp: SmtpServer, notify: NotifyServer, mp: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    key = tmp / "notify.key"
    key.write_text(API_KEY + "\n")
    db = make_office(tmp, notify_url=notify.url, key_file=str(key))
    return _booked(db, "text", None, "07700 900417")


def _report_email(
    tmp: Path, smtp: SmtpServer, notify: NotifyServer, mp: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    db = report_office(tmp, smtp.url)
    sent = Cli(db, mp)("report", "send", "daily", "--date", "2026-11-23", now=EVENING)
    assert sent.code == 0, sent.err
    return db, "report_mails", EVENING


def _referral_email(
    tmp: Path, smtp: SmtpServer, notify: NotifyServer, mp: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    mail = f'[email]\nsmtp_url = "{smtp.url}"\nfrom_address = "desk@test.example"\n'
    db = make_followups_office(tmp, extra=mail)
    refer(Cli(db, mp), "--send-by", "email", "--email", "resident@example.org")
    return db, "followup_messages", REFERRED


def _referral_text(
    tmp: Path, smtp: SmtpServer, notify: NotifyServer, mp: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    return referred_by_text(tmp, notify, mp), "followup_messages", REFERRED


def _turn_text(
    tmp: Path, smtp: SmtpServer, notify: NotifyServer, mp: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    return nearly_due(tmp, notify), "turn_texts", MORNING


def _follow_up_text(
    tmp: Path, smtp: SmtpServer, notify: NotifyServer, mp: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    db = make_db(tmp, feedback.office_toml(notify, tmp))
    day = feedback.Day(db)
    try:
        day.visit(feedback.ANN)
    finally:
        day.close()
    return db, "feedback_texts", "2026-11-23T11:05:00Z"


LANES: dict[str, Lane] = {
    "appointment email": _appointment_email,
    "appointment text": _appointment_text,
    "report email": _report_email,
    "referral email": _referral_email,
    "referral text": _referral_text,
    "turn text": _turn_text,
    "follow-up text": _follow_up_text,
}


@pytest.mark.parametrize("lane", list(LANES))
def test_a_send_recorded_after_the_database_was_locked_leaves_no_note(
    tmp_path: Path,
    smtp: SmtpServer,
    notify: NotifyServer,
    monkeypatch: pytest.MonkeyPatch,
    lane: str,
) -> None:
    db, table, now = LANES[lane](tmp_path, smtp, notify, monkeypatch)
    # The provider has it and answers while another process holds the database longer than the
    # worker's writes wait: its first writes of "sent" are refused, then one is taken. The hold
    # lasts until the send is noted (turn texts are never noted: the next owner looks them up
    # at Notify; theirs is HELD long), which proves the first write was refused.
    noted: list[bool] = []
    hold = locked_for(db, HELD) if lane == "turn text" else locked_until_noted(db, table, noted)
    smtp.mailbox.before_reply = hold
    notify.state.before_reply = hold
    first = oss_desk_quick(db, "worker", "--once", now=now or None)
    assert first.returncode == 0, first.stderr
    assert noted == ([] if lane == "turn text" else [True]), first.stderr
    assert ("sent",) in rows(db, f"SELECT status FROM {table}"), first.stderr
    left = sorted(path.name for path in db.parent.glob(f"{db.name}.accepted.*"))
    assert left == [], first.stderr
    assert "sends noted" not in oss_desk_here(db, "doctor", now=now or None).stdout


@pytest.mark.parametrize("lane", ["appointment text", "report email", "follow-up text"])
def test_a_send_noted_as_the_worker_stopped_is_recorded_by_the_next_and_its_note_goes(
    tmp_path: Path,
    smtp: SmtpServer,
    notify: NotifyServer,
    monkeypatch: pytest.MonkeyPatch,
    lane: str,
) -> None:
    """The worker is stopped (SIGTERM) while the database is held from the moment the provider
    accepted the send: it leaves the note; the next worker records the send from it, then the
    note is gone. (Appointment emails, referral emails and texts: test_message_accepted_at_stop.py;
    turn texts leave no note: the next owner looks them up at Notify.)"""
    db, table, now = LANES[lane](tmp_path, smtp, notify, monkeypatch)
    provider = smtp if "email" in lane else notify.state
    log = tmp_path / "worker.log"
    code, _ = stopped_while_locked(db, provider, log, None, now=now, what=table)
    assert code == 0, log.read_text()
    (note,) = db.parent.glob(f"{db.name}.accepted.{table}.*")
    for minutes in (30, 31):  # past the lease and the look-up wait, then a pass after it
        later = oss_desk_here(db, "worker", "--once", now=at_minutes(now, minutes))
        assert later.returncode == 0, later.stderr
    row = int(note.name.rpartition(".")[2])
    status = rows(db, f"SELECT status FROM {table} WHERE id = ?", row)
    assert status == [("sent",)], later.stderr
    assert not note.exists(), later.stderr
    doctor = oss_desk_here(db, "doctor", now=at_minutes(now, 31)).stdout
    assert "sends noted" not in doctor, doctor


def at_minutes(now: str, minutes: int) -> str:
    """``minutes`` after ``now`` (NOW where empty), as OSS_DESK_NOW takes it."""
    start = read_instant(now) if now else NOW
    return format_instant(start + timedelta(minutes=minutes))


def test_a_note_that_speaks_for_no_send_to_record_is_removed_by_the_next_worker(
    tmp_path: Path, smtp: SmtpServer, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two notes nothing would ever remove: one of a send whose row now holds another send (a
    database put back from elsewhere: the note never speaks for it, and by mail it is sent
    again), and one of a send recorded already (its worker ended between the two). Each stayed
    beside the database for ever, the first with a doctor warning that the next worker records
    it sent, which no worker would. The next worker removes both as it takes over."""
    db, _, _ = LANES["appointment email"](tmp_path, smtp, notify, monkeypatch)
    code, _ = stopped_while_locked(db, smtp, tmp_path / "worker.log", None)
    assert code == 0
    (note,) = db.parent.glob(f"{db.name}.accepted.messages.*")
    with sqlite3.connect(db) as conn:  # another send now holds the row, handed over then too
        conn.execute("UPDATE messages SET reference = 'oss-a1-other-0000' WHERE id = 1")
    (line,) = [x for x in oss_desk_here(db, "doctor").stdout.splitlines() if "sends noted" in x]
    assert "records it sent" not in line, line  # it never would: it is not that send's note
    assert line.startswith("ok    sends noted: 1 note left over"), line
    first = oss_desk_here(db, "worker", "--once", minutes=20)
    assert first.returncode == 0, first.stderr
    assert not note.exists(), first.stderr
    recorded = rows(db, "SELECT id FROM messages WHERE status = 'sent'")
    assert recorded == [], first.stderr  # (sent again at the next pass: it may not have gone)
    later = oss_desk_here(db, "worker", "--once", minutes=40)
    assert later.returncode == 0, later.stderr
    ((sent,),) = rows(db, "SELECT id FROM messages WHERE status = 'sent'")
    left = note_path(db, "messages", int(sent))
    left.write_text('{"status": "sent"}')  # its worker ended after recording, before removing
    again = oss_desk_here(db, "worker", "--once", minutes=60)
    assert again.returncode == 0, again.stderr
    assert not left.exists(), again.stderr
    assert "sends noted" not in oss_desk_here(db, "doctor", minutes=60).stdout
