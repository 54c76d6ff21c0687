"""``doctor`` grades the mail server and Notify no better than the worker last found them: a
Notify that answers here but refused the worker's key is a failure, not "ok". A fault that
changes is said from when it changed; a look-up Notify answered finds it taking requests."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import format_instant
from oss_desk.domain.send_faults import NOT_TRIED, sender_words
from oss_desk.storage.lease import WorkerLock

from .appointments_site import NOW
from .conftest import Cli
from .messaging import NotifyServer
from .test_delivery_handover import own_devices
from .test_messages import book_text, deliver, notify_office
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
