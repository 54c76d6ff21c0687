"""A send to GOV.UK Notify that ends without a sure answer (the client's timeout) is looked up
only after the look-up wait (``2 x notify.timeout + 10 s``), and sent again only when Notify
does not have it: a slow request accepted late is sent once; a request that really was lost is
sent once more. Against a real loopback Notify (tests/messaging.py) that holds a request until
the test lets it go, with the real device worker's passes on a fixed clock; the worker log says
the timeout and the look-up's outcome, by reference only.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.sending import look_up_wait
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.worker.rounds import WorkerReport
from oss_desk.worker.run import DeviceWorker

from .appointments_site import NOW, office_toml, service_at
from .cli_here import run_cli_here
from .conftest import Cli
from .followups_site import make_office as make_referral_office
from .followups_site import run_json
from .messaging import API_KEY, NotifyServer
from .test_turn_texts import PHONES, START, Day, office

ANN = PHONES["ann"].replace(" ", "")[1:]  # the digits a log line must never show


def posts(notify: NotifyServer, reference: str) -> list[str]:
    return [line for line in notify.state.log if line.startswith(f"POST sms ref={reference} ")]


def gets(notify: NotifyServer, reference: str) -> list[str]:
    return [line for line in notify.state.log if line.startswith(f"GET ref={reference} ")]


def called_text(db: Path) -> tuple[str, str]:
    """The reference and status of the one "called" text."""
    with sqlite3.connect(db) as conn:
        ((reference, status),) = conn.execute(
            "SELECT reference, status FROM turn_texts WHERE kind = 'called'"
        ).fetchall()
    return str(reference), str(status)


@pytest.mark.parametrize("mode", ["slow", "lost"])
def test_a_called_text_is_looked_up_after_the_wait_and_sent_once(
    tmp_path: Path, notify: NotifyServer, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    """Notify takes the "called" text in and does not answer within ``notify.timeout`` (1 s
    here). While it still holds it, the worker's passes every few seconds neither look it up
    nor send it again. Slow: Notify accepts it late; the look-up after the wait (12 s) finds
    it, and nothing more is sent. Lost: Notify never stored it; after the wait it is sent once
    more, and the resident has it once."""
    caplog.set_level(logging.INFO, logger="oss_desk")
    wait = look_up_wait(1.0)
    assert wait == 12.0
    day = Day(office(tmp_path, notify))
    try:
        code = day.issue("C", "ann")
        day.worker()  # "nearly your turn": sent at once
        called = day.queue.call_next("desk-1")
        assert called is not None and called.code == code
        notify.state.script = [mode]
        day.worker()  # the request goes, and the client gives up after 1 s
        reference, status = called_text(day.db)
        assert status == "pending"
        assert len(posts(notify, reference)) == 1
        # The worker wakes again and again while Notify still holds the request (the earlier
        # rule looked it up 2 s after the timeout, found nothing, and sent it again).
        for seconds in (2, 4, 8, wait - 1):
            day.clock.set(START + timedelta(seconds=seconds))
            day.worker()
        assert gets(notify, reference) == [] and len(posts(notify, reference)) == 1
        notify.state.release.set()  # Notify is done with it: stored (slow), or not (lost)
        notify.state.wait_for(f"{'ACCEPTED' if mode == 'slow' else 'LOST'} ref={reference}")
        day.clock.set(START + timedelta(seconds=wait + 2))
        day.worker()
        assert called_text(day.db) == (reference, "sent")
        found = "1" if mode == "slow" else "0"
        assert gets(notify, reference) == [f"GET ref={reference} found={found}"]
        assert len(posts(notify, reference)) == (1 if mode == "slow" else 2)
        assert notify.state.log.count(f"ACCEPTED ref={reference}") == 1  # the resident: once
        day.clock.set(START + timedelta(minutes=5))
        day.worker()
        assert notify.state.log.count(f"ACCEPTED ref={reference}") == 1
    finally:
        day.close()
    said = [r.getMessage() for r in caplog.records if reference in r.getMessage()]
    assert said[0] == (
        f"text {reference}: Notify did not answer within 1 s: it may have reached Notify; "
        "looked up no sooner than 12 s from now, before any resend"
    )
    assert said[1] == (
        f"{reference}: Notify has it (an earlier try got through): not sent again"
        if mode == "slow"
        else f"{reference}: Notify does not have it: sending it again"
    )
    assert ANN not in caplog.text and "Ann" not in caplog.text


@pytest.mark.parametrize(
    ("then", "mode", "look_up", "recorded"),
    [
        ("finish", "lost", "200", "cancelled"),
        ("no_show", "lost", "200", "cancelled"),
        ("finish", "slow", "200", "sent"),
        ("finish", "lost", "500", "uncertain"),
    ],
)
def test_a_called_text_whose_ticket_was_dealt_with_meanwhile_is_not_sent_again(
    tmp_path: Path,
    notify: NotifyServer,
    monkeypatch: pytest.MonkeyPatch,
    then: str,
    mode: str,
    look_up: str,
    recorded: str,
) -> None:
    """The wait makes a "called" text late. One whose ticket is no longer called when its turn
    comes (the resident came and was served, or was marked no-show) is not sent again:
    "please go to Desk 1 now" would be wrong. (One called again meanwhile is still called,
    and is sent: it is still true.) Its earlier try may have reached Notify, so Notify is asked
    what became of it: not there, it was never sent (cancelled); there, it was sent; Notify
    failing the look-up, it may have been sent, and is recorded and said so (it was recorded
    cancelled, as if it certainly was not)."""
    day = Day(office(tmp_path, notify))
    try:
        code = day.issue("C", "ann")
        day.worker()
        called = day.queue.call_next("desk-1")
        assert called is not None
        notify.state.script = [mode]
        day.worker()
        reference, _ = called_text(day.db)
        notify.state.release.set()
        notify.state.wait_for(f"{'LOST' if mode == 'lost' else 'ACCEPTED'} ref={reference}")
        if then == "finish":
            day.queue.finish(code, "resolved")
        else:
            day.queue.no_show(code)
        notify.state.look_up_script = [look_up]
        at = START + timedelta(seconds=look_up_wait(1.0) + 1)
        day.clock.set(at)
        day.worker()
        assert called_text(day.db) == (reference, recorded)
        assert len(posts(notify, reference)) == 1  # never sent again
        found = "failed=500" if look_up == "500" else f"found={int(mode == 'slow')}"
        assert gets(notify, reference) == [f"GET ref={reference} {found}"]
    finally:
        day.close()
    shown = Cli(day.db, monkeypatch)("ticket", "show", code, now=at.isoformat())
    assert shown.code == 0, shown.err
    if recorded == "uncertain":
        assert shown.out.splitlines()[0].endswith(
            "; come-to-the-desk text may have been sent: the ticket is done now; an earlier "
            "try may have reached Notify, and Notify could not be asked whether it did (cannot "
            "check Notify for an earlier send (500))"
        ), shown.out
    else:
        assert "text" not in shown.out, shown.out


def test_a_text_left_before_its_request_left_is_sent_at_once_by_the_next_worker(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """A worker that stopped after it took the "called" text and before its request was handed
    to Notify (its claim committed, nothing else) left a text Notify cannot have: the next
    worker sends it at once, without a look-up (it waited the whole look-up wait, as one whose
    request may be with Notify still does: the test above with a killed worker)."""
    from oss_desk.clock import format_instant
    from oss_desk.storage.resident import claim_turn_text

    db = office(tmp_path, notify)
    day = Day(db)
    try:
        day.issue("C", "ann")
        day.worker()
        called = day.queue.call_next("desk-1")
        assert called is not None
        assert day.texts.queue_due() == 1  # the worker's round queues it, then takes it
        with day.session.store.write() as conn:  # what a worker that died then leaves
            lease = format_instant(START + timedelta(minutes=2))
            taken = claim_turn_text(conn, format_instant(START), lease)
        assert taken is not None and taken.kind == "called"
    finally:
        day.close()
    quiet_pass(db, START + timedelta(seconds=1))
    reference, status = called_text(db)
    assert (reference, status) == (taken.reference, "sent")
    assert len(posts(notify, reference)) == 1 and gets(notify, reference) == []


def slow_office(tmp_path: Path, notify: NotifyServer) -> Path:
    """The appointments office with ``notify.timeout = 3``: its look-up wait (16 s) is longer
    than the messages' first backoff (15 s)."""
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    toml = office_toml(notify_url=notify.url, key_file=str(key))
    assert "timeout = 1\n" in toml
    config = tmp_path / "office.toml"
    config.write_text(toml.replace("timeout = 1\n", "timeout = 3\n"))
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(NOW), config_path=config)
    return db


