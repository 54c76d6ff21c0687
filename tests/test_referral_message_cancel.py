"""A referral's reference queued to go to the resident by text can be stopped by the team leader
(`followup cancel-message REF`), who and when recorded, as long as it has not gone: the worker
never sends it after that, and `followup show` says who stopped it and when. One whose earlier
try may have reached Notify is never said not sent on a guess: it is looked up first. Against
a loopback Notify (tests/messaging.py) and the real worker (`worker --once`), by the command
line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain import message_delivery
from oss_desk.domain.message_delivery import MAX_UNCONFIRMED_SENDS, NEVER_CONFIRMED
from oss_desk.domain.sending import look_up_wait
from oss_desk.services.senders import SendFault
from oss_desk.services.site import initialise
from oss_desk.worker.leased import after_fault

from .conftest import Cli, rows
from .followups_site import make_office as make_referral_office
from .followups_site import run_json
from .messaging import NotifyServer, SmtpServer
from .test_notify_uncertain import _referral_by_text, gets, posts

CANCEL = "followup cancel-message"


def worker(cli: Cli, at: datetime) -> None:
    done = cli("worker", "--once", now=at.isoformat())
    assert done.code == 0, done.err


def unanswered_email_referral(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Cli, datetime]:
    """A referral whose reference goes by email at 10:00 on Monday, through a mail server that
    takes it and does not answer the end of its DATA within the office's 0.5 s."""
    smtp.mailbox.data_delay = 1.5
    db = make_referral_office(
        tmp_path,
        extra=(
            f'[email]\nsmtp_url = "{smtp.url}"\nfrom_address = "desk@test.example"\n'
            "reply_timeout = 0.5\ndata_timeout = 0.5\n"
        ),
    )
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    cli = Cli(db, monkeypatch)
    run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "H"),
        *("--back-office", "housing", "--name", "Zed Quux", "--send-by", "email"),
        *("--email", "zed@example.org"),
        now=now.isoformat(),
    )
    return db, cli, now


def referral_message(db: Path) -> tuple[str, str, str | None, str | None]:
    ((reference, status, by, at),) = rows(
        db, "SELECT reference, status, cancelled_by, cancelled_at FROM followup_messages"
    )
    return str(reference), str(status), by, at


