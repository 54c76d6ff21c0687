"""The appointments grid: times down, advisers and rooms (a day) or days (a week) across.

Given a :class:`~oss_desk.services.appointment_grid.Grid`, it draws it (cells updated in place
when the shape is unchanged, so the cursor stays) and says what is under the cursor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from rich.text import Text
from textual.coordinate import Coordinate
from textual.events import Resize

from oss_desk.domain.appointments import STATUS_MARKS, STATUS_WORDS, Appointment, AppointmentStatus
from oss_desk.services.appointment_grid import Cell, Grid
from oss_desk.ui.faults import guarded
from oss_desk.ui.tables import Table

BOOKED_STYLES = {
    AppointmentStatus.BOOKED: "bold $accent",
    AppointmentStatus.CHECKED_IN: "bold green",
    AppointmentStatus.ATTENDED: "green",
    AppointmentStatus.INCOMPLETE: "yellow",
    AppointmentStatus.NO_SHOW: "red",
    AppointmentStatus.NOT_SEEN: "cyan",
    AppointmentStatus.LEFT_UNSEEN: "magenta",
}
"""A booking's colour in the grid by its state, each its own (a cancelled one is not shown);
F1 and the README give the key (:func:`grid_key`)."""


def grid_key() -> str:
    """The key to the grid's colours and marks, said in F5's F1 and in the README: "booked:
    bold accent colour; checked in (here): bold green; ...; docs = came without the
    documents: yellow; ..." (a mark its words already say is not said twice)."""
    said = []
    for status, style in BOOKED_STYLES.items():
        words = STATUS_WORDS[status]
        mark = STATUS_MARKS.get(status)
        if mark and mark not in re.split(r"[\s(),]+", words):
            words = f"{mark} = {words}"
        said.append(f"{words}: {style.replace('$accent', 'accent colour')}")
    return "The grid's colours and marks: " + "; ".join(said) + "."


TIME_WIDTH = 5
COLUMN_WIDTH = 14
"""A column's width when there is room: a booking's reference, service and status mark."""
SCROLLBAR = 2
"""The vertical scrollbar's cells (the day's times are longer than the screen)."""
CELL_STYLES = {
    "cont": "dim",
    "free": "dim",
    "away": "italic dim",
    "elsewhere": "italic dim",
    "closed": "italic dim",
}


def time_width(grid: Grid | None) -> int:
    """The time column's width: ``TIME_WIDTH``, wider on the day the clocks go back, whose
    repeated hour says its zone ("01:00 BST", "01:00 GMT")."""
    return max([TIME_WIDTH, *(len(t) for t in grid.times)] if grid else [TIME_WIDTH])


def cell_text(grid: Grid, cell: Cell, accent: str) -> Text:
    if cell.kind == "booked":
        appt = grid.appointments.get(cell.appointment_id or 0)
        style = BOOKED_STYLES.get(appt.status, "bold") if appt is not None else "bold"
        return Text(cell.text, style=style.replace("$accent", accent))
    if cell.kind in CELL_STYLES:
        return Text(cell.text, style=CELL_STYLES[cell.kind])
    return Text("")


def _cells(grid: Grid) -> Iterator[tuple[Coordinate, Cell]]:
    """Every cell with its place in the table (column 0 is the time)."""
    for row, cells in enumerate(grid.cells):
        for column, cell in enumerate(cells, start=1):
            yield Coordinate(row, column), cell


def first_interesting(grid: Grid, cursor: Coordinate) -> Coordinate:
    """On a new grid: the first booking, else the first free slot, else where it was."""
    for kind in ("booked", "free"):
        for place, cell in _cells(grid):
            if cell.kind == kind:
                return place
    return cursor


def find_cell(grid: Grid, appointment_id: int) -> Coordinate | None:
    """Where a booking starts on the grid."""
    for place, cell in _cells(grid):
        if cell.appointment_id == appointment_id and cell.kind == "booked":
            return place
    return None


class AppointmentGrid(Table[Text]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell")
        self.grid: Grid | None = None
        self.view: tuple[str, str | None] = ("day", None)
        """What the grid shows: ``day`` (every adviser and room) or ``week`` (and whose)."""
        self._shape: object = None
        self._fit: int | None = None

    def show(self, grid: Grid, view: tuple[str, str | None], wanted: int | None = None) -> None:
        """Draw ``grid``; the cursor goes to the booking ``wanted``, else stays (on a new
        shape: the first booking, else the first free slot)."""
        self.grid = grid
        self.view = view
        fit = self._fit = self.column_width(len(grid.headings))
        shape = (grid.headings, grid.times, grid.days, fit)
        previous = self._shape
        cursor = self.cursor_coordinate
        accent = self.app.theme_variables.get("accent", "yellow")
        if shape != previous:
            self.clear(columns=True)
            self.add_column(Text("Time"), key="time", width=time_width(grid))
            for heading, key in zip(grid.headings, grid.column_keys, strict=True):
                self.add_column(Text(heading, style="bold"), key=key, width=max(fit, len(heading)))
            for index, wall in enumerate(grid.times):
                self.add_row(
                    Text(wall, style="dim"),
                    *[cell_text(grid, c, accent) for c in grid.cells[index]],
                    key=wall,
                )
            self._shape = shape
        else:
            for place, cell in _cells(grid):
                self.update_cell_at(place, cell_text(grid, cell, accent))
        target = find_cell(grid, wanted) if wanted is not None else None
        if target is not None:
            cursor = target
        elif wanted is None and shape != previous:
            cursor = first_interesting(grid, cursor)
        if grid.times:
            self.move_cursor(row=cursor.row, column=max(1, cursor.column))

    def column_width(self, columns: int) -> int:
        """Each column's width: ``COLUMN_WIDTH``, or less when that many would not fit across
        the grid (a week of five or six days at 80 columns), so that every column is in view
        without scrolling sideways; never narrower than its heading."""
        if columns <= 0 or self.size.width <= 0:
            return COLUMN_WIDTH
        padding = 2 * self.cell_padding
        room = self.size.width - SCROLLBAR - (time_width(self.grid) + padding)
        return max(1, min(COLUMN_WIDTH, room // columns - padding))

    @guarded
    def on_resize(self, event: Resize) -> None:
        """Wider or narrower: the columns are laid out again for the new width."""
        grid = self.grid
        if grid is not None and self.column_width(len(grid.headings)) != self._fit:
            self.show(grid, self.view)

    def highlighted(self) -> tuple[Cell | None, date | None, str | None, str | None]:
        """The cell under the cursor: (cell, day, adviser id, room id)."""
        grid = self.grid
        if grid is None or not grid.times:
            return None, None, None, None
        row, column = self.cursor_coordinate
        if column < 1 or row >= len(grid.cells) or column > len(grid.column_keys):
            return None, None, None, None
        cell = grid.cells[row][column - 1]
        key = grid.column_keys[column - 1]
        view, shown_resource = self.view
        if view == "week":
            day = date.fromisoformat(key)
            resource = shown_resource or ""
        else:
            day = grid.days[0]
            resource = key
        kind, _, ident = resource.partition(":")
        return cell, day, ident if kind == "adviser" else None, ident if kind == "room" else None

    def highlighted_appointment(self) -> Appointment | None:
        cell, *_ = self.highlighted()
        if cell is None or cell.appointment_id is None or self.grid is None:
            return None
        return self.grid.appointments.get(cell.appointment_id)

    def highlighted_time(self) -> str | None:
        grid = self.grid
        if grid is None or not grid.times:
            return None
        row = self.cursor_coordinate.row
        return grid.times[row] if row < len(grid.times) else None
