"""The appointment book as a grid: a day (every adviser and room) or a week (one of them).

Rows are the office's step times (local wall time); each cell says whether that adviser or room
is free, booked (and by which appointment), not working, away, or the office is closed. The
desk app draws it; the tests read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from oss_desk.domain.appointments import STATUS_MARKS, Appointment, AppointmentStatus
from oss_desk.domain.calendar import WEEKDAYS, clock_said, local, parse_hours, zone
from oss_desk.domain.slots import Adviser, Calendar
from oss_desk.errors import InvalidInput
from oss_desk.services.appointments import AppointmentService
from oss_desk.storage import appointments as a
from oss_desk.storage.site import staff_ever

FREED = frozenset({AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW})
"""A booking that no longer holds its time (it may be booked again)."""


@dataclass(frozen=True, slots=True)
class Cell:
    kind: str
    """free, past (free but gone), booked (the first row of a booking), cont (its further
    rows), off (not working), away (absent), elsewhere (booked at another of the council's
    offices), closed (the office is shut)."""
    text: str = ""
    appointment_id: int | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    key: str
    """``adviser:ID`` or ``room:ID``."""
    name: str


@dataclass(frozen=True, slots=True)
class Grid:
    title: str
    headings: tuple[str, ...]
    column_keys: tuple[str, ...]
    """Per column: a resource key (day view) or an ISO date (week view)."""
    times: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    """Rows by columns."""
    appointments: dict[int, Appointment]
    days: tuple[date, ...]

    def cell(self, row: int, column: int) -> Cell:
        return self.cells[row][column]


def resources(
    svc: AppointmentService, site_id: str | None = None, days: list[date] | None = None
) -> list[Resource]:
    """Advisers who take appointments, then anyone else holding bookings on ``days`` (someone
    whose role or services changed, or who left the staff list, keeps their bookings until
    they are moved: the grid still shows them), then the interview rooms."""
    site = svc.site_for(site_id)
    calendar = svc.calendar(site)
    shown = [Resource(f"adviser:{p.id}", p.name) for p in calendar.advisers]
    if days:
        conn = svc.s.store.conn
        taking = {p.id for p in calendar.advisers}
        held = a.appointments_between(conn, site.id, min(days).isoformat(), max(days).isoformat())
        holders = sorted(
            {x.adviser for x in held if x.status is not AppointmentStatus.CANCELLED} - taking
        )
        if holders:
            names = {p.id: p.name for p in staff_ever(conn).values()}
            shown += [Resource(f"adviser:{h}", names.get(h, h)) for h in holders]
    return shown + [Resource(f"room:{r.id}", r.name) for r in calendar.rooms]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def day_grid(svc: AppointmentService, day: date, site_id: str | None = None) -> Grid:
    shown = resources(svc, site_id, [day])
    return _grid(
        svc,
        site_id,
        [day],
        [(r, day) for r in shown],
        headings=[r.name for r in shown],
        keys=[r.key for r in shown],
        title=f"{day:%A} {day.day} {day:%B %Y}: every adviser and room",
    )


def week_grid(
    svc: AppointmentService, any_day: date, resource: str, site_id: str | None = None
) -> Grid:
    first = monday_of(any_day)
    site = svc.site_for(site_id)
    open_days = svc.workdays(site).weekdays
    days = [first + timedelta(days=i) for i in range(7) if i in open_days]
    found = {r.key: r for r in resources(svc, site_id, days)}
    kind, _, ident = resource.partition(":")
    staff = staff_ever(svc.s.store.conn) if kind == "adviser" else {}
    if resource not in found and ident in staff:
        # Someone who holds bookings in another week (F7 found one, or ] moved on from it).
        found[resource] = Resource(resource, staff[ident].name)
    if resource not in found:
        raise InvalidInput(f"{resource!r} is not an adviser or room who takes appointments")
    return _grid(
        svc,
        site_id,
        days,
        [(found[resource], d) for d in days],
        headings=[f"{d:%a} {d.day}" for d in days],
        keys=[d.isoformat() for d in days],
        title=f"Week of {first.day} {first:%B %Y}: {found[resource].name}",
    )


def _grid(
    svc: AppointmentService,
    site_id: str | None,
    days: list[date],
    columns: list[tuple[Resource, date]],
    *,
    headings: list[str],
    keys: list[str],
    title: str,
) -> Grid:
    session = svc.s
    site = svc.site_for(site_id)
    calendar = svc.calendar(site)
    conn = session.store.conn
    # Live bookings first: a no-show's time may have been booked again.
    booked = sorted(
        (
            x
            for x in a.appointments_between(
                conn, site.id, days[0].isoformat(), days[-1].isoformat()
            )
            if x.status is not AppointmentStatus.CANCELLED
        ),
        key=lambda x: x.status is AppointmentStatus.NO_SHOW,
    )
    # An adviser who works at several offices is not free here while booked at another.
    elsewhere = [
        x
        for x in a.appointments_between(conn, None, days[0].isoformat(), days[-1].isoformat())
        if x.site_id != site.id and x.status not in FREED
    ]
    offices = {x.site_id: session.site_ever(x.site_id).name for x in elsewhere}
    absent = a.absences(conn, days[0], days[-1])
    step = timedelta(minutes=calendar.step_minutes)
    tz = zone(site.timezone)
    times = _row_times(calendar, days, step, tz)
    advisers = {adv.id: adv for adv in calendar.advisers}
    now = session.clock.now()
    cells: list[list[Cell]] = []
    labelled: set[int] = set()  # columns whose "away" or "closed" has been said once
    for wall, fold in times:
        row = []
        for column, (resource, day) in enumerate(columns):
            start = _at(day, wall, fold, tz)
            if start is None:  # no such time that day: the clocks went forward over it
                row.append(Cell("closed", "" if fold else CLOCKS_FORWARD))
                continue
            cell = _cell(calendar, resource, day, start, start + step, booked, absent, advisers)
            if cell.kind in ("free", "off"):
                cell = _elsewhere(resource, start, start + step, elsewhere, offices) or cell
            if cell.kind == "free" and start < now:
                cell = Cell("past")
            elif cell.kind in ("away", "closed"):
                if column in labelled:
                    cell = Cell(cell.kind)
                labelled.add(column)
            row.append(cell)
        cells.append(row)
    return Grid(
        title=title,
        headings=tuple(headings),
        column_keys=tuple(keys),
        times=tuple(_row_said(wall, fold, days, tz) for wall, fold in times),
        cells=tuple(tuple(r) for r in cells),
        appointments={x.id: x for x in booked},
        days=tuple(days),
    )


CLOCKS_FORWARD = "clocks go forward"
"""A grid's cell at a time that does not come that day (the spring clock change)."""