@pytest.mark.parametrize("mode", ["slow", "lost"])
def test_an_appointment_text_is_looked_up_after_the_wait_and_sent_once(
    tmp_path: Path, notify: NotifyServer, mode: str
) -> None:
    db = slow_office(tmp_path, notify)
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock)
    svc.book("C", NOW + timedelta(days=3), channel="text", phone=PHONES["bob"], name="Bob")
    session.close()

    def worker_pass() -> WorkerReport:
        """One pass of the real device worker (``worker --once``) at the clock's time."""
        return DeviceWorker(lambda: open_session(db=db, clock=clock, person="worker")).run_once()

    notify.state.script = [mode]
    assert worker_pass().messages_retried == 1  # no answer within 3 s
    (line,) = [line for line in notify.state.log if line.startswith("POST")]
    reference = line.split("ref=")[1].split()[0]
    assert reference.startswith("oss-") and "-con-" in reference
    wait = look_up_wait(3.0)
    for seconds in (15.5, wait - 0.5):  # past the backoff, not the wait: not looked up
        clock.set(NOW + timedelta(seconds=seconds))
        assert worker_pass().messages_sent == 0
    assert gets(notify, reference) == [] and len(posts(notify, reference)) == 1
    notify.state.release.set()
    notify.state.wait_for(f"{'ACCEPTED' if mode == 'slow' else 'LOST'} ref={reference}")
    clock.set(NOW + timedelta(seconds=wait + 1))
    assert worker_pass().messages_sent == 1
    found = "1" if mode == "slow" else "0"
    assert gets(notify, reference) == [f"GET ref={reference} found={found}"]
    assert len(posts(notify, reference)) == (1 if mode == "slow" else 2)
    assert notify.state.log.count(f"ACCEPTED ref={reference}") == 1
    clock.set(NOW + timedelta(minutes=10))
    assert worker_pass().messages_sent == 0
    assert notify.state.log.count(f"ACCEPTED ref={reference}") == 1