def test_the_team_leader_stops_a_referral_text_that_has_not_gone(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, now = _referral_by_text(tmp_path, notify, monkeypatch)
    cli = Cli(db, monkeypatch)
    notify.state.script = ["429"]  # Notify busy: it waits for its next try
    worker(cli, now)
    reference, status, _, _ = referral_message(db)
    assert status == "pending" and len(posts(notify, reference)) == 1
    at = now + timedelta(seconds=5)
    refused = cli("--user", "ana", *CANCEL.split(), "R-0001", now=at.isoformat())
    assert refused.code == 9 and refused.err.count("\n") == 1, refused.err
    assert "may not stop a resident's message being sent" in refused.err
    stopped = cli("--user", "tl", *CANCEL.split(), "R-0001", "--json", now=at.isoformat())
    assert stopped.code == 0, stopped.err
    assert stopped.json()["message"] == {
        "channel": "text",
        "status": "cancelled",
        "cancelled_by": "tl",
        "cancelled_at": "2026-11-23T10:00:05.000Z",
    }
    assert referral_message(db)[1:] == ("cancelled", "tl", "2026-11-23T10:00:05.000Z")
    worker(cli, now + timedelta(minutes=10))
    assert len(posts(notify, reference)) == 1  # never sent after
    later = (now + timedelta(minutes=10)).isoformat()
    shown = cli("--user", "tl", "followup", "show", "R-0001", now=later)
    assert "  reference by text: not sent, cancelled by Tia Leader at 10:00" in shown.out
    listed = cli("--user", "tl", "followup", "show", "R-0001", "--json", now=later).json()
    assert [m["status"] for m in listed["messages"]] == ["cancelled"]
    again = cli("--user", "tl", *CANCEL.split(), "R-0001", now=at.isoformat())
    assert again.code == 6 and again.err.count("\n") == 1, again.err
    assert "was cancelled already" in again.err
    unknown = cli("--user", "tl", *CANCEL.split(), "R-0099", now=at.isoformat())
    assert unknown.code == 5, unknown.err
    helped = cli(*CANCEL.split(), "--help")
    assert helped.code == 0 and "Team leader: stop a referral" in helped.out


def test_one_sent_already_cannot_be_stopped(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, now = _referral_by_text(tmp_path, notify, monkeypatch)
    cli = Cli(db, monkeypatch)
    worker(cli, now)
    assert referral_message(db)[1] == "sent"
    late = cli("--user", "tl", *CANCEL.split(), "R-0001", now=now.isoformat())
    assert late.code == 6, late.err
    assert "R-0001's reference by text was sent already" in late.err


def referral_by_text(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, datetime]:
    """As :func:`_referral_by_text`, with ``notify.timeout = 1`` (its look-up wait: 12 s)."""
    db, now = _referral_by_text(tmp_path, notify, monkeypatch)
    config = tmp_path / "site.toml"  # as make_db wrote it: `init` again with a shorter timeout
    config.write_text(config.read_text().replace("timeout = 60\n", "timeout = 1\n"))
    initialise(db, clock=FixedClock(now), config_path=config)
    return db, now


@pytest.mark.parametrize(("mode", "recorded"), [("timeout", "sent"), ("lost", "cancelled")])
def test_one_that_may_have_reached_notify_is_looked_up_before_it_is_said_not_sent(
    tmp_path: Path,
    notify: NotifyServer,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    recorded: str,
) -> None:
    """Notify took the request in and did not answer within the timeout (it stored it, or
    not); the team leader then stops it: it is not sent again, and once the look-up wait is
    over Notify is asked: there, it was sent; not there, it is cancelled."""
    db, now = referral_by_text(tmp_path, notify, monkeypatch)
    cli = Cli(db, monkeypatch)
    notify.state.script = [mode]
    worker(cli, now)
    reference, status, _, _ = referral_message(db)
    assert status == "pending"
    notify.state.release.set()
    notify.state.wait_for(f"{'ACCEPTED' if mode == 'timeout' else 'LOST'} ref={reference}")
    at = now + timedelta(seconds=5)
    stopped = cli("--user", "tl", *CANCEL.split(), "R-0001", now=at.isoformat())
    assert stopped.code == 0, stopped.err
    assert "Notify is asked whether it did" in stopped.out, stopped.out
    assert referral_message(db)[1] == "pending"
    worker(cli, now + timedelta(seconds=max(look_up_wait(1.0), 15) + 1))  # wait, backoff
    assert referral_message(db)[1] == recorded
    assert gets(notify, reference) == [f"GET ref={reference} found={int(mode == 'timeout')}"]
    assert len(posts(notify, reference)) == 1


@pytest.mark.parametrize("refused_after", [False, True])
def test_an_email_the_mail_server_may_have_accepted_is_never_said_not_sent(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, refused_after: bool
) -> None:
    """The mail server took the reference's email and did not answer the end of its DATA in
    time (``refused_after``: and its next try got no further than the address, a sure "not
    this time" that says nothing of the first); the team leader then stops it. A mail server
    cannot be asked what became of a message: it may have been sent, and the stop, `followup
    show` and the record say so (it was said "not sent"); it is never sent again, and Notify
    is never asked for an email."""
    db, cli, now = unanswered_email_referral(tmp_path, smtp, monkeypatch)
    worker(cli, now)
    ((status, handed_over, error),) = rows(
        db, "SELECT status, handed_over_at, last_error FROM followup_messages"
    )
    assert status == "pending" and handed_over is not None, (status, handed_over)
    assert "it may have been accepted" in str(error), error
    assert len(smtp.mailbox.messages) == 1
    smtp.mailbox.data_delay = 0.0
    at = (now + timedelta(seconds=5)).isoformat()
    if refused_after:
        smtp.mailbox.stall_rcpt = 1.5  # past reply_timeout: the message never went
        worker(cli, now + timedelta(minutes=10))
        ((status, error),) = rows(db, "SELECT status, last_error FROM followup_messages")
        assert status == "pending" and "cannot reach the mail server" in str(error), error
        assert len(smtp.mailbox.messages) == 1
        smtp.mailbox.stall_rcpt = 0.0
        at = (now + timedelta(minutes=11)).isoformat()
    stopped = cli("--user", "tl", *CANCEL.split(), "R-0001", now=at)
    assert stopped.code == 0, stopped.err
    assert "reference by email: may have been sent" in stopped.out, stopped.out
    assert "mail server" in stopped.out and "not sent" not in stopped.out, stopped.out
    assert "Notify" not in stopped.out, stopped.out
    assert referral_message(db)[1:] == ("uncertain", "tl", at.replace("+00:00", ".000Z"))
    worker(cli, now + timedelta(minutes=30))
    assert len(smtp.mailbox.messages) == 1  # never sent again
    shown = cli("--user", "tl", "followup", "show", "R-0001", now=at)
    (line,) = [x for x in shown.out.splitlines() if x.startswith("  reference by email")]
    assert "may have been sent" in line and "not sent" not in line, line
    listed = cli("--user", "tl", "followup", "show", "R-0001", "--json", now=at).json()
    assert [m["status"] for m in listed["messages"]] == ["uncertain"]
    # The team leader's alert says what it went through: the mail server, not Notify.
    alerts = cli("--user", "tl", "alerts", "list", "--json", now=at).json()
    assert [(a["kind"], a["channel"], a["via"]) for a in alerts] == [
        ("referral_message", "email", "smtp")
    ]


def test_a_referral_email_the_mail_server_never_confirms_goes_twice_at_most(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mail server takes the reference's email and never answers the end of its DATA in
    time. It was sent again at every retry until its deadline, each time the same email (one
    Message-ID), each of which may have reached the resident. As appointment messages, it goes
    twice at most (MAX_UNCONFIRMED_SENDS), then is said "may have been sent" and is an alert."""
    db, cli, now = unanswered_email_referral(tmp_path, smtp, monkeypatch)
    for minutes in (0, 10, 30, 60, 120, 240):
        worker(cli, now + timedelta(minutes=minutes))
    assert len(smtp.mailbox.messages) == MAX_UNCONFIRMED_SENDS
    ((status, error),) = rows(db, "SELECT status, last_error FROM followup_messages")
    assert (status, error) == ("uncertain", NEVER_CONFIRMED)
    at = (now + timedelta(minutes=241)).isoformat()
    shown = cli("--user", "tl", "followup", "show", "R-0001", now=at)
    (line,) = [x for x in shown.out.splitlines() if x.startswith("  reference by email")]
    assert "may have been sent" in line, line
    alerts = cli("--user", "tl", "alerts", "list", "--json", now=at).json()
    assert [(a["kind"], a["via"]) for a in alerts] == [("referral_message", "smtp")]


@dataclass(frozen=True)
class Sends:
    """An appointment message's row, as the leased outbox counts its tries."""

    attempts: int
    unconfirmed: int


@pytest.mark.parametrize("most", [MAX_UNCONFIRMED_SENDS, MAX_UNCONFIRMED_SENDS + 1])
def test_referral_and_appointment_emails_stop_after_as_many_unconfirmed_sends(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, most: int
) -> None:
    """One rule decides how often an email the mail server never confirms is sent: with the
    limit raised, the referral's reference (whose row keeps no count of unconfirmed sends) goes
    that many times, and an appointment message (whose row counts them) stops after as many
    (the referral lane compared a yes/no with the limit: right only while it was 2)."""
    monkeypatch.setattr(message_delivery, "MAX_UNCONFIRMED_SENDS", most)
    db, cli, now = unanswered_email_referral(tmp_path, smtp, monkeypatch)
    for minutes in (0, 10, 30, 60, 120, 240, 480):
        worker(cli, now + timedelta(minutes=minutes))
    assert len(smtp.mailbox.messages) == most
    assert rows(db, "SELECT status, attempts FROM followup_messages") == [("uncertain", most)]
    unanswered = SendFault("no reply to the end of DATA", retry=True, uncertain=True)
    later = now + timedelta(days=1)
    goes_on = after_fault(unanswered, Sends(most - 1, most - 2), later, now)
    assert (goes_on.result.status, goes_on.unconfirmed) == ("pending", most - 1)
    stops = after_fault(unanswered, Sends(most, most - 1), later, now)
    assert (stops.result.status, stops.unconfirmed) == ("failed", most)
