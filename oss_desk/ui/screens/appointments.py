"""Appointments: the day or week grid, booking, check-in, checklist, move, cancel, no-show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.widgets import DataTable, Static

from oss_desk.domain.access import Action
from oss_desk.domain.appointments import Appointment, AppointmentStatus, Contact, parse_reference
from oss_desk.domain.calendar import local
from oss_desk.domain.needs import describe_need
from oss_desk.domain.slots import Slot
from oss_desk.domain.text import printable
from oss_desk.errors import OssDeskError
from oss_desk.services.appointment_grid import Cell, Grid, day_grid, resources, week_grid
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.session import Session
from oss_desk.ui.dialogs import ChoiceDialog, ConfirmDialog, TextDialog
from oss_desk.ui.dialogs.appointments import (
    BookingDialog,
    BookingForm,
    ChecklistDialog,
    ReferenceDialog,
)
from oss_desk.ui.screens.base import DeskScreen
from oss_desk.ui.widgets.bars import StatusBar, TopBar
from oss_desk.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from oss_desk.ui.app import OssDeskApp

R = TypeVar("R")

STATUS_WORDS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.CHECKED_IN: "checked in (here)",
    AppointmentStatus.ATTENDED: "seen",
    AppointmentStatus.INCOMPLETE: "came without the documents",
    AppointmentStatus.NO_SHOW: "did not come",
    AppointmentStatus.CANCELLED: "cancelled",
}


class AppointmentsScreen(DeskScreen):
    AREA = "Appointments"
    HELP = (
        "The grid shows a day (every adviser and room) or, with W, a week for one adviser or "
        "room (A chooses which). [ and ] go back and forward, T to today. B books (the "
        "highlighted free slot is offered first). C checks a resident in by their booking "
        "reference; a scanner at any screen does the same. K ticks what they brought; M moves; "
        "X cancels (a council cancellation with under a working day's notice needs a reason); "
        "N marks a no-show; R rebooks someone who came without the documents."
    )
    ROLE_ACTIONS: ClassVar[dict[str, Action]] = {
        "book": Action.BOOK_APPOINTMENT,
        "check_in": Action.CHECK_IN,
        "checklist": Action.TICK_CHECKLIST,
        "move": Action.MOVE_APPOINTMENT,
        "cancel_booking": Action.CANCEL_APPOINTMENT,
        "no_show": Action.APPOINTMENT_NO_SHOW,
        "rebook": Action.REBOOK,
        "find": Action.VIEW_APPOINTMENTS,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "book", "Book", id="appt.book", tooltip="Book an appointment"),
        Binding(
            "c",
            "check_in",
            "Check in",
            id="appt.check_in",
            tooltip="The resident has arrived: check them in by reference (or scan)",
        ),
        Binding(
            "k",
            "checklist",
            "Checklist",
            id="appt.checklist",
            tooltip="Tick the documents the resident brought",
        ),
        Binding("m", "move", "Move", id="appt.move", tooltip="Move the highlighted appointment"),
        Binding(
            "x", "cancel_booking", "Cancel", id="appt.cancel", tooltip="Cancel the highlighted one"
        ),
        Binding(
            "n",
            "no_show",
            "No-show",
            id="appt.no_show",
            tooltip="The resident did not come",
        ),
        Binding(
            "r",
            "rebook",
            "Rebook",
            id="appt.rebook",
            tooltip="Came without the documents: book them again",
        ),
        Binding("w", "toggle_view", "Day/week", id="appt.view", tooltip="Day grid or week grid"),
        Binding(
            "a",
            "choose_resource",
            "Adviser/room",
            id="appt.resource",
            tooltip="Whose week to show: an adviser or a room",
        ),
        Binding(
            "left_square_bracket",
            "shift(-1)",
            "Earlier",
            id="appt.earlier",
            tooltip="The day (or week) before",
            show=False,
        ),
        Binding(
            "right_square_bracket",
            "shift(1)",
            "Later",
            id="appt.later",
            tooltip="The next day (or week)",
            show=False,
        ),
        Binding("t", "today", "Today", id="appt.today", tooltip="Back to today", show=False),
        Binding("f7", "find", "Find", id="appt.find", tooltip="Find a booking by its reference"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "day"
        self.day: date | None = None
        self.resource: str | None = None
        self.grid: Grid | None = None
        self.grid_view: tuple[str, str | None] = ("day", None)
        """What the grid on screen shows (the view and resource asked for may be loading)."""
        self.contacts: dict[int, Contact | None] = {}
        """Contact details read (and recorded as read) once per booking while the app runs."""
        self._reading: set[int] = set()
        self._wanted_cursor: int | None = None
        """After a jump: the appointment to put the cursor on."""

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static(id="appt-title")
        with Horizontal(id="appt-body"):
            table: DataTable[Text] = DataTable(id="appt-grid", cursor_type="cell")
            yield table
            yield Static(id="appt-detail")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#appt-grid", DataTable).focus()

    def on_resize(self, event: Resize) -> None:
        # Under 110 columns the details go below the grid, which keeps the width.
        narrow = event.size.width < 110
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.show_detail()

    def current_desk(self) -> str | None:
        return self.desk_app.terminal_desk or self.desk_app.greet_desk_id

    def wants_fresh_data(self) -> bool:
        return True

    def service(self, session: Session) -> AppointmentService:
        return AppointmentService(session, self.acting_as())

    # Loading -----------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        self.load()

    @work(exclusive=True, group="appt-grid")
    async def load(self) -> None:
        app = self.desk_app
        if self.day is None:
            self.day = date.fromisoformat(app.runner.session.today())
        day = self.day
        view = self.view
        resource = self.resource
        actor = self.acting_as()

        def build(session: Session) -> tuple[Grid, str | None]:
            svc = AppointmentService(session, actor)
            chosen = resource
            if view == "week":
                chosen = resource or next((r.key for r in resources(svc)), None)
                grid = day_grid(svc, day) if chosen is None else week_grid(svc, day, chosen)
            else:
                grid = day_grid(svc, day)
            return grid, chosen

        result = await app.attempt(build)
        if result is None:
            return
        self.grid, self.resource = result
        self.grid_view = (view, self.resource)
        self.draw()

    async def _resources(self) -> list[tuple[str, str]]:
        actor = self.acting_as()
        found = await self.desk_app.attempt(
            lambda s: [(r.key, r.name) for r in resources(AppointmentService(s, actor))]
        )
        return found or []

    def draw(self) -> None:
        grid = self.grid
        if grid is None:
            return
        table: DataTable[Text] = self.query_one("#appt-grid", DataTable)
        shape = (grid.headings, grid.times, grid.days)
        previous = getattr(self, "_shape", None)
        cursor = table.cursor_coordinate
        if shape != previous:
            table.clear(columns=True)
            table.add_column(Text("Time"), key="time", width=5)
            for heading, key in zip(grid.headings, grid.column_keys, strict=True):
                table.add_column(Text(heading, style="bold"), key=key, width=max(14, len(heading)))
            for index, wall in enumerate(grid.times):
                table.add_row(
                    Text(wall, style="dim"),
                    *[self.cell_text(c) for c in grid.cells[index]],
                    key=wall,
                )
            self._shape = shape
        else:
            for row, cells in enumerate(grid.cells):
                for column, cell in enumerate(cells, start=1):
                    table.update_cell_at(Coordinate(row, column), self.cell_text(cell))
        if self._wanted_cursor is not None:
            target = self._find_cell(self._wanted_cursor)
            self._wanted_cursor = None
            if target is not None:
                cursor = target
        elif shape != previous:
            cursor = self._first_interesting(cursor)
        if grid.times:
            table.move_cursor(row=cursor.row, column=max(1, cursor.column))
        hint = Text()
        hint.append(grid.title, style="bold")
        hint.append("   [ ] earlier/later · T today · W day/week · A adviser/room", style="dim")
        self.query_one("#appt-title", Static).update(hint)
        self.show_detail()
        self.refresh_bindings()

    def _first_interesting(self, cursor: Coordinate) -> Coordinate:
        """On a new grid: the first booking, else the first free slot, else where it was."""
        grid = self.grid
        if grid is None:
            return cursor
        for kind in ("booked", "free"):
            for row, cells in enumerate(grid.cells):
                for column, cell in enumerate(cells, start=1):
                    if cell.kind == kind:
                        return Coordinate(row, column)
        return cursor

    def _find_cell(self, appointment_id: int) -> Coordinate | None:
        grid = self.grid
        if grid is None:
            return None
        for row, cells in enumerate(grid.cells):
            for column, cell in enumerate(cells, start=1):
                if cell.appointment_id == appointment_id and cell.kind == "booked":
                    return Coordinate(row, column)
        return None

    def cell_text(self, cell: Cell) -> Text:
        if cell.kind == "booked":
            appt = self.grid.appointments.get(cell.appointment_id or 0) if self.grid else None
            style = "bold"
            if appt is not None:
                style = {
                    AppointmentStatus.BOOKED: "bold $accent",
                    AppointmentStatus.CHECKED_IN: "bold green",
                    AppointmentStatus.ATTENDED: "green",
                    AppointmentStatus.NO_SHOW: "red",
                    AppointmentStatus.INCOMPLETE: "yellow",
                }.get(appt.status, "bold")
            return Text(cell.text, style=style.replace("$accent", self._accent()))
        if cell.kind == "cont":
            return Text(cell.text, style="dim")
        if cell.kind == "free":
            return Text(cell.text, style="dim")
        if cell.kind in ("away", "closed"):
            return Text(cell.text, style="italic dim")
        return Text("")

    def _accent(self) -> str:
        return self.app.theme_variables.get("accent", "yellow")

    # The highlighted cell ---------------------------------------------------------------------

    def highlighted(self) -> tuple[Cell | None, date | None, str | None, str | None]:
        """The cell under the cursor: (cell, day, adviser id, room id)."""
        grid = self.grid
        if grid is None or not grid.times:
            return None, None, None, None
        table = self.query_one("#appt-grid", DataTable)
        row, column = table.cursor_coordinate
        if column < 1 or row >= len(grid.cells) or column > len(grid.column_keys):
            return None, None, None, None
        cell = grid.cells[row][column - 1]
        key = grid.column_keys[column - 1]
        view, shown_resource = self.grid_view
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
        row = self.query_one("#appt-grid", DataTable).cursor_coordinate.row
        return grid.times[row] if row < len(grid.times) else None

    @on(DataTable.CellHighlighted, "#appt-grid")
    def _moved(self, event: DataTable.CellHighlighted) -> None:
        self.show_detail()
        self.refresh_bindings()

    def _own(self, appt: Appointment) -> bool:
        return appt.adviser == self.acting_as().person

    def _want_contact(self, appt: Appointment | None) -> None:
        """Read the highlighted booking's contact details once (the read is recorded), if the
        person's role may see them; a refresh of the screen does not read them again."""
        if appt is None or appt.id in self.contacts or appt.id in self._reading:
            return
        if not self.desk_app.may(Action.VIEW_CONTACT, self.acting_as(), own=self._own(appt)):
            return
        self._reading.add(appt.id)
        self.run_worker(self._read_contact(appt), group="appt-contact", exit_on_error=False)

    async def _read_contact(self, appt: Appointment) -> None:
        actor = self.acting_as()
        try:
            found = await self.desk_app.attempt(
                lambda s: (AppointmentService(s, actor).contact(appt, "appointments panel"),)
            )
        finally:
            self._reading.discard(appt.id)
        if found is not None:
            self.contacts[appt.id] = found[0]
            self.show_detail()

    def show_detail(self) -> None:
        """The highlighted booking (or free time): a column beside the grid, or a few wrapped
        lines below it on a narrow terminal."""
        self._want_contact(self.highlighted_appointment())
        narrow = self.has_class("-narrow")
        parts = self.detail_parts()
        text = Text()
        for i, (part, style) in enumerate(parts):
            if narrow:
                # One wrapped paragraph: first lines only, spaces squeezed.
                short = " ".join(part.strip().split("\n")[0].split()).rstrip(":")
                if i:
                    text.append(" · ", style="dim")
                text.append(short, style=style)
            else:
                text.append(part + "\n", style=style)
        self.query_one("#appt-detail", Static).update(text)

    def detail_parts(self) -> list[tuple[str, str]]:
        app = self.desk_app
        directory = app.runner.session.directory
        appt = self.highlighted_appointment()
        cell, day, adviser, room = self.highlighted()
        parts: list[tuple[str, str]] = []
        if appt is not None:
            svc = directory.services.get(appt.service)
            tz = directory.sites[appt.site_id].timezone
            start, end = local(appt.starts_at, tz), local(appt.ends_at, tz)
            parts.append((appt.ref, "bold"))
            parts.append((svc.name if svc else appt.service, "bold"))
            parts.append((f"{start:%a} {start.day} {start:%b} {start:%H:%M}-{end:%H:%M}", ""))
            parts.append((f"Adviser: {app.person_name(appt.adviser)}", ""))
            if appt.room:
                parts.append((f"Room:    {app.desk_name(appt.room)}", ""))
            parts.append((f"Status:  {STATUS_WORDS.get(appt.status, appt.status.value)}", ""))
            if appt.notice_breach:
                parts.append(("Cancelled at short notice", "bold red"))
            contact = self.contacts.get(appt.id)
            if contact is not None and contact.name:
                parts.append((f"Name:    {printable(contact.name)}", ""))
            how = {"email": "email", "text": "text", "slip": "printed slip"}[appt.channel.value]
            parts.append((f"Told by: {how}", ""))
            if appt.needs:
                needs = ", ".join(describe_need(n) for n in appt.needs)
                parts.append((f"Needs:   {needs}", "bold"))
            checklist = svc.checklist if svc else ()
            if checklist:
                brought = sum(1 for item in checklist if item in appt.checklist_ticked)
                lines = [f"\nBrought {brought} of {len(checklist)}:"]
                for item in checklist:
                    mark = "[x]" if item in appt.checklist_ticked else "[ ]"
                    lines.append(f" {mark} {item}")
                parts.append(("\n".join(lines), ""))
            hints = {
                AppointmentStatus.BOOKED: [
                    ("check_in", "C check in"),
                    ("move", "M move"),
                    ("cancel_booking", "X cancel"),
                    ("no_show", "N no-show"),
                ],
                AppointmentStatus.CHECKED_IN: [
                    ("checklist", "K checklist"),
                    ("rebook", "R rebook (no documents)"),
                ],
                AppointmentStatus.ATTENDED: [("rebook", "R rebook (no documents)")],
            }
            own = self._own(appt)
            hint = " · ".join(
                text
                for action, text in hints.get(appt.status, [])
                if self.role_allows(action, own=own)
            )
            if hint:
                parts.append(("\n" + hint, "dim"))
        elif cell is not None and day is not None:
            when = self.highlighted_time() or ""
            who = app.person_name(adviser) if adviser else app.desk_name(room) if room else ""
            if cell.kind == "free":
                parts.append(("Free", "bold"))
                parts.append((f"{day:%a} {day.day} {day:%b} {when}", ""))
                parts.append((who, ""))
                parts.append(("\nB books it", "dim"))
            elif cell.kind == "past":
                parts.append((f"{day:%a} {day.day} {day:%b} {when} has passed", "dim"))
            elif cell.kind == "away":
                parts.append((f"{who} is away on {day:%a} {day.day} {day:%b}", "italic"))
            elif cell.kind == "closed":
                parts.append((f"The office is closed: {cell.text}", "italic"))
            else:
                parts.append((f"{who} is not working at {when}", "dim"))
        return parts

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        appt = self.highlighted_appointment() if self.grid is not None else None
        if not self.role_allows(action):
            return False  # the role never may: the key is hidden
        if appt is not None and not self.role_allows(action, own=self._own(appt)):
            return None  # another adviser's appointment: shown dimmed
        status = appt.status if appt else None
        needs = {
            "move": status is AppointmentStatus.BOOKED,
            "cancel_booking": status is AppointmentStatus.BOOKED,
            "no_show": status is AppointmentStatus.BOOKED
            and appt is not None
            and appt.starts_at <= self.desk_app.runner.session.clock.now(),
            "checklist": status
            in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.ATTENDED),
            "rebook": status
            in (
                AppointmentStatus.CHECKED_IN,
                AppointmentStatus.ATTENDED,
                AppointmentStatus.INCOMPLETE,
                AppointmentStatus.NO_SHOW,
            ),
            "choose_resource": self.view == "week",
        }
        if action in needs and not needs[action]:
            return None
        return True

    # Navigation --------------------------------------------------------------------------------

    def action_toggle_view(self) -> None:
        self.view = "week" if self.view == "day" else "day"
        if self.view == "week":  # the week of the adviser or room highlighted
            _, _, adviser, room = self.highlighted()
            if adviser:
                self.resource = f"adviser:{adviser}"
            elif room:
                self.resource = f"room:{room}"
        self.load()

    def action_shift(self, steps: int) -> None:
        if self.day is None:
            return
        self.day += timedelta(days=steps * (7 if self.view == "week" else 1))
        self.load()

    def action_today(self) -> None:
        self.day = date.fromisoformat(self.desk_app.runner.session.today())
        self.load()

    @work(exclusive=True, group="appt-action")
    async def action_choose_resource(self) -> None:
        found = await self._resources()
        if not found:
            self.app.notify("Nobody takes appointments here", markup=False)
            return
        letters = "123456789abcdefghijklmnopqrstuvwxyz"
        choices = [(letters[i], f"{letters[i]}  {name}") for i, (_, name) in enumerate(found[:35])]
        picked = await self.app.push_screen_wait(
            ChoiceDialog("Whose week?", choices, "A number or letter · Esc: back")
        )
        if picked is None:
            return
        self.resource = found[letters.index(picked)][0]
        self.view = "week"
        self.load()

    # Booking -----------------------------------------------------------------------------------

    def _services(self) -> list[tuple[str, str]]:
        directory = self.desk_app.runner.session.directory
        return [(c, s.name) for c, s in directory.services.items() if s.appointment_minutes]

    def describe_slot(self, slot: Slot) -> str:
        app = self.desk_app
        site = next(iter(app.runner.session.directory.sites.values()))
        start = local(slot.start, site.timezone)
        text = f"{start:%a} {start.day} {start:%b} {start:%H:%M}  {app.person_name(slot.adviser)}"
        if slot.room:
            text += f"  ({app.desk_name(slot.room)})"
        return text

    async def _call(self, fn: Callable[[Session], R]) -> R | str:
        """Run on the database thread; a refusal comes back as its message (shown inline)."""
        app = self.desk_app
        try:
            return await app.runner.call(fn)
        except OssDeskError as exc:
            return exc.message
        except Exception:
            result = await app.attempt(fn)
            return result if result is not None else "That did not work: see the message"

    async def _slots(self, service: str, day: date, adviser: str | None = None) -> list[Slot] | str:
        actor = self.acting_as()

        def find(session: Session) -> list[Slot]:
            return AppointmentService(session, actor).slots(service, day, 1, adviser=adviser)

        return await self._call(find)

    @work(exclusive=True, group="appt-action")
    async def action_book(self) -> None:
        services = self._services()
        if not services:
            self.app.notify("No service takes appointments (appointment_minutes)", markup=False)
            return
        cell, day, adviser, _ = self.highlighted()
        preferred = None
        if cell is not None and cell.kind == "free" and day is not None and adviser:
            when = self.highlighted_time()
            preferred = self._slot_at(day, when, adviser)
        actor = self.acting_as()
        desk = self.current_desk()

        async def submit(form: BookingForm) -> Appointment | str:
            def book(session: Session) -> Appointment:
                return AppointmentService(session, actor).book(
                    form.service,
                    form.slot.start,
                    channel=form.chosen_channel(),
                    name=form.name or None,
                    email=form.email or None,
                    phone=form.phone or None,
                    adviser=form.slot.adviser,
                    needs=form.needs or None,
                    desk_id=desk,
                )

            return await self._call(book)

        booked = await self.app.push_screen_wait(
            BookingDialog(
                "Book an appointment",
                services=services,
                day=day or date.fromisoformat(self.desk_app.runner.session.today()),
                find_slots=self._slots,
                submit=submit,
                describe=self.describe_slot,
                preferred=preferred,
            )
        )
        if booked is not None:
            await self._done(booked, f"Booked {booked.ref}: {self._when(booked)}")

    def _slot_at(self, day: date, when: str | None, adviser: str) -> Slot | None:
        if when is None:
            return None
        from datetime import UTC, datetime, time

        from oss_desk.domain.calendar import zone

        site = next(iter(self.desk_app.runner.session.directory.sites.values()))
        start = datetime.combine(day, time.fromisoformat(when), zone(site.timezone))
        return Slot(start.astimezone(UTC), start.astimezone(UTC), adviser, None)

    def _when(self, appt: Appointment) -> str:
        tz = self.desk_app.runner.session.directory.sites[appt.site_id].timezone
        start = local(appt.starts_at, tz)
        return f"{start:%a} {start.day} {start:%b} at {start:%H:%M}"

    async def _done(self, appt: Appointment, message: str) -> None:
        self.notify_done(message)
        self.day = local(
            appt.starts_at, self.desk_app.runner.session.directory.sites[appt.site_id].timezone
        ).date()
        self._wanted_cursor = appt.id
        await self.desk_app.after_write()
        self.load()

    @work(exclusive=True, group="appt-action")
    async def action_move(self) -> None:
        appt = self.highlighted_appointment()
        if appt is None:
            return
        await self._reschedule(appt, rebook=False)

    @work(exclusive=True, group="appt-action")
    async def action_rebook(self) -> None:
        appt = self.highlighted_appointment()
        if appt is None:
            return
        await self._reschedule(appt, rebook=True)

    async def _reschedule(self, appt: Appointment, *, rebook: bool) -> None:
        actor = self.acting_as()
        desk = self.current_desk()

        async def submit(form: BookingForm) -> Appointment | str:
            def change(session: Session) -> Appointment:
                svc = AppointmentService(session, actor)
                if rebook:
                    return svc.rebook(
                        appt.id, form.slot.start, adviser=form.slot.adviser, desk_id=desk
                    )
                return svc.move(appt.id, form.slot.start, adviser=form.slot.adviser)

            return await self._call(change)

        title = (
            f"Rebook {appt.ref} (came without the documents)"
            if rebook
            else f"Move {appt.ref} (now {self._when(appt)})"
        )
        today = date.fromisoformat(self.desk_app.runner.session.today())
        result = await self.app.push_screen_wait(
            BookingDialog(
                title,
                services=self._services(),
                day=max(today, self.day or today),
                find_slots=self._slots,
                submit=submit,
                describe=self.describe_slot,
                service=appt.service,
                with_contact=False,
                fixed_service=True,
            )
        )
        if result is not None:
            verb = "Rebooked as" if rebook else "Moved"
            await self._done(result, f"{verb} {result.ref}: {self._when(result)}")

    @work(exclusive=True, group="appt-action")
    async def action_cancel_booking(self) -> None:
        appt = self.highlighted_appointment()
        if appt is None:
            return
        who = await self.app.push_screen_wait(
            ChoiceDialog(
                f"Cancel {appt.ref} ({self._when(appt)}): who is cancelling?",
                [("r", "r  The resident asked"), ("c", "c  The council (we cannot see them)")],
                "r or c · Esc: keep the appointment",
            )
        )
        if who is None:
            return
        by = "resident" if who == "r" else "council"
        reason: str | None = None
        if by == "council":
            reason = await self.app.push_screen_wait(
                TextDialog(
                    "Why is the council cancelling?",
                    placeholder="e.g. adviser ill (needed with under a working day's notice)",
                    max_length=200,
                )
            )
            if reason is None:
                return
        actor = self.acting_as()
        cancelled = await self.desk_app.attempt(
            lambda s: AppointmentService(s, actor).cancel(appt.id, by, reason or None)
        )
        if cancelled is not None:
            note = " (short notice: recorded)" if cancelled.notice_breach else ""
            self.notify_done(f"Cancelled {appt.ref}; the resident is told{note}")
            await self.desk_app.after_write()
            self.load()

    @work(exclusive=True, group="appt-action")
    async def action_no_show(self) -> None:
        appt = self.highlighted_appointment()
        if appt is None:
            return
        sure = await self.app.push_screen_wait(
            ConfirmDialog(f"{appt.ref} ({self._when(appt)}) did not come?")
        )
        if not sure:
            return
        actor = self.acting_as()
        done = await self.desk_app.attempt(lambda s: AppointmentService(s, actor).no_show(appt.id))
        if done is not None:
            self.notify_done(f"{appt.ref} marked as a no-show")
            await self.desk_app.after_write()
            self.load()

    @work(exclusive=True, group="appt-action")
    async def action_checklist(self) -> None:
        appt = self.highlighted_appointment()
        if appt is None:
            return
        await tick_checklist(self.desk_app, self, appt, [])
        self.load()

    @work(exclusive=True, group="appt-action")
    async def action_check_in(self) -> None:
        appt = self.highlighted_appointment()
        today = self.desk_app.runner.session.today()
        value = (
            appt.ref
            if appt is not None
            and appt.status is AppointmentStatus.BOOKED
            and appt.business_day == today
            else ""
        )
        typed = await self.app.push_screen_wait(ReferenceDialog("Check in", value))
        if typed:
            await check_in(self.desk_app, self, typed)
            self.load()

    @work(exclusive=True, group="appt-action")
    async def action_find(self) -> None:
        typed = await self.app.push_screen_wait(ReferenceDialog("Find a booking"))
        if not typed:
            return
        try:
            ref = parse_reference(typed)
        except OssDeskError as exc:
            self.app.notify(exc.message, severity="warning", markup=False)
            return
        found = await self.desk_app.attempt(lambda s: AppointmentService(s).find(ref))
        if found is None:
            return
        tz = self.desk_app.runner.session.directory.sites[found.site_id].timezone
        self.day = local(found.starts_at, tz).date()
        if found.status is AppointmentStatus.CANCELLED:
            self.app.notify(f"{found.ref} was cancelled ({self._when(found)})", markup=False)
        self._wanted_cursor = found.id
        if self.view == "week":
            self.resource = f"adviser:{found.adviser}"
        self.load()


