"""The live queue as a table, updated row by row (never cleared), so the cursor stays put.

When the highlighted ticket leaves the list (another desk called it, say), no other row is
highlighted in its place: the highlight goes (``gone`` says which ticket it was) until an arrow
key shows it again (on the row now in that place; the next key moves it), a click highlights a
row, or the ticket comes back. So a key that acts on "the highlighted ticket" never acts on a
resident the person did not choose.

It fits its width: every column header shows whole at 80 columns, the service and the needs
are shortened (with "…") before anything else, and narrow tables write waits as "16m". While
a ticket shown has a flag (urgent), a Flag column after the code says so, apart from the needs.
A ticket sent to a desk or a colleague says so where its estimate would be ("for Desk 3"; "→D3"
where the words would push the Est. column out); where the Est. column gives way all the same,
the Flag column (shown then) says it.
"""

from __future__ import annotations

from rich.text import Text
from textual.events import Click, Key, Resize

from oss_desk.domain.models import QueueEntry, Ticket
from oss_desk.domain.needs import short_need
from oss_desk.domain.wait_target import WaitBand, entry_band, wait_band
from oss_desk.domain.waits import NEXT, estimate_minutes, waited_minutes
from oss_desk.ui.faults import guarded
from oss_desk.ui.names import Names
from oss_desk.ui.tables import Table
from oss_desk.ui.widgets.fit import remove_rows

Cell = Text | int | str

NARROW = 60
"""Below this width waits are written "16m" instead of "16 min"."""
SERVICE_MIN = len("Service")
NEEDS_MIN = len("Needs")
MOVES = frozenset({"up", "down", "pageup", "pagedown", "ctrl+home", "ctrl+end"})
"""The keys that move the highlight; after ``gone``, the first of them only shows it again."""


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


def flag_heading() -> str:
    """The Flag column's heading, as the queue's rules name it."""
    from oss_desk.domain.queue import FLAG_HEADING

    return FLAG_HEADING


