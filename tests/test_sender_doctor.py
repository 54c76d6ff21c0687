"""``doctor`` grades the mail server and Notify no better than the worker last found them: a
Notify that answers here but refused the worker's key is a failure, not "ok". A fault that
changes is said from when it changed; a look-up Notify answered finds it taking requests."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.send_faults import NOT_TRIED, sender_words
from oss_desk.services.site import initialise
from oss_desk.storage.lease import WorkerLock

from .appointments_site import NOW, make_office, office_toml, service_at
from .conftest import Cli
from .messaging import NotifyServer, SmtpServer, free_port
from .test_delivery_handover import own_devices
from .test_messages import at, book_text, deliver, notify_office
from .test_sender_states import leader_senders


@pytest.fixture
def devices_owned() -> Iterator[Callable[[Path], None]]:
    """This process owns an office's devices (its lease and heartbeat), as a running worker."""
    held: list[WorkerLock] = []
    yield lambda db: held.append(own_devices(db, "test-worker"))
    for lock in held:
        lock.release()


def doctor_line(db: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    result = Cli(db, monkeypatch)("doctor", now=format_instant(NOW + timedelta(minutes=5)))
    (line,) = [x for x in result.out.splitlines() if x.split()[1:2] == [name]]
    return line


@pytest.mark.parametrize(
    ("answer", "level", "found"),
    [
        ("403", "fail", "Notify refused the key or the clock is over 30 s out (403) since 10:00"),
        ("429", "warn", "Notify's rate limit (429) since 10:00 (1 waiting)"),
        ("201", "ok", "ok"),
    ],
)
def test_doctor_grades_notify_by_what_the_worker_last_found(
    tmp_path: Path,
    notify: NotifyServer,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    level: str,
    found: str,
) -> None:
    db = notify_office(tmp_path, notify)
    book_text(db)
    notify.state.script = [answer]
    deliver(db, NOW)
    line = doctor_line(db, monkeypatch, "notify")
    assert line.split()[0] == level, line
    assert line.endswith(f"reachable; the worker last found: {found}"), line


def test_a_fault_that_changes_is_said_from_when_it_changed(
    tmp_path: Path, notify: NotifyServer, devices_owned: Callable[[Path], None]
) -> None:
    db = notify_office(tmp_path, notify)
    devices_owned(db)
    book_text(db)
    notify.state.script = ["429", "500"]
    deliver(db, NOW)
    assert leader_senders(db) == (
        ("Notify", "Notify's rate limit (429) since 10:00 (1 waiting)", True),
    )
    later = NOW + timedelta(minutes=30)
    deliver(db, later)
    said = "Notify failed (500) since 10:30: it may have reached Notify (1 waiting)"
    assert leader_senders(db, later) == (("Notify", said, True),)


def test_a_look_up_notify_answered_finds_it_taking_requests(
    tmp_path: Path,
    notify: NotifyServer,
    monkeypatch: pytest.MonkeyPatch,
    devices_owned: Callable[[Path], None],
) -> None:
    db = notify_office(tmp_path, notify)
    devices_owned(db)
    book_text(db)
    notify.state.script = ["timeout"]  # Notify takes it, but answers after the 1 s timeout
    deliver(db, NOW)
    ((_, said, fault),) = leader_senders(db)
    assert fault and said.startswith("Notify did not answer within 1 s"), said
    assert deliver(db, NOW + timedelta(minutes=10)) == (1, 0)  # found by its reference
    assert notify.state.requests[-1].startswith("GET /v2/notifications?")
    assert len(notify.state.sent) == 1
    assert doctor_line(db, monkeypatch, "notify").endswith("the worker last found: ok")


def test_a_sender_not_tried_yet_keeps_the_count_of_messages_waiting(
    tmp_path: Path, notify: NotifyServer, devices_owned: Callable[[Path], None]
) -> None:
    words = sender_words(None, None, None, 2)
    assert (words.text, words.waiting, words.worth_saying) == (f"{NOT_TRIED} (2 waiting)", 2, True)
    # A try that found Notify down, whose state could not be written (the database was locked):
    # the message waits, the sender is not known; the status line says both.
    db = notify_office(tmp_path, notify)
    devices_owned(db)
    book_text(db)
    notify.stop()
    deliver(db, NOW)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM device_status WHERE url = 'notify'")
    conn.close()
    assert leader_senders(db) == (("Notify", f"{NOT_TRIED} (1 waiting)", False),)


def test_what_the_worker_found_of_another_mail_server_is_not_said_of_this_one(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The IT administrator's trial: after smtp_url was changed to another port, doctor said
    "fail email smtp 127.0.0.1:8026: ... the worker last found: ok", an ok found of the old
    server. What the worker found before the server now configured was stored is not said of
    it, nor is a server the stored configuration (which the worker follows) does not name."""
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    assert deliver(db, NOW) == (1, 0)  # the worker found the old server ok
    assert doctor_line(db, monkeypatch, "email").endswith("the worker last found: ok")
    moved = f"smtp://127.0.0.1:{free_port()}?starttls=off"  # nothing listens there
    config = tmp_path / "moved.toml"
    config.write_text(office_toml(smtp_url=moved))
    later = NOW + timedelta(minutes=2)
    initialise(db, clock=FixedClock(later), config_path=config)
    line = doctor_line(db, monkeypatch, "email")
    assert line.split()[0] == "fail", line
    assert "the worker last found: ok" not in line, line
    assert line.endswith(
        "what the worker last found of the mail server dates from before this one was "
        "configured (10:02): not known of this one until the worker sends through it"
    ), line
    # Named on the command line, not stored: the worker has not been given it at all.
    other = tmp_path / "other.toml"
    other.write_text(office_toml(smtp_url=smtp.url.replace(str(smtp.port), "9")))
    result = Cli(db, monkeypatch)("--config", str(other), "doctor", now=format_instant(later))
    assert result.code in (0, 1), result.err + result.out
    (line,) = [x for x in result.out.splitlines() if x.split()[1:2] == ["email"]]
    assert line.endswith(
        "the worker follows the stored configuration, which names another mail server: it "
        "has not tried this one (store it with `oss-desk init --config FILE`)"
    ), line
    # Once the worker has tried the new server, what it found is this one's.
    svc, session = service_at(db, FixedClock(later))
    svc.book("C", at(27, 11), channel="email", email="resident@example.org")
    session.close()
    assert deliver(db, later + timedelta(minutes=1)) == (0, 0)
    line = doctor_line(db, monkeypatch, "email")
    assert "the worker last found: cannot reach the mail server (connection refused)" in line
    # A variable that names the mail server names it to every process, the worker's too: what
    # the worker found is said as ever (it cannot be told from the stored configuration).
    env = {"OSS_DESK_EMAIL__SMTP_URL": smtp.url}
    result = Cli(db, monkeypatch)("doctor", now=format_instant(later), env=env)
    (line,) = [x for x in result.out.splitlines() if x.split()[1:2] == ["email"]]
    assert line.endswith(
        "answers EHLO; the worker last found: cannot reach the mail server (connection refused) "
        "since 10:03 (1 waiting)"
    ), line
