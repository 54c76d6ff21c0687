"""A message to a resident that may have been sent (no longer wanted after a try the provider
may have taken, and the provider could not be asked) is an alert for the team leader, as a late
or failed one is: an appointment's confirmation (the mail server took its DATA and did not
answer, then the booking was cancelled), and a referral's reference (Notify did not answer,
the team leader stopped it, and Notify could not be asked). Listed once (`alerts list`, the
team leader's status line, `doctor`, which warns) until someone says it is seen to (`alerts
ack`, the leader's A), then gone for good. Real database files, the real device worker, a
loopback SMTP server and the tests' local Notify (tests/messaging.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor
from oss_desk.domain.sending import look_up_wait
from oss_desk.services.alerts import acknowledge_shown, alerts_counted, leader_lines
from oss_desk.services.desk_view import take_snapshot
from oss_desk.services.session import open_session

from .appointments_site import NOW, make_office, service_at
from .conftest import Cli, rows
from .messaging import NotifyServer, SmtpServer
from .test_appointment_message_unsure import confirmation, worker_pass
from .test_delivery_messages import db_extra
from .test_referral_message_cancel import CANCEL, referral_by_text, referral_message, worker


def listed(cli: Cli, now: str) -> list[dict[str, Any]]:
    shown = cli("--user", "tl", "alerts", "list", "--json", now=now)
    assert shown.code == 0, shown.err
    found: list[dict[str, Any]] = shown.json()
    return found


def doctor_line(cli: Cli, now: str) -> str:
    (line,) = [
        x for x in cli("--user", "tl", "doctor", now=now).out.splitlines() if " messages" in x[:20]
    ]
    return line


def leader_sees(db: Path, now: str) -> list[str]:
    """What the team leader's status line says of the alerts (its words and its short form)."""
    from datetime import datetime

    session = open_session(db=db, clock=FixedClock(datetime.fromisoformat(now)), person="tl")
    try:
        snap = take_snapshot(session)
        if not snap.alerts:
            return []
        return [*leader_lines(snap.alerts, snap.business_day), alerts_counted(snap.alerts)]
    finally:
        session.close()


def leader_acknowledges(db: Path, now: str) -> int:
    from datetime import datetime

    session = open_session(db=db, clock=FixedClock(datetime.fromisoformat(now)), person="tl")
    try:
        return acknowledge_shown(session, Actor("tl"), take_snapshot(session).alerts)
    finally:
        session.close()


def test_a_confirmation_that_may_have_been_sent_is_an_alert_until_seen_to(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp.mailbox.data_delay = 1.5
    db = make_office(tmp_path, smtp_url=smtp.url)
    db_extra(db, "[email]\nreply_timeout = 0.5\ndata_timeout = 0.5\n")
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock)
    appt = svc.book("C", NOW + timedelta(days=3), channel="email", email="r@example.org")
    session.close()
    assert worker_pass(db, clock).messages_retried == 1
    smtp.mailbox.data_delay = 0.0
    cli = Cli(db, monkeypatch)
    at = (NOW + timedelta(minutes=1)).isoformat()
    assert listed(cli, at) == []  # tried again in good time: no alert yet
    done = cli("--user", "tl", "appointment", "cancel", appt.ref, "--by", "resident", now=at)
    assert done.code == 0, done.err
    assert confirmation(db)[1] == "uncertain"
    ((message_id,),) = rows(db, "SELECT id FROM messages WHERE kind = 'confirmation'")
    (alert,) = listed(cli, at)
    assert (alert["id"], alert["alert"], alert["kind"]) == (message_id, "uncertain", "confirmation")
    assert alert["appointment_ref"] == appt.ref and "mail server" in alert["reason"]
    (line,) = cli("--user", "tl", "alerts", "list", now=at).out.splitlines()
    assert f"(ref {appt.ref}) may have been sent: " in line, line
    assert "r@example.org" not in line
    said = doctor_line(cli, at)
    assert said.startswith("warn") and "1 confirmation for " in said, said
    assert "may have been sent" in said, said
    assert leader_sees(db, at) == ["messages: 1 may be sent", "1 may be sent"]
    clock.set(NOW + timedelta(minutes=5))
    worker_pass(db, clock)  # the cancellation notice goes; the confirmation never again
    later = clock.now().isoformat()
    assert [a["id"] for a in listed(cli, later)] == [message_id]  # once
    acked = cli("--user", "tl", "alerts", "ack", str(message_id), now=later)
    assert acked.code == 0 and acked.out.strip() == "Acknowledged 1 alert.", acked.out
    assert listed(cli, later) == [] and leader_sees(db, later) == []
    assert doctor_line(cli, later).startswith("ok")
    clock.set(NOW + timedelta(hours=1))
    worker_pass(db, clock)
    assert listed(cli, clock.now().isoformat()) == []  # seen to: never raised again


def test_a_referral_reference_that_may_have_been_sent_is_an_alert_until_seen_to(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, now = referral_by_text(tmp_path, notify, monkeypatch)
    cli = Cli(db, monkeypatch)
    notify.state.script = ["lost"]
    worker(cli, now)
    reference, _, _, _ = referral_message(db)
    notify.state.release.set()
    notify.state.wait_for(f"LOST ref={reference}")
    at = now + timedelta(seconds=5)
    stopped = cli("--user", "tl", *CANCEL.split(), "R-0001", now=at.isoformat())
    assert stopped.code == 0, stopped.err
    assert listed(cli, at.isoformat()) == []  # waiting for its look-up: nothing known yet
    notify.state.look_up_script = ["500"]
    then = now + timedelta(seconds=max(look_up_wait(1.0), 15) + 1)
    worker(cli, then)
    assert referral_message(db)[1] == "uncertain"
    ((message_id,),) = rows(db, "SELECT id FROM followup_messages")
    later = (then + timedelta(minutes=1)).isoformat()
    (alert,) = listed(cli, later)
    assert alert["id"] == f"m{message_id}" and alert["alert"] == "uncertain", alert
    assert (alert["kind"], alert["referral_ref"], alert["channel"]) == (
        "referral_message",
        "R-0001",
        "text",
    )
    (line,) = cli("--user", "tl", "alerts", "list", now=later).out.splitlines()
    assert line.split() == [f"m{message_id}", "referral", "R-0001:", *line.split()[3:]], line
    assert "reference by text: may have been sent: " in line and "07700" not in line, line
    assert "1 referral message may have been sent" in doctor_line(cli, later)
    assert leader_sees(db, later) == ["1 referral message may have been sent", "1 may be sent"]
    worker(cli, then + timedelta(minutes=5))
    assert len(listed(cli, later)) == 1  # once
    wrong = cli("--user", "tl", "alerts", "ack", f"m{message_id + 1}", now=later)
    assert wrong.code == 5 and f"no alert m{message_id + 1}" in wrong.err, wrong.err
    assert leader_acknowledges(db, later) == 1  # the leader's A
    assert listed(cli, later) == [] and leader_sees(db, later) == []
    ((by,),) = rows(db, "SELECT acknowledged_by FROM followup_messages")
    assert by == "tl"
    again = cli("--user", "tl", "alerts", "ack", f"m{message_id}", now=later)
    assert again.code == 5, again.err  # seen to already: no such alert now
