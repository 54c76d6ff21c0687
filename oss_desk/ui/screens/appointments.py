"""Appointments: the day or week grid, booking, check-in, checklist, move, cancel, no-show."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.widgets import DataTable, Static

from oss_desk.domain.access import Action
from oss_desk.domain.appointments import (
    Appointment,
    AppointmentStatus,
    Contact,
    after_change_said,
    cancel_told_said,
    parse_reference,
    rebook_seen_said,
)
from oss_desk.errors import OssDeskError
from oss_desk.services.appointment_grid import Cell, Grid, day_grid, resources, week_grid
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.session import Session
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.dialogs import ChoiceDialog, ConfirmDialog, TextDialog
from oss_desk.ui.dialogs.appointments import ReferenceDialog
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.faults import guarded
from oss_desk.ui.keys import Keys, role_actions
from oss_desk.ui.screens.appointment_booking import book, bookable, reschedule, who_asked
from oss_desk.ui.screens.appointment_view import (
    appointment_parts,
    detail_text,
    free_time_parts,
    slot_at,
    when_text,
)
from oss_desk.ui.screens.base import DeskScreen, ReadOnce, acts_on, key_flow
from oss_desk.ui.screens.flows import check_in, tick_checklist
from oss_desk.ui.theme import STYLES
from oss_desk.ui.widgets.appointment_grid import AppointmentGrid, grid_key

R = TypeVar("R")


_key = Keys("appt")


def _short(appt: Appointment, reachable: bool, dropped: str | None) -> str:
    """ " (short notice: recorded, 1 working day's notice)" after a council cancellation or
    move that gave less than the standard notice, what a person must do when its resident
    was booked by slip, and the slip it settled unprinted (``dropped``) ("" otherwise):
    ``reachable``, the booking holds a phone or email."""
    said = "; ".join([*after_change_said(appt, reachable=reachable), *filter(None, [dropped])])
    return f" ({said})" if said else ""


class AppointmentsScreen(DeskScreen):
    CSS_PATH = STYLES / "appointments.tcss"
    AREA = "Appointments"
    FOCUS = "#appt-grid"
    HELP = (
        "The grid shows a day (every adviser and room) or, with W, a week for one adviser or "
        "room (A chooses which). [ and ] go back and forward, T to today."
    )
    HELP_KEYS: ClassVar[dict[str, str]] = {  # said only to those offered the key
        "book": "B books (the highlighted free slot is offered first).",
        "check_in": "C checks a resident in by their booking reference; a scanner at any "
        "screen does the same.",
        "checklist": "K ticks what they brought.",
        "move": "M moves a booking.",
        "cancel_booking": "X cancels (a council cancellation with under a working day's notice "
        "needs a reason).",
        "no_show": "N marks a no-show.",
        "rebook": "R rebooks someone who came without the documents.",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        _key("b", "book", "Book", "Book an appointment", may=Action.BOOK_APPOINTMENT),
        _key(
            "c",
            "check_in",
            "Check in",
            "The resident has arrived: check them in by reference (or scan)",
            may=Action.CHECK_IN,
        ),
        _key.checklist("Tick the documents the resident brought"),
        _key("m", "move", "Move", "Move the highlighted appointment", may=Action.MOVE_APPOINTMENT),
        _key(
            "x",
            "cancel_booking",
            "Cancel",
            "Cancel the highlighted one",
            id="cancel",
            may=Action.CANCEL_APPOINTMENT,
        ),
        _key(
            "n", "no_show", "No-show", "The resident did not come", may=Action.APPOINTMENT_NO_SHOW
        ),
        _key(
            "r",
            "rebook",
            "Rebook",
            "Came without the documents: book them again",
            may=Action.REBOOK,
        ),
        _key("w", "toggle_view", "Day/week", "Day grid or week grid", id="view"),
        _key(
            "a",
            "choose_resource",
            "Adviser/room",
            "Whose week to show: an adviser or a room",
            id="resource",
        ),
        _key(
            "left_square_bracket",
            "shift(-1)",
            "Earlier",
            "The day (or week) before",
            id="earlier",
            show=False,
        ),
        _key(
            "right_square_bracket",
            "shift(1)",
            "Later",
            "The next day (or week)",
            id="later",
            show=False,
        ),
        _key("t", "today", "Today", "Back to today", show=False),
        _key("f7", "find", "Find", "Find a booking by its reference", may=Action.VIEW_APPOINTMENTS),
    ]
    ROLE_ACTIONS = role_actions(BINDINGS)

    def __init__(self, desk: DeskContext) -> None:
        super().__init__(desk)
        self.view = "day"
        self.day: date | None = None
        self.resource: str | None = None
        self.table = AppointmentGrid(id="appt-grid")
        self.contacts: ReadOnce[Contact | None] = ReadOnce(self, "appt-contact", self.show_detail)
        """Contact details read (and recorded as read) once per booking while the app runs."""
        self._wanted_cursor: int | None = None
        """After a jump: the appointment to put the cursor on."""

    def help_words(self) -> str:
        """F1: the screen and its keys, then the key to the grid's colours and marks."""
        return f"{super().help_words()} {grid_key()}"

    def compose_body(self) -> ComposeResult:
        yield Static(id="appt-title")
        with Horizontal(id="appt-body"):
            yield self.table
            yield Static(id="appt-detail")

    @guarded
    def on_resize(self, event: Resize) -> None:
        # Under 110 columns the details go below the grid, which keeps the width.
        narrow = event.size.width < 110
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.show_detail()
        if self.grid is not None:
            self.query_one("#appt-title", Static).update(self.title_line(self.grid.title))

    def current_desk(self) -> str | None:
        return self.desk.terminal_desk or self.desk.greet_desk_id

    def wants_fresh_data(self) -> bool:
        return True

    # Loading -----------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        self.load()

    @work(exclusive=True, group="appt-grid", exit_on_error=False)
    async def load(self) -> None:
        if self.day is None:
            self.day = self.desk.names.today()
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

        built = await self.desk.act(build)
        if not isinstance(built, Ok):
            return
        grid, self.resource = built.value
        self.table.show(grid, (view, self.resource), self._wanted_cursor)
        self._wanted_cursor = None
        self.draw()

    async def _resources(self) -> list[tuple[str, str]]:
        actor = self.acting_as()
        days = [self.day] if self.day is not None else None  # with those holding bookings then
        found = await self.desk.act(
            lambda s: [(r.key, r.name) for r in resources(AppointmentService(s, actor), days=days)]
        )
        return found.value if isinstance(found, Ok) else []

    @property
    def grid(self) -> Grid | None:
        """The grid on screen (the view and resource asked for may still be loading)."""
        return self.table.grid

    @property
    def grid_view(self) -> tuple[str, str | None]:
        return self.table.view

    def draw(self) -> None:
        """The title line and the details, after the grid changed."""
        grid = self.grid
        if grid is None:
            return
        self.query_one("#appt-title", Static).update(self.title_line(grid.title))
        self.show_highlighted()

    def title_line(self, title: str) -> Text:
        """The grid's title and its keys: on one line where they fit, else the keys on a line
        of their own (an 80-column terminal), so that no key is cut or parted from its word."""
        keys = "[ ] earlier/later · T today · W day/week · A adviser/room"
        room = self.size.width - 2  # the title's padding
        hint = Text()
        hint.append(title, style="bold")
        hint.append(("   " if len(title) + 3 + len(keys) <= room else "\n") + keys, style="dim")
        return hint

    # The highlighted cell ---------------------------------------------------------------------

    def highlighted(self) -> tuple[Cell | None, date | None, str | None, str | None]:
        """The cell under the cursor: (cell, day, adviser id, room id)."""
        return self.table.highlighted()

    def highlighted_appointment(self) -> Appointment | None:
        return self.table.highlighted_appointment()

    def highlighted_time(self) -> str | None:
        return self.table.highlighted_time()

    @on(DataTable.CellHighlighted, "#appt-grid")
    @guarded
    def _moved(self, event: DataTable.CellHighlighted) -> None:
        self.show_highlighted()

    def _own(self, appt: Appointment) -> bool:
        return appt.adviser == self.acting_as().person

    def _want_contact(self, appt: Appointment | None) -> None:
        """Read the highlighted booking's contact details once (the read is recorded), if the
        person's role may see them; a refresh of the screen does not read them again."""
        if appt is None or appt.id in self.contacts:
            return
        actor = self.acting_as()
        if not self.desk.may(Action.VIEW_CONTACT, actor, own=self._own(appt)):
            return
        self.contacts.read(
            appt.id, lambda s: AppointmentService(s, actor).contact(appt, "appointments panel")
        )

    def show_detail(self) -> None:
        """The highlighted booking (or free time): a column beside the grid, or a few wrapped
        lines below it on a narrow terminal."""
        self._want_contact(self.highlighted_appointment())
        detail = detail_text(self.detail_parts(), narrow=self.has_class("-narrow"))
        self.query_one("#appt-detail", Static).update(detail)

    def detail_parts(self) -> list[tuple[str, str]]:
        names = self.desk.names
        appt = self.highlighted_appointment()
        if appt is not None:
            own = self._own(appt)
            return appointment_parts(
                names,
                appt,
                self.contacts.get(appt.id),
                lambda action: self.role_allows(action, own=own),
            )
        cell, day, adviser, room = self.highlighted()
        if cell is None or day is None:
            return []
        who = names.person(adviser) if adviser else names.desk(room) if room else ""
        return free_time_parts(cell, day, self.highlighted_time() or "", who)

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
            and appt.starts_at <= self.desk.names.now(),
            "checklist": status
            in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.ATTENDED),
            "rebook": status
            in (
                AppointmentStatus.CHECKED_IN,
                AppointmentStatus.ATTENDED,
                AppointmentStatus.INCOMPLETE,
                AppointmentStatus.NO_SHOW,
                AppointmentStatus.NOT_SEEN,
                AppointmentStatus.LEFT_UNSEEN,
            ),
            "choose_resource": self.view == "week",
        }
        if action in needs and not needs[action]:
            return None
        return True

    # Navigation --------------------------------------------------------------------------------

    @guarded
    def action_toggle_view(self) -> None:
        self.view = "week" if self.view == "day" else "day"
        if self.view == "week":  # the week of the adviser or room highlighted
            _, _, adviser, room = self.highlighted()
            if adviser:
                self.resource = f"adviser:{adviser}"
            elif room:
                self.resource = f"room:{room}"
        self.load()

    @guarded
    def action_shift(self, steps: int) -> None:
        if self.day is None:
            return
        self.day += timedelta(days=steps * (7 if self.view == "week" else 1))
        self.load()

    @guarded
    def action_today(self) -> None:
        self.day = self.desk.names.today()
        self.load()

    @key_flow("appt-action")
    async def action_choose_resource(self) -> None:
        found = await self._resources()
        if not found:
            self.say("Nobody takes appointments here")
            return
        letters = "123456789abcdefghijklmnopqrstuvwxyz"
        choices = [(letters[i], f"{letters[i]}  {name}") for i, (_, name) in enumerate(found[:35])]
        picked = await self.app.push_screen_wait(
            ChoiceDialog(
                "Whose week?",
                choices,
                "A number or letter · Esc: back",
                meaning="The week view shows one adviser's or room's appointments: the one "
                "picked (the day view shows them all).",
            )
        )
        if picked is None:
            return
        self.resource = found[letters.index(picked)][0]
        self.view = "week"
        self.load()

    # Booking -----------------------------------------------------------------------------------

    def _when(self, appt: Appointment) -> str:
        return when_text(self.desk.names, appt)

    @key_flow("appt-action")
    async def action_book(self) -> None:
        if not bookable(self):
            self.say("No service takes appointments (appointment_minutes)")
            return
        cell, day, adviser, _ = self.highlighted()
        preferred = None
        if cell is not None and cell.kind == "free" and day is not None and adviser:
            preferred = slot_at(self.desk.names, day, self.highlighted_time(), adviser)
        booked = await book(self, day or self.desk.names.today(), preferred)
        if booked is not None:
            await self._done(booked, f"Booked {booked.ref}: {self._when(booked)}")

    @key_flow("appt-action")
    @acts_on(highlighted_appointment)
    async def action_move(self, appt: Appointment) -> None:
        await self._reschedule(appt, rebook=False)

    @key_flow("appt-action")
    @acts_on(highlighted_appointment)
    async def action_rebook(self, appt: Appointment) -> None:
        if appt.status is AppointmentStatus.ATTENDED:  # asked first: it is marked so
            question = QuestionDialog(
                rebook_seen_said(appt.ref, asking=True), yes="mark it and rebook", no="leave it"
            )
            if not await self.app.push_screen_wait(question):
                return
        await self._reschedule(appt, rebook=True)

    async def _reschedule(self, appt: Appointment, *, rebook: bool) -> None:
        today = self.desk.names.today()
        moved = await reschedule(self, appt, max(today, self.day or today), rebook=rebook)
        if moved is not None:
            verb = "Rebooked as" if rebook else "Moved"
            short = _short(moved, await self._reachable(moved), await self._dropped(moved))
            await self._done(moved, f"{verb} {moved.ref}: {self._when(moved)}{short}")

    async def _reachable(self, appt: Appointment) -> bool:
        """Whether a booking owed a council change by hand holds a phone or an email (how a
        person tells them); True when none is owed, or it cannot be read now."""
        if appt.untold_since is None:
            return True
        held = await self.desk.act(lambda s: AppointmentService(s).reachable(appt), quiet=True)
        return held.value if isinstance(held, Ok) else True

    async def _dropped(self, appt: Appointment) -> str | None:
        """What to say of the booking's slip a change just settled unprinted (None: none, or it
        cannot be read now)."""
        from oss_desk.services.slips import slip_dropped

        found = await self.desk.act(lambda s: slip_dropped(s, appt), quiet=True)
        return found.value if isinstance(found, Ok) else None

    async def _done(self, appt: Appointment, message: str) -> None:
        """After a booking: say so, and show it on the grid, with the cursor on it."""
        self._said_after(appt, message)
        self.day = self.desk.names.local(appt.starts_at, appt.site_id).date()
        self._wanted_cursor = appt.id
        await self.desk.after_write()
        self.load()

    @key_flow("appt-action")
    @acts_on(highlighted_appointment)
    async def action_cancel_booking(self, appt: Appointment) -> None:
        by = await who_asked(
            self,
            f"Cancel {appt.ref} ({self._when(appt)}): who is cancelling?",
            "keep the appointment",
        )
        if by is None:
            return
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
        cancelled = await self.commit(
            lambda s: AppointmentService(s, actor).cancel(appt.id, by, reason or None)
        )
        if isinstance(cancelled, Ok):
            done = cancelled.value
            told = cancel_told_said(done)
            told = f"; {told}" if told else ""
            short = _short(done, await self._reachable(done), await self._dropped(done))
            self._said_after(done, f"Cancelled {appt.ref}{told}{short}")
            self.load()

    def _said_after(self, appt: Appointment, message: str) -> None:
        """What a change did; a warning that stays while a person must tell the resident (no
        email or phone: ``domain.appointments.untold_said``)."""
        if appt.untold_since is None:
            self.notify_done(message)
        else:
            self.say(message, severity="warning", timeout=20)

    @key_flow("appt-action")
    @acts_on(highlighted_appointment)
    async def action_no_show(self, appt: Appointment) -> None:
        sure = await self.app.push_screen_wait(
            ConfirmDialog(
                f"{appt.ref} ({self._when(appt)}) did not come?",
                meaning="y records that the resident did not come to this appointment: it "
                "counts among the month's appointment no-shows, not those kept. n or Esc: "
                "nothing changes.",
            )
        )
        if not sure:
            return
        actor = self.acting_as()
        marked = await self.commit(
            lambda s: AppointmentService(s, actor).no_show(appt.id),
            f"{appt.ref} marked as a no-show",
        )
        if isinstance(marked, Ok):
            self.load()

    @key_flow("appt-action")
    @acts_on(highlighted_appointment)
    async def action_checklist(self, appt: Appointment) -> None:
        await tick_checklist(self, appt, [])
        self.load()

    @key_flow("appt-action")
    async def action_check_in(self) -> None:
        appt = self.highlighted_appointment()
        today = self.desk.names.today().isoformat()
        value = (
            appt.ref
            if appt is not None
            and appt.status is AppointmentStatus.BOOKED
            and appt.business_day == today
            else ""
        )
        typed = await self.app.push_screen_wait(ReferenceDialog("Check in", value))
        if typed:
            await check_in(self, typed)
            self.load()

    @key_flow("appt-action")
    async def action_find(self) -> None:
        typed = await self.app.push_screen_wait(ReferenceDialog("Find a booking"))
        if not typed:
            return
        try:
            ref = parse_reference(typed)
        except OssDeskError as exc:
            self.say(exc.message, severity="warning")
            return
        looked_up = await self.desk.act(lambda s: AppointmentService(s).find(ref))
        if not isinstance(looked_up, Ok):
            return
        found = looked_up.value
        self.day = self.desk.names.local(found.starts_at, found.site_id).date()
        if found.status is AppointmentStatus.CANCELLED:
            self.say(f"{found.ref} was cancelled ({self._when(found)})")
        self._wanted_cursor = found.id
        if self.view == "week":
            self.resource = f"adviser:{found.adviser}"
        self.load()