def _at(day: date, wall: time, fold: int, tz: tzinfo) -> datetime | None:
    """The instant (UTC) ``wall`` is on ``day``, its first time round (``fold`` 0) or its second
    (1, the autumn clock change); None when it does not come round (so) that day."""
    start = datetime.combine(day, wall, tz).replace(fold=fold).astimezone(UTC)
    back = start.astimezone(tz)
    return start if (back.time(), back.fold) == (wall, fold) else None


def _row_times(
    calendar: Calendar, days: list[date], step: timedelta, tz: tzinfo
) -> list[tuple[time, int]]:
    """The grid's rows, each a wall time and its time round (0; 1: the second time round, after
    the first of the hour the clocks go back over), in the order they come: every step from
    the earliest opening to the latest closing of ``days``, but a time that comes on none of
    them (the hour the clocks go forward over) and, after the first time round, the second."""
    opens: list[time] = []
    closes: list[time] = []
    for day in days:
        hours = parse_hours(calendar.opening_hours.get(WEEKDAYS[day.weekday()], "closed"))
        if hours is not None:
            opens.append(hours.opens)
            closes.append(hours.closes)
    if not opens:
        return []
    current = datetime.combine(date(2000, 1, 1), min(opens))
    end = datetime.combine(date(2000, 1, 1), max(closes))
    walls = []
    while current < end:
        walls.append(current.time())
        current += step
    found = [(w, 0) for w in walls if any(_at(d, w, 0, tz) for d in days)]
    again = [(w, 1) for w in walls if any(_at(d, w, 1, tz) for d in days)]
    if again:  # after the last row of the first time round
        first = max(found.index((w, 0)) for w, _ in again) + 1
        found[first:first] = again
    return found


def _row_said(wall: time, fold: int, days: list[date], tz: tzinfo) -> str:
    """A row's time as the desk reads it: "14:00"; with its zone where that time comes round
    twice on a day shown ("01:00 BST", then "01:00 GMT": :func:`clock_said`)."""
    for day in days:
        start = _at(day, wall, fold, tz)
        if start is not None and _at(day, wall, 1 - fold, tz) is not None:
            return clock_said(start.astimezone(tz))
    return f"{wall:%H:%M}"


def row_start(day: date, said: str, timezone: str) -> datetime | None:
    """The instant (UTC) of a grid row's time (``said`` as :func:`_row_said` says it) on
    ``day``; None when that time does not come that day."""
    tz = zone(timezone)
    wall, _, named = said.partition(" ")
    for fold in (0, 1):
        start = _at(day, time.fromisoformat(wall), fold, tz)
        if start is not None and named in ("", start.astimezone(tz).tzname()):
            return start
    return None


def _cell(
    calendar: Calendar,
    resource: Resource,
    day: date,
    start: datetime,
    end: datetime,
    booked: list[Appointment],
    absent: set[tuple[str, date]],
    advisers: dict[str, Adviser],
) -> Cell:
    kind, ident = resource.key.split(":", 1)
    for appt in booked:
        mine = appt.adviser == ident if kind == "adviser" else appt.room == ident
        if mine and appt.starts_at < end and start < appt.ends_at:
            first = appt.starts_at >= start
            text = f"{appt.ref} {appt.service}" if first else "│"
            if first and appt.status is not AppointmentStatus.BOOKED:
                text += " " + STATUS_MARKS[appt.status]
            return Cell("booked" if first else "cont", text, appt.id)
    office = calendar.open_intervals(day)
    if not office:
        return Cell("closed", calendar.workdays.holiday(day) or "closed")
    if kind == "adviser":
        if (ident, day) in absent:
            return Cell("away", "away")
        if ident not in advisers:
            return Cell("off", "")  # holds bookings but takes no more appointments
        intervals = calendar.adviser_intervals(advisers[ident], day)
    else:
        intervals = office
    if any(s <= start and end <= e for s, e in intervals):
        return Cell("free", "·")
    return Cell("off", "")


def _elsewhere(
    resource: Resource,
    start: datetime,
    end: datetime,
    elsewhere: list[Appointment],
    offices: dict[str, str],
) -> Cell | None:
    """The adviser's booking at another office in this time, if any: its first row names the
    office (the booking itself is that office's to show)."""
    kind, ident = resource.key.split(":", 1)
    if kind != "adviser":
        return None
    for appt in elsewhere:
        if appt.adviser == ident and appt.starts_at < end and start < appt.ends_at:
            return Cell(
                "elsewhere", f"at {offices[appt.site_id]}" if appt.starts_at >= start else "│"
            )
    return None


def local_day(svc: AppointmentService, instant: datetime, site_id: str | None = None) -> date:
    return local(instant, svc.site_for(site_id).timezone).date()
