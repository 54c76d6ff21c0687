"""An adviser who works at two of the council's offices is not free at one while booked at the
other: the grid says where they are (trial 10, P4: the Town Hall grid showed Ben free at 11:30
while he was booked at the North Office then)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oss_desk.cli.appointments import line
from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import Appointment
from oss_desk.services.appointment_grid import day_grid, week_grid
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.site import initialise

from .appointments_site import NOW, office_toml, service_at

NORTH = """
[[sites]]
id = "north"
name = "North Office"
nation = "ENG"

[[desks]]
id = "north-1"
name = "North desk"
site = "north"
"""


def two_offices(tmp_path: Path) -> Path:
    text = office_toml(extra=NORTH)
    for desk in ("greet-1", "desk-1", "room-1"):
        text = text.replace(f'id = "{desk}"\n', f'id = "{desk}"\nsite = "hq"\n')
    config = tmp_path / "office.toml"
    config.write_text(text)
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(NOW), config_path=config)
    return db


def ana_at_north(svc: AppointmentService, tmp_path: Path) -> Appointment:
    """Ana booked at the North Office on Monday at 11:00 (20 minutes)."""
    return svc.book(
        "C",
        datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
        adviser="ana",
        site_id="north",
        channel="slip",
        print_to="capture://" + str(tmp_path / "slips.bin"),
    )


def test_a_booking_at_another_office_is_not_a_free_time_here(tmp_path: Path) -> None:
    db = two_offices(tmp_path)
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock)
    try:
        at_north = ana_at_north(svc, tmp_path)
        assert at_north.site_id == "north"
        assert "Council Tax at North Office  with Ana Adviser" in line(session, at_north)
        day = NOW.date()
        grid = day_grid(svc, day, site_id="hq")
        ana = grid.column_keys.index("adviser:ana")
        cells = dict(zip(grid.times, (row[ana] for row in grid.cells), strict=True))
        assert (cells["11:00"].kind, cells["11:00"].text) == ("elsewhere", "at North Office")
        assert cells["11:15"].kind == "elsewhere"  # the rest of its 20 minutes (15-minute rows)
        assert cells["11:30"].kind == "free"
        assert cells["10:45"].kind == "free"
        # Not offered as a free slot here either: the grid and the slots agree.
        starts = {s.start for s in svc.slots("C", day, 1, adviser="ana", site_id="hq")}
        assert at_north.starts_at not in starts
        week = week_grid(svc, day, "adviser:ana", site_id="hq")
        monday = week.column_keys.index(day.isoformat())
        said = [row[monday].text for row in week.cells if row[monday].kind == "elsewhere"]
        assert said == ["at North Office", "│"]
    finally:
        session.close()


def test_a_no_show_at_another_office_frees_the_time_here(tmp_path: Path) -> None:
    """Review 15, finding 4: the grid kept a no-show at the other office as 'at North Office'
    while the slots offered the time (rightly: a no-show frees it)."""
    db = two_offices(tmp_path)
    svc, session = service_at(db, FixedClock(NOW))
    try:
        at_north = ana_at_north(svc, tmp_path)
    finally:
        session.close()
    later, session = service_at(db, FixedClock(datetime(2026, 11, 23, 11, 30, tzinfo=UTC)))
    try:
        later.no_show(at_north.ref)
        grid = day_grid(later, NOW.date(), site_id="hq")
        ana = grid.column_keys.index("adviser:ana")
        cells = dict(zip(grid.times, (row[ana] for row in grid.cells), strict=True))
        assert cells["11:00"].kind == "past"  # free, but gone by 11:30: not "at North Office"
        assert not any(row[ana].kind == "elsewhere" for row in grid.cells)
    finally:
        session.close()
