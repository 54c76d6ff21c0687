"""A running device worker writes each resident's message in the wording in force when it
writes it: after ``oss-desk init`` loads a corrected "to change or cancel" line, the next
message says the new line, without a restart (trial12 W2: the old words went on until the
worker was restarted).

The real device worker (its lanes, its change feed) sends through a loopback SMTP server
(aiosmtpd); the configuration is loaded by ``init`` as an office would.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.worker.run import DeviceWorker

from .appointments_site import NOW, office_toml, service_at
from .messaging import API_KEY, SERVICE_ID, NotifyServer, SmtpServer
from .test_messages import at, text_of

OLD = "To change or cancel, call 01632 960001."
NEW = "To change or cancel, call 01632 960002 or visit example.gov.uk/book."
REPLIES = "Replies to this email are not read."


def with_line(toml: str, line: str) -> str:
    return toml.replace("[appointments]\n", f'[appointments]\nchange_line = "{line}"\n', 1)


def arrived(smtp: SmtpServer, count: int, timeout: float = 30.0) -> list[EmailMessage]:
    """The mailbox once it holds ``count`` messages (AssertionError after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while len(smtp.mailbox.messages) < count:
        assert time.monotonic() < deadline, f"{len(smtp.mailbox.messages)} of {count} arrived"
        smtp.mailbox.arrived.wait(0.1)
        smtp.mailbox.arrived.clear()
    return list(smtp.mailbox.messages)


def test_a_running_worker_sends_the_wording_init_loaded(tmp_path: Path, smtp: SmtpServer) -> None:
    toml = office_toml(smtp_url=smtp.url)
    config = tmp_path / "office.toml"
    config.write_text(with_line(toml, OLD), encoding="utf-8")
    db = tmp_path / "office.sqlite"
    clock = FixedClock(NOW)
    initialise(db, clock=clock, config_path=config)
    worker = DeviceWorker(
        lambda: open_session(db=db, clock=clock, person="worker"), poll_interval=0.02
    )
    worker.start()
    try:
        svc, session = service_at(db, clock)
        svc.book("C", at(26, 11), channel="email", email="one@example.org")
        session.close()
        [first] = arrived(smtp, 1)
        assert OLD in text_of(first)

        # The office corrects its line while the worker runs.
        corrected = with_line(toml, NEW).replace(
            'from_address = "appointments@test.example"\n',
            'from_address = "appointments@test.example"\nfrom_name = "Test One Stop Shop"\n'
            f'replies = "{REPLIES}"\n',
        )
        assert REPLIES in corrected
        config.write_text(corrected, encoding="utf-8")
        initialise(db, clock=clock, config_path=config)
        svc, session = service_at(db, clock)
        svc.book("C", at(26, 12), channel="email", email="two@example.org")
        session.close()
        second = arrived(smtp, 2)[1]
        assert NEW in text_of(second)
        assert OLD not in text_of(second)
        assert REPLIES in text_of(second)  # the email settings too: its line on replies
        assert str(second["From"]) == "Test One Stop Shop <appointments@test.example>"
    finally:
        worker.join()


def test_a_running_worker_sends_through_the_mail_server_init_loaded(tmp_path: Path) -> None:
    """The office moves to another mail server (another port) and sender address while the
    worker runs: after ``init``, the next message goes to the new server from the new address
    (it went on to the old one until the worker was restarted)."""
    old, new = SmtpServer(), SmtpServer()
    try:
        toml = office_toml(smtp_url=old.url)
        config = tmp_path / "office.toml"
        config.write_text(toml, encoding="utf-8")
        db = tmp_path / "office.sqlite"
        clock = FixedClock(NOW)
        initialise(db, clock=clock, config_path=config)
        worker = DeviceWorker(
            lambda: open_session(db=db, clock=clock, person="worker"), poll_interval=0.02
        )
        worker.start()
        try:
            svc, session = service_at(db, clock)
            svc.book("C", at(26, 11), channel="email", email="one@example.org")
            session.close()
            [first] = arrived(old, 1)
            assert str(first["From"]) == "Test Council <appointments@test.example>"
            moved = toml.replace(old.url, new.url).replace(
                "appointments@test.example", "bookings@new.example"
            )
            config.write_text(moved, encoding="utf-8")
            initialise(db, clock=clock, config_path=config)
            svc, session = service_at(db, clock)
            svc.book("C", at(26, 12), channel="email", email="two@example.org")
            session.close()
            [second] = arrived(new, 1)
            assert str(second["To"]) == "two@example.org"
            assert str(second["From"]) == "Test Council <bookings@new.example>"
            assert "@new.example>" in str(second["Message-ID"])
            assert len(old.mailbox.messages) == 1
        finally:
            worker.join()
    finally:
        old.stop()
        new.stop()


def test_a_running_worker_sends_with_the_notify_key_init_loaded(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """The office's Notify key was wrong (Notify refuses it: 403, the text failed); it sets the
    right one and runs ``init`` while the worker runs: the next text goes, signed with it (the
    worker kept the key it read at start until it was restarted)."""
    wrong, right = tmp_path / "wrong.key", tmp_path / "right.key"
    wrong.write_text(f"oss_desk_test-{SERVICE_ID}-{uuid.UUID(int=3)}\n")
    right.write_text(API_KEY + "\n")
    toml = office_toml(notify_url=notify.url, key_file=str(wrong))
    config = tmp_path / "office.toml"
    config.write_text(toml, encoding="utf-8")
    db = tmp_path / "office.sqlite"
    clock = FixedClock(NOW)
    initialise(db, clock=clock, config_path=config)
    worker = DeviceWorker(
        lambda: open_session(db=db, clock=clock, person="worker"), poll_interval=0.02
    )
    worker.start()
    try:
        svc, session = service_at(db, clock)
        svc.book("C", at(26, 11), channel="text", phone="07700 900001")
        session.close()
        settled(db, "failed")
        assert [r for r in notify.state.log if r.startswith("POST")] == []  # refused: 403
        config.write_text(toml.replace(str(wrong), str(right)), encoding="utf-8")
        initialise(db, clock=clock, config_path=config)
        svc, session = service_at(db, clock)
        svc.book("C", at(26, 12), channel="text", phone="07700 900002")
        session.close()
        notify.state.wait_until(lambda line: line.startswith("ACCEPTED "))
    finally:
        worker.join()
    assert [n["phone_number"] for n in notify.state.sent] == ["+447700900002"]


def settled(db: Path, status: str, timeout: float = 30.0) -> None:
    """Wait until the first confirmation is ``status`` (AssertionError after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(db) as conn:
            found = conn.execute("SELECT status FROM messages ORDER BY id LIMIT 1").fetchone()
        if found and found[0] == status:
            return
        assert time.monotonic() < deadline, found
        time.sleep(0.05)
