"""The live queue as a table, updated row by row (never cleared), so the cursor stays put."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from oss_desk.domain.models import QueueEntry
from oss_desk.domain.needs import short_need
from oss_desk.domain.standards import WaitBand, wait_band
from oss_desk.ui.faults import guarded

Cell = Text | int | str


def minutes_text(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    return f"{-(-seconds // 60)} min" if seconds else "now"


class QueueTable(DataTable[Cell]):
    """Waiting tickets: place, code, service, time waited (coloured near and past the target),
    estimated wait and needs."""

    COLUMNS = (
        ("#", "pos"),
        ("Code", "code"),
        ("Service", "service"),
        ("Waited", "waited"),
        ("Est.", "est"),
        ("Needs", "needs"),
    )

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._styles = {WaitBand.RED: "bold red", WaitBand.AMBER: "yellow", WaitBand.OK: ""}
        self.target_seconds = 15 * 60
        self.amber_seconds = 10 * 60
        self.labels: dict[str, str] = {}

    @guarded
    def on_mount(self) -> None:
        for label, key in self.COLUMNS:
            self.add_column(label, key=key)

    def wait_style(self, seconds: int) -> str:
        """The one wait colour (domain.standards.wait_band): amber from queue.amber_minutes,
        red past the target."""
        return self._styles[wait_band(seconds, self.amber_seconds, self.target_seconds)]

    def cells(self, entry: QueueEntry) -> tuple[Cell, ...]:
        t = entry.ticket
        label = self.labels.get(t.service, t.service)
        needs = ", ".join(short_need(n) for n in t.needs)
        waited = Text(f"{entry.wait_seconds // 60} min", style=self.wait_style(entry.wait_seconds))
        return (
            entry.position or 0,
            Text(t.code, style="bold"),
            Text(label),
            waited,
            minutes_text(entry.estimated_wait_seconds),
            Text(needs),
        )

    def show(self, entries: list[QueueEntry]) -> None:
        """Make the table match ``entries`` (waiting tickets, in call order) by row key."""
        selected = self.selected_key()
        colours = self.app.theme_variables
        self._styles = {
            WaitBand.RED: f"bold {colours.get('error', 'red')}",
            WaitBand.AMBER: colours.get("warning", "yellow"),
            WaitBand.OK: "",
        }
        wanted = {str(e.ticket.id): e for e in entries if e.position is not None}
        with self.app.batch_update():
            for key in list(self._cells):
                if key not in wanted:
                    self.remove_row(key)
                    del self._cells[key]
            for key, entry in wanted.items():
                cells = self.cells(entry)
                old = self._cells.get(key)
                if old is None:
                    self.add_row(*cells, key=key)
                elif old != cells:
                    for (_, column), new, previous in zip(self.COLUMNS, cells, old, strict=True):
                        if new != previous:
                            self.update_cell(key, column, new)
                self._cells[key] = cells
            order = [str(row.key.value) for row in self.ordered_rows]
            if order != sorted(order, key=lambda k: wanted[k].position or 0):
                self.sort("pos")  # only when the order changed: a sort repaints every row
            if selected in self._cells:
                self.move_cursor(row=self.get_row_index(selected), animate=False)

    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return row_key.value

    def selected_ticket_id(self) -> int | None:
        key = self.selected_key()
        return int(key) if key is not None else None
