"""The live queue as a table, updated row by row (never cleared), so the cursor stays put.

It fits its width: every column header shows whole at 80 columns, the service and the needs
are shortened (with "…") before anything else, and narrow tables write waits as "16m".
"""

from __future__ import annotations

from rich.text import Text
from textual.events import Resize
from textual.widgets import DataTable

from oss_desk.domain.models import QueueEntry
from oss_desk.domain.needs import short_need
from oss_desk.domain.queue import staff_marks
from oss_desk.domain.standards import WaitBand, wait_band
from oss_desk.domain.waits import NEXT, estimate_minutes, waited_minutes
from oss_desk.ui.faults import guarded

Cell = Text | int | str

NARROW = 60
"""Below this width waits are written "16m" instead of "16 min"."""
SERVICE_MIN = len("Service")
NEEDS_MIN = len("Needs")


def minutes_text(seconds: int | None, short: bool = False) -> str:
    if seconds is None:
        return "-"
    if not seconds:
        return NEXT
    whole = estimate_minutes(seconds)
    return f"{whole}m" if short else f"{whole} min"


def waited_text(seconds: int, short: bool = False) -> str:
    """Time waited so far, in whole minutes: "16 min" (or "16m")."""
    whole = waited_minutes(seconds)
    return f"{whole}m" if short else f"{whole} min"


def clipped(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending "…" when cut."""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


class QueueTable(DataTable[Cell]):
    """Waiting tickets: place, code, service, time waited (coloured near and past the target),
    estimated wait and needs."""

    COLUMNS = (
        ("#", "pos"),
        ("Code", "code"),
        ("Service", "service"),
        ("Wait", "waited"),
        ("Est.", "est"),
        ("Needs", "needs"),
    )

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._entries: dict[str, QueueEntry] = {}
        self._styles = {WaitBand.RED: "bold red", WaitBand.AMBER: "yellow", WaitBand.OK: ""}
        self._limits = (64, 64, False)
        self.target_seconds = 15 * 60
        self.amber_seconds = 10 * 60
        self.labels: dict[str, str] = {}

    @guarded
    def on_mount(self) -> None:
        for label, key in self.COLUMNS:
            self.add_column(Text(label), key=key)  # plain: never read as markup

    @guarded
    def on_resize(self, event: Resize) -> None:
        if self._entries:
            self.show(list(self._entries.values()))

    def wait_style(self, seconds: int) -> str:
        """The one wait colour (domain.standards.wait_band): amber from queue.amber_minutes,
        red past the target."""
        return self._styles[wait_band(seconds, self.amber_seconds, self.target_seconds)]

    def limits(self, entries: list[QueueEntry]) -> tuple[int, int, bool]:
        """How wide the service and needs may be, and whether waits are short ("16m")."""
        width = self.size.width
        if width <= 0:
            return 64, 64, False
        short = width < NARROW
        if len(entries) > max(1, self.size.height - 1):
            width -= 2  # the vertical scrollbar
        services = [len(self.labels.get(e.ticket.service, e.ticket.service)) for e in entries]
        needs = [len(self.needs_text(e)) for e in entries]
        want_service = max([SERVICE_MIN, *services])
        want_needs = max([NEEDS_MIN, *needs])
        digits = max([1, *(len(str(e.position or 0)) for e in entries)])
        waits = max([4, *(len(waited_text(e.wait_seconds, short)) for e in entries)])
        ests = max([4, *(len(minutes_text(e.estimated_wait_seconds, short)) for e in entries)])
        fixed = (digits + 2) + (4 + 2) + (waits + 2) + (ests + 2)
        room = max(SERVICE_MIN + NEEDS_MIN, width - fixed - 4)
        if want_service + want_needs <= room:
            return want_service, want_needs, short
        needs_room = max(NEEDS_MIN, min(want_needs, room // 2))
        service_room = max(SERVICE_MIN, room - needs_room)
        return service_room, max(NEEDS_MIN, room - service_room), short

    def needs_text(self, entry: QueueEntry) -> str:
        return ", ".join([*staff_marks(entry.ticket), *map(short_need, entry.ticket.needs)])

    def cells(self, entry: QueueEntry) -> tuple[Cell, ...]:
        service_room, needs_room, short = self._limits
        t = entry.ticket
        label = self.labels.get(t.service, t.service)
        waited = Text(
            waited_text(entry.wait_seconds, short), style=self.wait_style(entry.wait_seconds)
        )
        return (
            entry.position or 0,
            Text(t.code, style="bold"),
            Text(clipped(label, service_room)),
            waited,
            Text(minutes_text(entry.estimated_wait_seconds, short)),
            Text(clipped(self.needs_text(entry), needs_room)),
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
        self._entries = wanted
        self._limits = self.limits(list(wanted.values()))
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
                            self.update_cell(key, column, new, update_width=True)
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
