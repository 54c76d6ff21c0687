"""One calendar: the bank holidays stored when the configuration was loaded (``init``) are the
ones every rule asks. Bookings, reports and due sends asked the calendar package, and only the
closed-now line (``ticket issue``, meet-and-greet's top line) read the stored days, so the two
could disagree (a package that gained a one-off bank holiday after ``init``). And ``init`` run
for an upgrade, loading no configuration, stores them again from the package. Real files."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.errors import RuleViolation

from .appointments_site import make_office, service_at
from .cli_here import run_cli_here

ONE_OFF = "2026-12-01"  # a Tuesday: an ordinary working day in the package


def stored_days(db: Path, year: int) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT days FROM bank_holidays WHERE nation = 'ENG' AND year = ?", [year]
        ).fetchone()
    conn.close()
    return dict(json.loads(row[0])) if row else {}


def store_days(db: Path, year: int, days: dict[str, str]) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE bank_holidays SET days = ? WHERE nation = 'ENG' AND year = ?",
            [json.dumps(days), year],
        )
    conn.close()


def test_bookings_and_the_closed_now_line_ask_the_same_stored_calendar(tmp_path: Path) -> None:
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    store_days(db, 2026, {**stored_days(db, 2026), ONE_OFF: "A one-off bank holiday"})
    clock = FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    svc, session = service_at(db, clock)
    try:
        assert svc.slots("C", ONE_OFF, 1) == []
        with pytest.raises(RuleViolation) as refused:
            svc.book("C", datetime(2026, 12, 1, 11, 0, tzinfo=UTC), channel="slip")
        assert refused.value.message == (
            "Tue 01 Dec is a bank holiday (A one-off bank holiday): the office is closed; "
            "choose another day"
        )
    finally:
        session.close()
    issued = run_cli_here(
        "ticket",
        "issue",
        "--service",
        "C",
        "--no-print",
        "--json",
        env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": f"{ONE_OFF}T10:00:00Z"},
    )
    assert issued.returncode == 0, issued.stderr
    assert json.loads(issued.stdout)["office_closed"] == "a bank holiday (A one-off bank holiday)"


def test_init_without_a_configuration_stores_the_calendar_again(tmp_path: Path) -> None:
    db = make_office(tmp_path)
    package = stored_days(db, 2026)
    assert "2026-12-25" in package
    store_days(db, 2026, {ONE_OFF: "A one-off bank holiday"})
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM bank_holidays WHERE year > 2026")  # an upgrade stored none
    conn.close()
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T10:00:00Z"}
    done = run_cli_here("init", env=env)
    assert done.returncode == 0, done.stderr
    assert stored_days(db, 2026) == package
    with sqlite3.connect(db) as conn:
        years = [y for (y,) in conn.execute("SELECT year FROM bank_holidays ORDER BY year")]
    conn.close()
    assert years == list(range(2026, 2037))
