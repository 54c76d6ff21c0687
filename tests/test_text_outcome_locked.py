"""A text GOV.UK Notify accepted while another process held the database ("nearly your turn",
"please go to the desk", the follow-up "how did we do"): recorded "sent" once the database
takes it, never left mid-send for the lock, and never sent a second time."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import test_feedback_texts as feedback
from . import test_turn_texts as turn
from .conftest import Cli, make_db, rows
from .followups_site import make_office as make_followups_office
from .messaging import API_KEY, NotifyServer
from .test_followup_messages import NOW as REFERRED
from .test_followup_messages import refer
from .test_message_outcome_locked import (
    HELD,
    locked_for,
    locked_until_noted,
    oss_desk_here,
    oss_desk_quick,
    recorded_sent_then_not_again,
    run_worker,
)

MORNING = "2026-11-23T09:00:00Z"  # the turn texts' day (test_turn_texts.START)
NEARLY = "SELECT kind, status, last_error FROM turn_texts"


def referred_by_text(tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An office that texts through the local Notify, with a referral whose reference goes to
    the resident by text."""
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    texts = (
        f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
        'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
    )
    db = make_followups_office(tmp_path, extra=texts)
    refer(Cli(db, monkeypatch), "--send-by", "text", "--phone", "07700 900417")
    return db


def nearly_due(tmp_path: Path, notify: NotifyServer) -> Path:
    """An office where Ann's "nearly your turn" text is due (she is 2nd in line)."""
    db = turn.office(tmp_path, notify)
    day = turn.Day(db)
    try:
        day.issue("C")
        day.issue("C")
        day.issue("C", "ann")
        day.queue.call_next("desk-1")
    finally:
        day.close()
    return db


def posts(notify: NotifyServer) -> int:
    return sum(r.startswith("POST") for r in notify.state.requests)


def test_a_turn_text_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, notify: NotifyServer
) -> None:
    db = nearly_due(tmp_path, notify)
    # Notify has the text and answers 201 while another process holds the database longer than
    # the worker's writes wait (Notify's state and its outcome's first write are refused).
    notify.state.before_reply = locked_for(db, HELD)
    first = oss_desk_quick(db, "worker", "--once", now=MORNING)
    assert first.returncode == 0, first.stderr
    assert rows(db, NEARLY) == [("nearly", "sent", None)], first.stderr
    # A restart past the lease and the look-up wait finds nothing left mid-send: sent once.
    again = oss_desk_here(db, "worker", "--once", now="2026-11-23T09:10:00Z")
    assert again.returncode == 0, again.stderr
    assert rows(db, NEARLY) == [("nearly", "sent", None)]
    assert posts(notify) == 1 and len(turn.texts_to(notify, "ann")) == 1
    sent = "SELECT COUNT(*) FROM events WHERE kind = 'turn_text_sent'"
    assert rows(db, sent) == [(1,)]


def test_the_running_worker_records_the_turn_text_sent_once_the_database_takes_it(
    tmp_path: Path, notify: NotifyServer
) -> None:
    db = nearly_due(tmp_path, notify)
    notify.state.before_reply = locked_for(db, HELD)
    sent = [("nearly", "sent", None)]
    said = run_worker(db, tmp_path / "worker.log", MORNING, lambda: rows(db, NEARLY) == sent)
    assert rows(db, NEARLY) == sent, said
    assert "not recorded yet" in said
    assert posts(notify) == 1


def test_a_follow_up_text_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, notify: NotifyServer
) -> None:
    db = make_db(tmp_path, feedback.office_toml(notify, tmp_path))
    day = feedback.Day(db)
    try:
        day.visit(feedback.ANN)
    finally:
        day.close()
    noted: list[bool] = []  # held until its first write is refused and the send noted
    notify.state.before_reply = locked_until_noted(db, "feedback_texts", noted)
    first = oss_desk_quick(db, "worker", "--once", now="2026-11-23T11:05:00Z")
    assert first.returncode == 0, first.stderr
    assert noted == [True], first.stderr
    follow_up = "SELECT status, last_error, provider_id FROM feedback_texts"
    assert rows(db, follow_up) == [("sent", None, notify.state.sent[0]["id"])], first.stderr
    # After its lease (5 minutes) and the look-up wait: nothing left mid-send to go again.
    again = oss_desk_here(db, "worker", "--once", now="2026-11-23T11:30:00Z")
    assert again.returncode == 0, again.stderr
    assert posts(notify) == 1 and len(feedback.sent_to(notify, feedback.ANN)) == 1


def test_a_referral_text_accepted_while_the_database_is_locked_is_recorded_sent_once(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = referred_by_text(tmp_path, notify, monkeypatch)
    noted: list[bool] = []
    notify.state.before_reply = locked_until_noted(db, "followup_messages", noted)
    # After its lease and the look-up wait: nothing left mid-send to go again.
    recorded_sent_then_not_again(db, "followup_messages", REFERRED, "2026-11-23T10:30:00Z", noted)
    assert posts(notify) == 1 and len(notify.state.sent) == 1
