"""Canary personal data never leaks: a full office day with made-up names, phone numbers and
email addresses seeded into every place a desk can type them (bookings, notes), run through the
real services and a real device worker process, then searched for in everything that leaves the
database: the printed bytes, the board's frames, the worker's log, the fault-report folder, the
event log (the audit trail) and the references sent to GOV.UK Notify.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.services.resident import token_for
from oss_desk.services.screen import phone_state, screen_state
from oss_desk.services.session import open_session
from oss_desk.services.turn_texts import TurnTexts

from .appointments_site import make_office
from .escpos_decoder import decode, text_lines
from .messaging import API_KEY, NotifyServer

# The canaries: made-up people, each in several spellings a leak could take.
PEOPLE = [
    ("Zebedee Quuxworth", "07700 900417", "zq.canary@example.org"),
    ("Philippa Vandersnoot", "07700900982", "pv-canary@example.net"),
    ("Ossian Plimsoll-Grout", "+44 7700 900655", "ossian.plimsoll@example.com"),
]


def canary_strings() -> list[str]:
    found: list[str] = []
    for name, phone, email in PEOPLE:
        found += name.replace("-", " ").split()
        digits = "".join(c for c in phone if c.isdigit())
        national = digits[-10:]  # 7700900417
        found += [national, national[-6:], email, email.split("@")[0]]
    return found


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # November: GMT, so UTC = local


def run_worker(
    db: Path, when: datetime, tmp_path: Path, done: Callable[[], bool] = lambda: True
) -> str:
    """The real device worker as a service runs it (logging on stderr), until the outbox is
    empty and ``done`` holds; returns everything it wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update({"OSS_DESK_DB": str(db), "OSS_DESK_NOW": format_instant(when)})
    log = tmp_path / f"worker-{when:%d%H%M}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            # Started first (a loaded machine takes a while to import it all), then emptied.
            while "device worker started" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            while time.monotonic() < deadline:
                time.sleep(0.5)
                if not pending(db, when) and done():
                    time.sleep(1.0)  # the board's refresh and the log lines of the last sends
                    break
            else:
                pytest.fail(f"the worker did not empty the outbox: {pending(db, when)}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return log.read_text()


def pending(db: Path, when: datetime) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        now = format_instant(when)
        # (The outboxes' statuses are 'pending' and 'printing'/'sending': waiting on a status
        # no row ever has let the worker be stopped before it had done anything.)
        return conn.execute(
            "SELECT 'print', id, status FROM print_jobs WHERE status IN ('pending', 'printing') "
            "UNION ALL SELECT 'message', id, status FROM messages "
            "WHERE status IN ('pending', 'sending') AND due_at <= ? "
            "UNION ALL SELECT 'text', id, status FROM turn_texts "
            "WHERE status IN ('pending', 'sending')",
            [now],
        ).fetchall()
    finally:
        conn.close()


def test_canary_personal_data_never_leaves_the_database(
    tmp_path: Path, notify: NotifyServer
) -> None:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    printer = tmp_path / "greet-printer.escpos"
    board = tmp_path / "board.frames"
    db = make_office(
        tmp_path,
        now=at(23, 8),
        notify_url=notify.url,
        key_file=str(key),
        printer=f"capture://{printer}",
        extra=f'[board]\nurl = "ascii+capture://{board}?rows=4&cols=24"\n',
    )
    (a_name, a_phone, _), (b_name, _, b_email), (c_name, c_phone, c_email) = PEOPLE

    # Monday 23 November: bookings at meet-and-greet, with every contact field filled in.
    clock = FixedClock(at(23, 9, 5))
    session = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    appts = AppointmentService(session)
    queue = QueueService(session)
    text_appt = appts.book("C", at(24, 10), channel="text", name=a_name, phone=a_phone)
    email_appt = appts.book("C", at(24, 11), channel="email", name=b_name, email=b_email)
    slip_appt = appts.book(
        "H", at(24, 14), channel="slip", name=c_name, phone=c_phone, email=c_email
    )
    cancelled = appts.book("C", at(26, 10), channel="text", name=c_name, phone=c_phone)
    clock.set(at(23, 9, 30))
    appts.cancel(cancelled.ref, by="council", reason=f"{c_name} asked us to ring {c_phone}")
    # Walk-ins: tickets printed, called to the board, notes naming the resident; each gives a
    # mobile for "nearly your turn" texts (two ahead of them, so the texts go as they move up).
    clock.set(at(23, 9, 32))
    for _ in range(2):
        queue.issue("W", desk_id="greet-1", print_ticket=False)
    for minute, (_, phone, _) in zip((35, 40, 45), PEOPLE, strict=True):
        clock.set(at(23, 9, minute))
        walk_in = queue.issue("W", desk_id="greet-1", needs="bsl").ticket
        TurnTexts(session).give_phone(walk_in.code, phone)
    screen = json.dumps(screen_state(session))
    phone_page = json.dumps(phone_state(session, token_for(session, walk_in)))
    session.close()
    # One text is refused by Notify, so its error path (log line, stored error) is exercised too.
    notify.state.script = ["201", "400"]
    logs = run_worker(db, at(23, 9, 46), tmp_path)  # also the first two walk-ins' turn texts

    desk = open_session(db=db, clock=clock, person="ana", desk_id="desk-1")
    desk_queue = QueueService(desk)
    for minute, (name, phone, email) in zip((50, 55, 59), PEOPLE, strict=True):
        clock.set(at(23, 9, minute))
        ticket = desk_queue.call_next("desk-1")
        assert ticket is not None
        desk_queue.add_note(ticket.id, f"{name} ({phone}, {email}) asked about a bulky collection")
        desk_queue.finish(ticket.id, "resolved")
    desk.close()

    logs += run_worker(db, at(23, 10), tmp_path)

    # Tuesday 24: one checks in (ticket printed, called, notes), one does not come.
    clock = FixedClock(at(24, 9, 55))
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    ticket = AppointmentService(greet).check_in(text_appt.ref)
    greet.close()
    # Printed before the resident is called (a ticket already finished would not print).
    logs += run_worker(db, at(24, 9, 56), tmp_path)
    room = open_session(db=db, clock=clock, person="ana", desk_id="room-1")
    clock.set(at(24, 10, 2))
    called = QueueService(room).call(ticket.id, "room-1")
    QueueService(room).add_note(called.id, f"Spoke to {a_name}, mobile {a_phone}")
    QueueService(room).finish(called.id, "referred")
    room.close()

    def no_show_marked() -> bool:
        conn = sqlite3.connect(db)
        try:
            query = "SELECT status FROM appointments WHERE id = ?"
            return bool(conn.execute(query, [email_appt.id]).fetchone() == ("no_show",))
        finally:
            conn.close()

    # The worker marks the 11:00 booking a no-show (on its own start-up, which a busy machine
    # can delay past an already empty outbox: wait for it).
    logs += run_worker(db, at(24, 11, 20), tmp_path, done=no_show_marked)

    conn = sqlite3.connect(db)
    assert no_show_marked()
    jobs = conn.execute("SELECT kind, status FROM print_jobs ORDER BY id").fetchall()
    # The slip, the three walk-ins' tickets and the checked-in resident's (printed at greet).
    assert sorted(jobs) == [("appointment_slip", "done")] + [("ticket", "done")] * 4
    # The day really used the personal data: it is in the database's own columns...
    stored = " ".join(
        str(v) for row in conn.execute("SELECT * FROM appointment_contacts") for v in row
    )
    assert a_phone.replace(" ", "")[-6:] in stored.replace(" ", "") and b_email in stored
    assert conn.execute("SELECT count(*) FROM visit_notes").fetchone()[0] == 4
    # ... and texts went to Notify carrying the number as the recipient, as they must.
    assert any(sent.get("phone_number", "").endswith("7700900417") for sent in notify.state.sent)

    printed = printer.read_bytes()
    paper = "\n".join(text_lines(decode(printed)))
    assert "W003" in paper and slip_appt.ref in paper  # the tickets and the slip were printed
    assert ticket.code in paper  # the code the board calls the appointment holder by
    frames = board.read_bytes()
    assert b"W00" in frames
    places: dict[str, str] = {
        "printed bytes": printed.decode("latin-1"),
        "printed text": paper,
        "board frames": frames.decode("latin-1"),
        "worker log": logs,
        "Notify references": " ".join(str(s.get("reference")) for s in notify.state.sent),
        "stored references": " ".join(
            str(r[0]) for r in conn.execute("SELECT reference FROM messages")
        ),
        "turn texts": " ".join(
            " ".join(str(v) for v in row) for row in conn.execute("SELECT * FROM turn_texts")
        ),
        "waiting-room screen": screen,
        "phone page": phone_page,
        "event log": " ".join(
            " ".join(str(v) for v in row)
            for row in conn.execute("SELECT actor, desk_id, kind, outcome, data FROM events")
        ),
        "print jobs": " ".join(
            " ".join(str(v) for v in row) for row in conn.execute("SELECT * FROM print_jobs")
        ),
    }
    log_folder = tmp_path / "xdg-data" / "oss-desk" / "log"
    for path in sorted(log_folder.rglob("*")) if log_folder.exists() else []:
        if path.is_file():
            places[f"log file {path.name}"] = path.read_text(errors="replace")
    conn.close()
    assert "sent confirmation" in logs  # the log really holds the worker's lines
    assert "sent the nearly text" in logs  # and the turn texts went too
    # The walk-ins' numbers went with their day (the worker's purge on Tuesday morning).
    assert conn_rows(db, "SELECT count(*) FROM visit_phones") == [(0,)]

    leaks = [
        f"{canary!r} in {where}"
        for where, content in places.items()
        for canary in canary_strings()
        if canary.lower() in content.lower()
    ]
    assert leaks == []


def conn_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