def test_what_a_failed_request_may_have_done(tmp_path: Path, notify: NotifyServer) -> None:
    """A request that never connected (nobody listening) certainly was not accepted: retried
    with the backoff, no look-up wait. One sent and not answered may have been: it carries the
    wait (2 x 1 s + 10 s)."""
    from oss_desk.services.messages import Composed
    from oss_desk.services.senders import NotifySender, SendFault
    from oss_desk.services.session import open_session as session_of

    from .messaging import free_port

    db = office(tmp_path, notify)
    session = session_of(db=db, clock=FixedClock(START), person="worker")
    text = Composed("Town Hall", "Town Hall", "C001: please go to Desk 1 now.", "C001", None)
    try:
        settings = session.settings.notify
        closed = NotifySender(
            settings.model_copy(update={"base_url": f"http://127.0.0.1:{free_port()}"})
        )
        with pytest.raises(SendFault) as refused:
            closed.send("text", "07700900001", text, "oss-t1-called-aaaa")
        assert (refused.value.uncertain, refused.value.look_up_after) == (False, 0.0)
        assert refused.value.reason == "cannot reach Notify (connection refused)"
        notify.state.script = ["lost"]
        with pytest.raises(SendFault) as unanswered:
            NotifySender(settings).send("text", "07700900001", text, "oss-t1-called-bbbb")
        assert (unanswered.value.uncertain, unanswered.value.look_up_after) == (True, 12.0)
    finally:
        notify.state.release.set()
        session.close()


