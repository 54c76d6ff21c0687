"""schema/0057: the appointments whose visit ended before the rule of how a checked-in
appointment ends reached them (review 12, finding 6).

Before 0050 an appointment whose ticket ended as a no-show or "left" stayed 'checked_in', and
said "checked in (here)" for ever; before the 'seen, then transferred' fix one whose resident
was seen and then transferred was set 'not_seen' at close of day. The office's day is made
through the real services, its appointments put back as the older version left them, and the
next command (which migrates first) must show each in the state the rule gives.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now

from .appointments_site import make_office, service_at
from .conftest import Cli

BACK_FILL = "0057_appointment_ends_back_fill"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 23: Monday (GMT)


def test_appointments_left_as_an_older_version_left_them_take_their_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, now=at(23, 9), printer=f"capture://{tmp_path}/slips.bin")
    clock = FixedClock(at(23, 9, 30))
    appointments, session = service_at(db, clock)
    queue = QueueService(session)
    try:
        gone, left, shut, error, seen = (
            appointments.book("C", start, channel="slip", adviser="ana")
            for start in (at(23, 10), at(23, 10, 30), at(23, 11), at(23, 11, 30), at(23, 12))
        )
        tickets = {}
        for appt in (gone, left, shut, error, seen):
            clock.set(appt.starts_at - timedelta(minutes=5))
            tickets[appt.ref] = appointments.check_in(appt.ref).id
            if appt is gone:
                queue.call(tickets[gone.ref], "desk-1")
                queue.no_show(tickets[gone.ref])  # not there when called
            elif appt is left:
                queue.cancel(tickets[left.ref], "left")
            elif appt is error:
                queue.cancel(tickets[error.ref], "error")  # says nothing of the resident
            elif appt is seen:
                queue.call(tickets[seen.ref], "room-1")
                queue.start(tickets[seen.ref])
                queue.transfer(tickets[seen.ref], service="H")  # seen, then sent on
        clock.set(at(23, 17, 30))
        close_now(session)  # shut's ticket and seen's H ticket: office closed
        clock.set(at(24, 9, 55))
        here = appointments.book("C", at(24, 10), channel="slip", adviser="bob")
        appointments.check_in(here.ref)  # Tuesday: in the queue now
    finally:
        session.close()
    conn = sqlite3.connect(db)
    with conn:  # as the older version left them
        conn.execute("UPDATE appointments SET status = 'checked_in' WHERE status = 'left_unseen'")
        conn.execute("UPDATE appointments SET status = 'not_seen' WHERE ref = ?", [seen.ref])
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [BACK_FILL])
    conn.close()
    cli = Cli(db, monkeypatch)
    assert cli("init", now="2026-11-24T10:05:00Z").code == 0  # the upgrade
    said = {}
    for appt in (gone, left, shut, error, seen, here):
        shown = cli("--user", "tl", "appointment", "show", appt.ref, now="2026-11-24T10:05:00Z")
        assert shown.code == 0, shown.err
        said[appt.ref] = shown.out.splitlines()[0].rsplit("[", 1)[1].rstrip("]")
    assert said == {
        gone.ref: "came, left before being seen",
        left.ref: "came, left before being seen",
        shut.ref: "came, not seen (office closed)",
        error.ref: "checked in (here)",
        seen.ref: "seen",
        here.ref: "checked in (here)",
    }
