"""The standard "appointments kept" counts every appointment whose resident checked in, also
one who then left, or was still waiting at close of day, unseen (README: they came, so they
count as kept). Its label said "(attended)", which the appointments' own state "attended"
(seen) contradicts: it now says "(checked in)", from one home, in every format; the keys stay
(trial 36). Real SQLite files and the real command."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue.day_end import close_now

from .appointments_site import make_office, service_at
from .conftest import Cli

LABEL = "Appointments kept (checked in)"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)  # Monday, GMT


def test_a_resident_checked_in_and_not_seen_is_kept_as_the_label_says_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, now=at(9, 0), printer=f"capture://{tmp_path}/slips.bin")
    clock = FixedClock(at(9, 30))
    appointments, session = service_at(db, clock)
    try:
        booked = appointments.book("C", at(10, 0), channel="slip", adviser="ana")
        clock.set(at(9, 55))
        appointments.check_in(booked.ref)
        clock.set(at(17, 5))
        close_now(session)  # still waiting at close of day: came, not seen
    finally:
        session.close()
    cli = Cli(db, monkeypatch)

    def month(fmt: str) -> str:
        args = ("--user", "tl", "report", "monthly", "--month", "2026-11", "--format", fmt)
        done = cli(*args, now="2026-12-01T09:00:00Z")
        assert done.code == 0, done.err
        return done.out

    listed = cli("--user", "tl", "appointment", "list", "--date", "2026-11-23", "--json")
    assert [a["status"] for a in listed.json()] == ["not_seen"]
    data = json.loads(month("json"))
    [kept] = [s for s in data["standards"] if s["key"] == "appointments_kept"]
    assert (kept["label"], kept["value"], data["appointments_kept"]) == (LABEL, 100.0, 1)
    assert "checked in" in kept["definition"]  # the label says what the definition counts
    text = month("text")
    assert LABEL in text and "(attended)" not in text
    html = month("html")
    assert f"<th scope=row>{LABEL}</th>" in html and "(attended)" not in html
    table = list(csv.reader(io.StringIO(month("csv"))))
    assert ["standards", "appointments_kept.label", LABEL] in [row[:3] for row in table]