def worker_process(db: Path, at: datetime) -> subprocess.Popen[str]:
    """``oss-desk worker --once`` in its own process, its clock at ``at``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), OSS_DESK_NOW=at.isoformat())
    return subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "worker", "--once"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def killed_while_notify_holds_it(db: Path, notify: NotifyServer, at: datetime) -> None:
    """A worker whose request Notify holds, killed -9 while it waits for the answer."""
    notify.state.script = ["slow"]
    first = worker_process(db, at)
    notify.state.wait_until(lambda line: line.endswith(" mode=slow"))
    first.kill()
    first.communicate()


def quiet_pass(db: Path, at: datetime) -> None:
    """``oss-desk worker --once`` at ``at``, as :func:`worker_process` runs it but through the
    entry point in this process (tests/cli_here.py): what it proves is its effect and that it
    ends well and says nothing, not its process (the one killed -9 is one of its own)."""
    done = run_cli_here(
        "worker", "--once", env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": at.isoformat()}
    )
    assert done.stderr == "" and done.returncode == 0, done.stderr


def test_a_called_text_left_by_a_killed_worker_is_looked_up_after_the_wait(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """A worker killed -9 while Notify holds its "called" text leaves it mid-send; the next
    worker takes over at once but looks the text up only after the look-up wait (here
    ``notify.timeout = 60``: 130 s), finds it, and does not send it again."""
    db = office(tmp_path, notify)
    config = tmp_path / "site.toml"  # `init` again with a longer timeout
    config.write_text(config.read_text().replace("timeout = 1\n", "timeout = 60\n"))
    initialise(db, clock=FixedClock(START), config_path=config)
    day = Day(db)
    try:
        day.issue("C", "ann")
        day.worker()
        called = day.queue.call_next("desk-1")
        assert called is not None
    finally:
        day.close()
    killed_while_notify_holds_it(db, notify, START)
    reference, status = called_text(db)
    assert status == "sending"
    for seconds in (1, 129):  # taken over at once; not looked up while Notify may hold it
        quiet_pass(db, START + timedelta(seconds=seconds))
    assert gets(notify, reference) == [] and len(posts(notify, reference)) == 1
    notify.state.release.set()
    notify.state.wait_for(f"ACCEPTED ref={reference}")
    quiet_pass(db, START + timedelta(seconds=132))
    assert gets(notify, reference) == [f"GET ref={reference} found=1"]
    assert called_text(db) == (reference, "sent")
    assert notify.state.log.count(f"ACCEPTED ref={reference}") == 1


def _referral_by_text(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, datetime]:
    """An office whose texts go through the local Notify (``notify.timeout = 60``), and a
    referral whose reference is to go by text, added at 10:00 (the instant returned)."""
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    db = make_referral_office(
        tmp_path,
        extra=(
            f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
            'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 60\n'
        ),
    )
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    run_json(
        Cli(db, monkeypatch),
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "H"),
        *("--back-office", "housing", "--name", "Zed Quux", "--send-by", "text"),
        *("--phone", "07700 900417"),
        now=now.isoformat(),
    )
    return db, now


def test_a_referral_text_left_by_a_killed_worker_is_looked_up_after_the_wait(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a referral's reference sent by text (``notify.timeout = 60``)."""
    db, now = _referral_by_text(tmp_path, notify, monkeypatch)
    killed_while_notify_holds_it(db, notify, now)
    with sqlite3.connect(db) as conn:
        ((reference, status),) = conn.execute(
            "SELECT reference, status FROM followup_messages"
        ).fetchall()
    assert status == "sending"
    for seconds in (1, 129):
        quiet_pass(db, now + timedelta(seconds=seconds))
    assert gets(notify, reference) == [] and len(posts(notify, reference)) == 1
    notify.state.release.set()
    notify.state.wait_for(f"ACCEPTED ref={reference}")
    quiet_pass(db, now + timedelta(seconds=132))
    assert gets(notify, reference) == [f"GET ref={reference} found=1"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM followup_messages").fetchall() == [("sent",)]
    assert notify.state.log.count(f"ACCEPTED ref={reference}") == 1


def test_a_referral_text_left_before_its_request_left_is_sent_at_once(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a referral's reference by text: a worker that stopped after it took the
    message and before its request was handed to Notify left one Notify cannot have; the next
    worker sends it at once (it waited the whole look-up wait, 130 s here)."""
    from oss_desk.clock import format_instant
    from oss_desk.storage.followups import claim_message

    db, now = _referral_by_text(tmp_path, notify, monkeypatch)
    worker = open_session(db=db, clock=FixedClock(now), person="worker", host=True)
    try:
        with worker.store.write() as conn:  # what a worker that died then leaves
            lease = format_instant(now + timedelta(minutes=15))
            taken = claim_message(conn, format_instant(now), lease)
    finally:
        worker.close()
    assert taken is not None
    quiet_pass(db, now + timedelta(seconds=1))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM followup_messages").fetchall() == [("sent",)]
    assert len(posts(notify, taken.reference)) == 1 and gets(notify, taken.reference) == []
