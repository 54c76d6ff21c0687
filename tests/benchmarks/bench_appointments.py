"""Appointment benchmarks: the free-slot search, and reminders delivered to a mail server.

Run: .venv/bin/python -m tests.benchmarks appointments

1. Free slots over 4 weeks for 10 advisers (one service all of them take, and one that also
   needs one of 2 interview rooms), with about a third of the time already booked.
2. 1,000 due reminders sent by the worker's message delivery to a local SMTP server (aiosmtpd),
   one connection per message as in production.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.errors import OssDeskError
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.worker.messages import MessageDelivery

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.messaging import SmtpServer  # noqa: E402

# Monday 2 November 2026, 08:00 (GMT).
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def office(tmp: Path, advisers: int, smtp_url: str = "", reminders: str = "") -> Path:
    staff = "".join(
        f'\n[[staff]]\nid = "adv{i}"\nname = "Adviser {i}"\nappointments = ["C", "H"]\n'
        for i in range(advisers)
    )
    email = f'[email]\nsmtp_url = "{smtp_url}"\nfrom_address = "a@bench.example"\n'
    toml = f"""
[access]
user_override = "anyone"  # acts as many people from one login
name_unlisted = true  # and as people not on the staff list

[[sites]]
id = "hq"
name = "Civic Centre"

[[services]]
code = "C"
name = "Council Tax"
appointment_minutes = 15
checklist = ["Your bill"]

[[services]]
code = "H"
name = "Housing"
appointment_minutes = 45
private_room = true

[[desks]]
id = "greet-1"
kind = "meet-and-greet"

[[desks]]
id = "room-1"
kind = "interview-room"
services = ["H"]

[[desks]]
id = "room-2"
kind = "interview-room"
services = ["H"]
{staff}
[queue]
staffed_desks_only = false

[appointments]
days_ahead = 60
{reminders}

{email if smtp_url else ""}
"""
    config = tmp / "office.toml"
    config.write_text(toml, encoding="utf-8")
    db = tmp / "office.sqlite"
    initialise(db, clock=FixedClock(START), config_path=config)
    return db


def slot_search(tmp: Path, runs: int, fill: float) -> None:
    tmp.mkdir()
    db = office(tmp, advisers=10)
    session = open_session(db=db, clock=FixedClock(START), person="bench", desk_id="greet-1")
    svc = AppointmentService(session)
    rng = random.Random(7)
    booked = 0
    with session.store.write():
        for slot in svc.slots("C", START.date(), 28):
            if rng.random() < fill:
                try:
                    svc.book(
                        "C",
                        slot.start,
                        channel="slip",
                        adviser=slot.adviser,
                        print_to="capture:///dev/null",
                    )
                    booked += 1
                except OssDeskError:
                    pass
    print(f"  {booked} bookings already in the 4 weeks")
    for service in ("C", "H"):
        times = []
        count = 0
        for _ in range(runs):
            started = time.perf_counter()
            found = svc.slots(service, START.date(), 28)
            times.append(time.perf_counter() - started)
            count = len(found)
        median = statistics.median(times) * 1000
        print(
            f"  {service}: {count} free slots over 28 days x 10 advisers: median {median:.1f} ms, "
            f"max {max(times) * 1000:.1f} ms   (goal: under 50 ms)"
        )
    session.close()


def reminders(tmp: Path, count: int) -> None:
    tmp.mkdir()
    server = SmtpServer()
    try:
        # Appointments on one week, reminders 200 hours before: all due together before it.
        db = office(
            tmp,
            advisers=10,
            smtp_url=server.url,
            reminders='reminders = ["200 hours before"]',
        )
        booking_time = START
        session = open_session(
            db=db, clock=FixedClock(booking_time), person="bench", desk_id="greet-1"
        )
        svc = AppointmentService(session)
        week = date(2026, 11, 30)
        made = 0
        with session.store.write():
            for slot in svc.slots("C", week, 5):
                if made >= count:
                    break
                svc.book(
                    "C",
                    slot.start,
                    channel="email",
                    email=f"resident{made}@example.org",
                    adviser=slot.adviser,
                )
                made += 1
        session.close()
        # The confirmations first (not timed).
        first = open_session(db=db, clock=FixedClock(booking_time), person="worker")
        MessageDelivery(first).deliver_due()
        first.close()
        server.mailbox.messages.clear()
        due = datetime(2026, 11, 30, 9, 0, tzinfo=UTC) - timedelta(hours=200) + timedelta(days=5)
        worker = open_session(db=db, clock=FixedClock(due), person="worker")
        started = time.perf_counter()
        report = MessageDelivery(worker).deliver_due()
        elapsed = time.perf_counter() - started
        worker.close()
        received = len(server.mailbox.messages)
        print(
            f"  {report.sent} reminders sent ({received} received, {report.failed} failed, "
            f"{report.retried} to retry) in {elapsed:.1f} s: {report.sent / elapsed:.0f}/s   "
            f"(goal: 1,000 under 30 s)"
        )
        if received != made:
            raise SystemExit(f"expected {made} reminders, the server has {received}")
    finally:
        server.stop()


def main(quick: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print("Free-slot search (4 weeks, 10 advisers, 2 rooms)")
        slot_search(Path(tmp) / "slots", runs=1 if quick else 20, fill=0.01 if quick else 0.35)
    with tempfile.TemporaryDirectory() as tmp:
        print("Reminders to a local SMTP server")
        reminders(Path(tmp) / "mail", count=5 if quick else 1000)