def clipped(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending "…" when cut."""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


class QueueTable(Table[Cell]):
    """Waiting tickets: place, code, service, time waited (coloured near and past the target),
    estimated wait and needs."""

    COLUMNS = (
        ("#", "pos"),
        ("Code", "code"),
        ("", "flag"),  # its heading is the queue's (domain.queue.FLAG_HEADING): see flag_heading()
        ("Service", "service"),
        ("Wait", "waited"),
        ("Est.", "est"),
        ("Needs", "needs"),
    )
    """Every column; the Flag column is there only while a ticket shown has a flag (the queue's
    rules, which say what a flag is and call its column, are imported when there are rows:
    after the desk's first frame)."""
    GIVES_WAY = ("est", "pos")
    """Left out, in this order, where the headings would not all show whole (80 columns with
    a flag): the estimate (meet-and-greet's panel says the issued ticket's own; where a ticket
    was sent goes to the Flag column), then the place (the rows are in call order). Where a
    ticket was sent never pushes the estimates out alone: it is written "→D3" first."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._entries: dict[str, QueueEntry] = {}
        self._styles = {WaitBand.RED: "bold red", WaitBand.AMBER: "yellow", WaitBand.OK: ""}
        self._limits = (64, 64, False)
        self.target_seconds = 15 * 60
        self.amber_seconds = 10 * 60
        self.labels: dict[str, str] = {}
        self.names: Names | None = None
        """What desks and colleagues are called: a ticket sent to one says so ("for Desk 3")
        where its estimate would be (only there is it called)."""
        self.shown_columns = tuple(key for _, key in self.COLUMNS if key != "flag")
        self.brief = False
        """Whether where a ticket was sent is written "→D3" (the words would not leave room
        for the Est. column)."""
        self.gone: Ticket | None = None
        """The highlighted ticket, as last shown, when it left the list; None once a row is
        highlighted again."""

    @guarded
    def on_mount(self) -> None:
        self.set_columns(self.shown_columns)

    def set_columns(self, keys: tuple[str, ...]) -> None:
        """Show the columns ``keys`` (rare: a flag comes or goes, the width changes a lot); the
        rows are added again."""
        self.clear(columns=True)
        self._cells.clear()
        self.shown_columns = keys
        for label, key in self.COLUMNS:
            if key in keys:
                self.add_column(Text(label or flag_heading()), key=key)  # plain: never markup

    @guarded
    def on_key(self, event: Key) -> None:
        if self.gone is not None and event.key in MOVES:
            self.highlight_again()  # where it was: this key shows it, the next one moves it
            event.stop()

    @guarded
    def on_click(self, event: Click) -> None:
        self.highlight_again()  # then the click highlights its row, as usual

    def highlight_again(self) -> None:
        """Show the highlight again after its ticket left (where it was: the row now there)."""
        if self.gone is not None:
            self.gone = None
            self.show_cursor = True

    @guarded
    def on_resize(self, event: Resize) -> None:
        if self._entries:
            self.show(list(self._entries.values()))

    def wait_style(self, seconds: int) -> str:
        """The one wait colour (domain.wait_target.wait_band): amber from queue.amber_minutes,
        red past the target."""
        return self._styles[wait_band(seconds, self.amber_seconds, self.target_seconds)]

    def fit_columns(self, entries: list[QueueEntry]) -> tuple[tuple[str, ...], int, int, bool]:
        """The columns shown, how wide the service and needs may be, and whether waits are
        short ("16m"); ``brief`` is set when where a ticket was sent is written "→D3"."""
        from oss_desk.domain.queue import staff_marks

        flagged = any(staff_marks(e.ticket) for e in entries)
        keys = tuple(key for _, key in self.COLUMNS if key != "flag" or flagged)
        self.brief = False
        width = self.size.width
        if width <= 0:
            return keys, 64, 64, False
        short = width < NARROW
        if len(entries) > max(1, self.size.height - 1):
            width -= 2  # the vertical scrollbar
        fixed = {
            "pos": max([1, *(len(str(e.position or 0)) for e in entries)]),
            "code": 4,
            "flag": max([len(flag_heading()), *(len(self.flag_text(e)) for e in entries)]),
            "waited": max([4, *(len(waited_text(e.wait_seconds, short)) for e in entries)]),
            "est": max([4, *(len(self.est_text(e, short)) for e in entries)]),
        }
        shown, room = self.giving_way(keys, fixed, width)
        if "est" not in shown and any(self.sent_text(e) for e in entries):
            shown, room = self.sent_fitted(entries, keys, fixed, width, short)
        services = [len(self.labels.get(e.ticket.service, e.ticket.service)) for e in entries]
        needs = [len(self.needs_text(e)) for e in entries]
        want_service = max([SERVICE_MIN, *services])
        want_needs = max([NEEDS_MIN, *needs])
        room = max(SERVICE_MIN + NEEDS_MIN, room)
        if want_service + want_needs <= room:
            return shown, want_service, want_needs, short
        needs_room = max(NEEDS_MIN, min(want_needs, room // 2))
        service_room = max(SERVICE_MIN, room - needs_room)
        return shown, service_room, max(NEEDS_MIN, room - service_room), short

    def sent_fitted(
        self,
        entries: list[QueueEntry],
        keys: tuple[str, ...],
        fixed: dict[str, int],
        width: int,
        short: bool,
    ) -> tuple[tuple[str, ...], int]:
        """The columns shown (and the room left) where a ticket was sent and its words push the
        Est. column out: the first that fits of "→D3" as its estimate, the words in the Flag
        column (the estimates given way), "→D3" there. "→D3" only where each mark names one
        desk or person; sets :attr:`brief`."""
        sent = {self.sent_text(e) for e in entries} - {""}
        unique = len({self.sent_text(e, brief=True) for e in entries} - {""}) == len(sent)
        flagged = tuple(key for _, key in self.COLUMNS if key != "est")
        tries = [(True, keys), (False, flagged), (True, flagged)] if unique else [(False, flagged)]
        for brief, columns in tries:
            self.brief = brief
            est = max([4, *(len(self.est_text(e, short, brief)) for e in entries)])
            flag = max([fixed["flag"], *(len(self.flag_text(e, sent=True)) for e in entries)])
            sizes = {**fixed, "est": est, "flag": flag if "est" not in columns else fixed["flag"]}
            shown, room = self.giving_way(columns, sizes, width)
            if ("est" in shown) == ("est" in columns) and room >= SERVICE_MIN + NEEDS_MIN:
                break
        return shown, room

    def giving_way(
        self, keys: tuple[str, ...], fixed: dict[str, int], width: int
    ) -> tuple[tuple[str, ...], int]:
        """``keys`` less those that give way (:attr:`GIVES_WAY`) for the service and the needs
        to have their headings' room, and the room left them."""
        room = width - sum(fixed[k] + 2 for k in keys if k in fixed) - 4
        for key in self.GIVES_WAY:
            if room < SERVICE_MIN + NEEDS_MIN and key in keys:
                keys = tuple(k for k in keys if k != key)
                room += fixed[key] + 2
        return keys, room

    def est_text(self, entry: QueueEntry, short: bool, brief: bool = False) -> str:
        """The estimated wait; for a ticket sent to a desk or a colleague, where it was sent
        ("for Desk 3", ``brief``: "→D3": the team leader's D, a transfer), by the one rule of
        where a ticket goes (``domain.queue.sent_to``)."""
        return self.sent_text(entry, brief=brief) or minutes_text(
            entry.estimated_wait_seconds, short
        )

    def sent_text(self, entry: QueueEntry, *, brief: bool = False) -> str:
        """Where the ticket was sent ("for Desk 3", ``brief``: "→D3"), or "" (sent nowhere)."""
        from oss_desk.domain.counter import sent_for, sent_mark, sent_to

        sent = sent_to(entry.ticket)
        if sent is None or self.names is None:
            return ""
        names = self.names
        name = names.person(sent.person) if sent.person else names.desk(sent.desk)
        return sent_mark(name) if brief else sent_for(name)

    def needs_text(self, entry: QueueEntry) -> str:
        return ", ".join(map(short_need, entry.ticket.needs))

    def flag_text(self, entry: QueueEntry, *, sent: bool = False) -> str:
        """Its flags; with ``sent`` (the Est. column has given way), then where it was sent
        (as :attr:`brief` says)."""
        return self.flag_cell(entry, sent=sent).plain

    def flag_cell(self, entry: QueueEntry, *, sent: bool = False) -> Text:
        from oss_desk.domain.queue import staff_marks

        cell = Text()
        cell.append(", ".join(staff_marks(entry.ticket)), style=self._styles[WaitBand.RED])
        if sent and (where := self.sent_text(entry, brief=self.brief)):
            cell.append(f", {where}" if cell else where)
        return cell

    def cells(self, entry: QueueEntry) -> tuple[Cell, ...]:
        """The row of ``entry``, a cell for each column shown."""
        service_room, needs_room, short = self._limits
        t = entry.ticket
        label = self.labels.get(t.service, t.service)
        waited = Text(
            waited_text(entry.wait_seconds, short),
            style=self._styles[entry_band(entry, self.amber_seconds, self.target_seconds)],
        )
        cells: dict[str, Cell] = {
            "pos": entry.position or 0,
            "code": Text(t.code, style="bold"),
            "flag": self.flag_cell(entry, sent="est" not in self.shown_columns),
            "service": Text(clipped(label, service_room)),
            "waited": waited,
            "est": Text(self.est_text(entry, short, self.brief)),
            "needs": Text(clipped(self.needs_text(entry), needs_room)),
        }
        return tuple(cells[key] for key in self.shown_columns)

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
        left = self._entries.get(selected or "") if selected not in wanted else None
        if left is not None:  # the highlighted ticket left: highlight nothing in its place
            self.gone, selected = left.ticket, None
            self.show_cursor = False
        elif self.gone is not None and str(self.gone.id) in wanted:  # it came back
            selected, self.gone = str(self.gone.id), None
            self.show_cursor = True
        self._entries = wanted
        keys, service_room, needs_room, short = self.fit_columns(list(wanted.values()))
        self._limits = (service_room, needs_room, short)
        with self.app.batch_update():
            if keys != self.shown_columns:  # rare: the first urgent resident, the last gone
                self.set_columns(keys)
            gone = [key for key in self._cells if key not in wanted]
            remove_rows(self, gone)
            for key in gone:
                del self._cells[key]
            for key, entry in wanted.items():
                cells = self.cells(entry)
                old = self._cells.get(key)
                if old is None:
                    self.add_row(*cells, key=key)
                elif old != cells:
                    for column, new, previous in zip(self.shown_columns, cells, old, strict=True):
                        if new != previous:
                            self.update_cell(key, column, new, update_width=True)
                self._cells[key] = cells
            order = [str(row.key.value) for row in self.ordered_rows]
            if order != sorted(order, key=lambda k: wanted[k].position or 0):
                # only when the order changed: a sort repaints every row (by the code: the
                # place may have given way)
                place = {e.ticket.code: e.position or 0 for e in wanted.values()}
                self.sort("code", key=lambda code: place.get(code.plain, 0))
            if selected in self._cells:
                self.move_cursor(row=self.get_row_index(selected), animate=False)

    def selected_key(self) -> str | None:
        """The highlighted row's key (None: no row is highlighted)."""
        if self.row_count == 0 or self.gone is not None:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return row_key.value

    def selected_ticket_id(self) -> int | None:
        key = self.selected_key()
        return int(key) if key is not None else None