async def check_in(app: OssDeskApp, screen: DeskScreen, typed: str) -> None:
    """Check a resident in by a typed or scanned reference; then tick what they brought."""
    try:
        ref = parse_reference(typed)
    except OssDeskError as exc:
        app.notify(exc.message, title="Not a booking reference", severity="warning", markup=False)
        return
    actor = screen.acting_as()

    def work_(session: Session) -> tuple[Appointment, str]:
        svc = AppointmentService(session, actor)
        ticket = svc.check_in(ref)
        return svc.find(ref), ticket.code

    result = await app.attempt(work_)
    if result is None:
        return
    appt, code = result
    await app.after_write()
    svc = app.runner.session.directory.services.get(appt.service)
    tz = app.runner.session.directory.sites[appt.site_id].timezone
    start = local(appt.starts_at, tz)
    lines = [
        f"Ticket {code} (priority) for {svc.name if svc else appt.service} at {start:%H:%M}",
        f"With {app.person_name(appt.adviser)}"
        + (f" in {app.desk_name(appt.room)}" if appt.room else ""),
    ]
    if appt.needs:
        lines.append("Needs: " + ", ".join(describe_need(n) for n in appt.needs))
    app.notify(f"{appt.ref} checked in: ticket {code}", markup=False, timeout=4)
    await tick_checklist(app, screen, appt, lines, title=f"{appt.ref} checked in")


async def tick_checklist(
    app: OssDeskApp,
    screen: DeskScreen,
    appt: Appointment,
    lines: list[str],
    title: str | None = None,
) -> None:
    svc = app.runner.session.directory.services.get(appt.service)
    items = list(svc.checklist) if svc else []
    ticked = await app.push_screen_wait(
        ChecklistDialog(title or f"{appt.ref}: what to bring", lines, items, appt.checklist_ticked)
    )
    if ticked is None:
        return
    actor = screen.acting_as()
    saved = await app.attempt(lambda s: AppointmentService(s, actor).tick(appt.id, ticked))
    if saved is not None:
        missing = [item for item in items if item not in ticked]
        message = (
            "Everything on the checklist was brought"
            if not missing
            else f"Not brought: {', '.join(missing)} (R rebooks if they cannot be seen)"
        )
        app.notify(message, markup=False, timeout=6)
        await app.after_write()
