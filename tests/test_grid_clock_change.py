"""The appointment grid on the Sundays the clocks change, at an office open through the night (a
trial asked: are the slots at 01:00-02:00 shown right?). They were not: on the Sunday the clocks
go back (25 October 2026), the grid showed 01:00-01:45 once, so the second time round (01:00
GMT onwards, offered as free slots and bookable) was never on it, and a booking then was hidden;
on the Sunday they go forward (28 March 2027), it showed 01:00-01:45, times that never come,
each the same instant as the row an hour later (02:00 BST), so those slots were shown twice.
Now each row is one instant, every step of the opening comes once, in order, and the repeated
hour says its zone as the slips and lists do. Real SQLite files and the appointment service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.appointment_grid import Grid, day_grid, row_start, week_grid
from oss_desk.services.site import initialise

from .appointments_site import service_at
from .test_appointment_repeated_hour import night_office

LONDON = "Europe/London"
STEP = timedelta(minutes=15)


def office(tmp_path: Path, now: datetime) -> Path:
    db = tmp_path / "office.sqlite"
    config = night_office(tmp_path, "smtp://127.0.0.1:1?starttls=off")
    initialise(db, clock=FixedClock(now), config_path=config)
    return db


def instants(grid: Grid, day: date) -> list[datetime | None]:
    return [row_start(day, said, LONDON) for said in grid.times]


def opening_steps(opens: datetime, closes: datetime) -> list[datetime]:
    """Every step of the opening, by the real clock (UTC)."""
    return [opens + STEP * i for i in range((closes - opens) // STEP)]


def test_the_hour_the_clocks_go_back_is_shown_twice_once_each(tmp_path: Path) -> None:
    now = datetime(2026, 10, 20, 10, 0, tzinfo=UTC)
    db = office(tmp_path, now)
    svc, session = service_at(db, FixedClock(now))
    sunday = date(2026, 10, 25)
    try:
        gmt = svc.book(
            "C",
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, the second 01:30
            adviser="ana",
            channel="slip",
            print_to="capture://" + str(tmp_path / "slips.bin"),
        )
        grid = day_grid(svc, sunday)
        # 00:00 BST (23:00 UTC on Saturday) to 04:00 GMT: five hours, every step once, in order.
        steps = opening_steps(
            datetime(2026, 10, 24, 23, 0, tzinfo=UTC), datetime(2026, 10, 25, 4, 0, tzinfo=UTC)
        )
        assert instants(grid, sunday) == steps
        assert grid.times[3:14] == (
            "00:45",
            *(f"01:{m} BST" for m in ("00", "15", "30", "45")),
            *(f"01:{m} GMT" for m in ("00", "15", "30", "45")),
            "02:00",
            "02:15",
        )
        ana = grid.column_keys.index("adviser:ana")
        by_row = {said: row[ana] for said, row in zip(grid.times, grid.cells, strict=True)}
        assert (by_row["01:30 GMT"].kind, by_row["01:30 GMT"].appointment_id) == ("booked", gmt.id)
        assert by_row["01:45 GMT"].kind == "cont" and by_row["01:30 BST"].kind == "free"
        # Every free slot the service offers is a row of the grid, and free there.
        slots = svc.slots("C", sunday, 1, adviser="ana")
        assert slots and all(by_row[grid.times[steps.index(s.start)]].kind == "free" for s in slots)
        # The week shows Sunday's open rows the same (Monday has no second 01:00).
        week = week_grid(svc, sunday, "adviser:ana")
        column = week.column_keys.index(sunday.isoformat())
        sunday_rows = [
            row_start(sunday, said, LONDON)
            for said, row in zip(week.times, week.cells, strict=True)
            if row[column].kind in ("free", "booked", "cont")
        ]
        assert sunday_rows == steps
    finally:
        session.close()


def test_the_hour_the_clocks_go_forward_over_is_not_shown(tmp_path: Path) -> None:
    now = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)
    db = office(tmp_path, now)
    svc, session = service_at(db, FixedClock(now))
    sunday = date(2027, 3, 28)
    try:
        grid = day_grid(svc, sunday)
        # 00:00 GMT to 04:00 BST (03:00 UTC): three hours, every step once, none twice.
        steps = opening_steps(
            datetime(2027, 3, 28, 0, 0, tzinfo=UTC), datetime(2027, 3, 28, 3, 0, tzinfo=UTC)
        )
        assert instants(grid, sunday) == steps
        assert grid.times[2:6] == ("00:30", "00:45", "02:00", "02:15")
        assert not any(said.startswith("01:") for said in grid.times)
        slots = svc.slots("C", sunday, 1, adviser="ana")
        assert {s.start for s in slots} <= set(steps) and slots
    finally:
        session.close()
