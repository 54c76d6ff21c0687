"""Appointment dialogs: book (or move, or rebook) a slot, tick the checklist, take a reference."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, OptionList, RadioSet, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from oss_desk.domain.appointments import Appointment, Preferred
from oss_desk.domain.calendar import parse_date
from oss_desk.domain.channels import NONE_WORKS, BookingChannels
from oss_desk.domain.slots import Slot
from oss_desk.errors import InvalidInput
from oss_desk.ui.context import DeskContext
from oss_desk.ui.dialogs import (
    Dialog,
    LetterList,
    MarkedRadioButton,
    TextDialog,
    TickBox,
    TickList,
    keys_line,
)
from oss_desk.ui.dialogs.fields import field_row
from oss_desk.ui.faults import guarded
from oss_desk.ui.theme import STYLES

if TYPE_CHECKING:
    from oss_desk.services.desk_view import DeskSnapshot

FOLLOW_UP = "Follow-up text"
"""The tick box: one text after the visit asking how we did."""


@dataclass(frozen=True, slots=True)
class BookingForm:
    service: str
    slot: Slot
    name: str = ""
    email: str = ""
    phone: str = ""
    channel: str = ""
    """email, text or slip; empty: email if given, else text if a mobile, else a slip."""
    needs: str = ""
    feedback_text: bool = False
    """They agree to one text after the visit asking how we did (at ``phone``)."""
    usable: tuple[str, ...] = ("email", "text", "slip")
    """The channels that can confirm a booking here (``domain.channels``)."""

    def chosen_channel(self) -> str:
        if self.channel:
            return self.channel
        for channel, given in (("email", self.email), ("text", self.phone), ("slip", "-")):
            if given.strip() and channel in self.usable:
                return channel
        return self.usable[0] if self.usable else "slip"  # (none: the booking says what would)


def keys_hint(doing: str = "book", *, to_name: bool = True) -> str:
    """The form's keys: Enter on a slot chooses it (and, ``to_name``, moves on to the name, so
    that no Tab is needed after it: one skipped the name); Ctrl+S does what the form is for."""
    enter = "choose it and go on to Name" if to_name else "choose it"
    return f"Tab: next · Enter on a slot: {enter} · Ctrl+S: {doing} · Esc: back"


KEYS_HINT = keys_hint()


def slots_hint(doing: str = "book") -> str:
    """The form's keys while the slots have the focus: a digit (or '-') there starts a new
    date in the date field (:meth:`BookingDialog.date_typed`)."""
    return f"↑↓ Enter: choose a slot · digits: a new date · Tab: next · Ctrl+S: {doing} · Esc: back"


DATE_KEYS = frozenset("0123456789-")
"""The keys that start a date when typed on the slots."""

SlotFinder = Callable[[str, date], Awaitable[list[Slot] | str]]
Submitter = Callable[[BookingForm], Awaitable[Appointment | str | None]]
"""Makes the booking (or the move) from the form: the appointment; a refusal to show in the
form; or None when the desk backed out of a question it asked (nothing changed)."""


class FieldInput(Input):
    """Enter moves to the next field at once (before the next key is read, so fast typing
    never lands in the wrong field); in an empty field before a slot is chosen it chooses the
    highlighted slot (someone who tabbed past the slots pressed it "on the slot")."""

    @guarded
    async def action_submit(self) -> None:
        screen = self.screen
        if isinstance(screen, BookingDialog) and not self.value and screen.chosen is None:
            screen.slot_chosen(stay=self)
            return
        screen.focus_next()


class SlotList(OptionList):
    """The free slots: Enter (or a click) chooses the highlighted one at once, not through a
    message, so a key typed straight after it already goes where the choice puts the cursor.
    Choosing never books or moves: Ctrl+S does. A digit or '-' starts a new date (``typed``):
    someone who reads "Date (YYYY-MM-DD)" and types one has it go there, not lost."""

    def __init__(
        self, chosen: Callable[[], None], typed: Callable[[str], None], *, id: str
    ) -> None:
        super().__init__(id=id)
        self._chosen = chosen
        self._typed = typed

    @guarded
    def on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character in DATE_KEYS:
            event.stop()
            event.prevent_default()
            self._typed(event.character)

    @guarded
    def action_select(self) -> None:
        if self.highlighted is not None:
            self._chosen()


class BookingDialog(Dialog[Appointment | None]):
    """Service, date, a free slot and (for a new booking) the resident's contact and channel.

    The booking is made from here: a refusal (the slot went a moment ago, an email missing)
    shows inline and nothing typed is lost. Without contact fields (a move, a rebooking) Enter
    on a slot chooses it and says which; Ctrl+S (``doing``: what it does) makes the change."""

    HELP = (
        "An appointment, booked or moved from here: the service by its letter, a date "
        "(YYYY-MM-DD) and Enter for its free slots, then Enter on a slot chooses it (a digit "
        "typed on the slots starts a new date in the date field). A new "
        "booking takes the resident's contact (the name is for staff only) and how the "
        "confirmation goes; Tab moves from field to field. Ctrl+S books (or moves); a refusal "
        "(the slot just went, an email missing) shows in red and nothing typed is lost. Esc goes "
        "back and nothing is booked."
    )

    CSS_PATH = STYLES / "appointments.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Book", id="booking.submit", tooltip="Book the chosen slot"),
    ]
    BOX = "dialog booking"
    hint = f"{KEYS_HINT}\nNo channel chosen: email if given, else text, else a printed slip"

    def __init__(
        self,
        title: str,
        *,
        services: list[tuple[str, str]],
        day: date,
        find_slots: SlotFinder,
        submit: Submitter,
        describe: Callable[[Slot], str],
        service: str | None = None,
        with_contact: bool = True,
        fixed_service: bool = False,
        preferred: Slot | None = None,
        needs: str = "",
        channels: BookingChannels | None = None,
        doing: str = "book",
    ) -> None:
        super().__init__(title)
        self.channels = channels
        self.doing = doing
        if not with_contact:  # a move or rebooking keeps the channel it has: no channel line
            self.hint = keys_hint(doing, to_name=False)
        elif channels is not None:  # one channel is chosen already; none: the form says so
            several = len(channels.working) > 1
            self.hint = f"{KEYS_HINT}\n{channels.default_said()}" if several else KEYS_HINT
        _, newline, rest = str(self.hint).partition("\n")
        self.slots_hint = slots_hint(doing) + newline + rest
        """The hint while the slots have the focus (the same second line)."""
        self.needs = needs
        self.services = services
        self.day = day
        self.find_slots = find_slots
        self.submit = submit
        self.describe = describe
        self.service = service or (services[0][0] if services else "")
        self.with_contact = with_contact
        self.fixed_service = fixed_service
        self.preferred = preferred
        self.slots: list[Slot] = []
        self.chosen: Slot | None = None
        """The slot chosen with Enter (None: not yet; the highlighted one is booked)."""

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="booking-when"):
            with Vertical(id="booking-left"):
                if self.fixed_service:
                    label = dict(self.services).get(self.service, self.service)
                    yield Static(Text(f"Service: {label}"), id="booking-service-fixed")
                else:
                    yield Static("Service (its letter)", classes="label")
                    yield LetterList(
                        *[Option(Text(f"{code}  {name}"), id=code) for code, name in self.services],
                        id="booking-service",
                    )
                yield Static("Date (YYYY-MM-DD), Enter: slots", classes="label")
                yield Input(
                    value=self.day.isoformat(),
                    max_length=10,
                    id="booking-date",
                    select_on_focus=False,  # typing edits the date, it does not wipe it
                )
            with Vertical(id="booking-right"):
                yield Static("Free slots", classes="label", id="slots-title")
                yield SlotList(self.slot_chosen, self.date_typed, id="booking-slots")
        if self.with_contact:
            with Horizontal(id="booking-contact"):
                with Vertical(id="booking-fields"):
                    for field_id, label, hint, length in (
                        ("booking-name", "Name", "staff only, optional", 80),
                        ("booking-email", "Email", "", 254),
                        ("booking-phone", "Mobile", "", 20),
                        ("booking-needs", "Needs", "bsl, wheelchair, interpreter:Polish", 200),
                    ):
                        kind = Input if field_id == "booking-needs" else FieldInput
                        value = self.needs if field_id == "booking-needs" else ""
                        field = kind(
                            value=value,
                            placeholder=hint,
                            max_length=length,
                            id=field_id,
                            select_on_focus=False,  # typing adds to what is filled in
                        )
                        yield field_row(label, field)
                marked = self.channels is not None and len(self.channels.working) < len(Preferred)
                with Vertical(id="booking-channel-box", classes="-marked" if marked else ""):
                    yield Static("Confirmation by", classes="label")
                    with RadioSet(id="booking-channel"):
                        for channel in Preferred:
                            yield self._channel_button(channel)
                    if self.channels is not None and not self.channels.working:
                        yield Static(Text(NONE_WORKS, style="bold red"), id="booking-no-channel")
                    follow_up = TickBox(FOLLOW_UP, False, id="booking-follow-up")
                    follow_up.tooltip = (
                        "They agree to one text after the visit asking how we did (to the "
                        "mobile number)"
                    )
                    yield follow_up
        yield Static(id="booking-error")

    def _channel_button(self, channel: Preferred) -> MarkedRadioButton:
        """A channel that cannot confirm a booking here is marked so and cannot be chosen; the
        only one that can is chosen already."""
        usable = self.channels.working if self.channels is not None else tuple(Preferred)
        chosen = self.channels.chosen(tuple(Preferred)) if self.channels is not None else None
        return MarkedRadioButton(
            self.channels.label(channel) if self.channels is not None else channel.words,
            value=chosen is channel,
            disabled=channel not in usable,
            id=f"channel-{channel.value}",
        )

    @guarded
    def on_mount(self) -> None:
        if not self.fixed_service:
            services = self.query_one("#booking-service", LetterList)
            codes = [code for code, _ in self.services]
            if self.service in codes:
                services.highlighted = codes.index(self.service)
            services.focus()
        else:
            self.query_one("#booking-slots", OptionList).focus()
        self.load_slots()

    @guarded
    def on_descendant_focus(self) -> None:
        """The hint says what the keys do where the focus is: on the slots, digits too."""
        on_slots = self.focused is not None and self.focused.id == "booking-slots"
        self.query_one(".hint", Static).update(
            keys_line(self.slots_hint if on_slots else self.hint)
        )

    def date_typed(self, key: str) -> None:
        """A digit or '-' typed on the slots: the focus to the date field, which starts a new
        date with that key (what it held is cleared: it held a whole date), at once, so the
        next keys land there too. Enter there shows that day's slots, as ever."""
        field = self.query_one("#booking-date", Input)
        field.value = key
        field.cursor_position = len(key)
        self.set_focus(field)

    # Slots -------------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#booking-service")
    @guarded
    def _service_moved(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.service:
            self.service = event.option.id
            self.load_slots()

    @on(OptionList.OptionSelected, "#booking-service")
    @guarded
    def _service_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.service = event.option.id
        self.query_one("#booking-date", Input).focus()

    @on(Input.Submitted, "#booking-date")
    @guarded
    def _date_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.load_slots(focus=True)

    def slot_chosen(self, stay: Input | None = None) -> None:
        """The highlighted slot is chosen and said: the cursor to the name (or ``stay`` where
        it is), at once; without contact fields it stays on the slots, for Ctrl+S."""
        index = self.query_one("#booking-slots", OptionList).highlighted
        if index is None or index >= len(self.slots):
            return
        self.chosen = self.slots[index]
        if not self.with_contact:
            self.show_note(f"Chosen: {self.describe(self.chosen)} · Ctrl+S: {self.doing}")
            return
        self.show_note(f"Chosen: {self.describe(self.chosen)}")
        self.set_focus(stay or self.query_one("#booking-name", Input))

    @on(OptionList.OptionHighlighted, "#booking-slots")
    @guarded
    def _slot_moved(self, event: OptionList.OptionHighlighted) -> None:
        """Another slot highlighted: the one chosen before is not what would be booked."""
        index = event.option_index
        if self.chosen is not None and (
            index >= len(self.slots) or self.slots[index] != self.chosen
        ):
            self.chosen = None
            self.show_note("")

    @on(Input.Submitted, "#booking-needs")
    @guarded
    def _needs_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def show_error(self, message: str) -> None:
        """A refusal in red, above the slot chosen (still chosen: it is kept in view)."""
        said = Text(message, style="bold red")
        if message and self.chosen is not None:
            said.append(f"\nChosen: {self.describe(self.chosen)}")
        self.query_one("#booking-error", Static).update(said)

    def show_note(self, message: str) -> None:
        self.query_one("#booking-error", Static).update(Text(message))

    @work(exclusive=True, group="booking-slots", exit_on_error=False)
    async def load_slots(self, focus: bool = False) -> None:
        text = self.query_one("#booking-date", Input).value
        try:
            day = parse_date(text.strip(), "date")
        except InvalidInput as exc:
            self.show_error(exc.message)
            return
        self.day = day
        found = await self.find_slots(self.service, day)
        slot_list = self.query_one("#booking-slots", OptionList)
        slot_list.clear_options()
        self.chosen = None
        title = self.query_one("#slots-title", Static)
        if isinstance(found, str):
            self.slots = []
            self.show_error(found)
            title.update("Free slots")
            if focus or slot_list.has_focus:
                self.query_one("#booking-date", Input).focus()
            return
        self.show_error("")
        self.slots = found
        slot_list.add_options(
            [Option(Text(self.describe(s)), id=str(i)) for i, s in enumerate(found)]
        )
        title.update(f"Free slots ({len(found)})" if found else "No free slots: try another date")
        if found:
            index = 0
            if self.preferred is not None:
                index = next(
                    (
                        i
                        for i, s in enumerate(found)
                        if s.start == self.preferred.start and s.adviser == self.preferred.adviser
                    ),
                    0,
                )
            slot_list.highlighted = index
        if focus and found:
            slot_list.focus()
        elif not found and (focus or slot_list.has_focus):  # nothing to choose: another date
            self.query_one("#booking-date", Input).focus()

    # Booking -----------------------------------------------------------------------------------

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip() if self.with_contact else ""

    @guarded
    @work(exclusive=True, group="booking-submit", exit_on_error=False)
    async def action_submit(self) -> None:
        slot_list = self.query_one("#booking-slots", OptionList)
        index = slot_list.highlighted
        if index is None or index >= len(self.slots):
            self.show_error("Choose a free slot first (Enter on the date shows them)")
            return
        channel = ""
        if self.with_contact:
            pressed = self.query_one(RadioSet).pressed_button
            if pressed is not None and pressed.id:
                channel = pressed.id.removeprefix("channel-")
        form = BookingForm(
            service=self.service,
            slot=self.slots[index],
            name=self._value("booking-name"),
            email=self._value("booking-email"),
            phone=self._value("booking-phone"),
            channel=channel,
            needs=self._value("booking-needs"),
            feedback_text=(
                self.with_contact and self.query_one("#booking-follow-up", Checkbox).value
            ),
            **({"usable": tuple(self.channels.working)} if self.channels is not None else {}),
        )
        result = await self.submit(form)
        if result is None:  # backed out of a question: nothing changed, the form stays
            self.show_note(f"Nothing changed · Ctrl+S: {self.doing} · Esc: back")
            return
        if isinstance(result, str):
            self.show_error(result)
            if "slot" in result or "free" in result:
                self.load_slots()
            return
        self.dismiss(result)


@dataclass(frozen=True, slots=True)
class PrintFollowed:
    """A print job a box follows while it is open: its line (``at``) says the job's state as
    the desk's snapshots have it, the state the screen behind says."""

    desk: DeskContext
    job: int
    at: int


class ChecklistDialog(Dialog[tuple[str, ...] | None]):
    """What the resident was asked to bring: Space ticks what they brought, Ctrl+S saves. At a
    check-in, one line follows the ticket's print job (``printing``) while the box is open."""

    HELP = (
        "What the resident was asked to bring: Up and Down move, Space ticks what they brought, "
        "Ctrl+S or Enter saves the ticks. At a check-in it also says whether the ticket has "
        "printed. Esc closes it without saving the ticks."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="checklist.save", tooltip="Keep these ticks"),
    ]

    def __init__(
        self,
        title: str,
        lines: Iterable[str],
        items: Iterable[str],
        ticked: Iterable[str],
        printing: PrintFollowed | None = None,
    ) -> None:
        super().__init__(title)
        self.lines = list(lines)
        self.items = list(items)
        self.ticked = set(ticked)
        self.printing = printing
        self.hint = (
            "Space: tick · Ctrl+S: save · Esc: close without saving"
            if self.items
            else "This service has no checklist · Esc: close"
        )

    def compose_body(self) -> ComposeResult:
        if self.lines:
            yield Static(Text("\n".join(self.lines)), classes="body", id="checklist-lines")
        if self.items:
            yield Static("What did they bring?", classes="label")
            yield TickList(
                *[Selection(item, item, item in self.ticked) for item in self.items],
                id="checklist",
            )

    @guarded
    def on_mount(self) -> None:
        if self.printing is not None:
            self.printing.desk.follow_snapshot(self, self.print_state)
            self.print_state(self.printing.desk.snapshot)

    @guarded
    def print_state(self, snapshot: DeskSnapshot | None) -> None:
        """The ticket's print job as the screen behind says it, now."""
        from oss_desk.domain.delivery import followed_job_word

        assert self.printing is not None
        job = self.printing.job
        word = followed_job_word(snapshot.print_jobs if snapshot is not None else {}, job)
        self.lines[self.printing.at] = f"Ticket {word} (job {job})"
        self.query_one("#checklist-lines", Static).update(Text("\n".join(self.lines)))

    @guarded
    def action_save(self) -> None:
        if not self.items:
            self.dismiss(None)
            return
        chosen = set(self.query_one(SelectionList).selected)
        self.dismiss(tuple(item for item in self.items if item in chosen))


class ReferenceDialog(TextDialog):
    """A booking reference, typed or scanned (the scanner's payload lands here too)."""

    HELP = (
        "A booking's reference: type it as it is on the letter, slip or email (K7M-3QX, say) "
        "and press Enter, or scan the QR code on it. Esc goes back."
    )

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__(
            title,
            placeholder="Booking reference, e.g. K7M-3QX",
            hint="Type it, or scan the QR code on the letter, slip or email · Enter · Esc: back",
            max_length=40,
            value=value,
        )

    def scanned(self, payload: str) -> bool:
        self.dismiss(payload)
        return True
